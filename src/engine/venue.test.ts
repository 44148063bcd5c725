import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Scan } from '../model/index.js';
import { decision, scan } from '../test-support/execution.js';
import { market, rulesOf } from '../test-support/markets.js';
import { priceOf } from './book.js';
import { MockExchange } from './exchange.js';
import { EXITS } from './exits.js';
import type {
  Execution,
  Fills,
  Venue,
  VenueFunding,
  VenueOrder,
  VenueOrderReport,
} from './ports.js';
import type { PositionStateRow } from './rows.js';
import {
  EXECUTION,
  type ExecutionParams,
  type ExecutionRules,
  type Market,
} from './rules/index.js';
import { clientOrderId, VenueExecutor, type VenueExecutorOptions } from './venue.js';

/**
 * A venue in memory that fills as the mock prices (taker at the scan's price with slippage,
 * a resting limit when a later scan trades through it) and pays funding at the marks: with
 * it, the executor must make the mock's trades. The network venue is the BingX simulator's.
 */
class PaperVenue implements Venue {
  scan: Scan | null = null;
  private orders = new Map<string, VenueOrderReport & { order: VenueOrder }>();
  private units = 0;
  private lastTs = 0;
  private paid: VenueFunding[] = [];
  placed: string[] = [];

  constructor(private readonly rules: ExecutionRules) {}

  /** The next scan: resting limits fill when it trades above them; funding at the marks. */
  advance(s: Scan, m: Market) {
    this.scan = s;
    const price = priceOf(s, m.symbol);
    if (price === null) return;
    for (const [id, o] of this.orders) {
      const limit = o.order.price ?? 0;
      if (o.status === 'open' && o.order.kind === 'post-only' && price > limit) {
        this.fill(id, o.order, limit, this.rules.x.fee_maker);
      }
    }
    for (const [id, o] of this.orders) {
      if (o.status === 'open' && o.order.kind === 'stop' && price >= (o.order.price ?? 0)) {
        const units = Math.min(o.order.units, this.units);
        if (units > 0) {
          const quantity = units / 10 ** m.quantityDecimals;
          const at = this.rules.takerFill(m, price, 'buy');
          const fee = this.rules.fee(quantity, at, this.rules.x.fee_taker);
          this.units -= units;
          this.orders.set(id, { ...o, status: 'closed', fills: [{ price: at, units, fee }] });
        }
      }
    }
    if (this.units > 0 && this.rules.fundingDue(this.lastTs, s.ts)) {
      const q = this.units / 10 ** m.quantityDecimals;
      const amount = q * price * (s.acb?.funding_rate ?? 0);
      this.paid.push({ id: `f${s.ts}`, ts: s.ts, amount });
    }
    if (this.units > 0) this.lastTs = s.ts;
  }

  private fill(id: string, o: VenueOrder, price: number, rate: number) {
    const quantity = o.units / 10 ** o.market.quantityDecimals;
    const fee = this.rules.fee(quantity, price, rate);
    if (this.units === 0) this.lastTs = this.scan?.ts ?? 0;
    this.units += o.side === 'sell' ? o.units : -o.units;
    this.orders.set(id, {
      orderId: id,
      clientId: id,
      status: 'closed',
      fills: [{ price, units: o.units, fee }],
      order: o,
    });
  }

  async prepare(): Promise<void> {}

  async place(o: VenueOrder): Promise<VenueOrderReport> {
    this.placed.push(o.clientId);
    const price = this.scan === null ? null : priceOf(this.scan, o.market.symbol);
    if (price === null) throw new Error('no price');
    if (o.kind !== 'market') {
      const r = { orderId: o.clientId, clientId: o.clientId, status: 'open' as const, fills: [] };
      this.orders.set(o.clientId, { ...r, order: o });
      return r;
    }
    this.fill(o.clientId, o, this.rules.takerFill(o.market, price, o.side), this.rules.x.fee_taker);
    return this.report(o.clientId);
  }

  private report(id: string): VenueOrderReport {
    const o = this.orders.get(id);
    if (o === undefined) throw new Error(`no order ${id}`);
    return { orderId: o.orderId, clientId: o.clientId, status: o.status, fills: o.fills };
  }

  async order(_m: Market, clientId: string): Promise<VenueOrderReport | null> {
    return this.orders.has(clientId) ? this.report(clientId) : null;
  }

  async cancel(_m: Market, clientId: string): Promise<VenueOrderReport> {
    const o = this.orders.get(clientId);
    if (o !== undefined && o.status === 'open')
      this.orders.set(clientId, { ...o, status: 'canceled' });
    return this.report(clientId);
  }

  /** The dead-man's switch as set, each call (0: off). */
  deadmanCalls: number[] = [];

  async deadman(timeoutMs: number): Promise<void> {
    this.deadmanCalls.push(timeoutMs);
  }

  async cancelById(_m: Market, orderId: string): Promise<void> {
    await this.cancel(_m, orderId);
  }

  async funding(_m: Market, since: number): Promise<readonly VenueFunding[]> {
    return this.paid.filter((f) => f.ts >= since);
  }

  /** Set by a test: the position the venue reports, whatever the fills made. */
  reported: number | null = null;

  async shortQuantity(m: Market): Promise<number> {
    return this.reported ?? this.units / 10 ** m.quantityDecimals;
  }
}

interface Step {
  readonly price: number;
  readonly velDiv: number;
  readonly funding: number;
  readonly notional: number;
}

const A = market('AAAUSDT', {
  priceDecimals: 2,
  quantityDecimals: 1,
  minQuantity: 0.1,
  minNotional: 5,
});

function collect(into: Fills, f: Fills) {
  into.trades.push(...f.trades);
  into.legs.push(...f.legs);
  into.events.push(...f.events);
  into.venueFills.push(...f.venueFills);
}

async function drive(x: Execution, steps: readonly Step[], paper: PaperVenue | null) {
  const all: Fills = { trades: [], legs: [], events: [], venueFills: [] };
  const settle = async () => {
    if (x instanceof VenueExecutor) collect(all, await x.settle());
  };
  for (const [i, st] of steps.entries()) {
    const s = stepScan(i, st);
    paper?.advance(s, A);
    collect(all, x.mark(s, i + 1, true));
    await settle();
    const d = decision(i, { notional: st.notional, slot_state: x.slotState(), capital: x.capital });
    collect(all, x.enter(d, s, i + 1));
    await settle();
  }
  return all;
}

/** One scan of a path: what `drive` feeds the execution at step `i`. */
function stepScan(i: number, st: Step): Scan {
  return scan(i, st.price, {
    velDiv: st.velDiv,
    ts: 1_781_000_000_000 + i * 3_600_000,
    funding: st.funding,
  });
}

/**
 * A session killed after step `k` and started again on the live feed: the journal holds the
 * state rows the first wrote; the second takes over the last of them, and the feed
 * redelivers from step `from` (scans the first decided are skipped, as the reactor does).
 */
async function killAndRestart(
  rules: ExecutionRules,
  path: readonly Step[],
  k: number,
  redeliverBack: number,
  opts?: VenueExecutorOptions,
) {
  const paper = new PaperVenue(rules);
  const first = new VenueExecutor('t', 10_000, rules, EXITS, paper, opts);
  const all: Fills = { trades: [], legs: [], events: [], venueFills: [] };
  const rows: PositionStateRow[] = [];
  const step = async (x: VenueExecutor, i: number, index: number) => {
    const s = stepScan(i, path[i] as Step);
    collect(all, x.mark(s, index, true));
    collect(all, await x.settle());
    const st = path[i] as Step;
    const d = decision(i, { notional: st.notional, slot_state: x.slotState(), capital: x.capital });
    collect(all, x.enter(d, s, index));
    collect(all, await x.settle());
    const row = x.stateRow(s, index);
    if (row !== null) rows.push(row);
  };
  for (let i = 0; i <= k; i++) {
    paper.advance(stepScan(i, path[i] as Step), A);
    await step(first, i, i + 1);
  }
  const second = new VenueExecutor('t', 10_000, rules, EXITS, paper, opts);
  const last = rows.at(-1);
  if (last !== undefined) second.restore(last);
  const resume = last === undefined ? 0 : last.scan_number + 1;
  let index = 0;
  for (let i = Math.max(0, resume - redeliverBack); i < path.length; i++) {
    if (i > k) paper.advance(stepScan(i, path[i] as Step), A);
    index++;
    if (second.decided(stepScan(i, path[i] as Step))) continue;
    await step(second, i, index);
  }
  return all;
}

/** Rows as the journal keeps them: one per key, the first written (a second is the same). */
function keyed(f: Fills) {
  const once = <T>(rows: readonly T[], key: (r: T) => string) => [
    ...new Map(rows.map((r) => [key(r), r] as const).reverse()).values(),
  ];
  return {
    trades: once(f.trades, (t) => t.trade_id).sort((a, b) => a.entry_scan - b.entry_scan),
    legs: once(f.legs, (l) => `${l.trade_id}/${l.leg_no}`),
    events: once(f.events, (e) => `${e.scan_number}/${e.event}`),
    venueFills: once(f.venueFills, (v) => `${v.venue_order_id}/${v.fill_no}`),
  };
}

const steps = fc.array(
  fc.record({
    price: fc.double({ min: 90, max: 110, noNaN: true }),
    velDiv: fc.constantFrom(-0.04, -0.01, 0.03),
    funding: fc.constantFrom(0, 0.0001, -0.0003),
    notional: fc.constantFrom(0, 3, 1000, 2500.5),
  }),
  { minLength: 1, maxLength: 80 },
);

/** Small moves about 100: positions live long enough to take TP1 and trail. */
const calmSteps = fc.array(
  fc.record({
    price: fc.integer({ min: -9, max: 9 }).map((k) => 100 + k / 10),
    velDiv: fc.constantFrom(-0.04, -0.01, -0.01, 0.03),
    funding: fc.constantFrom(0, 0.0001),
    notional: fc.constantFrom(0, 1000, 2500.5),
  }),
  { minLength: 2, maxLength: 60 },
);

describe('venue executor', () => {
  for (const [name, x, opts] of [
    ['taker entries', { ...EXECUTION }],
    ['maker entries, cancelled at the timeout', { ...EXECUTION, entry_order: 'maker' }],
    [
      'maker entries, taker at the timeout',
      { ...EXECUTION, entry_order: 'maker', maker_on_timeout: 'taker' },
    ],
    [
      'a daily loss limit that disarms and flattens',
      { ...EXECUTION, caps: { ...EXECUTION.caps, daily_loss_limit: 40 } },
    ],
    [
      'maker entries under the dead-man switch, a protective stop out of reach',
      { ...EXECUTION, entry_order: 'maker', maker_on_timeout: 'taker' },
      { protectiveStop: 0.5, deadmanMs: 60_000 },
    ],
  ] as [string, ExecutionParams, VenueExecutorOptions?][]) {
    it(`makes the mock exchange's trades, legs and events on a venue that fills as it prices (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(steps, async (path) => {
          const rules = rulesOf(x, A);
          const mock = await drive(new MockExchange('t', 10_000, rules, EXITS), path, null);
          const paper = new PaperVenue(rules);
          const venue = await drive(
            new VenueExecutor('t', 10_000, rules, EXITS, paper, opts),
            path,
            paper,
          );
          const { venueFills, ...orders } = venue;
          expect(orders).toEqual({ ...mock, venueFills: undefined });
          expect(mock.venueFills).toEqual([]);
          // Every fill the venue made is journaled: one per entry and per exit leg at least.
          expect(venueFills.filter((f) => f.purpose !== 'FUNDING').length).toBeGreaterThanOrEqual(
            mock.trades.length + mock.legs.length,
          );
        }),
        { numRuns: 150 },
      );
    });
  }

  for (const [name, x, opts] of [
    ['taker entries', { ...EXECUTION }],
    [
      'maker entries, taker at the timeout',
      { ...EXECUTION, entry_order: 'maker', maker_on_timeout: 'taker' },
    ],
    [
      'a protective stop close enough to be taken',
      { ...EXECUTION },
      { protectiveStop: 0.004, deadmanMs: 60_000 },
    ],
  ] as [string, ExecutionParams, VenueExecutorOptions?][]) {
    it(`killed after any scan and restarted from its journaled state, it makes the uninterrupted session's trades, once (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            calmSteps,
            steps.filter((p) => p.length >= 2),
          ),
          fc.nat(),
          fc.nat({ max: 3 }),
          async (path, at, back) => {
            const rules = rulesOf(x, A);
            const paper = new PaperVenue(rules);
            const whole = await drive(
              new VenueExecutor('t', 10_000, rules, EXITS, paper, opts),
              path,
              paper,
            );
            const restarted = await killAndRestart(rules, path, at % (path.length - 1), back, opts);
            expect(keyed(restarted)).toEqual(keyed(whole));
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('journals its state while it holds a position, and once when free again', async () => {
    const rules = rulesOf(EXECUTION, A);
    const paper = new PaperVenue(rules);
    const x = new VenueExecutor('t', 10_000, rules, EXITS, paper);
    const at = (i: number, price: number, velDiv = 0) => {
      const s = scan(i, price, { velDiv, ts: 1_781_000_000_000 + i * 3_600_000 });
      paper.advance(s, A);
      return s;
    };
    const s0 = at(0, 100);
    x.mark(s0, 1, true);
    expect(x.stateRow(s0, 1)).toBeNull();
    x.enter(decision(0), s0, 1);
    await x.settle();
    const open = x.stateRow(s0, 1);
    expect(open).toMatchObject({ scan_number: 0, asset: 'AAAUSDT', trade_id: 't-000000000000' });
    const st = JSON.parse(open?.state ?? '{}');
    expect(st.position).toMatchObject({ symbol: 'AAAUSDT', bars_held: 0, tp1_done: false });
    expect(st.position.best_ret).toBeNull();
    const s1 = at(1, 99);
    x.mark(s1, 2, true);
    await x.settle();
    const entry = st.position.entry_price;
    expect(JSON.parse(x.stateRow(s1, 2)?.state ?? '{}').position).toMatchObject({
      bars_held: 1,
      best_ret: (entry - 99) / entry,
    });
    // A stop far above: the position closes, one row says the book is free, then none.
    const s2 = at(2, 150);
    x.mark(s2, 3, true);
    await x.settle();
    expect(x.slotState()).toBe('FREE');
    const free = x.stateRow(s2, 3);
    expect(free).toMatchObject({ asset: null, trade_id: null });
    expect(JSON.parse(free?.state ?? '{}').position).toBeNull();
    const s3 = at(3, 150);
    x.mark(s3, 4, true);
    expect(x.stateRow(s3, 4)).toBeNull();
  });

  it('rests a protective stop from the entry on: cancelled at a close, taken by the venue on a gap through it (VENUE_STOP)', async () => {
    const rules = rulesOf(EXECUTION, A);
    const paper = new PaperVenue(rules);
    const x = new VenueExecutor('t', 10_000, rules, EXITS, paper, { protectiveStop: 0.03 });
    const at = (i: number, price: number) => {
      const s = scan(i, price, { ts: 1_781_000_000_000 + i * 3_600_000 });
      paper.advance(s, A);
      return s;
    };
    const s0 = at(0, 100);
    x.mark(s0, 1, true);
    x.enter(decision(0), s0, 1);
    await x.settle();
    const stopId = clientOrderId('t', 0, 'stop');
    expect(paper.placed).toEqual([clientOrderId('t', 0, 'entry'), stopId]);
    const stop = await paper.order(A, stopId);
    expect(stop?.status).toBe('open');
    // A gap far past the exit rules' stop loss and the venue's stop: the venue took it.
    const s1 = at(1, 110);
    x.mark(s1, 2, true);
    const f = await x.settle();
    expect(f.trades.map((t) => [t.exit_reason, t.exit_price])).toEqual([
      ['VENUE_STOP', rules.takerFill(A, 110, 'buy')],
    ]);
    expect(f.venueFills.map((v) => [v.purpose, v.client_order_id])).toEqual([
      ['VENUE_STOP', stopId],
    ]);
    expect(paper.placed).toEqual([clientOrderId('t', 0, 'entry'), stopId]);
    expect(x.slotState()).toBe('FREE');
    // The next position's stop is cancelled when the exit rules close it.
    const s2 = at(2, 100);
    x.mark(s2, 3, true);
    x.enter(decision(2), s2, 3);
    await x.settle();
    const s3 = at(3, 101.6);
    x.mark(s3, 4, true);
    const g = await x.settle();
    expect(g.trades.map((t) => t.exit_reason)).toEqual(['STOP_LOSS']);
    expect((await paper.order(A, clientOrderId('t', 2, 'stop')))?.status).toBe('canceled');
  });

  it('a maker entry rests under the dead-man switch, switched off once it is done', async () => {
    const rules = rulesOf({ ...EXECUTION, entry_order: 'maker' }, A);
    const paper = new PaperVenue(rules);
    const x = new VenueExecutor('t', 10_000, rules, EXITS, paper, { deadmanMs: 60_000 });
    const s0 = scan(0, 100, { ts: 1_781_000_000_000 });
    paper.advance(s0, A);
    x.mark(s0, 1, true);
    x.enter(decision(0), s0, 1);
    await x.settle();
    expect(x.slotState()).toBe('PENDING');
    expect(paper.deadmanCalls).toEqual([60_000]);
    const s1 = scan(1, 101, { ts: 1_781_000_005_000 });
    paper.advance(s1, A);
    x.mark(s1, 2, true);
    await x.settle();
    expect(x.slotState()).toBe('OPEN');
    expect(paper.deadmanCalls).toEqual([60_000, 0]);
  });

  it('names each order by (instance, scan, leg): the same inputs the same id, any change another', () => {
    const a = clientOrderId('violet-1', 42, 'entry');
    expect(a).toBe(clientOrderId('violet-1', 42, 'entry'));
    expect(a).toMatch(/^vt[0-9a-f]{30}$/);
    expect(
      new Set([
        a,
        clientOrderId('violet-2', 42, 'entry'),
        clientOrderId('violet-1', 43, 'entry'),
        clientOrderId('violet-1', 42, 'exit-1'),
      ]).size,
    ).toBe(4);
  });

  it('a periodic reconciliation that finds the venue holding other than the book disarms, journaled', async () => {
    const rules = rulesOf(EXECUTION, A);
    const paper = new PaperVenue(rules);
    const x = new VenueExecutor('t', 10_000, rules, EXITS, paper);
    const s0 = scan(0, 100);
    paper.advance(s0, A);
    x.mark(s0, 1, false);
    x.enter(decision(0), s0, 1);
    await x.settle();
    expect(x.slotState()).toBe('OPEN');
    // The same as the book: nothing happens.
    x.reconcileSoon();
    const s1 = scan(1, 100);
    paper.advance(s1, A);
    expect(x.mark(s1, 2, false).events).toEqual([]);
    expect((await x.settle()).events).toEqual([]);
    // Liquidated by the venue, say: disarmed, and the next entry refused.
    paper.reported = 0;
    x.reconcileSoon();
    const s2 = scan(2, 100);
    paper.advance(s2, A);
    x.mark(s2, 3, false);
    const f = await x.settle();
    expect(f.events.map((e) => [e.event, e.detail])).toEqual([
      ['DISARMED', 'reconciliation: the venue holds 0 AAA-USDT short where the book holds 10'],
    ]);
  });

  it('journals a venue failure as ORDER_FAILED and keeps the slot free', async () => {
    const rules = rulesOf(EXECUTION, A);
    const broken: Venue = {
      prepare: async () => {},
      place: async () => {
        throw new Error('insufficient margin');
      },
      order: async () => null,
      cancel: async () => {
        throw new Error('unreachable');
      },
      cancelById: async () => {
        throw new Error('unreachable');
      },
      deadman: async () => {},
      funding: async () => [],
      shortQuantity: async () => 0,
    };
    const x = new VenueExecutor('t', 10_000, rules, EXITS, broken);
    const s = scan(1, 100);
    x.mark(s, 1, true);
    expect(x.enter(decision(1), s, 1).events).toEqual([]);
    const f = await x.settle();
    expect(f.events).toMatchObject([
      { event: 'ORDER_FAILED', asset: 'AAAUSDT', detail: 'entry: insufficient margin' },
    ]);
    expect(x.slotState()).toBe('FREE');
  });
});
