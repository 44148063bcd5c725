// Hostile input never brings the simulator down: raw bytes on its port, any method, path and
// query unsigned, and — past authentication, correctly signed — any mix of the endpoints'
// parameters with garbage values. Every request gets an answer or a closed socket, the
// simulator throws nothing of its own, its account stays sound, and ccxt still trades on it.
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, rest, SECRET, scan, startSim } from './harness.js';
import type { BingxSim } from './index.js';
import { ROUTES } from './routes.js';

let sim: BingxSim;

beforeAll(async () => {
  sim = await startSim();
  sim.advance(scan(1, 1_781_000_000_000, { BTCUSDT: 60_000, ETHUSDT: 3_000 }));
});

afterAll(async () => {
  await sim.close();
});

/** Writes `bytes` to the simulator's port; resolves with what came back once it closes. */
function send(bytes: Uint8Array | string): Promise<string> {
  const port = Number(new URL(sim.url).port);
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer and no close for ${JSON.stringify(String(bytes))}`));
    }, 3_000);
    s.on('data', (d) => {
      got += d.toString('latin1');
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.end(bytes);
  });
}

function request(method: string, target: string, body: string, key = KEY): Promise<string> {
  const head = [
    `${method} ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    `X-BX-APIKEY: ${key}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  return send(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Per parameter, values the venue takes (mostly) or not (some). */
const PLAUSIBLE: Record<string, readonly string[]> = {
  symbol: ['BTC-USDT', 'ETH-USDT'],
  side: ['BUY', 'SELL'],
  type: ['MARKET', 'MARKET', 'LIMIT', 'ACTIVATE', 'CLOSE'],
  quantity: ['0.001', '0.01', '0.0001', '0.00015', '1', '0.1'],
  price: ['60000.1', '59000', '61000', '3000.5', '2999.99', '3100'],
  timeInForce: ['PostOnly', 'GTC'],
  reduceOnly: ['true', 'false'],
  positionSide: ['BOTH'],
  clientOrderID: ['a', 'b', 'c'],
  orderId: ['1900000000000000001', '1900000000000000003', '1'],
  leverage: ['1', '3', '50', '200'],
  marginType: ['ISOLATED', 'CROSSED'],
  dualSidePosition: ['false', 'false', 'false', 'true'],
  timeOut: ['10', '0', '120'],
  interval: ['1m', '1h', '7m'],
  limit: ['1', '500', '0'],
  startTime: ['0', '1781000000000'],
  endTime: ['1781000000000', '9999999999999'],
  startTs: ['0'],
  endTs: ['9999999999999'],
  listenKey: ['nope'],
  incomeType: ['FUNDING_FEE', 'TRANSFER'],
};
const GARBAGE = fc.oneof(
  fc.constantFrom('', '-1', '1e309', 'NaN', '1e-7', '0x10', ' 1', '1.0.0'),
  fc.double().map(String),
  fc.integer().map(String),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const PARAMS = fc
  .record(
    Object.fromEntries(
      Object.entries(PLAUSIBLE).map(([k, v]) => [
        k,
        fc.oneof(
          { weight: 9, arbitrary: fc.constantFrom(...v) },
          { weight: 1, arbitrary: GARBAGE },
        ),
      ]),
    ),
    // What most endpoints need is there (plausible or not); the rest comes and goes.
    { requiredKeys: ['symbol', 'side', 'type', 'quantity', 'price', 'interval'] },
  )
  .map((o) => Object.entries(o) as [string, string][]);

function signed(pairs: readonly [string, string][]): string {
  const all: [string, string][] = [...pairs, ['timestamp', String(Date.now())]];
  const text = all.map(([k, v]) => `${k}=${v}`).join('&');
  const sig = createHmac('sha256', SECRET).update(text).digest('hex');
  const query = all.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return `${query.join('&')}&signature=${sig}`;
}

/** The account is sound: finite money, positions with steps left, open orders open. */
function sound(): void {
  expect(sim.internalErrors).toEqual([]);
  for (const v of Object.values(sim.balance)) expect(Number.isFinite(v)).toBe(true);
  for (const f of sim.fills()) expect(f.units).toBeGreaterThan(0);
  for (const o of sim.openOrders()) expect(['NEW', 'PARTIALLY_FILLED']).toContain(o.status);
}

describe('hostile input', () => {
  it('raw bytes on the port are answered or closed, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        await send(bytes);
      }),
      { numRuns: 100 },
    );
    sound();
  });

  it('any method, path, query and body, unsigned, gets the venue’s envelope or an HTTP error', async () => {
    const paths = [...ROUTES.keys()].map((k) => k.split(' ')[1] as string);
    const target = fc.tuple(
      fc.oneof(
        fc.constantFrom(...paths),
        fc.string({ maxLength: 30 }).map((s) => `/${s}`),
      ),
      fc.string({ unit: 'binary-ascii', maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        target,
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom(KEY, '', 'wrong'),
        async (method, [path, query], body, key) => {
          const target = `${encodeURI(path)}?${query.replace(/[\s#]/g, '')}`;
          const answer = await request(method, target, body, key);
          expect(answer === '' || answer.startsWith('HTTP/1.1 ')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    sound();
  });

  it('signed requests with garbage parameters reach the endpoints and are refused or served', async () => {
    const route = fc.oneof(
      fc.constantFrom(...ROUTES.keys()),
      fc.constant('POST /openApi/swap/v2/trade/order'),
    );
    await fc.assert(
      fc.asyncProperty(route, PARAMS, async (route, pairs) => {
        const [method, path] = route.split(' ') as [string, string];
        const answer = await request(method, `${path}?${signed(pairs)}`, '');
        expect(answer).toMatch(/^HTTP\/1\.1 (200|404) /);
        expect(answer).not.toContain('"code":100001');
      }),
      { numRuns: 600 },
    );
    sound();
    const ex = rest(sim);
    await ex.loadMarkets();
    expect(await ex.fetchTime()).toBeGreaterThan(0);
  });
});
