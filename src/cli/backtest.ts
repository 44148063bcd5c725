// `violet backtest` and `violet trades export`.
import type { Command } from 'commander';
import { fixed, percent } from '../common/format.js';
import { checkJournal, openSink } from '../journal/open.js';
import { TRADES } from '../journal/schema.js';
import { EXPORT_FORMATS } from '../journal/sink.js';
import { PROFILES } from '../model/enums.js';
import { type BacktestSummary, runBacktest } from '../runtime/backtest.js';
import { archiveSource } from '../sources/index.js';
import { RECORDED_TRADE_COLUMNS } from '../studies/db.js';
import { loadMarkets } from '../venues/bingx/markets.js';
import { loadConfig } from './config.js';
import { CheckFailed, UsageError } from './errors.js';
import { exportFormat } from './journal.js';
import { choice, JOURNAL_HELP, JSON_HELP } from './options.js';
import { jsonOnStdout, writeJson } from './output.js';
import { progressBar } from './progress.js';
import { Interrupts, interruptedExit } from './signals.js';
import { table } from './table.js';

export const DEFAULT_BACKTEST_JOURNAL = 'var/backtest.duckdb';

const pct = (v: number | null) => percent(v, 2);
const num = (v: number | null) => fixed(v, 2);

export function summaryText(s: BacktestSummary, chart: string): string {
  const rows: [string, string][] = [
    ['scans / decisions / actuated', `${s.scans} / ${s.decisions} / ${s.actuated}`],
    ['trades', `${s.trades}${s.open_at_end ? ' (and one still open at the end)' : ''}`],
    ['win rate', pct(s.win_rate)],
    [
      'capital start → end',
      `${num(s.start_capital)} → ${num(s.end_capital)} (${pct(s.return_pct)})`,
    ],
    ['total pnl / per trade', `${num(s.total_pnl)} / ${num(s.pnl_per_trade)}`],
    ['fees / funding', `${num(s.fees)} / ${num(s.funding)}`],
    ['max drawdown', `${num(s.max_drawdown)} (${pct(s.max_drawdown_pct)})`],
    [
      'margin utilisation p50 / p95 / max',
      `${pct(s.margin_utilisation.median)} / ${pct(s.margin_utilisation.p95)} / ${pct(s.margin_utilisation.max)}`,
    ],
    [
      'exits by reason',
      Object.entries(s.exits_by_reason)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—',
    ],
    [
      'order events',
      Object.entries(s.order_events)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '—',
    ],
    ['markets', `${s.markets.source} (${s.markets.count} contracts, digest ${s.markets.digest})`],
    ['equity chart', chart],
  ];
  return `VIOLET backtest (${s.instance_id})\n\n${table(['metric', 'value'], rows)}`;
}

export async function backtestCommand(o: {
  scans: string;
  journal: string;
  config?: string;
  profile?: string;
  instance?: string;
  chart: string;
  json?: string;
  markets?: string;
}): Promise<{ text: string; interrupted: NodeJS.Signals | null }> {
  const source = await archiveSource(o.scans);
  if (typeof source === 'string') throw new UsageError(source);
  const config = loadConfig(o.config, { instance: o.instance, profile: o.profile });
  const markets = loadMarkets(o.markets);
  const { summary, interrupted } = await runWithProgress(
    { config, source, journal: o.journal, chart: o.chart, markets },
    new AbortController(),
  );
  if (o.json !== undefined) writeJson(o.json, summary);
  return { text: summaryText(summary, o.chart), interrupted };
}

/**
 * A run in the backtest's shape as a command runs it (`backtest`, `live`): a progress bar,
 * SIGINT/SIGTERM finishing the scan in hand (`stop` aborted), a journal outage failing the
 * command with where its rows wait.
 */
export async function runWithProgress(
  o: Omit<Parameters<typeof runBacktest>[0], 'stop' | 'hooks'>,
  stop: AbortController,
): Promise<{ summary: BacktestSummary; interrupted: NodeJS.Signals | null }> {
  const bar = progressBar(o.source.bytes ?? 0, 'bytes');
  const interrupts = new Interrupts((signal) => {
    process.stderr.write(`${signal}: finishing the scan in hand, then flushing\n`);
    stop.abort();
  });
  const { result, summary } = await runBacktest({
    ...o,
    stop: stop.signal,
    hooks: {
      onProgress: (s, bytes) => bar.update(bytes ?? 0, { note: `${s.trades} trades` }),
    },
  }).finally(() => {
    bar.stop();
    interrupts.dispose();
  });
  if (result.journalError !== null) {
    throw new CheckFailed(
      `journal ${o.journal} unavailable (${result.journalError}); ${result.spoolDepth} rows wait in ${result.spoolDir}`,
    );
  }
  return { summary, interrupted: interrupts.received };
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('run the engine with execution on against the mock exchange; print the summary')
    .requiredOption('--scans <file>', 'scan archive (.jsonl or .parquet)')
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_BACKTEST_JOURNAL)
    .option('--config <file>', 'engine config (JSON), incl. "execution" and "exits"')
    .option(
      '--markets <file>',
      "the venue's contract list, as BingX answers GET /openApi/swap/v2/quote/contracts (default: the carried snapshot)",
    )
    .addOption(choice('--profile <name>', 'the kernel profile', PROFILES))
    .option('--instance <id>', 'instance id')
    .option('--chart <file>', 'equity-curve chart (SVG)', 'var/reports/equity.svg')
    .option('--json <file>', `also write the summary as JSON ${JSON_HELP}`)
    .action(async (o: Parameters<typeof backtestCommand>[0]) => {
      const { text, interrupted } = await backtestCommand(o);
      if (!jsonOnStdout(o)) process.stdout.write(text);
      if (interrupted !== null) interruptedExit(interrupted, true);
    });

  program
    .command('trades')
    .description('recorded trades')
    .command('export')
    .description('export trades in the shape the studies read (docs/studies.md), ordered by entry')
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_BACKTEST_JOURNAL)
    .option('--instance <id>', 'only this instance')
    .addOption(choice('--format <fmt>', 'the file format', EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <file>', 'output file')
    .action(async (o: { journal: string; instance?: string; format: string; out: string }) => {
      checkJournal(o.journal, true);
      const format = exportFormat(o.format);
      const sink = await openSink(o.journal);
      try {
        const n = await sink.copyTo(
          {
            table: TRADES,
            columns: RECORDED_TRADE_COLUMNS,
            instance: o.instance ?? null,
            orderBy: ['entry_ts', 'trade_id'],
          },
          format,
          o.out,
        );
        process.stdout.write(`exported ${n} trades to ${o.out}\n`);
      } finally {
        sink.close();
      }
    });
}
