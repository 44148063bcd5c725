// Mock exchange (SPEC §4 L2, issue 4): one slot, no stacking. Market fills at the scan
// price with slippage; maker entries post at the scan price and fill when a later scan
// trades through; fees, funding at the venue's 8-hour marks, isolated margin, refusals and
// liquidation. Quantities, prices, minimums and caps are the venue's (`rules/`): the mock
// rounds and refuses as the venue will. Decisions come in; trades, legs and order events
// go out.

import { postureOf, type Scan } from '../model/index.js';
import { type ExitParams, type ExitReason, exitLegs } from './exits.js';
import type { Execution, Fills, SlotState } from './ports.js';
import type { ActuatedDecision, DecisionRow, LegRow, OrderEventKind } from './rows.js';
import { type ExecutionRules, fromUnits, type Market } from './rules/index.js';

function noFills(): Fills {
  return { trades: [], legs: [], events: [] };
}

interface Entry {
  readonly decision: ActuatedDecision;
  readonly scan: Scan;
  readonly market: Market;
  /** The quantity in the market's steps. */
  readonly units: number;
  /** Exchange leverage the order is placed at (the decision's, within the caps). */
  readonly leverage: number;
}

interface Position extends Entry {
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

interface Pending extends Entry {
  readonly limit: number;
  readonly placedIndex: number;
}

function priceOf(scan: Scan, asset: string): number | null {
  return scan.prices[scan.symbols.indexOf(asset)] ?? null;
}

export class MockExchange implements Execution {
  private position: Position | null = null;
  private pending: Pending | null = null;
  private lastExitIndex = -1;
  /** Realised capital (USDT): every closed trade's pnl is added to it. */
  capital: number;
  orders = 0;

  constructor(
    readonly instanceId: string,
    initialCapital: number,
    readonly rules: ExecutionRules,
    readonly exits: ExitParams,
  ) {
    this.capital = initialCapital;
  }

  private get x() {
    return this.rules.x;
  }

  slotState(): SlotState {
    return this.position !== null ? 'OPEN' : this.pending !== null ? 'PENDING' : 'FREE';
  }

  /** Margin of the open position (0 when flat). */
  get marginInUse(): number {
    return this.position === null ? 0 : this.position.margin;
  }

  /** Equity marked at the scan: capital plus the open position's unrealised pnl and funding. */
  equity(scan: Scan): number {
    const p = this.position;
    if (p === null) return this.capital;
    const price = priceOf(scan, p.decision.asset) ?? p.entryPrice;
    return this.capital + p.remaining * (p.entryPrice - price) - p.fees + p.funding;
  }

  private event(out: Fills, scan: Scan, event: OrderEventKind, asset: string, detail: string) {
    out.events.push({
      instance_id: this.instanceId,
      scan_number: scan.scan_number,
      event,
      asset,
      detail,
    });
  }

  private open(e: Entry, scan: Scan, index: number, price: number, feeRate: number) {
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
      fees: feeRate * notional,
      funding: 0,
      bestRet: Number.NEGATIVE_INFINITY,
      tp1Done: false,
      lastTs: scan.ts,
      legs: [],
    };
    this.orders++;
  }

  /** A leg of `units` steps at `price`: a taker fill, unless `settled` says otherwise. */
  private leg(
    p: Position,
    scan: Scan,
    reason: ExitReason,
    units: number,
    price: number,
    settled?: { fee: number; pnl: number },
  ) {
    const quantity = fromUnits(units, p.market.quantityDecimals);
    const paid = settled?.fee ?? this.x.fee_taker * quantity * price;
    p.legs.push({
      instance_id: this.instanceId,
      trade_id: p.tradeId,
      leg_no: p.legs.length + 1,
      scan_number: scan.scan_number,
      ts: scan.ts,
      reason,
      quantity,
      price,
      fee: paid,
      pnl: settled?.pnl ?? quantity * (p.entryPrice - price),
    });
    p.fees += paid;
    p.remainingUnits -= units;
    p.remaining = fromUnits(p.remainingUnits, p.market.quantityDecimals);
  }

  /** Closes the position whose last leg (for `reason`) took its remaining quantity. */
  private close(p: Position, scan: Scan, index: number, reason: ExitReason, out: Fills): void {
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
      dvol: p.scan.acb?.dvol ?? null,
      regime_label: d.regime_label,
      composite_hash: d.composite_hash,
      esof_score: d.esof_score,
    });
    out.legs.push(...p.legs);
    this.capital = capitalAfter;
    this.position = null;
    this.lastExitIndex = index;
  }

  /** Before the decision: maker fills and timeouts, funding, liquidation, exits. */
  mark(scan: Scan, index: number, exitCheck: boolean): Fills {
    const out = noFills();
    this.settlePending(scan, index, out);
    const p = this.position;
    if (p === null || p.entryIndex === index) return out;
    const price = priceOf(scan, p.decision.asset);
    if (price === null) return out;
    this.accrueFunding(p, scan, price);
    if (this.liquidate(p, scan, index, price, out)) return out;
    const ret = (p.entryPrice - price) / p.entryPrice;
    if (ret > p.bestRet) p.bestRet = ret;
    if (exitCheck) this.takeExits(p, scan, index, price, ret, out);
    return out;
  }

  /** A posted maker entry fills when the scan trades through its limit, or times out. */
  private settlePending(scan: Scan, index: number, out: Fills): void {
    const w = this.pending;
    if (w === null || index <= w.placedIndex) return;
    const asset = w.decision.asset;
    const price = priceOf(scan, asset);
    if (price !== null && price > w.limit) {
      this.pending = null;
      this.event(out, scan, 'MAKER_FILLED', asset, `limit ${w.limit}`);
      this.open(w, scan, index, w.limit, this.x.fee_maker);
      return;
    }
    const waited = index - w.placedIndex;
    if (waited < this.x.maker_timeout_scans) return;
    this.pending = null;
    if (this.x.maker_on_timeout === 'taker' && price !== null) {
      this.event(out, scan, 'MAKER_TAKER_FALLBACK', asset, `after ${waited} scans`);
      this.open(w, scan, index, this.rules.takerFill(w.market, price, 'sell'), this.x.fee_taker);
    } else {
      this.event(out, scan, 'MAKER_CANCELLED', asset, `after ${waited} scans`);
    }
  }

  /** Funding on the remaining quantity at each funding boundary crossed since the last scan. */
  private accrueFunding(p: Position, scan: Scan, price: number): void {
    if (this.rules.fundingDue(p.lastTs, scan.ts)) {
      p.funding += p.remaining * price * (scan.acb?.funding_rate ?? 0);
    }
    p.lastTs = scan.ts;
  }

  /** Liquidates (the margin left is lost) when equity falls to maintenance margin. */
  private liquidate(p: Position, scan: Scan, index: number, price: number, out: Fills): boolean {
    const marginLeft = (p.margin * p.remaining) / p.quantity;
    const underwater =
      marginLeft + p.remaining * (p.entryPrice - price) <=
      this.x.maintenance_margin_rate * p.remaining * price;
    if (!underwater) return false;
    this.leg(p, scan, 'LIQUIDATION', p.remainingUnits, this.rules.toTick(p.market, price), {
      fee: 0,
      pnl: -marginLeft,
    });
    this.close(p, scan, index, 'LIQUIDATION', out);
    return true;
  }

  /** The exit rules' legs, filled as taker with slippage; closes once nothing remains. */
  private takeExits(
    p: Position,
    scan: Scan,
    index: number,
    price: number,
    ret: number,
    out: Fills,
  ): void {
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
    if (legs.length === 0) return;
    const fill = this.rules.takerFill(p.market, price, 'buy');
    for (const l of legs) {
      const units = l.all
        ? p.remainingUnits
        : this.rules.exitUnits(p.market, l.quantity, p.remainingUnits, fill);
      this.leg(p, scan, l.reason, units, fill);
      if (l.reason === 'TP1') p.tp1Done = true;
      if (p.remainingUnits === 0) {
        this.close(p, scan, index, l.reason, out);
        return;
      }
    }
  }

  /** After the decision: an actuated decision enters when the slot is free. */
  enter(d: DecisionRow, scan: Scan, index: number): Fills {
    const out = noFills();
    if (!d.actuated || this.slotState() !== 'FREE' || index <= this.lastExitIndex) return out;
    const asset = d.asset;
    const price = priceOf(scan, asset);
    if (price === null) {
      this.event(out, scan, 'ENTRY_REFUSED', asset, 'no price for the asset in this scan');
      return out;
    }
    const notional = d.notional;
    // A haircut to nothing (sc_mult 0) decides, journaled, but is no order.
    if (!(notional > 0)) {
      this.event(out, scan, 'ENTRY_REFUSED', asset, `notional ${notional}: nothing to order`);
      return out;
    }
    const plan = this.rules.planEntry(asset, notional, d.exchange_leverage, price);
    if (!plan.ok) {
      this.event(out, scan, 'ENTRY_REFUSED', asset, plan.reason);
      return out;
    }
    const entry: Entry = {
      decision: d,
      scan,
      market: plan.market,
      units: plan.units,
      leverage: plan.leverage,
    };
    const maker = this.x.entry_order === 'maker';
    const at = maker
      ? this.rules.toTick(plan.market, price)
      : this.rules.takerFill(plan.market, price, 'sell');
    const margin = (plan.quantity * at) / plan.leverage;
    if (margin > this.capital) {
      this.event(
        out,
        scan,
        'ENTRY_REFUSED',
        asset,
        `margin ${margin} exceeds free capital ${this.capital}`,
      );
      return out;
    }
    const capped = plan.capped === '' ? '' : ` (${plan.capped})`;
    if (maker) {
      this.pending = { ...entry, limit: at, placedIndex: index };
      this.event(
        out,
        scan,
        'MAKER_POSTED',
        asset,
        `limit ${at} quantity ${plan.quantity}${capped}`,
      );
      return out;
    }
    this.open(entry, scan, index, at, this.x.fee_taker);
    this.event(
      out,
      scan,
      'ENTRY_FILLED',
      asset,
      `taker at ${at} quantity ${plan.quantity}${capped}`,
    );
    return out;
  }
}
