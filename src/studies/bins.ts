// The vel_div_entry bins shared by the parity and sizing studies (docs/studies.md, "Bins of
// vel_div_entry"): 24 bins 0.0025 wide from −0.02 down to −0.08, then everything below.
import { pyFloatRepr } from '../common/pyjson/index.js';
import { pyRound } from '../kernel/rounding/index.js';

export interface VelDivBin {
  readonly index: number;
  /** Inclusive lower edge; null for the open last bin. */
  readonly lo: number | null;
  /** Exclusive upper edge. */
  readonly hi: number;
  readonly label: string;
}

const BOUNDED_BINS = 24;

function makeBins(): readonly VelDivBin[] {
  const bins: VelDivBin[] = [];
  for (let k = 0; k < BOUNDED_BINS; k++) {
    // CPython round(…, 4): the edges are the decimal literals, not the float arithmetic.
    const hi = pyRound(-0.02 - 0.0025 * k, 4);
    const lo = pyRound(-0.0225 - 0.0025 * k, 4);
    bins.push(
      Object.freeze({ index: k, lo, hi, label: `[${pyFloatRepr(lo)}, ${pyFloatRepr(hi)})` }),
    );
  }
  const last = (bins[BOUNDED_BINS - 1] as VelDivBin).lo as number;
  bins.push(
    Object.freeze({
      index: BOUNDED_BINS,
      lo: null,
      hi: last,
      label: `(-inf, ${pyFloatRepr(last)})`,
    }),
  );
  return Object.freeze(bins);
}

export const VEL_DIV_BINS: readonly VelDivBin[] = makeBins();

/** Index of the bin holding v (lo ≤ v < hi), or null when v ≥ −0.02 or v is NaN. */
export function binOf(v: number): number | null {
  for (const b of VEL_DIV_BINS) {
    if (v < b.hi && (b.lo === null || v >= b.lo)) return b.index;
  }
  return null;
}
