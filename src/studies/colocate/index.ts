// colocate (seed §9): are the recorded trades inside VIOLET's decision universe at entry,
// and did VIOLET actuate a decision on the same asset within ±5 min? Reads one instance of
// a decisions journal (violet_decisions, violet_universe), attached read-only.
import type { DuckDBConnection } from '@duckdb/node-api';
import { barChartSvg } from '../../common/chart.js';
import { UsageError } from '../../common/errors.js';
import { percent } from '../../common/format.js';
import { lockedJournal } from '../../journal/duckdb.js';
import { rows, type StudyResult } from '../db.js';

const WINDOW_MS = 300_000;

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The instance to study: the given one, or the journal's only one. */
async function pickInstance(conn: DuckDBConnection, instance: string | null): Promise<string> {
  const found = (
    await rows(
      conn,
      `SELECT DISTINCT instance_id FROM (
         SELECT instance_id FROM j.violet_decisions
         UNION ALL SELECT instance_id FROM j.violet_universe)
       ORDER BY instance_id`,
    )
  ).map((r) => String(r.instance_id));
  const listed = found.length === 0 ? 'none' : found.join(', ');
  if (instance !== null) {
    if (!found.includes(instance)) {
      throw new UsageError(`instance ${instance} is not in the journal (instances: ${listed})`);
    }
    return instance;
  }
  if (found.length !== 1) {
    throw new UsageError(
      `the journal holds ${found.length} instances, choose one with --instance (instances: ${listed})`,
    );
  }
  return found[0] as string;
}

async function requireTables(conn: DuckDBConnection, journalPath: string): Promise<void> {
  const tables = new Set(
    (await rows(conn, `SELECT table_name FROM duckdb_tables() WHERE database_name = 'j'`)).map(
      (r) => String(r.table_name),
    ),
  );
  if (!tables.has('violet_decisions')) {
    throw new UsageError(`${journalPath}: not a decisions journal (no violet_decisions table)`);
  }
  if (!tables.has('violet_universe')) {
    throw new UsageError(
      `${journalPath}: the journal predates universe recording (no violet_universe table); record it with a current engine`,
    );
  }
}

interface AssetCounts {
  readonly asset: string;
  readonly trades: number;
  readonly in_universe: number;
  readonly colocated: number;
}

/**
 * Per asset: clean trades, those in the universe at entry_ts (latest universe row with
 * ts ≤ entry_ts; same ts: the greater scan_number), those within the window of an actuated
 * decision on the same asset.
 */
async function countByAsset(conn: DuckDBConnection, instance: string): Promise<AssetCounts[]> {
  const id = q(instance);
  const r = await rows(
    conn,
    `WITH u AS (
       SELECT ts::DOUBLE AS ts, string_split(symbols, ' ') AS symbols
       FROM j.violet_universe WHERE instance_id = ${id}
       QUALIFY row_number() OVER (PARTITION BY ts ORDER BY scan_number DESC) = 1),
     a AS (
       SELECT ts::DOUBLE AS ts, asset FROM j.violet_decisions
       WHERE instance_id = ${id} AND actuated AND asset IS NOT NULL),
     t AS (
       SELECT t.asset, t.entry_ts,
         coalesce(list_contains(u.symbols, t.asset), false) AS in_universe
       FROM clean_trades t ASOF LEFT JOIN u ON t.entry_ts >= u.ts)
     SELECT asset, count(*) AS trades,
       count(*) FILTER (WHERE in_universe) AS in_universe,
       count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM a WHERE a.asset = t.asset
           AND abs(a.ts - t.entry_ts) <= ${WINDOW_MS})) AS colocated
     FROM t GROUP BY asset ORDER BY asset`,
  );
  return r.map((x) => ({
    asset: String(x.asset),
    trades: Number(x.trades),
    in_universe: Number(x.in_universe),
    colocated: Number(x.colocated),
  }));
}

export async function runColocate(
  conn: DuckDBConnection,
  journalPath: string,
  instance: string | null,
): Promise<StudyResult> {
  await conn.run(`ATTACH ${q(journalPath)} AS j (READ_ONLY)`).catch((e: unknown) => {
    throw lockedJournal(e, journalPath);
  });
  let picked: string;
  let byAsset: AssetCounts[];
  try {
    await requireTables(conn, journalPath);
    picked = await pickInstance(conn, instance);
    byAsset = await countByAsset(conn, picked);
  } finally {
    await conn.run('DETACH j');
  }
  const sum = (k: 'trades' | 'in_universe' | 'colocated') => byAsset.reduce((s, a) => s + a[k], 0);
  const trades = sum('trades');
  const inUniverse = sum('in_universe');
  const colocated = sum('colocated');
  const share = (n: number) => (trades === 0 ? null : n / trades);
  const json = {
    trades,
    instance: picked,
    window_ms: WINDOW_MS,
    in_universe: inUniverse,
    in_universe_share: share(inUniverse),
    colocated,
    colocated_share: share(colocated),
  };
  const pct = (x: number | null) => percent(x);
  const markdown = `# Co-location with the decision journal

Instance ${picked}. ${trades} clean trades; in the decision universe at entry: ${inUniverse} (${pct(json.in_universe_share)}); an actuated decision on the same asset within ±${WINDOW_MS / 60_000} min: ${colocated} (${pct(json.colocated_share)}).

| asset | trades | in universe | colocated |
| --- | --- | --- | --- |
${byAsset.map((a) => `| ${a.asset} | ${a.trades} | ${a.in_universe} | ${a.colocated} |`).join('\n')}
`;
  const chart = barChartSvg(
    `clean trades vs decision journal (${picked})`,
    ['trades', 'in universe', `colocated ±${WINDOW_MS / 60_000} min`],
    [trades, inUniverse, colocated],
  );
  return { json, markdown, charts: [{ name: 'colocate.svg', svg: chart }] };
}
