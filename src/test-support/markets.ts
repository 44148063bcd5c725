// Venue markets for tests: one contract with the steps a test needs, by its scan symbol.
import {
  type ExecutionParams,
  ExecutionRules,
  type Market,
  Markets,
} from '../engine/rules/index.js';

/** `AAAUSDT` → a tradable `AAA-USDT` with tick and step 10^-4, minimums of one step and 0 USDT. */
export function market(symbol: string, o: Partial<Market> = {}): Market {
  const base = symbol.replace(/USDT$/, '');
  return {
    symbol,
    venueId: `${base}-USDT`,
    unified: `${base}/USDT:USDT`,
    priceDecimals: 4,
    quantityDecimals: 4,
    minQuantity: 0.0001,
    minNotional: 0,
    maxShortLeverage: 50,
    tradable: true,
    ...o,
  };
}

export function marketsOf(...list: Market[]): Markets {
  return new Markets('test', 'test', list);
}

/** The rules of `x` over the given markets (default: `AAAUSDT` as `market` makes it). */
export function rulesOf(x: ExecutionParams, ...list: Market[]): ExecutionRules {
  return new ExecutionRules(marketsOf(...(list.length > 0 ? list : [market('AAAUSDT')])), x);
}
