// Test helpers: a seeded sample archive on disk, journal exports read back, a journal held locked.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REFUSED } from '../journal/spool.js';
import { DEFAULT_START_TS, scanLine, syntheticScans } from '../sources/synthetic/index.js';
import { REPO, violet } from './cli.js';

export function tempDir(prefix = 'violet-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The scan number of a sample archive's first scan (its time / its 5-second step). */
export const FIRST_SCAN = DEFAULT_START_TS / 5000;

/** The scan numbers of a sample archive's first `n` scans. */
export const scanNumbers = (n: number): number[] =>
  Array.from({ length: n }, (_, i) => FIRST_SCAN + i);

/** `startTs`: the first scan's time (default the generator's fixed epoch). */
export function sampleArchive(
  dir: string,
  scans: number,
  seed: number,
  assets = 12,
  startTs?: number,
): string {
  const lines: string[] = [];
  const o = { scans, assets, seed, stepMs: 5000, ...(startTs === undefined ? {} : { startTs }) };
  for (const s of syntheticScans(o)) lines.push(scanLine(s));
  const path = join(
    dir,
    `scans-${seed}-${scans}${startTs === undefined ? '' : `-${startTs}`}.jsonl`,
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export async function exportJsonl(
  journal: string,
  table: string,
  out: string,
): Promise<Record<string, unknown>[]> {
  const r = await violet([
    'journal',
    'export',
    '--journal',
    journal,
    '--table',
    table,
    '--format',
    'jsonl',
    '--out',
    out,
  ]);
  if (r.status !== 0) throw new Error(`export failed: ${r.stderr}`);
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

/** Another process holding DuckDB's file lock on `journal`; resolves once it holds it. */
export async function lockJournal(journal: string): Promise<ChildProcess> {
  const locker = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api';
       const db = await DuckDBInstance.create(${JSON.stringify(journal)});
       await db.connect(); console.log('locked'); setInterval(() => {}, 1000);`,
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    locker.stdout?.once('data', resolve);
    locker.once('exit', (code) => reject(new Error(`the journal locker exited ${code}`)));
  });
  return locker;
}

/**
 * Two markets under the same scan numbers into one journal and instance: the second is
 * refused at its first differing row, naming it, and its rows are set aside, not dropped;
 * a second day (scan numbers from its own times) then adds its rows beside the first's.
 */
export async function expectConflictRefused(
  dir: string,
  journal: string,
  spool: string,
): Promise<void> {
  const day1 = sampleArchive(dir, 2500, 1);
  const other = sampleArchive(dir, 2500, 2);
  const day2 = sampleArchive(dir, 2500, 2, 12, DEFAULT_START_TS + 86_400_000);
  const first = await violet(['shadow', '--scans', day1, '--journal', journal]);
  if (first.status !== 0) throw new Error(`first run failed: ${first.stderr}`);
  const before = await exportJsonl(journal, 'violet_decisions', join(dir, 'before.jsonl'));
  const clash = await violet(['shadow', '--scans', other, '--journal', journal]);
  expect(clash.status).toBe(2);
  const lines = clash.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  const firstScan = (before[0] as { scan_number: number }).scan_number;
  expect(lines[0]).toContain(
    `already holds a different violet_decisions row for instance violet-1 at scan ${firstScan}`,
  );
  expect(lines[0]).toMatch(
    /the refused rows are kept in \S+\/refused\/\d{12}\.violet_decisions\.jsonl$/,
  );
  // Not one row of the first market changed, and the refused rows are on disk.
  expect(await exportJsonl(journal, 'violet_decisions', join(dir, 'after.jsonl'))).toEqual(before);
  const kept = readdirSync(join(spool, REFUSED)).flatMap((f) =>
    readFileSync(join(spool, REFUSED, f), 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  );
  expect(kept.length).toBeGreaterThan(0);
  // The spool holds no segment a later run would trip over.
  expect(readdirSync(spool).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  const second = await violet(['shadow', '--scans', day2, '--journal', journal]);
  expect(second.stderr).toBe('');
  expect(second.status).toBe(0);
  const both = await exportJsonl(journal, 'violet_decisions', join(dir, 'both.jsonl'));
  expect(both).toHaveLength(5000);
  expect(both.slice(0, 2500)).toEqual(before);
  expect((both[2500] as { scan_number: number }).scan_number).toBe(firstScan + 86_400_000 / 5000);
}
