// Opening a journal by its location: a DuckDB file (the embedded default) or a ClickHouse
// URL, with its spool: beside the file, or under var/spool/ (relative to the working
// directory) for a URL, one per set of instances, since several processes may share one
// ClickHouse (a DuckDB file has one writer at a time anyway).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseJournal, isClickHouseUrl, parseClickHouseUrl } from './clickhouse.js';
import { DuckDbJournal } from './duckdb.js';
import type { JournalSink } from './sink.js';
import { Spool } from './spool.js';
import { JournalWriter } from './writer.js';

export const DEFAULT_JOURNAL = 'var/journal.duckdb';

/** Where a journal's local files go: the file itself, or var/spool/HOST_PORT_DB for a URL. */
function localBase(journal: string): string {
  if (!isClickHouseUrl(journal)) return journal;
  const at = parseClickHouseUrl(journal);
  const host = at.host.replace(/[^A-Za-z0-9.-]/g, '_');
  return join('var', 'spool', `${host}_${at.port}_${at.database}`);
}

/** The instances a process runs, as a folder name. */
function instanceKey(instances: readonly string[]): string {
  if (instances.length === 0) throw new Error('spool: no instance');
  return [...instances]
    .sort()
    .map((i) => i.replace(/[^A-Za-z0-9._-]/g, '_'))
    .join('+');
}

/** The spool of these instances on a journal. */
export function spoolDirFor(journal: string, instances: readonly string[]): string {
  if (!isClickHouseUrl(journal)) return `${journal}.spool`;
  return join(localBase(journal), instanceKey(instances));
}

/** Every spool a journal has locally (`journal drain` empties them all). */
export function spoolDirsOf(journal: string): string[] {
  if (!isClickHouseUrl(journal)) return [`${journal}.spool`];
  const base = localBase(journal);
  if (!existsSync(base)) return [];
  const entries = readdirSync(base, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => join(base, e.name));
  // Segments right in the base: a spool of the earlier one-per-journal layout.
  const flat = entries.some((e) => e.isFile() && e.name.endsWith('.jsonl'));
  return [...(flat ? [base] : []), ...dirs.sort()];
}

/** The stats and report snapshots of a run (JSON Lines). */
export function statsFileFor(journal: string): string {
  return `${localBase(journal)}.stats.jsonl`;
}

/** A journal a read can open: a URL (the server answers or not), or an existing file. */
export function journalExists(journal: string): boolean {
  if (isClickHouseUrl(journal)) {
    parseClickHouseUrl(journal);
    return true;
  }
  return existsSync(journal);
}

export function openSink(journal: string): Promise<JournalSink> {
  return isClickHouseUrl(journal) ? ClickHouseJournal.open(journal) : DuckDbJournal.open(journal);
}

/** The writer of these instances' rows, through their spool. */
export function journalWriter(journal: string, instances: readonly string[]): JournalWriter {
  return spoolWriter(journal, spoolDirFor(journal, instances));
}

/** A writer draining a given spool of a journal. */
export function spoolWriter(journal: string, spoolDir: string): JournalWriter {
  return new JournalWriter(new Spool(spoolDir), () => openSink(journal));
}
