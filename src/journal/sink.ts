// A journal sink: where spooled rows end up. Inserts must be idempotent on each table's key,
// and reads must see each key once.
import type { Cell, TableSpec } from './schema.js';

export const EXPORT_FORMATS = ['jsonl', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Columns of a table (in this order), of one instance or all, in a total order. */
export interface Selection {
  readonly table: TableSpec;
  readonly columns: readonly string[];
  readonly instance: string | null;
  readonly orderBy: readonly string[];
}

export interface JournalSink {
  readonly kind: string;
  /** Ingests a spool segment (JSON Lines, one row object per line) into `table`. */
  insertFile(table: TableSpec, path: string): Promise<void>;
  /** `table` as a FROM item that sees each key once (ClickHouse: `table FINAL`). */
  from(table: TableSpec): string;
  /** Runs a query; BIGINT comes back as number. */
  query(sql: string): Promise<Record<string, Cell>[]>;
  /** Writes a selection to `out` (JSON Lines, CSV with a header, or Parquet); returns its rows. */
  copyTo(s: Selection, format: ExportFormat, out: string): Promise<number>;
  close(): void;
}
