// The reactor (issue 3 §2): one loop over scans, timers and control commands. Control
// commands queue up and apply between scans; cadence decides which actions run on a scan.
import { basename } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { type Planes, parseScanLine, type Result, type Scan } from '../model/index.js';
import type { CadenceAction, CadenceChange, CadencePlane, Quantum } from './cadence.js';
import { quantumText, sameQuantum } from './cadence.js';
import { type Clock, type ReplayClock, systemClock, type WallClock } from './clock.js';
import type { DecisionEngine } from './decision.js';
import { withPlanes } from './planes.js';
import {
  type ArmingAction,
  type ArmingChange,
  type Execution,
  type Fills,
  type Journal,
  type ScanSource,
  type SourceRecord,
  settles,
  type VenueExecution,
} from './ports.js';
import {
  CONTROL_AUDIT,
  DECISIONS,
  type DecisionRow,
  ORDER_EVENTS,
  POSITION_STATE,
  REJECTS,
  TRADE_EXIT_LEGS,
  TRADES,
  UNIVERSE,
  VENUE_FILLS,
  VENUE_ORDERS,
} from './rows.js';

export interface RunStats {
  records: number;
  accepted: number;
  rejected: number;
  decisions: number;
  actuated: number;
  orders: number;
  trades: number;
  /** Live records delivered again and skipped (already decided). */
  redeliveries: number;
  errors: number;
  exitChecks: number;
  flushes: number;
  flushFailures: number;
  snapshots: number;
  lastScanNumber: number | null;
  lastScanTs: number | null;
  spoolPeak: number;
}

export interface ControlCommand {
  readonly action: CadenceAction;
  readonly quantum: Quantum;
  readonly who: string;
  /** `changed` false: the quantum already in force (nothing applied, nothing audited). */
  readonly done: (r: { change: CadenceChange; atScan: number | null; changed: boolean }) => void;
}

/** An operator's arm, disarm or flatten for the execution (the control endpoint). */
export interface ArmingCommand {
  readonly action: ArmingAction;
  readonly who: string;
  /** The change, or why it was not made. */
  readonly done: (r: { change: ArmingChange | string; atScan: number | null }) => void;
}

/** A cadence change read back from the audit trail. */
export interface AuditedChange {
  /** The scan it followed: it applied from the next scan on. */
  readonly atScan: number;
  readonly action: CadenceAction;
  readonly quantum: Quantum;
  readonly who: string;
}

export interface ReactorHooks {
  onProgress?(stats: RunStats, bytesRead: number | null): void;
  onSnapshot?(stats: RunStats): void;
  onReport?(stats: RunStats): void;
  onFlushFailure?(message: string): void;
  /** A journal flush succeeded: rows up to this scan (at least) are in the database. */
  onFlushed?(lastScanNumber: number | null): void;
  afterScan?(scan: Scan): void;
  /** Trades, legs and order events as they are journaled (execution on). */
  onFills?(fills: Fills): void;
}

/**
 * Scans between turns of the event loop. The journal's background drain advances one
 * step (an fsync, a query) per turn: yielding rarely left every drain of a fast replay
 * to its end, where the engine then waited for all of them.
 */
const YIELD_EVERY = 64;
/** Scans between progress reports. */
const PROGRESS_EVERY = 512;

export interface ReactorOptions {
  readonly engine: DecisionEngine;
  readonly journal: Journal;
  readonly cadence: CadencePlane;
  readonly clock: Clock & Partial<Pick<ReplayClock, 'advance'>>;
  readonly hooks?: ReactorHooks;
  /** Scans per second to pace a replay at; 0 = as fast as it goes. */
  readonly ratePerSec?: number;
  /** Timer period for time-based quanta between scans; 0 = scans only (replay clock). */
  readonly tickMs?: number;
  /** Where actuated decisions become orders (backtest: the mock exchange); none in shadow. */
  readonly execution?: Execution | null;
  /** Wall time and timers: the tick, --rate pacing, scan ages, the audit trail's at_ms. */
  readonly wall?: WallClock;
}

export class Reactor {
  readonly stats: RunStats = {
    records: 0,
    accepted: 0,
    rejected: 0,
    decisions: 0,
    actuated: 0,
    orders: 0,
    trades: 0,
    redeliveries: 0,
    errors: 0,
    exitChecks: 0,
    flushes: 0,
    flushFailures: 0,
    snapshots: 0,
    lastScanNumber: null,
    lastScanTs: null,
    spoolPeak: 0,
  };
  private readonly commands: ControlCommand[] = [];
  private readonly armingCommands: ArmingCommand[] = [];
  /** Audited changes of an earlier run over these scans, re-applied where they took effect. */
  private replayed: AuditedChange[] = [];
  private stopping = false;
  private sourceName = '';
  /** The last audit_seq given: the journal's highest for this instance when the run began. */
  private auditSeq = 0;
  private lastAcceptedAt: number | null = null;

  private readonly engine: DecisionEngine;
  private readonly writer: Journal;
  readonly cadence: CadencePlane;
  private readonly clock: Clock & Partial<Pick<ReplayClock, 'advance'>>;
  private readonly hooks: ReactorHooks;
  private readonly ratePerSec: number;
  private readonly tickMs: number;
  private readonly exchange: Execution | null;
  /** The exchange when its orders go over the network (they are settled between steps). */
  private readonly venue: VenueExecution | null;
  private readonly wall: WallClock;

  constructor(o: ReactorOptions) {
    this.engine = o.engine;
    this.writer = o.journal;
    this.cadence = o.cadence;
    this.clock = o.clock;
    this.hooks = o.hooks ?? {};
    this.ratePerSec = o.ratePerSec ?? 0;
    this.tickMs = o.tickMs ?? 0;
    this.exchange = o.execution ?? null;
    this.venue = this.exchange !== null && settles(this.exchange) ? this.exchange : null;
    this.venue?.onSend((order) => {
      this.writer.write(VENUE_ORDERS, order);
      this.writer.sync();
    });
    this.wall = o.wall ?? systemClock;
  }

  /** Wall milliseconds since the last scan was accepted (null: none yet). */
  lastScanAgeMs(): number | null {
    return this.lastAcceptedAt === null ? null : this.wall.now() - this.lastAcceptedAt;
  }

  /**
   * Audited changes are numbered on from `lastSeq`, the highest audit_seq the journal holds
   * for this instance: audit_seq is the instance's own sequence, so reruns never reuse one.
   */
  auditAfter(lastSeq: number): void {
    this.auditSeq = lastSeq;
  }

  /** Ends the run after the scan in hand: no further scan is read, the journal is flushed. */
  stopAfterScan(): void {
    this.stopping = true;
  }

  /**
   * Cadence changes an earlier run over the same scans made (its audit trail, in order):
   * each applies again, unaudited, before the first scan after the one it followed, so a
   * rerun decides as that run did. Changes made before this run's first scan are another
   * span's and are left alone.
   */
  replayChanges(changes: readonly AuditedChange[]): void {
    this.replayed = [...changes];
  }

  private applyReplayed(scanNumber: number): void {
    if (this.stats.accepted === 0) {
      this.replayed = this.replayed.filter((c) => c.atScan >= scanNumber);
    }
    while (this.replayed.length > 0 && (this.replayed[0] as AuditedChange).atScan < scanNumber) {
      const c = this.replayed.shift() as AuditedChange;
      this.cadence.set(c.action, c.quantum, c.who);
    }
  }

  /** Queues a cadence change; it applies before the next scan is handled. */
  enqueue(cmd: ControlCommand): void {
    this.commands.push(cmd);
  }

  /** Queues an arm, disarm or flatten; it applies before the next scan is handled. */
  enqueueArming(cmd: ArmingCommand): void {
    this.armingCommands.push(cmd);
  }

  private applyArming(): void {
    while (this.armingCommands.length > 0) {
      const cmd = this.armingCommands.shift() as ArmingCommand;
      const x = this.exchange;
      const change =
        x?.arming === undefined
          ? 'this run sends no orders (shadow or backtest): nothing to arm'
          : x.arming(cmd.action, cmd.who);
      if (typeof change !== 'string') {
        const next = change.flattening ? `${change.next}, flattening` : change.next;
        this.audit(cmd.who, cmd.action, change.old, next);
      }
      cmd.done({ change, atScan: this.stats.lastScanNumber });
    }
  }

  /** An operator's change, in the audit trail and durable before it is answered. */
  private audit(who: string, action: string, oldValue: string, newValue: string): void {
    this.writer.write(CONTROL_AUDIT, {
      instance_id: this.engine.config.instance_id,
      audit_seq: ++this.auditSeq,
      at_ms: this.wall.now(),
      at_scan: this.stats.lastScanNumber,
      who,
      action,
      old_value: oldValue,
      new_value: newValue,
    });
    this.writer.sync();
  }

  private applyCommands(): void {
    while (this.commands.length > 0) {
      const cmd = this.commands.shift() as ControlCommand;
      if (sameQuantum(this.cadence.get(cmd.action), cmd.quantum)) {
        const old = this.cadence.get(cmd.action);
        const change = { action: cmd.action, old, next: old, who: cmd.who };
        cmd.done({ change, atScan: this.stats.lastScanNumber, changed: false });
        continue;
      }
      const change = this.cadence.set(cmd.action, cmd.quantum, cmd.who);
      this.audit(cmd.who, cmd.action, quantumText(change.old), quantumText(change.next));
      cmd.done({ change, atScan: this.stats.lastScanNumber, changed: true });
    }
  }

  private reject(seq: number, text: string, reason: string, scanNumber: number | null): void {
    this.stats.rejected++;
    this.writer.write(REJECTS, {
      instance_id: this.engine.config.instance_id,
      source: this.sourceName,
      source_seq: seq,
      scan_number: scanNumber,
      reason,
      raw: text.length > 4096 ? `${text.slice(0, 4096)}…` : text,
    });
  }

  private due(action: CadenceAction): boolean {
    return this.cadence.due(action, this.stats.accepted, this.clock.now());
  }

  private journalFills(f: Fills): void {
    if (f.trades.length + f.legs.length + f.events.length + f.venueFills.length > 0) {
      this.hooks.onFills?.(f);
    }
    for (const t of f.trades) this.writer.write(TRADES, t);
    for (const l of f.legs) this.writer.write(TRADE_EXIT_LEGS, l);
    for (const e of f.events) this.writer.write(ORDER_EVENTS, e);
    for (const v of f.venueFills) this.writer.write(VENUE_FILLS, v);
    this.stats.trades += f.trades.length;
  }

  private flushed(ok: boolean, upTo: number | null): void {
    if (ok) {
      this.hooks.onFlushed?.(upTo);
      return;
    }
    this.stats.flushFailures++;
    this.hooks.onFlushFailure?.(this.writer.lastError ?? 'unknown error');
  }

  /** journal-flush: the spool is synced at once, the database catches up in the background. */
  private flushSoon(): void {
    this.stats.spoolPeak = Math.max(this.stats.spoolPeak, this.writer.pending);
    this.stats.flushes++;
    const upTo = this.stats.lastScanNumber;
    this.writer.flushInBackground((ok) => this.flushed(ok, upTo));
  }

  private handle(r: SourceRecord, planes: Planes | null): void {
    const scan = this.accept(r, planes);
    if (scan === null) return;
    const x = this.exchange;
    const exitCheck = this.exitCheck();
    if (x !== null) this.journalFills(x.mark(scan, this.stats.accepted, exitCheck));
    const row = this.decide(scan);
    if (row !== null && x !== null) this.journalFills(x.enter(row, scan, this.stats.accepted));
    this.finish(scan);
  }

  /**
   * `handle` with a venue: its orders go out and are answered before the decision (after the
   * marks) and before the next scan (after the entry), so it sees what the mock would.
   */
  private async handleVenue(r: SourceRecord, planes: Planes | null, x: VenueExecution) {
    const scan = this.accept(r, planes);
    if (scan === null) return;
    // Decided and journaled by the session this one took over: only the market state moves.
    if (!x.decided(scan)) {
      this.journalFills(x.mark(scan, this.stats.accepted, this.exitCheck()));
      this.settled(await x.settle());
      const row = this.decide(scan);
      if (row !== null) {
        this.journalFills(x.enter(row, scan, this.stats.accepted));
        this.settled(await x.settle());
      }
      const state = x.stateRow(scan, this.stats.accepted);
      if (state !== null) this.writer.write(POSITION_STATE, state);
    }
    this.finish(scan);
  }

  /** A venue's fills are journaled and made durable at once: a kill loses none of them. */
  private settled(f: Fills): void {
    this.journalFills(f);
    if (f.venueFills.length > 0) this.writer.sync();
  }

  /** The record parsed, checked and counted as the next scan (null: refused or seen). */
  private accept(r: SourceRecord, planes: Planes | null): Scan | null {
    const { seq, text } = r;
    const redelivered = r.redelivered === true;
    this.stats.records++;
    // A row refused by the journal for good stops the run before it decides any further.
    if (this.writer.conflict !== null) throw this.writer.conflict;
    const parsed: Result<Scan> = r.parsed ?? parseScanLine(text);
    if (!parsed.ok) {
      this.reject(seq, text, parsed.reason, null);
      return null;
    }
    const scan = planes === null ? parsed.value : withPlanes(parsed.value, planes);
    const last = this.stats.lastScanNumber;
    if (redelivered && last !== null && scan.scan_number <= last) {
      // Already decided and journaled: a live feed's second delivery, not a bad scan.
      this.stats.redeliveries++;
      return null;
    }
    if (last !== null && scan.scan_number <= last) {
      this.reject(seq, text, `scan_number: not increasing (previous ${last})`, scan.scan_number);
      return null;
    }
    this.clock.advance?.(scan.ts);
    this.applyReplayed(scan.scan_number);
    this.applyCommands();
    // Between scans only (not on a timer tick): a venue's scan may be waiting on its orders.
    this.applyArming();
    this.stats.accepted++;
    this.stats.lastScanNumber = scan.scan_number;
    this.stats.lastScanTs = scan.ts;
    this.lastAcceptedAt = this.wall.now();
    const universe = this.engine.observe(scan);
    if (universe !== null) {
      this.writer.write(UNIVERSE, {
        instance_id: this.engine.config.instance_id,
        scan_number: scan.scan_number,
        ts: scan.ts,
        symbols: universe,
      });
    }
    return scan;
  }

  private exitCheck(): boolean {
    const due = this.due('exit-check');
    if (due) this.stats.exitChecks++;
    return due;
  }

  /** The decision, journaled, when one is due (shadow holds no position: the slot is free). */
  private decide(scan: Scan): DecisionRow | null {
    if (!this.due('decide')) return null;
    const x = this.exchange;
    const row = this.engine.decide(
      scan,
      x === null ? 'FREE' : x.slotState(),
      x === null ? this.engine.config.capital : x.capital,
    );
    this.writer.write(DECISIONS, row);
    this.stats.decisions++;
    if (row.actuated) this.stats.actuated++;
    return row;
  }

  private finish(scan: Scan): void {
    if (this.exchange !== null) this.stats.orders = this.exchange.orders;
    this.hooks.afterScan?.(scan);
    if (this.due('journal-flush')) this.flushSoon();
    this.timed();
  }

  /** Actions that may also fall due on clock time alone, between scans. */
  private timed(): void {
    if (this.due('stats-snapshot')) {
      this.stats.snapshots++;
      this.hooks.onSnapshot?.(this.stats);
    }
    if (this.due('report')) this.hooks.onReport?.(this.stats);
  }

  /** A scan decided by an earlier run: it only feeds the market state, as it did then. */
  private warm(text: string): void {
    const parsed = parseScanLine(text);
    if (!parsed.ok) return;
    const scan = parsed.value;
    const last = this.stats.lastScanNumber;
    if (last !== null && scan.scan_number <= last) return;
    this.clock.advance?.(scan.ts);
    this.stats.lastScanNumber = scan.scan_number;
    this.stats.lastScanTs = scan.ts;
    this.engine.observe(scan);
  }

  /** A timer tick (live clock): time-based quanta fire even when no scan arrives. */
  tick(): void {
    this.applyCommands();
    if (this.due('journal-flush')) this.flushSoon();
    this.timed();
  }

  async run(source: ScanSource): Promise<RunStats> {
    const started = this.wall.now();
    this.sourceName = basename(source.name);
    // Twice the history depth, so a few rejected records among them still leave it full.
    const warm = (await source.warmup?.(2 * this.engine.history.depth)) ?? [];
    for (const r of warm) this.warm(r.text);
    const timer = this.tickMs > 0 ? this.wall.every(this.tickMs, () => this.tick()) : null;
    try {
      return await this.replay(source, started);
    } finally {
      timer?.cancel();
    }
  }

  private async replay(source: ScanSource, started: number): Promise<RunStats> {
    let bytes = 0;
    let sinceYield = 0;
    let sinceProgress = 0;
    for await (const batch of source.batches()) {
      const planes = source.planes?.() ?? null;
      if (source.commit !== undefined) {
        for (const r of batch) {
          if (this.venue === null) this.handle(r, planes);
          else await this.handleVenue(r, planes, this.venue);
        }
        this.writer.sync();
        await source.commit(batch);
        this.hooks.onProgress?.(this.stats, null);
        continue;
      }
      for (const r of batch) {
        bytes += r.size ?? r.text.length + 1;
        try {
          if (this.venue === null) this.handle(r, planes);
          else await this.handleVenue(r, planes, this.venue);
        } catch (e) {
          this.stats.errors++;
          throw e;
        }
        if (this.stopping) break;
        if (++sinceYield >= YIELD_EVERY || this.ratePerSec > 0) {
          sinceYield = 0;
          if (++sinceProgress >= PROGRESS_EVERY / YIELD_EVERY || this.ratePerSec > 0) {
            sinceProgress = 0;
            this.hooks.onProgress?.(this.stats, source.bytes === null ? null : bytes);
          }
          if (this.ratePerSec > 0) {
            const ahead =
              (this.stats.records * 1000) / this.ratePerSec - (this.wall.now() - started);
            if (ahead > 1) await this.wall.sleep(ahead);
            else await yieldLoop();
          } else await yieldLoop();
        }
      }
      if (this.stopping) break;
    }
    this.applyCommands();
    this.applyArming();
    this.stats.spoolPeak = Math.max(this.stats.spoolPeak, this.writer.pending);
    this.flushed(await this.writer.flush(), this.stats.lastScanNumber);
    if (this.writer.conflict !== null) throw this.writer.conflict;
    this.hooks.onProgress?.(this.stats, source.bytes === null ? null : bytes);
    return this.stats;
  }
}
