// The live scanner: at each bar close (plus a grace), the closed bars of every symbol come
// from the venue, the same incremental scanner steps through their grid times, and each
// scan is published. It resumes after the last scan on the stream, warmed up from the
// venue's history so that it computes bit for bit what an archive run over the same bars
// does (see RECOMPUTE_EVERY), and it never uses a bar that is still forming.

import { retry } from '../common/retry.js';
import { scanLine } from '../model/line.js';
import { Scanner, type ScannerOptions } from './scanner.js';
import { RECOMPUTE_EVERY } from './windows.js';

/** Bars as ccxt gives them: [open time ms, open, high, low, close, volume], oldest first. */
export type Ohlcv = readonly number[];

/** Where bars come from (the venue adapter): bars with open time ≥ `since`, at most `limit`. */
export interface BarFeed {
  ohlcv(symbol: string, since: number, limit: number): Promise<readonly Ohlcv[]>;
}

/** Time and waiting, injected (a test runs the scanner on a warped clock). */
export interface LiveClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface ScanPublisher {
  /** The scan number of the last scan on the stream, or null when it holds none. */
  lastScanNumber(): Promise<number | null>;
  /** The prices of the scans on the stream numbered `from` or later, by scan number. */
  pricesSince(from: number): Promise<Map<number, Readonly<Record<string, number>>>>;
  publish(line: string, scanNumber: number): Promise<void>;
}

export interface LiveOptions extends Omit<ScannerOptions, 'fullUpTo' | 'recomputeEvery'> {
  readonly feed: BarFeed;
  readonly publisher: ScanPublisher;
  readonly clock: LiveClock;
  /** After a bar's close, how long the venue gets to serve it. */
  readonly graceMs: number;
  readonly signal: AbortSignal;
  readonly log: (event: string, message: string, fields?: Record<string, unknown>) => void;
  /** Bars per request (the venue's page size). */
  readonly pageLimit?: number;
  /** A venue error worth another try (rate limit, unavailable, timeout). */
  readonly transient: (e: unknown) => boolean;
}

export interface LiveSummary {
  published: number;
  firstScan: number | null;
  lastScan: number | null;
  lateBars: number;
  retries: number;
}

const MAX_BACKOFF_MS = 60_000;
/** Grid times fetched again before the next one: a bar among them not seen before is late. */
const LATE_LOOKBACK = 32;

export async function runLive(o: LiveOptions): Promise<LiveSummary> {
  const I = o.intervalMs;
  const scanner = new Scanner(o);
  const depth = scanner.depth;
  const summary: LiveSummary = {
    published: 0,
    firstScan: null,
    lastScan: null,
    lateBars: 0,
    retries: 0,
  };
  /** The latest grid time whose bar has closed, grace included. */
  const closedUpTo = () => Math.floor((o.clock.now() - o.graceMs - I) / I) * I;
  const last = await o.publisher.lastScanNumber();
  const firstPublish = last === null ? closedUpTo() : (last + 1) * I;
  // Warm up from before a recompute point K below the first scan to publish: from K + 1 on,
  // this run computes exactly what a run since the first bar computes.
  const k = Math.floor((firstPublish / I - 1) / RECOMPUTE_EVERY) * RECOMPUTE_EVERY;
  let next = (k - depth - 1) * I;
  o.log(
    'scan.live.start',
    `warming up from ${new Date(next).toISOString()}, publishing from scan ${firstPublish / I}`,
    {
      resume_after: last,
      warm_from: next,
      first_scan: firstPublish / I,
    },
  );
  // Grid times already published are replayed with the closes their scans carry: a bar the
  // venue served only after its scan (late, ignored then) stays out now as well.
  const replay = last === null ? new Map() : await o.publisher.pricesSince(next / I);
  /** Per symbol, the grid times processed without its bar (a bar for one later is late). */
  const missing = o.symbols.map(() => new Set<number>());
  while (!o.signal.aborted) {
    const upTo = closedUpTo();
    if (next <= upTo) {
      const bars = await withRetries(o, summary, () => fetchAll(o, next - LATE_LOOKBACK * I, upTo));
      for (const [a, list] of bars.entries()) {
        for (const bar of list) {
          if ((bar[0] as number) < next && missing[a]?.has(bar[0] as number)) {
            summary.lateBars++;
            missing[a]?.delete(bar[0] as number);
            o.log(
              'scan.live.late_bar',
              `${o.symbols[a]} bar at ${new Date(bar[0] as number).toISOString()} came after its scan: ignored`,
              {
                symbol: o.symbols[a],
                ts: bar[0],
              },
            );
          }
        }
      }
      const at = bars.map((list) => new Map(list.map((b) => [b[0] as number, b[4] as number])));
      for (let t = next; t <= upTo; t += I) {
        const closes = new Float64Array(o.symbols.length).fill(Number.NaN);
        const published = replay.get(t / I);
        if (published !== undefined) {
          for (const [a, symbol] of o.symbols.entries())
            closes[a] = published[symbol] ?? Number.NaN;
          scanner.step(t, closes);
          continue;
        }
        for (const [a, m] of at.entries()) {
          const c = m.get(t);
          if (c === undefined) {
            missing[a]?.add(t);
            for (const old of missing[a] ?? [])
              if (old < t - LATE_LOOKBACK * I) missing[a]?.delete(old);
          } else closes[a] = c;
        }
        const step = scanner.step(t, closes);
        if (step.scan !== null && t >= firstPublish) {
          const n = step.scan.scan_number as number;
          await o.publisher.publish(scanLine(step.scan), n);
          summary.published++;
          summary.firstScan ??= n;
          summary.lastScan = n;
        }
      }
      next = upTo + I;
    }
    // The next bar closes at next + I; its grace ends after that.
    await o.clock.sleep(Math.max(0, next + I + o.graceMs - o.clock.now()), o.signal);
  }
  return summary;
}

/** Every symbol's closed bars with open time in [from, to], paged, deduplicated. */
async function fetchAll(o: LiveOptions, from: number, to: number): Promise<Ohlcv[][]> {
  const limit = o.pageLimit ?? 1000;
  const out: Ohlcv[][] = [];
  for (const symbol of o.symbols) {
    const list: Ohlcv[] = [];
    let since = from;
    for (;;) {
      const page = await o.feed.ohlcv(symbol, since, limit);
      let progressed = false;
      for (const bar of page) {
        const t = bar[0] as number;
        if (t < since || t > to) continue;
        const close = bar[4] as number;
        if (!Number.isInteger(t) || t % o.intervalMs !== 0 || !(close > 0) || close === Infinity) {
          // What the venue sent is not a bar on the grid with a price: as if it were missing.
          o.log(
            'scan.live.bad_bar',
            `${symbol}: a bar at ${t} with close ${close} is not usable: left out`,
            {
              symbol,
              bar_ts: t,
            },
          );
          continue;
        }
        const prev = list.at(-1);
        if (prev !== undefined && (prev[0] as number) >= t) {
          if (prev[0] === t && prev.some((x, i) => x !== bar[i])) {
            o.log(
              'scan.live.duplicate_bar',
              `${symbol} bar at ${new Date(t).toISOString()} given twice, differently: the first kept`,
              { symbol, bar_ts: t },
            );
          }
          continue;
        }
        list.push(bar);
        progressed = true;
      }
      const lastTs = list.at(-1)?.[0] as number | undefined;
      if (page.length < limit || !progressed || lastTs === undefined || lastTs >= to) break;
      since = lastTs + o.intervalMs;
    }
    out.push(list);
  }
  return out;
}

/** Retries what the venue may answer next time (rate limit, 5xx, timeout) with backoff. */
function withRetries<T>(o: LiveOptions, s: LiveSummary, f: () => Promise<T>): Promise<T> {
  return retry(f, {
    retryable: o.transient,
    sleep: (ms) => o.clock.sleep(ms, o.signal),
    firstMs: 1000,
    maxMs: MAX_BACKOFF_MS,
    signal: o.signal,
    onRetry: (e, wait) => {
      s.retries++;
      o.log(
        'scan.live.retry',
        `venue: ${(e as Error).message.split('\n')[0]}; again in ${wait} ms`,
        { wait_ms: wait },
      );
    },
  });
}
