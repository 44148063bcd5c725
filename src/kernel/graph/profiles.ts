// The two profiles (SPEC §3.2) as graphs: the same lanes, a different composition.
import type { Profile } from '../../model/index.js';
import {
  defaultGraphParams,
  type Graph,
  type GraphNode,
  type GraphParams,
  makeGraph,
  paramTable,
} from './graph.js';
import {
  capNode,
  dcNode,
  decisionNode,
  esofNode,
  exchangeNode,
  floorNode,
  obNode,
  productNode,
  regimeNode,
  scNode,
  shadowNode,
  sizerNode,
  stalkerNode,
} from './lanes.js';

/** Scalar inputs shared by both profiles; the orchestrator adds the configured sc_mult. */
export const LANE_INPUTS = [
  'vel_div',
  'capital',
  'posture',
  'candidate',
  'p_now',
  'p_then',
  'funding_rate',
  'dvol',
  'fear_greed',
  'taker_ratio',
  'w750_velocity',
  'mc_status',
  'ob_eff_imb',
  'ob_agree',
  'esof_score',
  'esof_age_ms',
] as const;

/** What the journal records per lane and step, in column order. */
export const JOURNAL_OUTPUTS = [
  'reason',
  'actuated',
  'strength',
  'base_leverage',
  'dc_status',
  'dc_mult',
  'acb_boost',
  'meta_boost',
  'mc_scale',
  'regime_mult',
  'ob_mult',
  'esof_stale',
  'esof_mult',
  'sc_mult',
  'clamped_max',
  'leverage',
  'fraction',
  'notional',
  'notional_fraction',
  'exchange_leverage',
] as const;

// v3-shadow's haircut multiplier is esof_mult, inside [0, 1] by its bounds: the clamp guards.
const SHADOW_SC: GraphNode = { ...scNode, guards: ['clamp_high', 'clamp_low'] };

const LANES_FIRST: readonly GraphNode[] = [sizerNode, dcNode, regimeNode, obNode, esofNode];

export function profileNodes(profile: Profile): readonly GraphNode[] {
  return profile === 'orchestrator'
    ? [
        ...LANES_FIRST,
        productNode,
        capNode,
        stalkerNode,
        floorNode,
        scNode,
        decisionNode,
        exchangeNode,
      ]
    : [...LANES_FIRST, shadowNode, SHADOW_SC, decisionNode, exchangeNode];
}

export function profileInputs(profile: Profile): readonly string[] {
  return profile === 'orchestrator' ? [...LANE_INPUTS, 'sc_mult'] : LANE_INPUTS;
}

/** A profile's graph; `nodes` replaces its node list (a lane added is a node added). */
export function profileGraph(
  profile: Profile,
  params: GraphParams = defaultGraphParams(profile),
  nodes: readonly GraphNode[] = profileNodes(profile),
  inputs: readonly string[] = profileInputs(profile),
): Graph {
  return makeGraph(profile, inputs, nodes, JOURNAL_OUTPUTS, paramTable(params));
}
