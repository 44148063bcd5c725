// `violet shadow` (the main job) and `violet soak report`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_JOURNAL, journalExists } from '../journal/open.js';
import { soakReportFromJournal } from '../runtime/report.js';
import { runShadow, type ShadowResult } from '../runtime/shadow.js';
import { archiveSource, type ScanSource } from '../sources/index.js';
import { DEFAULT_STREAM, DEFAULT_SUBJECT } from '../sources/jetstream.js';
import { natsSource } from '../sources/nats.js';
import { type SoakReport, soakMarkdown } from '../studies/soak/index.js';
import { loadConfig } from './config.js';
import { CheckFailed, UsageError } from './errors.js';
import { JOURNAL_HELP, positiveInt } from './options.js';
import { progressBar } from './progress.js';

function writeOut(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Scan time for an archive replay, wall time for the live feed, unless told. */
function clockKind(v: string | undefined, live: boolean): 'scan' | 'wall' {
  if (v === undefined) return live ? 'wall' : 'scan';
  if (v === 'scan' || v === 'wall') return v;
  throw new UsageError('--clock: expected scan or wall');
}

export function emitReport(r: SoakReport, opts: { json?: string; md?: string }): string {
  const md = soakMarkdown(r);
  if (opts.json !== undefined) writeOut(opts.json, `${JSON.stringify(r, null, 2)}\n`);
  if (opts.md !== undefined) writeOut(opts.md, md);
  return md;
}

export interface ShadowCliOptions {
  scans?: string;
  nats?: string;
  stream?: string;
  subject?: string;
  durable?: string;
  idleExit?: number;
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

const NATS_ONLY = [
  ['--stream', 'stream'],
  ['--subject', 'subject'],
  ['--durable', 'durable'],
  ['--idle-exit', 'idleExit'],
] as const;

/** The archive (--scans) or the live feed (--nats): exactly one. */
async function scanSource(
  o: ShadowCliOptions,
  instance: string,
  signal: AbortSignal,
): Promise<ScanSource & { close?(): Promise<void> }> {
  const either = 'give either --scans FILE or --nats URL';
  if (o.scans !== undefined) {
    if (o.nats !== undefined) throw new UsageError(either);
    for (const [flag, key] of NATS_ONLY) {
      if (o[key] !== undefined) throw new UsageError(`${flag} applies to --nats only`);
    }
    const source = archiveSource(o.scans);
    if (typeof source === 'string') throw new UsageError(source);
    return source;
  }
  if (o.nats === undefined) throw new UsageError(either);
  if (o.rate > 0) throw new UsageError('--rate paces an archive replay, not the live feed');
  if (o.idleExit === 0) throw new UsageError('--idle-exit: expected seconds >= 1');
  const stream = o.stream ?? DEFAULT_STREAM;
  const subject = o.subject ?? DEFAULT_SUBJECT;
  const durable = o.durable ?? instance;
  const source = await natsSource({
    url: o.nats,
    stream,
    subject,
    durable,
    idleExitMs: o.idleExit === undefined ? null : o.idleExit * 1000,
    signal,
    onEvent: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(
    `consuming ${stream} (${subject}) at ${o.nats} as ${durable} from stream sequence ${source.resumeSeq}\n`,
  );
  return source;
}

export async function shadowCommand(
  o: ShadowCliOptions,
): Promise<{ result: ShadowResult; report: SoakReport; markdown: string }> {
  const config = loadConfig(o.config, { instance: o.instance, profile: o.profile });
  // The live feed runs until SIGINT/SIGTERM, then finishes its batch, flushes and closes.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const source = await scanSource(o, config.instance_id, stop.signal);
  const live = o.nats !== undefined;
  if (live) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const bar = progressBar(source.bytes ?? 0, 'bytes');
  const token = o.controlToken ?? process.env.VIOLET_CONTROL_TOKEN ?? null;
  const result = await runShadow({
    config,
    source,
    journal: o.journal,
    ratePerSec: o.rate,
    clock: clockKind(o.clock, live),
    ...(o.controlPort === undefined ? {} : { control: { port: o.controlPort, token } }),
    onControl: (s) => process.stderr.write(`control endpoint: http://127.0.0.1:${s.port}\n`),
    hooks: {
      onProgress: (s, bytes) =>
        bar.update(bytes ?? 0, { note: `${s.decisions} decisions, ${s.rejected} rejected` }),
      onFlushFailure: (m) =>
        process.stderr.write(`\njournal unavailable, rows kept in spool: ${m}\n`),
    },
  }).finally(async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await source.close?.();
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
      'run a shadow soak over a scan archive or the live feed: decide every scan, journal every decision, never trade',
    )
    .option('--scans <file>', 'scan archive (.jsonl or .parquet)')
    .option(
      '--nats <url>',
      'live feed: consume the scan stream on this NATS server (not with --scans)',
    )
    .option('--stream <name>', `JetStream stream of the scans (default ${DEFAULT_STREAM})`)
    .option('--subject <subject>', `subject of the scans (default ${DEFAULT_SUBJECT})`)
    .option('--durable <name>', 'durable consumer, the resume point (default: the instance id)')
    .option(
      '--idle-exit <seconds>',
      'end once no scan arrived for this long (default: run until SIGINT/SIGTERM)',
      positiveInt,
    )
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_JOURNAL)
    .option('--profile <name>', 'orchestrator | v3-shadow (default from config: orchestrator)')
    .option('--instance <id>', 'instance id (default from config: violet-1)')
    .option('--config <file>', 'engine config (JSON)')
    .option('--rate <scans/s>', 'replay pace, 0 = as fast as possible', positiveInt, 0)
    .option(
      '--clock <kind>',
      'scan: cadence runs on scan time (default for --scans); wall: on wall time (default for --nats)',
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
        `\n${s.accepted} scans, ${s.decisions} decisions (${s.actuated} actuated), ${s.rejected} rejected${o.nats === undefined ? '' : `, ${s.redeliveries} redeliveries skipped`}; journal ${o.journal}\n`,
      );
    });

  program
    .command('soak')
    .description('soak reports')
    .command('report')
    .description('the soak report (seed §9) of a journal: Markdown on stdout, JSON with --json')
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_JOURNAL)
    .option('--instance <id>', 'only this instance (default: all)')
    .option('--json <file>', 'write the report as JSON')
    .option('--md <file>', 'write the report as Markdown')
    .action(async (o: { journal: string; instance?: string; json?: string; md?: string }) => {
      if (!journalExists(o.journal)) throw new UsageError(`no such journal: ${o.journal}`);
      const report = await soakReportFromJournal(o.journal, o.instance ?? null);
      process.stdout.write(emitReport(report, o));
    });
}
