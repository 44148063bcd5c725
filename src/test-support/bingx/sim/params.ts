// A request's query parameters, read as the venue reads them: missing or malformed ones are
// refused with its "Invalid parameters" answer (80014, BadRequest in ccxt).

import type { Market } from '../../../engine/rules/index.js';
import { fromUnits, type Markets, toUnits } from '../../../engine/rules/index.js';
import { refuse } from './errors.js';

export class Params {
  private readonly map = new Map<string, string>();

  constructor(
    pairs: readonly [string, string][],
    private readonly markets: Markets,
  ) {
    for (const [k, v] of pairs) this.map.set(k, v);
  }

  /** A parameter; absent and empty are alike (ccxt leaves out what it has no value for). */
  opt(name: string): string | null {
    const v = this.map.get(name);
    return v === undefined || v === '' ? null : v;
  }

  req(name: string): string {
    const v = this.opt(name);
    if (v === null) throw refuse.badParam(`${name} is required`);
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T {
    const v = fallback === undefined ? this.req(name) : (this.opt(name) ?? fallback);
    if (!(values as readonly string[]).includes(v)) {
      throw refuse.badParam(`${name} must be one of ${values.join(', ')}, got ${v}`);
    }
    return v as T;
  }

  /** A whole number ≥ 0 (times, limits, seconds), or null when absent. */
  int(name: string): number | null {
    const v = this.opt(name);
    if (v === null) return null;
    const n = Number(v);
    if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(n)) {
      throw refuse.badParam(`${name} must be a whole number, got ${v}`);
    }
    return n;
  }

  bool(name: string): boolean {
    return this.oneOf(name, ['true', 'false'], 'false') === 'true';
  }

  market(name = 'symbol'): Market {
    const id = this.req(name);
    const m = this.markets.byVenueId(id);
    if (m === null) throw refuse.badParam(`symbol ${id} does not exist`);
    return m;
  }

  optMarket(name = 'symbol'): Market | undefined {
    return this.opt(name) === null ? undefined : this.market(name);
  }

  /** A positive decimal that is a whole number of 10^-decimals (a step or a tick): its units. */
  steps(name: string, decimals: number, what: string): number {
    const v = this.req(name);
    const x = Number(v);
    const units = /^\d+(\.\d+)?(e[-+]?\d+)?$/i.test(v) ? toUnits(x, decimals, 'down') : null;
    if (units === null || units === 0 || fromUnits(units, decimals) !== x) {
      throw refuse.badParam(`${name} ${v} is not a positive multiple of the ${what}`);
    }
    return units;
  }
}
