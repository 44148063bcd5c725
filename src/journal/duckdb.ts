// The embedded journal: one DuckDB file. A spool segment is read by DuckDB itself
// (`read_json`) and inserted with `INSERT OR IGNORE` on the table's key: idempotent.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Cell, createTableSql, TABLES, type TableSpec } from './schema.js';
import type { JournalSink } from './sink.js';

function jsonColumns(t: TableSpec): string {
  return `{${t.columns.map((c) => `'${c.name}': '${c.type}'`).join(', ')}}`;
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
    for (const t of TABLES) await connection.run(createTableSql(t));
    return new DuckDbJournal(instance, connection);
  }

  async insertFile(t: TableSpec, path: string): Promise<void> {
    const cols = t.columns.map((c) => c.name).join(', ');
    const file = path.replaceAll("'", "''");
    await this.connection.run(
      `INSERT OR IGNORE INTO ${t.name} SELECT ${cols} FROM read_json('${file}', format = 'newline_delimited', columns = ${jsonColumns(t)})`,
    );
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
