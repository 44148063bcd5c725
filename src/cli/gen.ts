// `violet gen scans`: writes the seeded synthetic market as JSON Lines.
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { STABLECOIN_SYMBOLS } from '../kernel/index.js';
import { jsonlToParquet } from '../sources/parquet.js';
import {
  DEFAULT_START_TS,
  DEFAULT_STEP_MS,
  type SyntheticOptions,
  scanLine,
  syntheticScans,
} from '../sources/synthetic/index.js';
import { UsageError } from './errors.js';
import { instant, nonNegativeInt, positiveInt } from './options.js';
import { progressBar } from './progress.js';

/** Strings past ~128 KiB land in V8's large-object space: measured ~12× slower to build. */
const CHUNK_CHARS = 60_000;

/** The scans as text chunks of whole lines, so the file stream can apply backpressure. */
function* chunks(o: SyntheticOptions, written: (scans: number) => void): Generator<string> {
  let lines: string[] = [];
  let chars = 0;
  let done = 0;
  for (const scan of syntheticScans(o)) {
    const line = scanLine(scan);
    lines.push(line);
    chars += line.length + 1;
    if (chars >= CHUNK_CHARS) {
      yield `${lines.join('\n')}\n`;
      done += lines.length;
      written(done);
      lines = [];
      chars = 0;
    }
  }
  if (lines.length > 0) {
    yield `${lines.join('\n')}\n`;
    written(done + lines.length);
  }
}

export interface GenScansOpts {
  out: string;
  scans: number;
  assets: number;
  seed: number;
  stepMs: number;
  /** The first scan's time (default: a fixed epoch). */
  start?: number;
}

/** Writes the market to `out` and prints one summary line (also used by `violet start`). */
export async function genScans(opts: GenScansOpts): Promise<void> {
  const parquet = opts.out.endsWith('.parquet');
  if (!opts.out.endsWith('.jsonl') && !parquet) {
    throw new UsageError('--out must end in .jsonl or .parquet');
  }
  const jsonl = parquet ? `${opts.out}.tmp.jsonl` : opts.out;
  const bar = progressBar(opts.scans, 'scans');
  try {
    mkdirSync(dirname(opts.out), { recursive: true });
    await pipeline(
      Readable.from(
        chunks({ ...opts, ...(opts.start === undefined ? {} : { startTs: opts.start }) }, (done) =>
          bar.update(done),
        ),
      ),
      createWriteStream(jsonl),
    );
    if (parquet) {
      await jsonlToParquet(jsonl, opts.out);
      rmSync(jsonl);
    }
  } catch (e) {
    // A file-system refusal is the user's to fix; anything else is a bug.
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw new UsageError(`cannot write ${opts.out}: ${(e as Error).message}`);
  } finally {
    bar.stop();
  }
  process.stdout.write(
    `wrote ${opts.scans} scans (${opts.assets} assets + ${STABLECOIN_SYMBOLS.length} stablecoins) to ${opts.out}, seed ${opts.seed}\n`,
  );
}

export function registerGen(program: Command): void {
  const gen = program.command('gen').description('generate seeded synthetic data');
  gen
    .command('scans')
    .description(
      'write a seeded synthetic market (scan records, as shadow and backtest read them) as JSON Lines or Parquet',
    )
    .requiredOption('--out <file>', 'output file (.jsonl or .parquet); parent folders are created')
    .requiredOption('--scans <n>', 'number of scans', positiveInt)
    .requiredOption(
      '--assets <m>',
      'non-stable assets (the 10 stablecoins come on top)',
      positiveInt,
    )
    .requiredOption('--seed <s>', 'seed: the same seed gives the same bytes', nonNegativeInt)
    .option('--step-ms <ms>', 'scan spacing in ms', positiveInt, DEFAULT_STEP_MS)
    .option(
      '--start <time>',
      `the first scan's time, epoch ms or ISO 8601 UTC (default ${new Date(DEFAULT_START_TS).toISOString()}); scan_number is the scan time / --step-ms, so archives of different spans never share a number`,
      instant,
    )
    .action(genScans);
}
