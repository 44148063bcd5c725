// Backtest (issue 4): the same engine with execution on against the mock exchange, and
// its summary: trades, win rate, PnL, max drawdown, exits by reason, margin utilisation,
// and an equity-curve chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { lineChartSvg } from '../common/chart.js';
import type { EngineConfig } from '../engine/config.js';
import { MockExchange } from '../engine/exchange.js';
import type { Execution, ScanSource } from '../engine/ports.js';
import type { RunStats } from '../engine/reactor.js';
import type { TradeRow } from '../engine/rows.js';
import { ExecutionRules, type Markets } from '../engine/rules/index.js';
import type { Scan } from '../model/index.js';
import { quantile } from '../studies/quantile.js';
import { runShadow, type ShadowOptions, type ShadowResult } from './shadow.js';

export interface BacktestSummary {
  readonly instance_id: string;
  readonly scans: number;
  readonly decisions: number;
  readonly actuated: number;
  readonly trades: number;
  readonly win_rate: number | null;
  readonly start_capital: number;
  readonly end_capital: number;
  readonly total_pnl: number;
  readonly pnl_per_trade: number | null;
  readonly return_pct: number;
  readonly max_drawdown: number;
  readonly max_drawdown_pct: number;
  readonly exits_by_reason: Record<string, number>;
  readonly margin_utilisation: { median: number | null; p95: number | null; max: number | null };
  readonly order_events: Record<string, number>;
  readonly fees: number;
  readonly funding: number;
  /** A position still open when the scans ran out (not counted in trades). */
  readonly open_at_end: boolean;
  /** The venue markets the mock rounded and refused by: where the list came from, its digest. */
  readonly markets: { readonly source: string; readonly digest: string; readonly count: number };
}

/** An execution whose equity can be marked at a scan (for the equity curve). */
export type Marked = Execution & { equity(scan: Scan): number };

const MAX_POINTS = 4000;

class EquityTrack {
  peak = Number.NEGATIVE_INFINITY;
  maxDrawdown = 0;
  maxDrawdownPct = 0;
  x: number[] = [];
  y: number[] = [];
  private every = 1;
  private n = 0;

  add(index: number, equity: number): void {
    if (equity > this.peak) this.peak = equity;
    const dd = this.peak - equity;
    if (dd > this.maxDrawdown) this.maxDrawdown = dd;
    if (dd / this.peak > this.maxDrawdownPct) this.maxDrawdownPct = dd / this.peak;
    if (this.n++ % this.every !== 0) return;
    this.x.push(index);
    this.y.push(equity);
    if (this.x.length >= MAX_POINTS) {
      this.x = this.x.filter((_, i) => i % 2 === 0);
      this.y = this.y.filter((_, i) => i % 2 === 0);
      this.every *= 2;
    }
  }
}

const orNull = (v: number) => (Number.isFinite(v) ? v : null);

export async function runBacktest(o: {
  config: EngineConfig;
  source: ScanSource;
  journal: string;
  chart: string;
  /** The venue's markets: steps, ticks, minimums (the CLI's default: the BingX snapshot). */
  markets: Markets;
  hooks?: Parameters<typeof runShadow>[0]['hooks'];
  /** Aborted: the replay ends after the scan in hand (SIGINT/SIGTERM). */
  stop?: AbortSignal;
  /** Where the orders go (default: the mock exchange); live, a venue. */
  execution?: (rules: ExecutionRules) => Marked;
  /** Replay pace (scans/s; 0 or none: as fast as possible). */
  ratePerSec?: number;
  /** `wall` for a live feed (default `scan`). */
  clock?: 'scan' | 'wall';
  /** Before the first scan, the journal's earlier rows all in: may refuse the run. */
  beforeRun?: ShadowOptions['beforeRun'];
  /** The control endpoint (cadence; arm, disarm and flatten on a venue). */
  control?: { port: number; token: string | null };
  onControl?: (port: number) => void;
}): Promise<{ result: ShadowResult; summary: BacktestSummary }> {
  const c = o.config;
  const rules = new ExecutionRules(o.markets, c.execution);
  const exchange =
    o.execution?.(rules) ?? new MockExchange(c.instance_id, c.capital, rules, c.exits);
  const equity = new EquityTrack();
  let index = 0;
  // The summary is this run's: its trades and order events as they were journaled.
  const trades: TradeRow[] = [];
  const events: Record<string, number> = {};
  const result = await runShadow({
    config: c,
    source: o.source,
    journal: o.journal,
    exchange,
    ...(o.stop === undefined ? {} : { stop: o.stop }),
    ...(o.ratePerSec === undefined ? {} : { ratePerSec: o.ratePerSec }),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    ...(o.control === undefined ? {} : { control: o.control }),
    ...(o.beforeRun === undefined ? {} : { beforeRun: o.beforeRun }),
    ...(o.onControl === undefined ? {} : { onControl: (s) => o.onControl?.(s.port) }),
    hooks: {
      ...o.hooks,
      afterScan: (scan) => equity.add(++index, exchange.equity(scan)),
      onFills: (f) => {
        trades.push(...f.trades);
        for (const e of f.events) events[e.event] = (events[e.event] ?? 0) + 1;
      },
    },
  });
  mkdirSync(dirname(o.chart), { recursive: true });
  writeFileSync(
    o.chart,
    lineChartSvg(`VIOLET backtest equity (${c.instance_id})`, 'scan', 'equity (USDT)', equity),
  );
  return {
    result,
    summary: {
      ...summarise(c, result.stats, equity, trades, events, exchange.slotState() === 'OPEN'),
      markets: { source: o.markets.source, digest: o.markets.digest, count: o.markets.size },
    },
  };
}

function summarise(
  c: EngineConfig,
  s: RunStats,
  equity: EquityTrack,
  made: readonly TradeRow[],
  ev: Record<string, number>,
  openAtEnd: boolean,
): Omit<BacktestSummary, 'markets'> {
  const trades = [...made].sort((a, b) => a.entry_scan - b.entry_scan);
  const pnls = trades.map((t) => t.pnl);
  const total = pnls.reduce((a, b) => a + b, 0);
  const exits: Record<string, number> = {};
  for (const t of trades) exits[t.exit_reason] = (exits[t.exit_reason] ?? 0) + 1;
  const util = Float64Array.from(trades, (t) => t.margin / t.capital_before).sort();
  const end = trades.at(-1)?.capital_after ?? c.capital;
  return {
    instance_id: c.instance_id,
    scans: s.accepted,
    decisions: s.decisions,
    actuated: s.actuated,
    trades: trades.length,
    win_rate: trades.length === 0 ? null : pnls.filter((p) => p > 0).length / trades.length,
    start_capital: c.capital,
    end_capital: end,
    total_pnl: total,
    pnl_per_trade: trades.length === 0 ? null : total / trades.length,
    return_pct: (end - c.capital) / c.capital,
    max_drawdown: equity.maxDrawdown,
    max_drawdown_pct: equity.maxDrawdownPct,
    exits_by_reason: Object.fromEntries(Object.entries(exits).sort()),
    margin_utilisation: {
      median: orNull(quantile(util, 0.5)),
      p95: orNull(quantile(util, 0.95)),
      max: orNull(util.at(-1) ?? Number.NaN),
    },
    order_events: Object.fromEntries(Object.entries(ev).sort()),
    fees: trades.reduce((a, t) => a + t.fees, 0),
    funding: trades.reduce((a, t) => a + t.funding, 0),
    open_at_end: openAtEnd,
  };
}
