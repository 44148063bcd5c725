import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { violet } from '../test-support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'violet-gen-'));

async function gen(out: string, scans = '500') {
  return await violet([
    'gen',
    'scans',
    '--out',
    out,
    '--scans',
    scans,
    '--assets',
    '6',
    '--seed',
    '11',
  ]);
}

describe('violet gen scans', () => {
  it('writes the same bytes for the same seed and reports what it wrote', async () => {
    const a = join(dir, 'a', 'scans.jsonl');
    const b = join(dir, 'b', 'scans.jsonl');
    const run = await gen(a);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`wrote 500 scans (6 assets + 10 stablecoins) to ${a}, seed 11\n`);
    expect((await gen(b)).status).toBe(0);
    const text = readFileSync(a, 'utf8');
    expect(text.split('\n')).toHaveLength(501);
    expect(readFileSync(b, 'utf8')).toBe(text);
  });

  it('refuses a bad number with exit 2', async () => {
    const run = await gen(join(dir, 'bad.jsonl'), 'abc');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--scans');
  });

  it('refuses an output that is not .jsonl or .parquet with exit 2', async () => {
    const run = await gen(join(dir, 'scans.csv'));
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('violet: --out must end in .jsonl or .parquet\n');
  });
});
