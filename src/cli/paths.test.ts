import { linkSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../common/errors.js';
import { violet } from '../test-support/cli.js';
import { sampleArchive, tempDir } from '../test-support/journal.js';
import { checkPaths } from './paths.js';

describe('outputs never land on inputs', () => {
  const dir = tempDir('violet-paths-');
  const at = (name: string) => join(dir, name);
  // A journal is recognised by DuckDB's magic at byte 8 of its header.
  writeFileSync(at('j.duckdb'), Buffer.concat([Buffer.alloc(8), Buffer.from('DUCK')]));
  writeFileSync(at('scans.jsonl'), 'scans');
  symlinkSync(at('j.duckdb'), at('link.duckdb'));
  linkSync(at('j.duckdb'), at('hard.duckdb'));

  it('refuses the same path, a symlink, a hard link, the WAL, the stats, the spool or a file in it, and a second output', () => {
    const journal = at('j.duckdb');
    const refused: Record<string, unknown>[] = [
      { journal, out: journal },
      { journal, out: `${dir}/./j.duckdb` },
      { journal, out: at('link.duckdb') },
      { journal, out: at('hard.duckdb') },
      { journal, json: `${journal}.wal` },
      { journal, md: `${journal}.stats.jsonl` },
      { journal, charts: `${journal}.spool` },
      { journal, json: `${journal}.spool/report.json` },
      { scans: at('scans.jsonl'), md: at('scans.jsonl') },
      { config: [at('a.json'), at('scans.jsonl')], json: at('scans.jsonl') },
      { json: at('r.json'), md: at('r.json') },
    ];
    for (const o of refused) expect(() => checkPaths(o), JSON.stringify(o)).toThrow(UsageError);
    expect(() => checkPaths({ journal, out: at('export.csv'), json: at('r.json') })).not.toThrow();
    expect(() => checkPaths({ journal: 'clickhouse://h:1/db', json: true })).not.toThrow();
    expect(() =>
      checkPaths({ decisions: 'clickhouse://h:1/db', json: at('c.json') }),
    ).not.toThrow();
  });

  it('leaves the journal as it was when an export names it as its output', async () => {
    const journal = at('real.duckdb');
    const scans = sampleArchive(dir, 30, 1);
    expect((await violet(['shadow', '--scans', scans, '--journal', journal])).status).toBe(0);
    const before = readFileSync(journal);
    for (const out of [journal, `${journal}.wal`]) {
      const args = ['--table', 'violet_decisions', '--format', 'csv', '--out', out];
      const r = await violet(['journal', 'export', '--journal', journal, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const report = await violet(['soak', 'report', '--journal', journal, '--json', journal]);
    expect(report.status).toBe(2);
    expect(readFileSync(journal).equals(before)).toBe(true);
  });
});
