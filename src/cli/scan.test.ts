// `violet scan` at the command line: every bar layout gives the same scans, a bad bar is
// refused with its file and line, and the real bars go all the way through the product.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { REPO, violet } from '../test-support/cli.js';
import { exportJsonl, tempDir } from '../test-support/journal.js';

const KLINES = join(REPO, 'conformance', 'data', 'klines');
const SYMBOLS = ['ADABTC', 'DASHBTC', 'ETCBTC', 'ETHBTC', 'LTCBTC'];
const FILES = SYMBOLS.map((s) => join(KLINES, `${s}-5m.csv`));

function rowsOf(file: string): string[][] {
  const [, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.map((l) => l.split(','));
}

async function scan(args: string[]) {
  const r = await violet(['scan', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r;
}

describe('violet scan', () => {
  const dir = tempDir('violet-scan-');
  const at = (name: string) => join(dir, name);

  it('writes the same scans from CSV with a header, Binance kline files (ms and µs) split by month, one file with a symbol column, and Parquet', async () => {
    await scan(['--bars', ...FILES, '--out', at('csv.jsonl')]);
    const csv = readFileSync(at('csv.jsonl'), 'utf8');
    expect(csv.split('\n').length).toBeGreaterThan(5000);
    // Binance: no header, 12 columns, open time in ms (µs for the second half, as in its
    // newer files), one file per month (and the month boundary given twice, identically).
    mkdirSync(at('binance'));
    const binance: string[] = [];
    const all: string[] = ['symbol,open_time,open,high,low,close,volume,trades'];
    for (const [k, s] of SYMBOLS.entries()) {
      const rows = rowsOf(FILES[k] as string);
      const line = (r: string[], i: number) => {
        const t = Number(r[0]);
        const open = i > rows.length / 2 ? `${t}000` : `${t}`;
        return [open, r[1], r[2], r[3], r[4], r[5], t + 299_999, '0', '0', '0', '0', '0'].join(',');
      };
      const cut = rows.findIndex((r) => Number(r[0]) >= Date.UTC(2018, 0, 20));
      const parts = [rows.slice(0, cut + 1), rows.slice(cut)];
      for (const [p, part] of parts.entries()) {
        const file = at(`binance/${s}-5m-2018-01-${p === 0 ? 'a' : 'b'}.csv`);
        const offset = p === 0 ? 0 : cut;
        writeFileSync(file, `${part.map((r, i) => line(r, i + offset)).join('\n')}\n`);
        binance.push(file);
      }
      for (const r of rows) all.push([s, ...r, '7'].join(','));
    }
    await scan(['--bars', ...binance, '--out', at('binance.jsonl')]);
    expect(readFileSync(at('binance.jsonl'), 'utf8')).toBe(csv);
    writeFileSync(at('all.csv'), `${all.join('\n')}\n`);
    await scan(['--bars', at('all.csv'), '--out', at('all.jsonl')]);
    expect(readFileSync(at('all.jsonl'), 'utf8')).toBe(csv);
    // Parquet with the header's names (written by DuckDB from the CSV with a symbol column).
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(
      `COPY (SELECT symbol, open_time::BIGINT AS ts, open, high, low, close, volume FROM read_csv('${at('all.csv')}')) TO '${at('all.parquet')}' (FORMAT PARQUET)`,
    );
    c.closeSync();
    db.closeSync();
    await scan(['--bars', at('all.parquet'), '--out', at('parquet.jsonl')]);
    expect(readFileSync(at('parquet.jsonl'), 'utf8')).toBe(csv);
  });

  it('refuses a bad bar with its file, line and reason, and writes nothing', async () => {
    const base = readFileSync(FILES[0] as string, 'utf8')
      .trimEnd()
      .split('\n');
    const cases: [string, (lines: string[]) => void, RegExp][] = [
      [
        'unparsable',
        (l) => l.splice(5, 1, '1515561300000,abc,1,1,1,1'),
        /line 6: open: not a number/,
      ],
      ['ragged', (l) => l.splice(5, 1, '1515561300000,1,1,1'), /line 6: 4 fields, expected 6/],
      [
        'negative',
        (l) => l.splice(5, 1, `${l[5]?.split(',')[0]},1,1,1,-2,1`),
        /line 6: close -2 is not a positive price/,
      ],
      [
        'backwards',
        (l) => l.splice(6, 0, l[4] as string),
        /line 7: time \d+ not after the previous bar's \d+/,
      ],
      [
        'off-grid',
        (l) => l.splice(5, 1, `1515561300001,1,1,1,1,1`),
        /line 6: bar time 1515561300001 is off the 300000 ms grid/,
      ],
    ];
    for (const [name, edit, reason] of cases) {
      const lines = [...base];
      edit(lines);
      const file = at(`ADABTC-${name}.csv`);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const out = at(`${name}.jsonl`);
      const r = await violet([
        'scan',
        '--bars',
        file,
        FILES[1] as string,
        '--out',
        out,
        '--interval',
        '5m',
      ]);
      expect(r.status, name).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), name).toHaveLength(1);
      expect(r.stderr, name).toMatch(
        new RegExp(`^violet: --bars \\S*ADABTC-${name}\\.csv ${reason.source}`),
      );
      expect(() => readFileSync(out), name).toThrow();
    }
    // The same bar twice in two files: dropped when identical, refused when it differs.
    const twice = at('ADABTC-twice.csv');
    writeFileSync(twice, `${[base[0], base[3]?.replace(/,[^,]*$/, ',999')].join('\n')}\n`);
    const r = await violet(['scan', '--bars', FILES[0] as string, twice, '--out', at('t.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /ADABTC-twice\.csv line 2: ADABTC bar at \d+ conflicts with \S+ADABTC-5m\.csv line 4/,
    );
  });

  it('takes the real bars through shadow, backtest (100+ trades) and the trade-cleaning study, nothing rejected', async () => {
    const scans = at('real.jsonl');
    await scan(['--bars', ...FILES, '--out', scans, '--json', at('scan.json')]);
    const summary = JSON.parse(readFileSync(at('scan.json'), 'utf8'));
    expect(summary.scans).toBe(5609);
    const shadow = await violet(['shadow', '--scans', scans, '--journal', at('shadow.duckdb')]);
    expect(shadow.status, shadow.stderr).toBe(0);
    expect(shadow.stdout).toMatch(/5609 scans, 5609 decisions \(\d+ actuated\), 0 rejected/);
    // BingX lists none of these BTC-quoted pairs: the backtest takes a markets file of its
    // own for them (the venue's shape, fine steps, no minimums), or it would refuse them all.
    const markets = at('markets.json');
    const contract = (s: string) => ({
      symbol: `${s.replace(/BTC$/, '')}-BTC`,
      pricePrecision: 10,
      quantityPrecision: 6,
      tradeMinQuantity: 0,
      tradeMinUSDT: 0,
      maxShortLeverage: 20,
      currency: 'BTC',
      status: 1,
      apiStateOpen: 'true',
      apiStateClose: 'true',
    });
    writeFileSync(markets, JSON.stringify({ code: 0, msg: '', data: SYMBOLS.map(contract) }));
    const journal = at('bt.duckdb');
    const bt = await violet([
      'backtest',
      '--markets',
      markets,
      '--scans',
      scans,
      '--journal',
      journal,
      '--json',
      at('bt.json'),
      '--chart',
      at('eq.svg'),
    ]);
    expect(bt.status, bt.stderr).toBe(0);
    const made = JSON.parse(readFileSync(at('bt.json'), 'utf8')).trades as number;
    expect(made).toBeGreaterThanOrEqual(100);
    const trades = at('trades.csv');
    const ex = await violet([
      'trades',
      'export',
      '--journal',
      journal,
      '--format',
      'csv',
      '--out',
      trades,
    ]);
    expect(ex.status, ex.stderr).toBe(0);
    const clean = await violet(['study', 'clean', '--trades', trades, '--json', at('clean.json')]);
    expect(clean.status, clean.stderr).toBe(0);
    const report = JSON.parse(readFileSync(at('clean.json'), 'utf8'));
    expect([report.rows, report.trade_ids, report.conflicting_trade_ids]).toEqual([made, made, 0]);
    expect(await exportJsonl(at('shadow.duckdb'), 'violet_rejects', at('r.jsonl'))).toEqual([]);
  });
});
