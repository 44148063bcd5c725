// The lane graph as data (SPEC §6, seed §8b/§8c): typed nodes with declared inputs,
// parameters and outputs over scalar inputs. Reductions over assets (the selector, the OB
// consensus, the DC lookback) are pre-nodes outside it; an absent input is NaN.
import type { Profile } from '../../model/index.js';
import { BOUNDS, type Bound } from '../params/bounds.js';
import {
  CLAMP,
  DC,
  ESOF,
  OB,
  REGIME,
  SC,
  type ScParams,
  SIZER_BY_PROFILE,
  type SizerParams,
} from '../params/index.js';
import { type Bool, labels, type Num, reads } from './ir.js';

export interface GraphNode {
  readonly name: string;
  /** Values read: graph inputs or outputs of earlier nodes. */
  readonly inputs: readonly string[];
  readonly params: readonly string[];
  /** Output name → expression, evaluated in order (a later one may read an earlier one). */
  readonly outputs: Readonly<Record<string, Num>>;
  /**
   * Branches whose true arm no input within the bounds reaches: defensive clamps kept as the
   * readable kernel writes them. The verifier reports them apart and fails if one is taken.
   */
  readonly guards?: readonly string[];
}

export interface ParamSpec {
  readonly name: string;
  readonly default: number;
  readonly bound: Bound;
}

export interface Graph {
  readonly name: string;
  /** Scalar inputs, in column order. */
  readonly inputs: readonly string[];
  /** In vector order (the compiled kernels take them as one Float64Array). */
  readonly params: readonly ParamSpec[];
  /** In evaluation order. */
  readonly nodes: readonly GraphNode[];
  /** The values every evaluation reports (the journal's per-lane columns), in column order. */
  readonly outputs: readonly string[];
}

/** The kernel parameters a graph binds (SPEC §3 groups, plus the exchange mapping). */
export interface GraphParams {
  readonly sizer: SizerParams;
  readonly clamp: typeof CLAMP;
  readonly dc: typeof DC;
  readonly regime: typeof REGIME;
  readonly ob: typeof OB;
  readonly esof: typeof ESOF;
  readonly sc: ScParams;
  readonly exchange: { readonly policy: number; readonly cap: number };
}

/** Exchange policy codes (EXCHANGE_POLICIES order) and the cap's sampled range. */
export const EXCHANGE_POLICY_CODE = Object.freeze({ linear: 0, cubic: 1, flat: 2 });
const EXCHANGE_BOUNDS: Readonly<Record<string, Bound>> = {
  exchange_policy: { min: 0, max: 2, integer: true },
  exchange_cap: { min: 1, max: 125, integer: true },
};

export function defaultGraphParams(profile: Profile): GraphParams {
  return {
    sizer: SIZER_BY_PROFILE[profile],
    clamp: CLAMP,
    dc: DC,
    regime: REGIME,
    ob: OB,
    esof: ESOF,
    sc: SC,
    exchange: { policy: EXCHANGE_POLICY_CODE.cubic, cap: 3 },
  };
}

/** Every scalar parameter by name with its bound from params/bounds (acb_boosts flattened). */
export function paramTable(p: GraphParams): Map<string, ParamSpec> {
  const t = new Map<string, ParamSpec>();
  const groups: Record<string, object> = {
    sizer: p.sizer,
    clamp: p.clamp,
    dc: p.dc,
    regime: p.regime,
    ob: p.ob,
    esof: p.esof,
    sc: p.sc,
  };
  for (const [group, values] of Object.entries(groups)) {
    for (const [key, v] of Object.entries(values)) {
      const bound = BOUNDS[group]?.[key];
      if (bound === undefined) throw new Error(`no bound for ${group}.${key}`);
      if (Array.isArray(v)) {
        v.forEach((x: number, i) => {
          t.set(`${key}_${i}`, { name: `${key}_${i}`, default: x, bound });
        });
      } else t.set(key, { name: key, default: v as number, bound });
    }
  }
  t.set('exchange_policy', {
    name: 'exchange_policy',
    default: p.exchange.policy,
    bound: EXCHANGE_BOUNDS.exchange_policy as Bound,
  });
  t.set('exchange_cap', {
    name: 'exchange_cap',
    default: p.exchange.cap,
    bound: EXCHANGE_BOUNDS.exchange_cap as Bound,
  });
  return t;
}

/** A graph from its nodes: checks every read is declared and defined before it is used. */
export function makeGraph(
  name: string,
  inputs: readonly string[],
  nodes: readonly GraphNode[],
  outputs: readonly string[],
  table: Map<string, ParamSpec>,
): Graph {
  const defined = new Set(inputs);
  const used: string[] = [];
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (!defined.has(i)) throw new Error(`${n.name}: input ${i} is not defined before it`);
    }
    const own = new Set<string>();
    for (const [out, e] of Object.entries(n.outputs)) {
      const vals = new Set<string>();
      const ps = new Set<string>();
      reads(e, vals, ps);
      for (const v of vals) {
        if (!n.inputs.includes(v) && !own.has(v)) {
          throw new Error(`${n.name}.${out}: reads ${v}, not a declared input`);
        }
      }
      for (const q of ps) {
        if (!n.params.includes(q)) throw new Error(`${n.name}.${out}: param ${q} not declared`);
      }
      if (defined.has(out)) throw new Error(`${n.name}: ${out} is defined twice`);
      own.add(out);
      defined.add(out);
    }
    const ls: string[] = [];
    for (const e of Object.values(n.outputs)) labels(e, ls, true);
    if (new Set(ls).size !== ls.length)
      throw new Error(`${n.name}: a branch label names two branches`);
    for (const q of n.params) {
      if (!table.has(q)) throw new Error(`${n.name}: unknown param ${q}`);
      if (!used.includes(q)) used.push(q);
    }
  }
  for (const o of outputs) if (!defined.has(o)) throw new Error(`output ${o} is not defined`);
  const params = used.map((q) => table.get(q) as ParamSpec);
  return Object.freeze({ name, inputs, params, nodes, outputs });
}

/** Every branch of every node, as `node.label`, once each in evaluation order. */
export function branchesOf(g: Graph): string[] {
  const out = new Set<string>();
  for (const n of g.nodes) {
    const ls: string[] = [];
    for (const e of Object.values(n.outputs)) labels(e, ls);
    for (const l of ls) out.add(`${n.name}.${l}`);
  }
  return [...out];
}

/** The parameter vector of a graph from a binding (defaults for what it does not name). */
export function paramVector(g: Graph, p: GraphParams): Float64Array {
  const t = paramTable(p);
  return Float64Array.from(g.params, (s) => (t.get(s.name) as ParamSpec).default);
}

export type { Bool, Num };
