import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON } from './cli.js';
import {
  FIXTURE_COLUMNS,
  FIXTURE_HAIRCUTS,
  FIXTURE_PARAMS,
  FIXTURE_SEED,
  FIXTURE_TAIL,
  type FixtureSizerParams,
  generateRecordedTrades,
  generateRecordedTradesWithTruth,
  START_CAPITAL,
} from './fixtures.js';

type Row = Record<string, string> & { row: string };

function parse(csv: string): { header: string[]; rows: Row[] } {
  const lines = csv.trimEnd().split('\n');
  const header = (lines[0] as string).split(',');
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const r: Record<string, string> = { row: String(i) };
    header.forEach((h, j) => {
      r[h] = cells[j] ?? '';
    });
    return r as Row;
  });
  return { header, rows };
}

const num = (s: string | undefined): number => Number(s);

function groupById(rows: Row[]): Map<string, Row[]> {
  const ids = new Map<string, Row[]>();
  for (const r of rows) {
    const g = ids.get(r.trade_id as string);
    if (g) g.push(r);
    else ids.set(r.trade_id as string, [r]);
  }
  return ids;
}

function base(v: number, p: FixtureSizerParams): number | null {
  if (!(v < p.threshold)) return null;
  const s = Math.min(1, (p.threshold - v) / (p.threshold - p.extreme));
  let pow = s;
  for (let i = 1; i < p.convexity; i++) pow = pow * s;
  return 0.5 + (p.max_leverage - 0.5) * pow;
}

const close = (a: number, b: number, rel = 1e-9) =>
  a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

// The JSON keys of docs/studies.md, in order, for the objects of each study.
const KEYS = {
  clean: [
    'rows',
    'trade_ids',
    'multi_row_trade_ids',
    'identical_multi_row_share',
    'max_rows_per_trade_id',
    'conflicting_trade_ids',
    'dropped_hibernate',
    'dropped_zero_bars',
    'raw_pnl',
    'clean_trades',
    'clean_pnl',
    'clean_win_rate',
    'artifact_share_of_raw_loss',
    'capital_check',
  ],
  capital_check: [
    'first_entry_ts',
    'last_entry_ts',
    'first_capital_before',
    'last_capital_before',
    'growth',
    'clean_pnl',
  ],
  margin: [
    'trades',
    'max_p95_util',
    'levels',
    'recommended_exchange_leverage',
    'overlapping_trades',
  ],
  level: ['exchange_leverage', 'fit_share', 'util_median', 'util_p95'],
  regime: ['trades', 'by_label', 'sub_regimes', 'label_reliability'],
  label: ['label', 'n', 'mean_pnl', 'win_rate'],
  sub_regimes: ['btc_vs_ma99', 'dvol', 'vel_div'],
  pair: ['a', 'b', 'ratio'],
  side: ['name', 'n', 'mean_pnl', 'win_rate'],
  label_reliability: ['bearish_labelled', 'bearish_above_ma99', 'share'],
  sizing: [
    'trades',
    'skipped',
    'max_leverage',
    'ratio_median',
    'upward_tail_share',
    'bands',
    'tail_by_bin',
  ],
  band: ['center', 'share'],
  tail_bin: ['bin', 'n', 'tail_share'],
  parity: ['trades', 'bins', 'pearson', 'max_abs_err', 'min_r', 'max_err', 'pass', 'fit'],
  parity_bin: ['bin', 'lo', 'hi', 'n', 'median_vel_div', 'median_leverage', 'model'],
  fit: ['max_leverage', 'threshold', 'extreme', 'convexity', 'max_abs_err', 'pearson'],
} as const;

// biome-ignore lint/suspicious/noExplicitAny: JSON from the reference, checked key by key
type Json = any;

const dir = mkdtempSync(join(tmpdir(), 'violet-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function reference(study: string, csv: string, name: string): { status: number | null; out: Json } {
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, csv);
  const py = spawnSync(PYTHON, ['conformance/studies_reference.py', study, '--trades', file], {
    encoding: 'utf8',
  });
  expect(py.stderr).toBe('');
  return { status: py.status, out: JSON.parse(py.stdout) };
}

const N = 2000;
const fixture = generateRecordedTradesWithTruth({ seed: FIXTURE_SEED, trades: N });
const { header, rows } = parse(fixture.csv);
const truth = fixture.truth;
const ids = groupById(rows);

/** The clean trades, by the rule of docs/studies.md (dedup, then the two artifact filters). */
function cleanTrades(): Row[] {
  const kept: Row[] = [];
  for (const g of ids.values()) {
    const first = g[0] as Row;
    if (g.every((r) => r.pnl === first.pnl)) kept.push(first);
    else kept.push(g.reduce((best, r) => (num(r.exit_ts) >= num(best.exit_ts) ? r : best)));
  }
  return kept
    .filter((r) => r.exit_reason !== 'HIBERNATE_HALT' && num(r.bars_held) !== 0)
    .sort((a, b) => num(a.entry_ts) - num(b.entry_ts));
}
const clean = cleanTrades();

describe('generateRecordedTrades', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateRecordedTrades({ seed: 7, trades: 300 });
    expect(generateRecordedTrades({ seed: 7, trades: 300 })).toBe(a);
    expect(generateRecordedTrades({ seed: 8, trades: 300 })).not.toBe(a);
    expect(a).toBe(generateRecordedTradesWithTruth({ seed: 7, trades: 300 }).csv);
    expect(FIXTURE_PARAMS).toEqual({
      max_leverage: 9,
      threshold: -0.02,
      extreme: -0.05,
      convexity: 3,
    });
  });

  it('writes the 13 required then the 7 optional columns, epoch-ms times, SHORT trades', () => {
    expect(header).toEqual([...FIXTURE_COLUMNS]);
    expect(header).toHaveLength(20);
    expect(rows).toHaveLength(truth.rows);
    for (const r of rows) {
      expect(r.side).toBe('SHORT');
      expect(Number.isInteger(num(r.entry_ts))).toBe(true);
      expect(num(r.exit_ts)).toBeGreaterThan(num(r.entry_ts));
      for (const c of FIXTURE_COLUMNS.slice(0, 13)) expect(r[c], c).not.toBe('');
    }
    expect(new Set(rows.map((r) => r.asset)).size).toBeLessThanOrEqual(10);
  });

  it('has ~N trade ids entered at increasing times with gaps, and a few overlaps', () => {
    expect(ids.size).toBe(N);
    const entries = [...ids.values()].map((g) => num(g[0]?.entry_ts)).sort((a, b) => a - b);
    for (let i = 1; i < entries.length; i++)
      expect(entries[i]).toBeGreaterThan(entries[i - 1] as number);
    let overlapping = 0;
    let latest = Number.NEGATIVE_INFINITY;
    for (const r of clean) {
      if (num(r.entry_ts) < latest) overlapping++;
      latest = Math.max(latest, num(r.exit_ts));
    }
    expect(overlapping).toBe(truth.overlapping_trades);
    expect(overlapping).toBeGreaterThanOrEqual(3);
    expect(overlapping).toBeLessThan(N * 0.03);
  });

  it('duplicates: most multi-row ids repeat one identical row 2–20 times, one id ~300 times, shuffled', () => {
    const multi = [...ids.values()].filter((g) => g.length >= 2);
    const identical = multi.filter((g) => g.every((r) => r.pnl === g[0]?.pnl));
    expect(multi.length).toBe(truth.multi_row_trade_ids);
    expect(multi.length).toBeGreaterThan(N * 0.07);
    expect(identical.length / multi.length).toBeGreaterThan(0.9);
    const line = (r: Row) => FIXTURE_COLUMNS.map((c) => r[c]).join(',');
    for (const g of identical) expect(new Set(g.map(line)).size).toBe(1);
    const sizes = identical.map((g) => g.length).sort((a, b) => a - b);
    expect(sizes.filter((s) => s >= 2 && s <= 20).length).toBe(sizes.length - 1);
    const max = sizes[sizes.length - 1] as number;
    expect(max).toBe(truth.max_rows_per_trade_id);
    expect(max).toBeGreaterThanOrEqual(290);
    expect(max).toBeLessThanOrEqual(320);
    // copies are not adjacent in the file, and the file is not in entry order
    const heavy = identical.find((g) => g.length === max) as Row[];
    const span = num(heavy.at(-1)?.row) - num(heavy[0]?.row) + 1;
    expect(span - max).toBeGreaterThan(20); // other trades' rows in between
    expect(rows.some((r, i) => i > 0 && num(r.entry_ts) < num(rows[i - 1]?.entry_ts))).toBe(true);
  });

  it('conflicts: a few ids whose rows differ in pnl and exit_ts, one with an exit_ts tie', () => {
    const conflicts = [...ids.values()].filter((g) => !g.every((r) => r.pnl === g[0]?.pnl));
    expect(conflicts.length).toBe(truth.conflicting_trade_ids);
    expect(conflicts.length).toBeGreaterThanOrEqual(3);
    let ties = 0;
    for (const g of conflicts) {
      expect(new Set(g.map((r) => r.exit_ts)).size).toBeGreaterThan(1);
      const last = Math.max(...g.map((r) => num(r.exit_ts)));
      const atLast = g.filter((r) => num(r.exit_ts) === last);
      if (atLast.length > 1) {
        ties++;
        expect(new Set(atLast.map((r) => r.pnl)).size).toBe(atLast.length);
      }
    }
    expect(ties).toBe(truth.exit_ts_ties);
    expect(ties).toBeGreaterThanOrEqual(1);
  });

  it('artifacts: HIBERNATE_HALT losses incl. one huge ZEC-like loss with bars_held 0, and other bars_held = 0 trades', () => {
    const first = [...ids.values()].map((g) => g[0] as Row);
    const hibernate = first.filter((r) => r.exit_reason === 'HIBERNATE_HALT');
    expect(hibernate.length).toBe(truth.dropped_hibernate);
    expect(hibernate.length).toBeGreaterThanOrEqual(10);
    for (const r of hibernate) expect(num(r.pnl)).toBeLessThan(0);
    expect(hibernate.some((r) => num(r.bars_held) > 0)).toBe(true);
    const huge = hibernate.filter((r) => num(r.pnl) < -0.5 * num(r.capital_before));
    expect(huge).toHaveLength(1);
    expect(huge[0]?.asset).toBe('ZECUSDT');
    expect(num(huge[0]?.bars_held)).toBe(0);
    expect(num(huge[0]?.pnl)).toBe(truth.huge_loss.pnl);
    const zero = first.filter((r) => r.exit_reason !== 'HIBERNATE_HALT' && r.bars_held === '0');
    expect(zero.length).toBe(truth.dropped_zero_bars);
    expect(zero.length).toBeGreaterThanOrEqual(10);
    expect(clean).toHaveLength(truth.clean_trades);
  });

  it('vel_div_entry mostly in [−0.09, −0.02), some null, some on bin edges or not firing', () => {
    const first = [...ids.values()].map((g) => g[0] as Row);
    const nulls = first.filter((r) => r.vel_div_entry === '');
    expect(nulls.length).toBe(truth.null_vel_div);
    expect(nulls.length).toBeGreaterThan(N * 0.02);
    const vs = first.filter((r) => r.vel_div_entry !== '').map((r) => num(r.vel_div_entry));
    expect(vs.filter((v) => v >= -0.09 && v < -0.02).length / vs.length).toBeGreaterThan(0.95);
    expect(vs.filter((v) => v >= -0.02).length).toBeGreaterThan(0);
    expect(vs.filter((v) => v < -0.08).length).toBeGreaterThan(N * 0.05);
    for (const edge of [-0.02, -0.0225, -0.05, -0.08])
      expect(vs.filter((v) => v === edge).length, String(edge)).toBeGreaterThan(0);
  });

  it('leverage = base sizer × an EsoF haircut, or × 1.1–1.6 in the mid range; quantity from capital', () => {
    const haircuts = FIXTURE_HAIRCUTS.map(([m]) => m);
    const seen = new Map<number, number>();
    let tail = 0;
    let sizing = 0;
    for (const r of clean) {
      const lev = num(r.leverage);
      const q = (num(r.capital_before) * 0.2 * lev) / num(r.entry_price);
      expect(close(num(r.quantity), q, 1e-12)).toBe(true);
      if (r.vel_div_entry === '') continue;
      const v = num(r.vel_div_entry);
      const b = base(v, FIXTURE_PARAMS);
      if (b === null) continue;
      sizing++;
      const ratio = lev / b;
      const cut = haircuts.find((m) => close(ratio, m, 1e-12));
      if (cut !== undefined) seen.set(cut, (seen.get(cut) ?? 0) + 1);
      else {
        tail++;
        expect(ratio).toBeGreaterThanOrEqual(FIXTURE_TAIL.lo - 1e-9);
        expect(ratio).toBeLessThan(FIXTURE_TAIL.hi + 1e-9);
        expect(v > -0.05 && v < -0.02).toBe(true);
      }
    }
    expect(sizing).toBe(truth.sizing_trades);
    expect(tail).toBe(truth.tail_trades);
    expect(tail / sizing).toBeGreaterThan(0.13);
    expect(tail / sizing).toBeLessThan(0.25);
    for (const m of haircuts) expect(seen.get(m), String(m)).toBe(truth.haircut_counts[String(m)]);
    expect((seen.get(1) ?? 0) / sizing).toBeGreaterThan(0.45); // 1.0 is the most common
  });

  it('capital_before follows the cumulative clean pnl from 33820', () => {
    let capital = START_CAPITAL;
    expect(START_CAPITAL).toBe(33820);
    for (const r of clean) {
      expect(close(num(r.capital_before), capital)).toBe(true);
      capital += num(r.pnl);
    }
    const cleanPnl = clean.reduce((s, r) => s + num(r.pnl), 0);
    expect(close(cleanPnl, truth.clean_pnl)).toBe(true);
    expect(cleanPnl).toBeGreaterThan(0);
    expect(truth.raw_pnl).toBeLessThan(0);
  });

  it('market context: the edge in choppy-bearish, unreliable bearish labels, some nulls', () => {
    const labels = new Map<string, number[]>();
    for (const r of clean) {
      const l = r.regime_label as string;
      labels.set(l, [...(labels.get(l) ?? []), num(r.pnl)]);
    }
    expect([...labels.keys()].sort()).toEqual(['', 'bear', 'bull', 'choppy-bearish']);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const cb = mean(labels.get('choppy-bearish') ?? []);
    expect(cb).toBeGreaterThan(mean(labels.get('bear') ?? []));
    expect(cb).toBeGreaterThan(mean(labels.get('bull') ?? []));
    const bearish = clean.filter(
      (r) => r.regime_label?.includes('bear') && r.btc_price !== '' && r.btc_ma99 !== '',
    );
    const above = bearish.filter((r) => num(r.btc_price) > num(r.btc_ma99));
    expect(above.length / bearish.length).toBeGreaterThan(0.25);
    expect(above.length / bearish.length).toBeLessThan(0.5);
    for (const c of ['btc_price', 'btc_ma99', 'dvol', 'composite_hash', 'esof_score'] as const) {
      const empty = clean.filter((r) => r[c] === '').length;
      expect(empty, c).toBeGreaterThan(0);
      expect(empty, c).toBeLessThan(clean.length * 0.1);
    }
  });
});

describe('conformance/studies_reference.py on the fixture', () => {
  const csv = fixture.csv;

  it('clean: valid JSON with the doc keys and the generated truth', () => {
    const { status, out } = reference('clean', csv, 'default');
    expect(status).toBe(0);
    expect(Object.keys(out)).toEqual(KEYS.clean);
    expect(Object.keys(out.capital_check)).toEqual(KEYS.capital_check);
    expect(out).toMatchObject({
      rows: truth.rows,
      trade_ids: truth.trade_ids,
      multi_row_trade_ids: truth.multi_row_trade_ids,
      max_rows_per_trade_id: truth.max_rows_per_trade_id,
      conflicting_trade_ids: truth.conflicting_trade_ids,
      dropped_hibernate: truth.dropped_hibernate,
      dropped_zero_bars: truth.dropped_zero_bars,
      clean_trades: truth.clean_trades,
    });
    expect(close(out.clean_pnl, truth.clean_pnl)).toBe(true);
    expect(close(out.raw_pnl, truth.raw_pnl)).toBe(true);
    expect(out.artifact_share_of_raw_loss).toBeGreaterThan(0);
    expect(out.capital_check.first_capital_before).toBe(START_CAPITAL);
    const last = clean.at(-1) as Row;
    expect(close(out.capital_check.growth, truth.clean_pnl - num(last.pnl))).toBe(true);
  });

  it('margin: valid JSON with the doc keys', () => {
    const { status, out } = reference('margin', csv, 'default');
    expect(status).toBe(0);
    expect(Object.keys(out)).toEqual(KEYS.margin);
    expect(out.levels).toHaveLength(5);
    for (const l of out.levels) expect(Object.keys(l)).toEqual(KEYS.level);
    expect(out.trades).toBe(truth.clean_trades);
    expect(out.overlapping_trades).toBe(truth.overlapping_trades);
    expect(out.levels[1].fit_share).toBeGreaterThan(0.95); // notional ≤ 1.8 × capital
    expect(out.recommended_exchange_leverage).toBe(3);
  });

  it('regime: valid JSON with the doc keys', () => {
    const { status, out } = reference('regime', csv, 'default');
    expect(status).toBe(0);
    expect(Object.keys(out)).toEqual(KEYS.regime);
    expect(out.by_label.map((l: Json) => l.label)).toEqual([
      '(none)',
      'bear',
      'bull',
      'choppy-bearish',
    ]);
    for (const l of out.by_label) expect(Object.keys(l)).toEqual(KEYS.label);
    expect(Object.keys(out.sub_regimes)).toEqual(KEYS.sub_regimes);
    for (const k of KEYS.sub_regimes) {
      const pair = out.sub_regimes[k];
      expect(Object.keys(pair)).toEqual(k === 'dvol' ? [...KEYS.pair, 'median_dvol'] : KEYS.pair);
      expect(Object.keys(pair.a)).toEqual(KEYS.side);
      expect(Object.keys(pair.b)).toEqual(KEYS.side);
      expect(pair.ratio, k).toBeGreaterThan(1);
    }
    expect(Object.keys(out.label_reliability)).toEqual(KEYS.label_reliability);
  });

  it('sizing: valid JSON, the haircut bands and the generated upward tail', () => {
    const { status, out } = reference('sizing', csv, 'default');
    expect(status).toBe(0);
    expect(Object.keys(out)).toEqual(KEYS.sizing);
    for (const b of out.bands) expect(Object.keys(b)).toEqual(KEYS.band);
    for (const b of out.tail_by_bin) expect(Object.keys(b)).toEqual(KEYS.tail_bin);
    expect(out.trades).toBe(truth.sizing_trades);
    expect(out.ratio_median).toBe(1);
    expect(close(out.upward_tail_share, truth.tail_trades / truth.sizing_trades)).toBe(true);
    const low = out.bands.filter((b: Json) => b.center < 1.05);
    expect(low.map((b: Json) => Math.round(b.center * 100) / 100)).toEqual([
      0.3, 0.65, 0.8, 0.9, 1,
    ]);
    for (const b of low) {
      const count = truth.haircut_counts[String(Math.round(b.center * 100) / 100)] ?? 0;
      expect(close(b.share, count / truth.sizing_trades)).toBe(true);
    }
    for (const b of out.tail_by_bin) {
      const hi = Number(String(b.bin).split(', ')[1]?.replace(')', ''));
      if (hi <= -0.05) expect(b.tail_share, b.bin).toBe(0);
      else expect(b.tail_share, b.bin).toBeGreaterThan(0.1);
    }
  });

  it('parity: valid JSON, the gate passes and the fit is the generating params', () => {
    const { status, out } = reference('parity', csv, 'default');
    expect(status).toBe(0);
    expect(Object.keys(out)).toEqual(KEYS.parity);
    expect(out.bins).toHaveLength(25);
    for (const b of out.bins) expect(Object.keys(b)).toEqual(KEYS.parity_bin);
    expect(Object.keys(out.fit)).toEqual(KEYS.fit);
    expect(out.pass).toBe(true);
    expect(out.pearson).toBeGreaterThan(0.999);
    expect(out.max_abs_err).toBeLessThan(0.25);
    expect(out.fit).toMatchObject(FIXTURE_PARAMS);
  });

  it('parity recovers other generating params (max_leverage 7.5, convexity 2)', () => {
    const params = { max_leverage: 7.5, threshold: -0.02, extreme: -0.05, convexity: 2 };
    const other = generateRecordedTrades({ seed: FIXTURE_SEED, trades: N, params });
    const { status, out } = reference('parity', other, 'p75c2');
    expect(status).toBe(1); // the gate at max_leverage 9 / convexity 3 fails, JSON still printed
    expect(out.pass).toBe(false);
    expect(out.fit).toMatchObject(params);
    expect(out.fit.max_abs_err).toBeLessThan(0.25);
  });

  it('runs every study on a small fixture', () => {
    const small = generateRecordedTrades({ seed: 3, trades: 60 });
    for (const study of ['clean', 'margin', 'regime', 'sizing', 'parity'] as const) {
      const { status, out } = reference(study, small, 'small');
      expect([0, 1]).toContain(status);
      expect(Object.keys(out)).toEqual(KEYS[study]);
    }
  });
});
