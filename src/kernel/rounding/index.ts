// CPython's float rounding, reproduced bit for bit (SPEC §3): round(x, n) and round(x).

/** min(a, b) := b if b < a else a — the spec's operand order, not Math.min. */
export const min2 = (a: number, b: number): number => (b < a ? b : a);
/** max(a, b) := b if b > a else a. */
export const max2 = (a: number, b: number): number => (b > a ? b : a);

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** |x| = mantissa * 2^exponent for a finite non-zero x (little-endian word order). */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  f64[0] = x;
  const lo = u32[0] as number;
  const hi = u32[1] as number;
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return biased === 0
    ? { mantissa: frac, exponent: -1074 }
    : { mantissa: frac | (1n << 52n), exponent: biased - 1075 };
}

/** Exponent of the lowest set bit of a finite non-zero x. */
function lowBitExponent(x: number): number {
  const { mantissa, exponent } = decompose(x);
  let m = mantissa;
  let e = exponent;
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e += 1;
  }
  return e;
}

// CPython float_round: NDIGITS_MAX = (53 + 1021) * 0.30103, NDIGITS_MIN = -(1024 + 1) * 0.30103.
const NDIGITS_MAX = 323;
const NDIGITS_MIN = -308;

/**
 * CPython `round(x, n)` for a float: the exact binary value of x rounded to n decimals,
 * ties to even, then the double nearest that decimal. Throws RangeError where CPython
 * raises OverflowError.
 */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x) || x === 0 || n > NDIGITS_MAX) return x;
  if (n < NDIGITS_MIN) return 0.0 * x;
  const ax = Math.abs(x);
  // x * 10^n = odd * 5^n * 2^(low + n): an exact tie only when low + n == -1.
  if (n >= 0 && n <= 100 && ax < 1e21 && lowBitExponent(ax) !== -1 - n) {
    // toFixed rounds the exact binary value; it differs from CPython only on ties.
    return Number.parseFloat(x.toFixed(n));
  }
  const { mantissa, exponent } = decompose(ax);
  let num = mantissa;
  let den = 1n;
  if (exponent > 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  if (n > 0) num *= 10n ** BigInt(n);
  else if (n < 0) den *= 10n ** BigInt(-n);
  let q = num / den;
  const twice = 2n * (num - q * den);
  if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  const y = Number.parseFloat(`${q}e${-n}`);
  if (!Number.isFinite(y)) throw new RangeError('rounded value too large to represent');
  return x < 0 ? -y : y;
}

/** CPython `round(x)`: nearest integer, ties to even. Throws RangeError for inf/NaN. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError('cannot round a non-finite float to an integer');
  const f = Math.floor(x);
  const diff = x - f; // exact: f and x share an exponent range
  if (diff < 0.5) return f + 0;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
