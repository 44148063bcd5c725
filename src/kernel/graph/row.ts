// The pre-nodes' results as one graph input row, and a graph output row read back as the
// values the journal records (codes back to their words, NaN back to null).
import type { Acb, DcStatus, McStatus, Posture } from '../../model/index.js';
import type { Graph } from './graph.js';
import { MC_CODE, POSTURE, REASON_CODE } from './lanes.js';

export interface LaneScalars {
  readonly velDiv: number;
  readonly capital: number;
  readonly posture: Posture;
  /** The selector picked an asset. */
  readonly candidate: boolean;
  /** The candidate's price now and dc_lookback scans ago (null: no history). */
  readonly pNow: number | null;
  readonly pThen: number | null;
  readonly acb: Acb | null;
  readonly w750Velocity: number | null;
  readonly mcStatus: McStatus | null;
  /** The OB consensus pre-node (null: no imbalance). */
  readonly obEffImb: number | null;
  readonly obAgree: number | null;
  readonly esofScore: number | null;
  /** Scan ts minus the score's ts (null: no score). */
  readonly esofAgeMs: number | null;
  readonly scMult: number;
}

const nan = (x: number | null | undefined): number =>
  x === null || x === undefined ? Number.NaN : x;

/** The named scalars of a row (graph input names). */
export function laneInputValues(s: LaneScalars): Readonly<Record<string, number>> {
  return {
    vel_div: s.velDiv,
    capital: s.capital,
    posture: POSTURE[s.posture],
    candidate: s.candidate ? 1 : 0,
    p_now: nan(s.pNow),
    p_then: nan(s.pThen),
    funding_rate: nan(s.acb?.funding_rate),
    dvol: nan(s.acb?.dvol),
    fear_greed: nan(s.acb?.fear_greed),
    taker_ratio: nan(s.acb?.taker_ratio),
    w750_velocity: nan(s.w750Velocity),
    mc_status: s.mcStatus === null ? 0 : MC_CODE[s.mcStatus],
    ob_eff_imb: nan(s.obEffImb),
    ob_agree: nan(s.obAgree),
    esof_score: nan(s.esofScore),
    esof_age_ms: nan(s.esofAgeMs),
    sc_mult: s.scMult,
  };
}

/** Writes a graph's input row into `row` (graph.inputs order). */
export function fillInputs(g: Graph, s: LaneScalars, row: Float64Array): Float64Array {
  const v = laneInputValues(s);
  g.inputs.forEach((name, i) => {
    row[i] = v[name] ?? Number.NaN;
  });
  return row;
}

export const REASONS = ['NO_CANDIDATE', 'NO_SIGNAL', 'HIBERNATE', 'ACTUATED'] as const;
export type Reason = (typeof REASONS)[number];
const DC_STATUS: readonly (DcStatus | null)[] = [null, 'CONFIRM', 'NEUTRAL', 'CONTRADICT'];

export const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
export const reasonOf = (code: number): Reason => REASONS[code] as Reason;
export const dcStatusOf = (code: number): DcStatus | null => DC_STATUS[code] ?? null;
export { REASON_CODE };
