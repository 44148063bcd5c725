// Recorded trades with known truth (docs/studies.md, SPEC §2 "Recorded trades"): a seeded CSV
// that exercises every rule of the studies — duplicate emissions (one id ~300 times), conflicts
// (incl. an exit_ts tie), HIBERNATE_HALT and bars_held = 0 artifacts (incl. a huge ZEC-like
// loss), leverage = base sizer × EsoF haircut bands or an upward tail in the mid vel_div range,
// a regime-concentrated edge, unreliable bearish labels, overlaps, and a capital trajectory
// that follows the cumulative clean pnl. Randomness comes from `Rng` only.
import { Rng } from '../common/rng/index.js';
import { RECORDED_TRADE_COLUMNS } from '../studies/db.js';

export interface FixtureSizerParams {
  readonly max_leverage: number;
  readonly threshold: number;
  readonly extreme: number;
  readonly convexity: number;
}

/** The generating base sizer by default (SPEC §3.1 with max_leverage 9, the seed's V3d fit). */
export const FIXTURE_PARAMS: FixtureSizerParams = Object.freeze({
  max_leverage: 9,
  threshold: -0.02,
  extreme: -0.05,
  convexity: 3,
});

/** The 13 required then the 7 optional columns, in SPEC §2 order. */
export const FIXTURE_COLUMNS = RECORDED_TRADE_COLUMNS;

/**
 * A seed whose default fixture (2000 trades) shows every effect the way the seed describes
 * it: raw pnl < 0 while clean pnl > 0, the edge in choppy-bearish, every sub-regime ratio > 1,
 * ~39% of bearish labels with BTC above MA99, and a passing parity gate.
 */
export const FIXTURE_SEED = 20260603;

export const START_CAPITAL = 33820;
const BASE_FRACTION = 0.2;
const MIN_LEVERAGE = 0.5;
const BAR_MS = 60_000;
const T0 = 1_777_593_600_000; // 2026-05-01T00:00:00Z

/** EsoF haircut multipliers and their probabilities (trades outside the upward tail). */
export const FIXTURE_HAIRCUTS: readonly (readonly [mult: number, p: number])[] = [
  [1.0, 0.64],
  [0.9, 0.09],
  [0.8, 0.12],
  [0.65, 0.08],
  [0.3, 0.07],
];
/**
 * The upward tail: in the mid range extreme < vel_div < threshold (−0.05…−0.02 by default,
 * where the base is below its max) this share of trades gets × U(lo, hi) instead of a haircut.
 * It matches the share below 1 (0.36 × 0.735 ≈ 0.265), so each bin's median leverage stays on
 * the base curve (parity), while ~18% of all sized trades are in the tail.
 */
export const FIXTURE_TAIL = Object.freeze({ share_in_mid: 0.265, lo: 1.1, hi: 1.6 });

const ASSETS: readonly (readonly [string, number])[] = [
  ['ETHUSDT', 3500],
  ['SOLUSDT', 160],
  ['XRPUSDT', 2.2],
  ['DOGEUSDT', 0.18],
  ['ADAUSDT', 0.7],
  ['AVAXUSDT', 28],
  ['LINKUSDT', 16],
  ['LTCUSDT', 90],
  ['ZECUSDT', 45],
  ['BNBUSDT', 640],
];
const REGIMES = ['choppy-bearish', 'bear', 'bull'] as const;
type Regime = (typeof REGIMES)[number];
/** Mean return per trade (fraction of notional, short side): the edge lives in choppy-bearish. */
const REGIME_MU: Record<Regime, number> = { 'choppy-bearish': 0.0009, bear: 0.00015, bull: 0 };
const REGIME_DVOL: Record<Regime, number> = { 'choppy-bearish': 55, bear: 66, bull: 44 };

/** What the generator put in, for tests (counts follow the rules of docs/studies.md). */
export interface FixtureTruth {
  rows: number;
  trade_ids: number;
  multi_row_trade_ids: number;
  max_rows_per_trade_id: number;
  conflicting_trade_ids: number;
  exit_ts_ties: number;
  dropped_hibernate: number;
  dropped_zero_bars: number;
  huge_loss: { trade_id: string; pnl: number };
  clean_trades: number;
  clean_pnl: number;
  raw_pnl: number;
  overlapping_trades: number;
  null_vel_div: number;
  /** Clean trades with a recorded vel_div where the studies' default sizer fires. */
  sizing_trades: number;
  /** Of those: upward-tail trades, and the others by haircut multiplier. */
  tail_trades: number;
  haircut_counts: Record<string, number>;
}

interface Variant {
  exitTs: number;
  factor: number;
  delay: number;
  exitPrice: number;
  pnl: number;
}

interface Trade {
  id: string;
  asset: string;
  kind: 'normal' | 'hibernate' | 'zero_bars';
  entryTs: number;
  exitTs: number;
  barsHeld: number;
  entryPrice: number;
  ret: number;
  velDiv: number;
  recordedVelDiv: number | null;
  mult: number;
  tail: boolean;
  exitReason: string;
  btcPrice: number | null;
  btcMa99: number | null;
  dvol: number | null;
  label: string | null;
  hash: string | null;
  esof: number | null;
  delay: number;
  copies: number;
  variants: Variant[];
  capital: number;
  leverage: number;
  quantity: number;
  exitPrice: number;
  pnl: number;
}

/** SPEC §3.1 as written (integer power by repeated multiplication); null = NO_SIGNAL. */
function baseLeverage(v: number, p: FixtureSizerParams): number | null {
  if (!(v < p.threshold)) return null;
  let strength = (p.threshold - v) / (p.threshold - p.extreme);
  if (strength > 1.0) strength = 1.0;
  let pow = strength;
  for (let i = 1; i < p.convexity; i++) pow = pow * strength;
  return MIN_LEVERAGE + (p.max_leverage - MIN_LEVERAGE) * pow;
}

const prec6 = (x: number): number => Number(x.toPrecision(6));
const fixed = (x: number, d: number): number => Number(x.toFixed(d));

/** The upper edges of the vel_div bins of docs/studies.md (bin 24: below −0.08, hi −0.08). */
const BIN_HI = Array.from({ length: 25 }, (_, k) => fixed(-0.02 - 0.0025 * Math.min(k, 24), 4));

/** The bin of v (0..23: lo ≤ v < hi, 24: v < −0.08), −1 for none. */
function binOf(v: number): number {
  for (let k = 0; k < 24; k++)
    if (v < (BIN_HI[k] as number) && v >= fixed(-0.0225 - 0.0025 * k, 4)) return k;
  return v < -0.08 ? 24 : -1;
}

function hex(rng: Rng): string {
  return (
    rng.u32().toString(16).padStart(8, '0') + rng.u32().toString(16).padStart(8, '0').slice(0, 4)
  );
}

/** A haircut multiplier; `below` = one of those < 1 (in their relative proportions). */
function drawHaircut(rng: Rng, below = false): number {
  const cuts = below ? FIXTURE_HAIRCUTS.filter(([m]) => m < 1) : FIXTURE_HAIRCUTS;
  let u = rng.next() * cuts.reduce((s, [, p]) => s + p, 0);
  for (const [mult, p] of cuts) {
    if (u < p) return mult;
    u -= p;
  }
  return (cuts[cuts.length - 1] as readonly [number, number])[0];
}

/** esof_score consistent with the multiplier (descriptive only; studies don't use it). */
function esofFor(rng: Rng, mult: number): number {
  const ranges: Record<string, [number, number]> = {
    '0.9': [0.1, 0.3],
    '0.8': [-0.1, 0.1],
    '0.65': [-0.3, -0.1],
    '0.3': [-1, -0.3],
  };
  const [lo, hi] = ranges[String(mult)] ?? [0.3, 1];
  return fixed(rng.uniform(lo, hi), 4);
}

/**
 * vel_div_entry: mostly in [−0.09, −0.02), some not firing (≥ −0.02), and ~3% exactly on the
 * bin edges −0.0225 … −0.08 (taken in turn, `edges` counts them).
 */
function drawVelDiv(rng: Rng, edges: { n: number }): number {
  const u = rng.next();
  if (u < 0.015) return rng.chance(0.3) ? -0.02 : fixed(rng.uniform(-0.02, -0.004), 6);
  if (u < 0.045) return fixed(-0.02 - 0.0025 * ((edges.n++ % 24) + 1), 4);
  if (u < 0.68) return fixed(rng.uniform(-0.05, -0.02), 6);
  return fixed(rng.uniform(-0.09, -0.05), 6);
}

export function generateRecordedTradesWithTruth(o: {
  seed: number;
  trades: number;
  params?: FixtureSizerParams;
}): { csv: string; truth: FixtureTruth } {
  const params = o.params ?? FIXTURE_PARAMS;
  const n = Math.max(1, Math.floor(o.trades));
  const rng = new Rng(o.seed);

  const hashes = new Map<string, string>();
  for (const r of REGIMES)
    for (const below of [true, false])
      for (const hi of [true, false]) hashes.set(`${r}|${below}|${hi}`, hex(rng));

  // 1. Timing, market context and sizing inputs, trade by trade in entry order.
  const trades: Trade[] = [];
  const hugeAt = Math.floor(n * 0.55);
  const edges = { n: 0 };
  const balance = Array.from({ length: 25 }, () => ({ above: 0, below: 0, on: 0 }));
  let regime: Regime = rng.pick(REGIMES);
  let btc = 100_000;
  let t = T0;
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.04)) regime = rng.pick(REGIMES.filter((r) => r !== regime));
    btc = btc * (1 + 0.004 * rng.normal());
    const huge = i === hugeAt;
    const kind = huge
      ? 'hibernate'
      : rng.chance(0.015)
        ? 'hibernate'
        : rng.chance(0.02)
          ? 'zero_bars'
          : 'normal';
    const [asset, basePrice] = huge ? (ASSETS[8] as [string, number]) : rng.pick(ASSETS);
    const entryPrice = prec6(basePrice * Math.exp(0.15 * rng.normal()));

    const barsHeld =
      kind === 'normal'
        ? rng.int(3, 120)
        : kind === 'hibernate' && !huge && rng.chance(0.5)
          ? rng.int(1, 60)
          : 0;
    const entryTs = t;
    const exitTs =
      barsHeld > 0
        ? entryTs + barsHeld * BAR_MS + rng.int(0, 59_999)
        : entryTs + rng.int(200, 5000);
    t =
      barsHeld >= 4 && rng.chance(0.01)
        ? entryTs + Math.floor(barsHeld / 2) * BAR_MS + rng.int(1, 30_000) // overlaps this trade
        : exitTs + rng.int(2, 240) * BAR_MS + rng.int(0, 59_999);

    const velDiv = huge ? -0.07 : drawVelDiv(rng, edges);
    const recordedVelDiv = !huge && rng.chance(0.04) ? null : velDiv;
    const mid = velDiv > params.extreme && velDiv < params.threshold; // base below its max
    let tail = !huge && mid && rng.chance(FIXTURE_TAIL.share_in_mid);
    let mult = huge || tail ? 1.0 : drawHaircut(rng);
    const k = binOf(velDiv);
    if (!huge && k >= 0 && kind === 'normal' && recordedVelDiv !== null) {
      // Keep every parity bin's median leverage on the base curve (they balance only in
      // expectation): where the base is below its max, (above the curve) − (below) stays
      // within ±1; where it saturates, fewer haircut trades than un-haircut ones.
      const b = balance[k] as { above: number; below: number; on: number };
      const saturated = k === 24 || (BIN_HI[k] as number) <= params.extreme;
      if (!saturated) {
        const d = b.above - b.below;
        if (tail && d >= 1) {
          tail = false;
          mult = drawHaircut(rng, true);
        } else if (!tail && mult < 1 && d <= -1) {
          tail = mid;
          mult = 1.0;
        }
      } else if (mult < 1 && b.below + 1 >= b.on) mult = 1.0;
      if (tail) b.above++;
      else if (mult < 1) b.below++;
      else b.on++;
    }
    if (tail) mult = rng.uniform(FIXTURE_TAIL.lo, FIXTURE_TAIL.hi);

    const below = rng.chance(regime === 'bull' ? 0.25 : 0.62);
    const btcPrice = fixed(btc, 2);
    const gap = rng.uniform(0.002, 0.04);
    const btcMa99 = fixed(btc * (below ? 1 + gap : 1 - gap), 2);
    const noBtc = rng.chance(0.03);
    const dvol = Math.max(15, fixed(REGIME_DVOL[regime] + 10 * rng.normal(), 2));
    const noDvol = rng.chance(0.03);
    const label = rng.chance(0.05) ? null : regime;
    const hash = rng.chance(0.03) ? null : (hashes.get(`${regime}|${below}|${dvol > 55}`) ?? null);
    const esof = rng.chance(0.05) ? null : esofFor(rng, tail ? 1.0 : mult);

    let ret: number;
    if (huge) ret = -0.735;
    else if (kind === 'hibernate') ret = -rng.uniform(0.004, 0.05);
    else if (kind === 'zero_bars') ret = 0.0015 * rng.normal();
    else {
      let mu = REGIME_MU[regime];
      if (regime === 'choppy-bearish') mu += (below ? 0.001 : 0) + (dvol > 55 ? 0.0006 : 0);
      ret = mu + 0.006 * rng.normal();
    }
    const exitReason =
      kind === 'hibernate'
        ? 'HIBERNATE_HALT'
        : kind === 'zero_bars'
          ? rng.pick(['SIGNAL_EXIT', 'STOP_LOSS'])
          : ret > 0
            ? rng.pick(['TAKE_PROFIT', 'TAKE_PROFIT', 'MAX_HOLD', 'SIGNAL_EXIT'])
            : rng.pick(['STOP_LOSS', 'MAX_HOLD', 'SIGNAL_EXIT']);

    trades.push({
      id: `T${String(i + 1).padStart(6, '0')}`,
      asset,
      kind,
      entryTs,
      exitTs,
      barsHeld,
      entryPrice,
      ret,
      velDiv,
      recordedVelDiv,
      mult,
      tail,
      exitReason,
      btcPrice: noBtc ? null : btcPrice,
      btcMa99: noBtc ? null : btcMa99,
      dvol: noDvol ? null : dvol,
      label,
      hash,
      esof,
      delay: rng.int(0, 3000),
      copies: 1,
      variants: [],
      capital: 0,
      leverage: 0,
      quantity: 0,
      exitPrice: 0,
      pnl: 0,
    });
  }

  // 2. Conflicts: partial-leg rows with a different pnl and an earlier exit_ts; the first one
  // also has a row with the same (greatest) exit_ts, emitted before the true row.
  const normal = trades.filter((x) => x.kind === 'normal');
  const conflictCount = Math.min(normal.length, Math.max(3, Math.round(n * 0.006)));
  for (let k = 0; k < conflictCount; k++) {
    const j = k + Math.floor(rng.next() * (normal.length - k));
    const c = normal[j] as Trade;
    normal[j] = normal[k] as Trade;
    normal[k] = c;
    const earlier = (): Variant => ({
      exitTs: c.entryTs + rng.int(1, c.barsHeld - 1) * BAR_MS,
      factor: rng.uniform(0.2, 0.9),
      delay: rng.int(0, 3000),
      exitPrice: 0,
      pnl: 0,
    });
    if (k === 0) {
      const tieDelay = rng.int(0, 1000);
      c.variants.push({ ...earlier(), exitTs: c.exitTs, delay: tieDelay });
      c.delay = 1000 + rng.int(1, 60_000);
    }
    const extra = rng.int(1, 2);
    for (let e = 0; e < extra; e++) c.variants.push(earlier());
    // sometimes an identical re-emission of a partial leg too (never of the tie row)
    const last = c.variants[c.variants.length - 1] as Variant;
    if (rng.chance(0.5)) c.variants.push({ ...last, delay: rng.int(0, 3000) });
  }

  // 3. Sizing and pnl in entry order; capital follows the cumulative clean pnl.
  let capital = START_CAPITAL;
  for (const x of trades) {
    const base = baseLeverage(x.velDiv, params);
    x.leverage =
      base === null ? MIN_LEVERAGE * (x.tail ? 1 : x.mult) : x.mult === 1 ? base : base * x.mult;
    x.capital = capital;
    x.quantity = (capital * BASE_FRACTION * x.leverage) / x.entryPrice;
    x.exitPrice = prec6(x.entryPrice * (1 - x.ret));
    x.pnl = (x.entryPrice - x.exitPrice) * x.quantity;
    for (const v of x.variants) {
      v.exitPrice = prec6(x.entryPrice * (1 - x.ret * v.factor));
      if (v.exitPrice === x.exitPrice) v.exitPrice = prec6(x.exitPrice * 1.001);
      v.pnl = (x.entryPrice - v.exitPrice) * x.quantity;
    }
    if (x.kind === 'normal') capital += x.pnl;
  }

  // 4. Identical duplicate emissions: ~10% of ids 2–20 rows, one losing id (−50…−200) ~300 rows.
  // (the huge loss stays a single row)
  trades.forEach((x, i) => {
    if (x.variants.length > 0 || !rng.chance(0.1)) return;
    const u = rng.next();
    const copies = u < 0.6 ? 2 : u < 0.85 ? rng.int(3, 5) : rng.int(6, 20);
    if (i !== hugeAt) x.copies = copies;
  });
  const heavy =
    trades.find(
      (x, i) =>
        i >= Math.floor(n / 3) &&
        x.kind === 'normal' &&
        !x.variants.length &&
        x.pnl < -50 &&
        x.pnl > -200,
    ) ?? trades.find((x) => x.kind === 'normal' && !x.variants.length);
  if (heavy) heavy.copies = rng.int(290, 320);

  // 5. File order: by emission time (exit_ts + delay; copies re-emitted up to 7 days later).
  interface Row {
    x: Trade;
    exitTs: number;
    exitPrice: number;
    pnl: number;
    at: number;
    seq: number;
  }
  const rows: Row[] = [];
  const emit = (x: Trade, exitTs: number, exitPrice: number, pnl: number, delay: number) =>
    rows.push({ x, exitTs, exitPrice, pnl, at: exitTs + delay, seq: rows.length });
  for (const x of trades) {
    emit(x, x.exitTs, x.exitPrice, x.pnl, x.delay);
    for (let c = 1; c < x.copies; c++)
      emit(x, x.exitTs, x.exitPrice, x.pnl, rng.int(1, 7 * 86_400_000));
    for (const v of x.variants) emit(x, v.exitTs, v.exitPrice, v.pnl, v.delay);
  }
  rows.sort((a, b) => a.at - b.at || a.seq - b.seq);

  const cell = (v: number | string | null): string => (v === null ? '' : String(v));
  const lines = [FIXTURE_COLUMNS.join(',')];
  for (const r of rows) {
    const x = r.x;
    lines.push(
      [
        x.id,
        x.asset,
        'SHORT',
        x.entryTs,
        r.exitTs,
        x.entryPrice,
        r.exitPrice,
        x.quantity,
        x.capital,
        x.leverage,
        r.pnl,
        x.exitReason,
        x.barsHeld,
        x.recordedVelDiv,
        x.btcPrice,
        x.btcMa99,
        x.dvol,
        x.label,
        x.hash,
        x.esof,
      ]
        .map(cell)
        .join(','),
    );
  }

  // 6. Truth.
  const clean = trades.filter((x) => x.kind === 'normal');
  let overlapping = 0;
  let latestExit = Number.NEGATIVE_INFINITY;
  for (const x of clean) {
    if (x.entryTs < latestExit) overlapping++;
    latestExit = Math.max(latestExit, x.exitTs);
  }
  const rowsOf = (x: Trade) => x.copies + x.variants.length;
  const sizing = clean.filter(
    (x) => x.recordedVelDiv !== null && baseLeverage(x.recordedVelDiv, FIXTURE_PARAMS) !== null,
  );
  const haircutCounts: Record<string, number> = {};
  for (const x of sizing)
    if (!x.tail) haircutCounts[String(x.mult)] = (haircutCounts[String(x.mult)] ?? 0) + 1;
  const huge = trades[hugeAt] as Trade;
  const truth: FixtureTruth = {
    rows: rows.length,
    trade_ids: trades.length,
    multi_row_trade_ids: trades.filter((x) => rowsOf(x) >= 2).length,
    max_rows_per_trade_id: Math.max(...trades.map(rowsOf)),
    conflicting_trade_ids: trades.filter((x) => x.variants.length > 0).length,
    exit_ts_ties: trades.filter((x) => x.variants.some((v) => v.exitTs === x.exitTs)).length,
    dropped_hibernate: trades.filter((x) => x.kind === 'hibernate').length,
    dropped_zero_bars: trades.filter((x) => x.kind === 'zero_bars').length,
    huge_loss: { trade_id: huge.id, pnl: huge.pnl },
    clean_trades: clean.length,
    clean_pnl: clean.reduce((s, x) => s + x.pnl, 0),
    raw_pnl: rows.reduce((s, r) => s + r.pnl, 0),
    overlapping_trades: overlapping,
    null_vel_div: trades.filter((x) => x.recordedVelDiv === null).length,
    sizing_trades: sizing.length,
    tail_trades: sizing.filter((x) => x.tail).length,
    haircut_counts: haircutCounts,
  };
  return { csv: `${lines.join('\n')}\n`, truth };
}

/** The recorded-trades CSV (header + rows) for a seed; see `generateRecordedTradesWithTruth`. */
export function generateRecordedTrades(o: {
  seed: number;
  trades: number;
  params?: FixtureSizerParams;
}): string {
  return generateRecordedTradesWithTruth(o).csv;
}
