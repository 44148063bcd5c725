// The joint input universe of a lane graph (issue 15 §3): vel_div at its boundaries, ties
// and spikes; every lane input, absent ones (NaN) included, at and around its thresholds;
// posture; capital; parameters within their bounds; haircut multipliers outside [0, 1].
import { withinBound } from '../params/bounds.js';
import type { Graph, ParamSpec } from './graph.js';
import { nextDouble, type SampleRng } from './rng.js';

/** Parameters that make exact DC ties reachable: dyadic moves of a power-of-two price. */
const DYADIC = 2 ** -14;

function drawParam(s: ParamSpec, r: SampleRng): number {
  const b = s.bound;
  if (r.chance(0.5)) return s.default;
  if (b.integer) {
    const hi = Math.min(b.max, s.name === 'esof_max_age_ms' ? 3_600_000 : b.max);
    const hiCapped = s.name === 'exchange_cap' ? Math.min(hi, 20) : hi;
    return r.int(b.min, hiCapped);
  }
  const u = r.next();
  let x: number;
  if (u < 0.1 && !b.minOpen) x = b.min;
  else if (u < 0.2 && !b.maxOpen) x = b.max;
  else if (u < 0.7) x = s.default * r.uniform(0.5, 1.5);
  else x = r.uniform(b.min, Math.min(b.max, b.min + 20));
  return withinBound(x, b) ? x : s.default;
}

/**
 * One parameter vector for a block: every parameter at its default (the first block always,
 * as the engine runs them; later ones with chance 0.3), or each drawn within its bounds.
 */
export function sampleParams(g: Graph, r: SampleRng, out: Float64Array, first = false): void {
  const allDefault = r.chance(0.3) || first;
  g.params.forEach((s, i) => {
    out[i] = allDefault ? s.default : drawParam(s, r);
  });
  const at = (name: string) => g.params.findIndex((s) => s.name === name);
  const t = at('threshold');
  const e = at('extreme');
  if (t >= 0 && e >= 0 && !((out[t] as number) > (out[e] as number))) {
    out[t] = g.params[t]?.default as number;
    out[e] = g.params[e]?.default as number;
  }
  const m = at('dc_min_move');
  if (m >= 0 && !allDefault && r.chance(0.4)) out[m] = r.int(1, 16) * DYADIC;
}

const INDEX = new WeakMap<Graph, Map<string, number>>();
function paramIndex(g: Graph): Map<string, number> {
  let m = INDEX.get(g);
  if (m === undefined) {
    m = new Map(g.params.map((s, i) => [s.name, i]));
    INDEX.set(g, m);
  }
  return m;
}

/** Around a threshold: on it, a double either side, or within `scale` of it; NaN when absent. */
function near(r: SampleRng, t: number, scale: number, absentRate: number): number {
  const u = r.next();
  if (u < absentRate) return Number.NaN;
  if (u < absentRate + 0.15) return t;
  if (u < absentRate + 0.25) return nextDouble(t, r.chance(0.5) ? 1 : -1);
  return t + r.uniform(-scale, scale);
}

/** Fills row k of the input columns; `prev` is the row before (ties repeat a value). */
export function sampleInputs(
  g: Graph,
  P: Float64Array,
  r: SampleRng,
  cols: readonly Float64Array[],
  k: number,
): void {
  const index = paramIndex(g);
  const param = (name: string): number => {
    const i = index.get(name);
    return i === undefined ? Number.NaN : (P[i] as number);
  };
  const threshold = param('threshold');
  const extreme = param('extreme');
  const minMove = param('dc_min_move');
  const values: Record<string, () => number> = {
    vel_div: () => {
      const u = r.next();
      if (u < 0.45) return r.uniform(Math.max(extreme * 1.5, -1), 0.03);
      if (u < 0.55) return threshold;
      if (u < 0.65) return nextDouble(threshold, r.chance(0.5) ? 1 : -1);
      if (u < 0.72) return r.chance(0.5) ? extreme : nextDouble(extreme, r.chance(0.5) ? 1 : -1);
      if (u < 0.78) return r.chance(0.5) ? -605 : r.uniform(-1e4, 5);
      if (u < 0.88 && k > 0) return cols[g.inputs.indexOf('vel_div')]?.[k - 1] as number;
      return r.chance(0.5) ? 0 : -0;
    },
    capital: () =>
      r.chance(0.2) ? 25_000 : r.chance(0.8) ? r.uniform(1, 1e6) : r.chance(0.5) ? 1e-3 : 1e9,
    posture: () => r.int(0, 2),
    candidate: () => (r.chance(0.1) ? 0 : 1),
    p_then: () => Number.NaN,
    p_now: () => Number.NaN,
    funding_rate: () => near(r, param('acb_funding_below'), 0.001, 0.2),
    dvol: () => near(r, param('acb_dvol_above'), 50, 0.2),
    fear_greed: () => near(r, param('acb_fear_greed_below'), 30, 0.2),
    taker_ratio: () => near(r, param('acb_taker_ratio_below'), 0.5, 0.2),
    w750_velocity: () => {
      const u = r.next();
      if (u < 0.2) return Number.NaN;
      if (u < 0.3) return r.chance(0.5) ? 0 : -0;
      return r.uniform(-0.1, 0.1);
    },
    mc_status: () => r.int(0, 3),
    ob_eff_imb: () => near(r, (r.chance(0.5) ? 1 : -1) * param('ob_edge'), 0.4, 0.1),
    ob_agree: () => {
      const u = r.next();
      if (u < 0.15) return param('ob_agree_high');
      if (u < 0.3) return param('ob_agree_low');
      return r.next();
    },
    esof_score: () => near(r, (r.chance(0.5) ? 1 : -1) * param('esof_edge'), 0.1, 0.1),
    esof_age_ms: () => near(r, param('esof_max_age_ms'), param('esof_max_age_ms') + 1, 0.1),
    sc_mult: () => {
      const u = r.next();
      if (u < 0.35) return r.uniform(-0.5, 1.5);
      if (u < 0.55) return 1;
      if (u < 0.6) return 1 - 1e-10;
      if (u < 0.65) return 1 - param('sc_noop_epsilon');
      if (u < 0.75) return r.chance(0.5) ? 0 : -0;
      return r.next();
    },
  };
  g.inputs.forEach((name, i) => {
    const f = values[name];
    (cols[i] as Float64Array)[k] = f === undefined ? r.uniform(-1, 1) : f();
  });
  // DC: no history, an exact tie on ±dc_min_move, or a move around it.
  const iThen = g.inputs.indexOf('p_then');
  const iNow = g.inputs.indexOf('p_now');
  if (iThen < 0 || iNow < 0) return;
  const u = r.next();
  let pThen = Number.NaN;
  let pNow = r.uniform(1, 100);
  if (u >= 0.1 && u < 0.4) {
    pThen = 2 ** r.int(-2, 8);
    pNow = pThen * (1 + (r.chance(0.5) ? 1 : -1) * minMove);
  } else if (u >= 0.4) {
    pThen = r.uniform(0.01, 1e5);
    pNow = pThen * (1 + r.uniform(-3, 3) * minMove);
  }
  (cols[iThen] as Float64Array)[k] = pThen;
  (cols[iNow] as Float64Array)[k] = pNow;
}
