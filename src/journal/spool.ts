// The durable local spool (seed V3e): every journal row is appended here before any
// database sees it, as one JSON object per line in a segment file per table. Segments
// are sealed, handed to the sink (which ingests the file: DuckDB `read_json`, ClickHouse
// as RowBinary encoded from it) with idempotent inserts, and deleted only after the sink
// committed them, so a crash or an outage loses nothing and a retry duplicates nothing.
import {
  close,
  closeSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { processAlive } from '../common/process.js';

const SEGMENT = /^(\d{12})\.([a-z_]+)\.jsonl$/;
/** Holds the pid of the process writing the spool: one process per spool. */
const LOCK = 'LOCK';
/** Segments the sink refused for good (a conflicting row): kept for the operator. */
export const REFUSED = 'refused';

/** Takes the spool's lock; a lock left by a dead process (a kill) is taken over. */
function takeLock(dir: string): string {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(path, 'utf8').trim());
    } catch {
      // Released meanwhile: try again.
    }
    if (pid === process.pid) return path;
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new UsageError(
        `spool ${dir} is in use by another process (pid ${pid}): wait for it to end or stop it; a DuckDB journal takes one writing process at a time (give another process its own journal file), a ClickHouse journal one process per set of instances`,
      );
    }
    try {
      unlinkSync(path);
    } catch {
      // Another process took it over first.
    }
  }
  throw new UsageError(`spool ${dir}: cannot take its lock file ${path}`);
}

export interface Segment {
  readonly seq: number;
  readonly table: string;
  readonly path: string;
  readonly rows: number;
  /**
   * Scan numbers per instance of the rows that carry both: present exactly for a segment
   * this process wrote (not one found on disk), empty when no row carries a scan number.
   */
  readonly scans?: ReadonlyMap<string, { min: number; max: number }>;
  /** Settles once the segment is on disk for good (its fsync, run off the thread). */
  readonly durable?: Promise<void>;
}

interface Open {
  fd: number;
  path: string;
  rows: number;
  scans: Map<string, { min: number; max: number }>;
}

function countLines(path: string): number {
  const b = readFileSync(path);
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  return n;
}

export class Spool {
  private readonly open = new Map<string, Open>();
  private readonly buffers = new Map<string, string[]>();
  /** Scan numbers per instance of the rows buffered, by table (see `Segment.scans`). */
  private readonly bufferedScans = new Map<string, Map<string, { min: number; max: number }>>();
  private sealed: Segment[] = [];
  private next: number;
  private inMemory = 0;
  /** Torn tails (a crash in the middle of a write) cut off when the spool was opened. */
  readonly torn: number = 0;

  private lock: string | null;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.lock = takeLock(dir);
    let torn = 0;
    for (const f of readdirSync(dir).sort()) {
      const m = SEGMENT.exec(f);
      if (m === null) continue;
      const path = join(dir, f);
      torn += cutTornTail(path);
      this.sealed.push({ seq: Number(m[1]), table: m[2] as string, path, rows: countLines(path) });
    }
    this.torn = torn;
    this.next = (this.sealed.at(-1)?.seq ?? 0) + 1;
  }

  /** Appends one row (an object of the table's columns); written at the next sync. */
  append(table: string, row: object): void {
    let b = this.buffers.get(table);
    if (b === undefined) {
      b = [];
      this.buffers.set(table, b);
    }
    b.push(JSON.stringify(row));
    this.inMemory++;
    const { instance_id: instance, scan_number: scan } = row as {
      instance_id?: unknown;
      scan_number?: unknown;
    };
    if (typeof instance === 'string' && typeof scan === 'number') {
      let byInstance = this.bufferedScans.get(table);
      if (byInstance === undefined) {
        byInstance = new Map();
        this.bufferedScans.set(table, byInstance);
      }
      const r = byInstance.get(instance);
      if (r === undefined) byInstance.set(instance, { min: scan, max: scan });
      else {
        if (scan < r.min) r.min = scan;
        if (scan > r.max) r.max = scan;
      }
    }
  }

  /**
   * Rows on disk and not yet committed to the sink (written or sealed): what survives a
   * kill. Rows still in memory are not counted (see `buffered`).
   */
  get depth(): number {
    let n = 0;
    for (const o of this.open.values()) n += o.rows;
    for (const s of this.sealed) n += s.rows;
    return n;
  }

  /** Rows appended and not yet written to a segment (a kill loses them; a rerun recomputes). */
  get buffered(): number {
    return this.inMemory;
  }

  /** Rows not yet committed to the sink, in memory or on disk. */
  get pending(): number {
    return this.depth + this.inMemory;
  }

  /** Writes buffered rows to the open segments (survives a process kill); `durable` fsyncs. */
  sync(durable = false): void {
    for (const [table, b] of this.buffers) {
      if (b.length === 0) continue;
      let o = this.open.get(table);
      if (o === undefined) {
        const path = join(this.dir, `${String(this.next++).padStart(12, '0')}.${table}.jsonl`);
        o = { fd: openSync(path, 'a'), path, rows: 0, scans: new Map() };
        this.open.set(table, o);
      }
      writeSync(o.fd, `${b.join('\n')}\n`);
      o.rows += b.length;
      b.length = 0;
      for (const [instance, r] of this.bufferedScans.get(table) ?? []) {
        const held = o.scans.get(instance);
        if (held === undefined) o.scans.set(instance, { ...r });
        else {
          held.min = Math.min(held.min, r.min);
          held.max = Math.max(held.max, r.max);
        }
      }
      this.bufferedScans.get(table)?.clear();
    }
    this.inMemory = 0;
    if (durable) for (const o of this.open.values()) fsyncSync(o.fd);
  }

  /**
   * Writes the buffered rows and closes the open segments, which become ready to drain.
   * `now`: fsync before returning. Otherwise the fsync runs on libuv's threads (the engine's
   * thread goes on deciding) and a drain waits for it (`Segment.durable`) before the sink
   * may commit the segment and it may be deleted.
   */
  seal(now = false): void {
    this.sync(now);
    const done: Segment[] = [];
    for (const [table, o] of this.open) {
      const seq = Number(SEGMENT.exec(o.path.slice(this.dir.length + 1))?.[1]);
      const seg = { seq, table, path: o.path, rows: o.rows, scans: o.scans };
      if (now) {
        closeSync(o.fd);
        done.push(seg);
        continue;
      }
      const durable = new Promise<void>((resolve, reject) => {
        fsync(o.fd, (e) => close(o.fd, () => (e === null ? resolve() : reject(e))));
      });
      // A failed fsync is reported by the drain that waits for it, not as an unhandled rejection.
      durable.catch(() => {});
      done.push({ ...seg, durable });
    }
    this.open.clear();
    this.sealed = [...this.sealed, ...done].sort((a, b) => a.seq - b.seq);
  }

  /** Sealed segments, oldest first. */
  segments(): readonly Segment[] {
    return this.sealed;
  }

  /** Deletes a segment once its rows are committed. */
  release(seg: Segment): void {
    unlinkSync(seg.path);
    this.sealed = this.sealed.filter((s) => s !== seg);
  }

  /** Moves a segment the sink refused for good into `refused/` (kept, never retried). */
  setAside(seg: Segment): string {
    const dir = join(this.dir, REFUSED);
    mkdirSync(dir, { recursive: true });
    const to = join(dir, basename(seg.path));
    renameSync(seg.path, to);
    this.sealed = this.sealed.filter((s) => s !== seg);
    return to;
  }

  /**
   * Hands each sealed segment to `commit`, oldest first; stops at the first failure.
   * `sealFirst` false: only what is sealed already (a background drain, whose flush sealed;
   * sealing again would cut off the few rows written since as a segment of their own).
   * `commitAll`: tried first with every sealed segment; false, and each goes to `commit`.
   */
  async drain(
    commit: (seg: Segment) => Promise<void>,
    sealFirst = true,
    commitAll?: (segs: readonly Segment[]) => Promise<boolean>,
  ): Promise<number> {
    if (sealFirst) this.seal();
    let drained = 0;
    // Several segments at once, when the sink can vouch for them together (`commitAll`).
    const all = [...this.sealed];
    if (commitAll !== undefined && all.length > 1) {
      for (const seg of all) await seg.durable;
      if (await commitAll(all)) {
        for (const seg of all) {
          await unlink(seg.path);
          this.sealed = this.sealed.filter((s) => s !== seg);
          drained += seg.rows;
        }
        return drained;
      }
    }
    for (const seg of [...this.sealed]) {
      await seg.durable;
      await commit(seg);
      if (!this.sealed.includes(seg)) continue; // set aside by `commit`
      await unlink(seg.path);
      this.sealed = this.sealed.filter((s) => s !== seg);
      drained += seg.rows;
    }
    return drained;
  }

  /** Seals the open segments (on disk before it returns) and lets another process take the spool. */
  close(): void {
    this.seal(true);
    if (this.lock === null) return;
    try {
      if (Number(readFileSync(this.lock, 'utf8').trim()) === process.pid) unlinkSync(this.lock);
    } catch {
      // Already gone.
    }
    this.lock = null;
  }
}

/** Cuts an incomplete last line (a write torn by a crash); returns 1 if it cut one. */
function cutTornTail(path: string): number {
  const size = statSync(path).size;
  if (size === 0) return 0;
  const b = readFileSync(path);
  if (b[size - 1] === 10) return 0;
  truncateSync(path, b.lastIndexOf(10) + 1);
  return 1;
}
