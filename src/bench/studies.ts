// Studies at scale (issue 5): clean + margin rows/s on 10,000,000 recorded-trade rows
// (duplicated emissions, artifacts), against a bare DuckDB scan of the same file.
import { existsSync, mkdirSync } from 'node:fs';
import { runClean } from '../studies/clean/index.js';
import { openStudyDb, rows } from '../studies/db.js';
import { loadTrades } from '../studies/load.js';
import { runMargin } from '../studies/margin/index.js';
import type { Figure } from './harness.js';

async function makeFile(path: string, n: number): Promise<void> {
  const db = await openStudyDb();
  try {
    // ~4 rows per trade_id (identical emissions), every 50th id a conflict, artifacts sprinkled.
    await db.conn.run(`COPY (
      SELECT 't' || (i // 4) AS trade_id,
        'A' || ((i // 4) % 37) || 'USDT' AS asset,
        'SHORT' AS side,
        1.78e12 + (i // 4) * 600000.0 AS entry_ts,
        1.78e12 + (i // 4) * 600000.0 + 300000 + (CASE WHEN (i // 4) % 50 = 0 THEN i % 4 ELSE 0 END) AS exit_ts,
        100.0 + ((i // 4) % 1000) / 10.0 AS entry_price,
        100.0 + ((i // 4) % 997) / 10.0 AS exit_price,
        1.0 + ((i // 4) % 13) / 10.0 AS quantity,
        30000.0 + ((i // 4) % 5000) AS capital_before,
        0.5 + ((i // 4) % 85) / 10.0 AS leverage,
        ((i // 4) % 201) - 100.0 + (CASE WHEN (i // 4) % 50 = 0 THEN i % 4 ELSE 0 END) AS pnl,
        CASE WHEN (i // 4) % 97 = 0 THEN 'HIBERNATE_HALT' ELSE 'TP2' END AS exit_reason,
        CASE WHEN (i // 4) % 89 = 0 THEN 0 ELSE 1 + (i // 4) % 120 END AS bars_held,
        -0.02 - ((i // 4) % 60) / 1000.0 AS vel_div_entry
      FROM range(${n}) t(i)) TO '${path}' (FORMAT PARQUET)`);
  } finally {
    db.close();
  }
}

export async function benchStudies(n: number): Promise<Figure[]> {
  mkdirSync('var/bench', { recursive: true });
  const path = `var/bench/trades-${n}.parquet`;
  if (!existsSync(path)) await makeFile(path, n);
  const base = await openStudyDb();
  const t0 = process.hrtime.bigint();
  await rows(
    base.conn,
    `SELECT count(*), sum(pnl), count(DISTINCT trade_id) FROM read_parquet('${path}')`,
  );
  const scan = Number(process.hrtime.bigint() - t0) / 1e9;
  base.close();
  const db = await openStudyDb();
  const t1 = process.hrtime.bigint();
  await loadTrades(db, { file: path }, {});
  const clean = await runClean(db.conn);
  await runMargin(db.conn, { maxP95Util: 0.75 });
  const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
  db.close();
  if (clean.json.rows !== n) throw new Error(`clean read ${clean.json.rows} of ${n} rows`);
  return [
    {
      bench: 'studies',
      metric: `clean + margin rows/s (${n} rows, load and validation included)`,
      value: n / seconds,
      unit: 'rows/s',
      baseline: 'bare DuckDB scan (count, sum, distinct ids)',
      baselineValue: n / scan,
      ratio: scan / seconds,
      target: 'value >= 1000000',
      pass: n / seconds >= 1_000_000,
    },
  ];
}
