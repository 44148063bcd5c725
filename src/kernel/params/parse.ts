// Checked constructors for kernel parameter overrides: unknown keys and bad values refused.
import { asObj, finite, InvalidInput, integer, rejectUnknown } from '../../model/index.js';
import type { ClampParams, SizerParams } from './index.js';

export const SIZER_KEYS = [
  'threshold',
  'extreme',
  'convexity',
  'min_leverage',
  'max_leverage',
  'base_fraction',
] as const;
export const CLAMP_KEYS = ['base_max_leverage', 'abs_max_leverage', 'stalker_cap'] as const;

/** Convexity is a loop count; beyond this it is a typo, not a curve. */
export const MAX_CONVEXITY = 1_000_000;

function pick(o: Record<string, unknown>, key: string, dflt: number, where: string): number {
  const v = o[key];
  return v === undefined ? dflt : finite(v, `${where}${key}`);
}

export function sizerFrom(
  o: Record<string, unknown>,
  defaults: SizerParams,
  where = 'params.',
): SizerParams {
  const p: SizerParams = {
    threshold: pick(o, 'threshold', defaults.threshold, where),
    extreme: pick(o, 'extreme', defaults.extreme, where),
    convexity:
      o.convexity === undefined ? defaults.convexity : integer(o.convexity, `${where}convexity`, 1),
    min_leverage: pick(o, 'min_leverage', defaults.min_leverage, where),
    max_leverage: pick(o, 'max_leverage', defaults.max_leverage, where),
    base_fraction: pick(o, 'base_fraction', defaults.base_fraction, where),
  };
  if (p.convexity > MAX_CONVEXITY) {
    throw new InvalidInput(`${where}convexity: must be <= ${MAX_CONVEXITY}`);
  }
  if (!(p.threshold > p.extreme)) {
    throw new InvalidInput(`${where}extreme: must be below threshold`);
  }
  return p;
}

export function clampFrom(
  o: Record<string, unknown>,
  defaults: ClampParams,
  where = 'params.',
): ClampParams {
  return {
    base_max_leverage: pick(o, 'base_max_leverage', defaults.base_max_leverage, where),
    abs_max_leverage: pick(o, 'abs_max_leverage', defaults.abs_max_leverage, where),
    stalker_cap: pick(o, 'stalker_cap', defaults.stalker_cap, where),
  };
}

/** `params` as a JSON object with only the allowed keys; absent means {}. */
export function paramsObject(v: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (v === undefined) return {};
  const o = asObj(v, 'params');
  rejectUnknown(o, allowed, 'params.');
  return o;
}
