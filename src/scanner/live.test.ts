// The live scanner against a local simulator of the venue's kline protocol (reached by ccxt
// at another address) and a real nats-server, on a warped clock: bars close every 0.125 s.
// Killed mid-stream and restarted minutes (of venue time) later, it publishes no scan twice
// and skips none, and what it published equals `violet scan` over the same bars.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type Child, killChildren, REPO, violet, violetChild } from '../test-support/cli.js';
import { tempDir } from '../test-support/journal.js';
import { type Bar, KlineSim } from '../test-support/klines-sim.js';
import { NatsServer } from '../test-support/servers.js';

const I = 300_000;
const SPEED = 2400;
const SYMBOLS = ['ADABTC', 'DASHBTC', 'ETCBTC', 'ETHBTC', 'LTCBTC'];

/** The real bars, under BingX-style USDT names when the venue lists only those. */
function loadBars(venue: string): Map<string, Bar[]> {
  const out = new Map<string, Bar[]>();
  for (const s of SYMBOLS) {
    const [, ...lines] = readFileSync(
      join(REPO, 'conformance', 'data', 'klines', `${s}-5m.csv`),
      'utf8',
    )
      .trimEnd()
      .split('\n');
    out.set(
      name(venue, s),
      lines.map((l) => l.split(',').map(Number) as unknown as Bar),
    );
  }
  return out;
}

function name(venue: string, symbol: string): string {
  return venue === 'bingx' ? symbol.replace(/BTC$/, 'USDT') : symbol;
}

async function streamScans(url: string): Promise<string[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('VIOLET_SCANS');
    const out: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage('VIOLET_SCANS', { seq });
      if (m !== null) out.push(new TextDecoder().decode(m.data));
    }
    return out;
  } finally {
    await nc.close();
  }
}

async function waitForScans(url: string, n: number, child: Child): Promise<void> {
  const deadline = Date.now() + 90_000;
  while ((await streamScans(url).catch(() => [])).length < n) {
    if (Date.now() > deadline || child.proc.exitCode !== null) {
      throw new Error(`fewer than ${n} scans on the stream: ${child.stderr.slice(-3000)}`);
    }
    await sleep(100);
  }
}

describe('live scanner', () => {
  afterAll(() => killChildren());

  it.each(['binance', 'bingx'])(
    '%s: resumes after a kill minutes later with no scan twice and none skipped, equal to an archive scan of the same bars',
    async (venue) => {
      const bars = loadBars(venue);
      const symbols = SYMBOLS.map((s) => name(venue, s));
      const eth = name(venue, 'ETHBTC');
      const first = ((bars.get(eth) as Bar[])[0] as Bar)[0];
      const simStart = first + 2600 * I + 7_000;
      const wallStart = Date.now();
      // Venue time moved on by the test (the venue's and the next scanner's clocks alike).
      let skipped = 0;
      const now = () => simStart + skipped + (Date.now() - wallStart) * SPEED;
      const sim = new KlineSim({ bars, intervalMs: I, now });
      // A bar served only long after its scan (late), a bar served twice, a 429 and a 503.
      // Well after the first scan even when the scanner is slow to start (a second of wall
      // time is 20 minutes of venue time).
      const lateAt = first + 2660 * I;
      sim.withheld.set(`${eth}@${lateAt}`, lateAt + 20 * I);
      sim.doubled.add(`${name(venue, 'LTCBTC')}@${first + 2662 * I}`);
      sim.failures.push(429, 503);
      const api = await sim.start();
      const nats = await NatsServer.create();
      try {
        const args = [
          'scan',
          '--live',
          '--exchange',
          venue,
          '--symbols',
          symbols.join(','),
          '--timeframe',
          '5m',
          '--nats',
          nats.url,
          '--api-url',
          api,
          '--log-format',
          'json',
        ];
        const env = () => ({ VIOLET_TIME_WARP: `${simStart + skipped},${wallStart},${SPEED}` });
        const one = violetChild(args, env());
        await waitForScans(nats.url, 90, one);
        one.proc.kill('SIGKILL');
        await one.exited;
        skipped += 180_000; // minutes later: time moved, not waited for
        const two = violetChild(args, env());
        const before = (await streamScans(nats.url)).length;
        await waitForScans(nats.url, before + 30, two);
        two.proc.kill('SIGTERM');
        expect(await two.exited, two.stderr).toBe(143);
        expect(one.stderr).toMatch(/"event":"scan.live.retry"/);
        expect(two.stderr).toMatch(/"event":"scan.live.start".*"resume_after":\d+/);

        const published = await streamScans(nats.url);
        const numbers = published.map((l) => JSON.parse(l).scan_number as number);
        expect(new Set(numbers).size).toBe(numbers.length);
        // The same bars as an archive (the late bar left out: it came after its scan).
        const dir = tempDir('violet-live-');
        const files = symbols.map((s) => {
          const rows = (bars.get(s) as Bar[]).filter((b) => !(s === eth && b[0] === lateAt));
          const f = join(dir, `${s}-5m.csv`);
          writeFileSync(
            f,
            `ts,open,high,low,close,volume\n${rows.map((b) => b.join(',')).join('\n')}\n`,
          );
          return f;
        });
        const archive = join(dir, 'scans.jsonl');
        const r = await violet(['scan', '--bars', ...files, '--out', archive]);
        expect(r.status, r.stderr).toBe(0);
        const lines = readFileSync(archive, 'utf8').trimEnd().split('\n');
        const from = lines.findIndex((l) => JSON.parse(l).scan_number === numbers[0]);
        expect(from).toBeGreaterThan(0);
        expect(published).toEqual(lines.slice(from, from + published.length));
        expect(one.stderr).toMatch(new RegExp(`"event":"scan.live.late_bar".*${eth}`));
      } finally {
        killChildren();
        await nats.stop();
        await sim.stop();
      }
    },
  );
});
