// The fused compose kernel (SPEC §6, seed §8c): one parameter binding compiled to a flat
// function with the constants folded in, no allocation, no string compares. It must stay
// bit-identical to the readable `compose` (a Monte-Carlo test proves it on every run);
// only operations whose result cannot change are hoisted (threshold - extreme, max - min).
import type { Posture, Profile } from '../../model/index.js';
import type { ComposeParams } from '../compose/index.js';
import { pyRound } from '../rounding/index.js';

export const POSTURE_CODE: Readonly<Record<Posture, number>> = Object.freeze({
  APEX: 0,
  STALKER: 1,
  HIBERNATE: 2,
});

/** Output record layout: four doubles per evaluation. NaN = null. */
export const FUSED_ACTUATED = 0;
export const FUSED_BASE_LEVERAGE = 1;
export const FUSED_LEVERAGE = 2;
export const FUSED_NOTIONAL = 3;
export const FUSED_WIDTH = 4;

export type FusedCompose = (
  velDiv: number,
  capital: number,
  dcMult: number,
  regimeMult: number,
  obMult: number,
  esofMult: number,
  scMult: number,
  posture: number,
  out: Float64Array,
  at: number,
) => void;

function lit(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot fuse a non-finite constant: ${x}`);
  return Object.is(x, -0) ? '-0' : `(${String(x)})`;
}

export function compileCompose(profile: Profile, p: ComposeParams): FusedCompose {
  const s = p.sizer;
  const haircut = profile === 'v3-shadow' ? 'esofMult' : 'scMult';
  const compose =
    profile === 'v3-shadow'
      ? 'const lev = base;'
      : `const raw = base * dcMult * regimeMult * obMult * esofMult;
    let cm = ${lit(p.clamp.base_max_leverage)} * regimeMult * obMult * esofMult;
    if (${lit(p.clamp.abs_max_leverage)} < cm) cm = ${lit(p.clamp.abs_max_leverage)};
    if (posture === 1 && ${lit(p.clamp.stalker_cap)} < cm) cm = ${lit(p.clamp.stalker_cap)};
    let lev = cm < raw ? cm : raw;
    lev = lev > ${lit(s.min_leverage)} ? lev : ${lit(s.min_leverage)};`;
  const body = `
  return function fusedCompose(velDiv, capital, dcMult, regimeMult, obMult, esofMult, scMult, posture, out, at) {
    if (!(velDiv < ${lit(s.threshold)})) {
      out[at] = 0; out[at + 1] = NaN; out[at + 2] = NaN; out[at + 3] = NaN;
      return;
    }
    let st = (${lit(s.threshold)} - velDiv) / ${lit(s.threshold - s.extreme)};
    if (st > 1.0) st = 1.0;
    let pw = st;
    for (let i = 1; i < ${s.convexity}; i++) pw = pw * st;
    const base = ${lit(s.min_leverage)} + ${lit(s.max_leverage - s.min_leverage)} * pw;
    out[at + 1] = base;
    if (posture === 2) {
      out[at] = 0; out[at + 2] = NaN; out[at + 3] = NaN;
      return;
    }
    ${compose}
    const notional = capital * ${lit(s.base_fraction)} * lev;
    out[at] = 1;
    let m = 0.0 > ${haircut} ? 0.0 : ${haircut};
    m = 1.0 < m ? 1.0 : m;
    if (1.0 - m < ${lit(p.sc.sc_noop_epsilon)}) {
      out[at + 2] = lev; out[at + 3] = notional;
      return;
    }
    out[at + 2] = pyRound(lev * m, ${p.sc.sc_leverage_digits});
    out[at + 3] = pyRound(notional * m, ${p.sc.sc_notional_digits});
  };`;
  return new Function('pyRound', body)(pyRound) as FusedCompose;
}
