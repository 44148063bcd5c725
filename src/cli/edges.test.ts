// Hostile runs at the command line: every refusal is one line and exit 2, and changes nothing.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { violet } from '../test-support/cli.js';
import { lockJournal, sampleArchive, tempDir } from '../test-support/journal.js';

const dir = tempDir('violet-edges-');
const at = (name: string) => join(dir, name);

async function refused(args: string[], reason: RegExp): Promise<void> {
  const before = readdirSync(dir).sort();
  const r = await violet(args);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(readdirSync(dir).sort()).toEqual(before);
}

describe('command-line edges', () => {
  const scans = sampleArchive(dir, 200, 7);
  const journal = at('j.duckdb');
  mkdirSync(at('folder.jsonl'));
  writeFileSync(at('corrupt.parquet'), 'PAR1 not parquet PAR1');

  it('refuses a directory, a corrupt archive and a directory output in one line (C2, C3, C7)', async () => {
    const chart = ['--chart', at('equity.svg')];
    expect(
      (await violet(['backtest', '--scans', scans, '--journal', journal, ...chart])).status,
    ).toBe(0);
    await refused(
      ['shadow', '--scans', at('folder.jsonl'), '--journal', at('n.duckdb')],
      /a directory/,
    );
    await refused(['shadow', '--scans', at('missing.jsonl')], /no such file/);
    for (const cmd of ['shadow', 'backtest']) {
      await refused(
        [cmd, '--scans', at('corrupt.parquet'), '--journal', at('n.duckdb')],
        /not a readable Parquet file/,
      );
    }
    const out = ['--format', 'csv', '--out', at('folder.jsonl')];
    await refused(['trades', 'export', '--journal', journal, ...out], /--out .*a directory/);
    await refused(
      ['journal', 'export', '--journal', journal, '--table', 'violet_decisions', ...out],
      /a directory/,
    );
    await refused(['shadow', '--scans', scans, '--control-port', '70000'], /0\.\.65535/);
  });

  it('names who holds a locked journal and what to do (C5)', async () => {
    const locker = await lockJournal(journal);
    afterAll(() => locker.kill('SIGKILL'));
    const held = new RegExp(`in use by another process \\(pid ${locker.pid}, .*\\): wait for it`);
    await refused(['soak', 'report', '--journal', journal], held);
    await refused(
      ['trades', 'export', '--journal', journal, '--format', 'csv', '--out', at('t.csv')],
      held,
    );
    await refused(
      [
        'journal',
        'export',
        '--journal',
        journal,
        '--table',
        'violet_trades',
        '--format',
        'csv',
        '--out',
        at('x.csv'),
      ],
      held,
    );
    await refused(['study', 'clean', '--journal', journal], held);
  });

  it('reads a file with a UTF-8 byte-order mark as the same file without it', async () => {
    const bom = (name: string, text: string) => {
      writeFileSync(at(name), `\ufeff${text}`);
      return at(name);
    };
    const text = readFileSync(scans, 'utf8');
    const config = bom('bom-config.json', '{"capital": 10000}');
    const plain = await violet([
      'shadow',
      '--scans',
      scans,
      '--journal',
      at('p.duckdb'),
      '--config',
      config,
    ]);
    const marked = await violet([
      'shadow',
      '--scans',
      bom('bom.jsonl', text),
      '--journal',
      at('m.duckdb'),
      '--config',
      config,
    ]);
    expect(marked.stderr).toBe('');
    expect(marked.stdout.replace('m.duckdb', 'p.duckdb')).toBe(plain.stdout);
    const trades = at('trades.jsonl');
    const long = sampleArchive(dir, 3000, 8);
    const bt = await violet([
      'backtest',
      ...['--scans', long, '--journal', at('bt.duckdb'), '--chart', at('bt.svg')],
    ]);
    expect(bt.status, bt.stderr).toBe(0);
    await violet([
      'trades',
      'export',
      '--journal',
      at('bt.duckdb'),
      '--format',
      'jsonl',
      '--out',
      trades,
    ]);
    const bomTrades = bom('bom-trades.jsonl', readFileSync(trades, 'utf8'));
    for (const [f, out] of [
      [trades, 'c1.json'],
      [bomTrades, 'c2.json'],
    ] as const) {
      const r = await violet(['study', 'clean', '--trades', f, '--json', at(out)]);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(readFileSync(at('c2.json'), 'utf8')).toBe(readFileSync(at('c1.json'), 'utf8'));
  });

  it('refuses a trades file name with a glob character (DuckDB would read every match)', async () => {
    writeFileSync(at('t*.csv'), 'trade_id\n1\n');
    await refused(['study', 'clean', '--trades', at('t*.csv')], /glob character/);
  });
});
