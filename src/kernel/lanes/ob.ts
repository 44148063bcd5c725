// OB lane — cross-asset order-book consensus (SPEC §3.3): imbalances in scan order.
import type { Direction } from '../../model/index.js';
import type { ObParams } from '../params/index.js';
import { max2, min2 } from '../rounding/index.js';

export interface ObOut {
  readonly n: number;
  readonly effImb: number | null;
  readonly agree: number | null;
  readonly mult: number;
}

export function obLane(imbalances: readonly number[], direction: Direction, p: ObParams): ObOut {
  const n = imbalances.length;
  if (n === 0) return { n, effImb: null, agree: null, mult: 1.0 };
  const d = direction === 'SHORT' ? -1.0 : 1.0;
  let s = 0.0;
  let agreeing = 0;
  for (const x of imbalances) {
    s = s + d * x;
    if (d * x > 0) agreeing++;
  }
  const effImb = s / n;
  const agree = agreeing / n;
  let mult = 1.0;
  if (effImb > p.ob_edge && agree > p.ob_agree_high) mult = min2(p.ob_max_mult, 1.0 + effImb);
  else if (effImb < -p.ob_edge && agree < p.ob_agree_low) mult = max2(p.ob_min_mult, 1.0 + effImb);
  return { n, effImb, agree, mult };
}
