// Opening a journal by its location: a DuckDB file (the embedded default), with its spool.
import { DuckDbJournal } from './duckdb.js';
import type { JournalSink } from './sink.js';
import { Spool } from './spool.js';
import { JournalWriter } from './writer.js';

export const DEFAULT_JOURNAL = 'var/journal.duckdb';

export function spoolDirFor(journal: string): string {
  return `${journal}.spool`;
}

export function openSink(journal: string): Promise<JournalSink> {
  return DuckDbJournal.open(journal);
}

export function journalWriter(journal: string): JournalWriter {
  return new JournalWriter(new Spool(spoolDirFor(journal)), () => openSink(journal));
}
