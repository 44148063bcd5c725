import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nextDown } from '../common/float.js';
import { Rng } from '../common/rng/index.js';
import { PYTHON } from '../test-support/cli.js';
import { binOf, VEL_DIV_BINS } from './bins.js';

// The doc's definition run by CPython: edges, labels, and the bin of each sample.
const BINS_PY = `
import json, sys
vs = json.load(sys.stdin)
bins = [(round(-0.0225 - 0.0025 * k, 4), round(-0.02 - 0.0025 * k, 4)) for k in range(24)]
labels = [f"[{lo!r}, {hi!r})" for lo, hi in bins] + ["(-inf, -0.08)"]
def bin_of(v):
    for k, (lo, hi) in enumerate(bins):
        if lo <= v < hi:
            return k
    return 24 if v < -0.08 else None
print(json.dumps({"bins": bins, "labels": labels, "of": [bin_of(v) for v in vs]}))
`;

describe('VEL_DIV_BINS', () => {
  it('has 24 bounded bins of the doc plus the open last one, labelled like Python repr', () => {
    expect(VEL_DIV_BINS).toHaveLength(25);
    expect(VEL_DIV_BINS[0]).toEqual({
      index: 0,
      lo: -0.0225,
      hi: -0.02,
      label: '[-0.0225, -0.02)',
    });
    expect(VEL_DIV_BINS[1]?.label).toBe('[-0.025, -0.0225)');
    expect(VEL_DIV_BINS[23]).toEqual({
      index: 23,
      lo: -0.08,
      hi: -0.0775,
      label: '[-0.08, -0.0775)',
    });
    expect(VEL_DIV_BINS[24]).toEqual({ index: 24, lo: null, hi: -0.08, label: '(-inf, -0.08)' });
  });

  it('tiles (-inf, -0.02) without gaps: each lo is the next bin’s hi', () => {
    VEL_DIV_BINS.forEach((b, k) => {
      expect(b.index).toBe(k);
      if (k < 24) expect(b.lo).toBe(VEL_DIV_BINS[k + 1]?.hi);
    });
  });
});

describe('binOf', () => {
  it('puts lo in its bin, hi in the next one, and nothing at or above -0.02', () => {
    expect(binOf(-0.02)).toBeNull();
    expect(binOf(0.1)).toBeNull();
    expect(binOf(Number.NaN)).toBeNull();
    expect(binOf(nextDown(-0.02))).toBe(0);
    expect(binOf(-0.0225)).toBe(0);
    expect(binOf(nextDown(-0.0225))).toBe(1);
    expect(binOf(-0.05)).toBe(11);
    expect(binOf(-0.08)).toBe(23);
    expect(binOf(nextDown(-0.08))).toBe(24);
    expect(binOf(-5)).toBe(24);
    expect(binOf(Number.NEGATIVE_INFINITY)).toBe(24);
  });

  it('agrees with CPython on edges, labels and seeded values including every edge', () => {
    const rng = new Rng(4242);
    const vs: number[] = [];
    for (const b of VEL_DIV_BINS) {
      vs.push(b.hi, nextDown(b.hi));
      if (b.lo !== null) vs.push(b.lo, nextDown(b.lo));
    }
    for (let i = 0; i < 2000; i++) vs.push(rng.uniform(-0.1, 0));
    const py = spawnSync(PYTHON, ['-c', BINS_PY], {
      input: JSON.stringify(vs),
      encoding: 'utf8',
    });
    expect(py.status, py.stderr).toBe(0);
    const want = JSON.parse(py.stdout) as {
      bins: number[][];
      labels: string[];
      of: (number | null)[];
    };
    expect(VEL_DIV_BINS.slice(0, 24).map((b) => [b.lo, b.hi])).toEqual(want.bins);
    expect(VEL_DIV_BINS.map((b) => b.label)).toEqual(want.labels);
    expect(vs.map(binOf)).toEqual(want.of);
  });
});
