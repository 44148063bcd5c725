// `violet gen scans`: writes the seeded synthetic market as JSON Lines.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { STABLECOIN_SYMBOLS } from '../kernel/index.js';
import {
  DEFAULT_STEP_MS,
  type SyntheticOptions,
  scanLine,
  syntheticScans,
} from '../sources/synthetic/index.js';
import { UsageError } from './errors.js';
import { positiveInt } from './options.js';

const CHUNK_LINES = 256;

function atLeastOne(v: string): number {
  const n = positiveInt(v);
  if (n < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return n;
}

/** The scans as text chunks of CHUNK_LINES lines, so the file stream can apply backpressure. */
function* chunks(o: SyntheticOptions, written: (lines: number) => void): Generator<string> {
  let lines: string[] = [];
  for (const scan of syntheticScans(o)) {
    lines.push(scanLine(scan));
    if (lines.length === CHUNK_LINES) {
      yield `${lines.join('\n')}\n`;
      written(lines.length);
      lines = [];
    }
  }
  if (lines.length > 0) {
    yield `${lines.join('\n')}\n`;
    written(lines.length);
  }
}

interface GenScansOpts {
  out: string;
  scans: number;
  assets: number;
  seed: number;
  stepMs: number;
}

async function genScans(opts: GenScansOpts): Promise<void> {
  if (!opts.out.endsWith('.jsonl')) throw new UsageError('--out must end in .jsonl');
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'scans [{bar}] {percentage}% {value}/{total} eta {eta}s',
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(opts.scans, 0);
  try {
    mkdirSync(dirname(opts.out), { recursive: true });
    await pipeline(
      Readable.from(chunks(opts, (n) => bar?.increment(n))),
      createWriteStream(opts.out),
    );
  } catch (e) {
    // A file-system refusal is the user's to fix; anything else is a bug.
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw new UsageError(`cannot write ${opts.out}: ${(e as Error).message}`);
  } finally {
    bar?.stop();
  }
  process.stdout.write(
    `wrote ${opts.scans} scans (${opts.assets} assets + ${STABLECOIN_SYMBOLS.length} stablecoins) to ${opts.out}, seed ${opts.seed}\n`,
  );
}

export function registerGen(program: Command): void {
  const gen = program.command('gen').description('generate seeded synthetic data');
  gen
    .command('scans')
    .description('write a seeded synthetic market (SPEC §2 scans) as JSON Lines')
    .requiredOption('--out <file>', 'output file (.jsonl); parent folders are created')
    .requiredOption('--scans <n>', 'number of scans', positiveInt)
    .requiredOption(
      '--assets <m>',
      'non-stable assets (the 10 stablecoins come on top)',
      atLeastOne,
    )
    .requiredOption('--seed <s>', 'seed: the same seed gives the same bytes', positiveInt)
    .option('--step-ms <ms>', 'scan spacing in ms', atLeastOne, DEFAULT_STEP_MS)
    .action(genScans);
}
