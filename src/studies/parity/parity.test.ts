import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { nextDown, nextUp } from '../../common/float.js';
import { Rng } from '../../common/rng/index.js';
import { SIZER_V3_SHADOW, type SizerParams } from '../../kernel/params/index.js';
import { size } from '../../kernel/sizer/index.js';
import { PYTHON } from '../../test-support/cli.js';
import { VEL_DIV_BINS } from '../bins.js';
import { openStudyDb, rows, type StudyDb, tradesTableSql } from '../db.js';
import { type ParityBin, type ParityFit, runParity } from './index.js';

const T0 = 1_781_395_200_000;
const DEFAULTS = { maxLeverage: 9, minR: 0.999, maxErr: 0.25 };

interface Trade {
  readonly velDiv: number | null;
  readonly leverage: number;
}

const num = (x: number | null) => (x === null ? 'NULL' : `'${String(x)}'::DOUBLE`);

/** clean_trades holding the given (vel_div_entry, leverage) pairs, other columns plausible. */
async function cleanTrades(trades: readonly Trade[]): Promise<StudyDb> {
  const db = await openStudyDb();
  await db.conn.run(tradesTableSql('clean_trades'));
  const values = trades.map(
    (t, i) =>
      `(${i}, 't${i}', 'BTCUSDT', 'SHORT', ${T0 + i * 60_000}, ${T0 + i * 60_000 + 600_000}, 100, 99, 1, 25000, ${num(t.leverage)}, 1, 'TP', 3, ${num(t.velDiv)}, NULL, NULL, NULL, NULL, NULL, NULL)`,
  );
  for (let i = 0; i < values.length; i += 1000) {
    await db.conn.run(`INSERT INTO clean_trades VALUES ${values.slice(i, i + 1000).join(', ')}`);
  }
  return db;
}

/** Recorded leverage = the base sizer at `truth` × lognormal noise; some trades outside every bin. */
function synthetic(seed: number, truth: SizerParams, noise: number): Trade[] {
  const rng = new Rng(seed);
  const trades: Trade[] = [];
  const lev = (v: number) => (size(v, truth)?.leverage ?? 0.5) * Math.exp(noise * rng.normal());
  for (let i = 0; i < 2500; i++) {
    const v = rng.uniform(-0.0775, -0.015);
    trades.push({ velDiv: v, leverage: lev(v) });
  }
  // bin 24 (below −0.08) with 6 trades: under the n ≥ 10 floor; bin 23 stays empty
  for (let i = 0; i < 6; i++) trades.push({ velDiv: -0.09 - 0.001 * i, leverage: lev(-0.09) });
  for (let i = 0; i < 20; i++) trades.push({ velDiv: null, leverage: 1 });
  return trades;
}

// The parity study from docs/studies.md, written independently with numpy.
const NUMPY = `
import csv, json, sys
import numpy as np
path, max_lev, min_r, max_err = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rows = [(float(r['v']), float(r['lev'])) for r in csv.DictReader(open(path)) if r['v'] != '']
edges = [(round(-0.0225 - 0.0025 * k, 4), round(-0.02 - 0.0025 * k, 4)) for k in range(24)]
def bin_of(v):
    for k, (lo, hi) in enumerate(edges):
        if lo <= v < hi:
            return k
    return 24 if v < -0.08 else None
def size(v, maxl, thr, ext, conv):
    if not v < thr:
        return 0.0
    s = (thr - v) / (thr - ext)
    if s > 1.0:
        s = 1.0
    p = s
    for _ in range(conv - 1):
        p = p * s
    return 0.5 + (maxl - 0.5) * p
groups = {}
for v, lev in rows:
    k = bin_of(v)
    if k is not None:
        groups.setdefault(k, []).append((v, lev))
kept = [k for k in range(25) if len(groups.get(k, [])) >= 10]
mv = [float(np.median([g[0] for g in groups[k]])) for k in kept]
ml = [float(np.median([g[1] for g in groups[k]])) for k in kept]
def pearson(x, y):
    if len(x) < 2:
        return None
    with np.errstate(all='ignore'):
        r = float(np.corrcoef(np.array(x), np.array(y))[0, 1])
    return None if np.isnan(r) else r
def agree(maxl, thr, ext, conv):
    model = [size(v, maxl, thr, ext, conv) for v in mv]
    err = float(np.max(np.abs(np.array(ml) - np.array(model)))) if model else None
    return model, pearson(ml, model), err
model, r, err = agree(max_lev, -0.02, -0.05, 3)
fit = None
for maxl in [5 + 0.5 * i for i in range(11)]:
    for thr in [-0.015, -0.02, -0.025]:
        for ext in [-0.04, -0.05, -0.06]:
            for conv in [1, 2, 3, 4]:
                _, fr, ferr = agree(maxl, thr, ext, conv)
                if ferr is not None and (fit is None or ferr < fit['max_abs_err']):
                    fit = {'max_leverage': maxl, 'threshold': thr, 'extreme': ext,
                           'convexity': conv, 'max_abs_err': ferr, 'pearson': fr}
lo_of = lambda k: None if k == 24 else edges[k][0]
hi_of = lambda k: -0.08 if k == 24 else edges[k][1]
label_of = lambda k: '(-inf, -0.08)' if k == 24 else '[%r, %r)' % edges[k]
print(json.dumps({
    'trades': len(rows),
    'bins': [{'bin': label_of(k), 'lo': lo_of(k), 'hi': hi_of(k), 'n': len(groups[k]),
              'median_vel_div': mv[i], 'median_leverage': ml[i], 'model': model[i]}
             for i, k in enumerate(kept)],
    'pearson': r, 'max_abs_err': err, 'min_r': min_r, 'max_err': max_err,
    'pass': r is not None and err is not None and r >= min_r and err <= max_err,
    'fit': fit,
}))
`;

async function numpyParity(conn: DuckDBConnection, opts: typeof DEFAULTS): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'violet-parity-'));
  try {
    const data = await rows(
      conn,
      'SELECT vel_div_entry AS v, leverage AS lev FROM clean_trades ORDER BY row',
    );
    const csv = ['v,lev', ...data.map((r) => `${r.v === null ? '' : String(r.v)},${r.lev}`)];
    const file = join(dir, 'trades.csv');
    writeFileSync(file, `${csv.join('\n')}\n`);
    const args = [file, opts.maxLeverage, opts.minR, opts.maxErr].map(String);
    const py = spawnSync(PYTHON, ['-c', NUMPY, ...args], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    return JSON.parse(py.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Same shape; numbers within 1e-9 relative (docs/studies.md), everything else equal. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const rel =
      actual === expected
        ? 0
        : Math.abs(actual - expected) / Math.max(Math.abs(actual), Math.abs(expected));
    expect(rel, `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => {
      expectClose((actual as unknown[])[i], e, `${path}[${i}]`);
    });
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, e] of Object.entries(expected)) {
      expectClose((actual as Record<string, unknown>)[k], e, `${path}.${k}`);
    }
  } else {
    expect(actual, path).toBe(expected);
  }
}

const TRUTH: SizerParams = {
  ...SIZER_V3_SHADOW,
  max_leverage: 7.5,
  threshold: -0.02,
  extreme: -0.05,
  convexity: 2,
};

let db: StudyDb | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

describe('runParity', () => {
  it('recovers the sizer that generated the record in the fit grid search', async () => {
    db = await cleanTrades(synthetic(20260614, TRUTH, 0.01));
    const r = await runParity(db.conn, { ...DEFAULTS, maxLeverage: 7.5 });
    const fit = r.json.fit as ParityFit;
    expect([fit.max_leverage, fit.threshold, fit.extreme, fit.convexity]).toEqual([
      7.5, -0.02, -0.05, 2,
    ]);
    expect(fit.max_abs_err).toBeLessThan(0.05);
    expect(fit.pearson).toBeGreaterThan(0.999);
  });

  it('passes at the default gate when the record is the default sizer, and fails on a drifted one', async () => {
    db = await cleanTrades(synthetic(7, { ...SIZER_V3_SHADOW, max_leverage: 9 }, 0.01));
    const good = await runParity(db.conn, DEFAULTS);
    expect(good.pass).toBe(true);
    expect(good.json.pass).toBe(true);
    expect((good.json.fit as ParityFit).max_leverage).toBe(9);
    expect(good.markdown).toContain('**Verdict: PASS**');
    db.close();
    db = await cleanTrades(synthetic(7, TRUTH, 0.01));
    const bad = await runParity(db.conn, DEFAULTS);
    expect(bad.pass).toBe(false);
    expect(bad.markdown).toContain('**Verdict: FAIL**');
  });

  it('flips pass exactly at min_r and max_err', async () => {
    db = await cleanTrades(synthetic(20260614, TRUTH, 0.01));
    const base = await runParity(db.conn, { maxLeverage: 7.5, minR: 0, maxErr: 100 });
    const r = base.json.pearson as number;
    const e = base.json.max_abs_err as number;
    expect(base.pass).toBe(true);
    const at = async (minR: number, maxErr: number) =>
      (await runParity(db?.conn as DuckDBConnection, { maxLeverage: 7.5, minR, maxErr })).pass;
    expect(await at(r, e)).toBe(true);
    expect(await at(nextUp(r), e)).toBe(false);
    expect(await at(r, nextDown(e))).toBe(false);
  });

  it('matches an independent numpy computation of every number', async () => {
    db = await cleanTrades(synthetic(20260614, TRUTH, 0.05));
    for (const opts of [DEFAULTS, { maxLeverage: 7.5, minR: 0.99, maxErr: 0.5 }]) {
      const r = await runParity(db.conn, opts);
      const want = await numpyParity(db.conn, opts);
      expectClose(r.json, want);
      expect(r.pass).toBe(r.json.pass);
    }
    const bins = (await runParity(db.conn, DEFAULTS)).json.bins as ParityBin[];
    // 23 bins from −0.0775 up, bin 23 empty and bin 24 under the n ≥ 10 floor
    expect(bins.map((b) => b.bin)).toEqual(VEL_DIV_BINS.slice(0, 23).map((b) => b.label));
  });

  it('works a tiny case by hand', async () => {
    const trades: Trade[] = [
      // bin 4 [-0.0325, -0.03): median vel_div −0.031, median leverage 5.5
      ...Array.from({ length: 10 }, (_, i) => ({ velDiv: -0.031, leverage: i + 1 })),
      // bin 15 [-0.06, -0.0575): saturated, 9
      ...Array.from({ length: 10 }, () => ({ velDiv: -0.06, leverage: 9 })),
      // bin 10: only 9 trades, dropped
      ...Array.from({ length: 9 }, () => ({ velDiv: -0.046, leverage: 3 })),
      { velDiv: -0.01, leverage: 1 }, // no signal, in no bin
      { velDiv: null, leverage: 1 },
    ];
    db = await cleanTrades(trades);
    const r = await runParity(db.conn, DEFAULTS);
    const model4 = 0.5 + 8.5 * (0.011 / 0.03) ** 3;
    expect(r.json.trades).toBe(30);
    const bins = r.json.bins as ParityBin[];
    expect(bins).toHaveLength(2);
    expect(bins[0]).toMatchObject({ bin: '[-0.0325, -0.03)', lo: -0.0325, hi: -0.03, n: 10 });
    expect(bins[0]?.median_vel_div).toBe(-0.031);
    expect(bins[0]?.median_leverage).toBe(5.5);
    expect(bins[0]?.model).toBeCloseTo(model4, 12);
    expect(bins[1]).toMatchObject({ bin: '[-0.06, -0.0575)', lo: -0.06, hi: -0.0575, n: 10 });
    expect(bins[1]?.median_leverage).toBe(9);
    expect(bins[1]?.model).toBe(9);
    expect(r.json.pearson).toBeCloseTo(1, 12); // two points
    expect(r.json.max_abs_err).toBeCloseTo(5.5 - model4, 12);
    expect(r.pass).toBe(false);
    // Only max_leverage 9 keeps bin 15 exact; at −0.031 the nearest to 5.5 is
    // threshold −0.02, extreme −0.04, convexity 1: 0.5 + 8.5 × 0.55 = 5.175.
    const fit = r.json.fit as ParityFit;
    expect(fit).toMatchObject({ max_leverage: 9, threshold: -0.02, extreme: -0.04, convexity: 1 });
    expect(fit.max_abs_err).toBeCloseTo(0.325, 12);
    expect(r.markdown).toContain('| [-0.0325, -0.03) | 10 |');
    expect(r.charts.map((c) => c.name)).toEqual(['parity-recorded.svg', 'parity-model.svg']);
  });

  it('breaks fit ties by iteration order and gives a null pearson for a constant model', async () => {
    // every kept bin saturated: all thresholds, extremes and convexities tie at max_leverage
    const trades: Trade[] = [
      ...Array.from({ length: 10 }, () => ({ velDiv: -0.065, leverage: 8 })),
      ...Array.from({ length: 10 }, () => ({ velDiv: -0.09, leverage: 8 })),
    ];
    db = await cleanTrades(trades);
    const r = await runParity(db.conn, DEFAULTS);
    expect(r.json.pearson).toBeNull();
    expect(r.json.max_abs_err).toBe(1);
    expect(r.pass).toBe(false);
    expect(r.json.fit).toEqual({
      max_leverage: 8,
      threshold: -0.015,
      extreme: -0.04,
      convexity: 1,
      max_abs_err: 0,
      pearson: null,
    });
    expectClose(r.json, await numpyParity(db.conn, DEFAULTS));
  });

  it('has no bins, no numbers and no fit without trades', async () => {
    db = await cleanTrades([{ velDiv: null, leverage: 1 }]);
    const r = await runParity(db.conn, DEFAULTS);
    expect(r.json).toMatchObject({
      trades: 0,
      bins: [],
      pearson: null,
      max_abs_err: null,
      pass: false,
      fit: null,
    });
    expect(r.pass).toBe(false);
  });
});
