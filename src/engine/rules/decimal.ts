// Decimal rounding as the venue's client does it (ccxt's `amountToPrecision` truncates,
// `priceToPrecision` rounds half up): on the number's shortest decimal text, never on a
// binary product such as `x * 10 ** d`, which turns 0.3 into 2.9999999999999996 tenths.

/** The plain decimal text of a finite x ≥ 0, without an exponent. */
function plain(x: number): string {
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const exp = Number(s.slice(e + 1));
  const [int = '', frac = ''] = s.slice(0, e).split('.');
  const digits = int + frac;
  const point = int.length + exp;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * x in units of 10^-decimals: truncated (`down`) or rounded half up (`nearest`) on its
 * decimal text. Null when x is not finite, is negative, or the units pass 2^53.
 */
export function toUnits(x: number, decimals: number, mode: 'down' | 'nearest'): number | null {
  if (!Number.isFinite(x) || x < 0) return null;
  const [int = '0', frac = ''] = plain(x).split('.');
  const kept = frac.padEnd(decimals, '0').slice(0, decimals);
  let units = Number(int + kept);
  if (mode === 'nearest' && (frac[decimals] ?? '0') >= '5') units += 1;
  return Number.isSafeInteger(units) ? units : null;
}

/** The number nearest to units × 10^-decimals (exact division of exact values). */
export function fromUnits(units: number, decimals: number): number {
  return units / 10 ** decimals;
}
