// A verified sample as `violet kernel eval` lines (the CPython oracle's ops), each with the
// values the graph's interpreter gave, so the reference can be checked against the graph.
// Only ops whose fixed constants are the sample's own (a default parameter group) are written.

import { CLAMP_KEYS, SIZER_KEYS } from '../params/parse.js';
import type { Graph } from './graph.js';
import { esofNode, POSTURE, regimeNode, scNode } from './lanes.js';
import type { SampleView } from './verify.js';

export interface Vector {
  /** The `kernel eval` input line. */
  readonly line: string;
  /** What the oracle must answer, by output key (null: None). */
  readonly expect: Readonly<Record<string, number | boolean | null>>;
}

/** JSON for a double that keeps −0 (`-0.0`, a float to CPython). */
const n = (x: number): string => (Object.is(x, -0) ? '-0.0' : JSON.stringify(x));
const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
const field = (x: number): string => (Number.isNaN(x) ? 'null' : n(x));

// The parameters each op's line carries or assumes, from their one home: the sizer and clamp
// keys of the kernel's overrides, the nodes' own lists (EsoF's age limit and the haircut's
// base fraction are not the op's: it takes `stale`, and the fraction rides with the sizer).
const SIZER_CLAMP: readonly string[] = [...SIZER_KEYS, ...CLAMP_KEYS];
const REGIME_KEYS = regimeNode.params;
const ESOF_KEYS = esofNode.params.filter((k) => k !== 'esof_max_age_ms');
const SC_KEYS = scNode.params.filter((k) => k !== 'base_fraction');
const POSTURES = ['APEX', 'STALKER', 'HIBERNATE'];
const MC = [null, 'GREEN', 'ORANGE', 'RED'];
const POLICIES = ['linear', 'cubic', 'flat'];

export function vectorsOf(g: Graph, s: SampleView): Vector[] {
  const defaults = new Map(g.params.map((p) => [p.name, p.default]));
  const atDefault = (keys: readonly string[]) =>
    keys.every((k) => !defaults.has(k) || Object.is(s.params[k], defaults.get(k)));
  const t = (name: string) => s.taps.get(name) as number;
  const id = (op: string) => `${g.name}:${s.index}:${op}`;
  const out: Vector[] = [];
  const signal = t('signal') === 1;
  const posture = t('posture');
  if (atDefault(SC_KEYS)) {
    const params = SIZER_CLAMP.filter((k) => k in s.params)
      .map((k) => `"${k}":${n(s.params[k] as number)}`)
      .join(',');
    const moved = posture !== POSTURE.HIBERNATE && signal;
    const sc = g.name === 'orchestrator' ? `,"sc_mult":${n(t('sc_mult'))}` : '';
    out.push({
      line: `{"id":"${id('compose')}","op":"compose","profile":"${g.name}","vel_div":${n(t('vel_div'))},"capital":${n(t('capital'))},"dc_mult":${n(t('dc_mult'))},"regime_mult":${n(t('regime_mult'))},"ob_mult":${n(t('ob_mult'))},"esof_mult":${n(t('esof_mult'))}${sc},"posture":"${POSTURES[posture]}","params":{${params}}}`,
      expect: {
        actuated: moved,
        base_leverage: signal ? t('base_leverage') : null,
        leverage: moved ? t('sc_leverage') : null,
        notional: moved ? t('sc_notional') : null,
      },
    });
    if (signal) {
      out.push({
        line: `{"id":"${id('sc')}","op":"sc_haircut","leverage":${n(t('floored'))},"notional":${n(t('pre_notional'))},"mult":${n(t('sc_mult'))}}`,
        expect: { leverage: t('sc_leverage'), notional: t('sc_notional') },
      });
    }
  }
  if (atDefault(REGIME_KEYS)) {
    const mc = MC[t('mc_status')];
    out.push({
      line: `{"id":"${id('regime')}","op":"regime_mult","acb":{"funding_rate":${field(t('funding_rate'))},"dvol":${field(t('dvol'))},"fear_greed":${field(t('fear_greed'))},"taker_ratio":${field(t('taker_ratio'))}},"w750_velocity":${field(t('w750_velocity'))},"mc_status":${mc === null ? 'null' : `"${mc}"`}}`,
      expect: {
        acb_boost: t('acb_boost'),
        meta_boost: t('meta_boost'),
        mc_scale: t('mc_scale'),
        regime_mult: t('regime_mult'),
      },
    });
  }
  if (atDefault(ESOF_KEYS)) {
    out.push({
      line: `{"id":"${id('esof')}","op":"esof_mult","score":${field(t('esof_score'))},"stale":${t('esof_stale') === 1}}`,
      expect: { mult: t('esof_mult') },
    });
  }
  if (t('actuated') === 1) {
    out.push({
      line: `{"id":"${id('exchange')}","op":"exchange_leverage","policy":"${POLICIES[s.params.exchange_policy as number]}","conviction":${n(t('leverage'))},"cap":${n(s.params.exchange_cap as number)}}`,
      expect: { exchange_leverage: orNull(t('exchange_leverage')) },
    });
  }
  return out;
}
