import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../engine/clock.js';
import { parseConfig } from '../engine/config.js';
import type { ScanSource } from '../engine/ports.js';
import { journalWriter } from '../journal/open.js';
import { CONTROL_AUDIT } from '../journal/schema.js';
import { jsonlSource } from '../sources/archive.js';
import { exportJsonl, lockJournal, sampleArchive, tempDir } from '../test-support/journal.js';
import { runShadow } from './shadow.js';

const config = (() => {
  const c = parseConfig({});
  if (!c.ok) throw new Error(c.reason);
  return c.value;
})();

/** The archive, with a cadence plane holding `decide` every 2 scans (applied, and audited, first). */
function withCadence(archive: string): ScanSource {
  return {
    ...jsonlSource(archive),
    watchCadence: async (apply) => apply({ decide: { every_scans: 2 } }, 'kv:1'),
  };
}

describe('audit_seq', () => {
  it("is the instance's own sequence: each run numbers on from the journal's highest, old wall-ms numbers included", async () => {
    const dir = tempDir();
    const archive = sampleArchive(dir, 20, 31);
    const journal = join(dir, 'j.duckdb');
    const wallClock = new VirtualClock(1_790_000_000_000);
    const run = async () => {
      const r = await runShadow({ config, source: withCadence(archive), journal, wallClock });
      return r.journalError;
    };
    const audit = async () =>
      (await exportJsonl(journal, 'violet_control_audit', join(dir, 'a.jsonl'))).map((a) => [
        a.audit_seq,
        a.at_ms,
      ]);

    // A new journal: 1, then 2 (the rerun's change is its own, audited again).
    expect(await run()).toBe(null);
    expect(await run()).toBe(null);

    // A journal written before: its rows were numbered wall ms × 1000 + k; a run follows them.
    const old = journalWriter(journal, [config.instance_id]);
    old.write(CONTROL_AUDIT, {
      instance_id: config.instance_id,
      audit_seq: 1_781_000_000_000_007,
      at_ms: 1_781_000_000_000,
      at_scan: null,
      who: 'alice',
      action: 'report',
      old_value: 'every 100 scans',
      new_value: 'every 200 scans',
    });
    expect(await old.flush()).toBe(true);
    old.close();
    wallClock.tick(60_000);
    expect(await run()).toBe(null);

    // The journal unreadable when the run starts: numbered from the run's start × 1000 (above
    // every number given before), spooled, and drained by the next run, which follows on.
    const locker = await lockJournal(journal);
    try {
      wallClock.tick(60_000);
      expect(await run()).toMatch(/in use by another process/);
    } finally {
      locker.kill('SIGKILL');
      await new Promise((r) => locker.once('exit', r));
    }
    wallClock.tick(60_000);
    expect(await run()).toBe(null);
    expect(await audit()).toEqual([
      [1, 1_790_000_000_000],
      [2, 1_790_000_000_000],
      [1_781_000_000_000_007, 1_781_000_000_000],
      [1_781_000_000_000_008, 1_790_000_060_000],
      [1_790_000_120_000_001, 1_790_000_120_000],
      [1_790_000_120_000_002, 1_790_000_180_000],
    ]);
  });
});
