// Base sizer (SPEC §3.1, seed §2/§3): cubic-convex conviction from the top-level vel_div.
import type { SizerParams } from '../params/index.js';

export interface BaseSize {
  readonly strength: number;
  readonly leverage: number;
  readonly fraction: number;
}

/** Signal strength in (0, 1], or NaN for NO_SIGNAL (vel_div not below threshold). */
export function strengthOf(velDiv: number, p: SizerParams): number {
  if (!(velDiv < p.threshold)) return Number.NaN;
  const strength = (p.threshold - velDiv) / (p.threshold - p.extreme);
  return strength > 1.0 ? 1.0 : strength;
}

/** Conviction leverage for a strength: min + (max - min) * strength^convexity. */
export function leverageOf(strength: number, p: SizerParams): number {
  let pow = strength;
  for (let i = 1; i < p.convexity; i++) pow = pow * strength;
  return p.min_leverage + (p.max_leverage - p.min_leverage) * pow;
}

/** Returns null for NO_SIGNAL. */
export function size(velDiv: number, p: SizerParams): BaseSize | null {
  const strength = strengthOf(velDiv, p);
  if (Number.isNaN(strength)) return null;
  return { strength, leverage: leverageOf(strength, p), fraction: p.base_fraction };
}
