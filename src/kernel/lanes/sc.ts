// SC entry haircut (SPEC §3.4, seed §8 `_apply_sc_entry_size_multiplier`): haircut only.
import type { ScParams } from '../params/index.js';
import { max2, min2, pyRound } from '../rounding/index.js';

export interface Sized {
  readonly leverage: number;
  readonly notional: number;
}

export function scHaircut(leverage: number, notional: number, mult: number, p: ScParams): Sized {
  const m = min2(max2(mult, 0.0), 1.0);
  if (1.0 - m < p.sc_noop_epsilon) return { leverage, notional };
  return {
    leverage: pyRound(leverage * m, p.sc_leverage_digits),
    notional: pyRound(notional * m, p.sc_notional_digits),
  };
}
