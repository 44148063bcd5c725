// A journal sink: where spooled rows end up. Inserts must be idempotent on each table's key.
import type { Cell, TableSpec } from './schema.js';

export interface JournalSink {
  readonly kind: string;
  insert(table: TableSpec, rows: readonly (readonly Cell[])[]): Promise<void>;
  /** Rows of a table, ordered by its key, as JS values (BIGINT as number). */
  query(sql: string): Promise<Record<string, Cell>[]>;
  close(): void;
}
