// The engine runtime: config, source, journal, reactor and control plane wired together.
// Shadow (no exchange): decisions go to the journal only, no order is ever sent.
// Backtest: the same engine with a mock exchange turning decisions into trades.
import { appendFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../common/errors.js';
import {
  ACTIONS as CADENCE_ACTIONS,
  type CadenceAction,
  CadencePlane,
  parseQuantumText,
  type Quantum,
  quantumText,
} from '../engine/cadence.js';
import { ReplayClock, systemClock, type WallClock } from '../engine/clock.js';
import type { EngineConfig } from '../engine/config.js';
import { type ControlServer, startControl } from '../engine/control.js';
import { DecisionEngine } from '../engine/decision.js';
import type { Execution, ScanSource } from '../engine/ports.js';
import {
  type AuditedChange,
  Reactor,
  type ReactorHooks,
  type RunStats,
} from '../engine/reactor.js';
import { journalWriter, spoolDirsOf, spoolWriter, statsFileFor } from '../journal/open.js';
import { quote } from '../journal/read.js';
import { CONTROL_AUDIT, DECISIONS } from '../journal/schema.js';
import type { JournalSink } from '../journal/sink.js';
import type { JournalWriter } from '../journal/writer.js';

/** One instance of a run: its config, its scans and, for a backtest, its exchange. */
export interface InstanceRun {
  readonly config: EngineConfig;
  readonly source: ScanSource;
  /** Execution on (backtest): decisions become trades on this exchange. */
  readonly exchange?: Execution;
  /** Hooks of this instance only (after the shared ones). */
  readonly hooks?: ReactorHooks;
  /**
   * Before the first scan, once the journal holds every row of earlier runs (their spools
   * drained): a check that may refuse the run by throwing. Null journal: it is down.
   */
  readonly beforeRun?: (journal: JournalSink | null) => Promise<void>;
}

export interface RunOptions {
  readonly instances: readonly InstanceRun[];
  readonly journal: string;
  readonly ratePerSec?: number;
  /** `scan`: time is scan time (replay); `wall`: time is wall time (live-like shadowing). */
  readonly clock?: 'scan' | 'wall';
  /** Wall time and timers (default: the system's); a test passes a VirtualClock. */
  readonly wallClock?: WallClock;
  readonly control?: { port: number; token: string | null };
  readonly hooks?: ReactorHooks;
  readonly onControl?: (server: ControlServer) => void;
  /** Once the reactors exist: each instance's status (what GET /status answers). */
  readonly onStarted?: (status: (instance: string) => InstanceStatus) => void;
  /** Aborted (SIGINT/SIGTERM): each instance finishes the scan in hand, flushes and ends. */
  readonly stop?: AbortSignal;
  /** An instance failed: the others are told to stop (the live feed runs until aborted). */
  readonly onInstanceError?: (instance: string, error: unknown) => void;
}

export interface ShadowOptions extends Omit<RunOptions, 'instances'> {
  readonly config: EngineConfig;
  readonly source: ScanSource;
  readonly exchange?: Execution;
  readonly beforeRun?: InstanceRun['beforeRun'];
}

/** An instance's status: counters, last scan and its age, spool, journal, plane ages. */
export interface InstanceStatus extends RunStats {
  readonly instance_id: string;
  readonly last_scan_age_ms: number | null;
  /** The quanta in force. */
  readonly cadence: Readonly<Record<CadenceAction, Quantum>>;
  /** Rows on disk in the spool, not yet in the journal (they survive a kill). */
  readonly spool_depth: number;
  /** Rows decided and still in memory (a kill loses them; the same replay recomputes them). */
  readonly spool_buffered: number;
  readonly journal_error: string | null;
  readonly plane_ages_ms?: Readonly<Record<string, number | null>>;
}

export interface ShadowResult {
  readonly instance_id: string;
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
    throw new UsageError(
      `${journal} already holds instance ${instance} with config ${rows[0]?.config_hash}, not ${hash}: use another --instance or journal`,
    );
  }
}

/** The cadence changes audited for an instance, in order (none if the journal is down). */
async function auditedChanges(w: JournalWriter, instance: string): Promise<AuditedChange[]> {
  const sink = await w.connected();
  if (sink === null) return [];
  const rows = await sink.query(
    `SELECT at_scan, action, new_value, who FROM ${sink.from(CONTROL_AUDIT)} WHERE instance_id = ${quote(instance)} AND at_scan IS NOT NULL AND action IN (${CADENCE_ACTIONS.map(quote).join(', ')}) ORDER BY audit_seq`,
  );
  return rows.map((r) => ({
    atScan: r.at_scan as number,
    action: r.action as CadenceAction,
    quantum: parseQuantumText(r.new_value as string),
    who: r.who as string,
  }));
}

/**
 * The highest audit_seq the journal holds for an instance (0: none), from which this run
 * numbers its own changes. If the journal cannot be read when the run starts, the run's
 * start time (wall ms) × 1000 instead: above every number given before, since numbers grow
 * by one a change and changes come far slower than one a microsecond, so the rows it spools
 * meanwhile neither collide with nor sort before those the journal holds.
 */
async function lastAuditSeq(w: JournalWriter, instance: string, wall: WallClock): Promise<number> {
  const sink = await w.connected();
  if (sink === null) return wall.now() * 1000;
  const [row] = await sink.query(
    `SELECT max(audit_seq) AS last FROM ${sink.from(CONTROL_AUDIT)} WHERE instance_id = ${quote(instance)}`,
  );
  return Number(row?.last ?? 0);
}

/** Drains the journal's other spools that hold segments and that no process holds. */
async function drainLeftovers(journal: string, own: string): Promise<void> {
  for (const dir of spoolDirsOf(journal)) {
    if (resolve(dir) === resolve(own)) continue;
    if (!readdirSync(dir).some((f) => f.endsWith('.jsonl'))) continue;
    let w: JournalWriter;
    try {
      w = spoolWriter(journal, dir);
    } catch (e) {
      if (e instanceof UsageError) continue; // a running engine's: it drains its own
      throw e;
    }
    try {
      await w.flush();
    } finally {
      w.close();
    }
  }
}

/** One instance's run (shadow, or backtest with an exchange). */
export async function runShadow(o: ShadowOptions): Promise<ShadowResult> {
  const { config, source, exchange, beforeRun, ...rest } = o;
  const [r] = await runInstances({
    ...rest,
    instances: [
      {
        config,
        source,
        ...(exchange === undefined ? {} : { exchange }),
        ...(beforeRun === undefined ? {} : { beforeRun }),
      },
    ],
  });
  return r as ShadowResult;
}

/**
 * Several instances (configs) in one process: each its own engine, cadence and reactor over
 * its own scans, all journaling through one writer and one spool (rows carry instance_id).
 */
export async function runInstances(o: RunOptions): Promise<ShadowResult[]> {
  const ids = o.instances.map((i) => i.config.instance_id);
  const twice = ids.find((id, k) => ids.indexOf(id) !== k);
  if (twice !== undefined)
    throw new UsageError(`instance ${twice} given twice: instance ids must differ`);
  // The control port first: a port in use refuses the run before anything touches the disk.
  const byId = new Map<string, Reactor>();
  let statusOf: ((id: string) => InstanceStatus) | null = null;
  const wallClock = o.wallClock ?? systemClock;
  const control =
    o.control === undefined
      ? null
      : await startControl(
          byId,
          o.control.port,
          o.control.token,
          (id) => statusOf?.(id) ?? null,
          wallClock,
        );
  let writer: JournalWriter;
  try {
    writer = journalWriter(o.journal, ids);
  } catch (e) {
    await control?.close();
    throw e;
  }
  try {
    // Rows left by an earlier run (a crash, an outage) go in first, its own spool and any
    // other this journal has that no running engine holds (another set of instances).
    await writer.flush();
    await drainLeftovers(o.journal, writer.spool.dir);
    const engines = o.instances.map((i) => new DecisionEngine(i.config));
    for (const [k, e] of engines.entries()) {
      await refuseConfigChange(writer, ids[k] as string, e.configHash, o.journal);
    }
    for (const inst of o.instances) await inst.beforeRun?.(await writer.connected());
    const wall = o.clock === 'wall';
    const statsFile = statsFileFor(o.journal);
    const snapshot = (kind: string, instance: string) => (s: RunStats) =>
      appendFileSync(
        statsFile,
        `${JSON.stringify({
          kind,
          instance_id: instance,
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
    const reactors = o.instances.map((inst, k) => {
      const id = inst.config.instance_id;
      return new Reactor({
        engine: engines[k] as DecisionEngine,
        journal: writer,
        cadence: new CadencePlane(inst.config.cadence),
        clock: wall ? wallClock : new ReplayClock(),
        hooks: chainHooks(
          { onSnapshot: snapshot('snapshot', id), onReport: snapshot('report', id) },
          o.hooks,
          inst.hooks,
        ),
        ratePerSec: o.ratePerSec ?? 0,
        tickMs: wall ? 1000 : 0,
        execution: inst.exchange ?? null,
        wall: wallClock,
      });
    });
    for (const [k, r] of reactors.entries()) {
      r.replayChanges(await auditedChanges(writer, ids[k] as string));
      r.auditAfter(await lastAuditSeq(writer, ids[k] as string, wallClock));
    }
    const stopAll = () => {
      for (const r of reactors) r.stopAfterScan();
    };
    if (o.stop?.aborted) stopAll();
    o.stop?.addEventListener('abort', stopAll, { once: true });
    for (const [k, r] of reactors.entries()) byId.set(ids[k] as string, r);
    statusOf = (id: string): InstanceStatus => {
      const r = byId.get(id) as Reactor;
      const planes = o.instances[ids.indexOf(id)]?.source.planeAges?.() ?? null;
      return {
        instance_id: id,
        ...r.stats,
        last_scan_age_ms: r.lastScanAgeMs(),
        cadence: r.cadence.snapshot(),
        spool_depth: writer.spool.depth,
        spool_buffered: writer.spool.buffered,
        journal_error: writer.lastError,
        ...(planes === null ? {} : { plane_ages_ms: planes }),
      };
    };
    for (const [k, inst] of o.instances.entries()) {
      const r = reactors[k] as Reactor;
      await inst.source.watchCadence?.((value, who) => {
        for (const [action, quantum] of Object.entries(value) as [CadenceAction, Quantum][]) {
          if (quantumText(r.cadence.get(action)) === quantumText(quantum)) continue;
          r.enqueue({ action, quantum, who, done: () => {} });
        }
      });
    }
    o.onStarted?.(statusOf);
    if (control !== null) o.onControl?.(control);
    const runs = reactors.map((r, k) =>
      r.run((o.instances[k] as InstanceRun).source).catch((e: unknown) => {
        o.onInstanceError?.(ids[k] as string, e);
        throw e;
      }),
    );
    const settled = await Promise.allSettled(runs);
    const failed = settled.find((x) => x.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return settled.map((x, k) => ({
      instance_id: ids[k] as string,
      stats: (x as PromiseFulfilledResult<RunStats>).value,
      spoolDepth: writer.spool.depth,
      spoolDir: writer.spool.dir,
      tornSpoolLines: writer.spool.torn,
      journalError: writer.lastError,
      statsFile,
    }));
  } finally {
    await control?.close();
    // After a refused row the run stopped: what it spooled since is settled now (rows that
    // conflict set aside too, the rest committed), so no later run trips over it.
    if (writer.conflict !== null) await writer.flush();
    writer.close();
  }
}

/** Hooks called in order: the runtime's own, the run's, the instance's. */
function chainHooks(...all: (ReactorHooks | undefined)[]): ReactorHooks {
  type Hook = (...a: unknown[]) => void;
  const byName = new Map<string, Hook[]>();
  for (const h of all) {
    if (h === undefined) continue;
    for (const [name, f] of Object.entries(h)) {
      if (typeof f !== 'function') continue;
      byName.set(name, [...(byName.get(name) ?? []), f as Hook]);
    }
  }
  const out: Record<string, Hook> = {};
  for (const [name, fs] of byName) {
    out[name] = (...a) => {
      for (const f of fs) f(...a);
    };
  }
  return out as ReactorHooks;
}
