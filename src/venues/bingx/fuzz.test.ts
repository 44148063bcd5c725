// The BingX adapter faces the network: whatever bytes a venue (or something in its place)
// answers, each call resolves with finite numbers in the engine's shapes or fails with an
// Error — never a crash, never NaN in a fill.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Market } from '../../engine/rules/index.js';
import { snapshotMarkets } from './markets.js';
import { BingxVenue, bingxClient } from './venue.js';

const ETH = snapshotMarkets().bySymbol('ETHUSDT') as Market;

/** A body: raw bytes, JSON of any shape, or the venue's envelope around mutated data. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.json({ maxDepth: 4 }).map((j) => Buffer.from(j)),
  fc
    .record({
      code: fc.oneof(fc.constant(0), fc.constant('0'), fc.integer(), fc.string()),
      msg: fc.string(),
      data: fc.oneof(
        fc.anything({ maxDepth: 3 }),
        fc.record({
          order: fc.dictionary(
            fc.constantFrom('orderId', 'status', 'executedQty', 'avgPrice', 'symbol', 'origQty'),
            fc.oneof(fc.string(), fc.double(), fc.constant(null)),
          ),
          fill_orders: fc.array(
            fc.dictionary(
              fc.constantFrom('orderId', 'volume', 'price', 'commission', 'filledTm', 'symbol'),
              fc.oneof(fc.string(), fc.double(), fc.constant(null)),
            ),
            { maxLength: 3 },
          ),
        }),
      ),
    })
    .map((o) => Buffer.from(JSON.stringify(o))),
);

describe('BingX adapter on arbitrary answers', () => {
  let server: Server;
  let next: Buffer = Buffer.from('');
  let status = 200;
  let url = '';
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(next);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('resolves with finite fills or rejects with an Error, whatever the venue sends', async () => {
    const ex = bingxClient({ venue: 'bingx-vst', apiKey: 'k', secret: 's', url, throttle: false });
    // The markets are ccxt's parse of the carried snapshot: the calls below need them.
    const fixture = JSON.parse(
      readFileSync(
        new URL('../../test-support/bingx/ccxt/markets-swap.json', import.meta.url),
        'utf8',
      ),
    ) as { markets: Record<string, unknown> };
    ex.setMarkets(Object.values(fixture.markets) as never);
    const venue = new BingxVenue(ex, { sleep: async () => {}, attempts: 1 });
    // A fresh client id each run: the adapter keeps an order's final report, and would answer
    // a second read of it without asking the venue.
    let n = 0;
    const calls: (() => Promise<unknown>)[] = [
      () =>
        venue.place({
          clientId: `vt-fuzz-${++n}`,
          market: ETH,
          side: 'sell',
          kind: 'market',
          units: 1,
          reduceOnly: false,
        }),
      () => venue.order(ETH, `vt-fuzz-${++n}`),
      () => venue.funding(ETH, 0),
      () => venue.holdings(),
      () => venue.shortQuantity(ETH),
      () => venue.markets('fuzz'),
    ];
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom(200, 200, 400, 429, 500),
        fc.nat(calls.length - 1),
        async (b, s, k) => {
          next = b;
          status = s;
          let value: unknown;
          try {
            value = await (calls[k] as () => Promise<unknown>)();
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            return;
          }
          // Whatever came back: no NaN or infinity anywhere in it.
          JSON.stringify(value, (_k, v) => {
            if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
            return v;
          });
        },
      ),
      { numRuns: 300 },
    );
    // The answers reached the adapter: every run asked the venue at least once.
    expect(requests).toBeGreaterThanOrEqual(300);
    await ex.close();
  }, 60_000);
});
