// BingX's USDT-M perpetual contract list (`GET /openApi/swap/v2/quote/contracts`), in the
// venue's own shape, turned into the engine's markets. BingX sends most fields as strings
// ("4", "0.0001", "true") and some as numbers; both are read, anything else is refused.
import { createHash } from 'node:crypto';
import { type Market, Markets } from '../../engine/rules/index.js';
import { asObj, guard, InvalidInput, type Obj, type Result } from '../../model/index.js';

/**
 * ccxt's renames of BingX currency codes (its `commonCurrencies` for bingx): the unified
 * name of `TRUMP-USDT` is `TRUMPMAGA/USDT:USDT`. A test holds this equal to ccxt's table.
 */
export const BINGX_CURRENCY_RENAMES: Readonly<Record<string, string>> = Object.freeze({
  XBT: 'BTC',
  BCHSV: 'BSV',
  SNOW: 'Snowman',
  OMNI: 'OmniCat',
  NAP: '$NAP',
  TRUMP: 'TRUMPMAGA',
  TRUMPSOL: 'TRUMP',
});

/** `BASE-QUOTE`: BingX lists its perpetuals against USDT (and USDC); a saved list may hold others. */
const VENUE_ID = /^([A-Z0-9]{1,32})-([A-Z0-9]{2,10})$/;

function numberField(o: Obj, key: string, where: string): number {
  const v = o[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new InvalidInput(
      `${where}.${key}: a number (or numeric text) expected, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

function decimals(o: Obj, key: string, where: string): number {
  const n = numberField(o, key, where);
  if (!Number.isInteger(n) || n < 0 || n > 15) {
    throw new InvalidInput(`${where}.${key}: an integer 0..15 expected, got ${n}`);
  }
  return n;
}

function nonNegative(o: Obj, key: string, where: string): number {
  const n = numberField(o, key, where);
  if (n < 0) throw new InvalidInput(`${where}.${key}: must be >= 0, got ${n}`);
  return n;
}

/** "true"/"false" as BingX writes them, or a JSON boolean. */
function flag(o: Obj, key: string, where: string): boolean {
  const v = o[key];
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new InvalidInput(`${where}.${key}: "true" or "false" expected, got ${JSON.stringify(v)}`);
}

function market(c: unknown, where: string): Market {
  const o = asObj(c, where);
  const id = o.symbol;
  const m = typeof id === 'string' ? VENUE_ID.exec(id) : null;
  if (m === null) {
    throw new InvalidInput(
      `${where}.symbol: a contract id like BTC-USDT expected, got ${JSON.stringify(id)}`,
    );
  }
  const base = m[1] as string;
  const quote = m[2] as string;
  // A linear contract settles in its quote currency.
  if (o.currency !== undefined && o.currency !== quote) {
    throw new InvalidInput(
      `${where}.currency: ${quote} expected (the quote of ${id}), got ${JSON.stringify(o.currency)}`,
    );
  }
  const status = o.status === undefined ? 1 : numberField(o, 'status', where);
  const maxShortLeverage = numberField(o, 'maxShortLeverage', where);
  if (!(maxShortLeverage >= 1)) {
    throw new InvalidInput(`${where}.maxShortLeverage: must be >= 1, got ${maxShortLeverage}`);
  }
  return {
    symbol: `${base}${quote}`,
    venueId: id as string,
    unified: `${BINGX_CURRENCY_RENAMES[base] ?? base}/${quote}:${quote}`,
    priceDecimals: decimals(o, 'pricePrecision', where),
    quantityDecimals: decimals(o, 'quantityPrecision', where),
    minQuantity: nonNegative(o, 'tradeMinQuantity', where),
    minNotional: nonNegative(o, 'tradeMinUSDT', where),
    maxShortLeverage,
    tradable: status === 1 && flag(o, 'apiStateOpen', where) && flag(o, 'apiStateClose', where),
  };
}

/** The engine's markets from a contracts response (`{"code":0,"msg":"","data":[…]}`). */
export function parseBingxContracts(response: unknown, source: string): Result<Markets> {
  return guard(() => {
    const r = asObj(response, 'contracts');
    const code = r.code;
    if (code !== 0 && code !== '0') {
      throw new InvalidInput(
        `contracts: the venue answered code ${JSON.stringify(code)} (${JSON.stringify(r.msg ?? '')})`,
      );
    }
    if (!Array.isArray(r.data)) throw new InvalidInput('contracts.data: a list expected');
    const list = r.data.map((c, i) => market(c, `contracts.data[${i}]`));
    list.sort((a, b) => (a.venueId < b.venueId ? -1 : a.venueId > b.venueId ? 1 : 0));
    const digest = createHash('sha256').update(JSON.stringify(list)).digest('hex').slice(0, 16);
    return new Markets(source, digest, list);
  });
}
