// Opening a journal by its location: a DuckDB file (the embedded default) or a ClickHouse
// URL, with its spool: beside the file, or under var/spool/ (relative to the working
// directory) for a URL.
import { existsSync } from 'node:fs';
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

export function spoolDirFor(journal: string): string {
  return isClickHouseUrl(journal) ? localBase(journal) : `${journal}.spool`;
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

export function journalWriter(journal: string): JournalWriter {
  return new JournalWriter(new Spool(spoolDirFor(journal)), () => openSink(journal));
}
