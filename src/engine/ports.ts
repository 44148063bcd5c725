// The engine's interfaces (issue 13 §3): what the reactor needs from a scan source, a journal
// and an execution venue. Adapters implement them (sources/, journal/, the mock exchange
// here, a venue tomorrow); the reactor depends on nothing else of theirs.

import type { Planes, Result, Scan } from '../model/index.js';
import type { CadenceValue } from './cadence.js';
import type {
  DecisionRow,
  LegRow,
  OrderEventRow,
  PositionStateRow,
  TableSpec,
  TradeRow,
  VenueFillRow,
  VenueOrderRow,
} from './rows.js';
import type { Market } from './rules/index.js';

// ---- scans in -------------------------------------------------------------------------

export interface SourceRecord {
  /** Position in the source (1-based line number for an archive, stream sequence live). */
  readonly seq: number;
  /**
   * The record as received. A source that hands records over `parsed` may leave it empty
   * only for an accepted scan numbered above every scan before it in the source (one the
   * engine cannot refuse, so it never stores the text).
   */
  readonly text: string;
  /** A live feed delivering this record again (after a restart or a lost ack). */
  readonly redelivered?: boolean;
  /** Already parsed and checked by the source (`parseScanLine`'s result), e.g. off-thread. */
  readonly parsed?: Result<Scan>;
  /** Characters of the record in its source, line end included (default: text + 1). */
  readonly size?: number;
}

export interface ScanSource {
  readonly name: string;
  /** Total size in bytes when known (for progress). */
  readonly bytes: number | null;
  /** Records in order, in batches. */
  batches(): AsyncIterable<readonly SourceRecord[]>;
  /**
   * Called once a batch's rows are in the spool (synced): a live source acknowledges the
   * batch here, so a crash can only redeliver, never lose.
   */
  commit?(batch: readonly SourceRecord[]): Promise<void>;
  /** The latest plane values (a live feed): they fill what a scan lacks (engine/planes). */
  planes?(): Planes;
  /**
   * A live feed's cadence plane: `apply` gets the instance's stored cadence, then each
   * change (resolves once the stored one is applied).
   */
  watchCadence?(apply: (value: CadenceValue, who: string) => void): Promise<void>;
  /** Milliseconds since each plane was written (null: none), for status. */
  planeAges?(): Readonly<Record<string, number | null>>;
  /**
   * Up to `count` records just before where `batches()` resumes, oldest first: a live feed
   * restarting hands them over so the market state (price history) continues unbroken.
   * They were decided by an earlier run and are not decided again.
   */
  warmup?(count: number): Promise<readonly SourceRecord[]>;
}

// ---- rows out -------------------------------------------------------------------------

/** Where the engine's rows go: durable at `sync`, in the database after a flush. */
export interface Journal {
  /** Only a row of the table's own type compiles. */
  write<R extends object>(table: TableSpec<R>, row: NoInfer<R>): void;
  /** Makes the rows written so far survive a process kill. */
  sync(): void;
  /** Starts a flush to the database; `onDone` gets whether it succeeded. */
  flushInBackground(onDone: (ok: boolean) => void): void;
  /** Flushes everything written so far; false if the database failed. */
  flush(): Promise<boolean>;
  /** Rows written and not yet in the database. */
  readonly pending: number;
  /** The last database error, cleared by a successful flush. */
  readonly lastError: string | null;
  /** A row the database refused for good: the run must stop with this error. */
  readonly conflict: Error | null;
}

// ---- orders out -----------------------------------------------------------------------

export type SlotState = 'FREE' | 'PENDING' | 'OPEN';

/** What an execution step produced, each kind to its table. */
export interface Fills {
  trades: TradeRow[];
  legs: LegRow[];
  events: OrderEventRow[];
  /** A venue's fills and funding as it reported them (none from the mock). */
  venueFills: VenueFillRow[];
}

/** Where decisions become orders: the mock exchange in a backtest, a venue live. */
export interface Execution {
  /** Realised capital the next decision sizes against. */
  readonly capital: number;
  /** Orders filled so far. */
  readonly orders: number;
  slotState(): SlotState;
  /**
   * Before the decision on scan number `index` (accepted scans, from 1): pending orders,
   * funding, liquidation and, when `exitCheck`, exits of the open position.
   */
  mark(scan: Scan, index: number, exitCheck: boolean): Fills;
  /** After the decision: an actuated decision enters when the slot is free. */
  enter(decision: DecisionRow, scan: Scan, index: number): Fills;
  /**
   * An operator's arm, disarm or flatten (flatten also disarms): the state before and after,
   * or a reason it cannot be done. Absent: the execution takes no such command.
   */
  arming?(action: ArmingAction, who: string): ArmingChange | string;
}

export const ARMING_ACTIONS = ['arm', 'disarm', 'flatten'] as const;
export type ArmingAction = (typeof ARMING_ACTIONS)[number];

/** `ARMED` or `DISARMED` before and after an arming command. */
export interface ArmingChange {
  readonly old: 'ARMED' | 'DISARMED';
  readonly next: 'ARMED' | 'DISARMED';
  /** A flatten that found a position to close (at the next scan with its price). */
  readonly flattening: boolean;
}

/**
 * An execution whose orders go over the network: `mark` and `enter` queue them, `settle`
 * sends what is queued and hands back what it filled. The reactor settles after the marks
 * and after the entry, before the next step, so a venue fills in the order the mock does.
 */
export interface VenueExecution extends Execution {
  settle(): Promise<Fills>;
  /** Where each order goes, durably, just before it is sent (the reactor's journal). */
  onSend(sink: (order: VenueOrderRow) => void): void;
  /** Asks for the venue's position to be checked against the book at the next scan. */
  reconcileSoon(): void;
  /** The state to journal after the scan (null: nothing changed while free). */
  stateRow(scan: Scan, index: number): PositionStateRow | null;
  /** A scan the session whose state was taken over decided already (a redelivery). */
  decided(scan: Scan): boolean;
}

/** Whether the execution's orders go over the network (and must be settled). */
export function settles(x: Execution): x is VenueExecution {
  return typeof (x as Partial<VenueExecution>).settle === 'function';
}

// ---- a venue ------------------------------------------------------------------------

/** One order as the engine places it; the client id makes a retry or a restart idempotent. */
export interface VenueOrder {
  readonly clientId: string;
  readonly market: Market;
  readonly side: 'sell' | 'buy';
  /**
   * `post-only`: a limit that rests (refused if it would take), at `price`; `stop`: a market
   * order the venue sends once its price reaches `price` (the protective stop).
   */
  readonly kind: 'market' | 'post-only' | 'stop';
  /** Quantity in the market's steps. */
  readonly units: number;
  readonly price?: number;
  readonly reduceOnly: boolean;
}

/** One fill of an order, as the venue reports it. */
export interface VenueFill {
  readonly price: number;
  /** Quantity in the market's steps. */
  readonly units: number;
  /** Commission paid, USDT (positive). */
  readonly fee: number;
}

export interface VenueOrderReport {
  readonly orderId: string;
  readonly clientId: string;
  /** `open`: resting or partly filled; `closed`: filled whole; `canceled`: with what filled. */
  readonly status: 'open' | 'closed' | 'canceled';
  readonly fills: readonly VenueFill[];
}

/** A funding payment on a position: positive is received. */
export interface VenueFunding {
  readonly id: string;
  readonly ts: number;
  readonly amount: number;
}

/** What the engine needs of a venue; an adapter retries what is safe to retry itself. */
export interface Venue {
  /** Isolated margin and the leverage on the market, before an entry. */
  prepare(market: Market, leverage: number): Promise<void>;
  /** Places the order, or finds it placed already; a market order's report is final. */
  place(order: VenueOrder): Promise<VenueOrderReport>;
  /** The order by its client id (null: the venue has none). */
  order(market: Market, clientId: string): Promise<VenueOrderReport | null>;
  /** Cancels a resting order; the report says what had filled before. */
  cancel(market: Market, clientId: string): Promise<VenueOrderReport>;
  /** Cancels an order by the venue's own id (one this engine did not place). */
  cancelById(market: Market, orderId: string): Promise<void>;
  /** Funding paid on the market at or after `since` (ms). */
  funding(market: Market, since: number): Promise<readonly VenueFunding[]>;
  /** The short quantity the account holds on the market now (0: none). */
  shortQuantity(market: Market): Promise<number>;
  /**
   * The dead-man's switch: the venue cancels every open order unless called again within
   * `timeoutMs` (0: switched off).
   */
  deadman(timeoutMs: number): Promise<void>;
}
