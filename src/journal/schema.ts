// Journal tables (SPEC §4, issue 3 §5): column names, SQL types and row shapes, in one
// place; the DDL files under sql/duckdb/ and sql/clickhouse/ are generated from this and
// checked against it.

export type SqlType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly Column[];
  /** Idempotency key: a row whose key is already present is not inserted again. */
  readonly key: readonly string[];
}

const c = (name: string, type: SqlType, nullable = false): Column => ({ name, type, nullable });

export const DECISIONS: TableSpec = {
  name: 'violet_decisions',
  key: ['instance_id', 'scan_number'],
  columns: [
    c('instance_id', 'VARCHAR'),
    c('scan_number', 'BIGINT'),
    c('ts', 'BIGINT'),
    c('profile', 'VARCHAR'),
    c('actuated', 'BOOLEAN'),
    c('reason', 'VARCHAR'),
    c('asset', 'VARCHAR', true),
    c('direction', 'VARCHAR'),
    c('vel_div', 'DOUBLE'),
    c('strength', 'DOUBLE', true),
    c('base_leverage', 'DOUBLE', true),
    c('irp_score', 'DOUBLE', true),
    c('irp_alignment', 'DOUBLE', true),
    c('universe_size', 'INTEGER'),
    c('dc_status', 'VARCHAR', true),
    c('dc_mult', 'DOUBLE'),
    c('acb_boost', 'DOUBLE'),
    c('meta_boost', 'DOUBLE'),
    c('mc_scale', 'DOUBLE'),
    c('regime_mult', 'DOUBLE'),
    c('ob_mult', 'DOUBLE'),
    c('esof_score', 'DOUBLE', true),
    c('esof_stale', 'BOOLEAN'),
    c('esof_mult', 'DOUBLE'),
    c('sc_mult', 'DOUBLE'),
    c('posture', 'VARCHAR'),
    c('clamped_max', 'DOUBLE', true),
    c('leverage', 'DOUBLE', true),
    c('fraction', 'DOUBLE', true),
    c('capital', 'DOUBLE'),
    c('notional', 'DOUBLE', true),
    c('notional_fraction', 'DOUBLE', true),
    c('exchange_leverage', 'INTEGER', true),
    c('slot_state', 'VARCHAR'),
    c('btc_price', 'DOUBLE', true),
    c('btc_ma99', 'DOUBLE', true),
    c('regime_label', 'VARCHAR', true),
    c('composite_hash', 'VARCHAR', true),
    c('kernel_version', 'VARCHAR'),
    c('config_hash', 'VARCHAR'),
  ],
};

export const REJECTS: TableSpec = {
  name: 'violet_rejects',
  key: ['instance_id', 'source', 'source_seq'],
  columns: [
    c('instance_id', 'VARCHAR'),
    /** The source's name (an archive's file name), so two archives never share a key. */
    c('source', 'VARCHAR'),
    /** Position of the record in its source (line number of an archive, 1-based). */
    c('source_seq', 'BIGINT'),
    c('scan_number', 'BIGINT', true),
    c('reason', 'VARCHAR'),
    c('raw', 'VARCHAR'),
  ],
};

export const CONTROL_AUDIT: TableSpec = {
  name: 'violet_control_audit',
  key: ['instance_id', 'audit_seq'],
  columns: [
    c('instance_id', 'VARCHAR'),
    c('audit_seq', 'BIGINT'),
    /** Wall-clock time of the change (epoch ms). */
    c('at_ms', 'BIGINT'),
    /** Scan number at which the change took effect. */
    c('at_scan', 'BIGINT', true),
    c('who', 'VARCHAR'),
    c('action', 'VARCHAR'),
    c('old_value', 'VARCHAR'),
    c('new_value', 'VARCHAR'),
  ],
};

/** The decision universe (non-stable symbols, scan order), a row whenever it changes. */
export const UNIVERSE: TableSpec = {
  name: 'violet_universe',
  key: ['instance_id', 'scan_number'],
  columns: [
    c('instance_id', 'VARCHAR'),
    c('scan_number', 'BIGINT'),
    c('ts', 'BIGINT'),
    /** Space-separated symbols. */
    c('symbols', 'VARCHAR'),
  ],
};

/** BLUE `dolphin.trade_events` shape (SPEC §2) plus VIOLET's accounting columns. */
export const TRADES: TableSpec = {
  name: 'violet_trades',
  key: ['instance_id', 'trade_id'],
  columns: [
    c('trade_id', 'VARCHAR'),
    c('instance_id', 'VARCHAR'),
    c('asset', 'VARCHAR'),
    c('side', 'VARCHAR'),
    c('entry_scan', 'BIGINT'),
    c('entry_ts', 'BIGINT'),
    c('exit_scan', 'BIGINT'),
    c('exit_ts', 'BIGINT'),
    c('entry_price', 'DOUBLE'),
    /** VWAP of the exit legs. */
    c('exit_price', 'DOUBLE'),
    c('quantity', 'DOUBLE'),
    c('capital_before', 'DOUBLE'),
    c('capital_after', 'DOUBLE'),
    /** Conviction leverage (the decision's composed leverage). */
    c('leverage', 'DOUBLE'),
    c('exchange_leverage', 'INTEGER'),
    c('notional', 'DOUBLE'),
    c('margin', 'DOUBLE'),
    c('fees', 'DOUBLE'),
    c('funding', 'DOUBLE'),
    /** Σ legs' pnl − fees + funding = capital_after − capital_before. */
    c('pnl', 'DOUBLE'),
    c('pnl_pct', 'DOUBLE'),
    c('exit_reason', 'VARCHAR'),
    c('bars_held', 'INTEGER'),
    c('vel_div_entry', 'DOUBLE'),
    c('btc_price', 'DOUBLE', true),
    c('btc_ma99', 'DOUBLE', true),
    c('dvol', 'DOUBLE', true),
    c('regime_label', 'VARCHAR', true),
    c('composite_hash', 'VARCHAR', true),
    c('esof_score', 'DOUBLE', true),
  ],
};

export const TRADE_EXIT_LEGS: TableSpec = {
  name: 'violet_trade_exit_legs',
  key: ['instance_id', 'trade_id', 'leg_no'],
  columns: [
    c('instance_id', 'VARCHAR'),
    c('trade_id', 'VARCHAR'),
    c('leg_no', 'INTEGER'),
    c('scan_number', 'BIGINT'),
    c('ts', 'BIGINT'),
    c('reason', 'VARCHAR'),
    c('quantity', 'DOUBLE'),
    c('price', 'DOUBLE'),
    c('fee', 'DOUBLE'),
    c('pnl', 'DOUBLE'),
  ],
};

/** Entries filled, refused (with the reason), maker orders posted, filled, cancelled. */
export const ORDER_EVENTS: TableSpec = {
  name: 'violet_order_events',
  key: ['instance_id', 'scan_number', 'event'],
  columns: [
    c('instance_id', 'VARCHAR'),
    c('scan_number', 'BIGINT'),
    c('event', 'VARCHAR'),
    c('asset', 'VARCHAR'),
    c('detail', 'VARCHAR'),
  ],
};

export const TABLES: readonly TableSpec[] = [
  DECISIONS,
  REJECTS,
  CONTROL_AUDIT,
  UNIVERSE,
  TRADES,
  TRADE_EXIT_LEGS,
  ORDER_EVENTS,
];

export type Cell = string | number | boolean | null;
export type Row = Readonly<Record<string, Cell>>;

export interface DecisionRow {
  readonly instance_id: string;
  readonly scan_number: number;
  readonly ts: number;
  readonly profile: string;
  readonly actuated: boolean;
  readonly reason: 'ACTUATED' | 'NO_SIGNAL' | 'HIBERNATE' | 'NO_CANDIDATE';
  readonly asset: string | null;
  readonly direction: string;
  readonly vel_div: number;
  readonly strength: number | null;
  readonly base_leverage: number | null;
  readonly irp_score: number | null;
  readonly irp_alignment: number | null;
  readonly universe_size: number;
  readonly dc_status: string | null;
  readonly dc_mult: number;
  readonly acb_boost: number;
  readonly meta_boost: number;
  readonly mc_scale: number;
  readonly regime_mult: number;
  readonly ob_mult: number;
  readonly esof_score: number | null;
  readonly esof_stale: boolean;
  readonly esof_mult: number;
  readonly sc_mult: number;
  readonly posture: string;
  readonly clamped_max: number | null;
  readonly leverage: number | null;
  readonly fraction: number | null;
  readonly capital: number;
  readonly notional: number | null;
  readonly notional_fraction: number | null;
  readonly exchange_leverage: number | null;
  readonly slot_state: string;
  readonly btc_price: number | null;
  readonly btc_ma99: number | null;
  readonly regime_label: string | null;
  readonly composite_hash: string | null;
  readonly kernel_version: string;
  readonly config_hash: string;
}

export interface RejectRow {
  readonly instance_id: string;
  readonly source: string;
  readonly source_seq: number;
  readonly scan_number: number | null;
  readonly reason: string;
  readonly raw: string;
}

export type Dialect = 'duckdb' | 'clickhouse';

/** ClickHouse 18.16 has no Bool type: BOOLEAN is UInt8 (0/1). */
const CLICKHOUSE_TYPES: Readonly<Record<SqlType, string>> = {
  VARCHAR: 'String',
  BIGINT: 'Int64',
  INTEGER: 'Int32',
  DOUBLE: 'Float64',
  BOOLEAN: 'UInt8',
};

/** The DDL of one table (`sql/<dialect>/<table>.sql` is this text). */
export function tableDdl(t: TableSpec, dialect: Dialect): string {
  return dialect === 'duckdb' ? createTableSql(t) : createClickHouseTableSql(t);
}

/** Duplicates of a key collapse in background merges; reads use `FINAL` to see each key once. */
export function createClickHouseTableSql(t: TableSpec): string {
  const cols = t.columns.map((col) => {
    const type = CLICKHOUSE_TYPES[col.type];
    return `  ${col.name} ${col.nullable ? `Nullable(${type})` : type}`;
  });
  return `CREATE TABLE IF NOT EXISTS ${t.name} (\n${cols.join(',\n')}\n) ENGINE = ReplacingMergeTree ORDER BY (${t.key.join(', ')});\n`;
}

export function createTableSql(t: TableSpec): string {
  const cols = t.columns.map(
    (col) => `  ${col.name} ${col.type}${col.nullable ? '' : ' NOT NULL'}`,
  );
  return `CREATE TABLE IF NOT EXISTS ${t.name} (\n${cols.join(',\n')},\n  PRIMARY KEY (${t.key.join(', ')})\n);\n`;
}
