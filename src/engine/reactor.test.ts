import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../journal/spool.js';
import { JournalWriter } from '../journal/writer.js';
import { tempDir } from '../test-support/journal.js';
import { CadencePlane } from './cadence.js';
import type { Clock } from './clock.js';
import { DEFAULT_CADENCE, parseConfig } from './config.js';
import { DecisionEngine } from './decision.js';
import { Reactor } from './reactor.js';

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
