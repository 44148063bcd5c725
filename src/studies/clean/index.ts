// clean (seed §4): deduplicate emissions, resolve conflicts, drop HIBERNATE_HALT and
// zero-bar artifacts; raw vs clean PnL and the capital-trajectory cross-check. Creates
// table `clean_trades`, which every other study reads.

import type { DuckDBConnection } from '@duckdb/node-api';
import { barChartSvg } from '../../common/chart.js';
import { significant } from '../../common/format.js';
import { rows, type StudyResult } from '../db.js';

const nz = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Builds `clean_trades` from `trades` (docs/studies.md, clean). */
export async function createCleanTrades(c: DuckDBConnection): Promise<void> {
  // Per trade_id: identical emissions keep their first row; conflicts the greatest exit_ts,
  // ties to the later row. Aggregates, not a window: one hash pass over the rows.
  await c.run(`CREATE TABLE _ids AS
    SELECT trade_id, count(*) AS n, min(pnl) = max(pnl) AS identical,
      CASE WHEN min(pnl) = max(pnl) THEN min(row) ELSE arg_max(row, (exit_ts, row)) END AS keep
    FROM trades GROUP BY trade_id`);
  await c.run('CREATE TABLE _kept AS SELECT t.* FROM trades t SEMI JOIN _ids k ON t.row = k.keep');
  // A view, not a copy: studies that need file order sort by `row` themselves.
  await c.run(`CREATE VIEW clean_trades AS
    SELECT * FROM _kept WHERE exit_reason <> 'HIBERNATE_HALT' AND bars_held <> 0`);
}

export async function runClean(c: DuckDBConnection): Promise<StudyResult> {
  await createCleanTrades(c);
  const [ids] = await rows(
    c,
    `SELECT count(*) AS trade_ids,
       count(*) FILTER (WHERE n >= 2) AS multi,
       count(*) FILTER (WHERE n >= 2 AND identical) AS identical,
       max(n) AS max_rows,
       count(*) FILTER (WHERE NOT identical) AS conflicting
     FROM _ids`,
  );
  const [raw] = await rows(c, 'SELECT count(*) AS rows, sum(pnl) AS raw_pnl FROM trades');
  const [kept] = await rows(
    c,
    `SELECT count(*) FILTER (WHERE exit_reason = 'HIBERNATE_HALT') AS hib,
       count(*) FILTER (WHERE exit_reason <> 'HIBERNATE_HALT' AND bars_held = 0) AS zero,
       sum(pnl) FILTER (WHERE exit_reason = 'HIBERNATE_HALT' OR bars_held = 0) AS dropped_pnl
     FROM _kept`,
  );
  const [clean] = await rows(
    c,
    `SELECT count(*) AS n, sum(pnl) AS pnl, avg(CASE WHEN pnl > 0 THEN 1.0 ELSE 0.0 END) AS win FROM clean_trades`,
  );
  const ends = await rows(
    c,
    `(SELECT 'first' AS k, entry_ts, capital_before FROM clean_trades ORDER BY entry_ts, row LIMIT 1)
     UNION ALL
     (SELECT 'last' AS k, entry_ts, capital_before FROM clean_trades ORDER BY entry_ts DESC, row DESC LIMIT 1)`,
  );
  const first = ends.find((e) => e.k === 'first');
  const last = ends.find((e) => e.k === 'last');
  const multi = Number(ids?.multi ?? 0);
  const rawPnl = Number(raw?.raw_pnl ?? 0);
  const cleanPnl = Number(clean?.pnl ?? 0);
  const droppedPnl = Number(kept?.dropped_pnl ?? 0);
  const json = {
    rows: Number(raw?.rows ?? 0),
    trade_ids: Number(ids?.trade_ids ?? 0),
    multi_row_trade_ids: multi,
    identical_multi_row_share: multi === 0 ? null : Number(ids?.identical) / multi,
    max_rows_per_trade_id: nz(ids?.max_rows),
    conflicting_trade_ids: Number(ids?.conflicting ?? 0),
    dropped_hibernate: Number(kept?.hib ?? 0),
    dropped_zero_bars: Number(kept?.zero ?? 0),
    raw_pnl: rawPnl,
    clean_trades: Number(clean?.n ?? 0),
    clean_pnl: cleanPnl,
    clean_win_rate: nz(clean?.win),
    artifact_share_of_raw_loss: rawPnl < 0 ? droppedPnl / rawPnl : null,
    capital_check: {
      first_entry_ts: nz(first?.entry_ts),
      last_entry_ts: nz(last?.entry_ts),
      first_capital_before: nz(first?.capital_before),
      last_capital_before: nz(last?.capital_before),
      growth:
        first === undefined ? null : Number(last?.capital_before) - Number(first.capital_before),
      clean_pnl: cleanPnl,
    },
  };
  const f = (v: unknown) =>
    typeof v === 'number' || v === null ? significant(v, 8, { integers: 'rounded' }) : String(v);
  const markdown = `# Recorded trades: clean

| | |
| --- | --- |
| rows → distinct trade_ids | ${json.rows} → ${json.trade_ids} |
| multi-row trade_ids (identical pnl share) | ${json.multi_row_trade_ids} (${f(json.identical_multi_row_share)}) |
| max rows per trade_id | ${f(json.max_rows_per_trade_id)} |
| conflicting trade_ids | ${json.conflicting_trade_ids} |
| dropped HIBERNATE_HALT / bars_held = 0 | ${json.dropped_hibernate} / ${json.dropped_zero_bars} |
| raw pnl (all rows) | ${f(json.raw_pnl)} |
| clean trades, pnl, win rate | ${json.clean_trades}, ${f(json.clean_pnl)}, ${f(json.clean_win_rate)} |
| artifact share of the raw loss | ${f(json.artifact_share_of_raw_loss)} |
| capital_before growth (first → last clean trade) beside clean pnl | ${f(json.capital_check.growth)} vs ${f(cleanPnl)} |
`;
  const chart = barChartSvg(
    'raw vs clean pnl',
    ['raw (all rows)', 'dropped artifacts', 'clean'],
    [rawPnl, droppedPnl, cleanPnl],
  );
  return { json, markdown, charts: [{ name: 'clean-pnl.svg', svg: chart }] };
}
