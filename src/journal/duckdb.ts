// The embedded journal: one DuckDB file. A spool segment is read by DuckDB itself
// (`read_json`) and inserted with `INSERT OR IGNORE` on the table's key: idempotent, and a
// different row under a key already held is refused, never silently dropped.
// DuckDB also writes every export format, for this journal and for ClickHouse's.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { UsageError } from '../common/errors.js';
import { quote, selectSql } from './read.js';
import { type Cell, type Column, createTableSql, TABLES, type TableSpec } from './schema.js';
import {
  type ExportFormat,
  JournalConflict,
  type JournalSink,
  keyText,
  rowsDifferSql,
  type SegmentFile,
  type SegmentScans,
  type Selection,
} from './sink.js';

const COPY_OPTIONS: Readonly<Record<ExportFormat, string>> = {
  jsonl: 'FORMAT JSON',
  csv: 'FORMAT CSV, HEADER',
  parquet: 'FORMAT PARQUET',
};

/**
 * DuckDB's memory limit in a process writing the journal. Without one, DuckDB keeps every
 * block a checkpoint writes in memory until 80% of the machine's is in use, so a long run's
 * memory grows with the journal file. Inserting needs far less: DuckDB's JSON reader holds
 * two 32 MB buffers for a segment (counted in full though it fills little of them), and the
 * rows since the last checkpoint stay in memory (up to about 40 MB at DuckDB's 16 MB WAL
 * threshold). Past the limit DuckDB first drops blocks already in the file, read again if a
 * query needs them, and only then spills to a `.tmp` folder beside the journal.
 */
export const WRITER_MEMORY_LIMIT = '128MB';

/**
 * Threads of a writer process's DuckDB. A flush inserts a few small JSON Lines segments: with
 * one thread per core, DuckDB spent a quarter more CPU on them (a backtest's four segments
 * per flush most of all) and took it from the engine's own thread, on a two-core machine
 * 0.75–0.83× of the replay's pace against 0.92–0.96× with one thread; the replay's own pace
 * did not drop.
 */
export const WRITER_THREADS = '1';

/**
 * Memory a writer process's DuckDB frees in bulk (a flush's reader buffers, a checkpoint's)
 * goes back to the system past this much, not past DuckDB's default 512 MB: over 10^6 scans
 * the peak RSS measured 275 MB against 366 MB with the default.
 */
export const WRITER_FREE_BACK = '16MB';

/** A JSON Lines file read with the schema's types for `columns`. */
export function readJsonSql(path: string, columns: readonly Column[]): string {
  const types = columns.map((c) => `'${c.name}': '${c.type}'`).join(', ');
  return `read_json(${quote(path)}, format = 'newline_delimited', columns = {${types}})`;
}

/** COPY of a selection read from `from`; returns the rows written. */
export async function copySelection(
  connection: DuckDBConnection,
  from: string,
  s: Selection,
  format: ExportFormat,
  out: string,
): Promise<number> {
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  const r = await connection.runAndReadAll(
    `COPY (${selectSql(from, s)}) TO ${quote(out)} (${COPY_OPTIONS[format]})`,
  );
  return Number(r.getRowObjectsJS()[0]?.Count ?? 0);
}

function toJs(v: unknown): Cell {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    return v;
  }
  return String(v);
}

/**
 * DuckDB's file-lock error as one line that names the holder and what to do; any other
 * error as it is.
 */
export function lockedJournal(e: unknown, path: string): unknown {
  const held = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec((e as Error).message);
  if (held === null) return e;
  return new UsageError(
    `journal ${path} is in use by another process (pid ${held[2]}, ${held[1]}): wait for it to end or stop it; a running engine reports on its control endpoint and in violet status`,
  );
}

/** A table keyed by instance and scan: its new rows can be told by their scan numbers. */
function scanKeyed(t: TableSpec): boolean {
  return t.key.includes('instance_id') && t.key.includes('scan_number');
}

export class DuckDbJournal implements JournalSink {
  readonly kind = 'duckdb';
  /**
   * The highest scan number each instance holds in each scan-keyed table (null: none), asked
   * once and then kept up to date by this process's inserts (the journal's lock keeps every
   * other process out meanwhile).
   */
  private readonly heldScan = new Map<string, number | null>();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /**
   * `writer`: the process drains a spool into the journal, for as long as it runs, under
   * `WRITER_MEMORY_LIMIT`, on `WRITER_THREADS`, giving memory back past `WRITER_FREE_BACK`;
   * any other (an export, a report) keeps DuckDB's defaults.
   */
  static async open(path: string, o: { writer?: boolean } = {}): Promise<DuckDbJournal> {
    mkdirSync(dirname(path), { recursive: true });
    const config: Record<string, string> =
      o.writer === true
        ? {
            memory_limit: WRITER_MEMORY_LIMIT,
            threads: WRITER_THREADS,
            allocator_bulk_deallocation_flush_threshold: WRITER_FREE_BACK,
          }
        : {};
    const instance = await DuckDBInstance.create(path, config).catch((e: unknown) => {
      throw lockedJournal(e, path);
    });
    const connection = await instance.connect();
    for (const t of TABLES) await connection.run(createTableSql(t));
    return new DuckDbJournal(instance, connection);
  }

  /**
   * A segment this process wrote (`scans` given, by the spool) goes in with one plain INSERT
   * when it can hold no key the journal has: in a table keyed by instance and scan, when all
   * its scans lie past those its instances hold; in any other table, tried at once, as the
   * primary key refuses a held key and the INSERT, one statement, then inserts nothing. Any
   * other segment (or one refused so) is checked in one transaction: read into a temporary
   * table, refused if any of its rows differs from one the journal holds under the same key,
   * else inserted (rows already there, the same, are skipped).
   */
  async insertFile(t: TableSpec, path: string, scans?: SegmentScans): Promise<void> {
    const cols = t.columns.map((c) => c.name).join(', ');
    if (scans !== undefined && (await this.allNew(t, scans))) {
      try {
        await this.connection.run(
          `INSERT INTO ${t.name} SELECT ${cols} FROM ${readJsonSql(path, t.columns)}`,
        );
        this.held(t, scans);
        return;
      } catch (e) {
        // A key held after all (a rerun, or the journal changed meanwhile): check it fully.
        if (!/constraint/i.test((e as Error).message)) throw e;
        this.forget(t);
      }
    }
    const c = this.connection;
    await c.run('BEGIN TRANSACTION');
    try {
      await c.run(
        `CREATE OR REPLACE TEMP TABLE violet_segment AS SELECT ${cols} FROM ${readJsonSql(path, t.columns)}`,
      );
      const on = t.key.map((k) => `s.${k} = j.${k}`).join(' AND ');
      const keys = t.key.map((k) => `s.${k}`).join(', ');
      const clash = await this.query(
        `SELECT ${keys} FROM violet_segment s JOIN ${t.name} j ON ${on} WHERE ${rowsDifferSql(t, 's', 'j')} ORDER BY ${keys} LIMIT 1`,
      );
      if (clash[0] !== undefined) throw new JournalConflict(t.name, keyText(t, clash[0]));
      await c.run(`INSERT OR IGNORE INTO ${t.name} SELECT ${cols} FROM violet_segment`);
      await c.run('DROP TABLE violet_segment');
      await c.run('COMMIT');
    } catch (e) {
      await c.run('ROLLBACK').catch(() => {});
      throw e;
    }
    // What the table now holds: known from the segment's own scans, else asked again.
    if (scans !== undefined) this.held(t, scans);
    else this.forget(t);
  }

  /**
   * Segments this process wrote go in with plain INSERTs in one transaction when each could
   * take the fast way of `insertFile` (its scans past those held, or a table not keyed by
   * scan): one commit, so one write of the log to disk, for a whole flush. A key held after
   * all rolls the whole transaction back (false): then each segment takes `insertFile`.
   */
  async insertFilesAtOnce(segments: readonly SegmentFile[]): Promise<boolean> {
    for (const s of segments) {
      if (s.scans === undefined || !(await this.allNew(s.table, s.scans))) return false;
    }
    const inserts = segments.map((s) => {
      const cols = s.table.columns.map((c) => c.name).join(', ');
      return `INSERT INTO ${s.table.name} SELECT ${cols} FROM ${readJsonSql(s.path, s.table.columns)}`;
    });
    try {
      await this.connection.run(['BEGIN TRANSACTION', ...inserts, 'COMMIT'].join(';\n'));
    } catch (e) {
      await this.connection.run('ROLLBACK').catch(() => {});
      if (!/constraint/i.test((e as Error).message)) throw e;
      for (const s of segments) this.forget(s.table);
      return false;
    }
    for (const s of segments) this.held(s.table, s.scans as SegmentScans);
    return true;
  }

  private forget(t: TableSpec): void {
    for (const k of [...this.heldScan.keys()]) {
      if (k.startsWith(`${t.name}\0`)) this.heldScan.delete(k);
    }
  }

  /** False when `t` is keyed by instance and scan and a scan in `scans` is not past those held. */
  private async allNew(t: TableSpec, scans: SegmentScans): Promise<boolean> {
    if (!scanKeyed(t)) return true;
    for (const [instance, r] of scans) {
      const k = `${t.name}\0${instance}`;
      let held = this.heldScan.get(k);
      if (held === undefined) {
        const rows = await this.query(
          `SELECT max(scan_number) AS m FROM ${t.name} WHERE instance_id = ${quote(instance)}`,
        );
        const m = rows[0]?.m;
        held = typeof m === 'number' ? m : null;
        this.heldScan.set(k, held);
      }
      if (held !== null && r.min <= held) return false;
    }
    return true;
  }

  private held(t: TableSpec, scans: SegmentScans): void {
    if (!scanKeyed(t)) return;
    for (const [instance, r] of scans) {
      const k = `${t.name}\0${instance}`;
      const held = this.heldScan.get(k);
      if (held !== undefined) this.heldScan.set(k, held === null ? r.max : Math.max(held, r.max));
    }
  }

  from(t: TableSpec): string {
    return t.name;
  }

  async query(sql: string): Promise<Record<string, Cell>[]> {
    const r = await this.connection.runAndReadAll(sql);
    return r.getRowObjectsJS().map((o) => {
      const out: Record<string, Cell> = {};
      for (const [k, v] of Object.entries(o)) out[k] = toJs(v);
      return out;
    });
  }

  copyTo(s: Selection, format: ExportFormat, out: string): Promise<number> {
    return copySelection(this.connection, s.table.name, s, format, out);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
