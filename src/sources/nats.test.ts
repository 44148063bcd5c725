import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../engine/clock.js';
import { parseConfig } from '../engine/config.js';
import { runShadow } from '../runtime/shadow.js';
import { killChildren, violet, violetChild } from '../test-support/cli.js';
import {
  exportJsonl,
  FIRST_SCAN,
  sampleArchive,
  scanNumbers,
  tempDir,
} from '../test-support/journal.js';
import { NatsServer } from '../test-support/servers.js';
import { connectNats, DEFAULT_STREAM, DEFAULT_SUBJECT } from './jetstream.js';
import { natsSource } from './nats.js';
import { readPlanes, setPlane } from './planes.js';
import { publishArchive } from './publish.js';

type Row = Record<string, unknown>;

const servers: NatsServer[] = [];
afterAll(async () => {
  killChildren();
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
});

/** A server of the test's own: streams, consumers and the plane bucket start empty. */
async function nats(): Promise<NatsServer> {
  const s = await NatsServer.create();
  servers.push(s);
  return s;
}

async function ok(args: readonly string[]): Promise<string> {
  const r = await violet(args);
  if (r.status !== 0) throw new Error(`violet ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

let exports = 0;
async function decisions(journal: string): Promise<Row[]> {
  return await exportJsonl(journal, 'violet_decisions', join(tempDir(), `d${++exports}.jsonl`));
}

/** The DuckDB replay of the same archive: what a live run must equal. */
async function replay(dir: string, scans: string): Promise<Row[]> {
  const journal = join(dir, 'replay.duckdb');
  await ok(['shadow', '--scans', scans, '--journal', journal]);
  return await decisions(journal);
}

interface Status {
  stream_state: Row | null;
  consumer: { ack_floor_seq: number } & Row;
  engine: { status?: { cadence?: { decide?: Row } } } | null;
}

async function feedStatus(url: string): Promise<Status> {
  return JSON.parse(await ok(['status', '--nats', url, '--json', '-']));
}

/** Waits for the engine to acknowledge `seq`: a condition, with a deadline a loaded machine meets. */
async function acknowledged(url: string, seq: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (((await feedStatus(url)).consumer?.ack_floor_seq ?? 0) < seq) {
    if (Date.now() > deadline) throw new Error(`stream sequence ${seq} never acknowledged`);
    await sleep(200);
  }
}

const live = (url: string, journal: string, ...more: string[]) => [
  'shadow',
  '--nats',
  url,
  '--journal',
  journal,
  ...more,
];

/** The lines as two archives of equal size, the first half and the second. */
function inHalves(dir: string, lines: readonly string[]): [string, string] {
  const n = lines.length / 2;
  const write = (h: number) => {
    const f = join(dir, `half-${h}.jsonl`);
    writeFileSync(f, `${lines.slice(h * n, h * n + n).join('\n')}\n`);
    return f;
  };
  return [write(0), write(1)];
}

describe('live feed over NATS JetStream', () => {
  it('decides a published archive exactly as the DuckDB replay does (planes empty)', async () => {
    const server = await nats();
    const dir = tempDir();
    const scans = sampleArchive(dir, 1500, 5);
    expect(await ok(['publish', '--scans', scans, '--nats', server.url])).toMatch(
      /^published 1500 lines to VIOLET_SCANS \(violet\.scans\) in [\d.]+ s: 1500 stored, 0 duplicates, stream sequences 1\.\.1500\n$/,
    );
    // The same archive again stores nothing twice.
    expect(await ok(['publish', '--scans', scans, '--nats', server.url])).toMatch(
      /0 stored, 1500 duplicates/,
    );
    const journal = join(dir, 'live.duckdb');
    const run = await violet(live(server.url, journal, '--idle-exit', '1'));
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/from stream sequence 1\n/);
    expect(run.stdout).toMatch(/1500 scans, 1500 decisions .* 0 rejected, 0 redeliveries skipped/);
    expect(await decisions(journal)).toEqual(await replay(dir, scans));
    expect(await feedStatus(server.url)).toMatchObject({
      stream_state: { messages: 1500, last_seq: 1500 },
      consumer: { num_pending: 0, num_ack_pending: 0, ack_floor_seq: 1500 },
    });
  });

  it('skips and repeats nothing when the NATS server restarts mid-stream', async () => {
    const server = await nats();
    const dir = tempDir();
    const scans = sampleArchive(dir, 1500, 6);
    const journal = join(dir, 'live.duckdb');
    // Runs until SIGTERM: an idle exit after 3 s raced the publisher's start on a loaded machine.
    const engine = violetChild(live(server.url, journal));
    await engine.stderrMatch(/consuming/);
    const feed = violetChild(['publish', '--scans', scans, '--nats', server.url, '--rate', '500']);
    // Mid-stream: the publisher is connected and the engine has decided some of it (a fixed
    // sleep let a loaded machine restart the server before the publisher had connected).
    await acknowledged(server.url, 100);
    await server.stop('SIGTERM');
    await sleep(500);
    await server.start();
    expect(await feed.exited, feed.stderr).toBe(0);
    // Publishes cut by the restart were retried; the stream holds each line once.
    expect(feed.stdout).toMatch(/1500 lines .* 1500 stored, 0 duplicates/);
    await acknowledged(server.url, 1500);
    engine.proc.kill('SIGTERM');
    expect(await engine.exited, engine.stderr).toBe(143);
    expect(engine.stderr).toMatch(/nats disconnect.*\n(.*\n)*nats reconnect/);
    const rows = await decisions(journal);
    expect(rows.map((r) => r.scan_number)).toEqual(scanNumbers(1500));
    expect(rows).toEqual(await replay(dir, scans));
  });

  it('resumes after the last acknowledged scan when the engine is SIGKILLed', async () => {
    const server = await nats();
    const dir = tempDir();
    const scans = sampleArchive(dir, 1500, 7);
    const journal = join(dir, 'live.duckdb');
    const feed = violetChild(['publish', '--scans', scans, '--nats', server.url, '--rate', '150']);
    const first = violetChild(live(server.url, journal));
    await first.stderrMatch(/consuming/);
    await acknowledged(server.url, 100);
    first.proc.kill('SIGKILL');
    await first.exited;
    const acked = (await feedStatus(server.url)).consumer.ack_floor_seq;
    expect(acked).toBeGreaterThan(0);
    expect(acked).toBeLessThan(1500);
    const second = violetChild(live(server.url, journal));
    const [, from] = await second.stderrMatch(/from stream sequence (\d+)/);
    expect(Number(from)).toBe(acked + 1);
    expect(await feed.exited, feed.stderr).toBe(0);
    await acknowledged(server.url, 1500);
    second.proc.kill('SIGTERM');
    expect(await second.exited, second.stderr).toBe(143);
    const rows = await decisions(journal);
    expect(rows.map((r) => r.scan_number)).toEqual(scanNumbers(1500));
    // The price history carried over the restart: every row is the unbroken run's.
    expect(rows).toEqual(await replay(dir, scans));
  });

  it('rejects poison messages with their reason, acknowledges and counts them, and goes on', async () => {
    const server = await nats();
    const dir = tempDir();
    const good = readFileSync(sampleArchive(dir, 40, 3), 'utf8')
      .trim()
      .split('\n');
    const scan = JSON.parse(good[20] as string);
    const poison = [
      '{"scan_number": 20, "ts": ',
      'not json at all',
      JSON.stringify({ ...scan, vel_div: 'fast' }),
      JSON.stringify({ ...scan, scan_number: '20' }),
      JSON.stringify({ ...scan, prices: { BTCUSDT: -5 } }),
    ];
    const archive = join(dir, 'poison.jsonl');
    writeFileSync(archive, `${[...good.slice(0, 20), ...poison, ...good.slice(20)].join('\n')}\n`);
    await ok(['publish', '--scans', archive, '--nats', server.url]);
    const journal = join(dir, 'live.duckdb');
    const run = await violet(live(server.url, journal, '--idle-exit', '1'));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/40 scans, 40 decisions .* 5 rejected/);
    const rejects = await exportJsonl(journal, 'violet_rejects', join(dir, 'r.jsonl'));
    expect(rejects.map((r) => [r.source, r.source_seq, r.reason])).toEqual([
      ['VIOLET_SCANS', 21, 'json: not valid JSON'],
      ['VIOLET_SCANS', 22, 'json: not valid JSON'],
      ['VIOLET_SCANS', 23, 'vel_div: expected a number'],
      ['VIOLET_SCANS', 24, 'scan_number: expected a number'],
      ['VIOLET_SCANS', 25, 'prices.BTCUSDT: price must be > 0'],
    ]);
    expect((await decisions(journal)).map((r) => r.scan_number)).toEqual(scanNumbers(40));
    expect((await feedStatus(server.url)).consumer).toMatchObject({
      num_pending: 0,
      num_ack_pending: 0,
      ack_floor_seq: 45,
    });
  });

  it('fills the EsoF and posture a scan lacks from the watched plane bucket', async () => {
    const server = await nats();
    const dir = tempDir();
    const lines = readFileSync(sampleArchive(dir, 400, 8), 'utf8')
      .trim()
      .split('\n');
    const t0 = JSON.parse(lines[0] as string).ts as number;
    // Even scans carry neither EsoF nor posture; odd ones keep their own. Two halves, two files.
    const lacking = lines.map((l, i) => {
      if (i % 2 === 1) return l;
      const { esof: _e, posture: _p, ...rest } = JSON.parse(l);
      return JSON.stringify(rest);
    });
    const halves = inHalves(dir, lacking);
    const whole = join(dir, 'lacking.jsonl');
    writeFileSync(whole, `${lacking.join('\n')}\n`);
    const plane = (key: string, json: string) =>
      violet(['planes', 'set', key, json, '--nats', server.url]);
    expect(await plane('esof', '{"score":2,"ts":1}')).toMatchObject({
      status: 2,
      stderr: 'violet: esof.score: outside [-1, 1]\n',
    });
    const esofTs = t0 + 100 * 5000;
    expect((await plane('esof', JSON.stringify({ score: 0.5, ts: esofTs }))).status).toBe(0);
    expect((await plane('posture', '"STALKER"')).stdout).toMatch(
      /^posture = "STALKER" \(revision \d+\)/,
    );
    expect(await ok(['status', '--nats', server.url])).toMatch(/posture +"STALKER" +\d+\.\d s ago/);

    const journal = join(dir, 'live.duckdb');
    const engine = violetChild(live(server.url, journal));
    await engine.stderrMatch(/consuming/);
    await ok(['publish', '--scans', halves[0], '--nats', server.url]);
    await acknowledged(server.url, 200);
    // Changed while the engine runs: the second half decides under it.
    expect((await plane('posture', '"HIBERNATE"')).status).toBe(0);
    await sleep(200);
    await ok(['publish', '--scans', halves[1], '--nats', server.url]);
    await acknowledged(server.url, 400);
    // SIGTERM: the engine finishes what it holds, flushes, closes and reports.
    engine.proc.kill('SIGTERM');
    expect(await engine.exited, engine.stderr).toBe(143);
    expect(engine.stdout).toMatch(/400 scans, 400 decisions/);

    const rows = await decisions(journal);
    const bare = await replay(dir, whole);
    expect(rows).toHaveLength(400);
    for (const [i, r] of rows.entries()) {
      if (i % 2 === 1) {
        expect(r).toEqual(bare[i]);
        continue;
      }
      // 900 s of 5-second scans after the plane's ts, the EsoF lane calls it stale.
      const stale = (r.ts as number) - esofTs > 900_000;
      expect([r.posture, r.esof_score, r.esof_stale, r.esof_mult]).toEqual([
        i < 200 ? 'STALKER' : 'HIBERNATE',
        0.5,
        stale,
        stale ? 0.4 : 1.0,
      ]);
      expect([bare[i]?.posture, bare[i]?.esof_score, bare[i]?.esof_mult]).toEqual([
        'APEX',
        null,
        0.4,
      ]);
      if (i >= 200) expect(r.actuated).toBe(false);
    }
    expect(rows.filter((r) => r.reason === 'HIBERNATE').length).toBeGreaterThan(0);
    expect(rows.filter((r, i) => i % 2 === 0 && r.esof_stale === false)).toHaveLength(141);
  });
});

describe('plane staleness', () => {
  it('takes a bucket plane older than its limit as absent, and a fresh one again (virtual time)', async () => {
    const server = await nats();
    const dir = tempDir();
    const lines = readFileSync(sampleArchive(dir, 100, 9), 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const { posture: _p, ...rest } = JSON.parse(l);
        return JSON.stringify(rest);
      });
    const halves = inHalves(dir, lines);
    const parsed = parseConfig({ planes: { max_age_ms: { posture: 6000 } } });
    if (!parsed.ok) throw new Error(parsed.reason);
    const config = parsed.value;
    const nc = await connectNats(server.url, 'plane staleness test');
    try {
      const js = jetstream(nc);
      const setPosture = async () => {
        expect((await setPlane(js, 'posture', '"HIBERNATE"')).ok).toBe(true);
        return (await readPlanes(js)).posture?.written_ms as number;
      };
      const publish = (file: string) =>
        publishArchive(nc, { file, stream: DEFAULT_STREAM, subject: DEFAULT_SUBJECT, rate: 0 });
      // The engine's wall clock is virtual: a plane ages only as far as the test moves it.
      const written = await setPosture();
      const clock = new VirtualClock(written);
      const stop = new AbortController();
      const events: string[] = [];
      const source = await natsSource({
        url: server.url,
        stream: DEFAULT_STREAM,
        subject: DEFAULT_SUBJECT,
        durable: config.instance_id,
        instance: config.instance_id,
        idleExitMs: null,
        signal: stop.signal,
        onEvent: (line) => events.push(line),
        planeMaxAgeMs: config.planes.max_age_ms,
        clock,
      });
      let accepted = 0;
      const waiters: [number, () => void][] = [];
      const scans = (n: number) =>
        new Promise<void>((resolve) => {
          if (accepted >= n) resolve();
          else waiters.push([n, resolve]);
        });
      const journal = join(dir, 'live.duckdb');
      const run = runShadow({
        config,
        source,
        journal,
        stop: stop.signal,
        clock: 'wall',
        wallClock: clock,
        hooks: {
          onProgress: (st) => {
            accepted = st.accepted;
            for (const [n, resolve] of waiters) if (accepted >= n) resolve();
          },
        },
      });
      try {
        // Just past the limit: the first half decides without the plane.
        clock.tick(6001);
        await publish(halves[0]);
        await scans(50);
        // Written again (at least a millisecond later by the server's clock): fresh, once the
        // watch has it, for the second half.
        const again = await setPosture();
        expect(again).toBeGreaterThan(written);
        while ((source.planeAges?.().posture ?? 0) > 6000) await sleep(5);
        await publish(halves[1]);
        await scans(100);
      } finally {
        stop.abort();
        await run.finally(() => source.close());
      }
      expect(events).toContain(
        'plane posture: written 6 s ago, over its 6 s limit; taken as absent',
      );
      expect(events).toContain('plane posture: fresh again');
      const postures = (await decisions(journal)).map((r) => r.posture);
      expect(postures.slice(0, 50)).toEqual(Array(50).fill('APEX'));
      expect(postures.slice(50)).toEqual(Array(50).fill('HIBERNATE'));
    } finally {
      await nc.close();
    }
  });
});

describe('cadence plane', () => {
  it('applies the instance cadence stored in the bucket, and a change while running, audited', async () => {
    const server = await nats();
    const dir = tempDir();
    const lines = readFileSync(sampleArchive(dir, 200, 10), 'utf8')
      .trim()
      .split('\n');
    const halves = inHalves(dir, lines);
    const set = (json: string, ...more: string[]) =>
      violet(['planes', 'set', 'cadence', json, '--nats', server.url, ...more]);
    expect(await set('{"decide":{"every_scans":2}}')).toMatchObject({
      status: 2,
      stderr: 'violet: cadence: give --instance ID\n',
    });
    expect(await set('{"decide":{"every_scans":0}}', '--instance', 'violet-1')).toMatchObject({
      status: 2,
      stderr: 'violet: cadence.decide.every_scans: must be >= 1\n',
    });
    expect((await set('{"decide":{"every_scans":2}}', '--instance', 'violet-1')).stdout).toMatch(
      /^cadence of violet-1 = \{"decide":\{"every_scans":2\}\} \(revision \d+\)/,
    );
    const journal = join(dir, 'live.duckdb');
    const engine = violetChild(live(server.url, journal));
    await engine.stderrMatch(/consuming/);
    await ok(['publish', '--scans', halves[0], '--nats', server.url]);
    await acknowledged(server.url, 100);
    expect((await set('{"decide":{"every_scans":1}}', '--instance', 'violet-1')).status).toBe(0);
    // In force once the engine's own status (stored with its lease) says so.
    const decideEvery = async () =>
      (await feedStatus(server.url)).engine?.status?.cadence?.decide?.every_scans as
        | number
        | undefined;
    const deadline = Date.now() + 60_000;
    while ((await decideEvery()) !== 1) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(200);
    }
    await ok(['publish', '--scans', halves[1], '--nats', server.url]);
    await acknowledged(server.url, 200);
    engine.proc.kill('SIGTERM');
    expect(await engine.exited, engine.stderr).toBe(143);
    const decided = (await decisions(journal)).map((r) => r.scan_number as number);
    expect(decided.filter((n) => n < FIRST_SCAN + 100)).toHaveLength(50);
    expect(decided.filter((n) => n >= FIRST_SCAN + 100)).toEqual(scanNumbers(200).slice(100));
    const audit = await exportJsonl(journal, 'violet_control_audit', join(dir, 'audit.jsonl'));
    expect(audit.map((a) => [a.audit_seq, a.action, a.old_value, a.new_value])).toEqual([
      [1, 'decide', 'every 1 scans', 'every 2 scans'],
      [2, 'decide', 'every 2 scans', 'every 1 scans'],
    ]);
    expect(audit.every((a) => /^kv:\d+$/.test(a.who as string))).toBe(true);
  });
});

describe('live feed command line', () => {
  it('refuses mixed or misplaced options with one line, and an unreachable server with exit 1', async () => {
    const closed = await NatsServer.create();
    await closed.stop();
    const url = closed.url;
    // A real archive: the option conflicts are what is refused, not a missing file.
    const archive = sampleArchive(tempDir(), 10, 1);
    const refusals: [string[], number, string][] = [
      [['shadow'], 2, 'give either --scans FILE or --nats URL'],
      [['shadow', '--scans', archive, '--nats', url], 2, 'give either --scans FILE or --nats URL'],
      [
        ['shadow', '--nats', url, '--rate', '5'],
        2,
        '--rate paces an archive replay, not the live feed',
      ],
      [['shadow', '--scans', archive, '--durable', 'd'], 2, '--durable applies to --nats only'],
      [
        ['planes', 'set', 'moon', '1', '--nats', url],
        2,
        'unknown plane moon: expected esof, acb, mc_status, posture',
      ],
      [['status', '--nats', url], 1, `cannot reach NATS at ${url}`],
    ];
    for (const [args, status, message] of refusals) {
      const r = await violet(args);
      expect([r.status, r.stderr.startsWith(`violet: ${message}`)], args.join(' ')).toEqual([
        status,
        true,
      ]);
    }
  });
});
