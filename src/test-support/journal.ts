// Test helpers: a seeded sample archive on disk and journal exports read back.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanLine, syntheticScans } from '../sources/synthetic/index.js';
import { violet } from './cli.js';

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
