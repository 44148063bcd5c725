import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../common/rng/index.js';
import { quantile as exactQuantile } from '../studies/quantile.js';
import { rankError, STREAMS, stream } from '../test-support/streams.js';
import { FormatError } from './bytes.js';
import { TDIGEST_MAX_SPAN } from './params.js';
import { TDigest } from './tdigest.js';

const N = 1_000_000;
// Issue 17's bounds on rank error for a t-digest of at most 2 KB.
const BOUNDS = [
  [0.5, 5e-4],
  [0.99, 1e-4],
  [0.999, 2e-5],
] as const;
const MAX_BYTES = 2048;

function digestOf(xs: ArrayLike<number>, from = 0, to = xs.length): TDigest {
  const d = new TDigest();
  for (let i = from; i < to; i++) d.add(xs[i] as number);
  return d;
}

function expectWithinBounds(d: TDigest, sorted: Float64Array): void {
  for (const [q, bound] of BOUNDS) {
    expect(rankError(sorted, q, d.quantile(q)), `q = ${q}`).toBeLessThanOrEqual(bound);
    // The mirrored quantile: the low tail is held as well as the high one.
    expect(rankError(sorted, 1 - q, d.quantile(1 - q)), `q = ${1 - q}`).toBeLessThanOrEqual(bound);
  }
  expect(d.bytes()).toBeLessThanOrEqual(MAX_BYTES);
}

describe('t-digest on 1,000,000-value streams', () => {
  for (const name of STREAMS) {
    it(`${name}: rank error within the bounds at ≤ 2 KB`, () => {
      const xs = stream(name, N, 17);
      expectWithinBounds(digestOf(xs), xs.slice().sort());
    });
  }

  for (const name of ['lognormal', 'sorted-asc', 'pareto'] as const) {
    it(`${name}: 16 shard digests merged in any order stay within the bounds`, () => {
      const xs = stream(name, N, 17);
      const sorted = xs.slice().sort();
      const shards = Array.from({ length: 16 }, (_, s) =>
        digestOf(xs, (s * N) / 16, ((s + 1) * N) / 16).serialize(),
      );
      const orders = [
        Array.from({ length: 16 }, (_, i) => i),
        Array.from({ length: 16 }, (_, i) => 15 - i),
        [7, 3, 12, 0, 15, 9, 1, 4, 11, 6, 14, 2, 13, 5, 10, 8],
      ];
      for (const [first, ...rest] of orders) {
        const d = TDigest.deserialize(shards[first as number] as Uint8Array);
        for (const s of rest) d.merge(TDigest.deserialize(shards[s] as Uint8Array));
        expect(d.n).toBe(N);
        expectWithinBounds(d, sorted);
      }
    });
  }
});

describe('t-digest traps', () => {
  it('duplicates piling into one centroid: a repeated value is returned exactly', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 200_000 }, () => (rng.chance(0.6) ? 42 : rng.normal() * 100));
    const d = digestOf(xs);
    const sorted = Float64Array.from(xs).sort();
    for (const q of [0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      expect(rankError(sorted, q, d.quantile(q)), `q = ${q}`).toBeLessThanOrEqual(5e-4);
    }
    const lo = sorted.indexOf(42) / xs.length;
    expect(d.quantile(lo + 0.05)).toBe(42);
    expect(d.quantile(lo + 0.55)).toBe(42);
    const same = digestOf(new Array(100_000).fill(-7.25));
    for (const q of [0, 0.001, 0.5, 0.999, 1]) expect(same.quantile(q)).toBe(-7.25);
    expect(same.rank(-7.25)).toBe(1);
    expect(same.rank(-7.26)).toBe(0);
  });

  it('sorted input: ascending and descending are held like shuffled input', () => {
    for (const name of ['sorted-asc', 'sorted-desc'] as const) {
      const xs = stream(name, 200_000, 5);
      const sorted = xs.slice().sort();
      const d = digestOf(xs);
      for (const q of [0.001, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999]) {
        expect(rankError(sorted, q, d.quantile(q)), `${name} q = ${q}`).toBeLessThanOrEqual(5e-4);
      }
    }
  });

  it('merge-order dependence: disjoint shards merged in every rotation agree', () => {
    const xs = stream('sorted-asc', 160_000, 9);
    const shards = Array.from({ length: 8 }, (_, s) => digestOf(xs, s * 20_000, (s + 1) * 20_000));
    const answers = new Set<string>();
    for (let r = 0; r < 8; r++) {
      const d = new TDigest();
      for (let k = 0; k < 8; k++) d.merge(shards[(r + k * 3) % 8] as TDigest);
      for (const q of [0.001, 0.5, 0.999]) {
        expect(rankError(xs, q, d.quantile(q))).toBeLessThanOrEqual(5e-4);
      }
      answers.add(JSON.stringify([0.25, 0.5, 0.99].map((q) => d.quantile(q))));
    }
    // One compression over all merged centroids: the order leaves no trace at all here.
    expect(answers.size).toBe(1);
  });

  it('the negative half is not lost on merge', () => {
    const rng = new Rng(11);
    const neg = digestOf(Array.from({ length: 50_000 }, () => -1 - rng.next()));
    const pos = digestOf(Array.from({ length: 50_000 }, () => 1 + rng.next()));
    const merged = new TDigest();
    merged.merge(new TDigest());
    merged.merge(neg);
    merged.merge(pos);
    expect(merged.n).toBe(100_000);
    expect(merged.min).toBe(neg.min);
    expect(merged.min).toBeLessThan(-1);
    expect(merged.quantile(0.25)).toBeLessThan(-1);
    expect(merged.quantile(0.75)).toBeGreaterThan(1);
    // The centroid over the gap may hold values of both signs: half its span at most.
    expect(Math.abs(merged.rank(0) - 0.5)).toBeLessThanOrEqual(TDIGEST_MAX_SPAN / 2);
    const onlyNeg = digestOf([-3, -2, -1]);
    onlyNeg.merge(new TDigest());
    expect(onlyNeg.max).toBe(-1);
    expect(onlyNeg.quantile(1)).toBe(-1);
  });

  it('relative error means nothing near zero: rank error is what is held there', () => {
    // The median of a stream symmetric about 0 is a tiny number of either sign: a
    // relative-error sketch promises nothing for it, a rank bound still does.
    const xs = stream('uniform', N, 23).map((x) => x * 1e-12);
    const sorted = xs.slice().sort();
    const d = digestOf(xs);
    const v = d.quantile(0.5);
    expect(Math.abs(v)).toBeLessThan(1e-14);
    expect(rankError(sorted, 0.5, v)).toBeLessThanOrEqual(5e-4);
    expect(Math.abs(d.rank(0) - 0.5)).toBeLessThanOrEqual(5e-4);
  });
});

describe('t-digest determinism and format', () => {
  it('the same stream gives the same bytes; no Math.random', () => {
    const xs = stream('lognormal', 100_000, 1);
    const random = Math.random;
    Math.random = () => {
      throw new Error('Math.random read');
    };
    try {
      expect(digestOf(xs).serialize()).toEqual(digestOf(xs).serialize());
    } finally {
      Math.random = random;
    }
  });

  it('serialization round-trips exactly, and the copy goes on like the original', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 3000 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 3000 }),
        (first, then) => {
          const a = digestOf(first);
          const bytes = a.serialize();
          const b = TDigest.deserialize(bytes);
          expect(b.serialize()).toEqual(bytes);
          for (const q of [0, 0.01, 0.5, 0.99, 1]) expect(b.quantile(q)).toBe(a.quantile(q));
          for (const x of then) {
            a.add(x);
            b.add(x);
          }
          expect(b.serialize()).toEqual(a.serialize());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('small streams: quantiles are exact order statistics until centroids merge', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 40 }),
        (xs) => {
          const d = digestOf(xs);
          const sorted = Float64Array.from(xs).sort();
          for (const q of [0, 0.1, 0.5, 0.9, 1]) {
            expect(rankError(sorted, q, d.quantile(q))).toBe(0);
          }
          expect(d.rank(exactQuantile(sorted, 1))).toBe(1);
        },
      ),
    );
  });

  it('refuses non-finite values and malformed bytes', () => {
    const d = new TDigest();
    expect(() => d.add(Number.NaN)).toThrow(RangeError);
    expect(() => d.add(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(Number.isNaN(d.quantile(0.5))).toBe(true);
    const bytes = digestOf([1, 2, 3]).serialize();
    expect(() => TDigest.deserialize(bytes.slice(0, -1))).toThrow(FormatError);
    expect(() => TDigest.deserialize(Uint8Array.of(9, ...bytes.slice(1)))).toThrow(/version 9/);
    expect(() => TDigest.deserialize(Uint8Array.of(...bytes, 0))).toThrow(/trailing/);
  });
});
