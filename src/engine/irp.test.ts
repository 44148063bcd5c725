import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { irpFromReturns, irpFromSums } from '../kernel/index.js';
import { SELECTOR } from '../kernel/params/index.js';
import { PriceHistory } from './history.js';

const price = fc.oneof(
  fc.double({ min: Number.MIN_VALUE, max: 1e300, noNaN: true }),
  fc.constantFrom(1, 1, 2, 5e-324, 1e300, 0.1, 0.30000000000000004),
);

describe('the selector sums in WebAssembly (PriceHistory.windowSums)', () => {
  it('give, bit for bit, the IRP the selector computes over the same returns, for both directions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(price, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(-1, 1),
        (series, n, d) => {
          const h = new PriceHistory(13);
          const symbols = series.map((_, k) => `S${k}`);
          const longest = Math.max(...series.map((s) => s.length));
          for (let t = 0; t < longest; t++) {
            series.forEach((s, k) => {
              // A series ends early: that symbol stops being pushed (its history stays).
              if (t < s.length) h.push(symbols[k] as string, s[t] as number, t + 1);
            });
          }
          const { sums, enough } = h.windowSums(symbols, n, d);
          const p = { ...SELECTOR, irp_lookback: n };
          symbols.forEach((s, k) => {
            const held = h.returns(s);
            const want = irpFromReturns(
              held.slice(held.length - Math.min(held.length, n)),
              d === -1 ? 'SHORT' : 'LONG',
              p,
            );
            expect(enough[k] === 1).toBe(want !== null);
            if (want === null) return;
            const got = { irpScore: 0, alignment: 0 };
            irpFromSums(
              sums[3 * k] as number,
              sums[3 * k + 1] as number,
              sums[3 * k + 2] as number,
              n,
              got,
            );
            expect(Object.is(got.irpScore, want.irpScore)).toBe(true);
            expect(Object.is(got.alignment, want.alignment)).toBe(true);
          });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('holds its rings when the memory grows (thousands of symbols)', () => {
    const h = new PriceHistory(21);
    const symbols = Array.from({ length: 5000 }, (_, k) => `S${k}`);
    for (let t = 1; t <= 25; t++) {
      for (const [k, s] of symbols.entries()) h.push(s, 100 + ((k * t) % 7), t);
    }
    const { sums, enough } = h.windowSums(symbols, 20, -1);
    const p = { ...SELECTOR, irp_lookback: 20 };
    for (const k of [0, 1, 2499, 4999]) {
      expect(enough[k]).toBe(1);
      const want = irpFromReturns(h.returns(symbols[k] as string).slice(-20), 'SHORT', p);
      const got = { irpScore: 0, alignment: 0 };
      irpFromSums(
        sums[3 * k] as number,
        sums[3 * k + 1] as number,
        sums[3 * k + 2] as number,
        20,
        got,
      );
      expect(got).toEqual(want);
      expect(h.window(symbols[k] as string).values.length).toBe(42);
    }
  });
});
