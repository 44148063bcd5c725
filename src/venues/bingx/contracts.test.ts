import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { BINGX_CURRENCY_RENAMES, parseBingxContracts } from './contracts.js';
import { snapshotMarkets } from './markets.js';
import { BINGX_SWAP_CONTRACTS } from './snapshot.js';

const contracts = (BINGX_SWAP_CONTRACTS as { data: Record<string, unknown>[] }).data;
const btc = contracts.find((c) => c.symbol === 'BTC-USDT') as Record<string, unknown>;

describe('BingX contracts → markets', () => {
  it('maps every contract as ccxt does: unified name, step, tick, minimums, open for trading', () => {
    const ex = new ccxt.bingx();
    const markets = snapshotMarkets();
    expect(markets.size).toBe(contracts.length);
    for (const c of contracts) {
      const theirs = ex.parseMarket(c) as NonNullable<ReturnType<typeof ex.parseMarket>>;
      const ours = markets.byVenueId(theirs.id as string);
      expect(ours, theirs.id).not.toBeNull();
      if (ours === null) continue;
      expect(ours.unified).toBe(theirs.symbol);
      expect(Number(`1e-${ours.quantityDecimals}`)).toBe(theirs.precision.amount);
      expect(Number(`1e-${ours.priceDecimals}`)).toBe(theirs.precision.price);
      expect(ours.minQuantity).toBe(theirs.limits.amount?.min);
      expect(ours.minNotional).toBe(theirs.limits.cost?.min);
      expect(ours.tradable).toBe(theirs.active);
      expect(markets.bySymbol(ours.symbol)).toBe(ours);
      expect(markets.byUnified(ours.unified)).toBe(ours);
    }
  });

  it('renames currencies as ccxt does for BingX', () => {
    expect(BINGX_CURRENCY_RENAMES).toEqual(new ccxt.bingx().commonCurrencies);
    const r = parseBingxContracts({ code: 0, data: [{ ...btc, symbol: 'TRUMP-USDT' }] }, 't');
    expect(r.ok && r.value.bySymbol('TRUMPUSDT')?.unified).toBe('TRUMPMAGA/USDT:USDT');
  });

  it('maps the three names both ways and knows no other', () => {
    const m = snapshotMarkets();
    expect(m.bySymbol('BTCUSDT')?.venueId).toBe('BTC-USDT');
    expect(m.byVenueId('BTC-USDT')?.unified).toBe('BTC/USDT:USDT');
    expect(m.byUnified('BTC/USDT:USDT')?.symbol).toBe('BTCUSDT');
    expect(m.bySymbol('BTC-USDT')).toBeNull();
    expect(m.bySymbol('NOPEUSDT')).toBeNull();
    expect(m.byVenueId('BTCUSDT')).toBeNull();
  });

  it('reads the venue’s numbers whether sent as text or as JSON numbers', () => {
    const asNumbers = {
      ...btc,
      pricePrecision: 1,
      quantityPrecision: 4,
      tradeMinQuantity: 0.0001,
      tradeMinUSDT: 2,
      maxShortLeverage: 125,
      status: 1,
      apiStateOpen: true,
      apiStateClose: true,
    };
    const a = parseBingxContracts({ code: '0', data: [btc] }, 'a');
    const b = parseBingxContracts({ code: 0, data: [asNumbers] }, 'b');
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.value.bySymbol('BTCUSDT')).toEqual(b.value.bySymbol('BTCUSDT'));
      expect(a.value.digest).toBe(b.value.digest);
    }
  });

  it('refuses an error answer and a malformed contract, naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ code: 100001, msg: 'signature mismatch' }, /code 100001 \("signature mismatch"\)/],
      [{ code: 0, data: {} }, /contracts\.data: a list/],
      [{ code: 0, data: [{ ...btc, symbol: 'BTCUSDT' }] }, /data\[0\]\.symbol: a contract id/],
      [{ code: 0, data: [{ ...btc, symbol: 'btc-usdt' }] }, /data\[0\]\.symbol/],
      [
        { code: 0, data: [btc, { ...btc, symbol: 'BTCU-SDT', currency: 'SDT' }] },
        /BTC-USDT and BTCU-SDT both go by BTCUSDT/,
      ],
      [{ code: 0, data: [{ ...btc, currency: 'USDC' }] }, /data\[0\]\.currency: USDT expected/],
      [
        { code: 0, data: [{ ...btc, pricePrecision: '1.5' }] },
        /pricePrecision: an integer 0\.\.15/,
      ],
      [{ code: 0, data: [{ ...btc, quantityPrecision: 'four' }] }, /quantityPrecision: a number/],
      [{ code: 0, data: [{ ...btc, tradeMinUSDT: '-2' }] }, /tradeMinUSDT: must be >= 0/],
      [{ code: 0, data: [{ ...btc, maxShortLeverage: '0' }] }, /maxShortLeverage: must be >= 1/],
      [{ code: 0, data: [{ ...btc, apiStateOpen: 'yes' }] }, /apiStateOpen: "true" or "false"/],
      [{ code: 0, data: [btc, btc] }, /BTC-USDT listed twice/],
      [[], /contracts/],
    ];
    for (const [input, reason] of bad) {
      const r = parseBingxContracts(input, 't');
      expect(r.ok, JSON.stringify(input).slice(0, 80)).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(reason);
    }
  });

  it('marks a contract closed to the API (or not listed as status 1) as not tradable', () => {
    const r = parseBingxContracts(
      {
        code: 0,
        data: [
          { ...btc, apiStateOpen: 'false' },
          { ...btc, symbol: 'ETH-USDT', status: '0' },
        ],
      },
      't',
    );
    expect(r.ok && r.value.bySymbol('BTCUSDT')?.tradable).toBe(false);
    expect(r.ok && r.value.bySymbol('ETHUSDT')?.tradable).toBe(false);
  });
});
