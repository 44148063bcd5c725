// λmax of a correlation matrix: a power iteration warm-started from the previous scan's
// eigenvector, accepted only under a bound on its error; the full symmetric eigensolver
// (ml-matrix, the Householder + QL method of LAPACK's lineage) otherwise.
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

/** The error the iteration accepts, relative to λ: 100 times inside the spec's 1e-9. */
const REL_TOL = 1e-11;
const MAX_ITER = 200;

export interface PowerResult {
  /** λmax, or NaN when the iteration could not vouch for it (use the full solver). */
  readonly lambda: number;
  readonly iterations: number;
}

/**
 * Power iteration on the positive semidefinite m×m matrix `a`, from `v` (overwritten with
 * the eigenvector). The Rayleigh quotient θ of a unit v with residual r = Av − θv lies
 * within ‖r‖²/δ of λmax, δ the gap to the rest of the spectrum; δ is bounded below by
 * θ − √(‖A‖F² − θ²) (the other eigenvalues' squares sum to at most ‖A‖F² − θ²).
 */
export function lambdaMaxPower(
  a: Float64Array,
  m: number,
  v: Float64Array,
  y: Float64Array,
  /** ‖a‖F², when the caller has it. */
  frobenius?: number,
): PowerResult {
  let frob = frobenius ?? 0;
  if (frobenius === undefined) {
    for (let i = 0; i < m * m; i++) frob += (a[i] as number) * (a[i] as number);
  }
  normalize(v, m);
  for (let it = 1; it <= MAX_ITER; it++) {
    let theta = 0;
    for (let i = 0; i < m; i++) {
      const s = dot(a, i * m, v, m);
      y[i] = s;
      theta += s * (v[i] as number);
    }
    let r2 = 0;
    for (let i = 0; i < m; i++) {
      const d = (y[i] as number) - theta * (v[i] as number);
      r2 += d * d;
    }
    const rest = frob - theta * theta;
    const gap = theta - Math.sqrt(rest > 0 ? rest : 0);
    for (let i = 0; i < m; i++) v[i] = y[i] as number;
    normalize(v, m);
    if (gap > 0 && r2 / gap <= REL_TOL * theta) return { lambda: theta, iterations: it };
  }
  return { lambda: Number.NaN, iterations: MAX_ITER };
}

function normalize(v: Float64Array, m: number): void {
  let n = 0;
  for (let i = 0; i < m; i++) n += (v[i] as number) * (v[i] as number);
  if (!(n > 0)) {
    v.fill(1 / Math.sqrt(m), 0, m);
    return;
  }
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < m; i++) v[i] = (v[i] as number) * s;
}

/** a[from .. from + m) · v, in four interleaved sums (independent chains run in parallel). */
function dot(a: Float64Array, from: number, v: Float64Array, m: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < m; j += 4) {
    s0 += (a[from + j] as number) * (v[j] as number);
    s1 += (a[from + j + 1] as number) * (v[j + 1] as number);
    s2 += (a[from + j + 2] as number) * (v[j + 2] as number);
    s3 += (a[from + j + 3] as number) * (v[j + 3] as number);
  }
  for (; j < m; j++) s0 += (a[from + j] as number) * (v[j] as number);
  return s0 + s1 + (s2 + s3);
}
