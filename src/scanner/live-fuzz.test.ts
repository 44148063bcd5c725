// Whatever a venue sends as bars (NaN, zero or negative prices, times off the grid or out of
// order, duplicates), the live loop neither throws nor publishes a scan that the engine
// would reject: every published line parses as a Scan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScanLine } from '../model/index.js';
import { type Ohlcv, runLive } from './live.js';

const I = 300_000;
const T0 = 1_700_000_100_000 - (1_700_000_100_000 % I);

const price = fc.oneof(
  fc.double({ min: 0.5, max: 2, noNaN: true }),
  fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e-300, 1e300),
);
const time = fc.oneof(
  fc.integer({ min: -10, max: 400 }).map((k) => T0 + k * I),
  fc.integer({ min: T0 - I, max: T0 + 400 * I }),
  fc.constantFrom(Number.NaN, -1, 1.5),
);
const junkBar = fc.tuple(time, price, price, price, price, price);

describe('live scanner input', () => {
  it('survives any bars a venue sends, and publishes only scans that parse', async () => {
    let total = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(400), junkBar), { maxLength: 40 }),
        fc.double({ min: 0.001, max: 0.05, noNaN: true }),
        async (junk, vol) => {
          let now = T0 + 300 * I;
          const stop = new AbortController();
          const published: string[] = [];
          await runLive({
            symbols: ['AAAUSDT', 'BBBUSDT', 'CCCUSDT'],
            intervalMs: I,
            windows: [3, 5],
            graceMs: 1000,
            signal: stop.signal,
            log: () => {},
            transient: () => false,
            clock: {
              now: () => now,
              async sleep(ms) {
                now += Math.max(ms, 1);
                if (now > T0 + 330 * I) stop.abort();
              },
            },
            feed: {
              // Good consecutive bars from `since`, junk written over some and between them.
              async ohlcv(symbol, since, limit) {
                const out: Ohlcv[] = [];
                const phase = symbol.charCodeAt(0);
                for (let t = since; t <= now && out.length < limit; t += I) {
                  const p = Math.exp(vol * Math.sin((t / I) * phase));
                  out.push([t, p, p, p, p, 1]);
                }
                for (const [at, b] of junk) {
                  if (at % 2 === 0) out.splice(at % (out.length + 1), 0, b);
                  else if (out.length > 0) out[at % out.length] = b;
                }
                return out;
              },
            },
            publisher: {
              lastScanNumber: async () => null,
              pricesSince: async () => new Map(),
              async publish(line) {
                published.push(line);
              },
            },
          });
          for (const line of published) expect(parseScanLine(line).ok, line).toBe(true);
          total += published.length;
        },
      ),
      { numRuns: 200, seed: 7 },
    );
    // Not vacuous: the runs publish scans among the junk.
    expect(total).toBeGreaterThan(1000);
  });
});
