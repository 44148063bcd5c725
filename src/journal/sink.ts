// A journal sink: where spooled rows end up. Inserts must be idempotent on each table's key.
import type { Cell, TableSpec } from './schema.js';

export interface JournalSink {
  readonly kind: string;
  /** Ingests a spool segment (JSON Lines, one row object per line) into `table`. */
  insertFile(table: TableSpec, path: string): Promise<void>;
  /** Runs a query; BIGINT comes back as number. */
  query(sql: string): Promise<Record<string, Cell>[]>;
  close(): void;
}
