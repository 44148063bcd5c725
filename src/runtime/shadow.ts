// The shadow soak runtime: config, source, journal, reactor and control plane wired
// together. Decisions go to the journal only; no order is ever sent.
import { appendFileSync } from 'node:fs';
import { CadencePlane } from '../engine/cadence.js';
import { LiveClock, ReplayClock } from '../engine/clock.js';
import type { EngineConfig } from '../engine/config.js';
import { type ControlServer, startControl } from '../engine/control.js';
import { DecisionEngine } from '../engine/decision.js';
import { Reactor, type ReactorHooks, type RunStats } from '../engine/reactor.js';
import { journalWriter } from '../journal/open.js';
import type { ScanSource } from '../sources/archive.js';

export interface ShadowOptions {
  readonly config: EngineConfig;
  readonly source: ScanSource;
  readonly journal: string;
  readonly ratePerSec?: number;
  /** `scan`: time is scan time (replay); `wall`: time is wall time (live-like shadowing). */
  readonly clock?: 'scan' | 'wall';
  readonly control?: { port: number; token: string | null };
  readonly hooks?: ReactorHooks;
  readonly onControl?: (server: ControlServer) => void;
}

export interface ShadowResult {
  readonly stats: RunStats;
  readonly spoolDepth: number;
  readonly spoolDir: string;
  readonly tornSpoolLines: number;
  readonly journalError: string | null;
  readonly statsFile: string;
}

export async function runShadow(o: ShadowOptions): Promise<ShadowResult> {
  const writer = journalWriter(o.journal);
  // Rows left by an earlier run (a crash, an outage) go in first.
  await writer.flush();
  const engine = new DecisionEngine(o.config);
  const wall = o.clock === 'wall';
  const statsFile = `${o.journal}.stats.jsonl`;
  const snapshot = (kind: string) => (s: RunStats) =>
    appendFileSync(
      statsFile,
      `${JSON.stringify({
        kind,
        instance_id: o.config.instance_id,
        scan_number: s.lastScanNumber,
        scan_ts: s.lastScanTs,
        accepted: s.accepted,
        decisions: s.decisions,
        actuated: s.actuated,
        rejected: s.rejected,
        spool_depth: writer.spool.depth,
        flush_failures: s.flushFailures,
      })}\n`,
    );
  const reactor = new Reactor(
    engine,
    writer,
    new CadencePlane(o.config.cadence),
    wall ? new LiveClock() : new ReplayClock(),
    { onSnapshot: snapshot('snapshot'), onReport: snapshot('report'), ...o.hooks },
    o.ratePerSec ?? 0,
    wall ? 1000 : 0,
  );
  let control: ControlServer | null = null;
  if (o.control !== undefined) {
    control = await startControl(reactor, o.control.port, o.control.token, () => ({
      instance_id: o.config.instance_id,
      ...reactor.stats,
      spool_depth: writer.spool.depth,
      journal_error: writer.lastError,
    }));
    o.onControl?.(control);
  }
  try {
    const stats = await reactor.run(o.source);
    return {
      stats,
      spoolDepth: writer.spool.depth,
      spoolDir: writer.spool.dir,
      tornSpoolLines: writer.spool.torn,
      journalError: writer.lastError,
      statsFile,
    };
  } finally {
    await control?.close();
    writer.close();
  }
}
