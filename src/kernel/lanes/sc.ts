// SC entry haircut (SPEC §3.4, seed §8 `_apply_sc_entry_size_multiplier`): haircut only.
import type { ScParams } from '../params/index.js';
import { max2, min2, pyRound } from '../rounding/index.js';

export interface Sized {
  readonly leverage: number;
  readonly notional: number;
}

/** The multiplier clamped to [0, 1], or NaN where it is the near-1 no-op. */
export function scEffectiveMult(mult: number, p: ScParams): number {
  const m = min2(max2(mult, 0.0), 1.0);
  return 1.0 - m < p.sc_noop_epsilon ? Number.NaN : m;
}

export function scLeverage(leverage: number, m: number, p: ScParams): number {
  return Number.isNaN(m) ? leverage : pyRound(leverage * m, p.sc_leverage_digits);
}

export function scNotional(notional: number, m: number, p: ScParams): number {
  return Number.isNaN(m) ? notional : pyRound(notional * m, p.sc_notional_digits);
}

export function scHaircut(leverage: number, notional: number, mult: number, p: ScParams): Sized {
  const m = scEffectiveMult(mult, p);
  return { leverage: scLeverage(leverage, m, p), notional: scNotional(notional, m, p) };
}
