import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStudyDb, rows, type StudyDb, tradesTableSql } from '../db.js';
import { runColocate } from './index.js';

const T0 = 1_781_395_200_000;
const MIN = 60_000;
const HOUR = 3_600_000;

interface Decision {
  readonly instance: string;
  readonly ts: number;
  readonly asset: string | null;
  readonly actuated: boolean;
}

interface Universe {
  readonly instance: string;
  readonly ts: number;
  readonly symbols: string;
}

const sql = (x: string | null) => (x === null ? 'NULL' : `'${x}'`);

/** A journal file with violet_decisions (the columns colocate reads) and, unless null, violet_universe. */
async function journal(
  path: string,
  decisions: readonly Decision[],
  universe: readonly Universe[] | null,
): Promise<string> {
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  await c.run(`CREATE TABLE violet_decisions (instance_id VARCHAR NOT NULL, scan_number BIGINT NOT NULL,
    ts BIGINT NOT NULL, asset VARCHAR, actuated BOOLEAN NOT NULL)`);
  if (decisions.length > 0) {
    await c.run(
      `INSERT INTO violet_decisions VALUES ${decisions
        .map((d, i) => `(${sql(d.instance)}, ${i + 1}, ${d.ts}, ${sql(d.asset)}, ${d.actuated})`)
        .join(', ')}`,
    );
  }
  if (universe !== null) {
    await c.run(`CREATE TABLE violet_universe (instance_id VARCHAR NOT NULL, scan_number BIGINT NOT NULL,
      ts BIGINT NOT NULL, symbols VARCHAR NOT NULL)`);
    if (universe.length > 0) {
      await c.run(
        `INSERT INTO violet_universe VALUES ${universe
          .map((u, i) => `(${sql(u.instance)}, ${i + 1}, ${u.ts}, ${sql(u.symbols)})`)
          .join(', ')}`,
      );
    }
  }
  c.closeSync();
  inst.closeSync();
  return path;
}

/** clean_trades with the given (asset, entry_ts), other columns plausible. */
async function cleanTrades(trades: readonly { asset: string; entry_ts: number }[]) {
  const db = await openStudyDb();
  await db.conn.run(tradesTableSql('clean_trades'));
  if (trades.length > 0) {
    await db.conn.run(
      `INSERT INTO clean_trades VALUES ${trades
        .map(
          (t, i) =>
            `(${i}, 't${i}', '${t.asset}', 'SHORT', ${t.entry_ts}, ${t.entry_ts + HOUR}, 100, 99, 1, 25000, 3, 1, 'TP', 3, -0.03, NULL, NULL, NULL, NULL, NULL, NULL)`,
        )
        .join(', ')}`,
    );
  }
  return db;
}

// Instance a: universe {BTC, ETH} from T0, {BTC, SOL} from T0 + 1 h.
const UNIVERSE: Universe[] = [
  { instance: 'a', ts: T0, symbols: 'BTCUSDT ETHUSDT' },
  { instance: 'a', ts: T0 + HOUR, symbols: 'BTCUSDT SOLUSDT' },
  { instance: 'b', ts: T0 - HOUR, symbols: 'BTCUSDT ETHUSDT SOLUSDT XRPUSDT' },
];

const DECISIONS: Decision[] = [
  { instance: 'a', ts: T0 + 15 * MIN, asset: 'BTCUSDT', actuated: true }, // trade 0: exactly +5 min
  { instance: 'a', ts: T0 + 2 * HOUR + 5 * MIN + 1, asset: 'ETHUSDT', actuated: true }, // trade 1: 5 min + 1 ms
  { instance: 'a', ts: T0 - 6 * MIN, asset: 'SOLUSDT', actuated: true }, // trade 2: exactly −5 min
  { instance: 'a', ts: T0 + 30 * MIN, asset: 'XRPUSDT', actuated: false }, // trade 3: not actuated
  { instance: 'a', ts: T0 + 3 * HOUR, asset: 'ETHUSDT', actuated: true }, // trade 4: other asset
  { instance: 'b', ts: T0 + 3 * HOUR, asset: 'BTCUSDT', actuated: true }, // trade 4: other instance
  { instance: 'a', ts: T0 + 4 * HOUR, asset: null, actuated: false },
];

const TRADES = [
  { asset: 'BTCUSDT', entry_ts: T0 + 10 * MIN }, // 0: in universe, colocated
  { asset: 'ETHUSDT', entry_ts: T0 + 2 * HOUR }, // 1: left the universe at T0 + 1 h; not colocated
  { asset: 'SOLUSDT', entry_ts: T0 - MIN }, // 2: before any universe row; colocated
  { asset: 'XRPUSDT', entry_ts: T0 + 30 * MIN }, // 3: never in a's universe; not colocated
  { asset: 'BTCUSDT', entry_ts: T0 + 3 * HOUR }, // 4: in universe; not colocated
  { asset: 'SOLUSDT', entry_ts: T0 + HOUR }, // 5: universe row at exactly entry_ts counts
  { asset: 'ETHUSDT', entry_ts: T0 + HOUR }, // 6: ... and replaces the earlier one
];

let dir = '';
let db: StudyDb | null = null;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'violet-colocate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  db?.close();
  db = null;
});

describe('runColocate', () => {
  it('counts universe membership and ±5 min co-location by hand, edges included', async () => {
    const path = await journal(join(dir, 'ab.duckdb'), DECISIONS, UNIVERSE);
    db = await cleanTrades(TRADES);
    const r = await runColocate(db.conn, path, 'a');
    expect(r.json).toEqual({
      trades: 7,
      instance: 'a',
      window_ms: 300_000,
      in_universe: 3, // trades 0, 4, 5
      in_universe_share: 3 / 7,
      colocated: 2, // trades 0, 2
      colocated_share: 2 / 7,
    });
    expect(r.markdown).toContain('| BTCUSDT | 2 | 2 | 1 |');
    expect(r.charts.map((c) => c.name)).toEqual(['colocate.svg']);
    // instance b: everything in its universe; only its BTC decision at trade 4
    const b = await runColocate(db.conn, path, 'b');
    expect(b.json).toMatchObject({ instance: 'b', in_universe: 7, colocated: 1 });
    // the journal is detached again: the connection is reusable and the run repeatable
    expect(
      await rows(db.conn, `SELECT 1 FROM duckdb_databases() WHERE database_name = 'j'`),
    ).toEqual([]);
    expect((await runColocate(db.conn, path, 'a')).json).toEqual(r.json);
  });

  it('takes the only instance when none is given, and lists them when it cannot choose', async () => {
    const path = await journal(join(dir, 'ab2.duckdb'), DECISIONS, UNIVERSE);
    const only = await journal(
      join(dir, 'a.duckdb'),
      DECISIONS.filter((d) => d.instance === 'a'),
      UNIVERSE.filter((u) => u.instance === 'a'),
    );
    db = await cleanTrades(TRADES);
    expect((await runColocate(db.conn, only, null)).json.instance).toBe('a');
    await expect(runColocate(db.conn, path, null)).rejects.toThrow(/2 instances.*a, b/);
    await expect(runColocate(db.conn, path, 'c')).rejects.toThrow(/instance c .*a, b/);
  });

  it('refuses a journal that predates universe recording', async () => {
    const path = await journal(join(dir, 'old.duckdb'), DECISIONS, null);
    db = await cleanTrades(TRADES);
    await expect(runColocate(db.conn, path, 'a')).rejects.toThrow(/predates universe recording/);
    // and detached it on the way out
    expect(
      await rows(db.conn, `SELECT 1 FROM duckdb_databases() WHERE database_name = 'j'`),
    ).toEqual([]);
  });

  it('reads the universe of the greater scan_number when two rows share a ts', async () => {
    const path = await journal(join(dir, 'tie.duckdb'), DECISIONS, [
      { instance: 'a', ts: T0, symbols: 'BTCUSDT' }, // scan 1
      { instance: 'a', ts: T0, symbols: 'ETHUSDT' }, // scan 2: the universe from T0
    ]);
    db = await cleanTrades([
      { asset: 'ETHUSDT', entry_ts: T0 + MIN },
      { asset: 'BTCUSDT', entry_ts: T0 + MIN },
    ]);
    expect((await runColocate(db.conn, path, 'a')).json.in_universe).toBe(1);
    expect((await runColocate(db.conn, path, 'a')).markdown).toContain('| ETHUSDT | 1 | 1 | 0 |');
  });

  it('gives null shares without trades', async () => {
    const path = await journal(join(dir, 'empty.duckdb'), DECISIONS, UNIVERSE);
    db = await cleanTrades([]);
    const r = await runColocate(db.conn, path, 'a');
    expect(r.json).toMatchObject({
      trades: 0,
      in_universe: 0,
      in_universe_share: null,
      colocated: 0,
      colocated_share: null,
    });
  });
});
