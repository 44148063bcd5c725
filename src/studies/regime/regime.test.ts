import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../common/rng/index.js';
import { PYTHON } from '../../test-support/cli.js';
import { CleanTradesFixture, expectClose, type Trade } from '../../test-support/studies.js';
import { type RegimeJson, runRegime } from './index.js';

const fixture = new CleanTradesFixture({ leverage: 1, bars_held: 3 });
afterEach(() => fixture.cleanup());
const cleanTrades = (trades: readonly Trade[]) => fixture.load(trades);

async function regime(trades: readonly Trade[]): Promise<RegimeJson> {
  const { db } = await cleanTrades(trades);
  return (await runRegime(db.conn)).json as unknown as RegimeJson;
}

// Six trades worked by hand: two BEAR labels, a null label, dvol tied at its median (50),
// vel_div exactly at the −0.05 cut, BTC exactly at its MA99 (counts as above).
const SIX: Trade[] = [
  { pnl: 10, regime_label: 'BEAR', btc_price: 100, btc_ma99: 110, dvol: 50, vel_div_entry: -0.06 },
  { pnl: -4, regime_label: 'bull', btc_price: 120, btc_ma99: 110, dvol: 50, vel_div_entry: -0.03 },
  { pnl: 6, regime_label: null, btc_price: 105, btc_ma99: 100, dvol: 60, vel_div_entry: -0.05 },
  { pnl: 0, regime_label: 'BEAR', btc_price: 100, btc_ma99: 100, dvol: 40, vel_div_entry: null },
  {
    pnl: 8,
    regime_label: 'Bearish',
    btc_price: null,
    btc_ma99: 100,
    dvol: 50,
    vel_div_entry: -0.08,
  },
  {
    pnl: -2,
    regime_label: 'bull',
    btc_price: 90,
    btc_ma99: 100,
    dvol: null,
    vel_div_entry: -0.021,
  },
];

describe('runRegime', () => {
  it('summarises six hand-worked trades by label, sub-regime and label reliability', async () => {
    const j = await regime(SIX);
    expect(j.trades).toBe(6);
    expect(j.by_label).toEqual([
      { label: '(none)', n: 1, mean_pnl: 6, win_rate: 1 },
      { label: 'BEAR', n: 2, mean_pnl: 5, win_rate: 0.5 },
      { label: 'Bearish', n: 1, mean_pnl: 8, win_rate: 1 },
      { label: 'bull', n: 2, mean_pnl: -3, win_rate: 0 },
    ]);
    const s = j.sub_regimes;
    expect(s.btc_vs_ma99.a).toEqual({ name: 'below', n: 2, mean_pnl: 4, win_rate: 0.5 });
    expect(s.btc_vs_ma99.b).toEqual({ name: 'above', n: 3, mean_pnl: 2 / 3, win_rate: 1 / 3 });
    expect(s.btc_vs_ma99.ratio).toBe(4 / (2 / 3));
    // dvol 40, 50, 50, 50, 60: the three tied at the median go low.
    expect(s.dvol.median_dvol).toBe(50);
    expect(s.dvol.a).toEqual({ name: 'high', n: 1, mean_pnl: 6, win_rate: 1 });
    expect(s.dvol.b).toEqual({ name: 'low', n: 4, mean_pnl: 3.5, win_rate: 0.5 });
    expect(s.dvol.ratio).toBe(6 / 3.5);
    expect(s.vel_div.a).toEqual({ name: 'strong', n: 3, mean_pnl: 8, win_rate: 1 });
    expect(s.vel_div.b).toEqual({ name: 'weak', n: 2, mean_pnl: -3, win_rate: 0 });
    expect(s.vel_div.ratio).toBe(8 / -3);
    // "Bearish" has no btc_price; BEAR at btc = ma99 is not above.
    expect(j.label_reliability).toEqual({ bearish_labelled: 2, bearish_above_ma99: 0, share: 0 });
  });

  it('writes the keys of docs/studies.md in order', async () => {
    const j = await regime(SIX);
    expect(Object.keys(j)).toEqual(['trades', 'by_label', 'sub_regimes', 'label_reliability']);
    expect(Object.keys(j.sub_regimes)).toEqual(['btc_vs_ma99', 'dvol', 'vel_div']);
    expect(Object.keys(j.sub_regimes.dvol)).toEqual(['a', 'b', 'ratio', 'median_dvol']);
    expect(Object.keys(j.sub_regimes.vel_div.a)).toEqual(['name', 'n', 'mean_pnl', 'win_rate']);
  });

  it('reads the edge as regime-concentrated in Markdown and charts mean pnl per label', async () => {
    const { db } = await cleanTrades(SIX);
    const r = await runRegime(db.conn);
    expect(r.markdown).toMatch(/^# Regime concentration/);
    expect(r.markdown).toContain('The edge is regime-concentrated: it sits in BTC vs MA99 below');
    expect(r.markdown).toContain('| (none) | 1 | 6 | 100.0% |');
    const chart = r.charts.find((c) => c.name === 'regime-by-label.svg');
    expect(chart?.svg).toContain('mean pnl per regime label');
    expect(chart?.svg.match(/<rect x=/g)).toHaveLength(4);
  });

  it('gives null ratios and means for an empty side or a zero denominator', async () => {
    const j = await regime([
      { pnl: 5, dvol: 30, btc_price: 1, btc_ma99: 2, vel_div_entry: -0.03 },
      { pnl: -5, dvol: 30, btc_price: 3, btc_ma99: 2, vel_div_entry: -0.04 },
      { pnl: 5, dvol: 30, btc_price: 2, btc_ma99: 2, vel_div_entry: -0.01 },
    ]);
    // all dvol tie at the median: nothing is high
    expect(j.sub_regimes.dvol.a).toEqual({ name: 'high', n: 0, mean_pnl: null, win_rate: null });
    expect(j.sub_regimes.dvol.ratio).toBeNull();
    // above: -5 and 5, mean 0
    expect(j.sub_regimes.btc_vs_ma99.b.mean_pnl).toBe(0);
    expect(j.sub_regimes.btc_vs_ma99.ratio).toBeNull();
    expect(j.sub_regimes.vel_div.a.n).toBe(0);
    expect(j.label_reliability).toEqual({
      bearish_labelled: 0,
      bearish_above_ma99: 0,
      share: null,
    });
    expect(j.by_label).toEqual([{ label: '(none)', n: 3, mean_pnl: 5 / 3, win_rate: 2 / 3 }]);
  });

  it('copes with no regime columns and with no trades', async () => {
    const { db } = await cleanTrades([{ pnl: 1 }, { pnl: 2 }]);
    const r = await runRegime(db.conn);
    const j = r.json as unknown as RegimeJson;
    expect(j.sub_regimes.dvol.median_dvol).toBeNull();
    expect(j.sub_regimes.btc_vs_ma99.a.n + j.sub_regimes.btc_vs_ma99.b.n).toBe(0);
    expect(r.markdown).toContain('Cannot tell whether the edge is regime-concentrated');
    const empty = await regime([]);
    expect(empty.trades).toBe(0);
    expect(empty.by_label).toEqual([]);
  });

  it('is not fooled into concentration when both sides of every split earn alike', async () => {
    const { db } = await cleanTrades([
      { pnl: 2, btc_price: 1, btc_ma99: 2 },
      { pnl: 3, btc_price: 3, btc_ma99: 2 },
    ]);
    expect((await runRegime(db.conn)).markdown).toContain('The edge is not regime-concentrated');
  });

  it('matches numpy on 1500 seeded trades (ties at the median dvol, null labels) within 1e-9', async () => {
    const trades = seededTrades(new Rng(6061), 1500);
    const { db, csv } = await cleanTrades(trades);
    const got = (await runRegime(db.conn)).json;
    const py = spawnSync(PYTHON, ['-c', NUMPY_REGIME, csv], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const want = JSON.parse(py.stdout) as unknown;
    expectClose(got, want, '$');
    const j = got as unknown as RegimeJson;
    const med = j.sub_regimes.dvol.median_dvol as number;
    expect(trades.filter((t) => t.dvol === med).length).toBeGreaterThan(1);
    expect(j.by_label.map((l) => l.label)).toContain('(none)');
  });
});

function seededTrades(rng: Rng, n: number): Trade[] {
  const labels = ['BEARISH', 'bear_trend', 'BULLISH', 'NEUTRAL', null, 'Sideways', 'Ünicode'];
  return Array.from({ length: n }, () => {
    const label = rng.pick(labels);
    const ma99 = rng.chance(0.1) ? null : 60000 + rng.normal() * 3000;
    const btc = rng.chance(0.05) || ma99 === null ? null : ma99 * (1 + rng.normal() * 0.03);
    const bearEdge = label?.toLowerCase().includes('bear') ? 15 : 0;
    return {
      pnl: rng.normal() * 80 + bearEdge + (rng.chance(0.02) ? 0 : 5),
      regime_label: label,
      btc_price: btc,
      btc_ma99: ma99,
      // integer DVOL: many trades tie at the median
      dvol: rng.chance(0.08) ? null : rng.int(40, 70),
      vel_div_entry: rng.chance(0.05) ? null : rng.chance(0.05) ? -0.05 : rng.uniform(-0.12, 0),
    };
  });
}

// docs/studies.md "regime", computed independently with numpy from the same CSV.
const NUMPY_REGIME = `
import csv, json, sys
import numpy as np

rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
num = lambda r, k: None if r[k] == '' else float(r[k])
pnl = np.array([float(r['pnl']) for r in rows], dtype=np.float64)
N = len(rows)

def summ(idx):
    p = pnl[np.array(idx, dtype=np.int64)]
    n = len(p)
    return {'n': n, 'mean_pnl': float(np.mean(p)) if n else None,
            'win_rate': float(np.mean(p > 0)) if n else None}

def pair(an, ai, bn, bi):
    a, b = summ(ai), summ(bi)
    ratio = None if a['mean_pnl'] is None or b['mean_pnl'] is None or b['mean_pnl'] == 0 \\
        else a['mean_pnl'] / b['mean_pnl']
    return {'a': {'name': an, **a}, 'b': {'name': bn, **b}, 'ratio': ratio}

labels = [r['regime_label'] or '(none)' for r in rows]
by_label = [{'label': l, **summ([i for i in range(N) if labels[i] == l])} for l in sorted(set(labels))]
btc = [num(r, 'btc_price') for r in rows]
ma = [num(r, 'btc_ma99') for r in rows]
dv = [num(r, 'dvol') for r in rows]
vd = [num(r, 'vel_div_entry') for r in rows]
wm = [i for i in range(N) if btc[i] is not None and ma[i] is not None]
wd = [i for i in range(N) if dv[i] is not None]
med = float(np.median(np.array([dv[i] for i in wd]))) if wd else None
wv = [i for i in range(N) if vd[i] is not None]
bear = [i for i in wm if rows[i]['regime_label'] and 'bear' in rows[i]['regime_label'].lower()]
above = sum(1 for i in bear if btc[i] > ma[i])
out = {
    'trades': N,
    'by_label': by_label,
    'sub_regimes': {
        'btc_vs_ma99': pair('below', [i for i in wm if btc[i] < ma[i]], 'above', [i for i in wm if btc[i] >= ma[i]]),
        'dvol': {**pair('high', [i for i in wd if dv[i] > med], 'low', [i for i in wd if dv[i] <= med]), 'median_dvol': med},
        'vel_div': pair('strong', [i for i in wv if vd[i] <= -0.05], 'weak', [i for i in wv if vd[i] > -0.05]),
    },
    'label_reliability': {'bearish_labelled': len(bear), 'bearish_above_ma99': above,
                          'share': above / len(bear) if bear else None},
}
print(json.dumps(out))
`;
