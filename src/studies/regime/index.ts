// regime (seed §6): is the edge regime-concentrated? Clean-trade pnl by regime label and
// across three splits (BTC vs its MA99, DVOL vs its median, strong vs weak vel_div), and
// how often a "bear" label is stamped while BTC trades above its MA99.
import type { DuckDBConnection } from '@duckdb/node-api';
import { barChartSvg } from '../../common/chart.js';
import { percent as pct } from '../../common/format.js';
import { rows, type StudyResult } from '../db.js';
import { cell, table } from '../markdown.js';
import { quantile } from '../quantile.js';

export interface GroupSummary {
  readonly n: number;
  readonly mean_pnl: number | null;
  readonly win_rate: number | null;
}

export interface NamedGroup extends GroupSummary {
  readonly name: string;
}

export interface RegimePair {
  readonly a: NamedGroup;
  readonly b: NamedGroup;
  readonly ratio: number | null;
}

/** The `regime` JSON of docs/studies.md. */
export interface RegimeJson {
  readonly trades: number;
  readonly by_label: readonly ({ readonly label: string } & GroupSummary)[];
  readonly sub_regimes: {
    readonly btc_vs_ma99: RegimePair;
    readonly dvol: RegimePair & { readonly median_dvol: number | null };
    readonly vel_div: RegimePair;
  };
  readonly label_reliability: {
    readonly bearish_labelled: number;
    readonly bearish_above_ma99: number;
    readonly share: number | null;
  };
}

interface Trade {
  readonly pnl: number;
  readonly label: string | null;
  readonly btc: number | null;
  readonly ma99: number | null;
  readonly dvol: number | null;
  readonly velDiv: number | null;
}

const NO_LABEL = '(none)';
const STRONG_VEL_DIV = -0.05;
/** A split whose sides differ in sign or by this factor in mean pnl concentrates the edge. */
const CONCENTRATION_FACTOR = 2;

/** An optional column's value; NaN counts as absent, as it does for pandas. */
function opt(v: unknown): number | null {
  return v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v);
}

function summary(pnls: readonly number[]): GroupSummary {
  const n = pnls.length;
  if (n === 0) return { n, mean_pnl: null, win_rate: null };
  let sum = 0;
  let wins = 0;
  for (const p of pnls) {
    sum += p;
    if (p > 0) wins++;
  }
  return { n, mean_pnl: sum / n, win_rate: wins / n };
}

function pair(aName: string, a: readonly Trade[], bName: string, b: readonly Trade[]): RegimePair {
  const sa = summary(a.map((t) => t.pnl));
  const sb = summary(b.map((t) => t.pnl));
  const ratio =
    sa.mean_pnl === null || sb.mean_pnl === null || sb.mean_pnl === 0
      ? null
      : sa.mean_pnl / sb.mean_pnl;
  return { a: { name: aName, ...sa }, b: { name: bName, ...sb }, ratio };
}

/** Python's str ordering: by code point, not UTF-16 code unit. */
function byCodePoint(x: string, y: string): number {
  const a = Array.from(x, (c) => c.codePointAt(0) as number);
  const b = Array.from(y, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

function regimeOf(trades: readonly Trade[]): RegimeJson {
  const byLabel = new Map<string, number[]>();
  for (const t of trades) {
    const label = t.label ?? NO_LABEL;
    const pnls = byLabel.get(label) ?? [];
    pnls.push(t.pnl);
    byLabel.set(label, pnls);
  }
  const labels = [...byLabel.keys()].sort(byCodePoint);

  const withMa = trades.filter((t) => t.btc !== null && t.ma99 !== null);
  const below = (t: Trade) => (t.btc as number) < (t.ma99 as number);
  const withDvol = trades.filter((t) => t.dvol !== null);
  const dvols = withDvol.map((t) => t.dvol as number).sort((x, y) => x - y);
  const median = dvols.length === 0 ? null : quantile(dvols, 0.5);
  const high = (t: Trade) => (t.dvol as number) > (median as number);
  const withVd = trades.filter((t) => t.velDiv !== null);
  const strong = (t: Trade) => (t.velDiv as number) <= STRONG_VEL_DIV;
  const bearish = withMa.filter((t) => t.label?.toLowerCase().includes('bear'));
  const bearishAbove = bearish.filter((t) => (t.btc as number) > (t.ma99 as number)).length;

  return {
    trades: trades.length,
    by_label: labels.map((label) => ({ label, ...summary(byLabel.get(label) ?? []) })),
    sub_regimes: {
      btc_vs_ma99: pair(
        'below',
        withMa.filter(below),
        'above',
        withMa.filter((t) => !below(t)),
      ),
      dvol: {
        ...pair(
          'high',
          withDvol.filter(high),
          'low',
          withDvol.filter((t) => !high(t)),
        ),
        median_dvol: median,
      },
      vel_div: pair(
        'strong',
        withVd.filter(strong),
        'weak',
        withVd.filter((t) => !strong(t)),
      ),
    },
    label_reliability: {
      bearish_labelled: bearish.length,
      bearish_above_ma99: bearishAbove,
      share: bearish.length === 0 ? null : bearishAbove / bearish.length,
    },
  };
}

export async function runRegime(conn: DuckDBConnection): Promise<StudyResult> {
  const raw = await rows(
    conn,
    `SELECT pnl, regime_label, btc_price, btc_ma99, dvol, vel_div_entry
     FROM clean_trades ORDER BY row`,
  );
  const trades: Trade[] = raw.map((r) => ({
    pnl: Number(r.pnl),
    label: r.regime_label === null ? null : String(r.regime_label),
    btc: opt(r.btc_price),
    ma99: opt(r.btc_ma99),
    dvol: opt(r.dvol),
    velDiv: opt(r.vel_div_entry),
  }));
  const json = regimeOf(trades);
  const s = json.sub_regimes;
  const pairs: [string, RegimePair][] = [
    ['BTC vs MA99', s.btc_vs_ma99],
    ['DVOL vs median', s.dvol],
    ['vel_div strength', s.vel_div],
  ];
  return {
    json: json as unknown as Record<string, unknown>,
    markdown: regimeMarkdown(json, pairs),
    charts: [
      {
        name: 'regime-by-label.svg',
        svg: barChartSvg(
          'mean pnl per regime label',
          json.by_label.map((l) => l.label),
          json.by_label.map((l) => l.mean_pnl ?? 0),
        ),
      },
      {
        name: 'regime-sub-regimes.svg',
        svg: barChartSvg(
          'mean pnl per sub-regime',
          pairs.flatMap(([, p]) => [p.a.name, p.b.name]),
          pairs.flatMap(([, p]) => [p.a.mean_pnl ?? 0, p.b.mean_pnl ?? 0]),
        ),
      },
    ],
  };
}

/** Sides of a split that concentrate the edge: opposite signs or ≥ CONCENTRATION_FACTOR apart. */
function concentration(what: string, p: RegimePair): string | null {
  const a = p.a.mean_pnl;
  const b = p.b.mean_pnl;
  if (a === null || b === null) return null;
  const [hi, lo] = a >= b ? [p.a, p.b] : [p.b, p.a];
  const h = hi.mean_pnl as number;
  const l = lo.mean_pnl as number;
  if (h > 0 && (l <= 0 || h >= CONCENTRATION_FACTOR * l)) {
    return `${what} ${hi.name} (mean ${cell(h)} vs ${cell(l)} ${lo.name})`;
  }
  return null;
}

function reading(pairs: readonly [string, RegimePair][]): string {
  const tested = pairs.filter(([, p]) => p.a.n > 0 && p.b.n > 0);
  if (tested.length === 0) {
    return 'Cannot tell whether the edge is regime-concentrated: no split has trades on both sides.';
  }
  const hits = tested.map(([w, p]) => concentration(w, p)).filter((x): x is string => x !== null);
  if (hits.length > 0) return `The edge is regime-concentrated: it sits in ${hits.join('; ')}.`;
  if (tested.every(([, p]) => (p.a.mean_pnl as number) <= 0 && (p.b.mean_pnl as number) <= 0)) {
    return 'There is no edge to concentrate: no side of any split has a positive mean pnl.';
  }
  return `The edge is not regime-concentrated: across ${tested.length} split(s) mean pnl keeps its sign and stays within ${CONCENTRATION_FACTOR}×.`;
}

function regimeMarkdown(json: RegimeJson, pairs: readonly [string, RegimePair][]): string {
  const lr = json.label_reliability;
  const md = json.sub_regimes.dvol.median_dvol;
  return `# Regime concentration

${json.trades} clean trades. ${reading(pairs)}

## By regime label

${table(
  ['label', 'n', 'mean pnl', 'win rate'],
  json.by_label.map((l) => [l.label, l.n, l.mean_pnl, pct(l.win_rate)]),
)}

## Sub-regimes

${table(
  ['split', 'side', 'n', 'mean pnl', 'win rate', 'ratio a/b'],
  pairs.flatMap(([what, p]) => [
    [what, `a: ${p.a.name}`, p.a.n, p.a.mean_pnl, pct(p.a.win_rate), p.ratio],
    [what, `b: ${p.b.name}`, p.b.n, p.b.mean_pnl, pct(p.b.win_rate), null],
  ]),
)}

DVOL median: ${cell(md)}. A split concentrates the edge when its sides' mean pnl differ in sign or by ≥ ${CONCENTRATION_FACTOR}×.

## Label reliability

${lr.bearish_labelled} trades labelled bearish (with BTC and MA99); ${lr.bearish_above_ma99} of them (${pct(lr.share)}) had BTC above its MA99.
`;
}
