// Requests the venue executor sends per scan, over a simulated hour of 5-second scans against
// the BingX simulator in lockstep, per minute, against BingX's published limits (README).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { armedExecutor } from '../../cli/live.js';
import { parseConfig } from '../../engine/config.js';
import { EXECUTION, ExecutionRules } from '../../engine/rules/index.js';
import { runBacktest } from '../../runtime/backtest.js';
import { jsonlSource } from '../../sources/archive.js';
import { lockstep } from '../../test-support/bingx/lockstep.js';
import { BingxSim } from '../../test-support/bingx/sim/index.js';
import { sampleArchive, tempDir } from '../../test-support/journal.js';
import { snapshotMarkets } from './markets.js';
import { BingxVenue, bingxClient } from './venue.js';

/** BingX, 2025-09-10: account endpoints 2,000 requests / 10 s per IP; orders 10 / s. */
const BINGX_ACCOUNT_PER_MINUTE = 12_000;
const BINGX_ORDERS_PER_MINUTE = 600;
/** What the dead-man's switch adds while armed: a renewal every 15 s. */
const HEARTBEATS_PER_MINUTE = 4;

describe('requests per minute on the venue', () => {
  const dir = tempDir('violet-requests-');
  let sim: BingxSim | null = null;
  afterAll(async () => {
    await sim?.close();
  });

  it('over an hour of 5 s scans, far under the published limits (a tenth of them at most)', async () => {
    const r = parseConfig({ instance_id: 'requests' });
    if (!r.ok) throw new Error(r.reason);
    const config = r.value;
    const markets = snapshotMarkets();
    sim = await BingxSim.start({
      apiKey: 'k',
      secret: 's',
      rules: new ExecutionRules(markets, EXECUTION),
      balance: config.capital,
    });
    const ex = bingxClient({
      venue: 'bingx-vst',
      apiKey: 'k',
      secret: 's',
      url: sim.url,
      throttle: false,
    });
    await ex.loadMarkets();
    const before = [...sim.requests.byRoute.values()].reduce((a, b) => a + b, 0);
    const venue = new BingxVenue(ex, { sleep: (ms) => new Promise((f) => setTimeout(f, ms)) });
    const scans = 720;
    const out = await runBacktest({
      config,
      source: lockstep(jsonlSource(sampleArchive(dir, scans, 3, 12)), sim),
      journal: join(dir, 'j.duckdb'),
      chart: join(dir, 'c.svg'),
      markets,
      execution: (rules) => armedExecutor(config, rules, venue),
    });
    await ex.close();
    expect(out.summary.trades).toBeGreaterThan(0);
    const total = [...sim.requests.byRoute.values()].reduce((a, b) => a + b, 0) - before;
    const orders = sim.requests.byRoute.get('POST /openApi/swap/v2/trade/order') ?? 0;
    const minutes = (scans * 5) / 60;
    const perMinute = total / minutes + HEARTBEATS_PER_MINUTE;
    expect(perMinute).toBeLessThan(BINGX_ACCOUNT_PER_MINUTE / 10);
    expect(orders / minutes).toBeLessThan(BINGX_ORDERS_PER_MINUTE / 10);
    // The figures the README states: printed for the one who updates it.
    process.stdout.write(
      `requests: ${total} over ${scans} scans (${(total / scans).toFixed(3)} a scan), ${perMinute.toFixed(2)} a minute with the heartbeat; orders ${orders} (${(orders / minutes).toFixed(2)} a minute); ${out.summary.trades} trades\n`,
    );
  }, 120_000);
});
