// Journal DDL (SPEC §4, issue 3 §5): the tables and their rows are the engine's
// (engine/rows); the DDL files under sql/duckdb/ and sql/clickhouse/ are generated from
// this and checked against it.

import type { SqlType, TableSpec } from '../engine/rows.js';

export {
  type ActuatedDecision,
  type Cell,
  CONTROL_AUDIT,
  type Column,
  type ControlAuditRow,
  DECISIONS,
  type DecisionRow,
  type IdleDecision,
  type LegRow,
  ORDER_EVENTS,
  type OrderEventRow,
  REJECTS,
  type RejectRow,
  type Row,
  type SqlType,
  TABLES,
  type TableSpec,
  TRADE_EXIT_LEGS,
  TRADES,
  type TradeRow,
  UNIVERSE,
  type UniverseRow,
} from '../engine/rows.js';

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
