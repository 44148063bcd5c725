// The DuckDB sink's two ways in: a segment whose scans all lie past those its instances hold
// goes straight in; any other is compared with what the journal holds. Both end the same.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/journal.js';
import { DuckDbJournal } from './duckdb.js';
import { REJECTS, type TableSpec, UNIVERSE } from './schema.js';
import { JournalConflict, type SegmentScans } from './sink.js';
import { Spool } from './spool.js';

const row = (instance: string, scan: number, symbols = 'BTCUSDT ETHUSDT') => ({
  instance_id: instance,
  scan_number: scan,
  ts: scan * 5000,
  symbols,
});

describe('DuckDB journal inserts', () => {
  it('takes new scans directly and still refuses a different row under a held key', async () => {
    const dir = tempDir('violet-duckdb-');
    const db = await DuckDbJournal.open(join(dir, 'j.duckdb'));
    let n = 0;
    const segment = (rows: object[], scans?: SegmentScans) => {
      const path = join(dir, `seg-${n++}.jsonl`);
      writeFileSync(path, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      return db.insertFile(UNIVERSE, path, scans);
    };
    const scans = (entries: [string, number, number][]): SegmentScans =>
      new Map(entries.map(([i, min, max]) => [i, { min, max }]));
    const count = async () =>
      (
        await db.query(
          'SELECT instance_id, count(*) AS n, max(scan_number) AS m FROM violet_universe GROUP BY 1 ORDER BY 1',
        )
      ).map((r) => [r.instance_id, r.n, r.m]);
    const range = (i: string, a: number, b: number) =>
      Array.from({ length: b - a + 1 }, (_, k) => row(i, a + k));

    await segment(
      [...range('a', 1, 5), ...range('b', 1, 2)],
      scans([
        ['a', 1, 5],
        ['b', 1, 2],
      ]),
    );
    await segment(range('a', 6, 8), scans([['a', 6, 8]]));
    expect(await count()).toEqual([
      ['a', 8, 8],
      ['b', 2, 2],
    ]);
    // Overlapping what is held, one row different: refused, nothing of it inserted.
    const clash = [...range('a', 7, 10)];
    clash[1] = row('a', 8, 'BTCUSDT');
    await expect(segment(clash, scans([['a', 7, 10]]))).rejects.toThrow(JournalConflict);
    expect(await count()).toEqual([
      ['a', 8, 8],
      ['b', 2, 2],
    ]);
    // The same rows again, with or without the spool's scans: nothing changes.
    await segment(range('a', 3, 8), scans([['a', 3, 8]]));
    await segment(range('b', 1, 2));
    expect(await count()).toEqual([
      ['a', 8, 8],
      ['b', 2, 2],
    ]);
    // Scans that claim to be new but are not (the journal changed under the sink): the
    // insert falls back to the full comparison, which skips the same rows and takes the rest.
    await segment([...range('b', 2, 4)], scans([['b', 3, 4]]));
    expect(await count()).toEqual([
      ['a', 8, 8],
      ['b', 4, 4],
    ]);
    // …and refuses a different one.
    await expect(
      segment([row('b', 4, 'XRPUSDT'), row('b', 5)], scans([['b', 5, 5]])),
    ).rejects.toThrow(JournalConflict);
    expect(await count()).toEqual([
      ['a', 8, 8],
      ['b', 4, 4],
    ]);
    // A new instance, and later scans: straight in.
    await segment(
      [...range('c', 1, 3), ...range('a', 9, 9)],
      scans([
        ['c', 1, 3],
        ['a', 9, 9],
      ]),
    );
    expect(await count()).toEqual([
      ['a', 9, 9],
      ['b', 4, 4],
      ['c', 3, 3],
    ]);
    db.close();
  });

  it('hands the scans of the rows it wrote with each sealed segment, none of rows without', async () => {
    const dir = tempDir('violet-spool-scans-');
    const s = new Spool(join(dir, 'spool'));
    s.append('violet_universe', row('a', 7));
    s.append('violet_universe', row('a', 3));
    s.sync();
    s.append('violet_universe', row('b', 11));
    s.append('violet_universe', row('a', 9));
    s.append('other', { trade_id: 'x' });
    s.seal();
    const [u, o] = s.segments();
    expect(u?.table).toBe('violet_universe');
    expect(u?.scans).toEqual(
      new Map([
        ['a', { min: 3, max: 9 }],
        ['b', { min: 11, max: 11 }],
      ]),
    );
    // Written here, but no row carries a scan: an empty map, not none.
    expect(o?.table).toBe('other');
    expect(o?.scans).toEqual(new Map());
    s.close();
    // Segments found on disk by a later spool carry none: they are compared in full.
    const again = new Spool(join(dir, 'spool'));
    expect(again.segments().map((x) => x.scans)).toEqual([undefined, undefined]);
    again.close();
  });

  it('tries a segment it wrote of a table not keyed by scan at once, the primary key guarding', async () => {
    const dir = tempDir('violet-duckdb-rejects-');
    const db = await DuckDbJournal.open(join(dir, 'j.duckdb'));
    let n = 0;
    const segment = (rows: object[], written: boolean) => {
      const path = join(dir, `seg-${n++}.jsonl`);
      writeFileSync(path, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      return db.insertFile(REJECTS, path, written ? new Map() : undefined);
    };
    const reject = (seq: number, reason = 'vel_div: not a number') => ({
      instance_id: 'a',
      source: 'day.jsonl',
      source_seq: seq,
      scan_number: null,
      reason,
      raw: '{}',
    });
    const rows = async () =>
      (await db.query('SELECT source_seq, reason FROM violet_rejects ORDER BY source_seq')).map(
        (r) => [r.source_seq, r.reason],
      );
    await segment([reject(1), reject(2)], true);
    // The same rows again (a rerun), written here or found on disk: nothing changes.
    await segment([reject(1), reject(2)], true);
    await segment([reject(2)], false);
    // A held key among new ones: the one INSERT is refused whole, the full comparison
    // skips the held row and takes the new one.
    await segment([reject(2), reject(3)], true);
    expect(await rows()).toEqual([
      [1, 'vel_div: not a number'],
      [2, 'vel_div: not a number'],
      [3, 'vel_div: not a number'],
    ]);
    // A different row under a held key is refused, whichever way it came.
    await expect(segment([reject(3, 'other'), reject(4)], true)).rejects.toThrow(JournalConflict);
    await expect(segment([reject(3, 'other')], false)).rejects.toThrow(JournalConflict);
    expect((await rows()).length).toBe(3);
    db.close();
  });
});

describe('the journal writer in the background', () => {
  it('a background drain commits what its flush sealed; rows written meanwhile wait for the next', async () => {
    const { JournalWriter } = await import('./writer.js');
    const dir = tempDir('violet-writer-');
    const spool = new Spool(join(dir, 'j.duckdb.spool'));
    const inserted: number[] = [];
    const w = new JournalWriter(spool, async () => {
      const db = await DuckDbJournal.open(join(dir, 'j.duckdb'));
      const insertFile = db.insertFile.bind(db);
      db.insertFile = async (t, path, scans) => {
        inserted.push(spool.segments().find((s) => s.path === path)?.rows ?? -1);
        return insertFile(t, path, scans);
      };
      return db;
    });
    for (let k = 1; k <= 50; k++) w.write(UNIVERSE, row('a', k));
    const done = new Promise<boolean>((resolve) => w.flushInBackground(resolve));
    // Written after the flush, before its drain runs: not cut off into a segment of their own.
    for (let k = 51; k <= 53; k++) w.write(UNIVERSE, row('a', k));
    expect(await done).toBe(true);
    expect(inserted).toEqual([50]);
    expect(w.pending).toBe(3);
    expect(await w.flush()).toBe(true);
    expect(inserted).toEqual([50, 3]);
    expect(w.pending).toBe(0);
    w.close();
  });
});

describe('a flush in one transaction', () => {
  it('takes several new segments at once; a held key among them rolls all back, and each then goes its own way', async () => {
    const dir = tempDir('violet-atonce-');
    const db = await DuckDbJournal.open(join(dir, 'j.duckdb'));
    let n = 0;
    const file = (rows: object[], table: TableSpec = UNIVERSE) => {
      const path = join(dir, `seg-${n++}.jsonl`);
      writeFileSync(path, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      return { table, path, scans: new Map([['a', { min: 0, max: 0 }]]) };
    };
    const universe = (a: number, b: number) => {
      const f = file(Array.from({ length: b - a + 1 }, (_, k) => row('a', a + k)));
      return { ...f, scans: new Map([['a', { min: a, max: b }]]) };
    };
    const reject = (seq: number) => ({
      instance_id: 'a',
      source: 's.jsonl',
      source_seq: seq,
      scan_number: null,
      reason: 'json: not valid JSON',
      raw: 'x',
    });
    const count = async (t: string) =>
      Number((await db.query(`SELECT count(*) AS n FROM ${t}`))[0]?.n);
    expect(
      await db.insertFilesAtOnce([universe(1, 5), file([reject(1), reject(2)], REJECTS)]),
    ).toBe(true);
    expect([await count('violet_universe'), await count('violet_rejects')]).toEqual([5, 2]);
    // Rejects are not keyed by scan: a held one (seq 2, now different) is found by the key itself.
    const held = { ...reject(2), reason: 'other' };
    expect(await db.insertFilesAtOnce([universe(6, 8), file([reject(3), held], REJECTS)])).toBe(
      false,
    );
    expect([await count('violet_universe'), await count('violet_rejects')]).toEqual([5, 2]);
    await db.insertFile(UNIVERSE, universe(6, 8).path, universe(6, 8).scans);
    await expect(db.insertFile(REJECTS, file([reject(3), held], REJECTS).path)).rejects.toThrow(
      JournalConflict,
    );
    expect([await count('violet_universe'), await count('violet_rejects')]).toEqual([8, 2]);
    // Scans not past those held: not vouched for at once (false before any INSERT).
    expect(await db.insertFilesAtOnce([universe(8, 9), universe(10, 11)])).toBe(false);
    db.close();
  });
});
