// Test helpers: a seeded sample archive on disk, journal exports read back, a journal held locked.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanLine, syntheticScans } from '../sources/synthetic/index.js';
import { REPO, violet } from './cli.js';

export function tempDir(prefix = 'violet-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sampleArchive(dir: string, scans: number, seed: number, assets = 12): string {
  const lines: string[] = [];
  for (const s of syntheticScans({ scans, assets, seed, stepMs: 5000 })) lines.push(scanLine(s));
  const path = join(dir, `scans-${seed}-${scans}.jsonl`);
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
