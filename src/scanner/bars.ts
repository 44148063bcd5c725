// Reading price bars (SPEC §7): CSV with a header (`ts` or `open_time`, `open, high, low,
// close, volume`, others ignored, optionally `symbol`), Binance's headerless kline files
// (12 columns, open time in ms or µs), or Parquet with the header's names. One or more
// files per symbol (`SYMBOL-….csv`: monthly files are joined), or files with a `symbol`
// column. A bad bar is refused with its file, line and reason.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { UsageError } from '../common/errors.js';
import { stripBom } from '../common/text.js';
import { quote } from '../journal/read.js';

/** One asset's bars, by open time (ms), ascending. */
export interface SymbolBars {
  readonly symbol: string;
  readonly ts: Float64Array;
  /** [open, high, low, close, volume] per bar, flattened. */
  readonly ohlcv: Float64Array;
  /** Where each bar came from, for messages: file index and line. */
  readonly file: Int32Array;
  readonly line: Int32Array;
}

export interface BarSet {
  readonly files: readonly string[];
  /** Sorted by symbol. */
  readonly assets: readonly SymbolBars[];
  /** Identical bars given twice (overlapping files) and dropped. */
  readonly duplicates: number;
}

interface RawBar {
  ts: number;
  o: number[];
  file: number;
  line: number;
}

const MICROS = 1e15;
const SYMBOL = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

function refuse(file: string, line: number, why: string): never {
  throw new UsageError(`--bars ${file} line ${line}: ${why}`);
}

/** Open time in ms: µs values (≥ 10^15, Binance's newer files) are divided down. */
function openTime(v: number, file: string, line: number): number {
  if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v))
    refuse(file, line, `bad open time ${v}`);
  const ms = v >= MICROS ? v / 1000 : v;
  if (!Number.isInteger(ms)) refuse(file, line, `open time ${v} is not a whole millisecond`);
  return ms;
}

function num(text: string | undefined, what: string, file: string, line: number): number {
  const t = (text ?? '').trim();
  const v = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(v)) refuse(file, line, `${what}: not a number (${JSON.stringify(t)})`);
  return v;
}

function prices(o: number[], file: string, line: number): number[] {
  const names = ['open', 'high', 'low', 'close'];
  for (let i = 0; i < 4; i++) {
    if (!((o[i] as number) > 0)) refuse(file, line, `${names[i]} ${o[i]} is not a positive price`);
  }
  if ((o[4] as number) < 0) refuse(file, line, `volume ${o[4]} is negative`);
  return o;
}

/** The symbol a file's name gives (`ETHBTC-5m-2018-01.csv` → ETHBTC). */
function symbolOfName(file: string): string | null {
  const head = basename(file).split(/[-.]/)[0] ?? '';
  return SYMBOL.test(head) ? head : null;
}

type Sink = (symbol: string, bar: RawBar) => void;

function readCsv(path: string, fileIndex: number, add: Sink): void {
  const lines = stripBom(readFileSync(path, 'utf8')).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) refuse(path, 1, 'empty file');
  const first = (lines[0] as string).split(',');
  const headerless = /^\s*\d/.test(first[0] ?? '');
  let cols: { ts: number; o: number[]; symbol: number };
  let start: number;
  if (headerless) {
    cols = { ts: 0, o: [1, 2, 3, 4, 5], symbol: -1 };
    start = 0;
  } else {
    const names = first.map((h) => h.trim().toLowerCase());
    const at = (n: string) => names.indexOf(n);
    const ts = at('ts') >= 0 ? at('ts') : at('open_time');
    const o = ['open', 'high', 'low', 'close', 'volume'].map(at);
    if (ts < 0) refuse(path, 1, 'the header has no ts or open_time column');
    const missing = ['open', 'high', 'low', 'close', 'volume'].filter(
      (_, i) => (o[i] as number) < 0,
    );
    if (missing.length > 0) refuse(path, 1, `the header has no ${missing.join(', ')} column`);
    cols = { ts, o, symbol: at('symbol') };
    start = 1;
  }
  const fromName = symbolOfName(path);
  if (cols.symbol < 0 && fromName === null) {
    refuse(path, 1, 'no symbol: name the file SYMBOL-….csv or give a symbol column');
  }
  const width = headerless ? 12 : first.length;
  for (let i = start; i < lines.length; i++) {
    const line = i + 1;
    const text = lines[i] as string;
    if (text.trim() === '') refuse(path, line, 'empty line');
    const f = text.split(',');
    if (f.length !== width) refuse(path, line, `${f.length} fields, expected ${width}`);
    const ts = openTime(num(f[cols.ts], 'open time', path, line), path, line);
    const o = prices(
      cols.o.map((c, k) =>
        num(f[c], ['open', 'high', 'low', 'close', 'volume'][k] as string, path, line),
      ),
      path,
      line,
    );
    const symbol = cols.symbol >= 0 ? (f[cols.symbol] ?? '').trim() : (fromName as string);
    if (!SYMBOL.test(symbol)) refuse(path, line, `not a symbol: ${JSON.stringify(symbol)}`);
    add(symbol, { ts, o, file: fileIndex, line });
  }
}

async function readParquet(path: string, fileIndex: number, add: Sink): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    let rows: Record<string, unknown>[];
    try {
      rows = (
        await c.runAndReadAll(`SELECT * FROM read_parquet(${quote(path)})`)
      ).getRowObjectsJS();
    } catch (e) {
      refuse(path, 1, `not a readable Parquet file (${(e as Error).message.split('\n')[0]})`);
    }
    const fromName = symbolOfName(path);
    for (const [i, r] of rows.entries()) {
      const line = i + 1;
      const get = (k: string) => {
        const v = r[k];
        return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
      };
      const rawTs = r.ts !== undefined ? get('ts') : get('open_time');
      const ts = openTime(rawTs, path, line);
      const o = prices(['open', 'high', 'low', 'close', 'volume'].map(get), path, line);
      for (const [k, v] of o.entries()) {
        if (!Number.isFinite(v))
          refuse(path, line, `${['open', 'high', 'low', 'close', 'volume'][k]}: not a number`);
      }
      const symbol = typeof r.symbol === 'string' ? r.symbol : fromName;
      if (symbol === null || !SYMBOL.test(symbol)) {
        refuse(path, line, 'no symbol: name the file SYMBOL-….parquet or give a symbol column');
      }
      add(symbol, { ts, o, file: fileIndex, line });
    }
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Reads every file; each file's bars of one symbol must have increasing times. */
export async function readBars(files: readonly string[]): Promise<BarSet> {
  const bySymbol = new Map<string, RawBar[]>();
  for (const [k, path] of files.entries()) {
    const lastTs = new Map<string, number>();
    const add: Sink = (symbol, bar) => {
      const last = lastTs.get(symbol);
      if (last !== undefined && bar.ts <= last) {
        refuse(path, bar.line, `time ${bar.ts} not after the previous bar's ${last}`);
      }
      lastTs.set(symbol, bar.ts);
      let list = bySymbol.get(symbol);
      if (list === undefined) {
        list = [];
        bySymbol.set(symbol, list);
      }
      list.push(bar);
    };
    if (path.endsWith('.parquet')) await readParquet(path, k, add);
    else readCsv(path, k, add);
  }
  let duplicates = 0;
  const assets: SymbolBars[] = [];
  for (const symbol of [...bySymbol.keys()].sort()) {
    const list = (bySymbol.get(symbol) as RawBar[]).sort((a, b) => a.ts - b.ts || a.file - b.file);
    const kept: RawBar[] = [];
    for (const bar of list) {
      const prev = kept.at(-1);
      if (prev !== undefined && prev.ts === bar.ts) {
        if (prev.o.every((x, i) => x === bar.o[i])) {
          duplicates++;
          continue;
        }
        refuse(
          files[bar.file] as string,
          bar.line,
          `${symbol} bar at ${bar.ts} conflicts with ${files[prev.file]} line ${prev.line}`,
        );
      }
      kept.push(bar);
    }
    assets.push({
      symbol,
      ts: Float64Array.from(kept, (b) => b.ts),
      ohlcv: Float64Array.from(kept.flatMap((b) => b.o)),
      file: Int32Array.from(kept, (b) => b.file),
      line: Int32Array.from(kept, (b) => b.line),
    });
  }
  if (assets.length === 0) throw new UsageError('--bars: no bars in the files given');
  return { files, assets, duplicates };
}

/** The most common difference between consecutive bar times (the smallest among ties). */
export function commonInterval(set: BarSet): number {
  const counts = new Map<number, number>();
  for (const a of set.assets) {
    for (let i = 1; i < a.ts.length; i++) {
      const d = (a.ts[i] as number) - (a.ts[i - 1] as number);
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && d < best)) {
      best = d;
      bestCount = c;
    }
  }
  if (best <= 0) throw new UsageError('--bars: cannot tell the interval (give --interval)');
  return best;
}

/** Every bar must sit on the grid (a multiple of the interval). */
export function checkGrid(set: BarSet, intervalMs: number): void {
  for (const a of set.assets) {
    for (let i = 0; i < a.ts.length; i++) {
      const t = a.ts[i] as number;
      if (t % intervalMs !== 0) {
        refuse(
          set.files[a.file[i] as number] as string,
          a.line[i] as number,
          `bar time ${t} is off the ${intervalMs} ms grid`,
        );
      }
    }
  }
}
