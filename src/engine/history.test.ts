import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { returnsOf } from '../kernel/index.js';
import { PriceHistory } from './history.js';

describe('bounded price history', () => {
  it('holds the last prices and returns exactly as computed from the full series', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e5, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (prices) => {
          const h = new PriceHistory(21);
          for (const [i, p] of prices.entries()) h.push('BTCUSDT', p, i + 1);
          const held = prices.slice(-21);
          expect([...h.returns('BTCUSDT')]).toEqual(returnsOf(held));
          // The window the selector reads covers the same returns, without a copy.
          const w = h.window('BTCUSDT');
          expect(Array.from(w.values).slice(w.end - w.length, w.end)).toEqual(returnsOf(held));
          expect(h.ago('BTCUSDT', 0)).toBe(prices.at(-1));
          expect(h.ago('BTCUSDT', 7)).toBe(prices.length > 7 ? prices.at(-8) : null);
        },
      ),
    );
  });

  it('restarts a symbol that missed a scan', () => {
    const h = new PriceHistory(21);
    h.push('ETHUSDT', 10, 1);
    h.push('ETHUSDT', 11, 2);
    h.push('ETHUSDT', 12, 4);
    expect([...h.returns('ETHUSDT')]).toEqual([]);
    expect(h.window('ETHUSDT').length).toBe(0);
    expect(h.window('XRPUSDT').length).toBe(0);
    expect(h.ago('ETHUSDT', 1)).toBeNull();
  });
});
