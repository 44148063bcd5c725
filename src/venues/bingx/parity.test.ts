// Parity for execution (issue 14, L2): one archive through the backtest (mock exchange) and
// through the venue executor against the BingX simulator in lockstep, through ccxt over
// loopback; the trades exports must be byte-identical. The archive holds a trade whose
// quantity the step rounding changes, a decision refused below the venue's minimum, and
// funding marks.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armedExecutor } from '../../cli/live.js';
import { parseConfig } from '../../engine/config.js';
import { ExecutionRules, type Markets } from '../../engine/rules/index.js';
import { runBacktest } from '../../runtime/backtest.js';
import { jsonlSource } from '../../sources/archive.js';
import { scanLine, syntheticScans } from '../../sources/synthetic/index.js';
import { lockstep } from '../../test-support/bingx/lockstep.js';
import { BingxSim } from '../../test-support/bingx/sim/index.js';
import { violet } from '../../test-support/cli.js';
import { exportJsonl, tempDir } from '../../test-support/journal.js';
import { parseBingxContracts } from './contracts.js';
import { BINGX_SWAP_CONTRACTS } from './snapshot.js';
import { BingxVenue, bingxClient } from './venue.js';

const KEY = 'parity-key-3f9a';
const SECRET = 'parity-secret-77c1';
const config = (() => {
  const r = parseConfig({ instance_id: 'parity' });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
})();

/** The snapshot with one contract's minimum order value raised past any decision's. */
function contractsWithMinimum(venueId: string, minUsdt: string): unknown {
  const o = BINGX_SWAP_CONTRACTS as { data: Record<string, unknown>[] };
  return {
    ...o,
    data: o.data.map((c) => (c.symbol === venueId ? { ...c, tradeMinUSDT: minUsdt } : c)),
  };
}

function marketsOf(contracts: unknown): Markets {
  const r = parseBingxContracts(contracts, 'parity');
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

async function exportTrades(journal: string, out: string): Promise<string> {
  const r = await violet([
    'trades',
    'export',
    '--journal',
    journal,
    '--format',
    'csv',
    '--out',
    out,
  ]);
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(out, 'utf8');
}

describe('execution parity: backtest and the venue executor on the simulator, in lockstep', () => {
  const dir = tempDir('violet-parity-');
  const archive = join(dir, 'scans.jsonl');
  let sim: BingxSim | null = null;

  beforeAll(() => {
    // One-minute scans: 1,500 of them cross three 8-hour funding marks.
    const lines = [...syntheticScans({ scans: 1500, assets: 8, seed: 11, stepMs: 60_000 })].map(
      (s) => scanLine(s),
    );
    writeFileSync(archive, `${lines.join('\n')}\n`);
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('gives byte-identical trades exports, step rounding, a refusal below the minimum and funding included', async () => {
    // A first backtest finds an asset the engine trades; its minimum then refuses one entry.
    const probe = await runBacktest({
      config,
      source: jsonlSource(archive),
      journal: join(dir, 'probe.duckdb'),
      chart: join(dir, 'probe.svg'),
      markets: marketsOf(BINGX_SWAP_CONTRACTS),
    });
    expect(probe.summary.trades).toBeGreaterThan(3);
    const probeTrades = await exportJsonl(
      join(dir, 'probe.duckdb'),
      'violet_trades',
      join(dir, 'p.jsonl'),
    );
    const refusedAsset = String(probeTrades[1]?.asset);
    const contracts = contractsWithMinimum(refusedAsset.replace(/USDT$/, '-USDT'), '1000000');
    const markets = marketsOf(contracts);

    const mock = await runBacktest({
      config,
      source: jsonlSource(archive),
      journal: join(dir, 'mock.duckdb'),
      chart: join(dir, 'mock.svg'),
      markets,
    });

    sim = await BingxSim.start({
      apiKey: KEY,
      secret: SECRET,
      rules: new ExecutionRules(markets, config.execution),
      balance: config.capital,
      contracts,
    });
    const ex = bingxClient({
      venue: 'bingx-vst',
      apiKey: KEY,
      secret: SECRET,
      url: sim.url,
      throttle: false,
    });
    await ex.loadMarkets();
    const venue = new BingxVenue(ex, {
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      firstWaitMs: 10,
    });
    const live = await runBacktest({
      config,
      source: lockstep(jsonlSource(archive), sim),
      journal: join(dir, 'live.duckdb'),
      chart: join(dir, 'live.svg'),
      markets,
      execution: (rules) => armedExecutor(config, rules, venue),
    });
    await ex.close();
    expect(sim.internalErrors).toEqual([]);

    const a = await exportTrades(join(dir, 'mock.duckdb'), join(dir, 'mock.csv'));
    const b = await exportTrades(join(dir, 'live.duckdb'), join(dir, 'live.csv'));
    console.log(
      JSON.stringify(live.summary.order_events),
      JSON.stringify(
        (
          await exportJsonl(join(dir, 'live.duckdb'), 'violet_order_events', join(dir, 'dbg.jsonl'))
        ).slice(0, 5),
      ),
    );
    expect(live.summary.trades).toBe(mock.summary.trades);
    expect(b).toBe(a);

    // What the archive had to hold for this to mean something.
    const trades = await exportJsonl(
      join(dir, 'mock.duckdb'),
      'violet_trades',
      join(dir, 't.jsonl'),
    );
    expect(trades.some((t) => Number(t.funding) !== 0)).toBe(true);
    const decisions = await exportJsonl(
      join(dir, 'mock.duckdb'),
      'violet_decisions',
      join(dir, 'd.jsonl'),
    );
    const byScan = new Map(decisions.map((d) => [Number(d.scan_number), d]));
    expect(
      trades.some(
        (t) =>
          Number(t.quantity) * Number(t.entry_price) <
          Number(byScan.get(Number(t.entry_scan))?.notional) * 0.9999,
      ),
    ).toBe(true);
    const events = await exportJsonl(
      join(dir, 'mock.duckdb'),
      'violet_order_events',
      join(dir, 'e.jsonl'),
    );
    expect(
      events.some((e) => e.event === 'ENTRY_REFUSED' && String(e.detail).includes('minimum')),
    ).toBe(true);
    const liveEvents = await exportJsonl(
      join(dir, 'live.duckdb'),
      'violet_order_events',
      join(dir, 'le.jsonl'),
    );
    expect(liveEvents).toEqual(events);
    // The live run's fills as the venue reported them: an entry fill per trade, its
    // slippage against the deciding scan's price, and the funding the trades carry.
    const fills = await exportJsonl(
      join(dir, 'live.duckdb'),
      'violet_venue_fills',
      join(dir, 'f.jsonl'),
    );
    const entries = fills.filter((f) => f.purpose === 'ENTRY');
    expect(entries).toHaveLength(trades.length);
    for (const f of entries) {
      expect(Number(f.slippage_bps)).toBeGreaterThan(0);
      expect(Number(f.slippage_bps)).toBeLessThan(20);
    }
    const funded = fills
      .filter((f) => f.purpose === 'FUNDING')
      .reduce((a, f) => a + Number(f.amount), 0);
    const carried = trades.reduce((a, t) => a + Number(t.funding), 0);
    expect(funded).toBeCloseTo(carried, 9);
    // Every order of the live run went to the simulator: one fill per filled order or more.
    expect(sim.fills().length).toBeGreaterThanOrEqual(2 * mock.summary.trades);
  }, 240_000);
});
