import ccxt from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { market, rulesOf } from '../../test-support/markets.js';
import { CAPS, EXECUTION, fromUnits, toUnits } from './index.js';

const { decimalToPrecision, TRUNCATE, ROUND, TICK_SIZE, NO_PADDING } = ccxt;

/** What ccxt sends for x at 10^-d: `amountToPrecision` truncates, `priceToPrecision` rounds. */
const ccxtSends = (x: number, d: number, mode: number) =>
  Number(decimalToPrecision(x, mode, Number(`1e-${d}`), TICK_SIZE, NO_PADDING));

/** Doubles as quantities and prices come: any magnitude, and decimal ties of every length. */
const amounts = fc.oneof(
  fc.double({ min: 1e-9, max: 1e9, noNaN: true }),
  fc
    .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 9 }))
    .map(([m, e]) => (m * 10 + 5) / 10 ** (e + 1)),
  fc.constantFrom(0.3, 0.1 + 0.2, 2.675, 1.005, 1e-7, 123456.78905, 0),
);

describe('execution rules: rounding as the venue client does it', () => {
  it('truncates quantities exactly as ccxt amountToPrecision, and ccxt sends them unchanged', () => {
    fc.assert(
      fc.property(amounts, fc.integer({ min: 0, max: 10 }), (x, d) => {
        const down = toUnits(x, d, 'down');
        if (down === null) return;
        const q = fromUnits(down, d);
        expect(q).toBe(ccxtSends(x, d, TRUNCATE));
        expect(ccxtSends(q, d, TRUNCATE)).toBe(q);
      }),
      { numRuns: 20_000 },
    );
  });

  it('puts prices on the tick so that ccxt priceToPrecision sends them unchanged', () => {
    // ccxt rounds a price through a binary remainder (x % tick, to 8 places): a price the
    // rules already put on the tick is one it leaves as it is, so the venue sees ours.
    fc.assert(
      fc.property(amounts, fc.integer({ min: 0, max: 8 }), (x, d) => {
        // Within a double's digits: up to 10^14 ticks (BTC at 0.1 is under 10^7).
        fc.pre(x * 10 ** d < 1e14);
        const near = toUnits(x, d, 'nearest');
        if (near === null) return;
        const p = fromUnits(near, d);
        expect(ccxtSends(p, d, ROUND)).toBe(p);
        expect(Math.abs(p - x)).toBeLessThanOrEqual(Number(`1e-${d}`) / 2 + Math.abs(x) * 1e-15);
      }),
      { numRuns: 20_000 },
    );
  });

  it('counts steps on the decimal text, not on a binary product', () => {
    expect(toUnits(0.3, 1, 'down')).toBe(3); // 0.3 × 10 = 2.9999999999999996
    expect(toUnits(1.005, 2, 'nearest')).toBe(101); // the text's tie, rounded up
    expect(toUnits(1e-7, 4, 'down')).toBe(0);
    expect(toUnits(1.5e21, 0, 'down')).toBeNull(); // past 2^53 steps
    expect(toUnits(-1, 2, 'down')).toBeNull();
    expect(toUnits(Number.NaN, 2, 'down')).toBeNull();
  });
});

describe('execution rules: entries', () => {
  const btc = market('BTCUSDT', {
    priceDecimals: 1,
    quantityDecimals: 4,
    minQuantity: 0.0001,
    minNotional: 2,
  });

  it('truncates the quantity to the step and keeps the decision within the caps', () => {
    const r = rulesOf(EXECUTION, btc);
    // 1000 / 60000 = 0.016666… → 0.0166 (truncated, never rounded up)
    expect(r.planEntry('BTCUSDT', 1000, 2, 60_000)).toMatchObject({
      ok: true,
      units: 166,
      quantity: 0.0166,
      leverage: 2,
      capped: '',
    });
    const capped = rulesOf(
      { ...EXECUTION, caps: { ...CAPS, max_notional: 500, max_exchange_leverage: 2 } },
      btc,
    );
    expect(capped.planEntry('BTCUSDT', 1000, 3, 60_000)).toMatchObject({
      ok: true,
      quantity: 0.0083,
      leverage: 2,
      capped: 'notional 1000 capped at 500; leverage 3 capped at 2',
    });
  });

  it('refuses below the minimum quantity or value, unknown and closed markets, and symbols the caps leave out', () => {
    const eth = market('ETHUSDT', { quantityDecimals: 2, minQuantity: 0.01, minNotional: 2 });
    const halted = market('ZZZUSDT', { tradable: false });
    const r = rulesOf(EXECUTION, btc, eth, halted);
    expect(r.planEntry('ETHUSDT', 29, 1, 3000)).toEqual({
      ok: false,
      reason: "quantity 0 below ETH-USDT's minimum 0.01",
    });
    expect(r.planEntry('BTCUSDT', 1.5, 1, 10)).toEqual({
      ok: false,
      reason: "order value 1.5 below BTC-USDT's minimum 2 USDT",
    });
    expect(r.planEntry('NOPEUSDT', 100, 1, 1)).toEqual({
      ok: false,
      reason: 'no market for NOPEUSDT on the venue',
    });
    expect(r.planEntry('ZZZUSDT', 100, 1, 1)).toMatchObject({ ok: false });
    const only = rulesOf({ ...EXECUTION, caps: { ...CAPS, symbols: ['ETHUSDT'] } }, btc, eth);
    expect(only.planEntry('BTCUSDT', 1000, 1, 60_000)).toEqual({
      ok: false,
      reason: 'BTCUSDT is not among the allowed symbols',
    });
    expect(only.planEntry('ETHUSDT', 1000, 1, 3000)).toMatchObject({ ok: true, quantity: 0.33 });
  });

  it('places no entry above the market’s own leverage limit', () => {
    const sol = market('SOLUSDT', { maxShortLeverage: 2 });
    expect(rulesOf(EXECUTION, sol).planEntry('SOLUSDT', 100, 3, 150)).toMatchObject({
      ok: true,
      leverage: 2,
    });
  });
});

describe('execution rules: exits', () => {
  const eth = market('ETHUSDT', { quantityDecimals: 2, minQuantity: 0.05, minNotional: 0 });
  const r = rulesOf(EXECUTION, eth);

  it('truncates a leg to the step and leaves the rest open when both sides stay above the minimum', () => {
    expect(r.exitUnits(eth, 0.157, 40, 3000)).toBe(15);
  });

  it('closes the whole position when the leg, or what it would leave, is below the minimum', () => {
    expect(r.exitUnits(eth, 0.04, 40, 3000)).toBe(40); // leg 0.04 < 0.05
    expect(r.exitUnits(eth, 0.37, 40, 3000)).toBe(40); // would leave 0.03 < 0.05
    const valued = market('ETHUSDT', { quantityDecimals: 2, minQuantity: 0.01, minNotional: 5 });
    // leg 0.01 × 3000 = 30 USDT passes; leaving 0.001… no: leaving 0.01 × 100 = 1 USDT does not
    expect(rulesOf(EXECUTION, valued).exitUnits(valued, 0.01, 2, 100)).toBe(2);
  });

  it('puts fills on the tick, the slippage against the order', () => {
    const x = { ...EXECUTION, slippage_bps: 1 };
    const btc = market('BTCUSDT', { priceDecimals: 1 });
    const rules = rulesOf(x, btc);
    expect(rules.takerFill(btc, 60_000, 'sell')).toBe(59_994); // 60000 × 0.9999
    expect(rules.takerFill(btc, 60_000.04, 'buy')).toBe(60_006.0);
    expect(rules.toTick(btc, 123.45)).toBe(123.5);
  });

  it('pays funding at each 8-hour mark of UTC time crossed', () => {
    const r8 = rulesOf(EXECUTION);
    const h = 3_600_000;
    expect(r8.fundingDue(8 * h - 1, 8 * h)).toBe(true);
    expect(r8.fundingDue(8 * h, 16 * h - 1)).toBe(false);
    expect(r8.fundingDue(7 * h, 17 * h)).toBe(true);
  });
});
