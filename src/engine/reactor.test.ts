import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../journal/spool.js';
import { JournalWriter } from '../journal/writer.js';
import { jsonlSource } from '../sources/archive.js';
import { sampleArchive, tempDir } from '../test-support/journal.js';
import { CadencePlane } from './cadence.js';
import { type Clock, ReplayClock, VirtualClock } from './clock.js';
import { DEFAULT_CADENCE, parseConfig } from './config.js';
import { DecisionEngine } from './decision.js';
import type { ScanSource } from './ports.js';
import { Reactor, type ReactorHooks, type RunStats } from './reactor.js';

function engine(): DecisionEngine {
  const config = parseConfig({});
  if (!config.ok) throw new Error(config.reason);
  return new DecisionEngine(config.value);
}

/** A writer whose database never opens: rows stay in its spool, read back by `spooled`. */
function spoolOnly(): { writer: JournalWriter; spooled(table: string): Record<string, unknown>[] } {
  const dir = join(tempDir(), 'spool');
  const writer = new JournalWriter(new Spool(dir), () =>
    Promise.reject(new Error('no database in this test')),
  );
  const spooled = (table: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(`.${table}.jsonl`))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l));
  return { writer, spooled };
}

/** A live-like source that holds no scan until `end` is called. */
function quietSource(): { source: ScanSource; end(): void } {
  let end = () => {};
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  return {
    source: {
      name: 'quiet',
      bytes: null,
      async *batches() {
        await ended;
        yield* [];
      },
    },
    end,
  };
}

function reactor(
  o: {
    clock: Clock;
    wall: VirtualClock;
    hooks?: ReactorHooks;
    rate?: number;
    tickMs?: number;
    cadence?: Partial<typeof DEFAULT_CADENCE>;
  },
  writer: JournalWriter,
): Reactor {
  return new Reactor({
    engine: engine(),
    journal: writer,
    cadence: new CadencePlane({ ...DEFAULT_CADENCE, ...o.cadence }),
    clock: o.clock,
    ...(o.hooks === undefined ? {} : { hooks: o.hooks }),
    ratePerSec: o.rate ?? 0,
    tickMs: o.tickMs ?? 0,
    wall: o.wall,
  });
}

describe('reactor timers', () => {
  it('fires time-based quanta on a timer tick when no scan arrives (live clock)', () => {
    const config = parseConfig({});
    if (!config.ok) throw new Error(config.reason);
    let now = 1_000_000;
    const clock: Clock = { now: () => now };
    const writer = new JournalWriter(new Spool(join(tempDir(), 'spool')), () =>
      Promise.reject(new Error('no database in this test')),
    );
    const snapshots: number[] = [];
    const reactor = new Reactor({
      engine: new DecisionEngine(config.value),
      journal: writer,
      cadence: new CadencePlane({ ...DEFAULT_CADENCE, 'stats-snapshot': { every_ms: 1000 } }),
      clock,
      hooks: { onSnapshot: () => snapshots.push(now) },
    });
    reactor.tick();
    now += 999;
    reactor.tick();
    now += 1;
    reactor.tick();
    now += 500;
    reactor.tick();
    now += 500;
    reactor.tick();
    expect(snapshots).toEqual([1_001_000, 1_002_000]);
  });
});

describe('reactor on an injected wall clock', () => {
  it('ticks on the clock it is given: time-based quanta fire as virtual time passes, no scan needed', async () => {
    const wall = new VirtualClock(1_000_000);
    const snapshots: number[] = [];
    const { writer } = spoolOnly();
    const r = reactor(
      {
        clock: wall,
        wall,
        tickMs: 1000,
        cadence: { 'stats-snapshot': { every_ms: 5000 } },
        hooks: { onSnapshot: () => snapshots.push(wall.now()) },
      },
      writer,
    );
    const quiet = quietSource();
    const run = r.run(quiet.source);
    await wall.tickAsync(60_000);
    // The first tick (1 s in) starts the quantum; then one every 5 s of virtual time.
    expect(snapshots).toEqual(Array.from({ length: 11 }, (_, i) => 1_006_000 + 5000 * i));
    quiet.end();
    await run;
    expect(wall.pending).toBe(0);
    writer.close();
  });

  it('paces --rate on the clock it is given: 30 scans at 10 a second take 3 s of its time, none of the wall', async () => {
    const wall = new VirtualClock(0);
    const { writer } = spoolOnly();
    const r = reactor({ clock: new ReplayClock(), wall, rate: 10 }, writer);
    let stats: RunStats | null = null;
    const run = r.run(jsonlSource(sampleArchive(tempDir(), 30, 1))).then((s) => {
      stats = s;
    });
    // Whenever the run waits on the clock, time jumps to its wake-up; I/O runs in real time.
    while (stats === null) {
      const next = wall.nextAt();
      if (next !== null) wall.tickTo(next);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await run;
    expect((stats as RunStats).decisions).toBe(30);
    expect(wall.now()).toBe(3000);
    writer.close();
  });

  it('numbers audited changes on from the journal, with the wall clock`s at_ms', async () => {
    const wall = new VirtualClock(1_750_000_000_000);
    const { writer, spooled } = spoolOnly();
    const r = reactor({ clock: new ReplayClock(), wall }, writer);
    r.auditAfter(41);
    const answers: boolean[] = [];
    for (const every_scans of [2, 2, 3]) {
      r.enqueue({
        action: 'decide',
        quantum: { every_scans },
        who: 'test',
        done: ({ changed }) => answers.push(changed),
      });
    }
    await r.run(jsonlSource(sampleArchive(tempDir(), 5, 1)));
    expect(answers).toEqual([true, false, true]);
    expect(spooled('violet_control_audit').map((a) => [a.audit_seq, a.at_ms, a.new_value])).toEqual(
      [
        [42, 1_750_000_000_000, 'every 2 scans'],
        [43, 1_750_000_000_000, 'every 3 scans'],
      ],
    );
    writer.close();
  });
});
