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
  f64[0] = x;
  const lo = u32[0] as number;
  const hi = u32[1] as number;
  const biased = (hi >>> 20) & 0x7ff;
  const base = biased === 0 ? -1074 : biased - 1075;
  if (lo !== 0) return base + 31 - Math.clz32(lo & -lo);
  const mhi = (hi & 0xfffff) | (biased === 0 ? 0 : 0x100000);
  return base + 32 + 31 - Math.clz32(mhi & -mhi);
}

/** Exact powers of ten (10^22 is the largest double that is one). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO52 = 2 ** 52;
const TWO53 = 2 ** 53;
const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter

/** ulp of a finite positive normal double. */
function ulpOf(ax: number): number {
  f64[0] = ax;
  const biased = ((u32[1] as number) >>> 20) & 0x7ff;
  if (biased <= 52) return 2 ** (biased - 1075);
  u32[1] = (biased - 52) << 20;
  u32[0] = 0;
  return f64[0] as number;
}

function isEvenMantissa(ax: number): boolean {
  f64[0] = ax;
  return ((u32[0] as number) & 1) === 0;
}

/** The exact error of fl(a * b): a * b = fl(a * b) + twoProductError(a, b, fl(a * b)). */
function twoProductError(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * round(ax, n) for 0 <= n <= 22 without big integers, or NaN when this path cannot be sure.
 * Below 2^52 the product picks q exactly (rounding is monotonic, fl + 0.5 is a double) and
 * q / 10^n is one correctly rounded division of exact operands (Clinger). Above, the answer
 * is ax or a neighbour, decided exactly from the product's error term.
 */
function pyRoundFast(ax: number, n: number): number {
  const scale = POW10[n] as number;
  const prod = ax * scale;
  if (prod < TWO52) {
    const fl = Math.floor(prod);
    const frac = prod - fl;
    if (frac !== 0.5) return (frac < 0.5 ? fl : fl + 1) / scale;
    const e = twoProductError(ax, scale, prod);
    const q = e > 0 ? fl + 1 : e < 0 ? fl : fl - 2 * Math.floor(fl / 2) === 0 ? fl : fl + 1;
    return q / scale;
  }
  if (!(ax > 1e-280 && prod < 1e290)) return Number.NaN;
  const u = ulpOf(ax);
  const w = u * scale; // exact: a power of two times an exact power of ten
  if (w > 2) return ax; // the decimal lies within a quarter ulp of ax
  f64[0] = ax;
  const powerOfTwo = u32[0] === 0 && ((u32[1] as number) & 0xfffff) === 0;
  // Below these the decimal may lie two doubles away; leave it to the exact path.
  if (w < (powerOfTwo ? 1 : 0.5)) return Number.NaN;
  const e = twoProductError(ax, scale, prod);
  // q = round_half_even(prod + e); prod >= 2^52 is an integer, even when its ulp exceeds 1.
  const prodOdd = prod < TWO53 && prod - 2 * Math.floor(prod / 2) === 1;
  const r = prodOdd && (e === 0.5 || e === -0.5) ? Math.sign(e) : roundHalfEven(e);
  const delta = r - e; // exact (Sterbenz); the decimal is ax + delta * 10^-n
  const up = w / 2;
  const down = powerOfTwo ? w / 4 : w / 2;
  if (delta > up || (delta === up && !isEvenMantissa(ax))) return nextUpPositive(ax);
  if (-delta > down || (-delta === down && !isEvenMantissa(ax))) return nextDownPositive(ax);
  return ax;
}

function nextUpPositive(ax: number): number {
  f64[0] = ax;
  if (u32[0] === 0xffffffff) {
    u32[0] = 0;
    u32[1] = (u32[1] as number) + 1;
  } else u32[0] = (u32[0] as number) + 1;
  return f64[0] as number;
}

function nextDownPositive(ax: number): number {
  f64[0] = ax;
  if (u32[0] === 0) {
    u32[0] = 0xffffffff;
    u32[1] = (u32[1] as number) - 1;
  } else u32[0] = (u32[0] as number) - 1;
  return f64[0] as number;
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
  if (n >= 0 && n <= 22) {
    // Hot path (Clinger), kept small enough to inline; everything else goes to pyRoundSlow.
    const ax = x < 0 ? -x : x;
    const scale = POW10[n] as number;
    const prod = ax * scale;
    if (prod > 0 && prod < TWO52) {
      const fl = Math.floor(prod);
      const frac = prod - fl;
      if (frac !== 0.5) {
        const y = (frac < 0.5 ? fl : fl + 1) / scale;
        return x < 0 ? -y : y;
      }
    }
  }
  return pyRoundSlow(x, n);
}

function pyRoundSlow(x: number, n: number): number {
  if (!Number.isFinite(x) || x === 0 || n > NDIGITS_MAX) return x;
  if (n < NDIGITS_MIN) return 0.0 * x;
  const ax = Math.abs(x);
  if (n >= 0 && n <= 22) {
    const y = pyRoundFast(ax, n);
    if (!Number.isNaN(y)) return x < 0 ? -y : y;
  }
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
