// Seeded value streams for the sketches' accuracy tests and bench (issue 17's list), and
// the rank error the acceptance bounds are stated in.
import { Rng } from '../common/rng/index.js';

export const STREAMS = [
  'uniform',
  'lognormal',
  'pareto',
  'bimodal',
  'sorted-asc',
  'sorted-desc',
  'repeats',
] as const;
export type StreamName = (typeof STREAMS)[number];

export function stream(name: StreamName, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (name) {
      case 'uniform':
      case 'sorted-asc':
      case 'sorted-desc':
        xs[i] = rng.uniform(-1, 1);
        break;
      case 'lognormal':
        xs[i] = Math.exp(rng.normal());
        break;
      case 'pareto':
        // α = 1.2: a finite mean, an infinite variance.
        xs[i] = (1 - rng.next()) ** (-1 / 1.2);
        break;
      case 'bimodal':
        xs[i] = rng.chance(0.7) ? rng.normal() : 10 + 0.5 * rng.normal();
        break;
      case 'repeats':
        // 20 distinct values, one of them half the stream.
        xs[i] = rng.chance(0.5) ? 3 : rng.int(0, 19) / 4;
        break;
    }
  }
  if (name === 'sorted-asc') xs.sort();
  if (name === 'sorted-desc') xs.sort().reverse();
  return xs;
}

/** Index of the first element of `sorted` that is ≥ x (strict: > x). */
function bound(sorted: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (strict ? v <= x : v < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rank error of estimate v for quantile q: the distance from q to the tie interval of v,
 * [#(< v), #(≤ v)] / n — 0 when q falls inside it.
 */
export function rankError(sorted: Float64Array, q: number, v: number): number {
  const n = sorted.length;
  const lo = bound(sorted, v, false) / n;
  const hi = bound(sorted, v, true) / n;
  return Math.max(0, lo - q, q - hi);
}
