// The five-lane composition (SPEC §3.2, seed §8b esf_alpha_orchestrator :597-619).
// Float operation order is the contract: products left to right, exactly as written.
import type { Posture, Profile } from '../../model/index.js';
import { scHaircut } from '../lanes/sc.js';
import type { ClampParams, ScParams, SizerParams } from '../params/index.js';
import { max2, min2 } from '../rounding/index.js';
import { size } from '../sizer/index.js';

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

const NONE = { clampedMax: null, leverage: null, notional: null } as const;

export function compose(i: ComposeInput, p: ComposeParams): Composed {
  const base = size(i.velDiv, p.sizer);
  if (base === null) {
    return {
      actuated: false,
      reason: 'NO_SIGNAL',
      strength: null,
      baseLeverage: null,
      fraction: null,
      ...NONE,
    };
  }
  const head = { strength: base.strength, baseLeverage: base.leverage, fraction: base.fraction };
  if (i.posture === 'HIBERNATE') return { actuated: false, reason: 'HIBERNATE', ...head, ...NONE };
  if (i.profile === 'v3-shadow') {
    const notional = i.capital * base.fraction * base.leverage;
    const cut = scHaircut(base.leverage, notional, i.esofMult, p.sc);
    return { actuated: true, reason: 'ACTUATED', ...head, clampedMax: null, ...cut };
  }
  const raw = base.leverage * i.dcMult * i.regimeMult * i.obMult * i.esofMult;
  let clampedMax = min2(
    p.clamp.base_max_leverage * i.regimeMult * i.obMult * i.esofMult,
    p.clamp.abs_max_leverage,
  );
  if (i.posture === 'STALKER') clampedMax = min2(clampedMax, p.clamp.stalker_cap);
  let leverage = min2(raw, clampedMax);
  leverage = max2(p.sizer.min_leverage, leverage);
  const notional = i.capital * base.fraction * leverage;
  const cut = scHaircut(leverage, notional, i.scMult, p.sc);
  return { actuated: true, reason: 'ACTUATED', ...head, clampedMax, ...cut };
}
