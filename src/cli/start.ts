// `violet start` (npm start): the main job on the embedded default. Generates the sample
// market if there is none, runs the shadow soak into the local DuckDB journal, prints the
// soak report, backtests the same scans on the mock exchange, and says where every file is.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_JOURNAL } from '../journal/open.js';
import { backtestCommand, DEFAULT_BACKTEST_JOURNAL } from './backtest.js';
import { genScans } from './gen.js';
import { checkPaths } from './paths.js';
import { shadowCommand } from './shadow.js';
import { interruptedExit } from './signals.js';

export const SAMPLE = {
  out: 'var/sample/scans.jsonl',
  // One day of 5-second scans over 40 assets (plus the 10 stablecoins).
  scans: 17_280,
  assets: 40,
  seed: 1,
  stepMs: 5000,
} as const;

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'the main job: sample market (generated once), shadow soak and its report, backtest',
    )
    .option('--journal <file>', 'DuckDB journal file', DEFAULT_JOURNAL)
    .action(async (o: { journal: string }) => {
      const md = 'var/reports/soak.md';
      const json = 'var/reports/soak.json';
      const chart = 'var/reports/equity.svg';
      const summary = 'var/reports/backtest.json';
      // Its own files are fixed paths: none of them may be the journal it was given.
      checkPaths({
        journal: o.journal,
        out: [SAMPLE.out, md, json, chart, summary, DEFAULT_BACKTEST_JOURNAL],
      });
      if (!existsSync(SAMPLE.out)) await genScans({ ...SAMPLE });
      const { result, markdown, interrupted } = await shadowCommand({
        scans: SAMPLE.out,
        journal: o.journal,
        rate: 0,
        md,
        json,
      });
      const s = result.stats;
      process.stdout.write(`${markdown}\n`);
      if (interrupted !== null) {
        interruptedExit(interrupted, true);
        return;
      }
      const backtest = await backtestCommand({
        scans: SAMPLE.out,
        journal: DEFAULT_BACKTEST_JOURNAL,
        chart,
        json: summary,
      });
      process.stdout.write(`${backtest.text}\n`);
      if (backtest.interrupted !== null) {
        interruptedExit(backtest.interrupted, true);
        return;
      }
      process.stdout.write(
        [
          `shadow soak: ${s.accepted} scans, ${s.decisions} decisions (${s.actuated} actuated), ${s.rejected} rejected, 0 orders`,
          `  scans    ${SAMPLE.out} (seed ${SAMPLE.seed}, ${SAMPLE.assets} assets + 10 stablecoins)`,
          `  journal  ${o.journal} (export: npx violet journal export --table violet_decisions --format csv --out decisions.csv)`,
          `  report   ${md}, ${json}`,
          `  backtest ${DEFAULT_BACKTEST_JOURNAL} (npx violet trades export --format csv --out trades.csv), var/reports/backtest.json, ${chart}`,
          '',
        ].join('\n'),
      );
    });
}
