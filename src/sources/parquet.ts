// Scan archive replay from Parquet, read by DuckDB in row order, streamed chunk by chunk.
// Each row becomes the same JSON scan a JSON Lines archive holds: map and struct columns
// (prices, ob_imbalance, acb, esof) become objects, and a null inside a map means absent.
import { DuckDBInstance } from '@duckdb/node-api';
import type { ScanSource, SourceRecord } from '../engine/ports.js';

const MAPS = ['prices', 'ob_imbalance', 'acb'];

function dropNulls(o: unknown): unknown {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null) out[k] = v;
  return out;
}

function scanText(json: string): string {
  const o = JSON.parse(json) as Record<string, unknown>;
  for (const m of MAPS) if (m in o) o[m] = dropNulls(o[m]);
  for (const [k, v] of Object.entries(o)) if (v === null) delete o[k];
  return JSON.stringify(o);
}

/** Why DuckDB cannot read `path` as Parquet (one line), or null when it can. */
export async function parquetProblem(path: string): Promise<string | null> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`SELECT count(*) FROM read_parquet('${path.replaceAll("'", "''")}')`);
    return null;
  } catch (e) {
    return `${path}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`;
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

export function parquetSource(path: string): ScanSource {
  return {
    name: path,
    bytes: null,
    async *batches() {
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      try {
        const file = path.replaceAll("'", "''");
        const result = await c.stream(
          `SELECT to_json(t)::VARCHAR AS j FROM read_parquet('${file}') t`,
        );
        let seq = 0;
        for (;;) {
          const chunk = await result.fetchChunk();
          if (chunk === null || chunk.rowCount === 0) break;
          const out: SourceRecord[] = [];
          for (const v of chunk.getColumnValues(0)) {
            seq++;
            out.push({ seq, text: scanText(String(v)) });
          }
          yield out;
        }
      } finally {
        c.closeSync();
        db.closeSync();
      }
    },
  };
}

/** Writes a JSON Lines scan archive as Parquet (nested fields as structs), in row order. */
export async function jsonlToParquet(jsonl: string, parquet: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const src = jsonl.replaceAll("'", "''");
    const dst = parquet.replaceAll("'", "''");
    await c.run(
      `COPY (SELECT * FROM read_json('${src}', format = 'newline_delimited', sample_size = -1)) TO '${dst}' (FORMAT PARQUET)`,
    );
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
