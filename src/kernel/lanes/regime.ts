// Regime lane — ACB × meta × MC (SPEC §3.3, seed §8b "the steepener").
import type { Acb, McStatus } from '../../model/index.js';
import type { RegimeParams } from '../params/index.js';
import { max2, min2 } from '../rounding/index.js';

export interface RegimeOut {
  readonly signals: number;
  readonly acbBoost: number;
  readonly metaBoost: number;
  readonly mcScale: number;
  readonly regimeMult: number;
}

export function acbSignals(acb: Acb | null, p: RegimeParams): number {
  if (acb === null) return 0;
  let n = 0;
  if (acb.funding_rate !== null && acb.funding_rate < p.acb_funding_below) n++;
  if (acb.dvol !== null && acb.dvol > p.acb_dvol_above) n++;
  if (acb.fear_greed !== null && acb.fear_greed < p.acb_fear_greed_below) n++;
  if (acb.taker_ratio !== null && acb.taker_ratio < p.acb_taker_ratio_below) n++;
  return n;
}

export function regimeLane(
  acb: Acb | null,
  w750Velocity: number | null,
  mcStatus: McStatus | null,
  p: RegimeParams,
): RegimeOut {
  const signals = acbSignals(acb, p);
  const acbBoost = p.acb_boosts[signals] as number;
  const metaBoost =
    w750Velocity === null ? 1.0 : 1.0 + min2(max2(-w750Velocity * p.meta_gain, 0.0), p.meta_cap);
  const mcScale =
    mcStatus === null
      ? 1.0
      : mcStatus === 'GREEN'
        ? p.mc_green
        : mcStatus === 'ORANGE'
          ? p.mc_orange
          : p.mc_red;
  return { signals, acbBoost, metaBoost, mcScale, regimeMult: acbBoost * metaBoost * mcScale };
}
