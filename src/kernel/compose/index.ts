// The five-lane composition (SPEC §3.2, seed §8b esf_alpha_orchestrator :597-619).
// Float operation order is the contract: products left to right, exactly as written.
import type { Posture, Profile } from '../../model/index.js';
import { scEffectiveMult, scLeverage, scNotional } from '../lanes/sc.js';
import type { ClampParams, ScParams, SizerParams } from '../params/index.js';
import { max2, min2 } from '../rounding/index.js';
import { leverageOf, strengthOf } from '../sizer/index.js';

export interface ComposeInput {
  readonly profile: Profile;
  readonly velDiv: number;
  readonly capital: number;
  readonly dcMult: number;
  readonly regimeMult: number;
  readonly obMult: number;
  readonly esofMult: number;
  readonly scMult: number;
  readonly posture: Posture;
}

export interface ComposeParams {
  readonly sizer: SizerParams;
  readonly clamp: ClampParams;
  readonly sc: ScParams;
}

export type ComposeReason = 'NO_SIGNAL' | 'HIBERNATE' | 'ACTUATED';

export interface Composed {
  readonly actuated: boolean;
  readonly reason: ComposeReason;
  readonly strength: number | null;
  readonly baseLeverage: number | null;
  readonly fraction: number | null;
  /** orchestrator only; null for v3-shadow and when not actuated. */
  readonly clampedMax: number | null;
  readonly leverage: number | null;
  readonly notional: number | null;
}

function composed(
  reason: ComposeReason,
  strength: number | null,
  baseLeverage: number | null,
  fraction: number | null,
  clampedMax: number | null,
  leverage: number | null,
  notional: number | null,
): Composed {
  // One object shape for every outcome keeps the hot path monomorphic.
  return {
    actuated: reason === 'ACTUATED',
    reason,
    strength,
    baseLeverage,
    fraction,
    clampedMax,
    leverage,
    notional,
  };
}

export function compose(i: ComposeInput, p: ComposeParams): Composed {
  const strength = strengthOf(i.velDiv, p.sizer);
  if (Number.isNaN(strength)) return composed('NO_SIGNAL', null, null, null, null, null, null);
  const baseLeverage = leverageOf(strength, p.sizer);
  const fraction = p.sizer.base_fraction;
  if (i.posture === 'HIBERNATE') {
    return composed('HIBERNATE', strength, baseLeverage, fraction, null, null, null);
  }
  if (i.profile === 'v3-shadow') {
    const notional = i.capital * fraction * baseLeverage;
    const m = scEffectiveMult(i.esofMult, p.sc);
    return composed(
      'ACTUATED',
      strength,
      baseLeverage,
      fraction,
      null,
      scLeverage(baseLeverage, m, p.sc),
      scNotional(notional, m, p.sc),
    );
  }
  const raw = baseLeverage * i.dcMult * i.regimeMult * i.obMult * i.esofMult;
  let clampedMax = min2(
    p.clamp.base_max_leverage * i.regimeMult * i.obMult * i.esofMult,
    p.clamp.abs_max_leverage,
  );
  if (i.posture === 'STALKER') clampedMax = min2(clampedMax, p.clamp.stalker_cap);
  let leverage = min2(raw, clampedMax);
  leverage = max2(p.sizer.min_leverage, leverage);
  const notional = i.capital * fraction * leverage;
  const m = scEffectiveMult(i.scMult, p.sc);
  return composed(
    'ACTUATED',
    strength,
    baseLeverage,
    fraction,
    clampedMax,
    scLeverage(leverage, m, p.sc),
    scNotional(notional, m, p.sc),
  );
}
