// The journal writer: rows go to the spool at once and to the sink in the background at
// each flush. If the sink cannot be opened or refuses a segment, rows wait in the spool
// (nothing is lost) and the next flush, or the next run, drains them.

import type { Journal } from '../engine/ports.js';
import { TABLES, type TableSpec } from './schema.js';
import { JournalConflict, type JournalSink, type SegmentFile } from './sink.js';
import type { Segment, Spool } from './spool.js';

const BY_NAME = new Map(TABLES.map((t) => [t.name, t]));

export class JournalWriter implements Journal {
  private sink: JournalSink | null = null;
  /** The last drain queued; drains never reject (errors go to lastError). */
  private tail: Promise<boolean> = Promise.resolve(true);
  /** Callbacks of the background drain queued (not started yet). */
  private waiting: ((ok: boolean) => void)[] = [];
  /** The last sink error, cleared by a successful flush. */
  lastError: string | null = null;
  /** The first segment refused for a conflicting row: the run must stop (see `JournalConflict`). */
  conflict: JournalConflict | null = null;
  committed = 0;

  constructor(
    readonly spool: Spool,
    private readonly openSink: () => Promise<JournalSink>,
  ) {}

  /** `row` is the table's own row type (a DecisionRow for DECISIONS, …). */
  write<R extends object>(t: TableSpec<R>, row: NoInfer<R>): void {
    this.spool.append(t.name, row);
  }

  /** Rows written and not yet committed to the sink. */
  get pending(): number {
    return this.spool.pending;
  }

  /** Makes buffered rows survive a process kill (no database involved). */
  sync(): void {
    this.spool.sync();
  }

  /** The open sink, or null (lastError set) if it cannot be opened. */
  async connected(): Promise<JournalSink | null> {
    if (this.sink === null) {
      try {
        this.sink = await this.openSink();
      } catch (e) {
        this.lastError = firstLine(e);
      }
    }
    return this.sink;
  }

  /** `sealFirst` false: a background drain takes what its flush sealed, not what came since. */
  private async drain(sealFirst = true): Promise<boolean> {
    try {
      const sink = await this.connected();
      if (sink === null) {
        if (sealFirst) this.spool.seal();
        return false;
      }
      const atOnce = sink.insertFilesAtOnce?.bind(sink);
      this.committed += await this.spool.drain(
        async (seg) => {
          const t = tableOf(seg.table);
          try {
            await sink.insertFile(t, seg.path, seg.scans);
          } catch (e) {
            if (!(e instanceof JournalConflict)) throw e;
            // Refused for good: set aside (kept), and the run that wrote it must stop.
            const kept = this.spool.setAside(seg);
            this.conflict ??= new JournalConflict(e.table, e.where, kept);
          }
        },
        sealFirst,
        atOnce === undefined ? undefined : (segs) => atOnce(segs.map(segmentFile)),
      );
      this.lastError = null;
      return true;
    } catch (e) {
      this.lastError = firstLine(e);
      return false;
    }
  }

  /** Seals the spool and drains it in the background; the result arrives via `onDone`. */
  flushInBackground(onDone: (ok: boolean) => void): void {
    this.spool.seal();
    // A drain already queued behind the running one takes these segments too.
    this.waiting.push(onDone);
    if (this.waiting.length > 1) return;
    void this.serially(() => {
      const done = this.waiting;
      this.waiting = [];
      return this.drain(false).then((ok) => {
        for (const f of done) f(ok);
        return ok;
      });
    });
  }

  /** Drains everything sealed so far, after any drain under way; false if the sink failed. */
  flush(): Promise<boolean> {
    return this.serially(() => this.drain());
  }

  /** Drains run one at a time (a segment is committed and released exactly once). */
  private serially(f: () => Promise<boolean>): Promise<boolean> {
    const next = this.tail.then(f);
    this.tail = next;
    return next;
  }

  close(): void {
    this.spool.close();
    this.sink?.close();
    this.sink = null;
  }
}

function segmentFile(seg: Segment): SegmentFile {
  const file = { table: tableOf(seg.table), path: seg.path };
  return seg.scans === undefined ? file : { ...file, scans: seg.scans };
}

function tableOf(name: string): TableSpec {
  const t = BY_NAME.get(name);
  if (t === undefined) throw new Error(`spool holds a segment for an unknown table ${name}`);
  return t;
}

function firstLine(e: unknown): string {
  return (e as Error).message.split('\n')[0] ?? 'unknown error';
}
