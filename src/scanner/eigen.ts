// λmax of a correlation matrix by the full symmetric eigensolver (ml-matrix, the
// Householder + QL method of LAPACK's lineage): for a few members, and when the warm-started
// power iteration (kernel.wat) cannot vouch for its answer.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Largest eigenvalue of the symmetric m×m matrix `a` (row-major), by the full solver. */
export function lambdaMaxFull(a: Float64Array, m: number): number {
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) rows.push(Array.from(a.subarray(i * m, i * m + m)));
  const values = new EigenvalueDecomposition(new Matrix(rows), {
    assumeSymmetric: true,
  }).realEigenvalues;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of values) if (x > max) max = x;
  return max;
}
