import { describe, expect, it } from 'vitest';
import type { DecisionDraft, DecisionRow } from '../../engine/rows.js';
import { SIZER_V3_SHADOW, STABLECOIN_SYMBOLS } from '../../kernel/params/index.js';
import { size } from '../../kernel/sizer/index.js';
import { type SoakInput, type SoakReport, soakMarkdown, soakReport } from './index.js';

const HOUR = 3_600_000;
const T0 = 1_781_395_200_000; // 2026-06-14T00:00:00Z, an hour boundary

/**
 * An actuated SHORT decision with every journal field filled; `over` changes what a test
 * needs. A row as a journal holds it, unchecked: the soak report is what judges it.
 */
function row(over: Partial<DecisionDraft> = {}): DecisionRow {
  const velDiv = over.vel_div ?? -0.03;
  const base = size(velDiv, SIZER_V3_SHADOW);
  return {
    instance_id: 'violet-1',
    scan_number: 1,
    ts: T0,
    profile: 'v3-shadow',
    actuated: true,
    reason: 'ACTUATED',
    asset: 'BTCUSDT',
    direction: 'SHORT',
    vel_div: velDiv,
    strength: base?.strength ?? null,
    base_leverage: base?.leverage ?? null,
    irp_score: 0.5,
    irp_alignment: 0.5,
    universe_size: 20,
    dc_status: null,
    dc_mult: 1,
    acb_boost: 1,
    meta_boost: 1,
    mc_scale: 1,
    regime_mult: 1,
    ob_mult: 1,
    esof_score: null,
    esof_stale: true,
    esof_mult: 1,
    sc_mult: 1,
    posture: 'APEX',
    clamped_max: 9,
    leverage: base?.leverage ?? null,
    fraction: 0.2,
    capital: 25_000,
    notional: 25_000 * 0.2 * (base?.leverage ?? 0),
    notional_fraction: 0.2 * (base?.leverage ?? 0),
    exchange_leverage: 9,
    slot_state: 'FREE',
    btc_price: 100_000,
    btc_ma99: 101_000,
    regime_label: null,
    composite_hash: null,
    kernel_version: 'violet-kernel/1',
    config_hash: 'cfg',
    ...over,
  } as DecisionRow;
}

/** A NO_SIGNAL decision: not actuated, no asset, no sizing. */
function idle(over: Partial<DecisionDraft> = {}): DecisionRow {
  return row({
    actuated: false,
    reason: 'NO_SIGNAL',
    asset: null,
    direction: 'NONE',
    vel_div: 0.01,
    strength: null,
    base_leverage: null,
    leverage: null,
    fraction: null,
    notional: null,
    notional_fraction: null,
    ...over,
  });
}

/** Numbered scans, one per row, 11 s apart. */
function scans(rows: readonly DecisionRow[]): DecisionRow[] {
  return rows.map((r, i) => ({ ...r, scan_number: i + 1, ts: T0 + i * 11_000 }));
}

function input(decisions: readonly DecisionRow[], over: Partial<SoakInput> = {}): SoakInput {
  return {
    decisions,
    rejects: [],
    orders: 0,
    errors: 0,
    sizer: SIZER_V3_SHADOW,
    maxComposedLeverage: SIZER_V3_SHADOW.max_leverage,
    stablecoins: STABLECOIN_SYMBOLS,
    ...over,
  };
}

function check(r: SoakReport, name: string): boolean | undefined {
  return r.checks.find((c) => c.name === name)?.pass;
}

/** Every number in the report is finite (JSON would silently turn NaN into null). */
function allFinite(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(allFinite);
  if (typeof v === 'object' && v !== null) return Object.values(v).every(allFinite);
  return true;
}

describe('soakReport', () => {
  it('counts decisions, actuations, instances, scans and scan-time hours', () => {
    const r = soakReport(
      input(
        [
          row({ scan_number: 10, ts: T0 }),
          idle({ scan_number: 11, ts: T0 + HOUR }),
          row({ instance_id: 'violet-2', scan_number: 12, ts: T0 + 2.5 * HOUR }),
        ],
        { rejects: [{ reason: 'vel_div: missing' }] },
      ),
    );
    expect(r.decisions).toBe(3);
    expect(r.actuated).toBe(2);
    expect(r.instances).toBe(2);
    expect(r.first_scan).toBe(10);
    expect(r.last_scan).toBe(12);
    expect(r.hours).toBe(2.5);
    expect(r.rejected.total).toBe(1);
    // 1 rejected of 4 lines is over the 1% limit: the one failing check.
    expect(r.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['rejects within limit']);
    expect(r.pass).toBe(false);
    expect(r.checks.map((c) => c.name)).toEqual([
      'decisions recorded',
      'rejects within limit',
      'no stablecoin leaks',
      'no orders',
      'no errors',
      'all actuated SHORT',
      'all actuated below threshold',
      'notional_fraction within cap',
      'at most one decision per asset per scan',
    ]);
    expect(allFinite(r)).toBe(true);
  });

  it('groups rejects by reason with symbol keys folded to *, by count then name', () => {
    const reasons = [
      'vel_div: missing',
      'prices.ETHUSDT: price must be > 0',
      'esof.score: outside [-1, 1]',
      'prices.BTCUSDT: price must be > 0',
      'ob_imbalance.SOLUSDT: imbalance outside [-1, 1]',
      'prices.1000PEPEUSDT: not a finite number',
      'prices.BTC.X: price must be > 0',
      '__proto__',
    ];
    const r = soakReport(input([], { rejects: reasons.map((reason) => ({ reason })) }));
    expect(Object.entries(r.rejected.by_reason)).toEqual([
      ['prices.*: price must be > 0', 3],
      ['__proto__', 1],
      ['esof.score: outside [-1, 1]', 1],
      ['ob_imbalance.*: imbalance outside [-1, 1]', 1],
      ['prices.*: not a finite number', 1],
      ['vel_div: missing', 1],
    ]);
    expect(r.rejected.total).toBe(8);
  });

  it('fails on a stablecoin decision, actuated or not', () => {
    const r = soakReport(input(scans([row(), idle({ asset: 'USDCUSDT' })])));
    expect(r.stablecoin_leaks).toBe(1);
    expect(check(r, 'no stablecoin leaks')).toBe(false);
    expect(r.pass).toBe(false);
  });

  it('fails on orders sent or engine errors', () => {
    const r = soakReport(input(scans([row()]), { orders: 1, errors: 2 }));
    expect(check(r, 'no orders')).toBe(false);
    expect(check(r, 'no errors')).toBe(false);
    expect(r.pass).toBe(false);
  });

  it('fails on an actuated row that is not SHORT; non-actuated rows do not count', () => {
    const ok = soakReport(input(scans([row(), idle({ direction: 'LONG' })])));
    expect(ok.faithfulness.all_short).toBe(true);
    const r = soakReport(input(scans([row(), row({ direction: 'LONG' })])));
    expect(r.faithfulness.all_short).toBe(false);
    expect(check(r, 'all actuated SHORT')).toBe(false);
    expect(r.pass).toBe(false);
  });

  it('fails on an actuated row whose vel_div is not below the threshold', () => {
    const r = soakReport(input(scans([row(), row({ vel_div: -0.02 })])));
    expect(r.faithfulness.all_below_threshold).toBe(false);
    expect(check(r, 'all actuated below threshold')).toBe(false);
  });

  it('passes notional_fraction at the 0.2 × 9 cap and fails above it', () => {
    const at = soakReport(input(scans([row({ notional_fraction: 1.8 })])));
    expect(at.faithfulness.notional_fraction_cap).toBeCloseTo(1.8, 15);
    expect(at.faithfulness.max_notional_fraction).toBe(1.8);
    expect(check(at, 'notional_fraction within cap')).toBe(true);
    const over = soakReport(input(scans([row({ notional_fraction: 1.81 })])));
    expect(check(over, 'notional_fraction within cap')).toBe(false);
    expect(over.pass).toBe(false);
  });

  it('compares median base conviction with the base sizer at the median vel_div', () => {
    const r = soakReport(
      input(
        scans([
          row({ vel_div: -0.05, leverage: 9 }),
          idle(),
          row({ vel_div: -0.03, leverage: 1 }),
          row({ vel_div: -0.04, leverage: 4 }),
        ]),
      ),
    );
    const f = r.faithfulness;
    expect(f.median_vel_div).toBe(-0.04);
    // strength (−0.02 + 0.04) / (−0.02 + 0.05) = 2/3; 0.5 + 8.5 · (2/3)³
    expect(f.base_at_median_vel_div).toBeCloseTo(0.5 + (8.5 * 8) / 27, 12);
    expect(f.base_at_median_vel_div).toBe(size(-0.04, SIZER_V3_SHADOW)?.leverage);
    expect(f.conviction_p50).toBe(f.base_at_median_vel_div);
    expect(f.conviction_p50_gap).toBe(0);
    expect(r.base.min).toBeCloseTo(0.5 + 8.5 / 27, 12);
    expect(r.base.max).toBe(9);
    expect(r.conviction).toEqual({ min: 1, p50: 4, avg: 14 / 3, max: 9 });
  });

  it('interpolates the median of an even count (numpy linear)', () => {
    const r = soakReport(
      input(
        scans([-0.03, -0.05, -0.04, -0.06].map((v) => row({ vel_div: v, leverage: -v * 100 }))),
      ),
    );
    expect(r.faithfulness.median_vel_div).toBeCloseTo(-0.045, 15);
    expect(r.conviction.p50).toBeCloseTo(4.5, 12);
  });

  it('reports the per-hour conviction swing over hours with at least two actuated rows', () => {
    const at = (h: number, leverage: number) => row({ ts: T0 + h * HOUR, leverage });
    const rows = [
      at(0, 1),
      at(0.2, 4),
      at(0.9, 2), // hour 0: 4 − 1 = 3
      at(1.1, 5),
      at(1.99, 9), // hour 1: 9 − 5 = 4
      at(2.5, 7), // hour 2: one actuated row, left out
      idle({ ts: T0 + 2.6 * HOUR }),
      at(3, 2),
      at(3.3, 2.5),
      at(3.7, 8), // hour 3: 8 − 2 = 6
    ].map((r, i) => ({ ...r, scan_number: i + 1 }));
    const r = soakReport(input(rows));
    expect(r.conviction_swing_per_hour).toEqual({ hours: 3, min: 3, p50: 4, max: 6 });
  });

  it('measures diversity with ties broken by asset name', () => {
    const assets = ['SOLUSDT', 'ETHUSDT', 'ETHUSDT', 'BTCUSDT', 'BTCUSDT', 'XRPUSDT', 'ADAUSDT'];
    const r = soakReport(input(scans([...assets.map((asset) => row({ asset })), idle()])));
    expect(r.diversity.distinct_assets).toBe(5);
    expect(r.diversity.top2_share).toBeCloseTo(4 / 7, 15);
    expect(r.diversity.top_assets).toEqual([
      { asset: 'BTCUSDT', n: 2, share: 2 / 7 },
      { asset: 'ETHUSDT', n: 2, share: 2 / 7 },
      { asset: 'ADAUSDT', n: 1, share: 1 / 7 },
      { asset: 'SOLUSDT', n: 1, share: 1 / 7 },
      { asset: 'XRPUSDT', n: 1, share: 1 / 7 },
    ]);
  });

  it('counts re-decision runs per instance over actuated rows', () => {
    // violet-1: A A (idle) A B B A C C C C → runs 3, 2, 1, 4; violet-2: A A → one run of 2
    const seq = ['A', 'A', null, 'A', 'B', 'B', 'A', 'C', 'C', 'C', 'C'];
    const rows: DecisionRow[] = [];
    seq.forEach((asset, i) => {
      const at = { scan_number: i + 1, ts: T0 + i * 11_000 };
      rows.push(asset === null ? idle(at) : row({ ...at, asset }));
      if (i < 2) rows.push(row({ ...at, instance_id: 'violet-2', asset: 'A' }));
    });
    const r = soakReport(input(rows));
    expect(r.re_decision).toEqual({
      runs: 5,
      avg_run_length: 12 / 5,
      max_run_length: 4,
      max_decisions_per_asset_per_scan: 1,
    });
    expect(check(r, 'at most one decision per asset per scan')).toBe(true);
  });

  it('fails when one instance decides the same asset twice in a scan', () => {
    const r = soakReport(input([row({ scan_number: 5 }), row({ scan_number: 5 })]));
    expect(r.re_decision.max_decisions_per_asset_per_scan).toBe(2);
    expect(check(r, 'at most one decision per asset per scan')).toBe(false);
    expect(r.pass).toBe(false);
  });

  it('refuses an instance whose rows go back in scan_number', () => {
    const rows = [row({ scan_number: 2 }), row({ scan_number: 1 })];
    expect(() => soakReport(input(rows))).toThrow(/out of scan_number order/);
  });

  it('lists vel_div spikes below −1 in scan order', () => {
    const vs = [-0.03, -605, -0.04, -1, -1.5];
    const r = soakReport(input(scans(vs.map((v) => row({ vel_div: v, leverage: 9 })))));
    expect(r.vel_div_anomalies).toEqual({
      min: -605,
      max: -0.03,
      below_minus_1: 2,
      spikes: [
        { scan_number: 2, vel_div: -605 },
        { scan_number: 5, vel_div: -1.5 },
      ],
    });
  });

  it('gives nulls for no decisions and none actuated; fails with no decisions at all', () => {
    const empty = soakReport(input([]));
    expect(empty.decisions).toBe(0);
    expect(empty.first_scan).toBeNull();
    expect(empty.hours).toBeNull();
    expect(empty.faithfulness.median_vel_div).toBeNull();
    expect(empty.faithfulness.base_at_median_vel_div).toBeNull();
    expect(empty.faithfulness.conviction_p50_gap).toBeNull();
    expect(empty.faithfulness.max_notional_fraction).toBeNull();
    expect(empty.conviction).toEqual({ min: null, p50: null, avg: null, max: null });
    expect(empty.conviction_swing_per_hour).toEqual({ hours: 0, min: null, p50: null, max: null });
    expect(empty.diversity).toEqual({ distinct_assets: 0, top2_share: null, top_assets: [] });
    expect(empty.re_decision.max_decisions_per_asset_per_scan).toBeNull();
    expect(empty.vel_div_anomalies.min).toBeNull();
    expect(empty.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['decisions recorded']);
    expect(empty.pass).toBe(false);
    expect(allFinite(empty)).toBe(true);

    const idleOnly = soakReport(input(scans([idle(), idle()])));
    expect(idleOnly.actuated).toBe(0);
    expect(idleOnly.base).toEqual({ min: null, p50: null, avg: null, max: null });
    expect(idleOnly.re_decision.avg_run_length).toBeNull();
    expect(idleOnly.vel_div_anomalies.max).toBe(0.01);
    expect(idleOnly.pass).toBe(true);
    expect(allFinite(idleOnly)).toBe(true);
  });

  it('fails when rejected lines pass 1% of all lines, and passes at 1%', () => {
    const decided = scans(Array.from({ length: 99 }, (_, i) => idle({ scan_number: i })));
    const one = soakReport(input(decided, { rejects: [{ reason: 'x' }] }));
    expect(check(one, 'rejects within limit')).toBe(true);
    const two = soakReport(input(decided, { rejects: [{ reason: 'x' }, { reason: 'y' }] }));
    expect(check(two, 'rejects within limit')).toBe(false);
    expect(two.pass).toBe(false);
  });
});

describe('soakMarkdown', () => {
  const rows = scans([row(), row({ vel_div: -605, leverage: 9, asset: 'ETHUSDT' }), idle()]);

  it('states the verdict and every section, identically for identical input', () => {
    const md = soakMarkdown(soakReport(input(rows, { rejects: [{ reason: 'a|b: x' }] })));
    expect(md.startsWith('# VIOLET soak report\n')).toBe(true);
    expect(md).toContain('**Verdict: FAIL** (1 of 9 checks failed: rejects within limit)');
    for (const title of [
      'Counts',
      'Rejects by reason',
      'Faithfulness',
      'Conviction (actuated)',
      'Conviction swing per hour',
      'Diversity',
      'Re-decisions',
      'vel_div anomalies',
      'Checks',
    ]) {
      expect(md).toContain(`\n## ${title}\n`);
    }
    expect(md).toContain('| a\\|b: x | 1 |');
    expect(md).toContain('| 2 | -605 |');
    expect(soakMarkdown(soakReport(input(rows, { rejects: [{ reason: 'a|b: x' }] })))).toBe(md);
  });

  it('names the failing checks in a FAIL verdict', () => {
    const md = soakMarkdown(soakReport(input(rows, { orders: 3 })));
    expect(md).toContain('**Verdict: FAIL** (1 of 9 checks failed: no orders)');
    expect(md).toContain('| no orders | FAIL | 3 orders sent |');
  });

  it('renders an empty soak without throwing', () => {
    const md = soakMarkdown(soakReport(input([])));
    expect(md).toContain('**Verdict: FAIL** (1 of 9 checks failed: decisions recorded)');
    expect(md).toContain('No actuated assets.');
  });
});
