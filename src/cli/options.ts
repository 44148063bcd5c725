// Option parsers: a bad value is a one-line usage error, not a stack trace.
import { InvalidArgumentError, Option } from 'commander';

/** A count, a duration, a size: 1, 2, … (0 is refused). */
export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return n;
}

/** A seed, or a value where 0 has a meaning of its own (a rate of 0: unpaced): 0, 1, … */
export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

/** `--json FILE`: the help every command gives it. */
export const JSON_HELP = '(- : on stdout, in place of the text)';

/** An option taking one of `values` (commander refuses another in one line, exit 2). */
export function choice(flags: string, description: string, values: readonly string[]): Option {
  return new Option(flags, description).choices(values);
}

export function port(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('expected a port in 0..65535 (0: any free port)');
  }
  return n;
}

export const JOURNAL_HELP = 'journal: a DuckDB file, or clickhouse://[user:password@]HOST:PORT/DB';

/** A UTC instant: epoch milliseconds, or ISO 8601 with a zone (2026-06-09T10:13:20Z). */
export function instant(v: string): number {
  const n = /^\d+$/.test(v)
    ? Number(v)
    : /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v)
      ? Date.parse(v)
      : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError(
      'expected epoch milliseconds or an ISO 8601 time with its zone, as 2026-06-09T10:13:20Z',
    );
  }
  return n;
}
