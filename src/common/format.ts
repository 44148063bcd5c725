// Numbers in reports (Markdown, terminal summaries, charts): one set of formatters, so the
// same value reads the same everywhere. A missing value (null) is a dash. Every function is
// plain JavaScript number formatting (toFixed, toPrecision, String), so its bytes are stable:
// -0 prints as "0" (String) or "0.00" (toFixed), NaN as "NaN".

/** What a report prints for a missing value. */
export const NONE = '—';

/** `digits` decimals, as `toFixed` gives them (half-way cases follow the binary value). */
export function fixed(x: number | null, digits: number): string {
  return x === null ? NONE : x.toFixed(digits);
}

/** A share as a percentage with `digits` decimals: 0.1234 → `12.3%`. */
export function percent(share: number | null, digits = 1): string {
  return share === null ? NONE : `${(share * 100).toFixed(digits)}%`;
}

export interface SignificantOptions {
  /**
   * `exact` (default): an integer prints whole, however many digits it has; `rounded`: an
   * integer is rounded to `digits` significant digits like any other number.
   */
  readonly integers?: 'exact' | 'rounded';
}

/**
 * At most `digits` significant digits, trailing zeros dropped: 1/3 → `0.333333`,
 * 2.5 → `2.5`, 1e-7 → `1e-7` (the shortest JavaScript text of the rounded value).
 */
export function significant(x: number | null, digits = 6, o: SignificantOptions = {}): string {
  if (x === null) return NONE;
  if (o.integers !== 'rounded' && Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(digits)));
}

/** An integer as it is, anything else with `digits` decimals: axis labels. */
export function compact(x: number, digits = 2): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

/** Exactly `digits` significant digits, trailing zeros kept (`toPrecision`): measurements. */
export function precision(x: number, digits: number): string {
  return x.toPrecision(digits);
}
