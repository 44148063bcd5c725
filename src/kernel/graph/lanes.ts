// The nodes of the canonical composition (SPEC §3.1–§3.5), one per lane or step, each
// with the float operation order of the readable kernel it mirrors (compose/, lanes/,
// sizer/, exchange/). Codes: posture APEX 0, STALKER 1, HIBERNATE 2; mc_status absent 0,
// GREEN 1, ORANGE 2, RED 3; dc_status none 0, CONFIRM 1, NEUTRAL 2, CONTRADICT 3;
// reason NO_CANDIDATE 0, NO_SIGNAL 1, HIBERNATE 2, ACTUATED 3.
import { CONVICTION_MAX, CONVICTION_MIN, CONVICTION_SPAN } from '../exchange/index.js';
import type { GraphNode } from './graph.js';
import {
  absent,
  add,
  and,
  b2n,
  div,
  eq,
  ge,
  gt,
  le,
  lt,
  max2,
  min2,
  mul,
  mulAll,
  type Num,
  neg,
  not,
  num,
  or,
  param,
  powi,
  pyRoundOf,
  roundHalfEvenOf,
  sel,
  sub,
  val,
} from './ir.js';

const NaN_ = num(Number.NaN);
const v = val;
const p = param;

export const POSTURE = Object.freeze({ APEX: 0, STALKER: 1, HIBERNATE: 2 });
export const MC_CODE = Object.freeze({ GREEN: 1, ORANGE: 2, RED: 3 });
export const DC_CODE = Object.freeze({ CONFIRM: 1, NEUTRAL: 2, CONTRADICT: 3 });
export const REASON_CODE = Object.freeze({
  NO_CANDIDATE: 0,
  NO_SIGNAL: 1,
  HIBERNATE: 2,
  ACTUATED: 3,
});

/** SPEC §3.1: strength and conviction leverage from the top-level vel_div. */
export const sizerNode: GraphNode = {
  name: 'sizer',
  inputs: ['vel_div'],
  params: ['threshold', 'extreme', 'convexity', 'min_leverage', 'max_leverage'],
  outputs: {
    signal: b2n(lt(v('vel_div'), p('threshold'))),
    strength_raw: div(sub(p('threshold'), v('vel_div')), sub(p('threshold'), p('extreme'))),
    strength: sel(
      'signal',
      eq(v('signal'), num(1)),
      sel('saturated', gt(v('strength_raw'), num(1.0)), num(1.0), v('strength_raw')),
      NaN_,
    ),
    base_leverage: add(
      p('min_leverage'),
      mul(sub(p('max_leverage'), p('min_leverage')), powi(v('strength'), p('convexity'))),
    ),
  },
};

/** SPEC §3.3 DC: the selected asset's return over dc_lookback scans (p_then NaN: none). */
export const dcNode: GraphNode = {
  name: 'dc',
  inputs: ['candidate', 'p_now', 'p_then'],
  params: ['dc_min_move', 'dc_leverage_boost'],
  outputs: {
    dc_ret: div(sub(v('p_now'), v('p_then')), v('p_then')),
    dc_status: sel(
      'candidate',
      eq(v('candidate'), num(0)),
      num(0),
      sel(
        'history',
        absent(v('p_then')),
        num(DC_CODE.NEUTRAL),
        sel(
          'confirm',
          le(v('dc_ret'), neg(p('dc_min_move'))),
          num(DC_CODE.CONFIRM),
          sel(
            'contradict',
            ge(v('dc_ret'), p('dc_min_move')),
            num(DC_CODE.CONTRADICT),
            num(DC_CODE.NEUTRAL),
          ),
        ),
      ),
    ),
    dc_mult: sel(
      'boost',
      eq(v('dc_status'), num(DC_CODE.CONFIRM)),
      p('dc_leverage_boost'),
      num(1.0),
    ),
  },
};

const signal = (field: string, cmp: typeof lt, threshold: string): Num =>
  b2n(and(not(absent(v(field))), cmp(v(field), p(threshold))));

/** SPEC §3.3 regime: ACB × meta × MC. */
export const regimeNode: GraphNode = {
  name: 'regime',
  inputs: ['funding_rate', 'dvol', 'fear_greed', 'taker_ratio', 'w750_velocity', 'mc_status'],
  params: [
    'acb_funding_below',
    'acb_dvol_above',
    'acb_fear_greed_below',
    'acb_taker_ratio_below',
    'acb_boosts_0',
    'acb_boosts_1',
    'acb_boosts_2',
    'acb_boosts_3',
    'acb_boosts_4',
    'meta_gain',
    'meta_cap',
    'mc_green',
    'mc_orange',
    'mc_red',
  ],
  outputs: {
    acb_signals: add(
      add(
        add(signal('funding_rate', lt, 'acb_funding_below'), signal('dvol', gt, 'acb_dvol_above')),
        signal('fear_greed', lt, 'acb_fear_greed_below'),
      ),
      signal('taker_ratio', lt, 'acb_taker_ratio_below'),
    ),
    acb_boost: sel(
      'signals0',
      eq(v('acb_signals'), num(0)),
      p('acb_boosts_0'),
      sel(
        'signals1',
        eq(v('acb_signals'), num(1)),
        p('acb_boosts_1'),
        sel(
          'signals2',
          eq(v('acb_signals'), num(2)),
          p('acb_boosts_2'),
          sel('signals3', eq(v('acb_signals'), num(3)), p('acb_boosts_3'), p('acb_boosts_4')),
        ),
      ),
    ),
    meta_boost: sel(
      'w750',
      absent(v('w750_velocity')),
      num(1.0),
      add(
        num(1.0),
        min2(
          'meta_cap',
          max2('meta_floor', mul(neg(v('w750_velocity')), p('meta_gain')), num(0.0)),
          p('meta_cap'),
        ),
      ),
    ),
    mc_scale: sel(
      'mc_absent',
      eq(v('mc_status'), num(0)),
      num(1.0),
      sel(
        'green',
        eq(v('mc_status'), num(MC_CODE.GREEN)),
        p('mc_green'),
        sel('orange', eq(v('mc_status'), num(MC_CODE.ORANGE)), p('mc_orange'), p('mc_red')),
      ),
    ),
    regime_mult: mulAll(v('acb_boost'), v('meta_boost'), v('mc_scale')),
  },
};

/** SPEC §3.3 OB: from the consensus pre-node's eff_imb and agree (NaN: no imbalance). */
export const obNode: GraphNode = {
  name: 'ob',
  inputs: ['ob_eff_imb', 'ob_agree'],
  params: ['ob_edge', 'ob_agree_high', 'ob_agree_low', 'ob_max_mult', 'ob_min_mult'],
  outputs: {
    ob_mult: sel(
      'book',
      absent(v('ob_eff_imb')),
      num(1.0),
      sel(
        'boost',
        and(gt(v('ob_eff_imb'), p('ob_edge')), gt(v('ob_agree'), p('ob_agree_high'))),
        min2('max_mult', p('ob_max_mult'), add(num(1.0), v('ob_eff_imb'))),
        sel(
          'cut',
          and(lt(v('ob_eff_imb'), neg(p('ob_edge'))), lt(v('ob_agree'), p('ob_agree_low'))),
          max2('min_mult', p('ob_min_mult'), add(num(1.0), v('ob_eff_imb'))),
          num(1.0),
        ),
      ),
    ),
  },
};

/** SPEC §3.3 EsoF: the score's band, or the stale fallback (age NaN: no score). */
export const esofNode: GraphNode = {
  name: 'esof',
  inputs: ['esof_score', 'esof_age_ms'],
  params: ['esof_neutral', 'esof_unfav', 'esof_stale_fallback', 'esof_edge', 'esof_max_age_ms'],
  outputs: {
    esof_stale: b2n(or(absent(v('esof_age_ms')), gt(v('esof_age_ms'), p('esof_max_age_ms')))),
    esof_mult: sel(
      'stale',
      or(eq(v('esof_stale'), num(1)), absent(v('esof_score'))),
      p('esof_stale_fallback'),
      sel(
        'favourable',
        gt(v('esof_score'), p('esof_edge')),
        num(1.0),
        sel(
          'unfavourable',
          lt(v('esof_score'), neg(p('esof_edge'))),
          p('esof_unfav'),
          p('esof_neutral'),
        ),
      ),
    ),
  },
};

/** SPEC §3.2 orchestrator: the lane product. */
export const productNode: GraphNode = {
  name: 'product',
  inputs: ['base_leverage', 'dc_mult', 'regime_mult', 'ob_mult', 'esof_mult'],
  params: [],
  outputs: {
    raw: mulAll(v('base_leverage'), v('dc_mult'), v('regime_mult'), v('ob_mult'), v('esof_mult')),
  },
};

/** SPEC §3.2 orchestrator: the dynamic cap. */
export const capNode: GraphNode = {
  name: 'cap',
  inputs: ['regime_mult', 'ob_mult', 'esof_mult'],
  params: ['base_max_leverage', 'abs_max_leverage'],
  outputs: {
    dynamic_max: min2(
      'abs_max',
      mulAll(p('base_max_leverage'), v('regime_mult'), v('ob_mult'), v('esof_mult')),
      p('abs_max_leverage'),
    ),
  },
};

/** SPEC §3.2 orchestrator: STALKER caps the cap. */
export const stalkerNode: GraphNode = {
  name: 'stalker',
  inputs: ['dynamic_max', 'posture'],
  params: ['stalker_cap'],
  outputs: {
    cap_max: sel(
      'stalker',
      eq(v('posture'), num(POSTURE.STALKER)),
      min2('stalker_cap', v('dynamic_max'), p('stalker_cap')),
      v('dynamic_max'),
    ),
  },
};

/** SPEC §3.2 orchestrator: min(raw, cap), then the floor at min_leverage. */
export const floorNode: GraphNode = {
  name: 'floor',
  inputs: ['raw', 'cap_max'],
  params: ['min_leverage'],
  outputs: {
    capped: min2('capped', v('raw'), v('cap_max')),
    floored: max2('floored', p('min_leverage'), v('capped')),
  },
};

/** SPEC §3.2 v3-shadow: the base leverage unchanged, the haircut on esof_mult. */
export const shadowNode: GraphNode = {
  name: 'shadow',
  inputs: ['base_leverage', 'esof_mult'],
  params: [],
  outputs: { floored: v('base_leverage'), sc_mult: v('esof_mult'), cap_max: NaN_ },
};

/** SPEC §3.4 SC haircut: the multiplier clamped to [0, 1], a near-1 no-op, CPython rounding. */
export const scNode: GraphNode = {
  name: 'sc',
  inputs: ['capital', 'floored', 'sc_mult'],
  params: ['base_fraction', 'sc_noop_epsilon', 'sc_leverage_digits', 'sc_notional_digits'],
  outputs: {
    pre_notional: mulAll(v('capital'), p('base_fraction'), v('floored')),
    sc_m: min2('clamp_high', max2('clamp_low', v('sc_mult'), num(0.0)), num(1.0)),
    sc_leverage: sel(
      'noop',
      lt(sub(num(1.0), v('sc_m')), p('sc_noop_epsilon')),
      v('floored'),
      pyRoundOf(mul(v('floored'), v('sc_m')), p('sc_leverage_digits')),
    ),
    sc_notional: sel(
      'noop_notional',
      lt(sub(num(1.0), v('sc_m')), p('sc_noop_epsilon')),
      v('pre_notional'),
      pyRoundOf(mul(v('pre_notional'), v('sc_m')), p('sc_notional_digits')),
    ),
  },
};

/** The decision: actuated only with a candidate, a signal and no HIBERNATE. */
export const decisionNode: GraphNode = {
  name: 'decision',
  inputs: ['candidate', 'signal', 'posture', 'cap_max', 'sc_leverage', 'sc_notional', 'capital'],
  params: ['base_fraction'],
  outputs: {
    reason: sel(
      'candidate',
      eq(v('candidate'), num(0)),
      num(REASON_CODE.NO_CANDIDATE),
      sel(
        'signal',
        eq(v('signal'), num(0)),
        num(REASON_CODE.NO_SIGNAL),
        sel(
          'hibernate',
          eq(v('posture'), num(POSTURE.HIBERNATE)),
          num(REASON_CODE.HIBERNATE),
          num(REASON_CODE.ACTUATED),
        ),
      ),
    ),
    actuated: b2n(eq(v('reason'), num(REASON_CODE.ACTUATED))),
    clamped_max: sel('clamped_max', eq(v('actuated'), num(1)), v('cap_max'), NaN_),
    leverage: sel('leverage', eq(v('actuated'), num(1)), v('sc_leverage'), NaN_),
    fraction: sel('fraction', eq(v('actuated'), num(1)), p('base_fraction'), NaN_),
    notional: sel('notional', eq(v('actuated'), num(1)), v('sc_notional'), NaN_),
    notional_fraction: div(v('notional'), v('capital')),
  },
};

const mapped = (policy: string, x: Num): Num =>
  min2(
    `${policy}_cap`,
    max2(`${policy}_at_least_1`, roundHalfEvenOf(x), num(1)),
    p('exchange_cap'),
  );

/** SPEC §3.5: exchange leverage from the conviction (policy 0 linear, 1 cubic, 2 flat). */
export const exchangeNode: GraphNode = {
  name: 'exchange',
  inputs: ['leverage'],
  params: ['exchange_policy', 'exchange_cap'],
  // x >= 1 and rounds to at most cap for a conviction in [0.5, 9] and an integer cap >= 1.
  guards: ['linear_at_least_1', 'linear_cap', 'cubic_at_least_1', 'cubic_cap'],
  outputs: {
    conviction: min2(
      'conviction_max',
      max2('conviction_min', v('leverage'), num(CONVICTION_MIN)),
      num(CONVICTION_MAX),
    ),
    ex_linear: mapped(
      'linear',
      add(
        num(1.0),
        div(
          mul(sub(v('conviction'), num(CONVICTION_MIN)), sub(p('exchange_cap'), num(1.0))),
          num(CONVICTION_SPAN),
        ),
      ),
    ),
    ex_u: div(sub(v('conviction'), num(CONVICTION_MIN)), num(CONVICTION_SPAN)),
    ex_cubic: mapped(
      'cubic',
      add(num(1.0), mul(sub(p('exchange_cap'), num(1.0)), mulAll(v('ex_u'), v('ex_u'), v('ex_u')))),
    ),
    exchange_leverage: sel(
      'actuated',
      absent(v('leverage')),
      NaN_,
      sel(
        'linear',
        eq(p('exchange_policy'), num(0)),
        v('ex_linear'),
        sel('cubic', eq(p('exchange_policy'), num(1)), v('ex_cubic'), p('exchange_cap')),
      ),
    ),
  },
};
