// The user-data stream, through ccxt pro's bingx and a raw client: gzip frames, Ping/Pong,
// order, trade and balance pushes, an unknown key refused, a dropped socket, a lapsed key.
import { gunzipSync } from 'node:zlib';
import ccxt, { type Order } from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EXECUTION, type Market } from '../../../engine/rules/index.js';
import { type Pro, pro, RULES, scan, startSim, until } from './harness.js';
import type { BingxSim } from './index.js';

const SYM = 'BTC/USDT:USDT';
const BTC = RULES.markets.bySymbol('BTCUSDT') as Market;
const PRICE = 60_123.45;

let sim: BingxSim;
let ex: Pro;
let offset = 0;
const clock = () => Date.now() + offset;

async function setup(o: { listenKeyTtlMs?: number } = {}) {
  offset = 0;
  sim = await startSim({ now: clock, pingIntervalMs: 25, ...o });
  sim.advance(scan(1, 1_781_000_000_000, { BTCUSDT: PRICE }));
  ex = await pro(sim);
  ex.milliseconds = clock;
  await ex.loadMarkets();
}

/** Opens a raw stream on `key`: 'open', or the HTTP status the upgrade was refused with. */
function connect(key: string): Promise<'open' | number> {
  const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/swap-market?listenKey=${key}`);
  return new Promise((resolve) => {
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

afterEach(async () => {
  await ex.close();
  expect(sim.internalErrors).toEqual([]);
  await sim.close();
});

/** A raw stream client on a fresh listenKey, keeping every frame it gets, gunzipped. */
async function raw(answerPings: boolean) {
  const { listenKey } = (await ex.userAuthPrivatePostUserDataStream()) as { listenKey: string };
  const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/swap-market?listenKey=${listenKey}`);
  const frames: string[] = [];
  const state = { binary: true, closed: false };
  ws.on('message', (data: Buffer, binary) => {
    state.binary &&= binary;
    const text = gunzipSync(data).toString();
    frames.push(text);
    if (text === 'Ping' && answerPings) ws.send('Pong');
  });
  ws.on('close', () => {
    state.closed = true;
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, listenKey, frames, state };
}

describe('user-data stream', () => {
  it('watchOrders and watchMyTrades get the order’s updates and its fill, priced as by REST', async () => {
    await setup();
    const orders = ex.watchOrders(SYM);
    const trades = ex.watchMyTrades(SYM);
    await until(() => sim.streamConnections === 1, 'the stream');
    await ex.createOrder(SYM, 'market', 'sell', 0.002, undefined, { clientOrderId: 'w1' });
    const [o] = await orders;
    expect(o).toMatchObject({ clientOrderId: 'w1', symbol: SYM, side: 'sell' });
    const [t] = await trades;
    const fill = RULES.takerFill(BTC, PRICE, 'sell');
    expect([t?.price, t?.amount, t?.fee?.cost, t?.side, t?.takerOrMaker]).toEqual([
      fill,
      0.002,
      EXECUTION.fee_taker * (fill * 0.002),
      'sell',
      'taker',
    ]);
    // The fill's update came after the NEW one that woke the watch; ccxt's cache has it.
    const cached = [...(ex.orders ?? [])] as Order[];
    expect(cached.find((x) => x.id === o?.id)).toMatchObject({
      status: 'closed',
      filled: 0.002,
      average: fill,
    });
  });

  it('watchBalance gets the wallet after a fill', async () => {
    await setup();
    // The first watch loads the REST snapshot, connects, then waits for the stream's balance.
    const next = ex.watchBalance();
    await until(() => sim.streamConnections === 1, 'the stream');
    await ex.createOrder(SYM, 'market', 'sell', 0.002);
    const b = await next;
    expect(b.USDT?.free).toBe(sim.balance.wallet);
    expect(b.USDT?.free).not.toBe(1000);
  });

  it('every frame is gzip-compressed binary; a client that answers Ping with Pong is kept', async () => {
    await setup();
    const c = await raw(true);
    await until(() => c.frames.filter((f) => f === 'Ping').length >= 4, 'four pings');
    await ex.createOrder(SYM, 'market', 'sell', 0.002);
    await until(() => c.frames.some((f) => f.includes('ORDER_TRADE_UPDATE')), 'an order update');
    expect(c.state).toEqual({ binary: true, closed: false });
    const events = c.frames.filter((f) => f !== 'Ping').map((f) => JSON.parse(f).e);
    expect(events).toEqual(['ORDER_TRADE_UPDATE', 'ORDER_TRADE_UPDATE', 'ACCOUNT_UPDATE']);
    c.ws.close();
  });

  it('a client that does not answer the pings is disconnected', async () => {
    await setup();
    const c = await raw(false);
    await until(() => c.state.closed, 'the close');
    expect(c.frames.filter((f) => f === 'Ping')).toHaveLength(2);
  });

  it('ccxt answers the pings and keeps its stream across many of them', async () => {
    await setup();
    const orders = ex.watchOrders(SYM);
    await until(() => sim.pongs >= 5, 'five pongs');
    expect(sim.streamConnections).toBe(1);
    await ex.createOrder(SYM, 'market', 'sell', 0.002);
    expect((await orders).length).toBeGreaterThan(0);
  });

  it('an unknown listenKey is refused, to the stream and to extend/delete', async () => {
    await setup();
    expect(await connect('nope')).toBe(401);
    await expect(ex.userAuthPrivatePutUserDataStream({ listenKey: 'nope' })).rejects.toThrow(
      ccxt.ExchangeNotAvailable,
    );
  });

  it('fault: a dropped socket fails the waiting watch with a NetworkError; the next one reconnects', async () => {
    await setup();
    const waiting = ex.watchOrders(SYM);
    await until(() => sim.streamConnections === 1, 'the stream');
    sim.dropStreams();
    await expect(waiting).rejects.toThrow(ccxt.NetworkError);
    const again = ex.watchOrders(SYM);
    await until(() => sim.streamConnections === 1, 'the new stream');
    await ex.createOrder(SYM, 'market', 'sell', 0.002);
    expect((await again).length).toBeGreaterThan(0);
  });

  it('fault: a lapsed listenKey gets listenKeyExpired, closes, and works no more', async () => {
    await setup();
    const c = await raw(true);
    sim.expireListenKeys();
    await until(() => c.state.closed, 'the close');
    expect(JSON.parse(c.frames.at(-1) ?? '{}')).toMatchObject({
      e: 'listenKeyExpired',
      listenKey: c.listenKey,
    });
    await expect(ex.userAuthPrivatePutUserDataStream({ listenKey: c.listenKey })).rejects.toThrow(
      ccxt.ExchangeNotAvailable,
    );
    expect(await connect(c.listenKey)).toBe(401);
  });

  it('a listenKey lapses its TTL after it was made or extended, on the server clock', async () => {
    await setup({ listenKeyTtlMs: 60_000 });
    const c = await raw(true);
    offset = 50_000;
    await ex.userAuthPrivatePutUserDataStream({ listenKey: c.listenKey });
    offset = 100_000;
    expect(await connect(c.listenKey)).toBe('open');
    offset = 111_000;
    await until(() => c.state.closed, 'the close');
    expect(c.frames.at(-1)).toContain('listenKeyExpired');
  });

  it('after a lapsed listenKey ccxt keeps the dead key (refused, 401) until made to authenticate again', async () => {
    await setup();
    const waiting = ex.watchOrders(SYM);
    await until(() => sim.streamConnections === 1, 'the stream');
    sim.expireListenKeys();
    await expect(waiting).rejects.toThrow(ccxt.NetworkError);
    await expect(ex.watchOrders(SYM)).rejects.toThrow(/401/);
    ex.options.lastAuthenticatedTime = 0;
    const again = ex.watchOrders(SYM);
    await until(() => sim.streamConnections === 1, 'the stream on a new key');
    await ex.createOrder(SYM, 'market', 'sell', 0.002);
    expect((await again).length).toBeGreaterThan(0);
  });

  it('a partial fill is pushed as its own TRADE update; ccxt pro makes a trade only of the one that fills the order', async () => {
    await setup();
    const c = await raw(true);
    const trades = ex.watchMyTrades(SYM);
    await until(() => sim.streamConnections === 2, 'the streams');
    sim.faults.partialFill = 1;
    await ex.createOrder(SYM, 'market', 'sell', 0.0005);
    expect((await trades).map((t) => t.amount)).toEqual([0.0003]);
    await until(() => c.frames.filter((f) => f.includes('"x":"TRADE"')).length === 2, 'two fills');
    const fills = c.frames.filter((f) => f.includes('"x":"TRADE"')).map((f) => JSON.parse(f).o);
    expect(fills.map((o) => [o.X, o.l, o.z])).toEqual([
      ['PARTIALLY_FILLED', '0.0002', '0.0002'],
      ['FILLED', '0.0003', '0.0005'],
    ]);
    c.ws.close();
  });
});
