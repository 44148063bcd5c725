// The scanner (SPEC §7): price bars → scans. Pure maths (windows, eigen, scanner) apart
// from the bar readers.
import type { BarSet } from './bars.js';

export { type BarSet, checkGrid, commonInterval, readBars, type SymbolBars } from './bars.js';
export { DEFAULT_BTC, DEFAULT_WINDOWS, type EigRow, Scanner, type Step } from './scanner.js';
export type { Exclusions, SolverCounts, WindowValue } from './windows.js';

/** The first and last bar times of a bar set. */
export function gridSpan(set: BarSet): { readonly first: number; readonly last: number } {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const a of set.assets) {
    first = Math.min(first, a.ts[0] as number);
    last = Math.max(last, a.ts[a.ts.length - 1] as number);
  }
  return { first, last };
}

/** The grid times of a bar set, first to last, each with every asset's close (NaN: none). */
export function* gridCloses(
  set: BarSet,
  intervalMs: number,
): Generator<{ readonly gridTime: number; readonly closes: Float64Array }> {
  const { first, last } = gridSpan(set);
  const cursor = new Int32Array(set.assets.length);
  for (let t = first; t <= last; t += intervalMs) {
    const closes = new Float64Array(set.assets.length).fill(Number.NaN);
    for (const [k, a] of set.assets.entries()) {
      const i = cursor[k] as number;
      if (i < a.ts.length && a.ts[i] === t) {
        closes[k] = a.ohlcv[i * 5 + 3] as number;
        cursor[k] = i + 1;
      }
    }
    yield { gridTime: t, closes };
  }
}
