// The fault switches, each seen through ccxt: the class it raises, that it passes after its
// count, and what the venue holds meanwhile.
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXECUTION, type Market } from '../../../engine/rules/index.js';
import { type Rest, RULES, rest, scan, startSim } from './harness.js';
import type { BingxSim } from './index.js';

const SYM = 'BTC/USDT:USDT';
const BTC = RULES.markets.bySymbol('BTCUSDT') as Market;
const PRICE = 60_123.45;

let sim: BingxSim;
let ex: Rest;

beforeEach(async () => {
  sim = await startSim();
  sim.advance(scan(1, 1_781_000_000_000, { BTCUSDT: PRICE }));
  ex = rest(sim, { timeout: 300 });
  await ex.loadMarkets();
});

afterEach(async () => {
  expect(sim.internalErrors).toEqual([]);
  await sim.close();
});

describe('fault switches', () => {
  it('rateLimit: 429 with a retry hint (DDoSProtection), then served again', async () => {
    sim.faults.rateLimit = 1;
    sim.faults.retryAfterSeconds = 7;
    await expect(ex.fetchBalance()).rejects.toThrow(ccxt.DDoSProtection);
    sim.faults.rateLimit = 1;
    const r = await fetch(`${sim.url}/openApi/swap/v2/server/time`);
    expect([r.status, r.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await ex.fetchBalance()).USDT?.total).toBe(1000);
  });

  it('serverError: a gateway 5xx page (ExchangeNotAvailable) for as many requests as set', async () => {
    sim.faults.serverError = 2;
    await expect(ex.fetchTime()).rejects.toThrow(ccxt.ExchangeNotAvailable);
    await expect(ex.createOrder(SYM, 'market', 'sell', 0.001)).rejects.toThrow(
      ccxt.ExchangeNotAvailable,
    );
    expect(sim.fills()).toEqual([]);
    expect(await ex.fetchTime()).toBeGreaterThan(0);
  });

  it('slowAccept: the order fills but the answer comes after the client timed out; its retry is refused as a duplicate and the order is found by client id', async () => {
    sim.faults.slowAccept = 1;
    sim.faults.slowAcceptMs = 1_000;
    const place = () =>
      ex.createOrder(SYM, 'market', 'sell', 0.001, undefined, { clientOrderId: 'slow-1' });
    await expect(place()).rejects.toThrow(ccxt.RequestTimeout);
    expect(sim.fills()).toHaveLength(1);
    await expect(place()).rejects.toThrow(ccxt.InvalidOrder);
    const o = await ex.fetchOrder('', SYM, { clientOrderID: 'slow-1' });
    expect(o).toMatchObject({ status: 'closed', filled: 0.001, clientOrderId: 'slow-1' });
    expect(sim.fills()).toHaveLength(1);
  });

  it('partialFill: the next market order fills in two fills, half the steps then the rest', async () => {
    sim.faults.partialFill = 1;
    const o = await ex.createOrder(SYM, 'market', 'sell', 0.0005);
    const fill = RULES.takerFill(BTC, PRICE, 'sell');
    const trades = await ex.fetchMyTrades(SYM);
    expect(trades.map((t) => [t.amount, t.price, t.fee?.cost])).toEqual([
      [0.0002, fill, EXECUTION.fee_taker * (fill * 0.0002)],
      [0.0003, fill, EXECUTION.fee_taker * (fill * 0.0003)],
    ]);
    expect(await ex.fetchOrder(o.id as string, SYM)).toMatchObject({
      status: 'closed',
      filled: 0.0005,
      average: fill,
    });
    await ex.createOrder(SYM, 'market', 'sell', 0.0005);
    expect(sim.fills()).toHaveLength(3);
  });

  it('insufficientMargin: the next margin-taking order is refused (InsufficientFunds), then taken', async () => {
    sim.faults.insufficientMargin = 1;
    await expect(ex.createOrder(SYM, 'market', 'sell', 0.001)).rejects.toThrow(
      ccxt.InsufficientFunds,
    );
    expect(sim.fills()).toEqual([]);
    await ex.createOrder(SYM, 'market', 'sell', 0.001);
    expect(sim.fills()).toHaveLength(1);
  });

  it('an order whose margin exceeds the available balance is refused (InsufficientFunds)', async () => {
    await ex.setLeverage(5, SYM, { side: 'BOTH' });
    // 0.1 BTC at 60k over 5 is 1202 USDT of margin: more than the wallet's 1000.
    await expect(ex.createOrder(SYM, 'market', 'sell', 0.1)).rejects.toThrow(
      ccxt.InsufficientFunds,
    );
    await expect(
      ex.createOrder(SYM, 'limit', 'sell', 0.1, PRICE + 100, { postOnly: true }),
    ).rejects.toThrow(ccxt.InsufficientFunds);
    expect([sim.fills(), sim.openOrders()]).toEqual([[], []]);
  });
});
