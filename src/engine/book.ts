// The slot's book (SPEC §4 L2, §8): one position, its legs, fees and funding, and the trade
// row it becomes. The mock exchange and a venue both keep their position here, so a trade
// is computed one way whoever filled it: the mock from the scan's price, a venue from its
// fills.
import { postureOf, type Scan } from '../model/index.js';
import { type ExitParams, type ExitReason, exitLegs } from './exits.js';
import type { ArmingAction, ArmingChange, Fills } from './ports.js';
import type { ActuatedDecision, DecisionRow, LegRow, OrderEventKind } from './rows.js';
import { type ExecutionRules, fromUnits, type Market } from './rules/index.js';

export function noFills(): Fills {
  return { trades: [], legs: [], events: [], venueFills: [] };
}

export function priceOf(scan: Scan, asset: string): number | null {
  return scan.prices[scan.symbols.indexOf(asset)] ?? null;
}

/** An entry as it is ordered: the decision, its market, quantity and exchange leverage. */
export interface Entry {
  readonly decision: ActuatedDecision;
  /** The deciding scan's DVOL (the trade row records it). */
  readonly dvol: number | null;
  readonly market: Market;
  /** The quantity in the market's steps. */
  readonly units: number;
  /** Exchange leverage the order is placed at (the decision's, within the caps). */
  readonly leverage: number;
}

export interface Position extends Entry {
  readonly tradeId: string;
  readonly entryScan: number;
  readonly entryIndex: number;
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly quantity: number;
  readonly notional: number;
  readonly margin: number;
  readonly capitalBefore: number;
  remainingUnits: number;
  remaining: number;
  fees: number;
  funding: number;
  bestRet: number;
  tp1Done: boolean;
  lastTs: number;
  legs: LegRow[];
}

/** An entry ready to order at `at` (the limit, or the expected taker fill), or why not. */
export type EntryOrder =
  | { readonly ok: true; readonly entry: Entry; readonly at: number; readonly detail: string }
  | { readonly ok: false; readonly asset: string; readonly reason: string };

/** An exit leg to fill: its reason and quantity in steps. */
export interface ExitLeg {
  readonly reason: ExitReason;
  readonly units: number;
}

/**
 * The book as a restart on the live feed takes it over (journaled as JSON beside each scan
 * of a venue session, `violet_position_state`): bars are counted back from that scan, the
 * market named by its scan symbol. Infinite numbers are null (JSON has none).
 */
export interface BookState {
  readonly capital: number;
  readonly day: number | null;
  readonly day_start_equity: number;
  readonly position: PositionState | null;
}

export interface PositionState {
  readonly decision: ActuatedDecision;
  readonly dvol: number | null;
  readonly symbol: string;
  readonly units: number;
  readonly leverage: number;
  readonly trade_id: string;
  readonly entry_scan: number;
  /** Accepted scans since the entry, at the scan the state was taken. */
  readonly bars_held: number;
  readonly entry_ts: number;
  readonly entry_price: number;
  readonly quantity: number;
  readonly notional: number;
  readonly margin: number;
  readonly capital_before: number;
  readonly remaining_units: number;
  readonly fees: number;
  readonly funding: number;
  /** Null before the first mark (minus infinity in the book). */
  readonly best_ret: number | null;
  readonly tp1_done: boolean;
  readonly last_ts: number;
  readonly legs: readonly LegRow[];
}

export class PositionBook {
  position: Position | null = null;
  /** The accepted-scan index of the last close: no entry on the scan an exit happened. */
  lastExitIndex = -1;
  /** Realised capital (USDT): every closed trade's pnl is added to it. */
  capital: number;
  orders = 0;
  /** Why entries stopped (a cap breached), or null while armed. */
  disarmed: string | null = null;
  /** The position is to be closed at the next scan with its price, for this reason. */
  flatten: ExitReason | null = null;
  private day = Number.NaN;
  private dayStartEquity = 0;
  /** Scan times of the entries ordered in the last minute. */
  private recentEntries: number[] = [];

  constructor(
    readonly instanceId: string,
    initialCapital: number,
    readonly rules: ExecutionRules,
    readonly exits: ExitParams,
  ) {
    this.capital = initialCapital;
  }

  /** The book after the scan of accepted index `index`. */
  state(index: number): BookState {
    const p = this.position;
    return {
      capital: this.capital,
      day: Number.isNaN(this.day) ? null : this.day,
      day_start_equity: this.dayStartEquity,
      position:
        p === null
          ? null
          : {
              decision: p.decision,
              dvol: p.dvol,
              symbol: p.market.symbol,
              units: p.units,
              leverage: p.leverage,
              trade_id: p.tradeId,
              entry_scan: p.entryScan,
              bars_held: index - p.entryIndex,
              entry_ts: p.entryTs,
              entry_price: p.entryPrice,
              quantity: p.quantity,
              notional: p.notional,
              margin: p.margin,
              capital_before: p.capitalBefore,
              remaining_units: p.remainingUnits,
              fees: p.fees,
              funding: p.funding,
              best_ret: Number.isFinite(p.bestRet) ? p.bestRet : null,
              tp1_done: p.tp1Done,
              last_ts: p.lastTs,
              legs: p.legs,
            },
    };
  }

  /**
   * Takes over a journaled state, `index` being the accepted index its scan would have had
   * in this run (the scan just before this run's first): bars held go on counting from it.
   */
  restore(s: BookState, index: number): void {
    this.capital = s.capital;
    this.day = s.day ?? Number.NaN;
    this.dayStartEquity = s.day_start_equity;
    const q = s.position;
    if (q === null) {
      this.position = null;
      return;
    }
    const market = this.rules.markets.bySymbol(q.symbol);
    if (market === null) throw new Error(`the journaled position's market ${q.symbol} is unknown`);
    this.position = {
      decision: q.decision,
      dvol: q.dvol,
      market,
      units: q.units,
      leverage: q.leverage,
      tradeId: q.trade_id,
      entryScan: q.entry_scan,
      entryIndex: index - q.bars_held,
      entryTs: q.entry_ts,
      entryPrice: q.entry_price,
      quantity: q.quantity,
      notional: q.notional,
      margin: q.margin,
      capitalBefore: q.capital_before,
      remainingUnits: q.remaining_units,
      remaining: fromUnits(q.remaining_units, market.quantityDecimals),
      fees: q.fees,
      funding: q.funding,
      bestRet: q.best_ret ?? Number.NEGATIVE_INFINITY,
      tp1Done: q.tp1_done,
      lastTs: q.last_ts,
      legs: [...q.legs],
    };
  }

  /** Equity marked at the scan: capital plus the open position's unrealised pnl and funding. */
  equity(scan: Scan): number {
    const p = this.position;
    if (p === null) return this.capital;
    const price = priceOf(scan, p.decision.asset) ?? p.entryPrice;
    return this.capital + p.remaining * (p.entryPrice - price) - p.fees + p.funding;
  }

  /**
   * The daily loss limit at this scan (the loss since the UTC day's first scan, realised and
   * marked): a breach disarms and asks for the position to be flattened. True on the breach.
   */
  checkDailyLoss(scan: Scan): boolean {
    const limit = this.rules.caps.daily_loss_limit;
    if (limit === null) return false;
    const equity = this.equity(scan);
    const day = Math.floor(scan.ts / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.dayStartEquity = equity;
    }
    if (this.disarmed !== null) return false;
    const lost = this.dayStartEquity - equity;
    if (!(lost >= limit)) return false;
    this.disarmed = `daily loss limit: ${lost} USDT lost since the UTC day began (limit ${limit})`;
    if (this.position !== null) this.flatten = 'DAILY_LOSS_LIMIT';
    return true;
  }

  /** The legs that flatten the position (the daily loss limit, an operator); empty: none. */
  flattenLegs(p: Position): ExitLeg[] {
    const reason = this.flatten;
    if (reason === null) return [];
    this.flatten = null;
    return [{ reason, units: p.remainingUnits }];
  }

  /** An operator's arm, disarm or flatten (flatten disarms too). */
  arming(action: ArmingAction, who: string): ArmingChange {
    const old = this.disarmed === null ? 'ARMED' : 'DISARMED';
    if (action === 'arm') this.disarmed = null;
    else if (this.disarmed === null)
      this.disarmed = `${action === 'flatten' ? 'flattened' : 'disarmed'} by ${who}`;
    const flattening = action === 'flatten' && this.position !== null;
    if (flattening) this.flatten = 'FLATTENED';
    return { old, next: this.disarmed === null ? 'ARMED' : 'DISARMED', flattening };
  }

  /**
   * What an actuated decision orders on a free slot (null: nothing to decide — not actuated,
   * slot taken, or an exit on this scan): the venue's quantity and leverage within the caps,
   * refused below the minimums or beyond the free capital.
   */
  entryOrder(d: DecisionRow, scan: Scan, index: number, busy: boolean): EntryOrder | null {
    if (!d.actuated || busy || this.position !== null || index <= this.lastExitIndex) return null;
    const asset = d.asset;
    const refuse = (reason: string): EntryOrder => ({ ok: false, asset, reason });
    if (this.disarmed !== null) return refuse(`disarmed: ${this.disarmed}`);
    const perMinute = this.rules.caps.max_orders_per_minute;
    if (perMinute !== null) {
      this.recentEntries = this.recentEntries.filter((t) => t > scan.ts - 60_000);
      if (this.recentEntries.length >= perMinute) {
        this.disarmed = `orders per minute: ${perMinute} entries in the last 60 s already (the cap)`;
        return refuse(`disarmed: ${this.disarmed}`);
      }
    }
    const price = priceOf(scan, asset);
    if (price === null) return refuse('no price for the asset in this scan');
    const notional = d.notional;
    // A haircut to nothing (sc_mult 0) decides, journaled, but is no order.
    if (!(notional > 0)) return refuse(`notional ${notional}: nothing to order`);
    const plan = this.rules.planEntry(asset, notional, d.exchange_leverage, price);
    if (!plan.ok) return refuse(plan.reason);
    const maker = this.rules.x.entry_order === 'maker';
    const at = maker
      ? this.rules.toTick(plan.market, price)
      : this.rules.takerFill(plan.market, price, 'sell');
    const margin = (plan.quantity * at) / plan.leverage;
    if (margin > this.capital)
      return refuse(`margin ${margin} exceeds free capital ${this.capital}`);
    const entry = {
      decision: d,
      dvol: scan.acb?.dvol ?? null,
      market: plan.market,
      units: plan.units,
      leverage: plan.leverage,
    };
    if (perMinute !== null) this.recentEntries.push(scan.ts);
    const capped = plan.capped === '' ? '' : ` (${plan.capped})`;
    return {
      ok: true,
      entry,
      at,
      detail: `${maker ? 'limit' : 'taker at'} ${at} quantity ${plan.quantity}${capped}`,
    };
  }

  /** The entry filled at `price`, paying `fee` (USDT). */
  open(e: Entry, scan: Scan, index: number, price: number, fee: number) {
    const quantity = fromUnits(e.units, e.market.quantityDecimals);
    const notional = price * quantity;
    this.position = {
      ...e,
      // Deterministic and sortable: the instance and the deciding scan.
      tradeId: `${this.instanceId}-${String(e.decision.scan_number).padStart(12, '0')}`,
      entryScan: scan.scan_number,
      entryIndex: index,
      entryTs: scan.ts,
      entryPrice: price,
      quantity,
      notional,
      margin: notional / e.leverage,
      capitalBefore: this.capital,
      remainingUnits: e.units,
      remaining: quantity,
      fees: fee,
      funding: 0,
      bestRet: Number.NEGATIVE_INFINITY,
      tp1Done: false,
      lastTs: scan.ts,
      legs: [],
    };
    this.orders++;
  }

  /** The position's return at `price` (a short gains when it falls); tracks the best. */
  markReturn(p: Position, price: number): number {
    const ret = (p.entryPrice - price) / p.entryPrice;
    if (ret > p.bestRet) p.bestRet = ret;
    return ret;
  }

  /** Equity at `price` is down to the maintenance margin: the venue liquidates. */
  underwater(p: Position, price: number): boolean {
    const marginLeft = (p.margin * p.remaining) / p.quantity;
    return (
      marginLeft + p.remaining * (p.entryPrice - price) <=
      this.rules.x.maintenance_margin_rate * p.remaining * price
    );
  }

  /** The margin a liquidation loses: what is left of it on the remaining quantity. */
  marginLeft(p: Position): number {
    return (p.margin * p.remaining) / p.quantity;
  }

  /**
   * The exit rules' legs at this scan, in steps, as they will fill one after the other at
   * `fill` (the price the minimum checks use).
   */
  exitLegs(p: Position, scan: Scan, index: number, ret: number, fill: number): ExitLeg[] {
    const legs = exitLegs(
      {
        ret,
        bestRet: p.bestRet,
        tp1Done: p.tp1Done,
        barsHeld: index - p.entryIndex,
        quantity: p.quantity,
        remaining: p.remaining,
      },
      postureOf(scan),
      scan.vel_div,
      this.exits,
    );
    const out: ExitLeg[] = [];
    let left = p.remainingUnits;
    for (const l of legs) {
      const units = l.all ? left : this.rules.exitUnits(p.market, l.quantity, left, fill);
      out.push({ reason: l.reason, units });
      left -= units;
      if (left === 0) break;
    }
    return out;
  }

  /** A leg of `units` steps filled at `price`, paying `fee`; `pnl` when settled otherwise. */
  leg(
    p: Position,
    scan: Scan,
    reason: ExitReason,
    units: number,
    price: number,
    fee: number,
    pnl?: number,
  ) {
    const quantity = fromUnits(units, p.market.quantityDecimals);
    p.legs.push({
      instance_id: this.instanceId,
      trade_id: p.tradeId,
      leg_no: p.legs.length + 1,
      scan_number: scan.scan_number,
      ts: scan.ts,
      reason,
      quantity,
      price,
      fee,
      pnl: pnl ?? quantity * (p.entryPrice - price),
    });
    p.fees += fee;
    p.remainingUnits -= units;
    p.remaining = fromUnits(p.remainingUnits, p.market.quantityDecimals);
    if (reason === 'TP1') p.tp1Done = true;
  }

  /** Closes the position whose last leg (for `reason`) took its remaining quantity. */
  close(p: Position, scan: Scan, index: number, reason: ExitReason, out: Fills): void {
    let legPnl = 0;
    let qty = 0;
    let value = 0;
    // One price for every leg is the exit price as filled; several are averaged by quantity.
    let price: number | null = p.legs[0]?.price ?? null;
    for (const l of p.legs) {
      legPnl += l.pnl;
      qty += l.quantity;
      value += l.quantity * l.price;
      if (l.price !== price) price = null;
    }
    const pnl = legPnl - p.fees + p.funding;
    const d = p.decision;
    const capitalAfter = p.capitalBefore + pnl;
    out.trades.push({
      trade_id: p.tradeId,
      instance_id: this.instanceId,
      asset: d.asset,
      side: d.direction,
      entry_scan: p.entryScan,
      entry_ts: p.entryTs,
      exit_scan: scan.scan_number,
      exit_ts: scan.ts,
      entry_price: p.entryPrice,
      exit_price: price ?? value / qty,
      quantity: p.quantity,
      capital_before: p.capitalBefore,
      capital_after: capitalAfter,
      leverage: d.leverage,
      exchange_leverage: p.leverage,
      notional: p.notional,
      margin: p.margin,
      fees: p.fees,
      funding: p.funding,
      pnl,
      pnl_pct: pnl / p.capitalBefore,
      exit_reason: reason,
      bars_held: index - p.entryIndex,
      vel_div_entry: d.vel_div,
      btc_price: d.btc_price,
      btc_ma99: d.btc_ma99,
      dvol: p.dvol,
      regime_label: d.regime_label,
      composite_hash: d.composite_hash,
      esof_score: d.esof_score,
    });
    out.legs.push(...p.legs);
    this.capital = capitalAfter;
    this.position = null;
    this.lastExitIndex = index;
  }
}

/**
 * What every execution on the book shares (the mock exchange, a venue, DARK): its capital,
 * orders and equity are the book's, its events rows of this instance.
 */
export abstract class BookedExecution {
  protected readonly book: PositionBook;

  constructor(
    readonly instanceId: string,
    initialCapital: number,
    readonly rules: ExecutionRules,
    exits: ExitParams,
  ) {
    this.book = new PositionBook(instanceId, initialCapital, rules, exits);
  }

  protected get x() {
    return this.rules.x;
  }

  /** Realised capital (USDT): every closed trade's pnl is added to it. */
  get capital(): number {
    return this.book.capital;
  }

  get orders(): number {
    return this.book.orders;
  }

  /** Equity marked at the scan: capital plus the open position's unrealised pnl and funding. */
  equity(scan: Scan): number {
    return this.book.equity(scan);
  }

  protected event(out: Fills, scan: Scan, event: OrderEventKind, asset: string, detail: string) {
    out.events.push({
      instance_id: this.instanceId,
      scan_number: scan.scan_number,
      event,
      asset,
      detail,
    });
  }
}
