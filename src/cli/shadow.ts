// `violet shadow` (the main job) and `violet soak report`.
import type { Command } from 'commander';
import {
  LOG_FORMATS,
  Log,
  type LogFormat,
  parseLogFormat,
  setProcessLogFormat,
} from '../common/log.js';
import type { EngineConfig } from '../engine/config.js';
import type { RunStats } from '../engine/reactor.js';
import { checkJournal, DEFAULT_JOURNAL } from '../journal/open.js';
import { PROFILES } from '../model/enums.js';
import { soakReportFromJournal } from '../runtime/report.js';
import { type InstanceStatus, runInstances, type ShadowResult } from '../runtime/shadow.js';
import { archiveSource, type ScanSource } from '../sources/index.js';
import { DEFAULT_STREAM, DEFAULT_SUBJECT } from '../sources/jetstream.js';
import { natsSource } from '../sources/nats.js';
import { type SoakReport, soakMarkdown } from '../studies/soak/index.js';
import { loadConfig } from './config.js';
import { CheckFailed, UsageError } from './errors.js';
import { choice, JOURNAL_HELP, JSON_HELP, nonNegativeInt, port, positiveInt } from './options.js';
import { jsonOnStdout, writeJson, writeOut } from './output.js';
import { progressBar } from './progress.js';
import { Interrupts, interruptedExit } from './signals.js';

const CLOCKS = ['scan', 'wall'] as const;

/** Scan time for an archive replay, wall time for the live feed, unless told. */
function clockKind(v: string | undefined, live: boolean): 'scan' | 'wall' {
  if (v === undefined) return live ? 'wall' : 'scan';
  if (v === 'scan' || v === 'wall') return v;
  throw new UsageError('--clock: expected scan or wall');
}

export function emitReport(r: SoakReport, opts: { json?: string; md?: string }): string {
  const md = soakMarkdown(r);
  if (opts.json !== undefined) writeJson(opts.json, r);
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
  /** One config file per instance (repeatable). */
  config?: string | readonly string[];
  rate: number;
  clock?: string;
  controlPort?: number;
  controlToken?: string;
  logFormat?: string;
  json?: string;
  md?: string;
}

const NATS_ONLY = [
  ['--stream', 'stream'],
  ['--subject', 'subject'],
  ['--durable', 'durable'],
  ['--idle-exit', 'idleExit'],
] as const;

type Source = ScanSource & { close?(): Promise<void> };

/** The archive (--scans) or the live feed (--nats): exactly one. */
async function scanSource(
  o: ShadowCliOptions,
  config: EngineConfig,
  signal: AbortSignal,
  log: Log,
  leaseLost: AbortController,
  describe?: (instance: string) => unknown,
): Promise<Source> {
  const either = 'give either --scans FILE or --nats URL';
  if (o.scans !== undefined) {
    if (o.nats !== undefined) throw new UsageError(either);
    for (const [flag, key] of NATS_ONLY) {
      if (o[key] !== undefined) throw new UsageError(`${flag} applies to --nats only`);
    }
    const source = await archiveSource(o.scans);
    if (typeof source === 'string') throw new UsageError(source);
    return source;
  }
  if (o.nats === undefined) throw new UsageError(either);
  if (o.rate > 0) throw new UsageError('--rate paces an archive replay, not the live feed');
  const stream = o.stream ?? DEFAULT_STREAM;
  const subject = o.subject ?? DEFAULT_SUBJECT;
  const instance = config.instance_id;
  const durable = o.durable ?? instance;
  const source = await natsSource({
    url: o.nats,
    stream,
    subject,
    durable,
    instance,
    idleExitMs: o.idleExit === undefined ? null : o.idleExit * 1000,
    signal,
    onEvent: (line) => log.warn('feed', line),
    planeMaxAgeMs: config.planes.max_age_ms,
    describe: () => describe?.(instance) ?? null,
    onLeaseLost: (why) => {
      log.error('feed.lease_lost', `${why}: stopping`);
      leaseLost.abort(why);
    },
  });
  log.info(
    'feed.consume',
    `consuming ${stream} (${subject}) at ${o.nats} as ${durable} from stream sequence ${source.resumeSeq}`,
    { stream, subject, durable, resume_seq: source.resumeSeq },
  );
  return source;
}

/** One config per --config file (none: the defaults); --instance/--profile override one. */
function loadConfigs(o: ShadowCliOptions): EngineConfig[] {
  const live = o.nats !== undefined;
  const files = o.config === undefined ? [] : typeof o.config === 'string' ? [o.config] : o.config;
  if (files.length <= 1) {
    return [loadConfig(files[0], { instance: o.instance, profile: o.profile }, live)];
  }
  for (const [flag, v] of [
    ['--instance', o.instance],
    ['--profile', o.profile],
    ['--durable', o.durable],
  ] as const) {
    if (v !== undefined) {
      throw new UsageError(`${flag} applies to one instance: set it in each --config file`);
    }
  }
  const configs = files.map((f) => loadConfig(f, {}, live));
  const ids = configs.map((c) => c.instance_id);
  const twice = ids.find((id, k) => ids.indexOf(id) !== k);
  if (twice !== undefined) {
    throw new UsageError(
      `two --config files give instance_id ${twice}: each instance needs its own`,
    );
  }
  return configs;
}

export interface ShadowCommandResult {
  /** The first instance's (the only one's, usually). */
  readonly result: ShadowResult;
  readonly report: SoakReport;
  readonly results: readonly ShadowResult[];
  readonly reports: readonly SoakReport[];
  readonly markdown: string;
  /** The signal that ended the run early, if one did (the exit code is 130 or 143). */
  readonly interrupted: NodeJS.Signals | null;
}

/** The run's logs: one per instance, tagged with its id among several or in JSON. */
interface Logs {
  readonly format: LogFormat;
  readonly base: Log;
  readonly several: boolean;
  of(id: string): Log;
}

/** --log-format, or VIOLET_LOG_FORMAT: from here on every line (a refusal too) is in it. */
function setLogFormat(o: ShadowCliOptions): LogFormat {
  const format = parseLogFormat(o.logFormat ?? process.env.VIOLET_LOG_FORMAT);
  if (format === null) throw new UsageError('--log-format: expected text or json');
  setProcessLogFormat(format);
  return format;
}

function logsFor(format: LogFormat, configs: readonly EngineConfig[]): Logs {
  const several = configs.length > 1;
  const base = new Log(format);
  return {
    format,
    base,
    several,
    of: (id) => (several || format === 'json' ? base.with({ instance: id }) : base),
  };
}

/** One source per instance; those opened are closed again if a later one fails. */
async function openSources(
  o: ShadowCliOptions,
  configs: readonly EngineConfig[],
  stop: AbortController,
  logs: Logs,
  describe: (instance: string) => unknown,
): Promise<Source[]> {
  const sources: Source[] = [];
  try {
    for (const c of configs) {
      sources.push(await scanSource(o, c, stop.signal, logs.of(c.instance_id), stop, describe));
    }
  } catch (e) {
    await Promise.all(sources.map((s) => s.close?.()));
    throw e;
  }
  return sources;
}

/** A periodic `stats` record of one instance. */
function snapshotLog(log: Log): (s: RunStats) => void {
  return (s) => {
    log.record('stats', `${s.accepted} scans, ${s.decisions} decisions`, {
      scan_number: s.lastScanNumber,
      accepted: s.accepted,
      decisions: s.decisions,
      actuated: s.actuated,
      rejected: s.rejected,
      redeliveries: s.redeliveries,
      flush_failures: s.flushFailures,
      spool_peak: s.spoolPeak,
    });
  };
}

/** Runs every instance on its source, a progress bar over them all; closes the sources. */
async function runAll(
  o: ShadowCliOptions,
  configs: readonly EngineConfig[],
  sources: readonly Source[],
  stop: AbortController,
  logs: Logs,
  onStarted: (status: (instance: string) => InstanceStatus) => void,
): Promise<ShadowResult[]> {
  const { base, several } = logs;
  const total = sources.reduce((a, s) => a + (s.bytes ?? 0), 0);
  const bar = logs.format === 'json' ? { update() {}, stop() {} } : progressBar(total, 'bytes');
  const bytes = configs.map(() => 0);
  const token = o.controlToken ?? process.env.VIOLET_CONTROL_TOKEN ?? null;
  return runInstances({
    instances: configs.map((config, k) => ({
      config,
      source: sources[k] as Source,
      hooks: {
        onProgress: (s: RunStats, b: number | null) => {
          bytes[k] = b ?? 0;
          bar.update(
            bytes.reduce((a, x) => a + x, 0),
            { note: `${s.decisions} decisions, ${s.rejected} rejected` },
          );
        },
        onSnapshot: snapshotLog(logs.of(config.instance_id)),
      },
    })),
    journal: o.journal,
    stop: stop.signal,
    ratePerSec: o.rate,
    clock: clockKind(o.clock, o.nats !== undefined),
    ...(o.controlPort === undefined ? {} : { control: { port: o.controlPort, token } }),
    onStarted,
    onControl: (s) =>
      base.info('control', `control endpoint: http://127.0.0.1:${s.port}`, { port: s.port }),
    onInstanceError: (id, e) => {
      // One instance's error is the exit line itself; among several, say whose it was.
      if (several)
        logs.of(id).error('instance.failed', `stopped by an error: ${(e as Error).message}`);
      stop.abort();
    },
    hooks: {
      onFlushFailure: (m) =>
        base.warn('journal.unavailable', `journal unavailable, rows kept in spool: ${m}`, {
          error: m,
        }),
    },
  }).finally(async () => {
    bar.stop();
    await Promise.all(sources.map((s) => s.close?.()));
  });
}

/** A lost lease or an unavailable journal fails the run (what was decided is journaled). */
function checkOutcome(
  o: ShadowCliOptions,
  stop: AbortSignal,
  first: ShadowResult,
  base: Log,
): void {
  if (typeof stop.reason === 'string') throw new CheckFailed(stop.reason);
  if (first.journalError !== null) {
    base.error('journal.unavailable', `journal ${o.journal} unavailable`, {
      error: first.journalError,
      spool_depth: first.spoolDepth,
    });
    throw new CheckFailed(
      `journal ${o.journal} unavailable (${first.journalError}); ${first.spoolDepth} rows wait in ${first.spoolDir} and will be written by the next run`,
    );
  }
}

/** Each instance's soak report from the journal, and its `end` record. */
async function reportsOf(
  o: ShadowCliOptions,
  configs: readonly EngineConfig[],
  results: readonly ShadowResult[],
  logs: Logs,
): Promise<SoakReport[]> {
  const reports: SoakReport[] = [];
  for (const [k, r] of results.entries()) {
    const report = await soakReportFromJournal(
      o.journal,
      r.instance_id,
      { orders: r.stats.orders, errors: r.stats.errors },
      (configs[k] as EngineConfig).kernel,
    );
    reports.push(report);
    const s = r.stats;
    logs
      .of(r.instance_id)
      .record(
        'end',
        `${r.instance_id}: ${s.accepted} scans, ${s.decisions} decisions, ${s.rejected} rejected`,
        {
          accepted: s.accepted,
          decisions: s.decisions,
          actuated: s.actuated,
          rejected: s.rejected,
          redeliveries: s.redeliveries,
          spool_depth: r.spoolDepth,
        },
      );
  }
  return reports;
}

export async function shadowCommand(o: ShadowCliOptions): Promise<ShadowCommandResult> {
  const format = setLogFormat(o);
  const configs = loadConfigs(o);
  const logs = logsFor(format, configs);
  // SIGINT/SIGTERM: the live feed finishes its batch, a replay the scan in hand; then the
  // run flushes, closes, reports and exits 130/143. A second signal forces the exit.
  const stop = new AbortController();
  const live = o.nats !== undefined;
  const interrupts = new Interrupts((signal) => {
    logs.base.info(
      'stop',
      `${signal}: finishing the ${live ? 'batch under way' : 'scan in hand'}, then flushing`,
      { signal },
    );
    stop.abort();
  });
  try {
    let statusOf: ((instance: string) => InstanceStatus) | null = null;
    const describe = (instance: string) => statusOf?.(instance) ?? null;
    const sources = await openSources(o, configs, stop, logs, describe);
    const results = await runAll(o, configs, sources, stop, logs, (f) => {
      statusOf = f;
    });
    const first = results[0] as ShadowResult;
    checkOutcome(o, stop.signal, first, logs.base);
    const reports = await reportsOf(o, configs, results, logs);
    const markdown = emitReports(
      reports,
      results.map((r) => r.instance_id),
      o,
    );
    return {
      result: first,
      report: reports[0] as SoakReport,
      results,
      reports,
      markdown,
      interrupted: interrupts.received,
    };
  } finally {
    interrupts.dispose();
  }
}

/** One instance: its report as before; several: a JSON array and the Markdown of each. */
function emitReports(
  reports: readonly SoakReport[],
  ids: readonly string[],
  opts: { json?: string; md?: string },
): string {
  if (reports.length === 1) return emitReport(reports[0] as SoakReport, opts);
  const md = reports
    .map((r, k) =>
      soakMarkdown(r).replace('# VIOLET soak report', `# VIOLET soak report: ${ids[k]}`),
    )
    .join('\n');
  if (opts.json !== undefined) writeJson(opts.json, reports);
  if (opts.md !== undefined) writeOut(opts.md, md);
  return md;
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
    .addOption(
      choice(
        '--profile <name>',
        'the kernel profile (default from config: orchestrator)',
        PROFILES,
      ),
    )
    .option('--instance <id>', 'instance id (default from config: violet-1)')
    .option(
      '--config <file>',
      'engine config (JSON); repeat it to run several instances in this process, one per file',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--rate <scans/s>', 'replay pace, 0 = as fast as possible', nonNegativeInt, 0)
    .addOption(
      choice(
        '--clock <kind>',
        'scan: cadence runs on scan time (default for --scans); wall: on wall time (default for --nats)',
        CLOCKS,
      ),
    )
    .option(
      '--control-port <port>',
      'serve the control endpoint on 127.0.0.1 (0 = any free port)',
      port,
    )
    .option('--control-token <token>', 'bearer token for control writes (or VIOLET_CONTROL_TOKEN)')
    .addOption(
      choice(
        '--log-format <format>',
        'text: a line per event on stderr; json: one JSON object per line (or VIOLET_LOG_FORMAT)',
        LOG_FORMATS,
      ),
    )
    .option(
      '--json <file>',
      `also write the soak report as JSON, an array with several instances ${JSON_HELP}`,
    )
    .option('--md <file>', 'also write the soak report as Markdown')
    .action(async (o: ShadowCliOptions) => {
      const { results, markdown, interrupted } = await shadowCommand(o);
      if (!jsonOnStdout(o)) printSummary(o, markdown, results);
      if (interrupted !== null) interruptedExit(interrupted, o.nats === undefined);
    });

  program
    .command('soak')
    .description('soak reports')
    .command('report')
    .description(
      'the soak report of a journal (decisions, rejects, distributions, checks and verdict): Markdown on stdout, JSON with --json',
    )
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_JOURNAL)
    .option('--instance <id>', 'only this instance (default: all)')
    .option('--json <file>', `write the report as JSON ${JSON_HELP}`)
    .option('--md <file>', 'write the report as Markdown')
    .action(async (o: { journal: string; instance?: string; json?: string; md?: string }) => {
      checkJournal(o.journal, true);
      const report = await soakReportFromJournal(o.journal, o.instance ?? null);
      const md = emitReport(report, o);
      if (!jsonOnStdout(o)) process.stdout.write(md);
    });
}

/** The reports' Markdown, then a line per instance. */
function printSummary(
  o: ShadowCliOptions,
  markdown: string,
  results: readonly ShadowResult[],
): void {
  process.stdout.write(markdown);
  process.stdout.write('\n');
  for (const r of results) {
    const s = r.stats;
    const who = results.length > 1 ? `${r.instance_id}: ` : '';
    process.stdout.write(
      `${who}${s.accepted} scans, ${s.decisions} decisions (${s.actuated} actuated), ${s.rejected} rejected${o.nats === undefined ? '' : `, ${s.redeliveries} redeliveries skipped`}; journal ${o.journal}\n`,
    );
  }
}
