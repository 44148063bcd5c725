// sizing (seed §8): how recorded leverage departs from the SPEC §3.1 base sizer. The ratio
// leverage / base shows the haircut bands (EsoF and friends) as modes of its histogram, and
// the upward tail (> 1.05) per vel_div bin shows where something boosted size.
import type { DuckDBConnection } from '@duckdb/node-api';
import { barChartSvg } from '../../common/chart.js';
import { fixed, percent as pct } from '../../common/format.js';
import { SIZER_V3_SHADOW } from '../../kernel/params/index.js';
import { size } from '../../kernel/sizer/index.js';
import { binOf, VEL_DIV_BINS } from '../bins.js';
import { rows, type StudyResult } from '../db.js';
import { cell, table } from '../markdown.js';
import { quantile } from '../quantile.js';

/** The `sizing` JSON of docs/studies.md. */
export interface SizingJson {
  readonly trades: number;
  readonly skipped: number;
  readonly max_leverage: number;
  readonly ratio_median: number | null;
  readonly upward_tail_share: number | null;
  readonly bands: readonly { readonly center: number; readonly share: number }[];
  readonly tail_by_bin: readonly {
    readonly bin: string;
    readonly n: number;
    readonly tail_share: number;
  }[];
}

const UPWARD_TAIL = 1.05;
const BAND_WIDTH = 0.05;
const MAX_BAND = 60;
const MODE_MIN_SHARE = 0.02;
const MIN_BIN_TRADES = 10;

/** Histogram bin of a ratio: nearest multiple of BAND_WIDTH, everything past 3.0 in the last. */
function bandOf(ratio: number): number {
  const k = Math.floor(ratio / BAND_WIDTH + 0.5);
  return k > MAX_BAND ? MAX_BAND : k;
}

function histogram(ratios: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of ratios) {
    const k = bandOf(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

function modes(counts: ReadonlyMap<number, number>, trades: number): SizingJson['bands'] {
  const at = (k: number) => counts.get(k) ?? 0;
  return [...counts.keys()]
    .sort((a, b) => a - b)
    .filter((k) => at(k) / trades >= MODE_MIN_SHARE && at(k) > at(k - 1) && at(k) >= at(k + 1))
    .map((k) => ({ center: k * BAND_WIDTH, share: at(k) / trades }));
}

export async function runSizing(
  conn: DuckDBConnection,
  opts: { maxLeverage: number },
): Promise<StudyResult> {
  const params = { ...SIZER_V3_SHADOW, max_leverage: opts.maxLeverage };
  const raw = await rows(conn, 'SELECT vel_div_entry, leverage FROM clean_trades ORDER BY row');
  const ratios: number[] = [];
  const binned = VEL_DIV_BINS.map(() => ({ n: 0, tail: 0 }));
  for (const r of raw) {
    if (r.vel_div_entry === null) continue;
    const velDiv = Number(r.vel_div_entry);
    const base = size(velDiv, params);
    if (base === null) continue;
    const ratio = Number(r.leverage) / base.leverage;
    ratios.push(ratio);
    const b = binned[binOf(velDiv) as number] as { n: number; tail: number };
    b.n++;
    if (ratio > UPWARD_TAIL) b.tail++;
  }
  const trades = ratios.length;
  const sorted = [...ratios].sort((a, b) => a - b);
  const counts = histogram(ratios);
  const json: SizingJson = {
    trades,
    skipped: raw.length - trades,
    max_leverage: opts.maxLeverage,
    ratio_median: trades === 0 ? null : quantile(sorted, 0.5),
    upward_tail_share: trades === 0 ? null : ratios.filter((x) => x > UPWARD_TAIL).length / trades,
    bands: trades === 0 ? [] : modes(counts, trades),
    tail_by_bin: VEL_DIV_BINS.flatMap((bin, i) => {
      const b = binned[i] as { n: number; tail: number };
      return b.n >= MIN_BIN_TRADES ? [{ bin: bin.label, n: b.n, tail_share: b.tail / b.n }] : [];
    }),
  };
  const ks = [...counts.keys()];
  const kLo = Math.min(0, ...ks);
  const kHi = Math.max(0, ...ks);
  const centers = Array.from({ length: kHi - kLo + 1 }, (_, i) => kLo + i);
  return {
    json: json as unknown as Record<string, unknown>,
    markdown: sizingMarkdown(json),
    charts: [
      {
        name: 'sizing-ratio.svg',
        svg: barChartSvg(
          'leverage / base sizer: histogram (0.05 bins, last bin ≥ 3.0)',
          centers.map((k) => (k % 4 === 0 ? fixed(k * BAND_WIDTH, 1) : '')),
          centers.map((k) => counts.get(k) ?? 0),
        ),
      },
    ],
  };
}

function sizingMarkdown(j: SizingJson): string {
  const bands =
    j.bands.length === 0
      ? 'No mode holds ≥ 2% of trades.'
      : table(
          ['ratio center', 'share'],
          j.bands.map((b) => [fixed(b.center, 2), pct(b.share)]),
        );
  const tail =
    j.tail_by_bin.length === 0
      ? 'No vel_div bin holds ≥ 10 trades.'
      : table(
          ['vel_div bin', 'n', 'ratio > 1.05'],
          j.tail_by_bin.map((b) => [b.bin, b.n, pct(b.tail_share)]),
        );
  return `# Sizing: recorded leverage vs the base sizer

${j.trades} clean trades where the base sizer fires (max_leverage ${j.max_leverage}); ${j.skipped} skipped (no vel_div_entry, or vel_div ≥ −0.02).
Median leverage / base: ${cell(j.ratio_median)}; upward tail (ratio > 1.05): ${pct(j.upward_tail_share)}.

## Bands (modes of the ratio histogram)

${bands}

## Upward tail by vel_div bin (bins with ≥ 10 trades)

${tail}
`;
}
