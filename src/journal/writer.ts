// The journal writer: rows go to the spool at once and to the sink at each flush. If the
// sink cannot be opened or refuses a batch, rows wait in the spool (nothing is lost) and
// the next flush, or the next run, drains them.
import type { JournalSink } from './sink.js';
import { type Cell, type Row, TABLES, type TableSpec } from './schema.js';
import { Spool, type SpooledRow } from './spool.js';

const BY_NAME = new Map(TABLES.map((t) => [t.name, t]));

export function rowValues(t: TableSpec, row: Row): Cell[] {
  return t.columns.map((c) => row[c.name] ?? null);
}

export class JournalWriter {
  private sink: JournalSink | null = null;
  /** The last sink error, cleared by a successful flush. */
  lastError: string | null = null;
  committed = 0;

  constructor(
    readonly spool: Spool,
    private readonly openSink: () => Promise<JournalSink>,
  ) {}

  /** `row` holds the table's columns by name (a DecisionRow, RejectRow, …). */
  write(t: TableSpec, row: object): void {
    this.spool.append(t.name, rowValues(t, row as Row));
  }

  /** Makes buffered rows survive a process kill (no database involved). */
  sync(): void {
    this.spool.sync();
  }

  /** Drains the spool into the sink; false (and lastError set) when the sink is unavailable. */
  async flush(): Promise<boolean> {
    try {
      if (this.sink === null) this.sink = await this.openSink();
      const sink = this.sink;
      this.committed += await this.spool.drain((rows) => commitRows(sink, rows));
      this.lastError = null;
      return true;
    } catch (e) {
      this.lastError = (e as Error).message.split('\n')[0] ?? 'unknown error';
      this.spool.seal();
      return false;
    }
  }

  /** The open sink, or null if it could not be opened. */
  async connected(): Promise<JournalSink | null> {
    if (this.sink === null) {
      try {
        this.sink = await this.openSink();
      } catch (e) {
        this.lastError = (e as Error).message.split('\n')[0] ?? 'unknown error';
      }
    }
    return this.sink;
  }

  close(): void {
    this.spool.close();
    this.sink?.close();
    this.sink = null;
  }
}

async function commitRows(sink: JournalSink, rows: readonly SpooledRow[]): Promise<void> {
  const byTable = new Map<string, Cell[][]>();
  for (const r of rows) {
    let list = byTable.get(r.table);
    if (list === undefined) byTable.set(r.table, (list = []));
    list.push(r.values as Cell[]);
  }
  for (const [name, list] of byTable) {
    const t = BY_NAME.get(name);
    if (t === undefined) throw new Error(`spool holds rows for an unknown table ${name}`);
    await sink.insert(t, list);
  }
}
