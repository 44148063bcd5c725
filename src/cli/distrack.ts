// `violet distrack eval`: a sketch over numbers on stdin, its quantile estimates as JSON.
import { createInterface } from 'node:readline';
import { type Command, InvalidArgumentError } from 'commander';
import { P2, Reservoir, type Sketch, TDigest } from '../distrack/index.js';
import { UsageError } from './errors.js';
import { choice, nonNegativeInt } from './options.js';

const SKETCHES = ['tdigest', 'p2', 'reservoir'] as const;
type SketchName = (typeof SKETCHES)[number];

/** A decimal number as written by a person or a program: no hex, no Infinity, no NaN. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function quantiles(v: string): number[] {
  const qs = v.split(',').map((s) => s.trim());
  const out = qs.map((s) => (NUMBER.test(s) ? Number(s) : Number.NaN));
  if (out.length === 0 || out.some((q) => !(q >= 0 && q <= 1))) {
    throw new InvalidArgumentError('expected quantiles in [0, 1], comma-separated (0.5,0.99)');
  }
  return out;
}

function sketchOf(name: SketchName, qs: readonly number[], seed: number): Sketch {
  switch (name) {
    case 'tdigest':
      return new TDigest();
    case 'p2':
      if (qs.some((q) => q === 0 || q === 1)) {
        throw new UsageError('--q: P² tracks quantiles strictly between 0 and 1');
      }
      return new P2([...new Set(qs)]);
    case 'reservoir':
      return new Reservoir(undefined, seed);
  }
}

/** Feeds stdin's lines to the sketch; a line that is not a finite number ends the run. */
async function feed(sketch: Sketch, input: NodeJS.ReadableStream): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let no = 0;
  for await (const line of lines) {
    no++;
    const s = line.trim();
    if (s === '') continue;
    const x = NUMBER.test(s) ? Number(s) : Number.NaN;
    if (!Number.isFinite(x)) {
      lines.close();
      const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
      throw new UsageError(`stdin line ${no}: ${JSON.stringify(shown)} is not a finite number`);
    }
    sketch.add(x);
  }
}

export function registerDistrack(program: Command): void {
  const distrack = program
    .command('distrack')
    .description('distributions in constant memory: t-digest, P², reservoir');
  distrack
    .command('eval')
    .description(
      'numbers on stdin, one a line (blank lines skipped) → one JSON line: {"sketch", "n", "bytes", "quantiles": [{"q", "value"}…]}; value null while empty',
    )
    .addOption(choice('--sketch <name>', 'the sketch', SKETCHES).default('tdigest'))
    .option('--q <list>', 'quantiles, comma-separated, in [0, 1]', quantiles, [0.5, 0.99, 0.999])
    .option('--seed <s>', 'the reservoir’s seed', nonNegativeInt, 1)
    .action(async (opts: { sketch: SketchName; q: number[]; seed: number }) => {
      const sketch = sketchOf(opts.sketch, opts.q, opts.seed);
      await feed(sketch, process.stdin);
      const out = {
        sketch: opts.sketch,
        n: sketch.n,
        bytes: sketch.bytes(),
        quantiles: opts.q.map((q) => {
          const value = sketch.quantile(q);
          return { q, value: Number.isNaN(value) ? null : value };
        }),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    });
}
