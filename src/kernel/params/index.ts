// Every constant of the canonical kernel, in one place (SPEC §3). Nothing is inherited
// silently: each profile pins its sizer explicitly (seed §3, the max_leverage drift).
import type { Profile } from '../../model/index.js';

export interface SizerParams {
  readonly threshold: number;
  readonly extreme: number;
  /** Integer >= 1: strength^convexity by repeated multiplication. */
  readonly convexity: number;
  readonly min_leverage: number;
  readonly max_leverage: number;
  readonly base_fraction: number;
}

export interface ClampParams {
  readonly base_max_leverage: number;
  readonly abs_max_leverage: number;
  readonly stalker_cap: number;
}

export interface DcParams {
  readonly dc_lookback: number;
  readonly dc_min_move: number;
  readonly dc_leverage_boost: number;
}

export interface RegimeParams {
  readonly acb_funding_below: number;
  readonly acb_dvol_above: number;
  readonly acb_fear_greed_below: number;
  readonly acb_taker_ratio_below: number;
  /** acb_boost indexed by the number of ACB signals (0..4). */
  readonly acb_boosts: readonly [number, number, number, number, number];
  readonly meta_gain: number;
  readonly meta_cap: number;
  readonly mc_green: number;
  readonly mc_orange: number;
  readonly mc_red: number;
}

export interface ObParams {
  readonly ob_edge: number;
  readonly ob_agree_high: number;
  readonly ob_agree_low: number;
  readonly ob_max_mult: number;
  readonly ob_min_mult: number;
}

export interface EsofParams {
  readonly esof_neutral: number;
  readonly esof_unfav: number;
  readonly esof_stale_fallback: number;
  readonly esof_edge: number;
  readonly esof_max_age_ms: number;
}

export interface ScParams {
  /** 1 - mult below this is a no-op (BLUE `_apply_sc_entry_size_multiplier`). */
  readonly sc_noop_epsilon: number;
  readonly sc_leverage_digits: number;
  readonly sc_notional_digits: number;
}

export interface SelectorParams {
  readonly irp_lookback: number;
  /** 0.0 = gate muted (BLUE gold, seed §7). */
  readonly min_irp_alignment: number;
}

export const SIZER_V3_SHADOW: SizerParams = Object.freeze({
  threshold: -0.02,
  extreme: -0.05,
  convexity: 3,
  min_leverage: 0.5,
  max_leverage: 9.0,
  base_fraction: 0.2,
});

export const SIZER_ORCHESTRATOR: SizerParams = Object.freeze({
  ...SIZER_V3_SHADOW,
  max_leverage: 8.0,
});

export const SIZER_BY_PROFILE: Readonly<Record<Profile, SizerParams>> = Object.freeze({
  'v3-shadow': SIZER_V3_SHADOW,
  orchestrator: SIZER_ORCHESTRATOR,
});

export const CLAMP: ClampParams = Object.freeze({
  base_max_leverage: 8.0,
  abs_max_leverage: 9.0,
  stalker_cap: 2.0,
});

export const DC: DcParams = Object.freeze({
  dc_lookback: 7,
  dc_min_move: 0.0005,
  dc_leverage_boost: 1.25,
});

export const REGIME: RegimeParams = Object.freeze({
  acb_funding_below: -0.0001,
  acb_dvol_above: 80.0,
  acb_fear_greed_below: 25.0,
  acb_taker_ratio_below: 0.9,
  acb_boosts: Object.freeze([1.0, 1.15, 1.3, 1.45, 1.6]) as RegimeParams['acb_boosts'],
  meta_gain: 5.0,
  meta_cap: 0.25,
  mc_green: 1.0,
  mc_orange: 0.75,
  mc_red: 0.5,
});

export const OB: ObParams = Object.freeze({
  ob_edge: 0.08,
  ob_agree_high: 0.7,
  ob_agree_low: 0.3,
  ob_max_mult: 1.2,
  ob_min_mult: 0.85,
});

export const ESOF: EsofParams = Object.freeze({
  esof_neutral: 0.8,
  esof_unfav: 0.3,
  esof_stale_fallback: 0.4,
  esof_edge: 0.02,
  esof_max_age_ms: 900_000,
});

export const SC: ScParams = Object.freeze({
  sc_noop_epsilon: 1e-9,
  sc_leverage_digits: 6,
  sc_notional_digits: 12,
});

export const SELECTOR: SelectorParams = Object.freeze({
  irp_lookback: 20,
  min_irp_alignment: 0.0,
});

/** BLUE `_STABLECOIN_SYMBOLS` (seed §7, V3.1): removed from prices before selection. */
export const STABLECOIN_SYMBOLS: readonly string[] = Object.freeze([
  'USDCUSDT',
  'FDUSDUSDT',
  'TUSDUSDT',
  'BUSDUSDT',
  'DAIUSDT',
  'USDPUSDT',
  'PYUSDUSDT',
  'USDEUSDT',
  'EURUSDT',
  'AEURUSDT',
]);

/** Bumped whenever a kernel formula or default changes; journaled with every decision. */
export const KERNEL_VERSION = 'violet-kernel/1';
