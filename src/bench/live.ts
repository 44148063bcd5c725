// The live feed end to end (issue 6): sustained NATS JetStream → engine → ClickHouse
// scans/s against a JSONL → DuckDB replay of the same scans, and at 10 scans/s the latency
// from publish to journaled (spooled and acknowledged) and to visible in ClickHouse,
// against a bare JetStream consumer's publish → receive in the same run. Real servers
// (nats-server -js, clickhouse-server), started here on free loopback ports.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { genScans } from '../cli/gen.js';
import { type EngineConfig, parseConfig } from '../engine/config.js';
import type { ScanSource } from '../engine/ports.js';
import { statsFileFor } from '../journal/open.js';
import { runShadow, type ShadowResult } from '../runtime/shadow.js';
import { jsonlSource } from '../sources/archive.js';
import { connectNats, ensureStream } from '../sources/jetstream.js';
import { natsSource } from '../sources/nats.js';
import { publishArchive } from '../sources/publish.js';
import { scanLine, syntheticScans } from '../sources/synthetic/index.js';
import { ClickHouseServer, findExecutable, NatsServer } from '../test-support/servers.js';
import type { Figure } from './harness.js';

export interface LiveOptions {
  /** Scans of the throughput run (published first, then consumed as fast as it goes). */
  readonly scans: number;
  /** Scans of the latency run, published at RATE scans/s. */
  readonly latencyScans: number;
  readonly seed: number;
}

const RATE = 10;
/** Latency-run scans published (and awaited) before the measured ones: startup, JIT. */
const WARMUP = 10;
const DURABLE = 'violet-bench';
const say = (line: string) => process.stderr.write(`live: ${line}\n`);

function config(raw: object): EngineConfig {
  const c = parseConfig(raw);
  if (!c.ok) throw new Error(c.reason);
  return c.value;
}

/** The engine's live source on a bench stream, until `signal` aborts. */
function benchFeed(nats: NatsServer, stream: string, subject: string, signal: AbortSignal) {
  return natsSource({
    url: nats.url,
    stream,
    subject,
    durable: DURABLE,
    idleExitMs: null,
    signal,
    onEvent: say,
  });
}

/** Nearest rank: the smallest sample with at least q of the samples at or below it. */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

/** Decision rows in a ClickHouse journal, duplicates collapsed. */
async function decisionsIn(ch: ClickHouseServer, database: string): Promise<number> {
  return Number((await ch.sql(`SELECT count() FROM ${database}.violet_decisions FINAL`)).trim());
}

/** A ClickHouse journal's local files (spool, stats), under var/spool/ of the working dir. */
function removeLocalFiles(journal: string): void {
  const stats = statsFileFor(journal);
  rmSync(stats, { force: true });
  rmSync(stats.replace(/\.stats\.jsonl$/, ''), { recursive: true, force: true });
}

/** Fails loudly unless the run journaled exactly `n` decisions, all of them in ClickHouse. */
async function checkJournaled(
  r: ShadowResult,
  ch: ClickHouseServer,
  database: string,
  n: number,
): Promise<void> {
  if (r.journalError !== null) throw new Error(`live: journal failed: ${r.journalError}`);
  if (r.stats.decisions !== n) throw new Error(`live: decided ${r.stats.decisions} of ${n}`);
  const rows = await decisionsIn(ch, database);
  if (rows !== n) throw new Error(`live: ClickHouse holds ${rows} decision rows, not ${n}`);
}

/** The archive the replay bench uses (generated once under var/bench/). */
async function archiveOf(scans: number, seed: number): Promise<string> {
  const archive = `var/bench/replay-${scans}x40-${seed}.jsonl`;
  if (!existsSync(archive)) {
    await genScans({ out: archive, scans, assets: 40, seed, stepMs: 5000 });
  }
  return archive;
}

/** The baseline: the same scans replayed from the archive into a DuckDB journal (scans/s). */
async function duckdbReplay(archive: string, scans: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'violet-bench-'));
  try {
    const t0 = process.hrtime.bigint();
    const r = await runShadow({
      config: config({}),
      source: jsonlSource(archive),
      journal: join(dir, 'j.duckdb'),
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.stats.decisions !== scans) {
      throw new Error(`live: DuckDB replay journaled ${r.stats.decisions} of ${scans}`);
    }
    return scans / seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every scan of the archive published to a fresh stream (not timed), then one engine run
 * consuming it into ClickHouse, timed from connecting until all are decided and the
 * journal's last flush is in; scans/s.
 */
async function throughput(
  nats: NatsServer,
  ch: ClickHouseServer,
  archive: string,
  n: number,
): Promise<number> {
  const stream = 'VIOLET_BENCH_THROUGHPUT';
  const subject = 'violet.bench.throughput';
  say(`publishing ${n} scans`);
  const pub = await connectNats(nats.url, 'violet bench publisher');
  try {
    const s = await publishArchive(pub, { file: archive, stream, subject, rate: 0 });
    if (s.stored !== n) throw new Error(`live: the stream stored ${s.stored} of ${n} scans`);
  } finally {
    await pub.close();
  }
  const database = 'violet_bench_throughput';
  const journal = ch.url(database);
  removeLocalFiles(journal);
  say(`consuming ${n} scans into ClickHouse`);
  const stop = new AbortController();
  // A stalled run ends here and fails the count below, rather than hanging the bench.
  const watchdog = setTimeout(() => stop.abort(), 120_000 + n * 10);
  try {
    const t0 = process.hrtime.bigint();
    const source = await benchFeed(nats, stream, subject, stop.signal);
    let r: ShadowResult;
    let seconds: number;
    try {
      r = await runShadow({
        config: config({}),
        source,
        journal,
        clock: 'wall',
        hooks: {
          onProgress: (s) => {
            if (s.accepted >= n) stop.abort();
          },
          onFlushFailure: (m) => say(`journal flush failed: ${m}`),
        },
      });
      seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    } finally {
      await source.close();
    }
    await checkJournaled(r, ch, database, n);
    return n / seconds;
  } finally {
    clearTimeout(watchdog);
    removeLocalFiles(journal);
  }
}

export interface Latencies {
  /** Publish → acknowledged after the spool sync, ms, one per measured scan. */
  readonly journaled: number[];
  /** Publish → the background flush covering the scan finished (rows in ClickHouse), ms. */
  readonly visible: number[];
  /** Publish → a bare JetStream consumer received it, ms, one per probe. */
  readonly bare: number[];
}

interface Sent {
  readonly at: number;
  seq: number;
}

/** Polls until `done` holds, or throws after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`live: timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * The engine consumes live while scans are published at RATE scans/s, the journal flushed
 * after every scan; halfway between two scans a probe goes to a stream of its own, read by
 * a bare consumer (no engine): the same server, process and load.
 */
async function latency(nats: NatsServer, ch: ClickHouseServer, m: number, seed: number) {
  const stream = 'VIOLET_BENCH_LATENCY';
  const subject = 'violet.bench.latency';
  const probeStream = 'VIOLET_BENCH_PROBE';
  const probeSubject = 'violet.bench.probe';
  const database = 'violet_bench_latency';
  const journal = ch.url(database);
  removeLocalFiles(journal);
  const lines: { scan: number; text: string }[] = [];
  for (const s of syntheticScans({ scans: WARMUP + m, assets: 40, seed, stepMs: 5000 })) {
    lines.push({ scan: s.scan_number as number, text: scanLine(s) });
  }
  // Per published scan (index in `lines`): when its publish began, its stream sequence.
  const sent: Sent[] = [];
  const ackedAt = new Map<number, number>(); // stream sequence → acknowledged
  const visibleAt: number[] = []; // index in `lines` → its flush finished
  const probes: Sent[] = [];
  const probeAt = new Map<number, number>(); // probe stream sequence → received

  const pub = await connectNats(nats.url, 'violet bench publisher');
  const probeNc = await connectNats(nats.url, 'violet bench probe');
  const stop = new AbortController();
  let run: Promise<ShadowResult | null> | null = null;
  let failure: unknown = null;
  try {
    const jsm = await jetstreamManager(pub);
    await ensureStream(jsm, stream, subject);
    await ensureStream(jsm, probeStream, probeSubject);
    const bare = await bareConsumer(probeNc, probeStream, (seq) =>
      probeAt.set(seq, performance.now()),
    );
    const feed = await benchFeed(nats, stream, subject, stop.signal);
    // The feed as is, its acknowledgements timestamped.
    const source: ScanSource = {
      name: feed.name,
      bytes: null,
      batches: () => feed.batches(),
      planes: feed.planes?.bind(feed),
      warmup: feed.warmup?.bind(feed),
      commit: async (batch) => {
        await feed.commit?.(batch);
        const t = performance.now();
        for (const r of batch) ackedAt.set(r.seq, t);
      },
    };
    run = runShadow({
      config: config({ cadence: { 'journal-flush': { every_scans: 1 } } }),
      source,
      journal,
      clock: 'wall',
      hooks: {
        onFlushed: (upTo) => {
          if (upTo === null) return;
          const t = performance.now();
          for (let i = visibleAt.length; i < sent.length && (lines[i]?.scan ?? 0) <= upTo; i++) {
            visibleAt.push(t);
          }
        },
        onFlushFailure: (msg) => say(`journal flush failed: ${msg}`),
      },
    })
      .catch((e: unknown) => {
        failure = e;
        return null;
      })
      .finally(() => feed.close());
    const js = jetstream(pub);
    const publish = async (from: number, to: number) => {
      const start = performance.now();
      for (let i = from; i < to; i++) {
        if (failure !== null) throw failure;
        const due = start + ((i - from) * 1000) / RATE;
        if (due > performance.now()) await sleep(due - performance.now());
        const s: Sent = { at: performance.now(), seq: 0 };
        sent.push(s);
        s.seq = (await js.publish(subject, (lines[i] as { text: string }).text)).seq;
        const probeDue = due + 500 / RATE;
        if (probeDue > performance.now()) await sleep(probeDue - performance.now());
        const p: Sent = { at: performance.now(), seq: 0 };
        probes.push(p);
        p.seq = (await js.publish(probeSubject, String(i))).seq;
      }
    };
    say(`warm-up: ${WARMUP} scans`);
    await publish(0, WARMUP);
    await until(() => visibleAt.length >= WARMUP || failure !== null, 60_000, 'the warm-up');
    say(`publishing ${m} scans at ${RATE} scans/s`);
    await publish(WARMUP, WARMUP + m);
    const all = WARMUP + m;
    // Generous: a stalled pull or a slow flush shows in the figures rather than ending the run.
    await until(
      () =>
        failure !== null ||
        (visibleAt.length >= all &&
          sent.every((s) => ackedAt.has(s.seq)) &&
          probes.every((p) => probeAt.has(p.seq))),
      60_000,
      'the last scans and probes',
    ).catch((e: unknown) => {
      const journaled = sent.filter((s) => ackedAt.has(s.seq)).length;
      const received = probes.filter((p) => probeAt.has(p.seq)).length;
      throw new Error(
        `${(e as Error).message} (journaled ${journaled}, visible ${visibleAt.length} of ${all}; probes received ${received} of ${probes.length})`,
      );
    });
    await bare.close();
  } finally {
    stop.abort();
    const r = await run;
    await probeNc.close();
    await pub.close();
    if (failure === null && r !== null && r !== undefined) {
      await checkJournaled(r, ch, database, WARMUP + m).catch((e: unknown) => {
        failure = e;
      });
    }
    removeLocalFiles(journal);
  }
  if (failure !== null) throw failure;
  const measured = (xs: readonly number[]) => xs.slice(WARMUP);
  return {
    journaled: measured(sent.map((s) => (ackedAt.get(s.seq) as number) - s.at)),
    visible: measured(sent.map((s, i) => (visibleAt[i] as number) - s.at)),
    bare: measured(probes.map((p) => (probeAt.get(p.seq) as number) - p.at)),
  } satisfies Latencies;
}

/** A durable pull consumer doing nothing but acknowledge, like the engine's minus the engine. */
async function bareConsumer(
  nc: NatsConnection,
  stream: string,
  received: (seq: number) => void,
): Promise<{ close(): Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(stream, {
    durable_name: 'bare',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await jetstream(nc).consumers.get(stream, 'bare');
  const messages = await consumer.consume({
    max_messages: 512,
    expires: 5000,
    callback: (m) => {
      received(m.info.streamSequence);
      m.ack();
    },
  });
  return {
    close: async () => {
      await messages.close();
    },
  };
}

function latencyFigures(
  what: string,
  samples: readonly number[],
  bare: readonly number[],
  p99Target: number | null,
): Figure[] {
  const ours = [...samples].sort((a, b) => a - b);
  const base = [...bare].sort((a, b) => a - b);
  return (
    [
      ['p50', 0.5, null],
      ['p99', 0.99, p99Target],
      // The slowest scan: a pull that stalls for seconds shows here, not at p99.
      ['max', 1, null],
    ] as const
  ).map(([name, q, target]) => {
    const value = percentile(ours, q);
    const baselineValue = percentile(base, q);
    return {
      bench: 'live',
      metric: `${what} ${name} at ${RATE} scans/s (${samples.length} scans)`,
      value,
      unit: 'ms',
      baseline: `bare JetStream consumer, publish → receive ${name}`,
      baselineValue,
      ratio: value / baselineValue,
      target: target === null ? null : `value <= ${target}`,
      pass: target === null ? null : value <= target,
    };
  });
}

/** The live figures; none (with the reason printed) when a server is not installed. */
export async function benchLive(o: LiveOptions): Promise<Figure[]> {
  const natsBin = findExecutable('nats-server');
  const clickhouseBin = findExecutable('clickhouse-server');
  const missing = [
    ...(natsBin === null ? ['nats-server'] : []),
    ...(clickhouseBin === null ? ['clickhouse-server'] : []),
  ];
  if (natsBin === null || clickhouseBin === null) {
    process.stdout.write(`live: skipped, ${missing.join(' and ')} not installed\n`);
    return [];
  }
  const archive = await archiveOf(o.scans, o.seed);
  let nats: NatsServer | null = null;
  let ch: ClickHouseServer | null = null;
  try {
    nats = await NatsServer.create(natsBin);
    ch = await ClickHouseServer.start(clickhouseBin);
    const live = await throughput(nats, ch, archive, o.scans);
    say('baseline: the same scans from JSONL into DuckDB');
    const replay = await duckdbReplay(archive, o.scans);
    const lat = await latency(nats, ch, o.latencyScans, o.seed);
    return [
      {
        bench: 'live',
        metric: `NATS → engine → ClickHouse scans/s, 40 assets (${o.scans} scans)`,
        value: live,
        unit: 'scans/s',
        baseline: 'shadow replay of the same scans, JSONL → DuckDB',
        baselineValue: replay,
        ratio: live / replay,
        target: 'value >= 5000',
        pass: live >= 5000,
      },
      ...latencyFigures('publish → journaled (spooled, acked)', lat.journaled, lat.bare, 50),
      ...latencyFigures(
        'publish → visible in ClickHouse (journal-flush every scan)',
        lat.visible,
        lat.bare,
        null,
      ),
    ];
  } finally {
    await ch?.remove();
    await nats?.remove();
  }
}
