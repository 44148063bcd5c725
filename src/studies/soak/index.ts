// The shadow soak report (seed §9): counts, faithfulness to the base sizer, conviction
// statistics, diversity, re-decision cadence and vel_div anomalies of a journaled run,
// with the pass/fail checks an operator signs off on. Pure: rows in, plain JSON out.
import { NONE, percent as pct, significant } from '../../common/format.js';
import type { DecisionRow } from '../../journal/schema.js';

import type { SizerParams } from '../../kernel/params/index.js';
import { size } from '../../kernel/sizer/index.js';
import { quantile } from '../quantile.js';

export interface SoakInput {
  /** violet_decisions rows; each instance's rows in non-decreasing scan_number order. */
  readonly decisions: readonly DecisionRow[];
  readonly rejects: readonly { reason: string }[];
  /** Orders sent (0 in shadow). */
  readonly orders: number;
  /** Engine errors counted during the run. */
  readonly errors: number;
  readonly sizer: SizerParams;
  /** Largest leverage the composition can yield: max_leverage (v3-shadow), abs_max_leverage (orchestrator). */
  readonly maxComposedLeverage: number;
  readonly stablecoins: readonly string[];
}

export interface Summary {
  readonly min: number | null;
  readonly p50: number | null;
  readonly avg: number | null;
  readonly max: number | null;
}

export interface SoakCheck {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

export interface SoakReport {
  readonly decisions: number;
  readonly actuated: number;
  readonly instances: number;
  readonly first_scan: number | null;
  readonly last_scan: number | null;
  readonly hours: number | null;
  readonly rejected: { readonly total: number; readonly by_reason: Record<string, number> };
  readonly stablecoin_leaks: number;
  readonly orders: number;
  readonly errors: number;
  readonly faithfulness: {
    readonly all_short: boolean;
    readonly all_below_threshold: boolean;
    readonly median_vel_div: number | null;
    readonly conviction_p50: number | null;
    readonly base_at_median_vel_div: number | null;
    readonly conviction_p50_gap: number | null;
    readonly max_notional_fraction: number | null;
    readonly notional_fraction_cap: number;
  };
  /** Composed conviction (`leverage`) over actuated rows. */
  readonly conviction: Summary;
  /** Base sizer conviction (`base_leverage`) over actuated rows. */
  readonly base: Summary;
  readonly conviction_swing_per_hour: {
    readonly hours: number;
    readonly min: number | null;
    readonly p50: number | null;
    readonly max: number | null;
  };
  readonly diversity: {
    readonly distinct_assets: number;
    readonly top2_share: number | null;
    readonly top_assets: readonly { asset: string; n: number; share: number }[];
  };
  readonly re_decision: {
    readonly runs: number;
    readonly avg_run_length: number | null;
    readonly max_run_length: number | null;
    readonly max_decisions_per_asset_per_scan: number | null;
  };
  readonly vel_div_anomalies: {
    readonly min: number | null;
    readonly max: number | null;
    readonly below_minus_1: number;
    readonly spikes: readonly { scan_number: number; vel_div: number }[];
  };
  readonly checks: readonly SoakCheck[];
  readonly pass: boolean;
}

const HOUR_MS = 3.6e6;
const TOP_ASSETS = 5;
const SPIKES = 10;
/** Slack on the notional_fraction cap: base_fraction × max_leverage is not exact in binary. */
/** A soak whose rejected lines pass this share of rejected + decided fails its verdict. */
export const MAX_REJECT_SHARE = 0.01;

const CAP_TOLERANCE = 1e-9;
const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Groups a reject reason (`field.path: message`, model/scan.ts) with its kind: from the
 * first path segment after the head that is not a lowercase field name (a symbol key such
 * as `BTCUSDT`), the rest of the path becomes `*`. "prices.BTCUSDT: price must be > 0" →
 * "prices.*: price must be > 0"; "esof.score: outside [-1, 1]" is kept as is. The path ends
 * at the last ': ' because a refused symbol key may itself contain one.
 */
function rejectGroup(reason: string): string {
  const cut = reason.lastIndexOf(': ');
  const path = cut < 0 ? reason : reason.slice(0, cut);
  const segments = path.split('.');
  const k = segments.findIndex((s, i) => i > 0 && !FIELD_NAME.test(s));
  if (k < 0) return reason;
  return `${[...segments.slice(0, k), '*'].join('.')}${cut < 0 ? '' : reason.slice(cut)}`;
}

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Sorts xs[0, n) in place and summarises it. */
function summarise(xs: Float64Array, n: number, sum: number): Summary {
  if (n === 0) return { min: null, p50: null, avg: null, max: null };
  const s = xs.subarray(0, n).sort();
  return {
    min: orNull(s[0] as number),
    p50: orNull(quantile(s, 0.5)),
    avg: orNull(sum / n),
    max: orNull(s[n - 1] as number),
  };
}

function byCountThenName<T extends { key: string; n: number }>(a: T, b: T): number {
  if (a.n !== b.n) return b.n - a.n;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function counted(m: ReadonlyMap<string, number>): { key: string; n: number }[] {
  return [...m].map(([key, n]) => ({ key, n })).sort(byCountThenName);
}

interface InstanceState {
  scan: number;
  /** Per asset: the last scan it was decided in and how many times in that scan. */
  readonly lastScanOf: Map<string, { scan: number; n: number }>;
  runAsset: string | null;
  runLength: number;
}

/**
 * One pass over the decisions, everything but the sorts. A class with a small hot method
 * and nothing allocated per row, so a 1M-row soak is optimised early and collects no garbage.
 */
class Tally {
  readonly velDivs: Float64Array;
  readonly bases: Float64Array;
  readonly leverages: Float64Array;
  readonly instances = new Map<string, InstanceState>();
  readonly assetCounts = new Map<string, number>();
  readonly hours = new Map<number, { min: number; max: number; n: number }>();
  readonly spikes: { scan_number: number; vel_div: number }[] = [];
  firstScan = Number.POSITIVE_INFINITY;
  lastScan = Number.NEGATIVE_INFINITY;
  firstTs = Number.POSITIVE_INFINITY;
  lastTs = Number.NEGATIVE_INFINITY;
  velMin = Number.POSITIVE_INFINITY;
  velMax = Number.NEGATIVE_INFINITY;
  belowMinus1 = 0;
  leaks = 0;
  maxPerScan = 0;
  actuated = 0;
  notShort = 0;
  notBelow = 0;
  nBase = 0;
  sumBase = 0;
  nLev = 0;
  sumLev = 0;
  maxNotionalFraction = Number.NEGATIVE_INFINITY;
  runs = 0;
  runRows = 0;
  maxRun = 0;

  constructor(
    rows: number,
    private readonly threshold: number,
    private readonly stablecoins: ReadonlySet<string>,
  ) {
    this.velDivs = new Float64Array(rows);
    this.bases = new Float64Array(rows);
    this.leverages = new Float64Array(rows);
  }

  add(row: DecisionRow): void {
    const { scan_number: scan, ts, asset, vel_div: velDiv } = row;
    if (scan < this.firstScan) this.firstScan = scan;
    if (scan > this.lastScan) this.lastScan = scan;
    if (ts < this.firstTs) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
    if (velDiv < this.velMin) this.velMin = velDiv;
    if (velDiv > this.velMax) this.velMax = velDiv;
    if (velDiv < -1) {
      this.belowMinus1++;
      if (this.spikes.length < SPIKES) this.spikes.push({ scan_number: scan, vel_div: velDiv });
    }
    if (asset !== null && this.stablecoins.has(asset)) this.leaks++;
    const st = this.instance(row.instance_id, scan);
    if (asset !== null) this.perScan(st, asset, scan);
    if (row.actuated) this.addActuated(row, st);
  }

  private instance(id: string, scan: number): InstanceState {
    let st = this.instances.get(id);
    if (st === undefined) {
      st = { scan, lastScanOf: new Map(), runAsset: null, runLength: 0 };
      this.instances.set(id, st);
    } else if (scan < st.scan) {
      throw new Error(
        `soakReport: decisions of ${id} out of scan_number order (${scan} after ${st.scan})`,
      );
    }
    st.scan = scan;
    return st;
  }

  private perScan(st: InstanceState, asset: string, scan: number): void {
    const seen = st.lastScanOf.get(asset);
    let n = 1;
    if (seen === undefined) st.lastScanOf.set(asset, { scan, n });
    else if (seen.scan === scan) n = ++seen.n;
    else {
      seen.scan = scan;
      seen.n = n;
    }
    if (n > this.maxPerScan) this.maxPerScan = n;
  }

  private addActuated(row: DecisionRow, st: InstanceState): void {
    const { asset, vel_div: velDiv, base_leverage: base, leverage: lev } = row;
    this.velDivs[this.actuated++] = velDiv;
    if (row.direction !== 'SHORT') this.notShort++;
    if (!(velDiv < this.threshold)) this.notBelow++;
    if (base !== null) {
      this.bases[this.nBase++] = base;
      this.sumBase += base;
    }
    if (lev !== null) {
      this.leverages[this.nLev++] = lev;
      this.sumLev += lev;
      const hour = Math.floor(row.ts / HOUR_MS);
      const h = this.hours.get(hour);
      if (h === undefined) this.hours.set(hour, { min: lev, max: lev, n: 1 });
      else {
        if (lev < h.min) h.min = lev;
        if (lev > h.max) h.max = lev;
        h.n++;
      }
    }
    const nf = row.notional_fraction;
    if (nf !== null && nf > this.maxNotionalFraction) this.maxNotionalFraction = nf;
    if (asset === null) return;
    this.assetCounts.set(asset, (this.assetCounts.get(asset) ?? 0) + 1);
    // Runs over each instance's actuated rows: a sticky signal re-decides its asset.
    if (asset === st.runAsset) st.runLength++;
    else {
      st.runAsset = asset;
      st.runLength = 1;
      this.runs++;
    }
    this.runRows++;
    if (st.runLength > this.maxRun) this.maxRun = st.runLength;
  }
}

export function soakReport(input: SoakInput): SoakReport {
  const { decisions, sizer } = input;
  const t = new Tally(decisions.length, sizer.threshold, new Set(input.stablecoins));
  for (const row of decisions) t.add(row);
  const { actuated } = t;

  const byReason = new Map<string, number>();
  for (const r of input.rejects) {
    const g = rejectGroup(r.reason);
    byReason.set(g, (byReason.get(g) ?? 0) + 1);
  }
  // fromEntries defines own keys, so even a reason spelt "__proto__" is counted.
  const by_reason = Object.fromEntries(counted(byReason).map(({ key, n }) => [key, n]));

  const medianVelDiv =
    actuated === 0 ? null : orNull(quantile(t.velDivs.subarray(0, actuated).sort(), 0.5));
  const base = summarise(t.bases, t.nBase, t.sumBase);
  const conviction = summarise(t.leverages, t.nLev, t.sumLev);
  const baseAtMedian = medianVelDiv === null ? null : (size(medianVelDiv, sizer)?.leverage ?? null);
  const cap = sizer.base_fraction * input.maxComposedLeverage;
  const maxNf = orNull(t.maxNotionalFraction);

  const swings = Float64Array.from(
    [...t.hours.values()].filter((h) => h.n >= 2).map((h) => h.max - h.min),
  ).sort();
  const swingCount = swings.length;

  const assets = counted(t.assetCounts);
  const share = (n: number) => n / actuated;

  const faithfulness = {
    all_short: t.notShort === 0,
    all_below_threshold: t.notBelow === 0,
    median_vel_div: medianVelDiv,
    conviction_p50: base.p50,
    base_at_median_vel_div: baseAtMedian,
    conviction_p50_gap:
      base.p50 === null || baseAtMedian === null ? null : orNull(base.p50 - baseAtMedian),
    max_notional_fraction: maxNf,
    notional_fraction_cap: cap,
  };
  const maxDecisionsPerAssetPerScan = t.maxPerScan === 0 ? null : t.maxPerScan;

  const rejected = input.rejects.length;
  const rejectShare = rejected === 0 ? 0 : rejected / (rejected + decisions.length);
  const checks: SoakCheck[] = [
    {
      name: 'decisions recorded',
      pass: decisions.length > 0,
      detail: `${decisions.length} decisions`,
    },
    {
      name: 'rejects within limit',
      pass: rejectShare <= MAX_REJECT_SHARE,
      detail: `${rejected} rejected of ${rejected + decisions.length} (limit ${MAX_REJECT_SHARE * 100}%)`,
    },
    {
      name: 'no stablecoin leaks',
      pass: t.leaks === 0,
      detail: `${t.leaks} decisions on a stablecoin`,
    },
    { name: 'no orders', pass: input.orders === 0, detail: `${input.orders} orders sent` },
    { name: 'no errors', pass: input.errors === 0, detail: `${input.errors} engine errors` },
    {
      name: 'all actuated SHORT',
      pass: faithfulness.all_short,
      detail: `${t.notShort} of ${actuated} actuated not SHORT`,
    },
    {
      name: 'all actuated below threshold',
      pass: faithfulness.all_below_threshold,
      detail: `${t.notBelow} of ${actuated} actuated with vel_div not < ${sizer.threshold}`,
    },
    {
      name: 'notional_fraction within cap',
      pass: maxNf === null || maxNf <= cap + CAP_TOLERANCE,
      detail: `max ${maxNf ?? 'n/a'}, cap ${cap}`,
    },
    {
      name: 'at most one decision per asset per scan',
      pass: maxDecisionsPerAssetPerScan === null || maxDecisionsPerAssetPerScan <= 1,
      detail: `max ${maxDecisionsPerAssetPerScan ?? 'n/a'} per (instance, scan, asset)`,
    },
  ];

  return {
    decisions: decisions.length,
    actuated,
    instances: t.instances.size,
    first_scan: orNull(t.firstScan),
    last_scan: orNull(t.lastScan),
    hours: orNull((t.lastTs - t.firstTs) / HOUR_MS),
    rejected: { total: input.rejects.length, by_reason },
    stablecoin_leaks: t.leaks,
    orders: input.orders,
    errors: input.errors,
    faithfulness,
    conviction,
    base,
    conviction_swing_per_hour: {
      hours: swingCount,
      min: swingCount === 0 ? null : orNull(swings[0] as number),
      p50: swingCount === 0 ? null : orNull(quantile(swings, 0.5)),
      max: swingCount === 0 ? null : orNull(swings[swingCount - 1] as number),
    },
    diversity: {
      distinct_assets: assets.length,
      top2_share: actuated === 0 ? null : share((assets[0]?.n ?? 0) + (assets[1]?.n ?? 0)),
      top_assets: assets
        .slice(0, TOP_ASSETS)
        .map(({ key, n }) => ({ asset: key, n, share: share(n) })),
    },
    re_decision: {
      runs: t.runs,
      avg_run_length: t.runs === 0 ? null : t.runRows / t.runs,
      max_run_length: t.runs === 0 ? null : t.maxRun,
      max_decisions_per_asset_per_scan: maxDecisionsPerAssetPerScan,
    },
    vel_div_anomalies: {
      min: orNull(t.velMin),
      max: orNull(t.velMax),
      below_minus_1: t.belowMinus1,
      spikes: t.spikes,
    },
    checks,
    pass: checks.every((c) => c.pass),
  };
}

type Cell = string | number | boolean | null;

function fmt(x: Cell): string {
  if (x === null) return NONE;
  if (typeof x === 'boolean') return x ? 'yes' : 'no';
  if (typeof x === 'string') return x.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  return significant(x);
}

function table(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map((r) => line(r.map(fmt)))].join('\n');
}

function section(title: string, body: string): string {
  return `## ${title}\n\n${body}\n`;
}

export function soakMarkdown(r: SoakReport): string {
  const failed = r.checks.filter((c) => !c.pass).map((c) => c.name);
  const verdict = r.pass
    ? `**Verdict: PASS** (${r.checks.length}/${r.checks.length} checks)`
    : `**Verdict: FAIL** (${failed.length} of ${r.checks.length} checks failed: ${failed.join(', ')})`;
  const f = r.faithfulness;
  const s = r.conviction_swing_per_hour;
  const d = r.diversity;
  const rd = r.re_decision;
  const a = r.vel_div_anomalies;
  const rejects = Object.entries(r.rejected.by_reason);
  return [
    `# VIOLET soak report\n\n${verdict}\n`,
    section(
      'Counts',
      table(
        ['metric', 'value'],
        [
          ['decisions', r.decisions],
          ['actuated', r.actuated],
          ['instances', r.instances],
          ['first scan', r.first_scan],
          ['last scan', r.last_scan],
          ['hours (scan time)', r.hours],
          ['rejected', r.rejected.total],
          ['stablecoin leaks', r.stablecoin_leaks],
          ['orders', r.orders],
          ['errors', r.errors],
        ],
      ),
    ),
    section(
      'Rejects by reason',
      rejects.length === 0 ? 'None.' : table(['reason', 'count'], rejects),
    ),
    section(
      'Faithfulness',
      table(
        ['metric', 'value'],
        [
          ['all actuated SHORT', f.all_short],
          ['all actuated below threshold', f.all_below_threshold],
          ['median vel_div', f.median_vel_div],
          ['conviction p50 (base_leverage)', f.conviction_p50],
          ['base sizer at median vel_div', f.base_at_median_vel_div],
          ['conviction p50 gap', f.conviction_p50_gap],
          ['max notional_fraction', f.max_notional_fraction],
          ['notional_fraction cap', f.notional_fraction_cap],
        ],
      ),
    ),
    section(
      'Conviction (actuated)',
      table(
        ['stat', 'leverage (composed)', 'base_leverage'],
        (['min', 'p50', 'avg', 'max'] as const).map((k) => [k, r.conviction[k], r.base[k]]),
      ),
    ),
    section(
      'Conviction swing per hour',
      table(['hours (≥ 2 actuated)', 'min', 'p50', 'max'], [[s.hours, s.min, s.p50, s.max]]),
    ),
    section(
      'Diversity',
      `${d.distinct_assets} distinct assets; top-2 share ${pct(d.top2_share)}.\n\n${
        d.top_assets.length === 0
          ? 'No actuated assets.'
          : table(
              ['asset', 'decisions', 'share'],
              d.top_assets.map((t) => [t.asset, t.n, pct(t.share)]),
            )
      }`,
    ),
    section(
      'Re-decisions',
      table(
        ['runs', 'avg run length', 'max run length', 'max decisions per asset per scan'],
        [[rd.runs, rd.avg_run_length, rd.max_run_length, rd.max_decisions_per_asset_per_scan]],
      ),
    ),
    section(
      'vel_div anomalies',
      `${table(['min', 'max', 'below −1'], [[a.min, a.max, a.below_minus_1]])}${
        a.spikes.length === 0
          ? ''
          : `\n\n${table(
              ['scan', 'vel_div'],
              a.spikes.map((x) => [x.scan_number, x.vel_div]),
            )}`
      }`,
    ),
    section(
      'Checks',
      table(
        ['check', 'result', 'detail'],
        r.checks.map((c) => [c.name, c.pass ? 'PASS' : 'FAIL', c.detail]),
      ),
    ),
  ].join('\n');
}
