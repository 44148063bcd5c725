// Authentication as the venue checks it, seen through ccxt: each failure raises ccxt's class
// for the venue's answer and changes nothing; public endpoints need no key.
import ccxt from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, type Rest, rest, scan, startSim } from './harness.js';
import type { BingxSim } from './index.js';

const SYM = 'BTC/USDT:USDT';
let sim: BingxSim;

beforeEach(async () => {
  sim = await startSim();
  sim.advance(scan(1, 1_781_000_000_000, { BTCUSDT: 60_000 }));
});

afterEach(async () => {
  expect(sim.internalErrors).toEqual([]);
  await sim.close();
});

/** A market sell through `ex`, which must fail with `cls` and leave the account as it was. */
async function refusedOrder(ex: Rest, cls: typeof ccxt.BaseError): Promise<Error> {
  const before = JSON.stringify(sim.balance);
  const e = await ex.createOrder(SYM, 'market', 'sell', 0.001).catch((x: Error) => x);
  expect(e).toBeInstanceOf(cls);
  expect(sim.fills()).toEqual([]);
  expect(sim.openOrders()).toEqual([]);
  expect(JSON.stringify(sim.balance)).toBe(before);
  return e as Error;
}

/** A client whose markets are loaded with the right key, then given `o`. */
async function loaded(o: Record<string, unknown>): Promise<Rest> {
  const ex = rest(sim);
  await ex.loadMarkets();
  Object.assign(ex, o);
  return ex;
}

describe('authentication', () => {
  it('a wrong API key is an AuthenticationError and places nothing', async () => {
    await refusedOrder(await loaded({ apiKey: 'not-the-key' }), ccxt.AuthenticationError);
    expect(sim.requests.byRoute.get('POST /openApi/swap/v2/trade/order')).toBe(1);
  });

  it('a signature made with another secret is an AuthenticationError and places nothing', async () => {
    const e = await refusedOrder(await loaded({ secret: 'another' }), ccxt.AuthenticationError);
    expect(e.message).toContain('Signature verification failed');
  });

  it('a timestamp outside the receive window is refused (109400, no ccxt class) and places nothing', async () => {
    const ex = await loaded({});
    ex.milliseconds = () => Date.now() - 6_000;
    const e = await refusedOrder(ex, ccxt.ExchangeError);
    expect(e).not.toBeInstanceOf(ccxt.AuthenticationError);
    expect(e.message).toContain('"code":109400');
    // A wider window, sent as recvWindow and signed with the rest, takes the same skew.
    expect((await ex.fetchBalance({ recvWindow: 10_000 })).USDT?.total).toBe(1000);
  });

  it('a request without signature or key is refused with the venue’s codes', async () => {
    const path = `${sim.url}/openApi/swap/v3/user/balance?timestamp=${Date.now()}`;
    const noSig = await fetch(path, { headers: { 'X-BX-APIKEY': KEY } });
    expect(await noSig.json()).toMatchObject({ code: 100412, msg: 'Null signature' });
    const noKey = await fetch(`${path}&signature=00`);
    expect(await noKey.json()).toMatchObject({ code: 100001, msg: 'Null apiKey' });
  });

  it('public endpoints answer without a key; private ones need one', async () => {
    const ex = rest(sim, { apiKey: undefined, secret: undefined });
    await ex.loadMarkets();
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect((await ex.fetchOHLCV(SYM)).length).toBe(1);
    await expect(ex.fetchBalance()).rejects.toThrow(ccxt.AuthenticationError);
  });

  it('in sandbox mode (VST) ccxt loads the swap contracts only, from the same simulator', async () => {
    const ex = rest(sim, { urls: { api: sim.ccxtUrls(), test: sim.ccxtUrls() } });
    ex.setSandboxMode(true);
    await ex.loadMarkets();
    expect(ex.symbols).toContain(SYM);
    expect(sim.requests.byRoute.get('GET /openApi/spot/v1/common/symbols')).toBeUndefined();
    expect((await ex.createOrder(SYM, 'market', 'sell', 0.001)).status).toBe('closed');
  });
});
