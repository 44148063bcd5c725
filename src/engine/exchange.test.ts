import { describe, expect, it } from 'vitest';
import { parseScan, type Scan } from '../model/index.js';
import { decision, scan, T0 } from '../test-support/execution.js';
import { market, rulesOf } from '../test-support/markets.js';
import { MockExchange } from './exchange.js';
import { EXITS } from './exits.js';
import type { Fills } from './ports.js';
import { EXECUTION, type ExecutionParams } from './rules/index.js';

// Hand-checkable setup: entry at 100 without slippage, notional 1000 (quantity 10),
// exchange leverage 2 (margin 500), taker fee 0.05%, maker fee 0.02%.
const X: ExecutionParams = { ...EXECUTION, slippage_bps: 0 };
/** Opens a short at 100 on scan 0, then marks the given scans with exit checks on. */
function run(path: Scan[], x: ExecutionParams = X, capital = 10_000, exitCheck = true) {
  const ex = new MockExchange('t', capital, rulesOf(x), EXITS);
  const all: Fills = { trades: [], legs: [], events: [], venueFills: [] };
  const add = (f: Fills) => {
    all.trades.push(...f.trades);
    all.legs.push(...f.legs);
    all.events.push(...f.events);
  };
  add(ex.mark(scan(0, 100), 1, exitCheck));
  add(ex.enter(decision(0), scan(0, 100), 1));
  for (const [i, s] of path.entries()) add(ex.mark(s, i + 2, exitCheck));
  return { ex, ...all };
}

describe('mock exchange and exit engine (numbers worked by hand)', () => {
  it('STOP_LOSS at -1.5%: pnl = 10 × (100 − 101.5) − fees (0.5 + 0.5075)', () => {
    const r = run([scan(1, 101), scan(2, 101.5)]);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t).toMatchObject({
      exit_reason: 'STOP_LOSS',
      quantity: 10,
      entry_price: 100,
      margin: 500,
      bars_held: 2,
    });
    expect(t?.fees).toBeCloseTo(1.0075, 12);
    expect(t?.pnl).toBeCloseTo(-16.0075, 12);
    expect(t?.capital_after).toBeCloseTo(9983.9925, 9);
    expect(r.ex.capital).toBe(t?.capital_after);
  });

  it('TP1 closes half at +0.6%, TRAIL_STOP the rest after a 0.3% giveback from the best', () => {
    // 99.4 is +0.5999…% in binary64 (no TP1); 99.39 is +0.61%.
    const r = run([scan(1, 99.4), scan(2, 99.39), scan(3, 99), scan(4, 99.6)]);
    expect(r.legs.map((l) => [l.reason, l.quantity, l.price])).toEqual([
      ['TP1', 5, 99.39],
      ['TRAIL_STOP', 5, 99.6],
    ]);
    const t = r.trades[0];
    expect(t?.exit_reason).toBe('TRAIL_STOP');
    expect(t?.exit_price).toBeCloseTo(99.495, 12);
    // legs 5 × 0.61 + 5 × 0.4 = 5.05; fees 0.5 + 0.248475 + 0.249
    expect(t?.pnl).toBeCloseTo(5.05 - 0.997475, 12);
  });

  it('TP2 at +1.2% closes TP1 and the rest on the same scan', () => {
    const r = run([scan(1, 98.8)]);
    expect(r.legs.map((l) => l.reason)).toEqual(['TP1', 'TP2']);
    expect(r.trades[0]?.pnl).toBeCloseTo(12 - 0.994, 12);
  });

  it('MAX_HOLD after 120 scans: pnl = −(entry fee + exit fee) = −1', () => {
    const r = run(Array.from({ length: 130 }, (_, i) => scan(i + 1, 100)));
    expect(r.trades[0]).toMatchObject({ exit_reason: 'MAX_HOLD', bars_held: 120, exit_scan: 120 });
    expect(r.trades[0]?.pnl).toBeCloseTo(-1, 12);
  });

  it('SIGNAL_REVERSAL when vel_div rises above +0.02', () => {
    const r = run([scan(1, 100, { velDiv: 0.02 }), scan(2, 100, { velDiv: 0.021 })]);
    expect(r.trades[0]).toMatchObject({ exit_reason: 'SIGNAL_REVERSAL', exit_scan: 2 });
  });

  it('HIBERNATE_HALT closes everything when the posture turns HIBERNATE', () => {
    const r = run([scan(1, 99.9, { posture: 'HIBERNATE' })]);
    expect(r.trades[0]).toMatchObject({ exit_reason: 'HIBERNATE_HALT', exit_scan: 1 });
    expect(r.trades[0]?.pnl).toBeCloseTo(1 - 0.5 - 0.4995, 12);
  });

  it('liquidates when the loss eats the isolated margin down to maintenance: pnl = −margin − entry fee', () => {
    // Leverage 5 (the caps raised to allow it): margin 200;
    // 200 + 10 × (100 − p) <= 0.005 × 10 × p  ⇔  p >= 119.403
    const caps = { ...X.caps, max_exchange_leverage: 5 };
    const ex = new MockExchange('t', 10_000, rulesOf({ ...X, caps }), EXITS);
    ex.enter(decision(0, { exchange_leverage: 5 }), scan(0, 100), 1);
    expect(ex.mark(scan(1, 119.4), 2, false).trades).toEqual([]);
    const f = ex.mark(scan(2, 119.41), 3, false);
    expect(f.legs).toMatchObject([
      { reason: 'LIQUIDATION', quantity: 10, price: 119.41, fee: 0, pnl: -200 },
    ]);
    expect(f.trades[0]?.pnl).toBeCloseTo(-200.5, 12);
    expect(ex.capital).toBeCloseTo(9799.5, 9);
  });

  it('refuses an entry whose margin exceeds free capital, with the reason', () => {
    const ex = new MockExchange('t', 400, rulesOf(X), EXITS);
    const f = ex.enter(decision(0), scan(0, 100), 1);
    expect(f.events).toEqual([
      {
        instance_id: 't',
        scan_number: 0,
        event: 'ENTRY_REFUSED',
        asset: 'AAAUSDT',
        detail: 'margin 500 exceeds free capital 400',
      },
    ]);
    expect(ex.slotState()).toBe('FREE');
    expect(ex.orders).toBe(0);
  });

  it('refuses a decision haircut to a notional of 0 as an order, with the reason, and goes on', () => {
    const ex = new MockExchange('t', 10_000, rulesOf(X), EXITS);
    const f = ex.enter(decision(0, { notional: 0, notional_fraction: 0 }), scan(0, 100), 1);
    expect(f.events).toEqual([
      {
        instance_id: 't',
        scan_number: 0,
        event: 'ENTRY_REFUSED',
        asset: 'AAAUSDT',
        detail: 'notional 0: nothing to order',
      },
    ]);
    expect(ex.slotState()).toBe('FREE');
    expect(ex.mark(scan(1, 100), 2, true).trades).toEqual([]);
  });

  it('posts a maker entry, fills it when a later scan trades through, at the limit with the maker fee', () => {
    const ex = new MockExchange('t', 10_000, rulesOf({ ...X, entry_order: 'maker' }), EXITS);
    expect(ex.enter(decision(0), scan(0, 100), 1).events[0]?.event).toBe('MAKER_POSTED');
    expect(ex.slotState()).toBe('PENDING');
    expect(ex.mark(scan(1, 100), 2, true).events).toEqual([]);
    expect(ex.mark(scan(2, 100.1), 3, true).events[0]?.event).toBe('MAKER_FILLED');
    expect(ex.slotState()).toBe('OPEN');
    const f = ex.mark(scan(3, 101.5), 4, true);
    // fees: maker 0.0002 × 1000 = 0.2, exit taker 0.5075; leg pnl −15
    expect(f.trades[0]?.pnl).toBeCloseTo(-15.7075, 12);
  });

  it('cancels a maker entry after k scans without a fill, or sends it as taker', () => {
    const cancel = new MockExchange('t', 10_000, rulesOf({ ...X, entry_order: 'maker' }), EXITS);
    cancel.enter(decision(0), scan(0, 100), 1);
    expect(cancel.mark(scan(1, 99.9), 2, true).events).toEqual([]);
    expect(cancel.mark(scan(2, 99.9), 3, true).events).toEqual([]);
    expect(cancel.mark(scan(3, 99.8), 4, true).events[0]).toMatchObject({
      event: 'MAKER_CANCELLED',
      detail: 'after 3 scans',
    });
    expect(cancel.slotState()).toBe('FREE');
    const taker = new MockExchange(
      't',
      10_000,
      rulesOf({ ...X, entry_order: 'maker', maker_on_timeout: 'taker' }),
      EXITS,
    );
    taker.enter(decision(0), scan(0, 100), 1);
    taker.mark(scan(1, 99.9), 2, true);
    taker.mark(scan(2, 99.9), 3, true);
    expect(taker.mark(scan(3, 99.8), 4, true).events[0]?.event).toBe('MAKER_TAKER_FALLBACK');
    expect(taker.slotState()).toBe('OPEN');
  });

  it('charges or pays funding at each 8-hour boundary of scan time (a short receives positive funding)', () => {
    const boundary = Math.ceil(T0 / 28_800_000) * 28_800_000;
    const r = run([
      scan(1, 100, { ts: boundary - 1000, funding: 0.0001 }),
      scan(2, 100, { ts: boundary + 4000, funding: 0.0001 }),
      scan(3, 100, { ts: boundary + 9000, funding: 0.0001, posture: 'HIBERNATE' }),
    ]);
    expect(r.trades[0]?.funding).toBeCloseTo(0.1, 12);
    expect(r.trades[0]?.pnl).toBeCloseTo(-1 + 0.1, 12);
  });

  it('holds one slot: no entry while a position is open, nor on the scan that closed it', () => {
    const ex = new MockExchange('t', 10_000, rulesOf(X), EXITS);
    ex.enter(decision(0), scan(0, 100), 1);
    expect(ex.enter(decision(1), scan(1, 100), 2).events).toEqual([]);
    ex.mark(scan(2, 101.5), 3, true);
    expect(ex.slotState()).toBe('FREE');
    expect(ex.enter(decision(2), scan(2, 101.5), 3).events).toEqual([]);
    expect(ex.enter(decision(3), scan(3, 101.5), 4).events[0]?.event).toBe('ENTRY_FILLED');
  });
});

describe('mock exchange on the venue’s rules (steps, ticks, minimums, caps)', () => {
  // AAA-USDT: tick 0.01, step 0.1, at least 0.5 of it and 20 USDT an order.
  const aaa = market('AAAUSDT', {
    priceDecimals: 2,
    quantityDecimals: 1,
    minQuantity: 0.5,
    minNotional: 20,
  });
  const rules = (x: ExecutionParams = X) => rulesOf(x, aaa);

  it('fills the quantity truncated to the step and computes pnl from the rounded fills', () => {
    const ex = new MockExchange('t', 10_000, rules(), EXITS);
    // 1000 / 30 = 33.333… → 33.3
    const f = ex.enter(decision(0), scan(0, 30), 1);
    expect(f.events[0]).toMatchObject({
      event: 'ENTRY_FILLED',
      detail: 'taker at 30 quantity 33.3',
    });
    const out = ex.mark(scan(1, 30.5), 2, true); // -1.67%: stop loss
    const t = out.trades[0];
    expect(t).toMatchObject({ quantity: 33.3, entry_price: 30, exit_price: 30.5 });
    expect(t?.margin).toBeCloseTo(499.5, 9);
    // 33.3 × (30 − 30.5) − fees 0.0005 × (999 + 1015.65)
    expect(t?.pnl).toBeCloseTo(-16.65 - 1.007325, 9);
  });

  it('journals a decision whose rounded quantity is below the minimum as refused, and goes on', () => {
    const ex = new MockExchange('t', 10_000, rules(), EXITS);
    // 15 USDT at 30 → 0.5 steps… but 0.5 × 30 = 15 USDT is under the 20 USDT minimum
    const low = ex.enter(decision(0, { notional: 15 }), scan(0, 30), 1);
    expect(low.events).toEqual([
      {
        instance_id: 't',
        scan_number: 0,
        event: 'ENTRY_REFUSED',
        asset: 'AAAUSDT',
        detail: "order value 15 below AAA-USDT's minimum 20 USDT",
      },
    ]);
    const tiny = ex.enter(decision(1, { notional: 1 }), scan(1, 30), 2);
    expect(tiny.events[0]?.detail).toBe("quantity 0 below AAA-USDT's minimum 0.5");
    expect(ex.slotState()).toBe('FREE');
    expect(ex.enter(decision(2), scan(2, 30), 3).events[0]?.event).toBe('ENTRY_FILLED');
  });

  it('closes the whole position when a TP1 leg would be below the minimum', () => {
    const ex = new MockExchange('t', 10_000, rules(), EXITS);
    // 45 USDT at 30 → 1.5; TP1's half (0.75 → 0.7) is above 0.5 but 0.7 × 29.8 = 20.86 passes,
    // what it leaves (0.8 × 29.8 = 23.84) too: so take 30 USDT → 1.0, half 0.5 × 29.8 < 20.
    ex.enter(decision(0, { notional: 30 }), scan(0, 30), 1);
    const out = ex.mark(scan(1, 29.8), 2, true); // +0.67%: TP1
    expect(out.legs.map((l) => [l.reason, l.quantity])).toEqual([['TP1', 1]]);
    expect(out.trades[0]).toMatchObject({ exit_reason: 'TP1', quantity: 1 });
    expect(ex.slotState()).toBe('FREE');
  });

  it('refuses a symbol the venue does not list, and places at the capped leverage', () => {
    const ex = new MockExchange('t', 10_000, rules(), EXITS);
    const none = ex.enter(decision(0, { asset: 'BBBUSDT' }), scanOf(0, { BBBUSDT: 5 }), 1);
    expect(none.events[0]?.detail).toBe('no market for BBBUSDT on the venue');
    ex.enter(decision(1, { exchange_leverage: 5 }), scan(1, 30), 2);
    const out = ex.mark(scan(2, 31), 3, true);
    expect(out.trades[0]?.exchange_leverage).toBe(3);
    expect(out.trades[0]?.margin).toBeCloseTo((33.3 * 30) / 3, 9);
  });
});

describe('mock exchange caps that disarm (daily loss limit, orders per minute)', () => {
  const capped = (caps: Partial<ExecutionParams['caps']>) =>
    rulesOf({ ...X, caps: { ...X.caps, ...caps } });

  it('a loss past the daily limit disarms, flattens the position and refuses every later entry', () => {
    const ex = new MockExchange('t', 10_000, capped({ daily_loss_limit: 5 }), EXITS);
    ex.mark(scan(0, 100), 1, true);
    ex.enter(decision(0), scan(0, 100), 1); // 10 short at 100, fee 0.5
    // At 100.4: −4 marked − 0.5 fee = 4.5 lost: armed. At 100.5: 5.5 lost: disarmed.
    expect(ex.mark(scan(1, 100.4), 2, false).events).toEqual([]);
    const out = ex.mark(scan(2, 100.5), 3, false);
    expect(out.events.map((e) => e.event)).toEqual(['DISARMED']);
    expect(out.events[0]?.detail).toMatch(/^daily loss limit: 5\.5\d* USDT lost/);
    expect(out.legs.map((l) => [l.reason, l.quantity, l.price])).toEqual([
      ['DAILY_LOSS_LIMIT', 10, 100.5],
    ]);
    expect(out.trades[0]?.exit_reason).toBe('DAILY_LOSS_LIMIT');
    ex.mark(scan(3, 90), 4, true);
    const later = ex.enter(decision(3), scan(3, 90), 4);
    expect(later.events[0]).toMatchObject({ event: 'ENTRY_REFUSED' });
    expect(later.events[0]?.detail).toMatch(/^disarmed: daily loss limit/);
  });

  it('the day starts again at UTC midnight: yesterday’s loss does not count today', () => {
    const ex = new MockExchange('t', 10_000, capped({ daily_loss_limit: 5 }), EXITS);
    const day = 86_400_000;
    const midnight = Math.ceil(T0 / day) * day;
    const at = (n: number, ts: number, price: number) => scan(n, price, { ts });
    ex.mark(at(0, midnight - 10_000, 100), 1, false);
    ex.enter(decision(0), at(0, midnight - 10_000, 100), 1);
    // 4.5 lost before midnight; the new day starts from that equity: 1 more is not 5.
    ex.mark(at(1, midnight - 5_000, 100.4), 2, false);
    expect(ex.mark(at(2, midnight, 100.5), 3, false).events).toEqual([]);
    expect(ex.slotState()).toBe('OPEN');
  });

  it('one entry more than the cap in 60 s of scan time disarms, without flattening', () => {
    const ex = new MockExchange('t', 10_000, capped({ max_orders_per_minute: 1 }), EXITS);
    ex.enter(decision(0), scan(0, 100), 1);
    ex.mark(scan(1, 98.5), 2, true); // TP2: closed
    expect(ex.slotState()).toBe('FREE');
    const second = ex.enter(decision(2), scan(2, 100), 3);
    expect(second.events[0]?.detail).toMatch(/^disarmed: orders per minute: 1 entries/);
    expect(ex.enter(decision(20), scan(20, 100), 21).events[0]?.detail).toMatch(/^disarmed/);
  });
});

function scanOf(n: number, prices: Record<string, number>): Scan {
  const r = parseScan({ scan_number: n, ts: T0 + n * 5000, vel_div: -0.01, prices });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}
