// What the engine journals (SPEC §4, issue 3 §5): the row types of every table, and each
// table's columns tied to its row type. A `TableSpec<R>` only compiles when its columns are
// exactly R's fields, each with a SQL type that holds the field (and NULL iff the field may
// be null). The DDL (journal/schema) and the sinks are built from these.

import type { ExitReason } from './exits.js';

export type SqlType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN';

export interface Column<
  N extends string = string,
  T extends SqlType = SqlType,
  Nullable extends boolean = boolean,
> {
  readonly name: N;
  readonly type: T;
  readonly nullable: Nullable;
}

export interface TableSpec<R = unknown> {
  readonly name: string;
  readonly columns: readonly Column[];
  /** Idempotency key: a row whose key is already present is not inserted again. */
  readonly key: readonly string[];
  /** Type only (never set): the row this table holds. */
  readonly row?: R;
}

export type Cell = string | number | boolean | null;
export type Row = Readonly<Record<string, Cell>>;

function c<N extends string, T extends SqlType>(name: N, type: T): Column<N, T, false>;
function c<N extends string, T extends SqlType>(
  name: N,
  type: T,
  nullable: true,
): Column<N, T, true>;
function c(name: string, type: SqlType, nullable = false): Column {
  return { name, type, nullable };
}

type CellOf<T extends SqlType> = T extends 'VARCHAR'
  ? string
  : T extends 'BOOLEAN'
    ? boolean
    : number;

/** The column holds the field: same JS type, NULL allowed exactly when the field may be null. */
type Holds<V, T extends SqlType, Nullable extends boolean> = [V] extends [
  CellOf<T> | (Nullable extends true ? null : never),
]
  ? Nullable extends true
    ? null extends V
      ? true
      : false
    : true
  : false;

type Checked<R, C extends readonly Column[]> = {
  [I in keyof C]: C[I] extends Column<infer N, infer T, infer Nullable>
    ? N extends keyof R
      ? Holds<R[N], T, Nullable> extends true
        ? C[I]
        : `column ${N}: its SQL type does not hold the field`
      : `column ${N}: not a field of the row`
    : C[I];
};

type Missing<R, C extends readonly Column[]> = Exclude<keyof R & string, C[number]['name']>;

/** A table of rows R: `table<R>()(name, key, [columns])`, checked against R at compile time. */
function table<R>() {
  return <const C extends readonly Column[]>(
    name: string,
    key: readonly (keyof R & string)[],
    columns: C & Checked<R, C>,
    ..._missing: [Missing<R, C>] extends [never] ? [] : [`missing columns: ${Missing<R, C>}`]
  ): TableSpec<R> => ({ name, key, columns });
}

// ---- decisions ------------------------------------------------------------------------

interface DecisionFields {
  readonly instance_id: string;
  readonly scan_number: number;
  readonly ts: number;
  readonly profile: string;
  readonly direction: string;
  readonly vel_div: number;
  readonly universe_size: number;
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
  /** orchestrator only; null for v3-shadow and when not actuated. */
  readonly clamped_max: number | null;
  readonly capital: number;
  readonly slot_state: string;
  readonly btc_price: number | null;
  readonly btc_ma99: number | null;
  readonly regime_label: string | null;
  readonly composite_hash: string | null;
  readonly kernel_version: string;
  readonly config_hash: string;
}

/** A decision that acts: an asset was picked and sized. */
export interface ActuatedDecision extends DecisionFields {
  readonly actuated: true;
  readonly reason: 'ACTUATED';
  readonly asset: string;
  readonly strength: number;
  readonly base_leverage: number;
  readonly irp_score: number;
  readonly irp_alignment: number;
  readonly dc_status: string;
  readonly leverage: number;
  readonly fraction: number;
  readonly notional: number;
  readonly notional_fraction: number;
  readonly exchange_leverage: number;
}

export type IdleReason = 'NO_SIGNAL' | 'HIBERNATE' | 'NO_CANDIDATE';

/** A decision that does not act (no signal, hibernating, or no candidate asset). */
export interface IdleDecision extends DecisionFields {
  readonly actuated: false;
  readonly reason: IdleReason;
  readonly asset: string | null;
  readonly strength: number | null;
  readonly base_leverage: number | null;
  readonly irp_score: number | null;
  readonly irp_alignment: number | null;
  readonly dc_status: string | null;
  readonly leverage: null;
  readonly fraction: null;
  readonly notional: null;
  readonly notional_fraction: null;
  readonly exchange_leverage: null;
}

export type DecisionRow = ActuatedDecision | IdleDecision;

/** Any decision's fields, before it is known which kind it is (see `decisionRow`). */
export type DecisionDraft = {
  readonly [K in keyof DecisionRow]: DecisionRow[K];
};

/** The draft as the decision it is; throws if its fields contradict its `actuated` flag. */
export function decisionRow(d: DecisionDraft): DecisionRow {
  if (isActuated(d) || isIdle(d)) return d;
  throw new Error(
    `decision at scan ${d.scan_number}: actuated ${d.actuated} with reason ${d.reason} and incomplete sizing`,
  );
}

function isActuated(d: DecisionDraft): d is ActuatedDecision {
  return (
    d.actuated &&
    d.reason === 'ACTUATED' &&
    d.asset !== null &&
    d.strength !== null &&
    d.base_leverage !== null &&
    d.irp_score !== null &&
    d.irp_alignment !== null &&
    d.dc_status !== null &&
    d.leverage !== null &&
    d.fraction !== null &&
    d.notional !== null &&
    d.notional_fraction !== null &&
    d.exchange_leverage !== null
  );
}

function isIdle(d: DecisionDraft): d is IdleDecision {
  return (
    !d.actuated &&
    d.reason !== 'ACTUATED' &&
    d.leverage === null &&
    d.fraction === null &&
    d.notional === null &&
    d.notional_fraction === null &&
    d.exchange_leverage === null
  );
}

export const DECISIONS = table<DecisionRow>()(
  'violet_decisions',
  ['instance_id', 'scan_number'],
  [
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
);

// ---- rejects, control audit, universe -------------------------------------------------

export interface RejectRow {
  readonly instance_id: string;
  readonly source: string;
  readonly source_seq: number;
  readonly scan_number: number | null;
  readonly reason: string;
  readonly raw: string;
}

export const REJECTS = table<RejectRow>()(
  'violet_rejects',
  ['instance_id', 'source', 'source_seq'],
  [
    c('instance_id', 'VARCHAR'),
    /** The source's name (an archive's file name), so two archives never share a key. */
    c('source', 'VARCHAR'),
    /** Position of the record in its source (line number of an archive, 1-based). */
    c('source_seq', 'BIGINT'),
    c('scan_number', 'BIGINT', true),
    c('reason', 'VARCHAR'),
    c('raw', 'VARCHAR'),
  ],
);

export interface ControlAuditRow {
  readonly instance_id: string;
  readonly audit_seq: number;
  /** Wall-clock time of the change (epoch ms). */
  readonly at_ms: number;
  /** Scan number at which the change took effect. */
  readonly at_scan: number | null;
  readonly who: string;
  readonly action: string;
  readonly old_value: string;
  readonly new_value: string;
}

export const CONTROL_AUDIT = table<ControlAuditRow>()(
  'violet_control_audit',
  ['instance_id', 'audit_seq'],
  [
    c('instance_id', 'VARCHAR'),
    c('audit_seq', 'BIGINT'),
    c('at_ms', 'BIGINT'),
    c('at_scan', 'BIGINT', true),
    c('who', 'VARCHAR'),
    c('action', 'VARCHAR'),
    c('old_value', 'VARCHAR'),
    c('new_value', 'VARCHAR'),
  ],
);

/** The decision universe (non-stable symbols, scan order), a row whenever it changes. */
export interface UniverseRow {
  readonly instance_id: string;
  readonly scan_number: number;
  readonly ts: number;
  /** Space-separated symbols. */
  readonly symbols: string;
}

export const UNIVERSE = table<UniverseRow>()(
  'violet_universe',
  ['instance_id', 'scan_number'],
  [
    c('instance_id', 'VARCHAR'),
    c('scan_number', 'BIGINT'),
    c('ts', 'BIGINT'),
    c('symbols', 'VARCHAR'),
  ],
);

// ---- execution: trades, exit legs, order events ---------------------------------------

/** BLUE `dolphin.trade_events` shape (SPEC §2) plus VIOLET's accounting columns. */
export interface TradeRow {
  readonly trade_id: string;
  readonly instance_id: string;
  readonly asset: string;
  readonly side: string;
  readonly entry_scan: number;
  readonly entry_ts: number;
  readonly exit_scan: number;
  readonly exit_ts: number;
  readonly entry_price: number;
  /** VWAP of the exit legs. */
  readonly exit_price: number;
  readonly quantity: number;
  readonly capital_before: number;
  readonly capital_after: number;
  /** Conviction leverage (the decision's composed leverage). */
  readonly leverage: number;
  readonly exchange_leverage: number;
  readonly notional: number;
  readonly margin: number;
  readonly fees: number;
  readonly funding: number;
  /** Σ legs' pnl − fees + funding = capital_after − capital_before. */
  readonly pnl: number;
  readonly pnl_pct: number;
  readonly exit_reason: ExitReason;
  readonly bars_held: number;
  readonly vel_div_entry: number;
  readonly btc_price: number | null;
  readonly btc_ma99: number | null;
  readonly dvol: number | null;
  readonly regime_label: string | null;
  readonly composite_hash: string | null;
  readonly esof_score: number | null;
}

export const TRADES = table<TradeRow>()(
  'violet_trades',
  ['instance_id', 'trade_id'],
  [
    c('trade_id', 'VARCHAR'),
    c('instance_id', 'VARCHAR'),
    c('asset', 'VARCHAR'),
    c('side', 'VARCHAR'),
    c('entry_scan', 'BIGINT'),
    c('entry_ts', 'BIGINT'),
    c('exit_scan', 'BIGINT'),
    c('exit_ts', 'BIGINT'),
    c('entry_price', 'DOUBLE'),
    c('exit_price', 'DOUBLE'),
    c('quantity', 'DOUBLE'),
    c('capital_before', 'DOUBLE'),
    c('capital_after', 'DOUBLE'),
    c('leverage', 'DOUBLE'),
    c('exchange_leverage', 'INTEGER'),
    c('notional', 'DOUBLE'),
    c('margin', 'DOUBLE'),
    c('fees', 'DOUBLE'),
    c('funding', 'DOUBLE'),
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
);

export interface LegRow {
  readonly instance_id: string;
  readonly trade_id: string;
  readonly leg_no: number;
  readonly scan_number: number;
  readonly ts: number;
  readonly reason: ExitReason;
  readonly quantity: number;
  readonly price: number;
  readonly fee: number;
  readonly pnl: number;
}

export const TRADE_EXIT_LEGS = table<LegRow>()(
  'violet_trade_exit_legs',
  ['instance_id', 'trade_id', 'leg_no'],
  [
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
);

export type OrderEventKind =
  | 'ENTRY_FILLED'
  | 'ENTRY_REFUSED'
  | 'MAKER_POSTED'
  | 'MAKER_FILLED'
  | 'MAKER_CANCELLED'
  | 'MAKER_TAKER_FALLBACK'
  | 'ORDER_FAILED'
  | 'NOT_SENT_DARK'
  | 'DISARMED'
  | 'RECONCILED';

/** Entries filled, refused (with the reason), maker orders posted, filled, cancelled. */
export interface OrderEventRow {
  readonly instance_id: string;
  readonly scan_number: number;
  readonly event: OrderEventKind;
  readonly asset: string;
  readonly detail: string;
}

export const ORDER_EVENTS = table<OrderEventRow>()(
  'violet_order_events',
  ['instance_id', 'scan_number', 'event'],
  [
    c('instance_id', 'VARCHAR'),
    c('scan_number', 'BIGINT'),
    c('event', 'VARCHAR'),
    c('asset', 'VARCHAR'),
    c('detail', 'VARCHAR'),
  ],
);

/** One fill on a venue, or one funding payment, as the venue reported it (live, armed). */
export interface VenueFillRow {
  readonly instance_id: string;
  /** The venue's order id (a funding payment: the venue's id of it). */
  readonly venue_order_id: string;
  /** The fill's place among the order's fills as the venue lists them (1, 2, …; funding 0). */
  readonly fill_no: number;
  /** Ours, derived from (instance, scan, leg); null for funding. */
  readonly client_order_id: string | null;
  readonly scan_number: number;
  readonly ts: number;
  readonly asset: string;
  /** ENTRY, an exit reason (TP1, STOP_LOSS, …) or FUNDING. */
  readonly purpose: string;
  readonly side: 'sell' | 'buy' | null;
  readonly price: number | null;
  readonly quantity: number | null;
  /** Commission paid (USDT); funding: the amount received (negative: paid). */
  readonly amount: number;
  /** The scan's price the order was decided at. */
  readonly reference_price: number | null;
  /** How much worse than the reference the fill was, in basis points (negative: better). */
  readonly slippage_bps: number | null;
}

export const VENUE_FILLS = table<VenueFillRow>()(
  'violet_venue_fills',
  ['instance_id', 'venue_order_id', 'fill_no'],
  [
    c('instance_id', 'VARCHAR'),
    c('venue_order_id', 'VARCHAR'),
    c('fill_no', 'INTEGER'),
    c('client_order_id', 'VARCHAR', true),
    c('scan_number', 'BIGINT'),
    c('ts', 'BIGINT'),
    c('asset', 'VARCHAR'),
    c('purpose', 'VARCHAR'),
    c('side', 'VARCHAR', true),
    c('price', 'DOUBLE', true),
    c('quantity', 'DOUBLE', true),
    c('amount', 'DOUBLE'),
    c('reference_price', 'DOUBLE', true),
    c('slippage_bps', 'DOUBLE', true),
  ],
);

/**
 * An order as it is about to be sent to a venue (written and synced before the request
 * leaves): after a kill, what may have been filled without the fill being journaled.
 */
export interface VenueOrderRow {
  readonly instance_id: string;
  readonly client_order_id: string;
  readonly scan_number: number;
  readonly asset: string;
  readonly side: 'sell' | 'buy';
  /** ENTRY, FALLBACK or the exit reason. */
  readonly purpose: string;
  readonly quantity: number;
}

export const VENUE_ORDERS = table<VenueOrderRow>()(
  'violet_venue_orders',
  ['instance_id', 'client_order_id'],
  [
    c('instance_id', 'VARCHAR'),
    c('client_order_id', 'VARCHAR'),
    c('scan_number', 'BIGINT'),
    c('asset', 'VARCHAR'),
    c('side', 'VARCHAR'),
    c('purpose', 'VARCHAR'),
    c('quantity', 'DOUBLE'),
  ],
);

/**
 * A venue session's book after each scan while it holds a position or a resting entry, and
 * once more when it is free again (`state.position` null): what a restart on the live feed
 * takes over — the exit rules' state (TP1 taken, best return, bars held), the capital, the
 * day's starting equity — where replaying the archive is not possible.
 */
export interface PositionStateRow {
  readonly instance_id: string;
  readonly scan_number: number;
  readonly ts: number;
  /** The asset held or ordered (null: free). */
  readonly asset: string | null;
  readonly trade_id: string | null;
  /** The book as JSON (`BookState`, engine/book). */
  readonly state: string;
}

export const POSITION_STATE = table<PositionStateRow>()(
  'violet_position_state',
  ['instance_id', 'scan_number'],
  [
    c('instance_id', 'VARCHAR'),
    c('scan_number', 'BIGINT'),
    c('ts', 'BIGINT'),
    c('asset', 'VARCHAR', true),
    c('trade_id', 'VARCHAR', true),
    c('state', 'VARCHAR'),
  ],
);

export const TABLES: readonly TableSpec[] = [
  DECISIONS,
  REJECTS,
  CONTROL_AUDIT,
  UNIVERSE,
  TRADES,
  TRADE_EXIT_LEGS,
  ORDER_EVENTS,
  VENUE_FILLS,
  VENUE_ORDERS,
  POSITION_STATE,
];
