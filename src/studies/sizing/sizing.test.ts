import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../common/rng/index.js';
import { SIZER_V3_SHADOW } from '../../kernel/params/index.js';
import { size } from '../../kernel/sizer/index.js';
import { PYTHON } from '../../test-support/cli.js';
import { CleanTradesFixture, expectClose, type Trade } from '../../test-support/studies.js';
import { runSizing, type SizingJson } from './index.js';

const fixture = new CleanTradesFixture({ pnl: 1, bars_held: 3 });
afterEach(() => fixture.cleanup());
const cleanTrades = (trades: readonly Trade[]) => fixture.load(trades);

async function sizing(trades: readonly Trade[], maxLeverage = 9): Promise<SizingJson> {
  const { db } = await cleanTrades(trades);
  return (await runSizing(db.conn, { maxLeverage })).json as unknown as SizingJson;
}

/** Leverage that is `ratio` times the base sizer at vel_div v (max_leverage 9). */
function lev(v: number, ratio: number): number {
  return (size(v, SIZER_V3_SHADOW)?.leverage as number) * ratio;
}

// Worked by hand: base(−0.05) = base(−0.065) = base(−0.08) = 9 (strength capped at 1);
// base(−0.035) = 0.5 + 8.5·0.5³ = 1.5625. Ratios 1, 0.3, 0.8, 1.1; two skipped.
const SIX: Trade[] = [
  { vel_div_entry: -0.05, leverage: 9 },
  { vel_div_entry: -0.08, leverage: 2.7 },
  { vel_div_entry: -0.035, leverage: 1.25 },
  { vel_div_entry: -0.02, leverage: 3 },
  { vel_div_entry: null, leverage: 3 },
  { vel_div_entry: -0.065, leverage: 9.9 },
];

describe('runSizing', () => {
  it('computes ratio median, upward tail and modes for six hand-worked trades', async () => {
    const j = await sizing(SIX);
    expect(Object.keys(j)).toEqual([
      'trades',
      'skipped',
      'max_leverage',
      'ratio_median',
      'upward_tail_share',
      'bands',
      'tail_by_bin',
    ]);
    expect(j.trades).toBe(4);
    expect(j.skipped).toBe(2);
    expect(j.max_leverage).toBe(9);
    expect(j.ratio_median).toBeCloseTo(0.9, 15);
    expect(j.upward_tail_share).toBe(0.25);
    // four isolated histogram bins (k = 6, 16, 20, 22), each a mode with a quarter
    expect(j.bands).toEqual([6, 16, 20, 22].map((k) => ({ center: k * 0.05, share: 0.25 })));
    expect(j.tail_by_bin).toEqual([]);
  });

  it('sizes against the max_leverage option', async () => {
    const j = await sizing([{ vel_div_entry: -0.05, leverage: 9 }], 8);
    expect(j.max_leverage).toBe(8);
    expect(j.ratio_median).toBe(9 / 8);
    expect(j.upward_tail_share).toBe(1);
  });

  it('counts ratios past 3.025 in the last band and needs a rise into a mode', async () => {
    const v = -0.06; // base 9
    const j = await sizing([
      ...Array.from({ length: 3 }, () => ({ vel_div_entry: v, leverage: 9 * 5 })), // k = 100 → 60
      ...Array.from({ length: 2 }, () => ({ vel_div_entry: v, leverage: 9 * 3 })), // k = 60
      ...Array.from({ length: 5 }, () => ({ vel_div_entry: v, leverage: 9 * 0.5 })), // k = 10
      ...Array.from({ length: 5 }, () => ({ vel_div_entry: v, leverage: 9 * 0.55 })), // k = 11: plateau
      ...Array.from({ length: 4 }, () => ({ vel_div_entry: v, leverage: 9 * 0.7 })), // k = 14
      ...Array.from({ length: 5 }, () => ({ vel_div_entry: v, leverage: 9 * 0.75 })), // k = 15
    ]);
    expect(j.trades).toBe(24);
    // k = 10 rises from 0 and equals k = 11 (a mode); 11 does not rise above 10; 14 not ≥ 15
    expect(j.bands).toEqual([
      { center: 10 * 0.05, share: 5 / 24 },
      { center: 15 * 0.05, share: 5 / 24 },
      { center: 60 * 0.05, share: 5 / 24 },
    ]);
  });

  it('drops a mode under 2% of trades', async () => {
    const v = -0.06;
    const j = await sizing([
      { vel_div_entry: v, leverage: 9 * 2 },
      ...Array.from({ length: 60 }, () => ({ vel_div_entry: v, leverage: 9 })),
    ]);
    expect(j.bands).toEqual([{ center: 20 * 0.05, share: 60 / 61 }]);
  });

  it('reports the upward tail per vel_div bin holding at least 10 trades, by label', async () => {
    const j = await sizing([
      // bin 3 [-0.03, -0.0275): ten trades, three above 1.05
      ...Array.from({ length: 10 }, (_, i) => ({
        vel_div_entry: -0.03 + i * 0.0002,
        leverage: lev(-0.03 + i * 0.0002, i < 3 ? 1.2 : 1),
      })),
      // bin 24 (below −0.08): nine trades, not reported
      ...Array.from({ length: 9 }, () => ({ vel_div_entry: -0.09, leverage: 20 })),
    ]);
    expect(j.tail_by_bin).toEqual([{ bin: '[-0.03, -0.0275)', n: 10, tail_share: 0.3 }]);
  });

  it('gives nulls and no bands when the sizer never fires', async () => {
    const { db } = await cleanTrades([{ vel_div_entry: 0.01, leverage: 2 }]);
    const r = await runSizing(db.conn, { maxLeverage: 9 });
    expect(r.json).toEqual({
      trades: 0,
      skipped: 1,
      max_leverage: 9,
      ratio_median: null,
      upward_tail_share: null,
      bands: [],
      tail_by_bin: [],
    });
    expect(r.markdown).toContain('No mode holds');
  });

  it('matches numpy on 3000 seeded trades with EsoF haircut bands and an upward tail', async () => {
    const trades = seededTrades(new Rng(8080), 3000);
    const { db, csv } = await cleanTrades(trades);
    const r = await runSizing(db.conn, { maxLeverage: 9 });
    const py = spawnSync(PYTHON, ['-c', NUMPY_SIZING, csv, '9'], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    expectClose(r.json, JSON.parse(py.stdout) as unknown, '$');
    const j = r.json as unknown as SizingJson;
    const centers = j.bands.map((b) => Number(b.center.toFixed(2)));
    for (const band of [0.3, 0.65, 0.8, 0.9, 1.0]) expect(centers).toContain(band);
    expect(j.upward_tail_share).toBeGreaterThan(0.05);
    expect(j.tail_by_bin.length).toBeGreaterThan(20);
    expect(r.markdown).toMatch(/^# Sizing/);
    expect(r.markdown).toContain('| 0.65 |');
    expect(r.charts[0]?.name).toBe('sizing-ratio.svg');
    expect(r.charts[0]?.svg).toContain('histogram');
  });
});

const HAIRCUTS = [0.3, 0.65, 0.8, 0.9, 1.0, 1.0, 1.0];

function seededTrades(rng: Rng, n: number): Trade[] {
  return Array.from({ length: n }, () => {
    const v = rng.chance(0.03)
      ? null
      : rng.chance(0.05)
        ? rng.uniform(-0.02, 0.01)
        : rng.uniform(-0.1, -0.02);
    const tail = rng.chance(0.07);
    const ratio = tail
      ? rng.chance(0.1)
        ? rng.uniform(3.1, 6)
        : rng.uniform(1.06, 1.8)
      : rng.pick(HAIRCUTS) * (1 + rng.normal() * 0.01);
    const base = v === null ? undefined : size(v, SIZER_V3_SHADOW)?.leverage;
    return { vel_div_entry: v, leverage: (base ?? rng.uniform(0.5, 9)) * ratio };
  });
}

// docs/studies.md "sizing" (and its vel_div bins), computed independently with numpy.
const NUMPY_SIZING = `
import csv, json, math, sys
import numpy as np

rows = list(csv.DictReader(open(sys.argv[1], newline='')))
max_lev = float(sys.argv[2])
T, X, C, LO = -0.02, -0.05, 3, 0.5

def base(v):
    if not v < T:
        return None
    s = min((T - v) / (T - X), 1.0)
    p = s
    for _ in range(C - 1):
        p = p * s
    return LO + (max_lev - LO) * p

bins = [(round(-0.0225 - 0.0025 * k, 4), round(-0.02 - 0.0025 * k, 4)) for k in range(24)]
labels = [f"[{lo!r}, {hi!r})" for lo, hi in bins] + ['(-inf, -0.08)']
def bin_of(v):
    for k, (lo, hi) in enumerate(bins):
        if lo <= v < hi:
            return k
    return 24

ratios, vds, skipped = [], [], 0
for r in rows:
    v = None if r['vel_div_entry'] == '' else float(r['vel_div_entry'])
    b = None if v is None else base(v)
    if b is None:
        skipped += 1
        continue
    ratios.append(float(r['leverage']) / b)
    vds.append(v)
ratios = np.array(ratios)
n = len(ratios)
ks = [min(math.floor(x / 0.05 + 0.5), 60) for x in ratios]
count = {}
for k in ks:
    count[k] = count.get(k, 0) + 1
at = lambda k: count.get(k, 0)
bands = [{'center': k * 0.05, 'share': at(k) / n} for k in sorted(count)
         if at(k) >= 0.02 * n and at(k) > at(k - 1) and at(k) >= at(k + 1)]
tail = []
for b in range(25):
    sel = np.array([bin_of(v) == b for v in vds], dtype=bool)
    m = int(sel.sum())
    if m >= 10:
        tail.append({'bin': labels[b], 'n': m, 'tail_share': float(np.mean(ratios[sel] > 1.05))})
print(json.dumps({
    'trades': n, 'skipped': skipped, 'max_leverage': max_lev,
    'ratio_median': float(np.median(ratios)) if n else None,
    'upward_tail_share': float(np.mean(ratios > 1.05)) if n else None,
    'bands': bands, 'tail_by_bin': tail,
}))
`;
