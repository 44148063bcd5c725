// Test helper for the studies: trades written as a CSV and loaded as `clean_trades`.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openStudyDb, type StudyDb, TRADE_COLUMNS, tradesTableSql } from '../studies/db.js';
import { tempDir } from './journal.js';

export type Trade = Partial<Record<(typeof TRADE_COLUMNS)[number][0], number | string | null>>;

function csvCell(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'number' ? String(v) : `"${v.replaceAll('"', '""')}"`;
}

/** Opens study databases and temp folders and closes them all in `cleanup()` (afterEach). */
export class CleanTradesFixture {
  private readonly dirs: string[] = [];
  private readonly dbs: StudyDb[] = [];

  constructor(private readonly defaults: Trade) {}

  /** Writes the trades as a CSV (row = position) and loads it as `clean_trades`. */
  async load(trades: readonly Trade[]): Promise<{ db: StudyDb; csv: string }> {
    const dir = tempDir('violet-study-');
    this.dirs.push(dir);
    const csv = join(dir, 'clean_trades.csv');
    const lines = trades.map((t, i) => {
      const full: Trade = { row: i, trade_id: `T${i}`, ...this.defaults, ...t };
      return TRADE_COLUMNS.map(([c]) => csvCell(full[c])).join(',');
    });
    writeFileSync(csv, `${[TRADE_COLUMNS.map(([c]) => c).join(','), ...lines].join('\n')}\n`);
    const db = await openStudyDb();
    this.dbs.push(db);
    await db.conn.run(tradesTableSql('clean_trades'));
    const types = TRADE_COLUMNS.map(([c, t]) => `'${c}': '${t}'`).join(', ');
    await db.conn.run(
      `INSERT INTO clean_trades SELECT * FROM read_csv('${csv}', header = true, columns = {${types}})`,
    );
    return { db, csv };
  }

  cleanup(): void {
    for (const db of this.dbs.splice(0)) db.close();
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Deep comparison with numbers equal within a relative 1e-9 (the numpy cross-checks). */
export function expectClose(got: unknown, want: unknown, path: string): void {
  if (typeof want === 'number' && typeof got === 'number') {
    const rel = got === want ? 0 : Math.abs(got - want) / Math.max(Math.abs(got), Math.abs(want));
    expect(rel, `${path}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9);
  } else if (Array.isArray(want)) {
    expect(Array.isArray(got), path).toBe(true);
    expect((got as unknown[]).length, path).toBe(want.length);
    for (const [i, w] of want.entries()) expectClose((got as unknown[])[i], w, `${path}[${i}]`);
  } else if (want !== null && typeof want === 'object') {
    expect(Object.keys(got as object), path).toEqual(Object.keys(want));
    for (const [k, w] of Object.entries(want)) {
      expectClose((got as Record<string, unknown>)[k], w, `${path}.${k}`);
    }
  } else {
    expect(got, path).toEqual(want);
  }
}
