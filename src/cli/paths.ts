// No command reads what is not a readable regular file, or writes over what it reads: an
// output that is the same file as an input or a journal (same path, a symlink to it, a hard
// link: same device and inode), or as a journal's write-ahead log, stats or a file in its
// spool, is refused before the command starts.
import { closeSync, openSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../common/errors.js';
import { notRegular } from '../common/files.js';
import { isClickHouseUrl } from '../journal/clickhouse.js';
import { checkJournal, statsFileFor } from '../journal/open.js';
import { STDOUT } from './output.js';

/** Options naming files a command reads. */
const INPUTS = ['scans', 'trades', 'config', 'markets', 'decisions', 'blueSource', 'bars'] as const;
/** Options naming files a command writes (`--json -` is stdout, not a file). */
const OUTPUTS = ['out', 'json', 'md', 'chart', 'charts', 'eigOut', 'emitVectors'] as const;

interface Identity {
  readonly real: string;
  readonly inode: string | null;
}

/** Where a path resolves: its nearest existing ancestor resolved when it does not exist yet. */
function realOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? resolve(path) : join(realOf(parent), basename(path));
  }
}

/** Where a path resolves, and its inode. */
function identity(path: string): Identity {
  try {
    const st = statSync(path);
    return { real: realpathSync(path), inode: `${st.dev}:${st.ino}` };
  } catch {
    return { real: realOf(path), inode: null };
  }
}

function same(a: Identity, b: Identity): boolean {
  return a.real === b.real || (a.inode !== null && a.inode === b.inode);
}

function paths(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** An input must be a regular file this process can open: not missing, not a directory. */
function checkInput(option: string, path: string): void {
  let other: string | null = null;
  try {
    other = notRegular(statSync(path));
    // Opened, not asked about (access(2)): root passes any permission check but not every
    // open; a FIFO is not opened, since that waits for a writer.
    if (other === null) closeSync(openSync(path, 'r'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `--${option} ${path}: no such file`
        : `--${option} ${path}: cannot read (${code})`,
    );
  }
  if (other === 'a directory') throw new UsageError(`--${option} ${path}: a directory, not a file`);
  if (other !== null) throw new UsageError(`--${option} ${path}: not a regular file (${other})`);
}

/** An output must not be a directory (but `--charts`, which names one). */
function checkOutput(option: string, path: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return;
  }
  if (isDir && option !== 'charts')
    throw new UsageError(`--${option} ${path}: a directory, not a file`);
}

/** `--blue-source` for `blueSource`, as the user typed it. */
const flag = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Refuses a missing, unreadable or non-regular input, a journal that is not one, a directory
 * output, and an output that resolves to an input, a journal or its files, or another output.
 */
export function checkPaths(opts: Record<string, unknown>): void {
  const read: [string, Identity][] = [];
  for (const k of INPUTS) {
    // `--decisions` may name a ClickHouse journal: a URL is not a file.
    for (const p of paths(opts[k]).filter((x) => !isClickHouseUrl(x))) {
      checkInput(flag(k), p);
      read.push([p, identity(p)]);
    }
  }
  const journal = opts.journal;
  if (typeof journal === 'string') checkJournal(journal, false);
  let spool: string | null = null;
  if (typeof journal === 'string' && !isClickHouseUrl(journal)) {
    for (const p of [journal, `${journal}.wal`, statsFileFor(journal)]) read.push([p, identity(p)]);
    spool = `${journal}.spool`;
  }
  const spoolReal = spool === null ? null : realOf(spool);
  const written: [string, Identity][] = [];
  for (const k of OUTPUTS) {
    for (const p of paths(opts[k])) {
      if (k === 'json' && p === STDOUT) continue;
      checkOutput(flag(k), p);
      const id = identity(p);
      if (spool !== null && (id.real === spoolReal || id.real.startsWith(`${spoolReal}${sep}`))) {
        throw new UsageError(`--${flag(k)} ${p}: is in ${spool}, the journal's spool`);
      }
      const hit = [...read, ...written].find(([, other]) => same(id, other));
      if (hit !== undefined) {
        throw new UsageError(`--${flag(k)} ${p}: is ${hit[0]}, which this command reads or writes`);
      }
      written.push([p, id]);
    }
  }
}
