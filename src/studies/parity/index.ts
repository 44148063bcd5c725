// parity (SPEC §3.1, seed V3d): does the base sizer reproduce the recorded median
// leverage curve over the vel_div bins? Pearson and max-abs-error gate, plus the grid point
// that fits best (parameter recovery). Medians are numpy's, pearson is numpy.corrcoef's.
import type { DuckDBConnection } from '@duckdb/node-api';
import { barChartSvg } from '../../common/chart.js';
import { significant } from '../../common/format.js';
import { SIZER_V3_SHADOW, type SizerParams } from '../../kernel/params/index.js';
import { size } from '../../kernel/sizer/index.js';
import { binOf, VEL_DIV_BINS } from '../bins.js';
import { rows, type StudyResult } from '../db.js';
import { quantile } from '../quantile.js';

const MIN_BIN_TRADES = 10;
const GRID_MAX_LEVERAGE = Array.from({ length: 11 }, (_, i) => 5 + 0.5 * i);
const GRID_THRESHOLD = [-0.015, -0.02, -0.025];
const GRID_EXTREME = [-0.04, -0.05, -0.06];
const GRID_CONVEXITY = [1, 2, 3, 4];

export interface ParityBin {
  /** The bin's label, as in sizing's tail_by_bin. */
  readonly bin: string;
  readonly lo: number | null;
  readonly hi: number;
  readonly n: number;
  readonly median_vel_div: number;
  readonly median_leverage: number;
  readonly model: number;
}

export interface ParityFit {
  readonly max_leverage: number;
  readonly threshold: number;
  readonly extreme: number;
  readonly convexity: number;
  readonly max_abs_err: number;
  readonly pearson: number | null;
}

interface Agreement {
  readonly model: number[];
  readonly pearson: number | null;
  readonly maxAbsErr: number | null;
}

/** numpy.corrcoef(x, y)[0, 1]: cov / std / std, clipped to [−1, 1]; null when undefined. */
function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i] as number;
    sy += y[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let cxx = 0;
  let cyy = 0;
  let cxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    cxx += dx * dx;
    cyy += dy * dy;
    cxy += dx * dy;
  }
  if (!(cxx > 0 && cyy > 0)) return null;
  const r = cxy / (n - 1) / Math.sqrt(cxx / (n - 1)) / Math.sqrt(cyy / (n - 1));
  return Math.max(-1, Math.min(1, r));
}

/** The sizer at each bin's median vel_div (0 where it does not fire) against the record. */
function agreement(
  medianVelDiv: readonly number[],
  medianLeverage: readonly number[],
  p: SizerParams,
): Agreement {
  const model = medianVelDiv.map((v) => size(v, p)?.leverage ?? 0);
  let maxAbsErr: number | null = null;
  model.forEach((m, i) => {
    const err = Math.abs((medianLeverage[i] as number) - m);
    if (maxAbsErr === null || err > maxAbsErr) maxAbsErr = err;
  });
  return { model, pearson: pearson(medianLeverage, model), maxAbsErr };
}

/** Least max_abs_err over the grid, nested max_leverage → threshold → extreme → convexity; first wins ties. */
function fitGrid(
  medianVelDiv: readonly number[],
  medianLeverage: readonly number[],
): ParityFit | null {
  let best: ParityFit | null = null;
  for (const max_leverage of GRID_MAX_LEVERAGE) {
    for (const threshold of GRID_THRESHOLD) {
      for (const extreme of GRID_EXTREME) {
        for (const convexity of GRID_CONVEXITY) {
          const p = { ...SIZER_V3_SHADOW, max_leverage, threshold, extreme, convexity };
          const a = agreement(medianVelDiv, medianLeverage, p);
          if (a.maxAbsErr === null) return null; // no bins: nothing to fit
          if (best === null || a.maxAbsErr < best.max_abs_err) {
            best = {
              max_leverage,
              threshold,
              extreme,
              convexity,
              max_abs_err: a.maxAbsErr,
              pearson: a.pearson,
            };
          }
        }
      }
    }
  }
  return best;
}

export async function runParity(
  conn: DuckDBConnection,
  opts: { maxLeverage: number; minR: number; maxErr: number },
): Promise<StudyResult> {
  const trades = await rows(
    conn,
    `SELECT vel_div_entry AS v, leverage AS lev FROM clean_trades
     WHERE vel_div_entry IS NOT NULL ORDER BY row`,
  );
  const velDivs = VEL_DIV_BINS.map(() => [] as number[]);
  const leverages = VEL_DIV_BINS.map(() => [] as number[]);
  for (const t of trades) {
    const k = binOf(t.v as number);
    if (k === null) continue;
    velDivs[k]?.push(t.v as number);
    leverages[k]?.push(t.lev as number);
  }
  const kept = VEL_DIV_BINS.filter((b) => (velDivs[b.index]?.length ?? 0) >= MIN_BIN_TRADES);
  const median = (xs: readonly number[]) => quantile(Float64Array.from(xs).sort(), 0.5);
  const medianVelDiv = kept.map((b) => median(velDivs[b.index] as number[]));
  const medianLeverage = kept.map((b) => median(leverages[b.index] as number[]));

  const sizer = { ...SIZER_V3_SHADOW, max_leverage: opts.maxLeverage };
  const a = agreement(medianVelDiv, medianLeverage, sizer);
  const bins: ParityBin[] = kept.map((b, i) => ({
    bin: b.label,
    lo: b.lo,
    hi: b.hi,
    n: velDivs[b.index]?.length ?? 0,
    median_vel_div: medianVelDiv[i] as number,
    median_leverage: medianLeverage[i] as number,
    model: a.model[i] as number,
  }));
  const pass =
    a.pearson !== null &&
    a.maxAbsErr !== null &&
    a.pearson >= opts.minR &&
    a.maxAbsErr <= opts.maxErr;
  const fit = fitGrid(medianVelDiv, medianLeverage);
  const json = {
    trades: trades.length,
    bins,
    pearson: a.pearson,
    max_abs_err: a.maxAbsErr,
    min_r: opts.minR,
    max_err: opts.maxErr,
    pass,
    fit,
  };

  const labels = bins.map((b) => b.bin);
  const charts = [
    {
      name: 'parity-recorded.svg',
      svg: barChartSvg('recorded median leverage per vel_div bin', labels, medianLeverage),
    },
    {
      name: 'parity-model.svg',
      svg: barChartSvg(
        `base sizer (max_leverage ${opts.maxLeverage}) at the median vel_div`,
        labels,
        a.model,
      ),
    },
  ];
  return { json, markdown: parityMarkdown(json, opts.maxLeverage), charts, pass };
}

const f = (x: number | null): string => significant(x);

function parityMarkdown(
  r: {
    trades: number;
    bins: readonly ParityBin[];
    pearson: number | null;
    max_abs_err: number | null;
    min_r: number;
    max_err: number;
    pass: boolean;
    fit: ParityFit | null;
  },
  maxLeverage: number,
): string {
  const verdict = `**Verdict: ${r.pass ? 'PASS' : 'FAIL'}**: pearson ${f(r.pearson)} (needs ≥ ${f(r.min_r)}), max |median leverage − model| ${f(r.max_abs_err)} (needs ≤ ${f(r.max_err)}).`;
  const rowsMd = r.bins.map(
    (b) =>
      `| ${b.bin} | ${b.n} | ${f(b.median_vel_div)} | ${f(b.median_leverage)} | ${f(b.model)} | ${f(Math.abs(b.median_leverage - b.model))} |`,
  );
  const fit = r.fit;
  const fitMd =
    fit === null
      ? 'No bin has enough trades to fit.'
      : `Best grid point (least max_abs_err): max_leverage ${f(fit.max_leverage)}, threshold ${f(fit.threshold)}, extreme ${f(fit.extreme)}, convexity ${fit.convexity}: max_abs_err ${f(fit.max_abs_err)}, pearson ${f(fit.pearson)}.`;
  return `# Base-sizer parity

${r.trades} clean trades with vel_div_entry; ${r.bins.length} bins with ≥ ${MIN_BIN_TRADES} trades. Model: base sizer (threshold −0.02, extreme −0.05, convexity 3, min_leverage 0.5, max_leverage ${f(maxLeverage)}) at each bin's median vel_div.

${verdict}

| bin | n | median vel_div | median leverage | model | abs err |
| --- | --- | --- | --- | --- | --- |
${rowsMd.join('\n')}

## Fit

${fitMd}
`;
}
