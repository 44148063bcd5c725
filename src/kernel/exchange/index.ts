// Exchange leverage at the venue boundary (SPEC §3.5, seed §2 dual leverage):
// conviction sizes the quantity; this maps it to the integer leverage the venue is set to.
import type { ExchangePolicy } from '../../model/index.js';
import { max2, min2, roundHalfEven } from '../rounding/index.js';

export const CONVICTION_MIN = 0.5;
export const CONVICTION_MAX = 9.0;
export const CONVICTION_SPAN = 8.5;

export function linearExchangeLeverage(conviction: number, cap: number): number {
  const c = min2(max2(conviction, CONVICTION_MIN), CONVICTION_MAX);
  const x = 1.0 + ((c - CONVICTION_MIN) * (cap - 1.0)) / CONVICTION_SPAN;
  return min2(max2(roundHalfEven(x), 1), cap);
}

export function cubicExchangeLeverage(conviction: number, cap: number): number {
  const u =
    (min2(max2(conviction, CONVICTION_MIN), CONVICTION_MAX) - CONVICTION_MIN) / CONVICTION_SPAN;
  const x = 1.0 + (cap - 1.0) * (u * u * u);
  return min2(max2(roundHalfEven(x), 1), cap);
}

/** The margin study recommends flat 3× (seed §4). */
export const DEFAULT_CUBIC_CAP = 3;

export function exchangeLeverage(policy: ExchangePolicy, conviction: number, cap: number): number {
  if (policy === 'linear') return linearExchangeLeverage(conviction, cap);
  if (policy === 'cubic') return cubicExchangeLeverage(conviction, cap);
  return cap;
}
