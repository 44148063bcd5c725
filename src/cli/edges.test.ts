// Hostile runs at the command line: every refusal is one line and exit 2, and changes nothing.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
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

  it('refuses a control port in use in one line (C4)', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const { port } = holder.address() as AddressInfo;
    try {
      await refused(
        [
          'shadow',
          '--scans',
          scans,
          '--journal',
          at('port.duckdb'),
          '--control-port',
          String(port),
        ],
        new RegExp(`--control-port ${port}: in use by another process`),
      );
    } finally {
      holder.close();
    }
  });

  it('refuses a start whose journal is one of its own fixed files', async () => {
    await refused(
      ['start', '--journal', 'var/backtest.duckdb'],
      /--out var\/backtest\.duckdb: is var\/backtest\.duckdb, which this command reads or writes/,
    );
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

  it('refuses a trades CSV with a ragged row or a repeated column, naming it; reads a BOM-marked one', async () => {
    const csv = at('trades.csv');
    const bt = at('bt2.duckdb');
    const long = sampleArchive(dir, 3000, 8);
    expect((await violet(['backtest', '--scans', long, '--journal', bt])).status).toBe(0);
    const exported = await violet([
      'trades',
      'export',
      '--journal',
      bt,
      '--format',
      'csv',
      '--out',
      csv,
    ]);
    expect(exported.status, exported.stderr).toBe(0);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    const header = lines[0] as string;
    const width = header.split(',').length;
    writeFileSync(
      at('ragged.csv'),
      `${[...lines.slice(0, 3), lines[3]?.replace(/,[^,]*$/, '')].join('\n')}\n`,
    );
    await refused(
      ['study', 'clean', '--trades', at('ragged.csv')],
      new RegExp(
        `ragged\\.csv line 4: ${width - 1} fields where the header has ${width} \\(a ragged row\\)`,
      ),
    );
    const twice = header.replace('exit_reason', 'pnl');
    writeFileSync(at('twice.csv'), `${[twice, ...lines.slice(1)].join('\n')}\n`);
    await refused(
      ['study', 'clean', '--trades', at('twice.csv')],
      /column pnl appears twice in the header/,
    );
    writeFileSync(at('bom.csv'), `\ufeff${lines.join('\n')}\n`);
    const plain = await violet(['study', 'clean', '--trades', csv, '--json', at('csv1.json')]);
    const marked = await violet([
      'study',
      'clean',
      '--trades',
      at('bom.csv'),
      '--json',
      at('csv2.json'),
    ]);
    expect([plain.status, marked.status], marked.stderr).toEqual([0, 0]);
    expect(readFileSync(at('csv2.json'), 'utf8')).toBe(readFileSync(at('csv1.json'), 'utf8'));
  });

  it('--json FILE in every command (- for stdout): a directory or an input refused', async () => {
    const py = at('blue.py');
    writeFileSync(py, 'ESOF_EDGE = 0.02\n');
    const nowhere = 'nats://127.0.0.1:1';
    const folder = at('folder.jsonl');
    for (const args of [
      ['drift-check', '--blue-source', py],
      ['publish', '--scans', scans, '--nats', nowhere],
      ['status', '--nats', nowhere],
      ['backtest', '--scans', scans, '--journal', at('json-dir.duckdb')],
      ['shadow', '--scans', scans, '--journal', at('json-dir.duckdb')],
      ['study', 'clean', '--trades', scans],
      ['verify', '--samples', '10'],
    ]) {
      await refused(
        [...args, '--json', folder],
        /^violet: --json \S*folder\.jsonl: a directory, not a file\n$/,
      );
    }
    await refused(
      ['publish', '--scans', scans, '--nats', nowhere, '--json', scans],
      /--json \S+: is \S+, which this command reads or writes/,
    );
    await refused(
      ['verify', '--samples', '10', '--emit-vectors', folder],
      /^violet: --emit-vectors \S*folder\.jsonl: a directory, not a file\n$/,
    );
    await refused(
      ['verify', '--samples', '10', '--json', at('v.json'), '--emit-vectors', at('v.json')],
      /--emit-vectors \S+v\.json: is \S+v\.json, which this command reads or writes/,
    );
    await refused(
      ['drift-check', '--blue-source', py, '--json', py],
      /--json \S+blue\.py: is \S+blue\.py, which this command reads or writes/,
    );
  });

  it('--json - writes the JSON on stdout in place of the text, the same bytes as the file', async () => {
    const bt = at('json-bt.duckdb');
    const chart = ['--chart', at('json-bt.svg')];
    const viaStdout = await violet([
      'backtest',
      '--scans',
      scans,
      '--journal',
      bt,
      ...chart,
      '--json',
      '-',
    ]);
    expect(viaStdout.status, viaStdout.stderr).toBe(0);
    const summary = JSON.parse(viaStdout.stdout);
    expect(summary.scans).toBe(200);
    const toFile = await violet(['soak', 'report', '--journal', bt, '--json', at('soak.json')]);
    expect(toFile.status, toFile.stderr).toBe(0);
    expect(toFile.stdout).toMatch(/^# VIOLET soak report/);
    const toStdout = await violet(['soak', 'report', '--journal', bt, '--json', '-']);
    expect(toStdout.status, toStdout.stderr).toBe(0);
    expect(toStdout.stdout).toBe(readFileSync(at('soak.json'), 'utf8'));
    expect(readdirSync(dir)).not.toContain('-');
  });

  it("refuses a value outside an option's choices, and 0 where a positive integer is due", async () => {
    const bt = at('json-bt.duckdb');
    const choices = (option: string, value: string, allowed: string) =>
      new RegExp(
        `^error: option '${option} <\\w+>' argument '${value}' is invalid\\. Allowed choices are ${allowed}\\.\n$`,
      );
    await refused(
      [
        'journal',
        'export',
        '--journal',
        bt,
        '--table',
        'violet_trades',
        '--format',
        'xml',
        '--out',
        at('x.xml'),
      ],
      choices('--format', 'xml', 'jsonl, csv, parquet'),
    );
    await refused(
      ['trades', 'export', '--journal', bt, '--format', 'xls', '--out', at('x.xls')],
      choices('--format', 'xls', 'jsonl, csv, parquet'),
    );
    await refused(
      [
        'journal',
        'export',
        '--journal',
        bt,
        '--table',
        'trades',
        '--format',
        'csv',
        '--out',
        at('x.csv'),
      ],
      /^error: option '--table <name>' argument 'trades' is invalid\. Allowed choices are violet_/,
    );
    await refused(
      ['journal', 'ddl', '--dialect', 'sqlite'],
      choices('--dialect', 'sqlite', 'duckdb, clickhouse'),
    );
    for (const [option, value, allowed] of [
      ['--profile', 'v4', 'orchestrator, v3-shadow'],
      ['--clock', 'moon', 'scan, wall'],
      ['--log-format', 'xml', 'text, json'],
    ] as const) {
      await refused(['shadow', '--scans', scans, option, value], choices(option, value, allowed));
    }
    await refused(
      ['backtest', '--scans', scans, '--profile', 'v4'],
      choices('--profile', 'v4', 'orchestrator, v3-shadow'),
    );
    await refused(
      [
        'scan',
        '--live',
        '--exchange',
        'kraken',
        '--symbols',
        'A,B',
        '--nats',
        'nats://127.0.0.1:1',
      ],
      choices('--exchange', 'kraken', 'binance, bingx'),
    );
    const positive = /argument '0' is invalid\. expected an integer >= 1\n$/;
    await refused(['shadow', '--nats', 'nats://127.0.0.1:1', '--idle-exit', '0'], positive);
    await refused(['kernel', 'vectors', '--count', '0'], positive);
    const gen = ['gen', 'scans', '--out', at('g.jsonl'), '--seed', '1'];
    await refused([...gen, '--scans', '0', '--assets', '2'], positive);
    await refused([...gen, '--scans', '2', '--assets', '0'], positive);
    // A seed of 0 and a rate of 0 (unpaced) keep their meaning.
    const vectors = await violet(['kernel', 'vectors', '--count', '2', '--seed', '0']);
    expect(vectors.status, vectors.stderr).toBe(0);
    expect(vectors.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('refuses a trades file name with a glob character (DuckDB would read every match)', async () => {
    writeFileSync(at('t*.csv'), 'trade_id\n1\n');
    await refused(['study', 'clean', '--trades', at('t*.csv')], /glob character/);
  });
});
