// `violet kernel eval`: the conformance runner over stdin/stdout.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { evalLine, KERNEL_OPS } from '../conformance/index.js';
import { generateVectors } from '../conformance/vectors.js';
import { nonNegativeInt, positiveInt } from './options.js';

async function evalStream(input: NodeJS.ReadableStream, output: NodeJS.WritableStream) {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let buf: string[] = [];
  const flush = async () => {
    if (buf.length === 0) return;
    const chunk = `${buf.join('\n')}\n`;
    buf = [];
    if (!output.write(chunk)) await new Promise((r) => output.once('drain', r));
  };
  for await (const line of lines) {
    if (line.trim() === '') continue;
    buf.push(evalLine(line));
    if (buf.length >= 4096) await flush();
  }
  await flush();
}

export function registerKernel(program: Command): void {
  const kernel = program
    .command('kernel')
    .description('the canonical kernel: the bit-exact sizing, lane and leverage formulas');
  kernel
    .command('eval')
    .description(
      `conformance runner: JSON Lines on stdin, one JSON line out per line in, id echoed. Ops: ${KERNEL_OPS.join(', ')}`,
    )
    .action(async () => {
      await evalStream(process.stdin, process.stdout);
    });
  kernel
    .command('vectors')
    .description('print seeded adversarial conformance vectors (JSON Lines) for `kernel eval`')
    .option('--count <n>', 'number of vectors', positiveInt, 100_000)
    .option('--seed <s>', 'seed', nonNegativeInt, 20260615)
    .action((opts: { count: number; seed: number }) => {
      process.stdout.write(generateVectors(opts.count, opts.seed));
    });
}
