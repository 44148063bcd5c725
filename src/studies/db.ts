// The study database: an in-memory DuckDB holding the recorded trades as table `trades`
// (and, once cleaned, `clean_trades`). Heavy lifting is SQL; see docs/studies.md.
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export const TRADE_COLUMNS = [
  ['row', 'BIGINT'],
  ['trade_id', 'VARCHAR'],
  ['asset', 'VARCHAR'],
  ['side', 'VARCHAR'],
  ['entry_ts', 'DOUBLE'],
  ['exit_ts', 'DOUBLE'],
  ['entry_price', 'DOUBLE'],
  ['exit_price', 'DOUBLE'],
  ['quantity', 'DOUBLE'],
  ['capital_before', 'DOUBLE'],
  ['leverage', 'DOUBLE'],
  ['pnl', 'DOUBLE'],
  ['exit_reason', 'VARCHAR'],
  ['bars_held', 'DOUBLE'],
  ['vel_div_entry', 'DOUBLE'],
  ['btc_price', 'DOUBLE'],
  ['btc_ma99', 'DOUBLE'],
  ['dvol', 'DOUBLE'],
  ['regime_label', 'VARCHAR'],
  ['composite_hash', 'VARCHAR'],
  ['esof_score', 'DOUBLE'],
] as const;

/** SPEC §2 "Recorded trades": 13 required then 7 optional columns, the shape every study reads. */
export const RECORDED_TRADE_COLUMNS = TRADE_COLUMNS.slice(1).map(([n]) => n);
export const REQUIRED_COLUMNS = TRADE_COLUMNS.slice(1, 14).map(([n]) => n);
export const OPTIONAL_COLUMNS = TRADE_COLUMNS.slice(14).map(([n]) => n);

export function tradesTableSql(name: 'trades' | 'clean_trades'): string {
  return `CREATE TABLE ${name} (${TRADE_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`;
}

export interface StudyDb {
  readonly conn: DuckDBConnection;
  close(): void;
}

export async function openStudyDb(): Promise<StudyDb> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Rows of a query as plain objects (BIGINT as number). */
export async function rows(
  conn: DuckDBConnection,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowObjectsJS().map((o) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'bigint' ? Number(v) : v;
    return out;
  });
}

/** What every study returns: JSON (the keys of docs/studies.md), Markdown, charts. */
export interface StudyResult {
  readonly json: Record<string, unknown>;
  readonly markdown: string;
  readonly charts: readonly { readonly name: string; readonly svg: string }[];
  /** For gating studies (parity): false makes the command exit 1. */
  readonly pass?: boolean;
}
