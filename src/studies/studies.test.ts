import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { python, violet } from '../test-support/cli.js';
import { generateRecordedTrades } from '../test-support/fixtures.js';
import { exportJsonl, sampleArchive, tempDir } from '../test-support/journal.js';

// Every JSON number of every study against the independent numpy reference.
function compare(ours: unknown, theirs: unknown, path: string, diffs: string[]): void {
  if (typeof theirs === 'number' && typeof ours === 'number') {
    const scale = Math.max(Math.abs(theirs), Math.abs(ours));
    if (scale !== 0 && Math.abs(ours - theirs) / scale > 1e-9)
      diffs.push(`${path}: ${ours} vs ${theirs}`);
    return;
  }
  if (Array.isArray(theirs) && Array.isArray(ours)) {
    if (ours.length !== theirs.length)
      diffs.push(`${path}: length ${ours.length} vs ${theirs.length}`);
    for (const [i, t] of theirs.entries()) compare(ours[i], t, `${path}[${i}]`, diffs);
    return;
  }
  if (theirs !== null && typeof theirs === 'object' && ours !== null && typeof ours === 'object') {
    const a = Object.keys(ours as object).sort();
    const b = Object.keys(theirs as object).sort();
    if (a.join() !== b.join()) diffs.push(`${path}: keys ${a.join(',')} vs ${b.join(',')}`);
    for (const k of b)
      compare(
        (ours as Record<string, unknown>)[k],
        (theirs as Record<string, unknown>)[k],
        `${path}.${k}`,
        diffs,
      );
    return;
  }
  if (ours !== theirs) diffs.push(`${path}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`);
}

/** Runs a study; a gating study (parity) may exit 1 when its gate fails, nothing else may. */
async function study(name: string, trades: string, extra: string[], dir: string): Promise<unknown> {
  const out = join(dir, `${name}.json`);
  const r = await violet(['study', name, '--trades', trades, '--json', out, ...extra]);
  const gated = name === 'parity' && r.status === 1;
  expect(r.stderr).toBe(gated ? 'violet: parity: gate failed\n' : '');
  expect(r.status).toBe(gated ? 1 : 0);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  if (name === 'parity') expect(json.pass).toBe(!gated);
  return json;
}

function reference(name: string, trades: string, extra: string[]): unknown {
  const r = python('conformance/studies_reference.py', [name, '--trades', trades, ...extra]);
  expect(r.stderr).toBe('');
  const json = JSON.parse(r.stdout);
  // The reference gates parity like the command: exit 1 when it fails.
  expect(r.status).toBe(name === 'parity' && json.pass === false ? 1 : 0);
  return json;
}

describe('studies against the numpy reference on trades with known truth', () => {
  const dir = tempDir('violet-studies-');
  const trades = join(dir, 'trades.csv');
  writeFileSync(trades, generateRecordedTrades({ seed: 42, trades: 2500 }));

  for (const [name, extra] of [
    ['clean', []],
    ['margin', []],
    ['margin', ['--max-p95-util', '0.3']],
    ['regime', []],
    ['sizing', []],
    ['parity', []],
    ['parity', ['--max-leverage', '8', '--min-r', '0.99', '--max-err', '0.5']],
  ] as const) {
    it(`${name} ${extra.join(' ')} matches numpy (relative difference ≤ 1e-9)`, async () => {
      const ours = (await study(name, trades, [...extra], dir)) as Record<string, unknown>;
      const diffs: string[] = [];
      compare(ours, reference(name, trades, [...extra]), name, diffs);
      expect(diffs).toEqual([]);
    });
  }

  it('parity recovers the generating parameters', async () => {
    const params = { max_leverage: 7.5, threshold: -0.02, extreme: -0.05, convexity: 2 };
    const file = join(dir, 'p.csv');
    writeFileSync(file, generateRecordedTrades({ seed: 7, trades: 4000, params }));
    const out = (await study('parity', file, [], dir)) as {
      fit: Record<string, number>;
      pass: boolean;
    };
    expect(out.pass).toBe(false);
    expect(out.fit).toMatchObject(params);
  });

  it('reads VIOLET’s own trades export unmapped; colocate against its shadow journal matches numpy', async () => {
    const scans = sampleArchive(dir, 3000, 13);
    const shadow = join(dir, 'shadow.duckdb');
    const bt = join(dir, 'bt.duckdb');
    expect((await violet(['shadow', '--scans', scans, '--journal', shadow])).status).toBe(0);
    expect(
      (await violet(['backtest', '--scans', scans, '--journal', bt, '--chart', join(dir, 'e.svg')]))
        .status,
    ).toBe(0);
    const own = join(dir, 'own.csv');
    expect(
      (await violet(['trades', 'export', '--journal', bt, '--format', 'csv', '--out', own])).status,
    ).toBe(0);
    const csv = async (table: string, cols: string[]) => {
      const rows = await exportJsonl(shadow, table, join(dir, `${table}.jsonl`));
      const file = join(dir, `${table}.csv`);
      writeFileSync(
        file,
        `${[cols.join(','), ...rows.map((r) => cols.map((c) => (r[c] === null ? '' : String(r[c]))).join(','))].join('\n')}\n`,
      );
      return file;
    };
    const decisions = await csv('violet_decisions', [
      'instance_id',
      'scan_number',
      'ts',
      'asset',
      'actuated',
    ]);
    const universe = await csv('violet_universe', ['instance_id', 'scan_number', 'ts', 'symbols']);
    // Every study reads VIOLET's own export without a column map.
    for (const name of ['clean', 'margin', 'regime', 'sizing', 'parity'])
      await study(name, own, [], dir);
    const ours = (await study('colocate', own, ['--decisions', shadow], dir)) as Record<
      string,
      number
    >;
    expect(ours.trades).toBeGreaterThan(5);
    expect(ours.in_universe_share).toBe(1);
    expect(ours.colocated_share).toBe(1);
    const diffs: string[] = [];
    compare(
      ours,
      reference('colocate', own, [
        '--decisions',
        decisions,
        '--universe',
        universe,
        '--instance',
        'violet-1',
      ]),
      'colocate',
      diffs,
    );
    expect(diffs).toEqual([]);
  });

  it('refuses a missing column or an unparsable value with the column and the first bad row (exit 2)', async () => {
    const lines = readFileSync(trades, 'utf8').split('\n');
    const header = lines[0] as string;
    const cols = header.split(',');
    const pnl = cols.indexOf('pnl');
    const broken = lines.map((l, i) => {
      if (i !== 3) return l;
      const cells = l.split(',');
      cells[pnl] = 'abc';
      return cells.join(',');
    });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, broken.join('\n'));
    const r = await violet(['study', 'clean', '--trades', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('violet: column pnl: row 3 has "abc", not a finite number\n');
    const renamed = join(dir, 'renamed.csv');
    writeFileSync(renamed, [header.replace('pnl', 'realized_pnl'), ...lines.slice(1)].join('\n'));
    const missing = await violet(['study', 'clean', '--trades', renamed]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^violet: missing required column pnl/);
    const mapped = (await study('clean', renamed, ['--map', 'realized_pnl=pnl'], dir)) as Record<
      string,
      unknown
    >;
    const direct = (await study('clean', trades, [], dir)) as Record<string, unknown>;
    expect(mapped).toEqual(direct);
  });
});
