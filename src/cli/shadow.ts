// `violet shadow` (the main job) and `violet soak report`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_JOURNAL } from '../journal/open.js';
import { soakReportFromJournal } from '../runtime/report.js';
import { runShadow, type ShadowResult } from '../runtime/shadow.js';
import { archiveSource } from '../sources/index.js';
import { type SoakReport, soakMarkdown } from '../studies/soak/index.js';
import { loadConfig } from './config.js';
import { CheckFailed, UsageError } from './errors.js';
import { positiveInt } from './options.js';
import { progressBar } from './progress.js';

function writeOut(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function clockKind(v: string | undefined): 'scan' | 'wall' {
  if (v === undefined || v === 'scan' || v === 'wall') return v ?? 'scan';
  throw new UsageError('--clock: expected scan or wall');
}

export function emitReport(r: SoakReport, opts: { json?: string; md?: string }): string {
  const md = soakMarkdown(r);
  if (opts.json !== undefined) writeOut(opts.json, `${JSON.stringify(r, null, 2)}\n`);
  if (opts.md !== undefined) writeOut(opts.md, md);
  return md;
}

export interface ShadowCliOptions {
  scans: string;
  journal: string;
  profile?: string;
  instance?: string;
  config?: string;
  rate: number;
  clock?: string;
  controlPort?: number;
  controlToken?: string;
  json?: string;
  md?: string;
}

export async function shadowCommand(
  o: ShadowCliOptions,
): Promise<{ result: ShadowResult; report: SoakReport; markdown: string }> {
  const source = archiveSource(o.scans);
  if (typeof source === 'string') throw new UsageError(source);
  const config = loadConfig(o.config, { instance: o.instance, profile: o.profile });
  const bar = progressBar(source.bytes ?? 0, 'bytes');
  const token = o.controlToken ?? process.env.VIOLET_CONTROL_TOKEN ?? null;
  const result = await runShadow({
    config,
    source,
    journal: o.journal,
    ratePerSec: o.rate,
    clock: clockKind(o.clock),
    ...(o.controlPort === undefined ? {} : { control: { port: o.controlPort, token } }),
    onControl: (s) => process.stderr.write(`control endpoint: http://127.0.0.1:${s.port}\n`),
    hooks: {
      onProgress: (s, bytes) =>
        bar.update(bytes ?? 0, { note: `${s.decisions} decisions, ${s.rejected} rejected` }),
      onFlushFailure: (m) =>
        process.stderr.write(`\njournal unavailable, rows kept in spool: ${m}\n`),
    },
  });
  bar.stop();
  if (result.journalError !== null) {
    throw new CheckFailed(
      `journal ${o.journal} unavailable (${result.journalError}); ${result.spoolDepth} rows wait in ${result.spoolDir} and will be written by the next run`,
    );
  }
  const report = await soakReportFromJournal(o.journal, config.instance_id, {
    orders: result.stats.orders,
    errors: result.stats.errors,
  });
  const markdown = emitReport(report, o);
  return { result, report, markdown };
}

export function registerShadow(program: Command): void {
  program
    .command('shadow')
    .description(
      'run a shadow soak over a scan archive: decide every scan, journal every decision, never trade',
    )
    .requiredOption('--scans <file>', 'scan archive (.jsonl or .parquet)')
    .option('--journal <file>', 'DuckDB journal file', DEFAULT_JOURNAL)
    .option('--profile <name>', 'orchestrator | v3-shadow (default from config: orchestrator)')
    .option('--instance <id>', 'instance id (default from config: violet-1)')
    .option('--config <file>', 'engine config (JSON)')
    .option('--rate <scans/s>', 'replay pace, 0 = as fast as possible', positiveInt, 0)
    .option(
      '--clock <kind>',
      'scan: cadence runs on scan time (replay); wall: on wall time (live-like)',
      'scan',
    )
    .option(
      '--control-port <port>',
      'serve the control endpoint on 127.0.0.1 (0 = any free port)',
      positiveInt,
    )
    .option('--control-token <token>', 'bearer token for control writes (or VIOLET_CONTROL_TOKEN)')
    .option('--json <file>', 'also write the soak report as JSON')
    .option('--md <file>', 'also write the soak report as Markdown')
    .action(async (o: ShadowCliOptions) => {
      const { result, markdown } = await shadowCommand(o);
      const s = result.stats;
      process.stdout.write(markdown);
      process.stdout.write(
        `\n${s.accepted} scans, ${s.decisions} decisions (${s.actuated} actuated), ${s.rejected} rejected; journal ${o.journal}\n`,
      );
    });

  program
    .command('soak')
    .description('soak reports')
    .command('report')
    .description('the soak report (seed §9) of a journal: Markdown on stdout, JSON with --json')
    .option('--journal <file>', 'DuckDB journal file', DEFAULT_JOURNAL)
    .option('--instance <id>', 'only this instance (default: all)')
    .option('--json <file>', 'write the report as JSON')
    .option('--md <file>', 'write the report as Markdown')
    .action(async (o: { journal: string; instance?: string; json?: string; md?: string }) => {
      if (!existsSync(o.journal)) throw new UsageError(`no such journal: ${o.journal}`);
      const report = await soakReportFromJournal(o.journal, o.instance ?? null);
      process.stdout.write(emitReport(report, o));
    });
}
