// Quantiles for the studies: numpy's default (`numpy.quantile(a, q)`, method 'linear'),
// so a number in a VIOLET report can be checked against the same number in a notebook.

/**
 * The q-quantile of an ascending-sorted sample (h = (n − 1)·q, linear between the two
 * neighbours of h); NaN for an empty sample. The interpolation is numpy's `_lerp`, which
 * computes from the upper neighbour when the weight is ≥ 0.5, so results agree bit for bit.
 */
export function quantile(sortedAscending: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  if (h >= n - 1) return sortedAscending[n - 1] as number;
  const lo = Math.floor(h);
  const t = h - lo;
  const a = sortedAscending[lo] as number;
  const b = sortedAscending[lo + 1] as number;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
