// `violet venue check` and `violet live` as an operator runs them, against the BingX
// simulator on loopback (`--venue-url`): DARK sends no order-writing request, armed trades,
// and the key and secret appear in no output, journal row or export.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION, ExecutionRules } from '../engine/rules/index.js';
import { parseScanLine } from '../model/index.js';
import { BingxSim } from '../test-support/bingx/sim/index.js';
import { killChildren, type Run, violet, violetChild } from '../test-support/cli.js';
import { exportJsonl, sampleArchive, tempDir } from '../test-support/journal.js';
import { NatsServer } from '../test-support/servers.js';
import { snapshotMarkets } from '../venues/bingx/markets.js';

const KEY = 'live-test-key-5d1e0a';
const SECRET = 'live-test-secret-c0ffee42';
const ENV = { BINGX_API_KEY: KEY, BINGX_API_SECRET: SECRET };

describe('violet venue check and violet live against the simulator', () => {
  const dir = tempDir('violet-live-');
  const runs: Run[] = [];
  let sim: BingxSim;
  let archive: string;
  let config: string;

  const run = async (args: string[], env: Record<string, string> = ENV) => {
    const r = await violet(args, undefined, { env, timeoutMs: 120_000 });
    runs.push(r);
    return r;
  };

  beforeAll(async () => {
    sim = await BingxSim.start({
      apiKey: KEY,
      secret: SECRET,
      rules: new ExecutionRules(snapshotMarkets(), EXECUTION),
      // The engine's capital (the config's default), so margin is refused only by the fault.
      balance: 25_000,
    });
    archive = sampleArchive(dir, 600, 5, 8);
    // The venue's market is the archive's first scan: a live run here is not in lockstep.
    const first = parseScanLine(readFileSync(archive, 'utf8').split('\n')[0] as string);
    if (!first.ok) throw new Error(first.reason);
    sim.advance(first.value);
    config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        instance_id: 'live-t',
        execution: { caps: { symbols: ['ETHUSDT', 'SOLUSDT', 'BTCUSDT'] } },
      }),
    );
  });

  afterAll(async () => {
    await sim.close();
  });

  it('venue check: every check passes on the simulator, and no order-writing request is sent', async () => {
    const writes = sim.requests.orderWrites + sim.requests.settingsWrites;
    const json = join(dir, 'check.json');
    const r = await run([
      'venue',
      'check',
      '--venue',
      'bingx-vst',
      '--venue-url',
      sim.url,
      '--config',
      config,
      '--json',
      json,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const checks = JSON.parse(readFileSync(json, 'utf8')).checks as {
      check: string;
      ok: boolean;
    }[];
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'markets',
        'keys',
        'capital',
        'clock skew',
        'position mode',
        'market ETHUSDT',
        'margin ETHUSDT',
      ]),
    );
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(sim.requests.orderWrites + sim.requests.settingsWrites).toBe(writes);
  });

  it('venue check: a wrong secret fails the keys check (exit 1), the secret unprinted', async () => {
    const r = await run(['venue', 'check', '--venue', 'bingx-vst', '--venue-url', sim.url], {
      BINGX_API_KEY: KEY,
      BINGX_API_SECRET: `${SECRET}-wrong`,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/keys\s+FAIL\s+AuthenticationError/);
    expect(r.stdout + r.stderr).not.toContain(`${SECRET}-wrong`);
    // A config that sizes against more than the account holds fails the capital check.
    const rich = join(dir, 'rich.json');
    writeFileSync(rich, JSON.stringify({ capital: 1_000_000 }));
    const poor = await run([
      'venue',
      'check',
      '--venue',
      'bingx-vst',
      '--venue-url',
      sim.url,
      '--config',
      rich,
    ]);
    expect(poor.status).toBe(1);
    expect(poor.stdout).toMatch(
      /capital\s+FAIL\s+25000 USDT on the venue for a config capital of 1000000/,
    );
  });

  it('refuses to start without keys, and mainnet without the config saying so (exit 2)', async () => {
    const noKeys = await run(
      [
        'live',
        '--scans',
        archive,
        '--venue',
        'bingx-vst',
        '--venue-url',
        sim.url,
        '--journal',
        join(dir, 'x.duckdb'),
      ],
      { BINGX_API_KEY: '', BINGX_API_SECRET: '' },
    );
    expect(noKeys.status).toBe(2);
    expect(noKeys.stderr).toMatch(/set BINGX_API_KEY and BINGX_API_SECRET/);
    const main = await run([
      'live',
      '--nats',
      'nats://127.0.0.1:1',
      '--venue',
      'bingx',
      '--journal',
      join(dir, 'y.duckdb'),
    ]);
    expect(main.status).toBe(2);
    expect(main.stderr).toMatch(/the config must say so too/);
    // Reading mainnet needs no consent (venue check sends no order); a loopback stand-in here.
    const read = await run(['venue', 'check', '--venue', 'bingx', '--venue-url', sim.url]);
    expect(read.status, read.stderr).toBe(0);
    const remote = await run([
      'venue',
      'check',
      '--venue',
      'bingx',
      '--venue-url',
      'http://example.com:80',
    ]);
    expect(remote.status).toBe(2);
    expect(remote.stderr).toMatch(/only a loopback host/);
    expect(readdirSync(dir).some((f) => f.startsWith('x.') || f.startsWith('y.'))).toBe(false);
  });

  it('DARK: decides, journals what it would order, sends no order-writing request, even with a position on the venue; armed refuses to start over it', async () => {
    // A position the session does not know: opened on the venue by someone else.
    const other = new ccxt.bingx({
      apiKey: KEY,
      secret: SECRET,
      urls: { api: sim.ccxtUrls() },
      options: { defaultType: 'swap' },
    });
    await other.loadMarkets();
    await other.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.05);
    const before = { orders: sim.requests.orderWrites, settings: sim.requests.settingsWrites };
    const journal = join(dir, 'dark.duckdb');
    const json = join(dir, 'dark.json');
    const r = await run([
      'live',
      '--scans',
      archive,
      '--venue',
      'bingx-vst',
      '--venue-url',
      sim.url,
      '--journal',
      journal,
      '--chart',
      join(dir, 'dark.svg'),
      '--json',
      json,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/DARK — decisions only/);
    expect(r.stdout).toMatch(/VIOLET live session on bingx-vst, DARK/);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.trades).toBe(0);
    expect(s.order_events.NOT_SENT_DARK).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/venue holds a short position of 0\.05 ETH\/USDT:USDT at \d/);
    expect(s.venue_at_start.positions).toHaveLength(1);
    expect(sim.requests.orderWrites).toBe(before.orders);
    expect(sim.requests.settingsWrites).toBe(before.settings);
    const armed = await run([
      'live',
      '--scans',
      archive,
      '--venue',
      'bingx-vst',
      '--venue-url',
      sim.url,
      '--arm',
      '--journal',
      join(dir, 'refused.duckdb'),
    ]);
    expect(armed.status).toBe(1);
    expect(armed.stderr).toMatch(
      /holds 1 position\(s\) or order\(s\) this session does not manage/,
    );
    expect(sim.requests.orderWrites).toBe(before.orders);
    await other.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.05, undefined, {
      reduceOnly: true,
    });
    expect(sim.position('ETHUSDT')).toBeNull();
  });

  it("venue.reconcile: a known position halts an armed start when told to; an unknown one, and another client's order, are closed and cancelled at the first scan (journaled)", async () => {
    const other = new ccxt.bingx({
      apiKey: KEY,
      secret: SECRET,
      urls: { api: sim.ccxtUrls() },
      options: { defaultType: 'swap' },
    });
    await other.loadMarkets();
    await other.createOrder('DOGE/USDT:USDT', 'market', 'sell', 300);
    const price = Number((sim.position('DOGEUSDT') as { entryPrice: number }).entryPrice);
    await other.createOrder('DOGE/USDT:USDT', 'limit', 'sell', 100, price * 2, {
      clientOrderId: 'someone-else-1',
    });
    expect(sim.openOrders()).toHaveLength(1);
    const short = join(dir, 'short.jsonl');
    writeFileSync(short, `${readFileSync(archive, 'utf8').split('\n').slice(0, 40).join('\n')}\n`);
    const policy = (known: string, unknown: string) => {
      const f = join(dir, `policy-${known}-${unknown}.json`);
      writeFileSync(
        f,
        JSON.stringify({
          instance_id: 'live-t',
          execution: { caps: { symbols: ['ETHUSDT', 'SOLUSDT', 'BTCUSDT'] } },
          venue: { reconcile: { known, unknown } },
        }),
      );
      return f;
    };
    const live = (config: string, journal: string) => [
      'live',
      '--scans',
      short,
      '--venue',
      'bingx-vst',
      '--venue-url',
      sim.url,
      '--arm',
      '--config',
      config,
      '--journal',
      join(dir, journal),
      '--chart',
      join(dir, `${journal}.svg`),
    ];
    const halted = await run(live(policy('adopt', 'halt'), 'halt.duckdb'));
    expect(halted.status).toBe(1);
    expect(halted.stderr).toMatch(/or set venue\.reconcile/);
    expect(sim.position('DOGEUSDT')).not.toBeNull();
    const flat = await run(live(policy('adopt', 'flatten'), 'flatten.duckdb'));
    expect(flat.status, flat.stderr).toBe(0);
    expect(flat.stderr).toMatch(
      /venue holds a short position of 300 DOGE\/USDT:USDT .*closed at the first scan/,
    );
    expect(flat.stderr).toMatch(
      /\(someone-else-1\), not this engine's: cancelled at the first scan/,
    );
    expect(sim.position('DOGEUSDT')).toBeNull();
    expect(sim.openOrders()).toHaveLength(0);
    const events = await exportJsonl(
      join(dir, 'flatten.duckdb'),
      'violet_order_events',
      join(dir, 'ev.jsonl'),
    );
    const reconciled = events.filter((e) => e.event === 'RECONCILED');
    expect(reconciled).toHaveLength(1);
    expect(String(reconciled[0]?.detail)).toMatch(
      /cancelled order \S+ on DOGE-USDT; closed a short position of 300 DOGE-USDT the journal does not know/,
    );
    const fills = await exportJsonl(
      join(dir, 'flatten.duckdb'),
      'violet_venue_fills',
      join(dir, 'vf.jsonl'),
    );
    expect(
      fills.filter((f) => f.purpose === 'RECONCILE_FLATTEN').map((f) => [f.side, f.quantity]),
    ).toEqual([['buy', 300]]);
  });

  it('armed, through the fault switches (429, 5xx, a split fill, a margin refusal): retried or journaled, and the run goes on to its summary', async () => {
    const fills = sim.fills().length;
    // Rate limits, outages, a split fill and a refusal on the way: retried, journaled, run on.
    sim.faults.rateLimit = 3;
    sim.faults.retryAfterSeconds = 0;
    sim.faults.serverError = 2;
    sim.faults.partialFill = 1;
    sim.faults.insufficientMargin = 1;
    const json = join(dir, 'armed.json');
    const r = await run([
      'live',
      '--scans',
      archive,
      '--venue',
      'bingx-vst',
      '--venue-url',
      sim.url,
      '--config',
      config,
      '--arm',
      '--journal',
      join(dir, 'armed.duckdb'),
      '--chart',
      join(dir, 'armed.svg'),
      '--json',
      json,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ARMED/);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    expect(s.trades).toBeGreaterThan(0);
    expect(s.order_events.ORDER_FAILED).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(/again in \d+ ms/);
    expect(sim.faults.rateLimit + sim.faults.serverError + sim.faults.partialFill).toBe(0);
    // Each trade: one entry fill and one fill per exit leg at least.
    expect(sim.fills().length - fills).toBeGreaterThanOrEqual(2 * s.trades);
    const ex = await run([
      'trades',
      'export',
      '--journal',
      join(dir, 'armed.duckdb'),
      '--format',
      'csv',
      '--out',
      join(dir, 'armed-trades.csv'),
    ]);
    expect(ex.status).toBe(0);
  });

  it('the key and secret appear in no output, report, journal or export of these runs', () => {
    for (const r of runs) {
      for (const text of [r.stdout, r.stderr]) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(SECRET);
      }
    }
    const files = (d: string): string[] =>
      readdirSync(d).flatMap((f) => {
        const p = join(d, f);
        return statSync(p).isDirectory() ? files(p) : [p];
      });
    for (const f of files(dir)) {
      const bytes = readFileSync(f);
      expect(bytes.includes(KEY), f).toBe(false);
      expect(bytes.includes(SECRET), f).toBe(false);
    }
  });
});

describe("the dead-man's switch", () => {
  it('a SIGKILLed armed engine leaves no resting entry: the venue cancels it at the timeout', async () => {
    let skew = 0;
    const sim = await BingxSim.start({
      apiKey: KEY,
      secret: SECRET,
      rules: new ExecutionRules(snapshotMarkets(), EXECUTION),
      balance: 10_000,
      now: () => Date.now() + skew,
    });
    const dir = tempDir('violet-deadman-');
    try {
      const archive = sampleArchive(dir, 2000, 5, 8);
      const first = parseScanLine(readFileSync(archive, 'utf8').split('\n')[0] as string);
      if (!first.ok) throw new Error(first.reason);
      // The venue's prices stay at the first scan: a maker entry there never fills.
      sim.advance(first.value);
      const config = join(dir, 'maker.json');
      writeFileSync(
        config,
        JSON.stringify({
          instance_id: 'deadman',
          execution: { entry_order: 'maker', maker_timeout_scans: 100_000 },
        }),
      );
      const child = violetChild(
        [
          'live',
          '--scans',
          archive,
          '--rate',
          '50',
          '--venue',
          'bingx-vst',
          '--venue-url',
          sim.url,
          '--config',
          config,
          '--arm',
          '--journal',
          join(dir, 'j.duckdb'),
        ],
        ENV,
      );
      for (let i = 0; sim.openOrders().length === 0; i++) {
        if (i > 600 || child.proc.exitCode !== null)
          throw new Error(`no resting order: ${child.stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(
        sim.requests.byRoute.get('POST /openApi/swap/v2/trade/cancelAllAfter'),
      ).toBeGreaterThan(0);
      child.proc.kill('SIGKILL');
      await child.exited;
      expect(sim.openOrders()).toHaveLength(1);
      skew = 61_000;
      for (let i = 0; sim.openOrders().length > 0 && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(sim.openOrders()).toHaveLength(0);
    } finally {
      killChildren();
      await sim.close();
    }
  }, 60_000);
});

describe('the protective stop', () => {
  it('a SIGKILLed armed engine leaves its position protected: the stop outlives the dead-man timeout and closes it', async () => {
    let skew = 0;
    const sim = await BingxSim.start({
      apiKey: KEY,
      secret: SECRET,
      rules: new ExecutionRules(snapshotMarkets(), EXECUTION),
      balance: 25_000,
      now: () => Date.now() + skew,
    });
    const dir = tempDir('violet-stop-');
    try {
      const archive = sampleArchive(dir, 2000, 5, 8);
      const first = parseScanLine(readFileSync(archive, 'utf8').split('\n')[0] as string);
      if (!first.ok) throw new Error(first.reason);
      sim.advance(first.value);
      const child = violetChild(
        [
          'live',
          '--scans',
          archive,
          '--rate',
          '50',
          ...['--venue', 'bingx-vst', '--venue-url', sim.url, '--arm'],
          '--journal',
          join(dir, 'j.duckdb'),
        ],
        ENV,
      );
      for (let i = 0; sim.openOrders().length === 0; i++) {
        if (i > 600 || child.proc.exitCode !== null)
          throw new Error(`no protective stop: ${child.stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.proc.kill('SIGKILL');
      await child.exited;
      const [stop] = sim.openOrders();
      expect(stop).toMatchObject({ type: 'STOP_MARKET', side: 'BUY', reduceOnly: true });
      const held = sim.position(stop?.market.symbol ?? '');
      expect(held).not.toBeNull();
      // The stop sits the config's default distance (twice the stop loss) above the entry.
      const rules = new ExecutionRules(snapshotMarkets(), EXECUTION);
      const m = stop?.market as NonNullable<typeof stop>['market'];
      expect(stop?.stopPrice).toBe(rules.toTick(m, (held?.entryPrice ?? 0) * 1.03));
      // Long past the dead-man's timeout, the position is still protected.
      skew = 120_000;
      await new Promise((r) => setTimeout(r, 200));
      expect(sim.openOrders().map((o) => o.orderId)).toEqual([stop?.orderId]);
      // The market runs through the stop: the venue closes the position.
      const i = first.value.symbols.indexOf(m.symbol);
      const prices = [...first.value.prices];
      prices[i] = (stop?.stopPrice ?? 0) * 1.01;
      sim.advance({ ...first.value, scan_number: first.value.scan_number + 1, prices });
      expect(sim.position(m.symbol)).toBeNull();
    } finally {
      killChildren();
      await sim.close();
    }
  }, 60_000);
});

describe('arm, disarm and flatten on the control endpoint', () => {
  it('flatten closes the position and disarms, arm resumes; audited, token required', async () => {
    const sim = await BingxSim.start({
      apiKey: KEY,
      secret: SECRET,
      rules: new ExecutionRules(snapshotMarkets(), EXECUTION),
      balance: 25_000,
    });
    const dir = tempDir('violet-arming-');
    try {
      const archive = sampleArchive(dir, 700, 5, 8);
      const first = parseScanLine(readFileSync(archive, 'utf8').split('\n')[0] as string);
      if (!first.ok) throw new Error(first.reason);
      sim.advance(first.value);
      const journal = join(dir, 'j.duckdb');
      const json = join(dir, 's.json');
      const child = violetChild(
        [
          'live',
          '--scans',
          archive,
          '--rate',
          '100',
          '--venue',
          'bingx-vst',
          '--venue-url',
          sim.url,
          '--arm',
          '--control-port',
          '0',
          '--control-token',
          'tok-3',
          '--journal',
          journal,
          '--json',
          json,
        ],
        ENV,
      );
      const port = (await child.stderrMatch(/control endpoint: http:\/\/127\.0\.0\.1:(\d+)/))[1];
      const post = (body: unknown, token = 'tok-3') =>
        fetch(`http://127.0.0.1:${port}/arming`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'x-violet-operator': 'ops-ann' },
          body: JSON.stringify(body),
        });
      expect((await post({ action: 'flatten' }, 'wrong')).status).toBe(401);
      expect((await post({ action: 'explode' })).status).toBe(400);
      for (let i = 0; sim.fills().length === 0; i++) {
        if (i > 400 || child.proc.exitCode !== null) throw new Error(`no entry: ${child.stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const flat = await post({ action: 'flatten' });
      expect(flat.status).toBe(200);
      expect(await flat.json()).toMatchObject({ old: 'ARMED', new: 'DISARMED' });
      for (let i = 0; hasPosition(sim); i++) {
        if (i > 400) throw new Error('the position was not flattened');
        await new Promise((r) => setTimeout(r, 50));
      }
      const fillsWhileDisarmed = sim.fills().length;
      await new Promise((r) => setTimeout(r, 1000));
      expect(sim.fills().length).toBe(fillsWhileDisarmed);
      const arm = await post({ action: 'arm' });
      expect(await arm.json()).toMatchObject({ old: 'DISARMED', new: 'ARMED' });
      expect(await child.exited).toBe(0);
      const s = JSON.parse(readFileSync(json, 'utf8'));
      expect(s.exits_by_reason.FLATTENED).toBe(1);
      expect(s.order_events.ENTRY_REFUSED ?? 0).toBeGreaterThan(0);
      const audit = await exportJsonl(journal, 'violet_control_audit', join(dir, 'a.jsonl'));
      expect(audit.map((a) => [a.action, a.who, a.old_value, a.new_value])).toEqual([
        ['flatten', 'ops-ann', 'ARMED', 'DISARMED, flattening'],
        ['arm', 'ops-ann', 'DISARMED', 'ARMED'],
      ]);
    } finally {
      killChildren();
      await sim.close();
    }
  }, 150_000);
});

function hasPosition(sim: BingxSim): boolean {
  return [
    'BTCUSDT',
    'ETHUSDT',
    'SOLUSDT',
    'BNBUSDT',
    'XRPUSDT',
    'ADAUSDT',
    'DOGEUSDT',
    'AVAXUSDT',
  ].some((s) => sim.position(s) !== null);
}

describe('SIGKILL with an open position, then the same session again', () => {
  it('reconciliation finds the position in the journal, the replay takes it over, no second entry; trades as an uninterrupted run', async () => {
    const start = () =>
      BingxSim.start({
        apiKey: KEY,
        secret: SECRET,
        rules: new ExecutionRules(snapshotMarkets(), EXECUTION),
        balance: 25_000,
      });
    const killed = await start();
    const whole = await start();
    const dir = tempDir('violet-restart-');
    try {
      const archive = sampleArchive(dir, 300, 5, 8);
      const first = parseScanLine(readFileSync(archive, 'utf8').split('\n')[0] as string);
      if (!first.ok) throw new Error(first.reason);
      killed.advance(first.value);
      whole.advance(first.value);
      const live = (sim: BingxSim, journal: string, rate: string) => [
        'live',
        '--scans',
        archive,
        '--rate',
        rate,
        '--venue',
        'bingx-vst',
        '--venue-url',
        sim.url,
        '--arm',
        '--journal',
        join(dir, journal),
      ];
      const child = violetChild(live(killed, 'j.duckdb', '100'), ENV);
      for (let i = 0; !hasPosition(killed); i++) {
        if (i > 600 || child.proc.exitCode !== null)
          throw new Error(`no position: ${child.stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      child.proc.kill('SIGKILL');
      await child.exited;
      const entries = killed.fills().length;
      // Told to halt over a position its journal knows, the armed start refuses, sending nothing.
      const halt = join(dir, 'halt.json');
      writeFileSync(halt, JSON.stringify({ venue: { reconcile: { known: 'halt' } } }));
      const halted = await run([...live(killed, 'j.duckdb', '0'), '--config', halt]);
      expect(halted.status).toBe(1);
      expect(halted.stderr).toMatch(
        /the journal has it open, and venue\.reconcile\.known is "halt"/,
      );
      expect(killed.fills().length).toBe(entries);
      const again = await run(live(killed, 'j.duckdb', '0'));
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/this instance's journal has it open; the replay takes it over/);
      const reference = await run(live(whole, 'ref.duckdb', '0'));
      expect(reference.status, reference.stderr).toBe(0);
      // The same orders were placed once each: as many fills as the uninterrupted run's.
      expect(killed.fills().length).toBe(whole.fills().length);
      expect(killed.fills().length).toBeGreaterThanOrEqual(entries);
      const trades = async (j: string) => {
        const out = join(dir, `${j}.csv`);
        const r = await run([
          'trades',
          'export',
          '--journal',
          join(dir, j),
          '--format',
          'csv',
          '--out',
          out,
        ]);
        expect(r.status).toBe(0);
        return readFileSync(out, 'utf8');
      };
      const a = await trades('j.duckdb');
      expect(a.split('\n').length).toBeGreaterThan(2);
      expect(a).toBe(await trades('ref.duckdb'));
    } finally {
      killChildren();
      await killed.close();
      await whole.close();
    }
  }, 150_000);

  const run = (args: string[]) => violet(args, undefined, { env: ENV, timeoutMs: 120_000 });
});

describe('DARK on the live feed', () => {
  it('consumes the scan stream, journals what it would order, sends no order; SIGINT ends it with the summary', async () => {
    const server = await NatsServer.create();
    const sim = await BingxSim.start({
      apiKey: KEY,
      secret: SECRET,
      rules: new ExecutionRules(snapshotMarkets(), EXECUTION),
      balance: 25_000,
    });
    const dir = tempDir('violet-live-nats-');
    try {
      const scans = sampleArchive(dir, 300, 5, 8);
      const pub = await violet(['publish', '--scans', scans, '--nats', server.url]);
      expect(pub.status, pub.stderr).toBe(0);
      const json = join(dir, 's.json');
      const child = violetChild(
        [
          'live',
          '--nats',
          server.url,
          '--venue',
          'bingx-vst',
          '--venue-url',
          sim.url,
          '--journal',
          join(dir, 'j.duckdb'),
          '--json',
          json,
        ],
        ENV,
      );
      await child.stderrMatch(/DARK — decisions only/);
      for (let i = 0; ; i++) {
        const st = await violet([
          'status',
          '--nats',
          server.url,
          '--durable',
          'violet-1',
          '--json',
          '-',
        ]);
        const ack = JSON.parse(st.stdout).consumer?.ack_floor_seq ?? 0;
        if (ack >= 300) break;
        if (i > 300 || child.proc.exitCode !== null)
          throw new Error(`not consumed: ${child.stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      child.proc.kill('SIGINT');
      expect(await child.exited).toBe(130);
      const s = JSON.parse(readFileSync(json, 'utf8'));
      expect(s.scans).toBe(300);
      expect(s.order_events.NOT_SENT_DARK).toBeGreaterThan(0);
      expect(sim.requests.orderWrites + sim.requests.settingsWrites).toBe(0);
    } finally {
      killChildren();
      await sim.close();
      await server.stop('SIGKILL');
    }
  }, 120_000);
});

describe('SIGKILL with an open position on the live feed, then a restart', () => {
  it('takes the position over with its journaled exit state, enters nothing twice, and trades as an uninterrupted session', async () => {
    const server = await NatsServer.create();
    const start = () =>
      BingxSim.start({
        apiKey: KEY,
        secret: SECRET,
        rules: new ExecutionRules(snapshotMarkets(), EXECUTION),
        balance: 25_000,
      });
    const killed = await start();
    const whole = await start();
    const dir = tempDir('violet-live-restart-');
    const run = (args: string[]) => violet(args, undefined, { env: ENV, timeoutMs: 120_000 });
    const trades = async (j: string) => {
      const out = join(dir, `${j}.csv`);
      const r = await run([
        'trades',
        'export',
        '--journal',
        join(dir, j),
        '--format',
        'csv',
        '--out',
        out,
      ]);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(out, 'utf8');
    };
    const acked = async () => {
      const st = await violet([
        'status',
        '--nats',
        server.url,
        '--durable',
        'violet-1',
        '--json',
        '-',
      ]);
      // Before the engine made its consumer, status says so (exit 1): nothing acked yet.
      return st.status === 0 ? Number(JSON.parse(st.stdout).consumer?.ack_floor_seq ?? 0) : 0;
    };
    try {
      const archive = sampleArchive(dir, 300, 5, 8);
      const lines = readFileSync(archive, 'utf8').trimEnd().split('\n');
      const first = parseScanLine(lines[0] as string);
      if (!first.ok) throw new Error(first.reason);
      killed.advance(first.value);
      whole.advance(first.value);
      const armed = (sim: BingxSim) => ['--venue', 'bingx-vst', '--venue-url', sim.url, '--arm'];
      // The uninterrupted session, and a scan inside one of its trades to kill the other at.
      const reference = await run([
        'live',
        '--scans',
        archive,
        ...armed(whole),
        '--journal',
        join(dir, 'ref.duckdb'),
      ]);
      expect(reference.status, reference.stderr).toBe(0);
      const ref = await trades('ref.duckdb');
      const held = ref
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const header = ref.split('\n')[0]?.split(',') ?? [];
      const bars = header.indexOf('bars_held');
      const long = held.find((t) => Number(t[bars]) >= 5);
      if (long === undefined) throw new Error(`no trade held 5 scans or more:\n${ref}`);
      // The trade id ends with its deciding scan's number: a taker entry fills on that scan.
      const entryScan = Number(String(long[0]).split('-').at(-1));
      const cut = entryScan - first.value.scan_number + 4; // scans published before the kill
      const part = (from: number, to: number, name: string) => {
        const f = join(dir, name);
        writeFileSync(f, `${lines.slice(from, to).join('\n')}\n`);
        return f;
      };
      const pub = async (f: string) => {
        const r = await violet(['publish', '--scans', f, '--nats', server.url]);
        expect(r.status, r.stderr).toBe(0);
      };
      await pub(part(0, cut, 'a.jsonl'));
      const live = [
        'live',
        '--nats',
        server.url,
        ...armed(killed),
        '--journal',
        join(dir, 'j.duckdb'),
      ];
      const child = violetChild(live, ENV);
      for (let i = 0; (await acked()) < cut; i++) {
        if (i > 300 || child.proc.exitCode !== null)
          throw new Error(`not consumed: ${child.stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(hasPosition(killed)).toBe(true);
      child.proc.kill('SIGKILL');
      await child.exited;
      const fillsAtKill = killed.fills().length;
      await pub(part(cut, lines.length, 'b.jsonl'));
      const again = violetChild(live, ENV);
      await again.stderrMatch(/taken over with its journaled exit state \(\d+ bars held/);
      for (let i = 0; (await acked()) < lines.length; i++) {
        if (i > 300 || again.proc.exitCode !== null)
          throw new Error(`not consumed: ${again.stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      again.proc.kill('SIGINT');
      expect(await again.exited, again.stderr).toBe(130);
      // No order placed twice: the two sessions together filled what the uninterrupted one did.
      expect(killed.fills().length).toBe(whole.fills().length);
      expect(killed.fills().length).toBeGreaterThan(fillsAtKill);
      expect(await trades('j.duckdb')).toBe(ref);
    } finally {
      killChildren();
      await killed.close();
      await whole.close();
      await server.stop('SIGKILL');
    }
  }, 240_000);
});
