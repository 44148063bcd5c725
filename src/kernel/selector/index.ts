// IRP asset selector (SPEC §3.6, seed §7) with BLUE's stablecoin exclusion (V3.1).
import type { Direction } from '../../model/index.js';
import type { SelectorParams } from '../params/index.js';

export interface IrpScore {
  readonly symbol: string;
  readonly irpScore: number;
  readonly alignment: number;
}

/** IRP of one price series (oldest first); null if it is shorter than lookback + 1. */
export function irp(
  prices: readonly number[],
  direction: Direction,
  p: SelectorParams,
): { irpScore: number; alignment: number } | null {
  const n = p.irp_lookback;
  if (prices.length < n + 1) return null;
  const d = direction === 'SHORT' ? -1 : 1;
  const start = prices.length - n;
  let up = 0.0;
  let down = 0.0;
  let aligned = 0;
  for (let i = start; i < prices.length; i++) {
    const prev = prices[i - 1] as number;
    const r = ((prices[i] as number) - prev) / prev;
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

/**
 * Picks the highest IRP among eligible symbols; ties go to the smallest symbol.
 * `history(symbol)` returns the symbol's recent prices, oldest first.
 */
export function selectAsset(
  symbols: readonly string[],
  history: (symbol: string) => readonly number[],
  excluded: ReadonlySet<string>,
  direction: Direction,
  p: SelectorParams,
): IrpScore | null {
  let best: IrpScore | null = null;
  for (const symbol of symbols) {
    if (excluded.has(symbol)) continue;
    const s = irp(history(symbol), direction, p);
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
