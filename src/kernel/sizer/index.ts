// Base sizer (SPEC §3.1, seed §2/§3): cubic-convex conviction from the top-level vel_div.
import type { SizerParams } from '../params/index.js';

export interface BaseSize {
  readonly strength: number;
  readonly leverage: number;
  readonly fraction: number;
}

/** Returns null for NO_SIGNAL (vel_div not below threshold). */
export function size(velDiv: number, p: SizerParams): BaseSize | null {
  if (!(velDiv < p.threshold)) return null;
  let strength = (p.threshold - velDiv) / (p.threshold - p.extreme);
  if (strength > 1.0) strength = 1.0;
  let pow = strength;
  for (let i = 1; i < p.convexity; i++) pow = pow * strength;
  const leverage = p.min_leverage + (p.max_leverage - p.min_leverage) * pow;
  return { strength, leverage, fraction: p.base_fraction };
}
