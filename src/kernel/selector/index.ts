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
 * IRP over the last irp_lookback returns (oldest first, summed in that order); null when
 * fewer are held. A caller may keep returns as prices arrive: each is the same division.
 */
export function irpFromReturns(
  returns: ArrayLike<number>,
  direction: Direction,
  p: SelectorParams,
): { irpScore: number; alignment: number } | null {
  const n = p.irp_lookback;
  if (returns.length < n) return null;
  const d = direction === 'SHORT' ? -1 : 1;
  let up = 0.0;
  let down = 0.0;
  let aligned = 0;
  for (let i = returns.length - n; i < returns.length; i++) {
    const r = returns[i] as number;
    const dr = d * r;
    if (dr > 0) {
      up = up + dr;
      aligned++;
    } else if (dr < 0) {
      down = down + -d * r;
    }
  }
  const denom = up + down;
  return { irpScore: denom === 0 ? 0 : (up - down) / denom, alignment: aligned / n };
}

/** IRP of one price series (oldest first); null if it is shorter than lookback + 1. */
export function irp(prices: readonly number[], direction: Direction, p: SelectorParams) {
  return irpFromReturns(returnsOf(prices), direction, p);
}

/**
 * Picks the highest IRP among eligible symbols; ties go to the smallest symbol.
 * `returns(symbol)` gives the symbol's recent returns, oldest first.
 */
export function selectAsset(
  symbols: readonly string[],
  returns: (symbol: string) => ArrayLike<number>,
  excluded: ReadonlySet<string>,
  direction: Direction,
  p: SelectorParams,
): IrpScore | null {
  let best: IrpScore | null = null;
  for (const symbol of symbols) {
    if (excluded.has(symbol)) continue;
    const s = irpFromReturns(returns(symbol), direction, p);
    if (s === null || !(s.alignment >= p.min_irp_alignment)) continue;
    if (
      best === null ||
      s.irpScore > best.irpScore ||
      (s.irpScore === best.irpScore && symbol < best.symbol)
    ) {
      best = { symbol, ...s };
    }
  }
  return best;
}
