// Benchmarks report ratios against a baseline measured in the same run: the machine is
// shared and noisy, so absolute figures are context, ratios are the result.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { table } from '../cli/table.js';
import { fixed, precision } from '../common/format.js';

export interface Figure {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: string;
  readonly baselineValue: number;
  /** value / baselineValue */
  readonly ratio: number;
  /** What passes, e.g. "ratio >= 50" or "value >= 20000"; null when there is no target. */
  readonly target: string | null;
  readonly pass: boolean | null;
}

/** Best of `reps` wall-clock timings of fn, in seconds; fn returns a checksum to keep its work. */
export function bestOf(reps: number, fn: () => number): number {
  let best = Number.POSITIVE_INFINITY;
  let check = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    check += fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (Number.isNaN(check)) throw new Error('benchmark checksum is NaN');
  return best;
}

export function writeResults(
  dir: string,
  figures: readonly Figure[],
  meta: Record<string, unknown>,
) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ ...meta, figures }, null, 2)}\n`);
  const text = table(
    ['bench', 'metric', 'value', 'unit', 'baseline', 'ratio', 'target', 'pass'],
    figures.map((f) => [
      f.bench,
      f.metric,
      precision(f.value, 4),
      f.unit,
      `${f.baseline} (${precision(f.baselineValue, 4)})`,
      `${fixed(f.ratio, 2)}x`,
      f.target ?? '',
      f.pass === null ? '' : f.pass ? 'yes' : 'NO',
    ]),
  );
  writeFileSync(join(dir, 'results.md'), `\`\`\`\n${text}\`\`\`\n`);
  return text;
}
