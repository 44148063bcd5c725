import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../common/errors.js';
import { expectConflictRefused, tempDir } from '../test-support/journal.js';
import { DuckDbJournal } from './duckdb.js';
import { checkJournal, openSink, spoolWriter } from './open.js';
import type { JournalSink } from './sink.js';

describe('journal identity', () => {
  const dir = tempDir('violet-open-');
  const at = (name: string) => join(dir, name);

  it('takes a DuckDB database by its header whatever its name, an absent path, a ClickHouse URL', async () => {
    const db = await DuckDbJournal.open(at('named.notes'));
    db.close();
    expect(() => checkJournal(at('named.notes'), true)).not.toThrow();
    expect(() => checkJournal(at('new.duckdb'), false)).not.toThrow();
    expect(() => checkJournal('clickhouse://127.0.0.1:8123/violet', true)).not.toThrow();
  });

  it('refuses anything else with one reason, before touching the disk', () => {
    writeFileSync(at('notes.jsonl'), '{"a":1}\n');
    writeFileSync(at('empty.duckdb'), '');
    writeFileSync(at('fake.duckdb'), 'PAR1PAR1PAR1PAR1');
    mkdirSync(at('folder'));
    // Reading a FIFO waits for a writer: refused by its type, never opened.
    expect(spawnSync('mkfifo', [at('fifo.duckdb')]).status).toBe(0);
    writeFileSync(at('locked.duckdb'), 'x'.repeat(64));
    chmodSync(at('locked.duckdb'), 0);
    const before = readdirSync(dir).sort();
    const refused: [string, boolean, RegExp][] = [
      [at('notes.jsonl'), false, /not a DuckDB database/],
      [at('empty.duckdb'), false, /not a DuckDB database/],
      [at('fake.duckdb'), false, /not a DuckDB database/],
      [at('folder'), false, /a directory/],
      [at('fifo.duckdb'), false, /not a regular file \(a FIFO\)/],
      ['', false, /expected a DuckDB file or a clickhouse/],
      [':memory:', false, /expected a DuckDB file/],
      ['http://example.com/j.duckdb', false, /expected a DuckDB file/],
      ['md:journal', false, /expected a DuckDB file/],
      [at('absent.duckdb'), true, /no such journal/],
    ];
    // root reads a mode-0 file anyway: the unreadable case only holds for other users.
    if (process.getuid?.() !== 0) refused.push([at('locked.duckdb'), true, /cannot read/]);
    for (const [journal, mustExist, reason] of refused) {
      expect(() => checkJournal(journal, mustExist), journal).toThrow(UsageError);
      expect(() => checkJournal(journal, mustExist), journal).toThrow(reason);
    }
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('journal memory on DuckDB', () => {
  it('holds a process draining a spool to the writer limit and one thread, an export or report to the defaults', async () => {
    const dir = tempDir('violet-memory-limit-');
    const journal = join(dir, 'j.duckdb');
    const limit = async (sink: JournalSink | null) =>
      (await sink?.query("SELECT current_setting('memory_limit') AS m"))?.[0]?.m;
    const threads = async (sink: JournalSink | null) =>
      (await sink?.query("SELECT current_setting('threads') AS t"))?.[0]?.t;
    const w = spoolWriter(journal, `${journal}.spool`);
    // 128 MB in DuckDB's binary units.
    expect(await limit(await w.connected())).toBe('122.0 MiB');
    expect(await threads(await w.connected())).toBe(1);
    const freeBack = await (await w.connected())?.query(
      "SELECT current_setting('allocator_bulk_deallocation_flush_threshold') AS f",
    );
    expect(freeBack?.[0]?.f).toBe('15.2 MiB');
    w.close();
    const reader = await openSink(journal);
    expect(await limit(reader)).not.toBe('122.0 MiB');
    expect(await threads(reader)).toBe(cpus().length);
    reader.close();
  });
});

describe('journal idempotency on DuckDB', () => {
  it('refuses a different row under a key it holds, and keeps a second day beside the first', async () => {
    const dir = tempDir('violet-conflict-');
    const journal = join(dir, 'j.duckdb');
    await expectConflictRefused(dir, journal, `${journal}.spool`);
  });
});
