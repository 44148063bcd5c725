import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Rng } from '../common/rng/index.js';
import { PYTHON } from '../test-support/cli.js';
import { quantile } from './quantile.js';

const QS = [0, 0.01, 0.05, 0.25, 1 / 3, 0.5, 0.75, 0.95, 0.99, 1];

// numpy.quantile with its default method ('linear') on each sample, for every q.
const NUMPY = `
import json, sys, numpy as np
samples = json.load(sys.stdin)
qs = ${JSON.stringify(QS)}
print(json.dumps([[float(np.quantile(np.array(s, dtype=np.float64), q)) for q in qs] for s in samples]))
`;

function samples(): number[][] {
  const rng = new Rng(20260614);
  const out: number[][] = [];
  for (const n of [1, 2, 3, 4, 7, 10, 101, 1000, 4878]) {
    out.push(Array.from({ length: n }, () => rng.uniform(-0.2, 0)));
    out.push(Array.from({ length: n }, () => rng.normal() * 1e3));
    // ties, as leverages saturated at 9 produce
    out.push(Array.from({ length: n }, () => rng.pick([0.5, 1.315, 9, 9, 9])));
  }
  return out.map((s) => s.sort((a, b) => a - b));
}

function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

describe('quantile', () => {
  it('matches numpy.quantile (linear) on seeded samples within 1e-12 relative', () => {
    const xs = samples();
    const py = spawnSync(PYTHON, ['-c', NUMPY], { input: JSON.stringify(xs), encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const want = JSON.parse(py.stdout) as number[][];
    let worst = 0;
    xs.forEach((s, i) => {
      QS.forEach((q, j) => {
        worst = Math.max(worst, relDiff(quantile(s, q), want[i]?.[j] as number));
      });
    });
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('interpolates linearly between neighbours and hits the ends at q = 0 and 1', () => {
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([-0.05, -0.04, -0.03], 0.5)).toBe(-0.04);
    expect(quantile([7], 0.95)).toBe(7);
  });

  it('is NaN for an empty sample and refuses q outside [0, 1]', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError);
  });
});
