// Mock exchange (SPEC §4 L2, issue 4): one slot, no stacking. Market fills at the scan
// price with slippage; maker entries post at the scan price and fill when a later scan
// trades through; fees, funding at the venue's 8-hour marks, isolated margin, refusals and
// liquidation. Quantities, prices, minimums and caps are the venue's (`rules/`): the mock
// rounds and refuses as the venue will. Decisions come in; trades, legs and order events
// go out.

import type { Scan } from '../model/index.js';
import {
  BookedExecution,
  type Entry,
  type ExitLeg,
  noFills,
  type Position,
  priceOf,
} from './book.js';
import type { Execution, Fills, SlotState } from './ports.js';
import type { DecisionRow } from './rows.js';
import { fromUnits } from './rules/index.js';

interface Pending extends Entry {
  readonly limit: number;
  readonly placedIndex: number;
}

export class MockExchange extends BookedExecution implements Execution {
  private pending: Pending | null = null;

  slotState(): SlotState {
    return this.book.position !== null ? 'OPEN' : this.pending !== null ? 'PENDING' : 'FREE';
  }

  /** Margin of the open position (0 when flat). */
  get marginInUse(): number {
    return this.book.position?.margin ?? 0;
  }

  private open(e: Entry, scan: Scan, index: number, price: number, feeRate: number) {
    const quantity = fromUnits(e.units, e.market.quantityDecimals);
    this.book.open(e, scan, index, price, this.rules.fee(quantity, price, feeRate));
  }

  /** Before the decision: maker fills and timeouts, funding, liquidation, exits. */
  mark(scan: Scan, index: number, exitCheck: boolean): Fills {
    const out = noFills();
    if (this.book.checkDailyLoss(scan)) {
      this.event(out, scan, 'DISARMED', '', this.book.disarmed ?? '');
    }
    this.settlePending(scan, index, out);
    const p = this.book.position;
    if (p === null || p.entryIndex === index) return out;
    const price = priceOf(scan, p.decision.asset);
    if (price === null) return out;
    this.accrueFunding(p, scan, price);
    if (this.liquidate(p, scan, index, price, out)) return out;
    const ret = this.book.markReturn(p, price);
    const flatten = this.book.flattenLegs(p);
    if (flatten.length > 0) this.fillExits(p, scan, index, price, flatten, out);
    else if (exitCheck) this.takeExits(p, scan, index, price, ret, out);
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
    const disarmed = this.book.disarmed !== null;
    if (waited < this.x.maker_timeout_scans && !disarmed) return;
    this.pending = null;
    if (this.x.maker_on_timeout === 'taker' && price !== null && !disarmed) {
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
    if (!this.book.underwater(p, price)) return false;
    const lost = this.book.marginLeft(p);
    const at = this.rules.toTick(p.market, price);
    this.book.leg(p, scan, 'LIQUIDATION', p.remainingUnits, at, 0, -lost);
    this.book.close(p, scan, index, 'LIQUIDATION', out);
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
    const fill = this.rules.takerFill(p.market, price, 'buy');
    this.fillExits(p, scan, index, price, this.book.exitLegs(p, scan, index, ret, fill), out);
  }

  /** Exit legs filled as taker with slippage; the position closes once nothing remains. */
  private fillExits(
    p: Position,
    scan: Scan,
    index: number,
    price: number,
    legs: readonly ExitLeg[],
    out: Fills,
  ): void {
    const fill = this.rules.takerFill(p.market, price, 'buy');
    for (const l of legs) {
      const quantity = fromUnits(l.units, p.market.quantityDecimals);
      this.book.leg(
        p,
        scan,
        l.reason,
        l.units,
        fill,
        this.rules.fee(quantity, fill, this.x.fee_taker),
      );
      if (p.remainingUnits === 0) {
        this.book.close(p, scan, index, l.reason, out);
        return;
      }
    }
  }

  /** After the decision: an actuated decision enters when the slot is free. */
  enter(d: DecisionRow, scan: Scan, index: number): Fills {
    const out = noFills();
    const o = this.book.entryOrder(d, scan, index, this.pending !== null);
    if (o === null) return out;
    if (!o.ok) {
      this.event(out, scan, 'ENTRY_REFUSED', o.asset, o.reason);
      return out;
    }
    const asset = o.entry.decision.asset;
    if (this.x.entry_order === 'maker') {
      this.pending = { ...o.entry, limit: o.at, placedIndex: index };
      this.event(out, scan, 'MAKER_POSTED', asset, o.detail);
      return out;
    }
    this.open(o.entry, scan, index, o.at, this.x.fee_taker);
    this.event(out, scan, 'ENTRY_FILLED', asset, o.detail);
    return out;
  }
}
