// `violet drift-check`: VIOLET's pinned constants against a reference Python source.
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { driftCheck } from '../drift/index.js';
import { CheckFailed, UsageError } from './errors.js';
import { JSON_HELP } from './options.js';
import { STDOUT, writeJson } from './output.js';
import { table } from './table.js';

/** A Python source is UTF-8 text without NUL bytes (PEP 3120; CPython refuses a NUL). */
function pythonSource(path: string, bytes: Buffer): string {
  const why = bytes.includes(0) ? 'a NUL byte' : isUtf8(bytes) ? null : 'not UTF-8';
  if (why !== null) throw new UsageError(`--blue-source ${path}: not a text file (${why})`);
  return bytes.toString('utf8');
}

export function registerDrift(program: Command): void {
  program
    .command('drift-check')
    .description(
      "read VIOLET's pinned constants back out of the reference engine's Python source; exit 1 if any differs or none is found",
    )
    .requiredOption('--blue-source <file>', "the reference engine's Python source file (.py)")
    .option('--json <file>', `write the rows as JSON ${JSON_HELP}`)
    .action((opts: { blueSource: string; json?: string }) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(opts.blueSource);
      } catch (e) {
        throw new UsageError(`cannot read ${opts.blueSource}: ${(e as Error).message}`);
      }
      const rows = driftCheck(pythonSource(opts.blueSource, bytes));
      if (opts.json !== undefined) writeJson(opts.json, rows);
      if (opts.json !== STDOUT) {
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
