// The embedded journal: one DuckDB file. Rows go through a staging table with the
// appender, then `INSERT OR IGNORE` into the keyed table: idempotent and fast.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { JournalSink } from './sink.js';
import { type Cell, createTableSql, TABLES, type TableSpec } from './schema.js';

const stage = (t: TableSpec) => `_stage_${t.name}`;

function stageSql(t: TableSpec): string {
  const cols = t.columns.map((c) => `  ${c.name} ${c.type}`);
  return `CREATE TABLE IF NOT EXISTS ${stage(t)} (\n${cols.join(',\n')}\n);\n`;
}

function append(a: DuckDBAppender, t: TableSpec, row: readonly Cell[]): void {
  for (let i = 0; i < t.columns.length; i++) {
    const v = row[i] ?? null;
    const col = t.columns[i] as TableSpec['columns'][number];
    if (v === null) a.appendNull();
    else if (col.type === 'VARCHAR') a.appendVarchar(String(v));
    else if (col.type === 'DOUBLE') a.appendDouble(v as number);
    else if (col.type === 'BIGINT') a.appendBigInt(BigInt(v as number));
    else if (col.type === 'INTEGER') a.appendInteger(v as number);
    else a.appendBoolean(v as boolean);
  }
  a.endRow();
}

function toJs(v: unknown): Cell {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    return v;
  }
  return String(v);
}

export class DuckDbJournal implements JournalSink {
  readonly kind = 'duckdb';

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<DuckDbJournal> {
    mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    for (const t of TABLES) {
      await connection.run(createTableSql(t));
      await connection.run(stageSql(t));
    }
    return new DuckDbJournal(instance, connection);
  }

  async insert(t: TableSpec, rows: readonly (readonly Cell[])[]): Promise<void> {
    if (rows.length === 0) return;
    await this.connection.run(`DELETE FROM ${stage(t)}`);
    const a = await this.connection.createAppender(stage(t));
    for (const r of rows) append(a, t, r);
    a.flushSync();
    a.closeSync();
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await this.connection.run(`INSERT OR IGNORE INTO ${t.name} SELECT DISTINCT * FROM ${stage(t)}`);
      await this.connection.run('COMMIT');
    } catch (e) {
      await this.connection.run('ROLLBACK');
      throw e;
    }
  }

  async query(sql: string): Promise<Record<string, Cell>[]> {
    const r = await this.connection.runAndReadAll(sql);
    return r.getRowObjectsJS().map((o) => {
      const out: Record<string, Cell> = {};
      for (const [k, v] of Object.entries(o)) out[k] = toJs(v);
      return out;
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
