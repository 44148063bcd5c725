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
import {
  EXECUTION,
  type ExecutionParams,
  type ExecutionRules,
  type Market,
} from './rules/index.js';
import { clientOrderId, VenueExecutor } from './venue.js';

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
      if (o.status === 'open' && o.order.price !== undefined && price > o.order.price) {
        this.fill(id, o.order, o.order.price, this.rules.x.fee_maker);
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
    if (o.kind === 'post-only') {
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
    const s = scan(i, st.price, {
      velDiv: st.velDiv,
      ts: 1_781_000_000_000 + i * 3_600_000,
      funding: st.funding,
    });
    paper?.advance(s, A);
    collect(all, x.mark(s, i + 1, true));
    await settle();
    const d = decision(i, { notional: st.notional, slot_state: x.slotState(), capital: x.capital });
    collect(all, x.enter(d, s, i + 1));
    await settle();
  }
  return all;
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

describe('venue executor', () => {
  for (const [name, x] of [
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
  ] as [string, ExecutionParams][]) {
    it(`makes the mock exchange's trades, legs and events on a venue that fills as it prices (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(steps, async (path) => {
          const rules = rulesOf(x, A);
          const mock = await drive(new MockExchange('t', 10_000, rules, EXITS), path, null);
          const paper = new PaperVenue(rules);
          const venue = await drive(
            new VenueExecutor('t', 10_000, rules, EXITS, paper),
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
