import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankError, stream } from '../test-support/streams.js';
import {
  DecayedReservoir,
  deserialize,
  Ewma,
  Reservoir,
  RollingTDigest,
  TDigest,
} from './index.js';

const xs = stream('lognormal', 200_000, 8);
const sorted = xs.slice().sort();

describe('reservoirs', () => {
  it('uniform: quantiles of a 4096 sample are within a few hundredths in rank', () => {
    const r = new Reservoir(4096, 3);
    for (const x of xs) r.add(x);
    expect(r.n).toBe(xs.length);
    for (const q of [0.1, 0.5, 0.9]) expect(rankError(sorted, q, r.quantile(q))).toBeLessThan(0.03);
  });

  it('uniform: the same seed gives the same sample, another seed another', () => {
    const bytes = (seed: number) => {
      const r = new Reservoir(256, seed);
      for (const x of xs.subarray(0, 10_000)) r.add(x);
      return r.serialize();
    };
    expect(bytes(5)).toEqual(bytes(5));
    expect(bytes(5)).not.toEqual(bytes(6));
  });

  it('uniform: a merge draws from both sides in proportion to their streams', () => {
    const a = new Reservoir(2000, 1);
    const b = new Reservoir(2000, 2);
    for (let i = 0; i < 30_000; i++) a.add(-1);
    for (let i = 0; i < 10_000; i++) b.add(1);
    a.merge(b);
    expect(a.n).toBe(40_000);
    expect(a.rank(0)).toBeGreaterThan(0.7);
    expect(a.rank(0)).toBeLessThan(0.8);
  });

  it('decayed: recent values dominate after a level shift', () => {
    const r = new DecayedReservoir(1000, 512, 9);
    for (let i = 0; i < 50_000; i++) r.add(i < 45_000 ? 0 : 1);
    // 5,000 values = 5 half-lives since the shift: ~97% of the weight is on 1.
    expect(r.quantile(0.1)).toBe(1);
    const u = new Reservoir(512, 9);
    for (let i = 0; i < 50_000; i++) u.add(i < 45_000 ? 0 : 1);
    expect(u.quantile(0.5)).toBe(0);
  });

  it('both round-trip exactly and go on like the original', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 300 }),
        (vs) => {
          for (const s of [new Reservoir(16, 4), new DecayedReservoir(10, 16, 4)]) {
            for (const v of vs) s.add(v);
            const r = deserialize(s.serialize());
            if (!r.ok) throw new Error(r.reason);
            const copy = r.value as Reservoir | DecayedReservoir;
            for (const v of vs) {
              s.add(v);
              copy.add(v);
            }
            expect(copy.serialize()).toEqual(s.serialize());
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('EWMA', () => {
  it('converges to the mean and variance of a stationary stream', () => {
    const e = new Ewma(0.001);
    const u = stream('uniform', 200_000, 2);
    for (const x of u) e.add(x);
    expect(Math.abs(e.mean)).toBeLessThan(0.1);
    expect(e.variance).toBeGreaterThan(1 / 3 - 0.05);
    expect(e.variance).toBeLessThan(1 / 3 + 0.05);
    const r = deserialize(e.serialize());
    expect(r.ok && r.value instanceof Ewma && r.value.variance === e.variance).toBe(true);
  });

  it('weights the newest value by alpha', () => {
    const e = new Ewma(0.25);
    e.add(0);
    e.add(4);
    expect(e.mean).toBe(1);
    expect(e.variance).toBe(3);
  });
});

describe('rolling t-digest', () => {
  it('forgets values older than its window, holds at most `buckets` digests', () => {
    const r = new RollingTDigest(10_000, 10);
    for (let i = 0; i < 50_000; i++) r.add(i < 40_000 ? -1 : i);
    expect(r.n).toBeLessThanOrEqual(10_000);
    expect(r.n).toBeGreaterThanOrEqual(9_000);
    expect(r.quantile(0)).toBeGreaterThanOrEqual(40_000);
    const w = stream('uniform', 20_000, 3);
    const tail = w.slice(10_000).sort();
    for (const x of w) r.add(x);
    expect(rankError(tail, 0.5, r.quantile(0.5))).toBeLessThan(1e-3);
    const back = deserialize(r.serialize());
    expect(back.ok && (back.value as RollingTDigest).quantile(0.5) === r.quantile(0.5)).toBe(true);
  });
});

describe('deserialize', () => {
  it('names what is wrong with bytes it cannot read', () => {
    const bad = deserialize(Uint8Array.of(1, 99));
    expect(bad).toEqual({ ok: false, reason: 'sketch bytes: unknown sketch kind 99' });
    const d = new TDigest();
    d.add(1);
    const cut = deserialize(d.serialize().slice(0, 5));
    expect(cut.ok).toBe(false);
  });
});
