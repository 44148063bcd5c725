// `violet drift-check`: VIOLET's pinned constants against a reference Python source.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { driftCheck } from '../drift/index.js';
import { CheckFailed, UsageError } from './errors.js';
import { table } from './table.js';

export function registerDrift(program: Command): void {
  program
    .command('drift-check')
    .description(
      "read VIOLET's pinned constants back out of the reference engine's Python source; exit 1 if any differs or none is found",
    )
    .requiredOption('--blue-source <file>', "the reference engine's Python source file (.py)")
    .option('--json', 'print the rows as JSON')
    .action((opts: { blueSource: string; json?: boolean }) => {
      let src: string;
      try {
        src = readFileSync(opts.blueSource, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${opts.blueSource}: ${(e as Error).message}`);
      }
      const rows = driftCheck(src);
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        process.stdout.write(
          table(
            ['constant', 'line', 'found', 'pinned', 'status'],
            rows.map((r) => [r.constant, r.line ?? '', r.found ?? '', r.pinned, r.status]),
          ),
        );
      }
      const differs = rows.filter((r) => r.status === 'differs').length;
      if (differs > 0) throw new CheckFailed(`${differs} constant(s) differ from VIOLET's pins`);
      // A file that holds none of the constants checks nothing: not a pass.
      if (rows.every((r) => r.status === 'not found')) {
        throw new CheckFailed(
          `none of VIOLET's ${rows.length} pinned constants found in ${opts.blueSource}`,
        );
      }
    });
}
