// The lane registry: each lane is a pure function with declared inputs, params and
// outputs, so a graph compiler can fuse them without rewriting them (SPEC §6, seed §8c).
import { DC, ESOF, OB, REGIME, SC } from '../params/index.js';
import { dcLane } from './dc.js';
import { esofLane } from './esof.js';
import { obLane } from './ob.js';
import { regimeLane } from './regime.js';
import { scHaircut } from './sc.js';

export interface LaneSpec {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly params: readonly string[];
  readonly outputs: readonly string[];
  readonly fn: (...args: never[]) => unknown;
}

export const LANES: readonly LaneSpec[] = Object.freeze([
  {
    name: 'dc',
    inputs: ['p_now', 'p_then', 'direction'],
    params: Object.keys(DC),
    outputs: ['dc_status', 'dc_ret', 'dc_mult'],
    fn: dcLane,
  },
  {
    name: 'regime',
    inputs: ['acb', 'w750_velocity', 'mc_status'],
    params: Object.keys(REGIME),
    outputs: ['acb_signals', 'acb_boost', 'meta_boost', 'mc_scale', 'regime_mult'],
    fn: regimeLane,
  },
  {
    name: 'ob',
    inputs: ['ob_imbalance', 'direction'],
    params: Object.keys(OB),
    outputs: ['ob_n', 'ob_eff_imb', 'ob_agree', 'ob_mult'],
    fn: obLane,
  },
  {
    name: 'esof',
    inputs: ['esof', 'ts'],
    params: Object.keys(ESOF),
    outputs: ['esof_score', 'esof_stale', 'esof_mult'],
    fn: esofLane,
  },
  {
    name: 'sc',
    inputs: ['leverage', 'notional', 'sc_mult'],
    params: Object.keys(SC),
    outputs: ['leverage', 'notional'],
    fn: scHaircut,
  },
]);

export type { DcOut } from './dc.js';
export { type EsofOut, esofMult } from './esof.js';
export type { ObOut } from './ob.js';
export { acbSignals, type RegimeOut } from './regime.js';
export type { Sized } from './sc.js';
export { dcLane, esofLane, obLane, regimeLane, scHaircut };
