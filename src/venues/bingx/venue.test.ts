// The BingX venue adapter against the simulator, through ccxt over loopback: each fault
// switch, the order still placed once and only once.
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXECUTION, ExecutionRules, type Market } from '../../engine/rules/index.js';
import { KEY, SECRET, scan } from '../../test-support/bingx/sim/harness.js';
import { BingxSim } from '../../test-support/bingx/sim/index.js';
import { snapshotMarkets } from './markets.js';
import { BingxVenue, bingxClient } from './venue.js';

const MARKETS = snapshotMarkets();
const RULES = new ExecutionRules(MARKETS, EXECUTION);
const ETH = MARKETS.bySymbol('ETHUSDT') as Market;
const T = 1_781_000_000_000;

let sim: BingxSim;
let venue: BingxVenue;
let retries: string[];

async function connect(timeoutMs = 10_000) {
  const ex = bingxClient({
    venue: 'bingx-vst',
    apiKey: KEY,
    secret: SECRET,
    url: sim.url,
    throttle: false,
    timeoutMs,
  });
  await ex.loadMarkets();
  retries = [];
  venue = new BingxVenue(ex, {
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    firstWaitMs: 10,
    onRetry: (what, e) => retries.push(`${what}: ${(e as Error).constructor.name}`),
  });
}

beforeEach(async () => {
  sim = await BingxSim.start({ apiKey: KEY, secret: SECRET, rules: RULES, balance: 10_000 });
  sim.advance(scan(1, T, { ETHUSDT: 3000, BTCUSDT: 60_000 }));
  await connect();
});

afterEach(async () => {
  venue.close();
  await venue.ex.close();
  await sim.close();
});

const sell = (clientId: string, units = 10) =>
  venue.place({ clientId, market: ETH, side: 'sell', kind: 'market', units, reduceOnly: false });

describe('BingX venue adapter on the simulator', () => {
  it('fills a market sell at the rules’ price and fee, in the market’s steps', async () => {
    await venue.prepare(ETH, 3);
    const r = await sell('vt-a');
    const price = RULES.takerFill(ETH, 3000, 'sell');
    expect(r.status).toBe('closed');
    expect(r.fills).toEqual([
      { price, units: 10, fee: RULES.fee(0.1, price, EXECUTION.fee_taker) },
    ]);
    expect(sim.position('ETHUSDT')?.remainingUnits).toBe(10);
    expect(sim.position('ETHUSDT')?.leverage).toBe(3);
    expect(await venue.shortQuantity(ETH)).toBe(0.1);
    expect(await venue.shortQuantity(MARKETS.bySymbol('BTCUSDT') as Market)).toBe(0);
  });

  it('a timeout after the venue took the order: the retry finds it, no second order', async () => {
    await connect(300);
    sim.faults.slowAccept = 1;
    sim.faults.slowAcceptMs = 800;
    const r = await sell('vt-slow');
    expect(retries[0]).toMatch(/RequestTimeout/);
    expect(r.fills.reduce((a, f) => a + f.units, 0)).toBe(10);
    expect(sim.fills()).toHaveLength(1);
    expect(sim.position('ETHUSDT')?.remainingUnits).toBe(10);
  });

  it('placing the same client id again (a restart) finds the first order', async () => {
    const a = await sell('vt-twice');
    const b = await sell('vt-twice');
    expect(b.orderId).toBe(a.orderId);
    expect(sim.fills()).toHaveLength(1);
  });

  it('429 with a retry hint and a 5xx are waited out; one order', async () => {
    sim.faults.rateLimit = 2;
    sim.faults.retryAfterSeconds = 0;
    sim.faults.serverError = 1;
    const r = await sell('vt-busy');
    expect(retries.some((x) => /DDoSProtection|RateLimitExceeded/.test(x))).toBe(true);
    expect(retries.some((x) => /ExchangeNotAvailable/.test(x))).toBe(true);
    expect(r.status).toBe('closed');
    expect(sim.fills()).toHaveLength(1);
  });

  it('a partial fill is reported fill by fill, their steps summing to the order', async () => {
    sim.faults.partialFill = 1;
    const r = await sell('vt-part', 11);
    expect(r.fills.map((f) => f.units)).toEqual([5, 6]);
    expect(sim.fills()).toHaveLength(2);
  });

  it('insufficient margin is refused at once, not retried, nothing placed', async () => {
    sim.faults.insufficientMargin = 1;
    await expect(sell('vt-poor')).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    expect(retries).toEqual([]);
    expect(sim.fills()).toHaveLength(0);
  });

  it('a post-only limit rests, is found by client id, fills when a later scan trades through it, and cancels', async () => {
    const limit = RULES.toTick(ETH, 3000);
    const rest = await venue.place({
      clientId: 'vt-maker',
      market: ETH,
      side: 'sell',
      kind: 'post-only',
      units: 10,
      price: limit,
      reduceOnly: false,
    });
    expect(rest).toMatchObject({ status: 'open', fills: [] });
    sim.advance(scan(2, T + 5000, { ETHUSDT: 3001 }));
    const done = await venue.order(ETH, 'vt-maker');
    expect(done?.status).toBe('closed');
    expect(done?.fills).toEqual([
      { price: limit, units: 10, fee: RULES.fee(0.1, limit, EXECUTION.fee_maker) },
    ]);
    const other = await venue.place({
      clientId: 'vt-maker-2',
      market: ETH,
      side: 'sell',
      kind: 'post-only',
      units: 10,
      price: RULES.toTick(ETH, 3010),
      reduceOnly: false,
    });
    expect(other.status).toBe('open');
    const c = await venue.cancel(ETH, 'vt-maker-2');
    expect(c).toMatchObject({ status: 'canceled', fills: [] });
    expect(await venue.order(ETH, 'vt-none')).toBeNull();
  });

  it('funding paid at the 8-hour mark is reported once per payment', async () => {
    await sell('vt-f');
    const mark = Math.ceil(T / 28_800_000) * 28_800_000;
    sim.advance(scan(3, mark + 1000, { ETHUSDT: 3000 }, 0.0001));
    const f = await venue.funding(ETH, T);
    expect(f).toHaveLength(1);
    const q = 0.1;
    expect(f[0]?.amount).toBe(q * 3000 * 0.0001);
  });
});

describe('the user-data stream', () => {
  const reads = () => sim.requests.byRoute.get('GET /openApi/swap/v2/trade/order') ?? 0;
  const post = (clientId: string, price = 3001) =>
    venue.place({
      clientId,
      market: ETH,
      side: 'sell',
      kind: 'post-only',
      units: 10,
      price,
      reduceOnly: false,
    });
  /** The stream's own echo of a placement arrives after it: one read takes it in. */
  const settle = async (clientId: string) => {
    await new Promise((r) => setTimeout(r, 100));
    await venue.order(ETH, clientId);
  };
  const streaming = async () => {
    for (
      let i = 0;
      sim.streamConnections < 1 ||
      !(venue as unknown as { watch: { current(): number | null } }).watch.current();
      i++
    ) {
      if (i > 200) throw new Error('no stream');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('answers reads of an order the stream heard nothing of without REST; a change is read again', async () => {
    await venue.prepare(ETH, 3);
    await venue.watchOrders();
    await streaming();
    const placed = await post('vt-rest-1');
    expect(placed.status).toBe('open');
    await settle('vt-rest-1');
    const before = reads();
    for (let i = 0; i < 5; i++) expect((await venue.order(ETH, 'vt-rest-1'))?.status).toBe('open');
    expect(reads()).toBe(before);
    // The market trades through the limit: the stream says so, the next read goes to REST.
    sim.advance(scan(2, T + 5_000, { ETHUSDT: 3002 }));
    for (let i = 0; (await venue.order(ETH, 'vt-rest-1'))?.status !== 'closed'; i++) {
      if (i > 200) throw new Error('the fill was never read');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(reads()).toBeGreaterThan(before);
    const r = await venue.order(ETH, 'vt-rest-1');
    expect(r?.fills).toEqual([
      { price: 3001, units: 10, fee: RULES.fee(0.1, 3001, EXECUTION.fee_maker) },
    ]);
  });

  it('polls while the stream is down (dropped, or its listenKey lapsed), and relies on it again once back', async () => {
    await venue.prepare(ETH, 3);
    const events: string[] = [];
    await venue.watchOrders((line) => events.push(line));
    await streaming();
    await post('vt-drop-1');
    sim.dropStreams();
    sim.expireListenKeys();
    // Down: every read is a REST read, and a fill meanwhile is seen.
    for (let i = 0; sim.streamConnections > 1 && i < 50; i++)
      await new Promise((r) => setTimeout(r, 5));
    const before = reads();
    await venue.order(ETH, 'vt-drop-1');
    await venue.order(ETH, 'vt-drop-1');
    expect(reads()).toBeGreaterThanOrEqual(before + 1);
    sim.advance(scan(2, T + 5_000, { ETHUSDT: 3002 }));
    for (let i = 0; (await venue.order(ETH, 'vt-drop-1'))?.status !== 'closed'; i++) {
      if (i > 300) throw new Error('the fill was never read');
      await new Promise((r) => setTimeout(r, 10));
    }
    // Back on a new listenKey: reads of a quiet order are answered without REST again.
    await streaming();
    await post('vt-drop-2', 3010);
    await settle('vt-drop-2');
    const quiet = reads();
    await venue.order(ETH, 'vt-drop-2');
    await venue.order(ETH, 'vt-drop-2');
    expect(reads()).toBe(quiet);
    expect(events.some((e) => /user-data stream lost/.test(e))).toBe(true);
  });
});
