// The ClickHouse journal (issue 6 §3), over HTTP. Tables are ReplacingMergeTree ordered by
// their key: a segment inserted again (redelivery, a retry after a half-done drain) adds
// duplicates that merges collapse, so every read goes through `FINAL`. Rows go in as
// RowBinary encoded from the spool's JSON: 18.16 parses JSON floats inexactly (about 2% of
// doubles in [0, 3) land one ulp off) while binary doubles are exact on every version,
// and booleans become the UInt8 0/1 that 18.16 (which has no Bool) stores.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { CheckFailed, UsageError } from '../common/errors.js';
import { copySelection, readJsonSql } from './duckdb.js';
import { selectSql } from './read.js';
import { RowBinary } from './rowbinary.js';
import { type Cell, createClickHouseTableSql, TABLES, type TableSpec } from './schema.js';
import {
  type ExportFormat,
  JournalConflict,
  type JournalSink,
  keyText,
  type Selection,
} from './sink.js';

export interface ClickHouseLocation {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly password: string;
}

const FORM = 'clickhouse://[user[:password]@]HOST:PORT/DB (the HTTP port)';

export function isClickHouseUrl(journal: string): boolean {
  return journal.startsWith('clickhouse://');
}

export function parseClickHouseUrl(journal: string): ClickHouseLocation {
  let u: URL;
  try {
    u = new URL(journal);
  } catch {
    throw new UsageError(`--journal: expected ${FORM}`);
  }
  const database = u.pathname.slice(1);
  if (u.protocol !== 'clickhouse:' || u.hostname === '' || u.port === '') {
    throw new UsageError(`--journal: expected ${FORM}`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database) || u.search !== '' || u.hash !== '') {
    throw new UsageError(`--journal: the database must be a plain name, as in ${FORM}`);
  }
  return {
    host: u.hostname,
    port: Number(u.port),
    database,
    username: decodeURIComponent(u.username) || 'default',
    password: decodeURIComponent(u.password),
  };
}

/** Integers come back as JSON numbers (journal integers fit a double exactly). */
const JSON_OUT = { output_format_json_quote_64bit_integers: 0 } as const;
const BATCH_ROWS = 10_000;
/** A segment's keys are looked up this many to a query (well inside the query size limit). */
const KEYS_PER_QUERY = 500;

/** A key value as a ClickHouse literal (strings escaped as ClickHouse reads them). */
function literal(v: unknown): string {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return `'${String(v).replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function firstLine(e: unknown): string {
  return (e as Error).message.split('\n')[0] ?? 'unknown error';
}

export class ClickHouseJournal implements JournalSink {
  readonly kind = 'clickhouse';

  /** Per table and instance, the highest scan number journaled (see `pastHighest`). */
  private readonly highest = new Map<string, number>();

  private constructor(private readonly client: ClickHouseClient) {}

  /** Connects and applies the DDL (idempotent: `IF NOT EXISTS`). */
  static async open(journal: string): Promise<ClickHouseJournal> {
    const at = parseClickHouseUrl(journal);
    const base = {
      url: `http://${at.host}:${at.port}`,
      username: at.username,
      password: at.password,
      log: { level: ClickHouseLogLevel.OFF },
    };
    // The database must exist before a client can name it as its default.
    const admin = createClient(base);
    const client = createClient({ ...base, database: at.database });
    try {
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${at.database}` });
      for (const t of TABLES) await client.command({ query: createClickHouseTableSql(t) });
    } catch (e) {
      await client.close();
      throw new CheckFailed(`ClickHouse at ${at.host}:${at.port} unavailable: ${firstLine(e)}`);
    } finally {
      await admin.close();
    }
    return new ClickHouseJournal(client);
  }

  /**
   * A segment none of whose keys the journal holds yet (the usual case) goes straight in. Otherwise it goes to a staging table first (RowBinary, exact), is refused if
   * any of its rows differs from one the journal holds under the same key, and is then
   * copied in by the server (a row already there, the same, only adds a duplicate that
   * merges collapse).
   */
  async insertFile(t: TableSpec, path: string): Promise<void> {
    if (await this.allNew(t, path)) {
      await this.stream(t, t.name, path);
      return;
    }
    await this.insertChecked(t, path);
  }

  /**
   * Whether the segment's keys are all absent from the journal. Scan-keyed rows (the bulk)
   * are new when past the instance's highest scan, asked once and then kept (this process
   * is the instance's only writer: spool lock, lease); other keys, a query per 500.
   */
  private async allNew(t: TableSpec, path: string): Promise<boolean> {
    const rows = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    if (t.key.length === 2 && t.key[1] === 'scan_number') return this.pastHighest(t, rows);
    const keys = t.key.join(', ');
    for (let from = 0; from < rows.length; from += KEYS_PER_QUERY) {
      const tuples = rows
        .slice(from, from + KEYS_PER_QUERY)
        .map((row) => `(${t.key.map((k) => literal(row[k])).join(', ')})`);
      const [found] = await this.query(
        `SELECT count() AS n FROM ${t.name} WHERE (${keys}) IN (${tuples.join(', ')})`,
      );
      if (Number(found?.n ?? 1) !== 0) return false;
    }
    return true;
  }

  /** Every row past its instance's highest scan in `t` (and that highest moved on). */
  private async pastHighest(t: TableSpec, rows: Record<string, unknown>[]): Promise<boolean> {
    const top = new Map<string, number>();
    for (const row of rows) {
      const id = String(row.instance_id);
      const cacheKey = `${t.name}\u0000${id}`;
      let highest = this.highest.get(cacheKey);
      if (highest === undefined) {
        const [r] = await this.query(
          `SELECT count() AS n, max(scan_number) AS m FROM ${t.name} WHERE instance_id = ${literal(id)}`,
        );
        highest = Number(r?.n ?? 0) === 0 ? Number.NEGATIVE_INFINITY : Number(r?.m);
        this.highest.set(cacheKey, highest);
      }
      const n = row.scan_number as number;
      if (!(n > highest)) return false;
      top.set(cacheKey, Math.max(top.get(cacheKey) ?? n, n));
    }
    for (const [k, n] of top) this.highest.set(k, n);
    return true;
  }

  private async insertChecked(t: TableSpec, path: string): Promise<void> {
    const stage = `violet_stage_${randomBytes(8).toString('hex')}`;
    await this.client.command({ query: `CREATE TABLE ${stage} AS ${t.name} ENGINE = Memory` });
    try {
      await this.stream(t, stage, path);
      const keys = t.key.join(', ');
      // Each value as "v" + its text, or "n" for NULL, length-prefixed: two rows have the
      // same signature exactly when every column holds the same value.
      const sig = t.columns
        .map((c) => {
          const v = `ifNull(concat('v', toString(${c.name})), 'n')`;
          return `toString(length(${v})), ':', ${v}`;
        })
        .join(', ');
      const clash = await this.query(
        `SELECT ${keys} FROM (SELECT ${keys}, concat(${sig}) AS violet_s FROM ${stage}) AS s ANY INNER JOIN (SELECT ${keys}, concat(${sig}) AS violet_j FROM ${t.name} FINAL WHERE (${keys}) IN (SELECT ${keys} FROM ${stage})) AS j USING (${keys}) WHERE violet_s != violet_j ORDER BY ${keys} LIMIT 1`,
      );
      if (clash[0] !== undefined) throw new JournalConflict(t.name, keyText(t, clash[0]));
      const cols = t.columns.map((c) => c.name).join(', ');
      await this.client.command({
        query: `INSERT INTO ${t.name} (${cols}) SELECT ${cols} FROM ${stage}`,
      });
    } finally {
      await this.client.command({ query: `DROP TABLE IF EXISTS ${stage}` }).catch(() => {});
    }
  }

  /** A spool segment into `into`, as RowBinary in batches. */
  private async stream(t: TableSpec, into: string, path: string): Promise<void> {
    const query = `INSERT INTO ${into} (${t.columns.map((c) => c.name).join(', ')}) FORMAT RowBinary`;
    const insert = async (rows: Buffer, count: number) => {
      try {
        const r = await this.client.exec({ query, values: Readable.from([rows]) });
        r.stream.resume();
        await finished(r.stream);
      } catch (e) {
        // What was sent, beside what the server says of it (a body cut short shows here).
        throw new Error(`${t.name}: ${count} rows (${rows.length} bytes) refused: ${firstLine(e)}`);
      }
    };
    const enc = new RowBinary();
    let n = 0;
    for await (const line of createInterface({
      input: createReadStream(path),
      crlfDelay: Infinity,
    })) {
      if (line === '') continue;
      enc.row(t, JSON.parse(line) as Record<string, unknown>);
      if (++n % BATCH_ROWS === 0) await insert(enc.take(), BATCH_ROWS);
    }
    if (n % BATCH_ROWS !== 0) await insert(enc.take(), n % BATCH_ROWS);
  }

  from(t: TableSpec): string {
    return `${t.name} FINAL`;
  }

  async query(sql: string): Promise<Record<string, Cell>[]> {
    const r = await this.client.query({
      query: sql,
      format: 'JSONEachRow',
      clickhouse_settings: JSON_OUT,
    });
    return r.json<Record<string, Cell>>();
  }

  /** 18.16 writes no Parquet: the rows are fetched as JSON Lines and DuckDB writes the file. */
  async copyTo(s: Selection, format: ExportFormat, out: string): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'violet-clickhouse-'));
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      const fetched = join(dir, 'rows.jsonl');
      const r = await this.client.exec({
        query: `${selectSql(this.from(s.table), s)} FORMAT JSONEachRow`,
        clickhouse_settings: JSON_OUT,
      });
      await pipeline(r.stream, createWriteStream(fetched));
      const columns = s.table.columns.filter((c) => s.columns.includes(c.name));
      const from = readJsonSql(fetched, columns);
      return await copySelection(connection, from, { ...s, instance: null }, format, out);
    } finally {
      connection.closeSync();
      db.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  close(): void {
    void this.client.close();
  }
}
