// A journal sink: where spooled rows end up. Inserts must be idempotent on each table's key,
// and reads must see each key once.
import { UsageError } from '../common/errors.js';
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

/**
 * The scan numbers a segment holds, per instance (its rows that carry both): what the spool
 * saw as it wrote them, given only for a segment written by this process. A sink may skip
 * looking for held keys when every one is new.
 */
export type SegmentScans = ReadonlyMap<string, { readonly min: number; readonly max: number }>;

/** A spool segment as a sink ingests it. */
export interface SegmentFile {
  readonly table: TableSpec;
  readonly path: string;
  readonly scans?: SegmentScans;
}

export interface JournalSink {
  readonly kind: string;
  /**
   * Ingests a spool segment (JSON Lines, one row object per line) into `table`; `scans`,
   * when known, are the scan numbers its rows carry.
   */
  insertFile(table: TableSpec, path: string, scans?: SegmentScans): Promise<void>;
  /**
   * Optional: ingests several segments this process wrote, all of new keys, in one
   * transaction (one commit to disk for a whole flush). False, with nothing inserted, when
   * that cannot be vouched for; then each segment goes through `insertFile`.
   */
  insertFilesAtOnce?(segments: readonly SegmentFile[]): Promise<boolean>;
  /** `table` as a FROM item that sees each key once (ClickHouse: `table FINAL`). */
  from(table: TableSpec): string;
  /** Runs a query; BIGINT comes back as number. */
  query(sql: string): Promise<Record<string, Cell>[]>;
  /** Writes a selection to `out` (JSON Lines, CSV with a header, or Parquet); returns its rows. */
  copyTo(s: Selection, format: ExportFormat, out: string): Promise<number>;
  close(): void;
}

/**
 * A row under a key the journal already holds with other values: idempotent inserts would
 * keep the old row and drop this one without a word, so the segment is refused instead.
 */
export class JournalConflict extends UsageError {
  constructor(
    readonly table: string,
    readonly where: string,
    /** Where the refused rows were set aside, once they were. */
    readonly keptAt: string | null = null,
  ) {
    super(
      `the journal already holds a different ${table} row for ${where}: these scans are not the ones journaled under these numbers (another market, or another run of this instance); journal them under another --instance or into another journal${keptAt === null ? '' : `; the refused rows are kept in ${keptAt}`}`,
    );
  }
}

/** A conflicting key as words: "instance X at scan N", or "instance X, trade_id 4". */
export function keyText(t: TableSpec, row: Record<string, Cell>): string {
  const rest = t.key.filter((k) => k !== 'instance_id');
  const parts = rest.map((k) => (k === 'scan_number' ? `scan ${row[k]}` : `${k} ${row[k]}`));
  return `instance ${row.instance_id}${rest[0] === 'scan_number' ? ' at ' : ', '}${parts.join(', ')}`;
}

/** SQL true when two aliases' rows differ in any column (NULLs compare equal). */
export function rowsDifferSql(t: TableSpec, a: string, b: string): string {
  return t.columns.map((c) => `${a}.${c.name} IS DISTINCT FROM ${b}.${c.name}`).join(' OR ');
}
