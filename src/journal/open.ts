// Opening a journal by its location: a DuckDB file (the embedded default) or a ClickHouse
// URL, with its spool: beside the file, or under var/spool/ (relative to the working
// directory) for a URL, one per set of instances, since several processes may share one
// ClickHouse (a DuckDB file has one writer at a time anyway).
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { notRegular } from '../common/files.js';
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

/** DuckDB's file header holds this magic at byte 8 (after the header checksum). */
const DUCKDB_MAGIC = 'DUCK';

/**
 * A journal location checked before anything touches the disk: a ClickHouse URL, a DuckDB
 * database (by its header, whatever its name), or — unless `mustExist` — an absent path, to
 * be created. Never an in-memory database, a remote or extension path, or another file.
 */
export function checkJournal(journal: string, mustExist: boolean): void {
  if (isClickHouseUrl(journal)) {
    parseClickHouseUrl(journal);
    return;
  }
  if (
    journal.trim() === '' ||
    journal.startsWith(':memory:') ||
    /^[A-Za-z][\w+.-]*:/.test(journal)
  ) {
    throw new UsageError(
      `--journal ${JSON.stringify(journal)}: expected a DuckDB file or a clickhouse:// URL`,
    );
  }
  let size: number;
  try {
    const st = statSync(journal);
    const other = notRegular(st);
    if (other === 'a directory')
      throw new UsageError(`--journal ${journal}: a directory, not a DuckDB file`);
    // Opening a FIFO would wait for a writer: only a regular file is read.
    if (other !== null) throw new UsageError(`--journal ${journal}: not a regular file (${other})`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !mustExist) return;
    throw new UsageError(
      code === 'ENOENT'
        ? `no such journal: ${journal}`
        : `--journal ${journal}: cannot read (${code})`,
    );
  }
  const head = Buffer.alloc(12);
  let fd: number | null = null;
  try {
    fd = openSync(journal, 'r');
    readSync(fd, head, 0, 12, 0);
  } catch (e) {
    throw new UsageError(
      `--journal ${journal}: cannot read (${(e as NodeJS.ErrnoException).code})`,
    );
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (size < 12 || head.toString('latin1', 8, 12) !== DUCKDB_MAGIC) {
    throw new UsageError(
      `--journal ${journal}: not a DuckDB database (its header is not DuckDB's)`,
    );
  }
}

/** `writer`: the sink a spool drains into (see `DuckDbJournal.open`). */
export function openSink(journal: string, o: { writer?: boolean } = {}): Promise<JournalSink> {
  return isClickHouseUrl(journal)
    ? ClickHouseJournal.open(journal)
    : DuckDbJournal.open(journal, o);
}

/** The writer of these instances' rows, through their spool. */
export function journalWriter(journal: string, instances: readonly string[]): JournalWriter {
  checkJournal(journal, false);
  return spoolWriter(journal, spoolDirFor(journal, instances));
}

/** A writer draining a given spool of a journal. */
export function spoolWriter(journal: string, spoolDir: string): JournalWriter {
  return new JournalWriter(new Spool(spoolDir), () => openSink(journal, { writer: true }));
}
