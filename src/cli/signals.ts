// SIGINT/SIGTERM while a run is under way: the first asks it to finish the scan in hand,
// flush, close and print its summary (then exit 130/143); a second one forces the exit.
// Nothing is lost either way: spooled rows are drained by the next run, and a replay run
// again recomputes what was not spooled (inserts skip the rows already journaled).
import { exitLine } from '../common/log.js';

const CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

export class Interrupts {
  /** The first signal received, if any. */
  received: NodeJS.Signals | null = null;
  private readonly handler = (signal: NodeJS.Signals) => {
    if (this.received !== null) {
      process.stderr.write(
        exitLine(
          `${signal} after ${this.received}: stopping at once; what was spooled is drained by the next run, and a replay run again recomputes the rest`,
          CODES[signal] ?? 1,
        ),
      );
      process.exit(CODES[signal] ?? 1);
    }
    this.received = signal;
    this.onFirst(signal);
  };

  constructor(private readonly onFirst: (signal: NodeJS.Signals) => void) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /** 130 after SIGINT, 143 after SIGTERM, null if none came. */
  get exitCode(): number | null {
    return this.received === null ? null : (CODES[this.received] ?? 1);
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

/**
 * After the summary of a run a signal ended: one line on stderr and exit 130/143. A replay
 * run again completes the journal (the scans already journaled are skipped, the same rows).
 */
export function interruptedExit(signal: NodeJS.Signals, replay: boolean): void {
  const code = CODES[signal] ?? 1;
  const next = replay
    ? ': run the same command again to complete the journal (rows already journaled are kept once)'
    : '';
  process.stderr.write(exitLine(`stopped by ${signal}${next}`, code));
  process.exitCode = code;
}
