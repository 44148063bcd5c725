// The planes (SPEC §2, issue 6 §2): EsoF score, ACB fields, MC status and posture when they
// arrive apart from the scans (live: a key-value bucket). A value obeys its Scan field's rules.
import { MC_STATUSES, type McStatus, POSTURES, type Posture } from './enums.js';
import { asObj, oneOf, rejectUnknown } from './fields.js';
import { guard, InvalidInput, type Result } from './result.js';
import { type Acb, type Esof, parseAcb, parseEsof } from './scan.js';

export const PLANE_KEYS = ['esof', 'acb', 'mc_status', 'posture'] as const;
export type PlaneKey = (typeof PLANE_KEYS)[number];

export interface Planes {
  readonly esof: Esof | null;
  readonly acb: Acb | null;
  readonly mc_status: McStatus | null;
  readonly posture: Posture | null;
}

export const NO_PLANES: Planes = { esof: null, acb: null, mc_status: null, posture: null };

export function isPlaneKey(k: string): k is PlaneKey {
  return (PLANE_KEYS as readonly string[]).includes(k);
}

function parse<K extends PlaneKey>(key: K, raw: unknown): Planes[K] {
  if (raw === null || raw === undefined) throw new InvalidInput(`${key}: missing`);
  switch (key) {
    case 'esof':
      rejectUnknown(asObj(raw, key), ['score', 'ts'], 'esof.');
      return parseEsof(raw) as Planes[K];
    case 'acb':
      rejectUnknown(asObj(raw, key), ['funding_rate', 'dvol', 'fear_greed', 'taker_ratio'], 'acb.');
      return parseAcb(raw) as Planes[K];
    case 'mc_status':
      return oneOf(raw, key, MC_STATUSES) as Planes[K];
    default:
      return oneOf(raw, key, POSTURES) as Planes[K];
  }
}

/** One plane's value (decoded JSON), checked like the Scan field of the same name. */
export function parsePlane<K extends PlaneKey>(key: K, raw: unknown): Result<Planes[K]> {
  return guard(() => parse(key, raw));
}
