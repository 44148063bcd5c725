// `violet scan`: scans from price bars (SPEC §7) — the eigenvalue-breakdown signal over an
// archive of bars, written as a scan archive that shadow, backtest and publish read.
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type Command, InvalidArgumentError } from 'commander';
import { fixed } from '../common/format.js';
import { LOG_FORMATS, Log, parseLogFormat, setProcessLogFormat } from '../common/log.js';
import { pyFloatRepr } from '../common/pyjson/index.js';
import { scanLine } from '../model/line.js';
import { liveClock } from '../scanner/clock.js';
import {
  checkGrid,
  commonInterval,
  DEFAULT_BTC,
  DEFAULT_WINDOWS,
  type Exclusions,
  gridCloses,
  gridSpan,
  readBars,
  Scanner,
} from '../scanner/index.js';
import { runLive } from '../scanner/live.js';
import {
  connectNats,
  DEFAULT_STREAM,
  DEFAULT_SUBJECT,
  ensureStream,
  notFound,
} from '../sources/jetstream.js';
import { jsonlToParquet } from '../sources/parquet.js';
import { publishOne } from '../sources/publish.js';
import { KLINE_VENUES, type KlineVenue, klineFeed } from '../venues/klines.js';
import { CheckFailed, UsageError } from './errors.js';
import { choice, JSON_HELP, nonNegativeInt } from './options.js';
import { jsonOnStdout, writeJson } from './output.js';
import { progressBar } from './progress.js';
import { Interrupts, interruptedExit } from './signals.js';
import { table } from './table.js';

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "5m", "1h", "300000" (ms) → milliseconds. */
export function interval(v: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(v.trim());
  const n =
    m === null
      ? Number.NaN
      : Number(m[1]) * (m[2] === undefined || m[2] === 'ms' ? 1 : (UNITS[m[2]] as number));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a duration such as 5m, 1h, 30s or milliseconds');
  }
  return n;
}

/** "50,150,300,750": distinct window sizes of at least 2 returns, in the order given. */
export function windowList(v: string): number[] {
  const ws = v.split(',').map((x) => Number(x.trim()));
  if (ws.length < 2 || ws.some((w) => !Number.isSafeInteger(w) || w < 2 || w > 100_000)) {
    throw new InvalidArgumentError(
      'expected at least two window sizes (integers 2..100000), comma-separated',
    );
  }
  if (new Set(ws).size !== ws.length) throw new InvalidArgumentError('a window is given twice');
  return ws;
}

export interface ScanOptions {
  bars: string[];
  out: string;
  windows: number[];
  interval?: number;
  btc: string;
  eigOut?: string;
  json?: string;
}

export interface ScanSummary {
  readonly files: number;
  readonly assets: readonly string[];
  readonly interval_ms: number;
  readonly grid_times: number;
  readonly empty_slots: number;
  readonly scans: number;
  readonly first_scan: number | null;
  readonly last_scan: number | null;
  readonly duplicate_bars_dropped: number;
  readonly windows: readonly Exclusions[];
  readonly solver: { power: number; full: number; fallbacks: number };
}

/** Writes text to a file through a stream, waiting for each chunk's room. */
function writer(path: string) {
  mkdirSync(dirname(path), { recursive: true });
  const s = createWriteStream(path);
  return {
    async write(text: string) {
      if (!s.write(text)) await new Promise<void>((r) => s.once('drain', () => r()));
    },
    async close() {
      s.end();
      await finished(s);
    },
  };
}

export async function scanCommand(o: ScanOptions): Promise<ScanSummary> {
  const parquet = o.out.endsWith('.parquet');
  if (!o.out.endsWith('.jsonl') && !parquet)
    throw new UsageError('--out must end in .jsonl or .parquet');
  if (o.eigOut !== undefined && !o.eigOut.endsWith('.csv'))
    throw new UsageError('--eig-out must end in .csv');
  const set = await readBars(o.bars);
  const intervalMs = o.interval ?? commonInterval(set);
  checkGrid(set, intervalMs);
  const symbols = set.assets.map((a) => a.symbol);
  const scanner = new Scanner({ symbols, intervalMs, windows: o.windows, btc: o.btc });
  const { first, last } = gridSpan(set);
  const total = (last - first) / intervalMs + 1;
  const jsonl = parquet ? `${o.out}.tmp.jsonl` : o.out;
  const out = writer(jsonl);
  const eig = o.eigOut === undefined ? null : writer(o.eigOut);
  await eig?.write('ts,window,n_assets,lambda_max,velocity\n');
  const bar = progressBar(total, 'grid times');
  let scans = 0;
  let empty = 0;
  let firstScan: number | null = null;
  let lastScan: number | null = null;
  let done = 0;
  try {
    let lines: string[] = [];
    let rows: string[] = [];
    for (const { gridTime, closes } of gridCloses(set, intervalMs)) {
      if (closes.every((c) => Number.isNaN(c))) empty++;
      const step = scanner.step(gridTime, closes);
      if (eig !== null) {
        for (const r of step.eig) {
          rows.push(
            `${r.ts},${r.window},${r.nAssets},${pyFloatRepr(r.lambda)},${r.velocity === null ? '' : pyFloatRepr(r.velocity)}`,
          );
        }
      }
      if (step.scan !== null) {
        lines.push(scanLine(step.scan));
        scans++;
        firstScan ??= step.scan.scan_number as number;
        lastScan = step.scan.scan_number as number;
      }
      if (++done % 1024 === 0) {
        await out.write(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
        if (eig !== null && rows.length > 0) await eig.write(`${rows.join('\n')}\n`);
        lines = [];
        rows = [];
        bar.update(done, { note: `${scans} scans` });
      }
    }
    if (lines.length > 0) await out.write(`${lines.join('\n')}\n`);
    if (eig !== null && rows.length > 0) await eig.write(`${rows.join('\n')}\n`);
    await out.close();
    await eig?.close();
    if (parquet) {
      if (scans === 0) {
        rmSync(jsonl, { force: true });
        throw new UsageError('no scan to write: the bars are too short for the windows');
      }
      await jsonlToParquet(jsonl, o.out);
      rmSync(jsonl);
    }
  } finally {
    bar.stop();
  }
  const summary: ScanSummary = {
    files: o.bars.length,
    assets: symbols,
    interval_ms: intervalMs,
    grid_times: total,
    empty_slots: empty,
    scans,
    first_scan: firstScan,
    last_scan: lastScan,
    duplicate_bars_dropped: set.duplicates,
    windows: scanner.exclusions,
    solver: {
      power: scanner.counts.power,
      full: scanner.counts.full,
      fallbacks: scanner.counts.fallbacks,
    },
  };
  if (o.json !== undefined) writeJson(o.json, summary);
  return summary;
}

export function summaryText(s: ScanSummary, out: string): string {
  const head = `wrote ${s.scans} scans to ${out}: ${s.assets.length} assets, ${s.grid_times} grid times of ${s.interval_ms} ms (${s.empty_slots} empty), scan numbers ${s.first_scan ?? '—'}..${s.last_scan ?? '—'}${s.duplicate_bars_dropped > 0 ? `, ${s.duplicate_bars_dropped} duplicate bars dropped` : ''}`;
  const rows = s.windows.map((w) => [
    String(w.window),
    String(w.gridTimes),
    fixed(w.gridTimes === 0 ? null : w.members / w.gridTimes, 2),
    String(w.gaps),
    String(w.constant),
  ]);
  return `${head}\n\n${table(['window', 'grid times', 'mean members', 'left out: gaps', 'left out: constant price'], rows)}`;
}

export interface LiveScanOptions {
  exchange: string;
  testnet?: boolean;
  symbols?: string;
  timeframe: string;
  nats?: string;
  stream: string;
  subject: string;
  grace: number;
  apiUrl?: string;
  windows: number[];
  btc: string;
  logFormat?: string;
}

/** `violet scan --live`: until SIGINT/SIGTERM, each closed bar's scan onto the stream. */
export async function liveScanCommand(o: LiveScanOptions): Promise<void> {
  const format = parseLogFormat(o.logFormat ?? process.env.VIOLET_LOG_FORMAT);
  if (format === null) throw new UsageError('--log-format: expected text or json');
  setProcessLogFormat(format);
  const log = new Log(format);
  if (!(KLINE_VENUES as readonly string[]).includes(o.exchange)) {
    throw new UsageError(`--exchange: expected one of ${KLINE_VENUES.join(', ')}`);
  }
  if (o.nats === undefined) throw new UsageError('--live needs --nats URL (where the scans go)');
  const symbols = (o.symbols ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (symbols.length < 2) {
    throw new UsageError('--symbols: give at least two, comma-separated (BTCUSDT,ETHUSDT)');
  }
  if (new Set(symbols).size !== symbols.length) {
    throw new UsageError('--symbols: a symbol is given twice');
  }
  const intervalMs = interval(o.timeframe);
  const clock = liveClock(process.env.VIOLET_TIME_WARP);
  const venue = await klineFeed({
    venue: o.exchange as KlineVenue,
    testnet: o.testnet === true,
    symbols,
    timeframe: o.timeframe,
    apiUrl: o.apiUrl ?? null,
  }).catch((e: unknown) => {
    if (e instanceof UsageError) throw e;
    throw new CheckFailed(
      `${o.exchange}: cannot load its markets: ${(e as Error).message.split('\n')[0]}`,
    );
  });
  const nc = await connectNats(o.nats, 'violet-scan', (line) => log.warn('nats', line));
  const stop = new AbortController();
  const interrupts = new Interrupts((signal) => {
    log.info('stop', `${signal}: finishing the grid time in hand`, { signal });
    stop.abort();
  });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, o.stream, o.subject);
    const js = jetstream(nc);
    const summary = await runLive({
      symbols: [...symbols].sort(),
      intervalMs,
      windows: o.windows,
      btc: o.btc,
      graceMs: o.grace * 1000,
      feed: venue.feed,
      clock,
      signal: stop.signal,
      transient: venue.transient,
      log: (event, message, fields) => log.info(event, message, fields ?? {}),
      publisher: {
        async lastScanNumber() {
          let data: Uint8Array;
          try {
            const m = await jsm.streams.getMessage(o.stream, { last_by_subj: o.subject });
            if (m === null) return null;
            data = m.data;
          } catch (e) {
            if (notFound(e)) return null;
            throw e;
          }
          let n: unknown;
          try {
            n = (JSON.parse(new TextDecoder().decode(data)) as { scan_number?: unknown })
              .scan_number;
          } catch {
            n = undefined;
          }
          if (typeof n !== 'number') {
            throw new CheckFailed(
              `the last message on ${o.stream} is not a scan: cannot resume after it`,
            );
          }
          return n;
        },
        async pricesSince(from) {
          const out = new Map<number, Readonly<Record<string, number>>>();
          const info = await jsm.streams.info(o.stream);
          for (let seq = info.state.last_seq; seq >= info.state.first_seq && seq > 0; seq--) {
            let scan: { scan_number?: unknown; prices?: unknown };
            try {
              const m = await jsm.streams.getMessage(o.stream, { seq });
              if (m === null) continue; // deleted
              scan = JSON.parse(new TextDecoder().decode(m.data));
            } catch (e) {
              if (notFound(e)) continue; // deleted
              if (e instanceof SyntaxError) continue; // not a scan: the engine rejects it too
              throw e;
            }
            if (typeof scan.scan_number !== 'number') continue;
            if (scan.scan_number < from) break;
            if (typeof scan.prices === 'object' && scan.prices !== null) {
              out.set(scan.scan_number, scan.prices as Record<string, number>);
            }
          }
          return out;
        },
        async publish(line, n) {
          await publishOne(js, o.subject, line, `scan-${n}`);
          log.record('scan.published', `scan ${n}`, { scan_number: n });
        },
      },
    }).catch((e: unknown) => {
      if (!venue.venueError(e)) throw e;
      throw new CheckFailed(`${o.exchange}: ${(e as Error).message.split('\n')[0]}`);
    });
    process.stdout.write(
      `published ${summary.published} scans (${summary.firstScan ?? '—'}..${summary.lastScan ?? '—'}) to ${o.stream}; ${summary.lateBars} late bars ignored, ${summary.retries} venue retries\n`,
    );
  } finally {
    interrupts.dispose();
    await nc.drain().catch(() => {});
  }
  if (interrupts.received !== null) interruptedExit(interrupts.received, false);
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(
      "scans from price bars: the largest eigenvalue of the assets' return correlations per window, its velocity, and vel_div, as a scan archive (or, with --live, onto the live feed)",
    )
    .option(
      '--bars <files...>',
      'bar files: CSV with a header, Binance kline CSV, or Parquet; SYMBOL-….csv or a symbol column',
    )
    .option('--out <file>', 'scan archive to write (.jsonl or .parquet)')
    .option(
      '--windows <list>',
      'window sizes in returns; vel_div = velocity(first) − velocity(second)',
      windowList,
      [...DEFAULT_WINDOWS],
    )
    .option(
      '--interval <duration>',
      'bar interval (5m, 1h, ms); default: the most common gap between bars',
      interval,
    )
    .option(
      '--btc <symbol>',
      'the symbol whose bars give btc_ma99 and the acb.dvol proxy',
      DEFAULT_BTC,
    )
    .option(
      '--eig-out <file>',
      'also write ts, window, n_assets, lambda_max, velocity per grid time and window (.csv)',
    )
    .option('--json <file>', `also write the summary as JSON ${JSON_HELP}`)
    .option(
      '--live',
      'live: at each bar close, the closed klines from --exchange, the scan onto --nats',
    )
    .addOption(
      choice(
        '--exchange <venue>',
        'live: the venue (spot on Binance, perpetual swaps on BingX)',
        KLINE_VENUES,
      ).default('binance'),
    )
    .option('--testnet', "live: the venue's sandbox")
    .option(
      '--symbols <list>',
      'live: symbols as scans name them, comma-separated (BTCUSDT,ETHUSDT)',
    )
    .option('--timeframe <tf>', 'live: bar interval', '5m')
    .option('--nats <url>', 'live: the NATS server of the live feed')
    .option('--stream <name>', 'live: JetStream stream of the scans', DEFAULT_STREAM)
    .option('--subject <subject>', 'live: subject of the scans', DEFAULT_SUBJECT)
    .option(
      '--grace <seconds>',
      "live: after a bar's close, how long the venue gets to serve it",
      nonNegativeInt,
      10,
    )
    .option(
      '--api-url <url>',
      "live: the venue's API at another address (a local simulator of its protocol)",
    )
    .addOption(choice('--log-format <format>', 'live: log lines on stderr', LOG_FORMATS))
    .action(
      async (
        o: ScanOptions & LiveScanOptions & { live?: boolean; bars?: string[]; out?: string },
      ) => {
        if (o.live === true) {
          if (o.bars !== undefined || o.out !== undefined) {
            throw new UsageError('--live reads the venue: no --bars, no --out');
          }
          await liveScanCommand(o);
          return;
        }
        if (o.bars === undefined || o.out === undefined) {
          throw new UsageError('give --bars FILE… and --out FILE (or --live)');
        }
        const s = await scanCommand({ ...o, bars: o.bars, out: o.out });
        if (!jsonOnStdout(o)) process.stdout.write(`${summaryText(s, o.out)}\n`);
      },
    );
}
