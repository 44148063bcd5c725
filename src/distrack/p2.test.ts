import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../common/rng/index.js';
import { quantile as exactQuantile } from '../studies/quantile.js';
import { rankError, stream } from '../test-support/streams.js';
import { deserialize } from './index.js';
import { P2 } from './p2.js';
import { POOL_QUANTILES } from './params.js';
import { SketchPool } from './pool.js';

const value = fc.oneof(
  fc.double({ min: -1e9, max: 1e9, noNaN: true }),
  fc.integer({ min: -3, max: 3 }),
);

describe('P²', () => {
  // P² has no error bound of its own: a heuristic, watched here for gross failure.
  it('tracks the median and the tails of shuffled streams (1,000,000 values)', () => {
    for (const name of ['uniform', 'lognormal', 'bimodal'] as const) {
      const xs = stream(name, 1_000_000, 17);
      const p2 = new P2([0.5, 0.99, 0.999]);
      for (const x of xs) p2.add(x);
      const sorted = xs.slice().sort();
      for (const q of [0.5, 0.99, 0.999]) {
        expect(rankError(sorted, q, p2.quantile(q)), `${name} q = ${q}`).toBeLessThanOrEqual(5e-3);
      }
    }
  });

  it('is exact below five values, and stays within the values seen', () => {
    fc.assert(
      // Marker sets are independent: P² does not promise q = 0.25 ≤ q = 0.5 across them.
      fc.property(fc.array(value, { minLength: 1, maxLength: 200 }), (xs) => {
        const p2 = new P2([0.25, 0.5, 0.9]);
        for (const x of xs) p2.add(x);
        const sorted = Float64Array.from(xs).sort();
        const lo = sorted[0] as number;
        const hi = sorted[sorted.length - 1] as number;
        for (const q of [0.25, 0.5, 0.9]) {
          const v = p2.quantile(q);
          if (xs.length < 5) expect(v).toBe(exactQuantile(sorted, q));
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(hi);
        }
        expect(p2.rank(hi)).toBe(1);
      }),
    );
  });

  it('round-trips its bytes and goes on like the original', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 100 }),
        fc.array(value, { maxLength: 100 }),
        (a, b) => {
          const p = new P2([0.5, 0.99]);
          for (const x of a) p.add(x);
          const r = deserialize(p.serialize());
          if (!r.ok || !(r.value instanceof P2)) throw new Error('not a P²');
          const copy = r.value;
          expect(copy.serialize()).toEqual(p.serialize());
          for (const x of b) {
            p.add(x);
            copy.add(x);
          }
          expect(copy.serialize()).toEqual(p.serialize());
        },
      ),
    );
  });
});

describe('SketchPool', () => {
  it('is within 256 bytes an instance', () => {
    expect(SketchPool.bytesPerInstance).toBeLessThanOrEqual(256);
    expect(new SketchPool(1000).bytes()).toBe(1000 * SketchPool.bytesPerInstance);
  });

  it('equals the object P² bit for bit, instance by instance', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), value), { maxLength: 400 }),
        (updates) => {
          const pool = new SketchPool(5);
          const objects = Array.from({ length: 5 }, () => new P2(POOL_QUANTILES));
          for (const [i, x] of updates) {
            pool.add(i, x);
            (objects[i] as P2).add(x);
          }
          for (let i = 0; i < 5; i++) {
            expect(pool.n(i)).toBe((objects[i] as P2).n);
            POOL_QUANTILES.forEach((q, j) => {
              expect(Object.is(pool.quantile(i, j), (objects[i] as P2).quantile(q))).toBe(true);
            });
          }
        },
      ),
    );
  });

  it('keeps instances apart over a long interleaved stream', () => {
    const rng = new Rng(4);
    const pool = new SketchPool(3);
    const solo = new P2(POOL_QUANTILES);
    for (let k = 0; k < 100_000; k++) {
      const x = rng.normal();
      pool.add(k % 3, k % 3 === 1 ? x : 1000 + x);
      if (k % 3 === 1) solo.add(x);
    }
    expect(pool.quantile(1, 1)).toBe(solo.quantile(0.99));
    expect(pool.quantile(0, 0)).toBeGreaterThan(990);
    expect(Math.abs(pool.mean(1))).toBeLessThan(0.5);
    expect(pool.variance(1)).toBeGreaterThan(0.5);
    expect(pool.variance(1)).toBeLessThan(2);
  });
});
