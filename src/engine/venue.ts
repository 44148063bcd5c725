// Execution on a venue (SPEC §8, issue 14): the mock exchange's decisions — entry planning,
// exit rules, the maker policy, funding — with the venue's fills in place of the scan's
// price. The slot's book is the mock's (`book.ts`), so a trade is computed the same way; only
// where its prices, quantities, fees and funding come from differs.
import { createHash } from 'node:crypto';
import type { Scan } from '../model/index.js';
import {
  BookedExecution,
  type BookState,
  type Entry,
  noFills,
  type Position,
  priceOf,
} from './book.js';
import type { ExitParams } from './exits.js';
import type {
  ArmingAction,
  ArmingChange,
  Execution,
  Fills,
  SlotState,
  Venue,
  VenueExecution,
  VenueFill,
  VenueOrder,
  VenueOrderReport,
} from './ports.js';
import type { ActuatedDecision, DecisionRow, PositionStateRow, VenueOrderRow } from './rows.js';
import { type ExecutionRules, fromUnits, type Market } from './rules/index.js';

/**
 * The client order id of a leg: a hash of (instance, scan, leg), so the same decision on a
 * retry or after a restart names the same order and the venue refuses a second one.
 */
export function clientOrderId(instance: string, scan: number, leg: string): string {
  const h = createHash('sha256').update(`${instance}\u0000${scan}\u0000${leg}`).digest('hex');
  return `vt${h.slice(0, 30)}`;
}

interface Resting extends Entry {
  readonly limit: number;
  readonly placedIndex: number;
  readonly clientId: string;
}

/** The resting entry as journaled with the book: its wait counted back from that scan. */
interface RestingState {
  readonly decision: ActuatedDecision;
  readonly dvol: number | null;
  readonly symbol: string;
  readonly units: number;
  readonly leverage: number;
  readonly limit: number;
  readonly waited: number;
  readonly client_id: string;
}

/** A venue session's state after a scan (`violet_position_state.state`). */
export interface VenueState extends BookState {
  readonly resting: RestingState | null;
  /** Funding payments already counted, by the venue's id. */
  readonly funded: readonly string[];
  /** The protective stop's client id, and how many of its fills were booked. */
  readonly stop: string | null;
  readonly stop_fills: number;
}

/**
 * What an armed start found on the venue that the journal does not account for, to clear
 * (the `unknown: flatten` policy): a position closed reduce-only, an order cancelled.
 */
export type Stray =
  | {
      readonly kind: 'position';
      readonly market: Market;
      readonly side: 'short' | 'long';
      readonly units: number;
    }
  | { readonly kind: 'order'; readonly market: Market; readonly orderId: string };

/** Queued between `mark`/`enter` and `settle`, in the order the mock would act. */
type Op =
  | { readonly kind: 'stray'; readonly scan: Scan; readonly strays: readonly Stray[] }
  | { readonly kind: 'protect'; readonly scan: Scan }
  | { readonly kind: 'maker'; readonly scan: Scan; readonly index: number }
  | { readonly kind: 'reconcile'; readonly scan: Scan; readonly index: number }
  | { readonly kind: 'funding'; readonly p: Position; readonly scan: Scan }
  | {
      readonly kind: 'exit';
      readonly p: Position;
      readonly scan: Scan;
      readonly index: number;
      readonly legs: readonly {
        readonly reason: Position['legs'][number]['reason'];
        readonly units: number;
      }[];
    }
  | {
      readonly kind: 'entry';
      readonly entry: Entry;
      readonly scan: Scan;
      readonly index: number;
      readonly at: number;
      readonly detail: string;
    };

/** Fills of one order: the quantity in steps, the price (one price, or their average), fees. */
function sumFills(fills: readonly VenueFill[]): {
  units: number;
  fee: number;
  value: number;
  price: number | null;
} {
  let units = 0;
  let fee = 0;
  let value = 0;
  let price: number | null = fills[0]?.price ?? null;
  for (const f of fills) {
    units += f.units;
    fee += f.fee;
    value += f.units * f.price;
    if (f.price !== price) price = null;
  }
  return { units, fee, value, price };
}

export interface VenueExecutorOptions {
  /**
   * The protective stop (SPEC §8): a reduce-only stop this fraction above the entry price,
   * resting on the venue while a position is open, so a killed engine leaves none
   * unprotected (beyond the exit rules' own stop loss, which acts first). Absent: none.
   */
  readonly protectiveStop?: number | null;
  /**
   * The dead-man's switch while a maker entry rests: the venue cancels it unless renewed
   * within this time (switched off once the entry is done, so it never cancels the stop).
   */
  readonly deadmanMs?: number | null;
}

export class VenueExecutor extends BookedExecution implements VenueExecution {
  private resting: Resting | null = null;
  private queue: Op[] = [];
  private sendSink: (order: VenueOrderRow) => void = () => {};
  private reconcileDue = false;
  /** Funding payments already counted, by the venue's id. */
  private readonly funded = new Set<string>();
  /** The last state journaled held a position or a resting entry. */
  private busy = false;
  /** A journaled state to take over at the first scan after its own (`restore`). */
  private restoring: { state: VenueState; through: number } | null = null;
  /** Scans up to this one were decided by the run whose state was taken over. */
  private decidedThrough = Number.NEGATIVE_INFINITY;
  /** Holdings to clear at the first scan (`clearAtStart`). */
  private strays: readonly Stray[] = [];

  /** The protective stop resting on the venue for the open position (its client id). */
  private stop: string | null = null;
  /** Fills of the protective stop already booked as legs. */
  private stopFillsBooked = 0;

  constructor(
    instanceId: string,
    initialCapital: number,
    rules: ExecutionRules,
    exits: ExitParams,
    private readonly venue: Venue,
    private readonly o: VenueExecutorOptions = {},
  ) {
    super(instanceId, initialCapital, rules, exits);
  }

  slotState(): SlotState {
    return this.book.position !== null ? 'OPEN' : this.resting !== null ? 'PENDING' : 'FREE';
  }

  /** The report's fills as journal rows, slippage against the scan's price of the asset. */
  private journalFills(
    out: Fills,
    scan: Scan,
    asset: string,
    purpose: string,
    side: 'sell' | 'buy',
    r: VenueOrderReport,
    m: Entry['market'],
  ) {
    const ref = priceOf(scan, asset);
    for (const [k, f] of r.fills.entries()) {
      const worse = ref === null ? null : side === 'sell' ? ref - f.price : f.price - ref;
      out.venueFills.push({
        instance_id: this.instanceId,
        venue_order_id: r.orderId,
        fill_no: k + 1,
        client_order_id: r.clientId,
        scan_number: scan.scan_number,
        ts: scan.ts,
        asset,
        purpose,
        side,
        price: f.price,
        quantity: fromUnits(f.units, m.quantityDecimals),
        amount: f.fee,
        reference_price: ref,
        slippage_bps: ref === null || worse === null ? null : (worse / ref) * 10_000,
      });
    }
  }

  private id(scan: Scan, leg: string): string {
    return clientOrderId(this.instanceId, scan.scan_number, leg);
  }

  /**
   * The state after this scan, to journal: each scan while a position or a resting entry is
   * held, and the first scan the book is free again; null otherwise.
   */
  stateRow(scan: Scan, index: number): PositionStateRow | null {
    const p = this.book.position;
    const w = this.resting;
    const busy = p !== null || w !== null;
    if (!busy && !this.busy) return null;
    this.busy = busy;
    const state: VenueState = {
      ...this.book.state(index),
      resting:
        w === null
          ? null
          : {
              decision: w.decision,
              dvol: w.dvol,
              symbol: w.market.symbol,
              units: w.units,
              leverage: w.leverage,
              limit: w.limit,
              waited: index - w.placedIndex,
              client_id: w.clientId,
            },
      funded: [...this.funded],
      stop: this.stop,
      stop_fills: this.stopFillsBooked,
    };
    return {
      instance_id: this.instanceId,
      scan_number: scan.scan_number,
      ts: scan.ts,
      asset: p?.decision.asset ?? w?.decision.asset ?? null,
      trade_id: p?.tradeId ?? null,
      state: JSON.stringify(state),
    };
  }

  /**
   * Takes over the state a killed session journaled after scan `row.scan_number` (a restart
   * on the live feed): scans up to that one are not decided again (`decidedThrough`), and
   * the book resumes at the first scan after it, bars held counting on.
   */
  restore(row: PositionStateRow): void {
    this.restoring = { state: JSON.parse(row.state) as VenueState, through: row.scan_number };
    this.decidedThrough = row.scan_number;
  }

  /** Holdings the journal does not account for, cleared at the first scan (journaled). */
  clearAtStart(strays: readonly Stray[]): void {
    this.strays = strays;
  }

  /** Scans the restored session decided already: a redelivery of them is only observed. */
  decided(scan: Scan): boolean {
    return scan.scan_number <= this.decidedThrough;
  }

  private takeOver(index: number): void {
    const r = this.restoring;
    if (r === null) return;
    this.restoring = null;
    const s = r.state;
    // The scan the state was taken after had the index just before this one.
    this.book.restore(s, index - 1);
    for (const id of s.funded) this.funded.add(id);
    this.stop = s.stop;
    this.stopFillsBooked = s.stop_fills;
    const w = s.resting;
    if (w !== null) {
      const market = this.rules.markets.bySymbol(w.symbol);
      if (market === null) throw new Error(`the journaled entry's market ${w.symbol} is unknown`);
      this.resting = {
        decision: w.decision,
        dvol: w.dvol,
        market,
        units: w.units,
        leverage: w.leverage,
        limit: w.limit,
        placedIndex: index - 1 - w.waited,
        clientId: w.client_id,
      };
    }
    this.busy = this.book.position !== null || this.resting !== null;
  }

  /** Before the decision: the resting entry, funding and the exit rules, queued for `settle`. */
  mark(scan: Scan, index: number, exitCheck: boolean): Fills {
    const out = noFills();
    this.takeOver(index);
    if (this.strays.length > 0) {
      this.queue.push({ kind: 'stray', scan, strays: this.strays });
      this.strays = [];
    }
    if (this.book.checkDailyLoss(scan)) {
      this.event(out, scan, 'DISARMED', '', this.book.disarmed ?? '');
    }
    if (this.reconcileDue) {
      this.reconcileDue = false;
      this.queue.push({ kind: 'reconcile', scan, index });
    }
    if (this.resting !== null && index > this.resting.placedIndex) {
      this.queue.push({ kind: 'maker', scan, index });
    }
    const p = this.book.position;
    if (p === null || p.entryIndex === index) return out;
    // A stop the venue refused when the position opened: tried again at each scan.
    if (this.stop === null && this.protectiveStop !== null) {
      this.queue.push({ kind: 'protect', scan });
    }
    const price = priceOf(scan, p.decision.asset);
    if (price === null) return out;
    if (this.rules.fundingDue(p.lastTs, scan.ts)) {
      this.queue.push({ kind: 'funding', p, scan });
    }
    p.lastTs = scan.ts;
    const ret = this.book.markReturn(p, price);
    const flatten = this.book.flattenLegs(p);
    const fill = this.rules.takerFill(p.market, price, 'buy');
    const legs =
      flatten.length > 0 ? flatten : exitCheck ? this.book.exitLegs(p, scan, index, ret, fill) : [];
    if (legs.length > 0) this.queue.push({ kind: 'exit', p, scan, index, legs });
    return out;
  }

  /** After the decision: an actuated decision on a free slot is queued as an entry order. */
  enter(d: DecisionRow, scan: Scan, index: number): Fills {
    const out = noFills();
    const o = this.book.entryOrder(d, scan, index, this.resting !== null);
    if (o === null) return out;
    if (!o.ok) {
      this.event(out, scan, 'ENTRY_REFUSED', o.asset, o.reason);
      return out;
    }
    this.queue.push({ kind: 'entry', entry: o.entry, scan, index, at: o.at, detail: o.detail });
    return out;
  }

  arming(action: ArmingAction, who: string): ArmingChange {
    return this.book.arming(action, who);
  }

  onSend(sink: (order: VenueOrderRow) => void): void {
    this.sendSink = sink;
  }

  /** The order journaled (durably) as about to go out, then placed. */
  private place(o: VenueOrder, scan: Scan, asset: string, purpose: string) {
    this.sendSink({
      instance_id: this.instanceId,
      client_order_id: o.clientId,
      scan_number: scan.scan_number,
      asset,
      side: o.side,
      purpose,
      quantity: fromUnits(o.units, o.market.quantityDecimals),
    });
    return this.venue.place(o);
  }

  /** Sends what is queued, in order; a failed order is an event, and the run goes on. */
  async settle(): Promise<Fills> {
    const out = noFills();
    const ops = this.queue;
    this.queue = [];
    // One event for a settle's failures: the journal keys events by scan and kind.
    const failed: string[] = [];
    let failedAsset = '';
    for (const op of ops) {
      try {
        await this.run(op, out);
      } catch (e) {
        failedAsset =
          op.kind === 'entry'
            ? op.entry.decision.asset
            : op.kind === 'maker'
              ? (this.resting?.decision.asset ?? '')
              : op.kind === 'reconcile' || op.kind === 'protect'
                ? (this.book.position?.decision.asset ?? '')
                : op.kind === 'stray'
                  ? ''
                  : op.p.decision.asset;
        failed.push(`${op.kind}: ${(e as Error).message}`);
      }
    }
    const first = ops[0];
    if (failed.length > 0 && first !== undefined) {
      this.event(out, first.scan, 'ORDER_FAILED', failedAsset, failed.join('; '));
    }
    return out;
  }

  private async run(op: Op, out: Fills): Promise<void> {
    switch (op.kind) {
      case 'entry':
        return this.placeEntry(op.entry, op.scan, op.index, op.at, op.detail, out);
      case 'maker':
        return this.checkResting(op.scan, op.index, out);
      case 'funding':
        return this.collectFunding(op.p, op.scan, out);
      case 'exit':
        return this.placeExits(op.p, op.scan, op.index, op.legs, out);
      case 'reconcile':
        return this.reconcile(op.scan, op.index, out);
      case 'stray':
        return this.clearStrays(op.scan, op.strays, out);
      case 'protect':
        return this.protect(op.scan);
    }
  }

  private get protectiveStop(): number | null {
    return this.o.protectiveStop ?? null;
  }

  /**
   * The protective stop for the position just opened, placed before anything else happens:
   * a reduce-only buy of its quantity, triggered `protectiveStop` above the entry price.
   */
  private async protect(scan: Scan): Promise<void> {
    const p = this.book.position;
    const f = this.protectiveStop;
    if (p === null || f === null || this.stop !== null) return;
    const clientId = this.id(scan, 'stop');
    await this.place(
      {
        clientId,
        market: p.market,
        side: 'buy',
        kind: 'stop',
        units: p.remainingUnits,
        price: this.rules.toTick(p.market, p.entryPrice * (1 + f)),
        reduceOnly: true,
      },
      scan,
      p.decision.asset,
      'PROTECTIVE_STOP',
    );
    this.stop = clientId;
    this.stopFillsBooked = 0;
  }

  /** The position closed: its stop is cancelled (the venue may have done so already). */
  private async unprotect(p: Position): Promise<void> {
    const id = this.stop;
    if (id === null) return;
    this.stop = null;
    await this.venue.cancel(p.market, id);
  }

  /**
   * Fills of the protective stop not yet booked (the venue triggered it: a gap past it, or
   * the engine away), booked as VENUE_STOP legs; true when there were any.
   */
  private async stopTaken(p: Position, scan: Scan, index: number, out: Fills): Promise<boolean> {
    const id = this.stop;
    if (id === null) return false;
    const r = await this.venue.order(p.market, id);
    const fresh = r === null ? [] : r.fills.slice(this.stopFillsBooked);
    if (r === null || fresh.length === 0) return false;
    this.journalFills(out, scan, p.decision.asset, 'VENUE_STOP', 'buy', r, p.market);
    this.stopFillsBooked = r.fills.length;
    for (const f of fresh) {
      this.book.leg(p, scan, 'VENUE_STOP', f.units, f.price, f.fee);
      if (p.remainingUnits === 0) {
        this.stop = null;
        this.book.close(p, scan, index, 'VENUE_STOP', out);
        break;
      }
    }
    return true;
  }

  /** Closes each stray position reduce-only and cancels each stray order: one event says what. */
  private async clearStrays(scan: Scan, strays: readonly Stray[], out: Fills) {
    const done: string[] = [];
    try {
      for (const s of strays) {
        const m = s.market;
        if (s.kind === 'order') {
          await this.venue.cancelById(m, s.orderId);
          done.push(`cancelled order ${s.orderId} on ${m.venueId}`);
          continue;
        }
        const side = s.side === 'short' ? 'buy' : 'sell';
        const r = await this.place(
          {
            clientId: this.id(scan, `reconcile-${m.symbol}-${s.side}-${s.units}`),
            market: m,
            side,
            kind: 'market',
            units: s.units,
            reduceOnly: true,
          },
          scan,
          m.symbol,
          'RECONCILE_FLATTEN',
        );
        this.journalFills(out, scan, m.symbol, 'RECONCILE_FLATTEN', side, r, m);
        const q = fromUnits(s.units, m.quantityDecimals);
        done.push(`closed a ${s.side} position of ${q} ${m.venueId} the journal does not know`);
      }
    } finally {
      if (done.length > 0) this.event(out, scan, 'RECONCILED', '', done.join('; '));
    }
  }

  reconcileSoon(): void {
    this.reconcileDue = true;
  }

  /**
   * The venue's position on the book's market against the book (periodically, while armed):
   * a difference (a liquidation by the venue, an order by hand) is journaled and disarms
   * (the halt policy); the operator decides.
   */
  private async reconcile(scan: Scan, index: number, out: Fills) {
    const p = this.book.position;
    if (p === null || this.book.disarmed !== null) return;
    if (await this.stopTaken(p, scan, index, out)) return;
    const held = await this.venue.shortQuantity(p.market);
    if (Math.abs(held - p.remaining) <= 1e-9 * Math.max(1, p.remaining)) return;
    const why = `the venue holds ${held} ${p.market.venueId} short where the book holds ${p.remaining}`;
    this.book.disarmed = `reconciliation: ${why}`;
    this.event(out, scan, 'DISARMED', p.decision.asset, this.book.disarmed);
  }

  private async placeEntry(
    e: Entry,
    scan: Scan,
    index: number,
    at: number,
    detail: string,
    out: Fills,
  ) {
    const asset = e.decision.asset;
    const maker = this.x.entry_order === 'maker';
    const clientId = this.id(scan, 'entry');
    // Placed already (a replay of this session after a kill): the venue's order stands, and
    // its market's settings are not touched again (the venue refuses while a position is open).
    const placed = await this.venue.order(e.market, clientId);
    if (placed === null) await this.venue.prepare(e.market, e.leverage);
    // A resting entry is covered by the dead-man's switch until it is done.
    if (maker && this.o.deadmanMs != null) await this.venue.deadman(this.o.deadmanMs);
    const r =
      placed ??
      (await this.place(
        {
          clientId,
          market: e.market,
          side: 'sell',
          kind: maker ? 'post-only' : 'market',
          units: e.units,
          ...(maker ? { price: at } : {}),
          reduceOnly: false,
        },
        scan,
        asset,
        'ENTRY',
      ));
    if (maker && r.status === 'open' && r.fills.length === 0) {
      this.resting = { ...e, limit: at, placedIndex: index, clientId };
      this.event(out, scan, 'MAKER_POSTED', asset, detail);
      return;
    }
    if (!this.opened(e, scan, index, r, out)) {
      await this.entryDone(scan);
      this.event(out, scan, 'ENTRY_REFUSED', asset, `the venue filled nothing (${r.status})`);
      return;
    }
    this.event(out, scan, maker ? 'MAKER_FILLED' : 'ENTRY_FILLED', asset, detail);
    await this.entryDone(scan);
  }

  /** The entry is done (filled, refused or cancelled): its stop placed, the switch off. */
  private async entryDone(scan: Scan): Promise<void> {
    if (this.x.entry_order === 'maker' && this.o.deadmanMs != null) await this.venue.deadman(0);
    await this.protect(scan);
  }

  /** Opens the position on the report's fills; false when nothing filled. */
  private opened(e: Entry, scan: Scan, index: number, r: VenueOrderReport, out: Fills): boolean {
    this.journalFills(out, scan, e.decision.asset, 'ENTRY', 'sell', r, e.market);
    const f = sumFills(r.fills);
    if (f.units === 0) return false;
    this.book.open({ ...e, units: f.units }, scan, index, f.price ?? f.value / f.units, f.fee);
    return true;
  }

  /** The resting maker entry: filled, or at its timeout cancelled (then taken, by policy). */
  private async checkResting(scan: Scan, index: number, out: Fills) {
    const w = this.resting;
    if (w === null) return;
    if (await this.resolveResting(w, scan, index, out)) await this.entryDone(scan);
  }

  /** False while the entry still rests; true once filled, cancelled or taken over. */
  private async resolveResting(w: Resting, scan: Scan, index: number, out: Fills) {
    const asset = w.decision.asset;
    const r = await this.venue.order(w.market, w.clientId);
    if (r !== null && r.status === 'closed') {
      this.resting = null;
      this.event(out, scan, 'MAKER_FILLED', asset, `limit ${w.limit}`);
      this.opened(w, scan, index, r, out);
      return true;
    }
    const waited = index - w.placedIndex;
    const disarmed = this.book.disarmed !== null;
    if (waited < this.x.maker_timeout_scans && !disarmed) return false;
    const c = await this.venue.cancel(w.market, w.clientId);
    this.resting = null;
    if (this.opened(w, scan, index, c, out)) {
      this.event(out, scan, 'MAKER_FILLED', asset, `limit ${w.limit} (partly, then cancelled)`);
      return true;
    }
    const price = priceOf(scan, asset);
    if (this.x.maker_on_timeout === 'taker' && price !== null && !disarmed) {
      this.event(out, scan, 'MAKER_TAKER_FALLBACK', asset, `after ${waited} scans`);
      const t = await this.place(
        {
          clientId: this.id(scan, 'fallback'),
          market: w.market,
          side: 'sell',
          kind: 'market',
          units: w.units,
          reduceOnly: false,
        },
        scan,
        asset,
        'FALLBACK',
      );
      this.opened(w, scan, index, t, out);
    } else {
      this.event(out, scan, 'MAKER_CANCELLED', asset, `after ${waited} scans`);
    }
    return true;
  }

  /** Funding the venue paid on the position since it opened, each payment once. */
  private async collectFunding(p: Position, scan: Scan, out: Fills) {
    for (const f of await this.venue.funding(p.market, p.entryTs)) {
      if (this.funded.has(f.id)) continue;
      this.funded.add(f.id);
      p.funding += f.amount;
      out.venueFills.push({
        instance_id: this.instanceId,
        venue_order_id: f.id,
        fill_no: 0,
        client_order_id: null,
        scan_number: scan.scan_number,
        ts: scan.ts,
        asset: p.decision.asset,
        purpose: 'FUNDING',
        side: null,
        price: null,
        quantity: null,
        amount: f.amount,
        reference_price: null,
        slippage_bps: null,
      });
    }
  }

  /** Reduce-only taker legs, one order each; the position closes when nothing remains. */
  private async placeExits(
    p: Position,
    scan: Scan,
    index: number,
    legs: readonly { reason: Position['legs'][number]['reason']; units: number }[],
    out: Fills,
  ) {
    // The venue's stop may have closed part or all of it already (a gap through it).
    if (await this.stopTaken(p, scan, index, out)) return;
    for (const l of legs) {
      const r = await this.place(
        {
          clientId: this.id(scan, `exit-${p.legs.length + 1}`),
          market: p.market,
          side: 'buy',
          kind: 'market',
          units: Math.min(l.units, p.remainingUnits),
          reduceOnly: true,
        },
        scan,
        p.decision.asset,
        l.reason,
      );
      this.journalFills(out, scan, p.decision.asset, l.reason, 'buy', r, p.market);
      const f = sumFills(r.fills);
      if (f.units === 0) throw new Error(`${l.reason} leg filled nothing (${r.status})`);
      this.book.leg(p, scan, l.reason, f.units, f.price ?? f.value / f.units, f.fee);
      if (p.remainingUnits === 0) {
        this.book.close(p, scan, index, l.reason, out);
        await this.unprotect(p);
        return;
      }
    }
  }
}

/**
 * DARK (SPEC §8, the default live): decisions as armed, no order sent. Each entry the armed
 * engine would order is journaled as not sent (refusals as refused), and the slot stays free.
 */
export class DarkExecution extends BookedExecution implements Execution {
  slotState(): SlotState {
    return 'FREE';
  }

  mark(): Fills {
    return noFills();
  }

  arming(): string {
    return 'this session is DARK: it sends no order; start it with --arm to trade';
  }

  enter(d: DecisionRow, scan: Scan, index: number): Fills {
    const out = noFills();
    const o = this.book.entryOrder(d, scan, index, false);
    if (o === null) return out;
    if (o.ok) this.event(out, scan, 'NOT_SENT_DARK', o.entry.decision.asset, `DARK: ${o.detail}`);
    else this.event(out, scan, 'ENTRY_REFUSED', o.asset, o.reason);
    return out;
  }
}
