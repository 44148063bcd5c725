// No command writes over what it reads: an output that is the same file as an input or a
// journal (same path, a symlink to it, a hard link: same device and inode), or as a journal's
// write-ahead log or spool, is refused before the command starts.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { isClickHouseUrl } from '../journal/clickhouse.js';

/** Options naming files a command reads. */
const INPUTS = ['scans', 'trades', 'config', 'decisions', 'blueSource', 'bars'] as const;
/** Options naming files a command writes (`json` only where it is a path). */
const OUTPUTS = ['out', 'json', 'md', 'chart', 'charts', 'eigOut'] as const;

interface Identity {
  readonly real: string;
  readonly inode: string | null;
}

/** Where a path resolves (its parent resolved when it does not exist yet), and its inode. */
function identity(path: string): Identity {
  try {
    const st = statSync(path);
    return { real: realpathSync(path), inode: `${st.dev}:${st.ino}` };
  } catch {
    try {
      return { real: join(realpathSync(dirname(path)), basename(path)), inode: null };
    } catch {
      return { real: path, inode: null };
    }
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

/** An input must be a readable file: not missing, not a directory. */
function checkInput(option: string, path: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
    if (!isDir) accessSync(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `--${option} ${path}: no such file`
        : `--${option} ${path}: cannot read (${code})`,
    );
  }
  if (isDir) throw new UsageError(`--${option} ${path}: a directory, not a file`);
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
 * Refuses a missing, unreadable or directory input, a directory output, and an output that
 * resolves to an input, a journal or its files, or another output.
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
  if (typeof journal === 'string' && journal !== '' && !isClickHouseUrl(journal)) {
    for (const p of [journal, `${journal}.wal`, `${journal}.spool`]) read.push([p, identity(p)]);
  }
  const written: [string, Identity][] = [];
  for (const k of OUTPUTS) {
    for (const p of paths(opts[k])) {
      checkOutput(flag(k), p);
      const id = identity(p);
      const hit = [...read, ...written].find(([, other]) => same(id, other));
      if (hit !== undefined) {
        throw new UsageError(`--${flag(k)} ${p}: is ${hit[0]}, which this command reads or writes`);
      }
      written.push([p, id]);
    }
  }
}
