// The durable local spool (seed V3e): every journal row is appended here before any
// database sees it. Segments are sealed, drained into the sink with idempotent inserts,
// and deleted only after the sink committed them, so a crash or an outage loses nothing
// and a replayed segment duplicates nothing.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Cell } from './schema.js';

const SEGMENT = /^(\d{12})\.spool$/;

export interface SpooledRow {
  readonly table: string;
  readonly values: readonly Cell[];
}

export class Spool {
  private buffer: string[] = [];
  private fd: number | null = null;
  private next: number;
  private pendingRows = 0;
  /** Torn lines (a crash in the middle of a write) skipped while reading segments. */
  torn = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const existing = this.segmentNumbers();
    this.next = (existing.at(-1) ?? 0) + 1;
    for (const n of existing) this.pendingRows += this.read(n).length;
  }

  private segmentNumbers(): number[] {
    return readdirSync(this.dir)
      .map((f) => SEGMENT.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private path(n: number): string {
    return join(this.dir, `${String(n).padStart(12, '0')}.spool`);
  }

  append(table: string, values: readonly Cell[]): void {
    this.buffer.push(JSON.stringify([table, ...values]));
  }

  /** Rows not yet committed to the sink (written or buffered). */
  get depth(): number {
    return this.pendingRows + this.buffer.length;
  }

  /** Writes buffered rows to the open segment; `durable` also fsyncs it. */
  sync(durable = false): void {
    if (this.buffer.length > 0) {
      if (this.fd === null) this.fd = openSync(this.path(this.next), 'a');
      writeSync(this.fd, `${this.buffer.join('\n')}\n`);
      this.pendingRows += this.buffer.length;
      this.buffer = [];
    }
    if (durable && this.fd !== null) fsyncSync(this.fd);
  }

  /** Syncs and closes the open segment; later rows go to a new one. */
  seal(): void {
    this.sync(true);
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      this.next++;
    }
  }

  private read(n: number): SpooledRow[] {
    const text = readFileSync(this.path(n), 'utf8');
    const rows: SpooledRow[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        this.torn++;
        continue;
      }
      if (!Array.isArray(v) || typeof v[0] !== 'string') {
        this.torn++;
        continue;
      }
      rows.push({ table: v[0], values: v.slice(1) as Cell[] });
    }
    return rows;
  }

  /**
   * Seals, then hands each sealed segment to `commit` in order and deletes it once the
   * commit resolved. Stops at the first failure, keeping that segment and the rest.
   */
  async drain(commit: (rows: readonly SpooledRow[]) => Promise<void>): Promise<number> {
    this.seal();
    let drained = 0;
    for (const n of this.segmentNumbers()) {
      const rows = this.read(n);
      await commit(rows);
      unlinkSync(this.path(n));
      this.pendingRows -= rows.length;
      drained += rows.length;
    }
    return drained;
  }

  close(): void {
    this.seal();
  }
}
