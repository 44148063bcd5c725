// EsoF lane (SPEC §3.3, seed §8: BLUE esof_size_mult_from_score, ESOF_* constants).
import type { Esof } from '../../model/index.js';
import type { EsofParams } from '../params/index.js';

export interface EsofOut {
  readonly score: number | null;
  readonly stale: boolean;
  readonly mult: number;
}

export function esofMult(score: number | null, stale: boolean, p: EsofParams): number {
  if (stale || score === null) return p.esof_stale_fallback;
  if (score > p.esof_edge) return 1.0;
  if (score < -p.esof_edge) return p.esof_unfav;
  return p.esof_neutral;
}

/** A score older than esof_max_age_ms at the scan's ts is stale; a missing one too. */
export function esofLane(esof: Esof | null, scanTs: number, p: EsofParams): EsofOut {
  if (esof === null) return { score: null, stale: true, mult: p.esof_stale_fallback };
  const stale = scanTs - esof.ts > p.esof_max_age_ms;
  return { score: esof.score, stale, mult: esofMult(esof.score, stale, p) };
}
