import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECORDED_TRADE_COLUMNS } from '../studies/db.js';
import { violet } from '../test-support/cli.js';
import { exportJsonl, sampleArchive, tempDir } from '../test-support/journal.js';

type Row = Record<string, number | string | null>;

describe('backtest over a replayed archive', () => {
  const dir = tempDir();
  const scans = sampleArchive(dir, 8000, 5);
  const runOnce = async (name: string) => {
    const journal = join(dir, `${name}.duckdb`);
    const r = await violet([
      'backtest',
      '--scans',
      scans,
      '--journal',
      journal,
      '--chart',
      join(dir, `${name}.svg`),
      '--json',
      join(dir, `${name}.json`),
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return journal;
  };
  let journal: string;
  let trades: Row[];
  let legs: Row[];
  beforeAll(async () => {
    journal = await runOnce('a');
    trades = (await exportJsonl(journal, 'violet_trades', join(dir, 't.jsonl'))) as Row[];
    legs = (await exportJsonl(journal, 'violet_trade_exit_legs', join(dir, 'l.jsonl'))) as Row[];
    trades.sort((x, y) => (x.entry_scan as number) - (y.entry_scan as number));
  });

  it('closes the accounting of every trade: Σ legs pnl − fees + funding = capital_after − capital_before', () => {
    expect(trades.length).toBeGreaterThan(20);
    for (const t of trades) {
      const mine = legs.filter((l) => l.trade_id === t.trade_id);
      expect(mine.length).toBeGreaterThan(0);
      const legPnl = mine.reduce((a, l) => a + (l.pnl as number), 0);
      const legFees = mine.reduce((a, l) => a + (l.fee as number), 0);
      const entryFee = (t.fees as number) - legFees;
      expect(entryFee).toBeGreaterThan(0);
      const change = (t.capital_after as number) - (t.capital_before as number);
      expect(Math.abs(legPnl - (t.fees as number) + (t.funding as number) - change)).toBeLessThan(
        1e-9,
      );
      expect(t.exit_reason).toBe(mine.at(-1)?.reason);
      expect(mine.reduce((a, l) => a + (l.quantity as number), 0)).toBeCloseTo(
        t.quantity as number,
        9,
      );
    }
  });

  it('chains capital from trade to trade and never overlaps two trades (single slot)', () => {
    for (let i = 1; i < trades.length; i++) {
      const prev = trades[i - 1] as Row;
      const t = trades[i] as Row;
      expect(t.capital_before).toBe(prev.capital_after);
      expect(t.entry_scan as number).toBeGreaterThan(prev.exit_scan as number);
      expect(t.entry_ts as number).toBeGreaterThan(prev.exit_ts as number);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    expect(summary.trades).toBe(trades.length);
    expect(summary.end_capital).toBe(trades.at(-1)?.capital_after);
    expect(readFileSync(join(dir, 'a.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<polyline/);
  });

  it('gives a byte-identical trade export for the same scans and config, in the studies shape', async () => {
    const other = await runOnce('b');
    const outs: Buffer[] = [];
    for (const [i, j] of [journal, other].entries()) {
      const out = join(dir, `trades-${i}.csv`);
      expect(
        (await violet(['trades', 'export', '--journal', j, '--format', 'csv', '--out', out]))
          .status,
      ).toBe(0);
      outs.push(readFileSync(out));
    }
    expect(outs[0]?.equals(outs[1] as Buffer)).toBe(true);
    expect(outs[0]?.toString().split('\n')[0]).toBe(RECORDED_TRADE_COLUMNS.join(','));
  });

  it('refuses to mix a different config into the same instance of a journal', async () => {
    const r = await violet([
      'backtest',
      '--scans',
      scans,
      '--journal',
      journal,
      '--profile',
      'v3-shadow',
      '--chart',
      join(dir, 'c.svg'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/already holds instance violet-1 with config/);
  });
});
