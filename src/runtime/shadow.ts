// The engine runtime: config, source, journal, reactor and control plane wired together.
// Shadow (no exchange): decisions go to the journal only, no order is ever sent.
// Backtest: the same engine with a mock exchange turning decisions into trades.
import { appendFileSync } from 'node:fs';
import { UsageError } from '../common/errors.js';
import { CadencePlane } from '../engine/cadence.js';
import { LiveClock, ReplayClock } from '../engine/clock.js';
import type { EngineConfig } from '../engine/config.js';
import { type ControlServer, startControl } from '../engine/control.js';
import { DecisionEngine } from '../engine/decision.js';
import type { MockExchange } from '../engine/exchange.js';
import { Reactor, type ReactorHooks, type RunStats } from '../engine/reactor.js';
import { journalWriter, statsFileFor } from '../journal/open.js';
import { quote } from '../journal/read.js';
import { DECISIONS } from '../journal/schema.js';
import type { JournalWriter } from '../journal/writer.js';
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
  /** Execution on (backtest): decisions become trades on this mock exchange. */
  readonly exchange?: MockExchange;
}

export interface ShadowResult {
  readonly stats: RunStats;
  readonly spoolDepth: number;
  readonly spoolDir: string;
  readonly tornSpoolLines: number;
  readonly journalError: string | null;
  readonly statsFile: string;
}

/** Idempotent inserts would silently keep an earlier config's rows: refuse instead. */
async function refuseConfigChange(
  w: JournalWriter,
  instance: string,
  hash: string,
  journal: string,
) {
  const sink = await w.connected();
  if (sink === null) return;
  const rows = await sink.query(
    `SELECT DISTINCT config_hash FROM ${sink.from(DECISIONS)} WHERE instance_id = ${quote(instance)} AND config_hash <> ${quote(hash)} LIMIT 1`,
  );
  if (rows.length > 0) {
    w.close();
    throw new UsageError(
      `${journal} already holds instance ${instance} with config ${rows[0]?.config_hash}, not ${hash}: use another --instance or journal`,
    );
  }
}

export async function runShadow(o: ShadowOptions): Promise<ShadowResult> {
  const writer = journalWriter(o.journal);
  // Rows left by an earlier run (a crash, an outage) go in first.
  await writer.flush();
  const engine = new DecisionEngine(o.config);
  await refuseConfigChange(writer, o.config.instance_id, engine.configHash, o.journal);
  const wall = o.clock === 'wall';
  const statsFile = statsFileFor(o.journal);
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
    o.exchange ?? null,
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
