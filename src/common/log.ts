// Operational logs on stderr: a human line each (text, the default), or one JSON object per
// line (json) with a timestamp, a level, an event name and the event's fields, for log
// shippers. Reports and results go to stdout and files, never here.
import { systemClock } from '../engine/clock.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export function parseLogFormat(v: string | undefined): LogFormat | null {
  const f = v ?? 'text';
  return (LOG_FORMATS as readonly string[]).includes(f) ? (f as LogFormat) : null;
}

export class Log {
  constructor(
    readonly format: LogFormat,
    private readonly context: LogFields = {},
    private readonly out: (line: string) => void = (line) => process.stderr.write(line),
    /** The JSON lines' `ts` (wall ms). */
    private readonly now: () => number = () => systemClock.now(),
  ) {}

  /** The same log with fields added to every line (an instance, a source). */
  with(fields: LogFields): Log {
    return new Log(this.format, { ...this.context, ...fields }, this.out, this.now);
  }

  /** `text` is the human line; `fields` go into the JSON line (and not into the text). */
  write(level: LogLevel, event: string, text: string, fields: LogFields = {}): void {
    if (this.format === 'json') {
      const line = {
        ts: new Date(this.now()).toISOString(),
        level,
        event,
        ...this.context,
        ...fields,
        msg: text,
      };
      this.out(`${JSON.stringify(line)}\n`);
      return;
    }
    const instance = this.context.instance;
    const prefix = typeof instance === 'string' ? `[${instance}] ` : '';
    this.out(`${prefix}${text}\n`);
  }

  /** An event for log shippers only (JSON): a text run shows the same on stdout or a bar. */
  record(event: string, text: string, fields?: LogFields): void {
    if (this.format === 'json') this.write('info', event, text, fields);
  }

  info(event: string, text: string, fields?: LogFields): void {
    this.write('info', event, text, fields);
  }

  warn(event: string, text: string, fields?: LogFields): void {
    this.write('warn', event, text, fields);
  }

  error(event: string, text: string, fields?: LogFields): void {
    this.write('error', event, text, fields);
  }
}

let processFormat: LogFormat = 'text';

/** The format a command chose for its logs: the exit line (`violet: …`) follows it. */
export function setProcessLogFormat(f: LogFormat): void {
  processFormat = f;
}

/** The last line of a failed command: `violet: REASON`, or a JSON `exit` event. */
export function exitLine(message: string, exitCode: number): string {
  if (processFormat === 'text') return `violet: ${message}\n`;
  let line = '';
  new Log('json', {}, (l) => {
    line = l;
  }).error('exit', message, { exit_code: exitCode });
  return line;
}
