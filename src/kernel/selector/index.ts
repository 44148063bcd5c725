// IRP asset selector (SPEC §3.6, seed §7) with BLUE's stablecoin exclusion (V3.1).
import type { Direction } from '../../model/index.js';
import type { SelectorParams } from '../params/index.js';

export interface IrpScore {
  readonly symbol: string;
  readonly irpScore: number;
  readonly alignment: number;
}

/** r_i = (p_i - p_{i-1}) / p_{i-1} for a price series, oldest first. */
export function returnsOf(prices: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < prices.length; i++) {
    const prev = prices[i - 1] as number;
    out.push(((prices[i] as number) - prev) / prev);
  }
  return out;
}

/**
 * The held returns of a symbol, oldest first, as a window on a buffer: values[end − length]
 * to values[end − 1]. A caller keeping returns in a ring hands the ring over as it is.
 */
export interface ReturnsView {
  readonly values: ArrayLike<number>;
  readonly end: number;
  readonly length: number;
}

/** Scratch for `irpOf`: a score without an object per symbol. */
interface Irp {
  irpScore: number;
  alignment: number;
}

/**
 * IRP over the last irp_lookback returns values[end − n .. end) (summed oldest first) into
 * `out`; false when fewer than n are held.
 */
function irpOf(
  values: ArrayLike<number>,
  end: number,
  held: number,
  direction: Direction,
  p: SelectorParams,
  out: Irp,
): boolean {
  const n = p.irp_lookback;
  if (held < n) return false;
  const d = direction === 'SHORT' ? -1 : 1;
  let up = 0.0;
  let down = 0.0;
  let aligned = 0;
  for (let i = end - n; i < end; i++) {
    const r = values[i] as number;
    const dr = d * r;
    if (dr > 0) {
      up = up + dr;
      aligned++;
    } else if (dr < 0) {
      down = down + -d * r;
    }
  }
  irpFromSums(up, down, aligned, n, out);
  return true;
}

/** The IRP score and alignment of a window from its sums (the rule `irpOf` ends with). */
export function irpFromSums(
  up: number,
  down: number,
  aligned: number,
  n: number,
  out: { irpScore: number; alignment: number },
): void {
  const denom = up + down;
  out.irpScore = denom === 0 ? 0 : (up - down) / denom;
  out.alignment = aligned / n;
}

/**
 * The selector's pick among the symbols offered: the highest IRP at or above the alignment
 * floor; ties go to the smallest symbol. Reused: `reset` before each selection.
 */
export class BestIrp {
  private symbol: string | null = null;
  private score = 0;
  private alignment = 0;

  reset(): this {
    this.symbol = null;
    this.score = 0;
    this.alignment = 0;
    return this;
  }

  offer(symbol: string, irp: Irp, p: SelectorParams): void {
    if (!(irp.alignment >= p.min_irp_alignment)) return;
    const s = this.symbol;
    if (s === null || irp.irpScore > this.score || (irp.irpScore === this.score && symbol < s)) {
      this.symbol = symbol;
      this.score = irp.irpScore;
      this.alignment = irp.alignment;
    }
  }

  result(): IrpScore | null {
    return this.symbol === null
      ? null
      : { symbol: this.symbol, irpScore: this.score, alignment: this.alignment };
  }
}

/**
 * IRP over the last irp_lookback returns (oldest first, summed in that order); null when
 * fewer are held. A caller may keep returns as prices arrive: each is the same division.
 */
export function irpFromReturns(
  returns: ArrayLike<number>,
  direction: Direction,
  p: SelectorParams,
): { irpScore: number; alignment: number } | null {
  const out: Irp = { irpScore: 0, alignment: 0 };
  return irpOf(returns, returns.length, returns.length, direction, p, out) ? out : null;
}

/** IRP of one price series (oldest first); null if it is shorter than lookback + 1. */
export function irp(prices: readonly number[], direction: Direction, p: SelectorParams) {
  return irpFromReturns(returnsOf(prices), direction, p);
}

function isView(x: ArrayLike<number> | ReturnsView): x is ReturnsView {
  return typeof (x as { end?: unknown }).end === 'number';
}

const scratch: Irp = { irpScore: 0, alignment: 0 };
const best = new BestIrp();

/**
 * Picks the highest IRP among eligible symbols; ties go to the smallest symbol.
 * `returns(symbol)` gives the symbol's recent returns, oldest first (an array, or a window
 * on a buffer).
 */
export function selectAsset(
  symbols: readonly string[],
  returns: (symbol: string) => ArrayLike<number> | ReturnsView,
  excluded: ReadonlySet<string>,
  direction: Direction,
  p: SelectorParams,
): IrpScore | null {
  best.reset();
  for (const symbol of symbols) {
    if (excluded.has(symbol)) continue;
    const r = returns(symbol);
    const ok = isView(r)
      ? irpOf(r.values, r.end, r.length, direction, p, scratch)
      : irpOf(r, r.length, r.length, direction, p, scratch);
    if (ok) best.offer(symbol, scratch, p);
  }
  return best.result();
}
