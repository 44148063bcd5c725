// Loading recorded trades (CSV, JSON Lines, Parquet, or a journal table) into the study
// database as table `trades`, with a column map for other exports. A missing column or an
// unparsable value is refused with the column's name and the first bad row.
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../common/errors.js';
import { stripBom } from '../common/text.js';
import { lockedJournal } from '../journal/duckdb.js';
import { OPTIONAL_COLUMNS, REQUIRED_COLUMNS, rows, type StudyDb, TRADE_COLUMNS } from './db.js';

export type TradeSource =
  | { readonly file: string }
  | { readonly journal: string; readonly table: string };

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const TIMES = new Set(['entry_ts', 'exit_ts']);

const isJson = (f: string) => f.endsWith('.jsonl') || f.endsWith('.ndjson') || f.endsWith('.json');

function reader(src: TradeSource): string {
  if ('journal' in src) return `j.${ident(src.table)}`;
  const f = src.file;
  // DuckDB would read every file the pattern matches, silently.
  if (/[*?[\]{}]/.test(basename(f))) {
    throw new UsageError(
      `--trades ${f}: a file name with a glob character (* ? [ ] { }) is refused`,
    );
  }
  if (f.endsWith('.csv')) {
    // The header is read here, not guessed: every row must have its fields (strict mode).
    const columns = csvHeader(f)
      .map((name) => `${q(name)}: 'VARCHAR'`)
      .join(', ');
    return `read_csv(${q(f)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${columns}}, strict_mode = true)`;
  }
  if (isJson(f)) {
    return `read_json(${q(f)}, format = 'newline_delimited')`;
  }
  if (f.endsWith('.parquet')) return `read_parquet(${q(f)})`;
  throw new UsageError(`--trades: expected a .csv, .jsonl or .parquet file, not ${f}`);
}

/**
 * The column names of a CSV file's header line (RFC 4180 quoting; a byte-order mark is not
 * content). An empty or repeated name is refused: DuckDB would rename it and a study would
 * silently read the other column.
 */
export function csvHeader(file: string): string[] {
  const fd = openSync(file, 'r');
  let text = '';
  try {
    const b = Buffer.alloc(65_536);
    const n = readSync(fd, b, 0, b.length, 0);
    text = stripBom(b.toString('utf8', 0, n));
  } finally {
    closeSync(fd);
  }
  const names: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      names.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') break;
    else field += ch;
  }
  if (quoted || (i === text.length && text.length === 65_536)) {
    throw new UsageError(`--trades ${file}: the header line does not end (an open quote?)`);
  }
  names.push(field);
  const seen = new Set<string>();
  for (const name of names) {
    if (name.trim() === '')
      throw new UsageError(`--trades ${file}: the header has an empty column name`);
    if (seen.has(name)) {
      throw new UsageError(`--trades ${file}: column ${name} appears twice in the header`);
    }
    seen.add(name);
  }
  return names;
}

/** DuckDB's strict-mode refusal of a row as one line: file, line, fields expected and found. */
function raggedRow(e: unknown, file: string): UsageError | null {
  const m = /CSV Error on Line: (\d+)[\s\S]*Expected Number of Columns: (\d+) Found: (\d+)/.exec(
    (e as Error).message,
  );
  if (m === null) return null;
  return new UsageError(
    `--trades ${file} line ${m[1]}: ${m[3]} fields where the header has ${m[2]} (a ragged row)`,
  );
}

function readError(e: unknown): UsageError {
  return new UsageError(`cannot read trades: ${(e as Error).message.split('\n')[0]}`);
}

/** Whether a file starts with a UTF-8 byte-order mark. */
async function marked(file: string): Promise<boolean> {
  const h = await open(file, 'r');
  try {
    const b = Buffer.alloc(3);
    const { bytesRead } = await h.read(b, 0, 3, 0);
    return bytesRead === 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  } finally {
    await h.close();
  }
}

/** "old=new,old2=new2": source column old is read as new. */
export function parseMap(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text === '') return out;
  for (const pair of text.split(',')) {
    const [from, to, ...rest] = pair.split('=').map((s) => s.trim());
    if (!from || !to || rest.length > 0)
      throw new UsageError(`--map: expected old=new pairs, got "${pair}"`);
    out[to] = from;
  }
  return out;
}

function numberExpr(col: string, target: string): string {
  const v = `TRY_CAST(${col} AS DOUBLE)`;
  return TIMES.has(target) ? `COALESCE(${v}, epoch_ms(TRY_CAST(${col} AS TIMESTAMP))::DOUBLE)` : v;
}

/** Loads the trades; returns the number of rows. */
export async function loadTrades(
  db: StudyDb,
  src: TradeSource,
  map: Record<string, string>,
): Promise<number> {
  const c = db.conn;
  if ('journal' in src) {
    await c.run(`ATTACH ${q(src.journal)} AS j (READ_ONLY)`).catch((e: unknown) => {
      throw lockedJournal(e, src.journal);
    });
  }
  // Parquet carries its own row numbers and columnar reads are cheap: read it in place.
  // Other sources are materialised once so `rowid` is the file order.
  const parquet = 'file' in src && src.file.endsWith('.parquet');
  const rowid = parquet ? 'file_row_number' : 'rowid';
  // DuckDB's JSON reader refuses a UTF-8 byte-order mark: such a file is read from a copy
  // without it (materialised at once, then removed).
  const unmarked = 'file' in src && isJson(src.file) && (await marked(src.file));
  const copyDir = unmarked ? mkdtempSync(join(tmpdir(), 'violet-trades-')) : null;
  const from: TradeSource =
    copyDir === null ? src : { file: join(copyDir, basename((src as { file: string }).file)) };
  try {
    if (copyDir !== null) {
      const file = (src as { file: string }).file;
      await pipeline(
        createReadStream(file, { start: 3 }),
        createWriteStream((from as { file: string }).file),
      );
    }
    await c.run(
      parquet
        ? `CREATE VIEW raw AS SELECT * FROM read_parquet(${q((src as { file: string }).file)}, file_row_number = true)`
        : `CREATE TABLE raw AS SELECT * FROM ${reader(from)}`,
    );
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if ('file' in src) throw raggedRow(e, src.file) ?? readError(e);
    throw readError(e);
  } finally {
    if (copyDir !== null) rmSync(copyDir, { recursive: true, force: true });
  }
  const present = new Set((await rows(c, 'DESCRIBE raw')).map((r) => String(r.column_name)));
  present.delete('file_row_number');
  const source = (target: string) => map[target] ?? target;
  const missing = REQUIRED_COLUMNS.filter((t) => !present.has(source(t)));
  if (missing.length > 0) {
    const hint = [...present].join(', ');
    throw new UsageError(
      `missing required column ${missing.map((m) => source(m)).join(', ')} (the file has: ${hint}; map others with --map old=new)`,
    );
  }
  const types = new Map<string, string>(TRADE_COLUMNS.map(([n, t]) => [n, t]));
  const checks: string[] = [];
  const exprs: string[] = [`${rowid} AS row`];
  for (const [target] of TRADE_COLUMNS.slice(1)) {
    const has = present.has(source(target));
    const required = (REQUIRED_COLUMNS as readonly string[]).includes(target);
    if (!has) {
      exprs.push(`NULL::${types.get(target)} AS ${target}`);
      continue;
    }
    const col = ident(source(target));
    if (types.get(target) === 'DOUBLE') {
      const v = numberExpr(col, target);
      const bad = `(${col} IS NOT NULL AND (${v} IS NULL OR NOT isfinite(${v})))${required ? ` OR ${col} IS NULL` : ''}`;
      checks.push(`min(CASE WHEN ${bad} THEN ${rowid} END) AS ${ident(target)}`);
      exprs.push(`${v} AS ${target}`);
    } else {
      if (required)
        checks.push(`min(CASE WHEN ${col} IS NULL THEN ${rowid} END) AS ${ident(target)}`);
      exprs.push(`CAST(${col} AS VARCHAR) AS ${target}`);
    }
  }
  const [firstBad] = await rows(c, `SELECT ${checks.join(', ')} FROM raw`);
  for (const [target, row] of Object.entries(firstBad ?? {})) {
    if (row === null || row === undefined) continue;
    const [v] = await rows(
      c,
      `SELECT CAST(${ident(source(target))} AS VARCHAR) AS v FROM raw WHERE rowid = ${row}`,
    );
    const what =
      v?.v === null || v?.v === undefined
        ? 'is empty'
        : `has ${JSON.stringify(v.v)}, not a finite number`;
    throw new UsageError(`column ${source(target)}: row ${Number(row) + 1} ${what}`);
  }
  // A CTAS keeps insertion order, so `row` stays file order without a sort.
  await c.run(`CREATE TABLE trades AS SELECT ${exprs.join(', ')} FROM raw`);
  await c.run(parquet ? 'DROP VIEW raw' : 'DROP TABLE raw');
  if ('journal' in src) await c.run('DETACH j');
  const [n] = await rows(c, 'SELECT count(*) AS n FROM trades');
  return Number(n?.n ?? 0);
}

export { OPTIONAL_COLUMNS };
