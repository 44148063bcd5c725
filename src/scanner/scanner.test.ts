// The scanner against numpy: the shared real bars' reference table, and generated bars with
// every irregularity SPEC §7 names, through the incremental path (full solver and power
// iteration alike).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../common/rng/index.js';
import { PYTHON, python, REPO } from '../test-support/cli.js';
import { tempDir } from '../test-support/journal.js';
import { type EigRow, gridCloses, readBars, Scanner } from './index.js';
import { RECOMPUTE_EVERY, type WindowOptions } from './windows.js';

const KLINES = join(REPO, 'conformance', 'data', 'klines');
const KLINE_FILES = ['ADABTC', 'DASHBTC', 'ETCBTC', 'ETHBTC', 'LTCBTC'].map((s) =>
  join(KLINES, `${s}-5m.csv`),
);
const REFERENCE = join(REPO, 'conformance', 'data', 'klines-eig-reference.csv');
const PY_SCANNER = join(REPO, 'conformance', 'scanner_reference.py');

interface RefRow {
  ts: number;
  window: number;
  nAssets: number;
  lambda: number;
  velocity: number | null;
}

function parseTable(text: string): RefRow[] {
  const [, ...lines] = text.trimEnd().split('\n');
  return lines.map((l) => {
    const [ts, window, n, lambda, velocity] = l.split(',');
    return {
      ts: Number(ts),
      window: Number(window),
      nAssets: Number(n),
      lambda: Number(lambda),
      velocity: velocity === '' ? null : Number(velocity),
    };
  });
}

/** Every row of `ours` against the reference: same keys, λ and velocities within SPEC §7. */
function expectWithinSpec(ours: readonly EigRow[], ref: readonly RefRow[]): void {
  expect(ours.map((r) => [r.ts, r.window, r.nAssets])).toEqual(
    ref.map((r) => [r.ts, r.window, r.nAssets]),
  );
  const prev = new Map<number, number>();
  let worstLambda = 0;
  let worstVelocity = 0;
  for (const [i, r] of ref.entries()) {
    const o = ours[i] as EigRow;
    worstLambda = Math.max(worstLambda, Math.abs(o.lambda - r.lambda) / r.lambda);
    expect(o.velocity === null).toBe(r.velocity === null);
    if (r.velocity !== null && o.velocity !== null) {
      const bound = 2e-9 * Math.max(r.lambda, prev.get(r.window) ?? r.lambda);
      worstVelocity = Math.max(worstVelocity, Math.abs(o.velocity - r.velocity) / bound);
    }
    prev.set(r.window, r.lambda);
  }
  expect(worstLambda).toBeLessThanOrEqual(1e-9);
  expect(worstVelocity).toBeLessThanOrEqual(1);
}

async function eigRows(
  files: readonly string[],
  intervalMs: number,
  windows: readonly number[],
  o: WindowOptions = {},
): Promise<{ rows: EigRow[]; scanner: Scanner }> {
  const set = await readBars(files);
  const symbols = set.assets.map((a) => a.symbol);
  const scanner = new Scanner({ symbols, intervalMs, windows, ...o });
  const rows: EigRow[] = [];
  for (const { gridTime, closes } of gridCloses(set, intervalMs)) {
    rows.push(...scanner.step(gridTime, closes).eig);
  }
  return { rows, scanner };
}

/**
 * Seeded 5-minute bars of `n` assets sharing a market factor: missing bars, a stretch no
 * asset has (empty slots), constant-price stretches, a late listing, an early delisting, and
 * an asset climbing steadily with almost no noise (its mean return dwarfs its spread: the
 * sums cancel, its correlations are taken centred).
 */
function generatedBars(dir: string, seed: number, n: number, bars: number): string[] {
  const rng = new Rng(seed);
  const start = 1_700_000_100_000 - (1_700_000_100_000 % 300_000);
  const files: string[] = [];
  const market: number[] = [];
  for (let k = 0; k < bars; k++) market.push(rng.normal() * 0.004);
  for (let a = 0; a < n; a++) {
    const beta = rng.uniform(0.3, 1.5);
    let price = rng.uniform(0.5, 200);
    const lines = ['ts,open,high,low,close,volume'];
    const listed = a === 1 ? 300 : 0;
    const delisted = a === 2 ? bars - 250 : bars;
    for (let k = 0; k < bars; k++) {
      const flat = a === 3 && k >= 400 && k < 700;
      if (a === 4) price *= Math.exp(0.002 + rng.normal() * 2e-6);
      else if (!flat) price *= Math.exp(beta * (market[k] as number) + rng.normal() * 0.003);
      if (k < listed || k >= delisted) continue;
      if (k >= 900 && k < 903) continue; // empty slots: no asset has these bars
      if (rng.chance(0.004)) continue; // a missing bar
      const c = Number(price.toPrecision(7));
      lines.push(`${start + k * 300_000},${c},${c},${c},${c},1`);
    }
    const file = join(dir, `A${String(a).padStart(2, '0')}USDT-5m.csv`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    files.push(file);
  }
  return files;
}

describe('scanner against numpy', () => {
  it('matches the reference table of the shared real bars, by the full solver and by power iteration', async () => {
    const ref = parseTable(readFileSync(REFERENCE, 'utf8'));
    const windows = [50, 150, 300, 750];
    const full = await eigRows(KLINE_FILES, 300_000, windows);
    expectWithinSpec(full.rows, ref);
    expect(full.scanner.counts.full).toBeGreaterThan(0);
    const iterative = await eigRows(KLINE_FILES, 300_000, windows, { fullUpTo: 1 });
    expectWithinSpec(iterative.rows, ref);
    expect(iterative.scanner.counts.power).toBeGreaterThan(0);
  });

  it('matches numpy on generated bars with gaps, empty slots, constant prices, listings and delistings', async () => {
    const dir = tempDir('violet-scanner-');
    const files = generatedBars(dir, 5, 12, 1600);
    const windows = [20, 60, 120];
    const py = python(PY_SCANNER, ['300000', windows.join(','), ...files]);
    expect(py.status, `${PYTHON}: ${py.stderr}`).toBe(0);
    const ref = parseTable(py.stdout);
    // The constant stretch and the short-lived assets shrink the windows' membership.
    expect(new Set(ref.map((r) => r.nAssets)).size).toBeGreaterThan(2);
    const ours = await eigRows(files, 300_000, windows);
    expectWithinSpec(ours.rows, ref);
    expect(ours.scanner.counts.power).toBeGreaterThan(0);
    expect(ours.scanner.counts.centred).toBeGreaterThan(0);
    // A scanner warmed up from depth + 1 grid times before a recompute point K gives, from
    // K + 1 on, exactly the scans of one running since the first bar (how live resumes).
    const set = await readBars(files);
    const symbols = set.assets.map((a) => a.symbol);
    const whole = new Scanner({ symbols, intervalMs: 300_000, windows });
    const late = new Scanner({ symbols, intervalMs: 300_000, windows });
    const k =
      Math.ceil(((set.assets[0]?.ts[0] as number) / 300_000 + 130) / RECOMPUTE_EVERY) *
      RECOMPUTE_EVERY;
    let compared = 0;
    for (const { gridTime, closes } of gridCloses(set, 300_000)) {
      const a = whole.step(gridTime, closes);
      const n = gridTime / 300_000;
      if (n < k - 121) continue;
      const b = late.step(gridTime, closes);
      if (n <= k) continue;
      expect(b.scan, `grid ${n}`).toEqual(a.scan);
      if (a.scan !== null) compared++;
    }
    expect(compared).toBeGreaterThan(100);
    // Sums recomputed from the stored returns every 7 grid times: within the bounds too.
    expectWithinSpec((await eigRows(files, 300_000, windows, { recomputeEvery: 7 })).rows, ref);
  });
});
