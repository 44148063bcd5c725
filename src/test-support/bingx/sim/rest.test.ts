// The simulator's REST side, driven only through ccxt's `bingx` as a venue adapter will:
// markets, time, balance, settings, orders and their fills (priced by the execution rules),
// funding, candles, cancel-all-after, close-all, and the venue's refusals.
import ccxt, { type MarketInterface } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXECUTION, fromUnits, type Market } from '../../../engine/rules/index.js';
import { snapshotMarkets } from '../../../venues/bingx/markets.js';
import { type Rest, RULES, rest, scan, startSim } from './harness.js';
import type { BingxSim } from './index.js';

const SYM = 'BTC/USDT:USDT';
const BTC = RULES.markets.bySymbol('BTCUSDT') as Market;
const T0 = 1_781_000_000_000;
const FUNDING_MS = EXECUTION.funding_interval_ms;

let sim: BingxSim;
let ex: Rest;
/** The server clock: wall time plus what a test has moved it on (ccxt signs with it too). */
let offset = 0;
const clock = () => Date.now() + offset;

beforeEach(async () => {
  offset = 0;
  sim = await startSim({ now: clock });
  ex = rest(sim);
  ex.milliseconds = clock;
  await ex.loadMarkets();
  sim.advance(scan(1, T0, { BTCUSDT: 61_234.56, ETHUSDT: 3_012.345 }));
});

afterEach(async () => {
  expect(sim.internalErrors).toEqual([]);
  await sim.close();
});

describe('markets, time, balance and settings', () => {
  it('loadMarkets reads the contracts into the unified symbols, ticks and steps of the rules', () => {
    const swaps = Object.values(ex.markets as Record<string, MarketInterface>).filter(
      (m) => m.swap,
    );
    expect(swaps).toHaveLength(snapshotMarkets().size);
    for (const m of swaps) {
      const ours = RULES.markets.byUnified(m.symbol) as Market;
      expect(ours.venueId).toBe(m.id);
      expect(m.precision.price).toBe(fromUnits(1, ours.priceDecimals));
      expect(m.precision.amount).toBe(fromUnits(1, ours.quantityDecimals));
      expect(m.limits.amount?.min).toBe(ours.minQuantity);
    }
  });

  it('fetchTime is the server clock; fetchBalance the starting wallet', async () => {
    offset = 1234;
    const t = await ex.fetchTime();
    expect(Math.abs((t ?? 0) - clock())).toBeLessThan(1000);
    const b = await ex.fetchBalance();
    expect(b.USDT).toMatchObject({ free: 1000, used: 0, total: 1000 });
  });

  it('margin mode, leverage and position mode are set, read back, and counted as settings writes', async () => {
    expect((await ex.fetchMarginMode(SYM)).marginMode).toBe('cross');
    await ex.setMarginMode('isolated', SYM);
    expect((await ex.fetchMarginMode(SYM)).marginMode).toBe('isolated');
    await ex.setLeverage(3, SYM, { side: 'BOTH' });
    expect(await ex.fetchLeverage(SYM)).toMatchObject({ longLeverage: 3, shortLeverage: 3 });
    await ex.setPositionMode(false);
    expect((await ex.fetchPositionMode()).hedged).toBe(false);
    expect(sim.requests.settingsWrites).toBe(3);
    expect(sim.requests.orderWrites).toBe(0);
    await expect(ex.setLeverage(126, SYM, { side: 'BOTH' })).rejects.toThrow(ccxt.BadRequest);
  });
});

describe('orders and fills at the mock exchange’s prices', () => {
  it('a market sell fills at the rules’ taker price and fee; found by id and by client id', async () => {
    await ex.setLeverage(3, SYM, { side: 'BOTH' });
    const o = await ex.createOrder(SYM, 'market', 'sell', 0.0123, undefined, {
      clientOrderId: 'entry-1',
    });
    const fill = RULES.takerFill(BTC, 61_234.56, 'sell');
    const fee = EXECUTION.fee_taker * (fill * 0.0123);
    expect(o).toMatchObject({
      status: 'closed',
      average: fill,
      filled: 0.0123,
      clientOrderId: 'entry-1',
    });
    const [t] = await ex.fetchMyTrades(SYM);
    expect([t?.price, t?.amount, t?.fee?.cost, t?.order]).toEqual([fill, 0.0123, fee, o.id]);
    expect((await ex.fetchOrder(o.id as string, SYM)).clientOrderId).toBe('entry-1');
    const byClient = await ex.fetchOrder('', SYM, { clientOrderID: 'entry-1' });
    expect([byClient.id, byClient.average, byClient.fee?.cost]).toEqual([o.id, fill, String(fee)]);
    const [p] = await ex.fetchPositions([SYM]);
    expect(p).toMatchObject({ side: 'short', contracts: 0.0123, entryPrice: fill, leverage: 3 });
    expect(p?.initialMargin).toBe((fill * 0.0123) / 3);
    const b = await ex.fetchBalance();
    expect(b.USDT?.used).toBe((fill * 0.0123) / 3);
    expect(b.USDT?.free).toBeCloseTo(1000 - fee - (fill * 0.0123) / 3, 9);
    expect(sim.requests.orderWrites).toBe(1);
  });

  it('a post-only sell rests at its limit, then fills there as maker when a scan trades above it', async () => {
    const limit = RULES.toTick(BTC, 61_234.56);
    const o = await ex.createOrder(SYM, 'limit', 'sell', 0.01, limit, { postOnly: true });
    expect(o.status).toBe('open');
    expect((await ex.fetchOpenOrders(SYM)).map((x) => x.id)).toEqual([o.id]);
    sim.advance(scan(2, T0 + 5000, { BTCUSDT: limit }));
    expect(sim.fills()).toHaveLength(0);
    sim.advance(scan(3, T0 + 10_000, { BTCUSDT: limit + 0.05 }));
    const [t] = await ex.fetchMyTrades(SYM);
    expect([t?.price, t?.amount, t?.fee?.cost]).toEqual([
      limit,
      0.01,
      EXECUTION.fee_maker * (limit * 0.01),
    ]);
    expect((await ex.fetchOrder(o.id as string, SYM)).status).toBe('closed');
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
  });

  it('a post-only sell below the price on the tick grid is refused and nothing rests', async () => {
    const below = RULES.toTick(BTC, 61_234.56) - 0.1;
    await expect(
      ex.createOrder(SYM, 'limit', 'sell', 0.01, below, { postOnly: true }),
    ).rejects.toThrow(ccxt.InvalidOrder);
    expect(sim.openOrders()).toEqual([]);
  });

  it('a reduce-only buy closes the short: its leg and the wallet as the mock books them', async () => {
    await ex.setLeverage(2, SYM, { side: 'BOTH' });
    await ex.createOrder(SYM, 'market', 'sell', 0.02);
    sim.advance(scan(2, T0 + 5000, { BTCUSDT: 60_100.01 }));
    await ex.createOrder(SYM, 'market', 'buy', 0.02, undefined, { reduceOnly: true });
    expect(await ex.fetchPositions([SYM])).toEqual([]);
    const entry = RULES.takerFill(BTC, 61_234.56, 'sell');
    const exit = RULES.takerFill(BTC, 60_100.01, 'buy');
    const fees = EXECUTION.fee_taker * (entry * 0.02) + EXECUTION.fee_taker * 0.02 * exit;
    expect(sim.balance.wallet).toBe(1000 + (0.02 * (entry - exit) - fees + 0));
    const b = await ex.fetchBalance();
    expect(b.USDT?.free).toBe(sim.balance.wallet);
  });

  it('a reduce-only buy larger than the short is clipped to it; with no short it is refused', async () => {
    await ex.createOrder(SYM, 'market', 'sell', 0.001);
    await ex.createOrder(SYM, 'market', 'buy', 0.005, undefined, { reduceOnly: true });
    expect(sim.fills().map((f) => f.quantity)).toEqual([0.001, 0.001]);
    await expect(
      ex.createOrder(SYM, 'market', 'buy', 0.001, undefined, { reduceOnly: true }),
    ).rejects.toThrow(ccxt.InvalidOrder);
  });

  it('cancelOrder and cancelAllOrders cancel resting orders, each an order write', async () => {
    const px = RULES.toTick(BTC, 61_234.56) + 10;
    const a = await ex.createOrder(SYM, 'limit', 'sell', 0.001, px, { postOnly: true });
    await ex.createOrder(SYM, 'limit', 'sell', 0.001, px + 1, { postOnly: true });
    expect((await ex.cancelOrder(a.id as string, SYM)).status).toBe('canceled');
    await expect(ex.cancelOrder(a.id as string, SYM)).rejects.toThrow(ccxt.InvalidOrder);
    await expect(ex.cancelOrder('1', SYM)).rejects.toThrow(ccxt.OrderNotFound);
    const all = await ex.cancelAllOrders(SYM);
    expect(all.map((o) => o.status)).toEqual(['canceled']);
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
    expect(sim.requests.orderWrites).toBe(6);
  });

  it('a second order with a used client id is refused as an invalid order', async () => {
    await ex.createOrder(SYM, 'market', 'sell', 0.001, undefined, { clientOrderId: 'dup' });
    await expect(
      ex.createOrder(SYM, 'market', 'sell', 0.001, undefined, { clientOrderId: 'dup' }),
    ).rejects.toThrow(ccxt.InvalidOrder);
    expect(sim.fills()).toHaveLength(1);
  });

  it('off-step quantities and off-tick prices are bad requests; below the minimum an invalid order', async () => {
    const order = { symbol: 'BTC-USDT', side: 'SELL', positionSide: 'BOTH' };
    await expect(
      ex.swapV2PrivatePostTradeOrder({ ...order, type: 'MARKET', quantity: '0.00015' }),
    ).rejects.toThrow(ccxt.BadRequest);
    await expect(
      ex.swapV2PrivatePostTradeOrder({
        ...order,
        type: 'LIMIT',
        quantity: '0.001',
        price: '70000.05',
      }),
    ).rejects.toThrow(ccxt.BadRequest);
    // One DOGE at 0.5 is worth less than the contract's 2 USDT minimum.
    sim.advance(scan(2, T0 + 5000, { DOGEUSDT: 0.5 }));
    await expect(ex.createOrder('DOGE/USDT:USDT', 'market', 'sell', 1)).rejects.toThrow(
      ccxt.InvalidOrder,
    );
    expect(sim.fills()).toEqual([]);
  });

  it('an unknown path is the venue’s "this api is not exist" (BadRequest)', async () => {
    await expect(ex.swapV2PublicGetQuotePremiumIndex({ symbol: 'BTC-USDT' })).rejects.toThrow(
      ccxt.BadRequest,
    );
  });
});

describe('funding, liquidation, candles, close-all and cancel-all-after', () => {
  it('funding at a mark is credited to a short as the mock accrues it, and listed as income', async () => {
    const mark = Math.ceil(T0 / FUNDING_MS) * FUNDING_MS;
    sim.advance(scan(2, mark - 1000, { BTCUSDT: 61_000 }));
    await ex.createOrder(SYM, 'market', 'sell', 0.01);
    sim.advance(scan(3, mark + 1000, { BTCUSDT: 61_500.5 }, 0.0001));
    const [f] = await ex.fetchFundingHistory(SYM);
    expect(f?.amount).toBe(0.01 * 61_500.5 * 0.0001);
    expect(f).toMatchObject({ symbol: SYM, code: 'USDT' });
    expect(sim.position('BTCUSDT')?.funding).toBe(f?.amount);
    sim.advance(scan(4, mark + 2000, { BTCUSDT: 61_500.5 }, 0.0001));
    expect(await ex.fetchFundingHistory(SYM)).toHaveLength(1);
  });

  it('a short whose equity falls to maintenance margin is liquidated at the price on the tick', async () => {
    await ex.setLeverage(50, SYM, { side: 'BOTH' });
    await ex.createOrder(SYM, 'market', 'sell', 0.01);
    const margin = sim.position('BTCUSDT')?.margin ?? 0;
    sim.advance(scan(2, T0 + 5000, { BTCUSDT: 62_500.37 }));
    expect(sim.position('BTCUSDT')).toBeNull();
    const [, liq] = await ex.fetchMyTrades(SYM);
    expect([liq?.price, liq?.fee?.cost]).toEqual([RULES.toTick(BTC, 62_500.37), 0]);
    expect(liq?.info.liquidatedPrice).toBe('62500.4');
    const fee = EXECUTION.fee_taker * (RULES.takerFill(BTC, 61_234.56, 'sell') * 0.01);
    const marginLeft = (margin * 0.01) / 0.01;
    expect(sim.balance.wallet).toBe(1000 + (-marginLeft - fee + 0));
  });

  it('fetchOHLCV gives candles of the scans advanced so far', async () => {
    sim.advance(scan(2, T0 + 20_000, { BTCUSDT: 61_300 }));
    sim.advance(scan(3, T0 + 40_000, { BTCUSDT: 61_100 }));
    sim.advance(scan(4, T0 + 60_000, { BTCUSDT: 61_200 }));
    const bars = await ex.fetchOHLCV(SYM, '1m');
    const open = Math.floor(T0 / 60_000) * 60_000;
    expect(bars).toEqual([
      [open, 61_234.56, 61_300, 61_234.56, 61_300, 0],
      [open + 60_000, 61_100, 61_200, 61_100, 61_200, 0],
    ]);
  });

  it('closeAllPositions buys back every short at the taker price', async () => {
    await ex.createOrder(SYM, 'market', 'sell', 0.001);
    await ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.01);
    const closed = await ex.closeAllPositions();
    expect(closed).toHaveLength(2);
    expect(await ex.fetchPositions()).toEqual([]);
    const exit = sim.fills().filter((f) => f.order.side === 'BUY')[0];
    expect(exit?.price).toBe(RULES.takerFill(BTC, 61_234.56, 'buy'));
  });

  it('cancel-all-after cancels every open order once its time passes unrenewed, and not when closed', async () => {
    const px = RULES.toTick(BTC, 61_234.56) + 10;
    await ex.createOrder(SYM, 'limit', 'sell', 0.001, px, { postOnly: true });
    const r = await ex.cancelAllOrdersAfter(10_000);
    expect(r).toMatchObject({ data: { status: 'ACTIVATED' } });
    offset += 9_000;
    expect(await ex.fetchOpenOrders(SYM)).toHaveLength(1);
    await ex.cancelAllOrdersAfter(10_000);
    offset += 9_000;
    expect(await ex.fetchOpenOrders(SYM)).toHaveLength(1);
    offset += 2_000;
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
    await ex.createOrder(SYM, 'limit', 'sell', 0.001, px, { postOnly: true });
    await ex.cancelAllOrdersAfter(10_000);
    await ex.cancelAllOrdersAfter(0);
    offset += 20_000;
    expect(await ex.fetchOpenOrders(SYM)).toHaveLength(1);
    expect(sim.requests.orderWrites).toBe(6);
  });
});

describe('a protective stop (STOP_MARKET, reduce-only)', () => {
  it('rests until the price reaches its trigger, then buys back what the short holds at the taker price', async () => {
    await ex.createOrder(SYM, 'market', 'sell', 0.002);
    const trigger = RULES.toTick(BTC, 61_234.56 * 1.03);
    const stop = await ex.createOrder(SYM, 'market', 'buy', 0.002, undefined, {
      stopLossPrice: trigger,
      reduceOnly: true,
      clientOrderId: 'stop-1',
    });
    const open = await ex.fetchOpenOrders(SYM);
    // ccxt reads STOP_MARKET as a market order with its stop-loss price.
    expect(open.map((o) => [o.id, o.type, o.side, o.reduceOnly, o.stopLossPrice])).toEqual([
      [stop.id, 'market', 'buy', true, trigger],
    ]);
    // A partial exit by hand: the stop then takes only what is left.
    await ex.createOrder(SYM, 'market', 'buy', 0.001, undefined, { reduceOnly: true });
    sim.advance(scan(2, T0 + 5_000, { BTCUSDT: trigger - 1 }));
    expect(sim.position('BTCUSDT')).not.toBeNull();
    sim.advance(scan(3, T0 + 10_000, { BTCUSDT: trigger + 5 }));
    expect(sim.position('BTCUSDT')).toBeNull();
    const filled = await ex.fetchOrder(String(stop.id), SYM);
    expect(filled.filled).toBe(0.001);
    expect(filled.average).toBe(RULES.takerFill(BTC, trigger + 5, 'buy'));
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
  });

  it('is refused when it would trigger at once, and as a sell or without reduce-only', async () => {
    await ex.createOrder(SYM, 'market', 'sell', 0.001);
    await expect(
      ex.createOrder(SYM, 'market', 'buy', 0.001, undefined, {
        stopLossPrice: 61_000,
        reduceOnly: true,
      }),
    ).rejects.toThrow(/would trigger at once/);
    await expect(
      ex.createOrder(SYM, 'market', 'sell', 0.001, undefined, { stopLossPrice: 70_000 }),
    ).rejects.toThrow(/reduce-only BUY only/);
  });
});
