import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../common/rng/index.js';
import { ChdbServer } from '../test-support/chdb-http.js';
import { killChildren, REPO, violet, violetChild } from '../test-support/cli.js';
import {
  expectConflictRefused,
  exportJsonl,
  FIRST_SCAN,
  sampleArchive,
  scanNumbers,
  tempDir,
} from '../test-support/journal.js';
import { ClickHouseServer } from '../test-support/servers.js';
import { ClickHouseJournal } from './clickhouse.js';
import { readTable } from './read.js';
import { REJECTS, TRADE_EXIT_LEGS } from './schema.js';

/** What the tests need of a ClickHouse: the Debian 18.16 server, or the current engine. */
interface Backend {
  readonly httpPort: number;
  readonly dir: string;
  url(database: string): string;
  sql(query: string): Promise<string>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

// Every test runs against 18.16 (the Debian package) and against the current engine (chDB,
// served over the same HTTP interface by a process of its own, killed and restarted alike).
const BACKENDS = [
  ['clickhouse-server 18.16', () => ClickHouseServer.start(), true],
  ['current ClickHouse (chDB)', () => ChdbServer.start(), false],
] as const;

describe.each(BACKENDS)('ClickHouse journal on %s', (_name, start, isDebian) => {
  let server: Backend;
  const dir = tempDir();
  /** The local side of a URL journal (spool, stats), under the repo's var/spool/. */
  const local = (db: string) => join(REPO, 'var', 'spool', `127.0.0.1_${server.httpPort}_${db}`);
  const databases: string[] = [];
  const url = (db: string) => {
    databases.push(db);
    return server.url(db);
  };

  beforeAll(async () => {
    server = await start();
  });

  afterAll(async () => {
    killChildren();
    rmSync(dir, { recursive: true, force: true });
    if (server === undefined) return;
    await server.kill();
    for (const db of databases) {
      rmSync(local(db), { recursive: true, force: true });
      rmSync(`${local(db)}.stats.jsonl`, { force: true });
    }
    rmSync(server.dir, { recursive: true, force: true });
  });

  async function exportFile(
    journal: string,
    table: string,
    format: string,
    out: string,
  ): Promise<Buffer> {
    const args = ['--journal', journal, '--table', table, '--format', format, '--out', out];
    const r = await violet(['journal', 'export', ...args]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return readFileSync(out);
  }

  /** Rows of a ClickHouse query (JSONEachRow; integers unquoted). */
  async function rows(sql: string): Promise<Record<string, number>[]> {
    const text = await server.sql(`${sql} FORMAT JSONEachRow`);
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  }

  /** Files left in the journal's spools (one folder per set of instances). */
  function spooled(db: string): string[] {
    if (!existsSync(local(db))) return [];
    return readdirSync(local(db), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  }

  it('journals a shadow soak row for row as DuckDB does, and reads a redelivered row once', async () => {
    const scans = sampleArchive(dir, 3000, 5);
    const journal = url('soak');
    const duck = join(dir, 'soak.duckdb');
    for (const [j, json] of [
      [journal, join(dir, 'ch.json')],
      [duck, join(dir, 'duck.json')],
    ] as const) {
      const r = await violet(['shadow', '--scans', scans, '--journal', j, '--json', json]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const report = readFileSync(join(dir, 'duck.json'), 'utf8');
    expect(readFileSync(join(dir, 'ch.json'), 'utf8')).toBe(report);
    // The same replay again, merges stopped: every row is in twice, every read sees it once.
    await server.sql('SYSTEM STOP MERGES soak.violet_decisions');
    expect((await violet(['shadow', '--scans', scans, '--journal', journal])).status).toBe(0);
    expect(await rows('SELECT count() AS n FROM soak.violet_decisions')).toEqual([{ n: 6000 }]);
    expect(await rows('SELECT count() AS n FROM soak.violet_decisions FINAL')).toEqual([
      { n: 3000 },
    ]);
    const again = join(dir, 'ch-again.json');
    expect((await violet(['soak', 'report', '--journal', journal, '--json', again])).status).toBe(
      0,
    );
    expect(readFileSync(again, 'utf8')).toBe(report);
    for (const f of ['jsonl', 'csv', 'parquet']) {
      const ch = await exportFile(journal, 'violet_decisions', f, join(dir, `ch.${f}`));
      const dk = await exportFile(duck, 'violet_decisions', f, join(dir, `duck.${f}`));
      expect(ch.equals(dk)).toBe(true);
    }
    expect(await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'))).toHaveLength(3000);
    // Booleans are stored as UInt8 0/1 (18.16 has no Bool) and read back as booleans.
    const actuated = await rows(
      'SELECT actuated, count() AS n FROM soak.violet_decisions FINAL GROUP BY actuated ORDER BY actuated',
    );
    expect(actuated.map((r) => r.actuated)).toEqual([0, 1]);
    expect(spooled('soak')).toEqual([]);
    expect(existsSync(`${local('soak')}.stats.jsonl`)).toBe(true);
  });

  it('refuses a different row under a key it holds, and keeps a second day beside the first', async () => {
    await expectConflictRefused(dir, url('conflict'), join(local('conflict'), 'violet-1'));
  });

  it('answers as the version it stands for', async () => {
    const major = Number((await server.sql('SELECT version()')).split('.')[0]);
    expect(isDebian ? major === 18 : major >= 24).toBe(true);
  });

  it('loses and duplicates nothing when ClickHouse is SIGKILLed mid-soak and started again', async () => {
    const n = 6000;
    const scans = sampleArchive(dir, n, 11);
    const journal = url('outage');
    const config = join(dir, 'flush-often.json');
    writeFileSync(config, JSON.stringify({ cadence: { 'journal-flush': { every_scans: 200 } } }));
    const child = violetChild([
      'shadow',
      '--scans',
      scans,
      '--journal',
      journal,
      '--config',
      config,
      '--rate',
      '2000',
    ]);
    const committed = async () =>
      (await rows('SELECT count() AS n FROM outage.violet_decisions FINAL').catch(() => []))[0]
        ?.n ?? 0;
    while ((await committed()) === 0) await new Promise((r) => setTimeout(r, 50));
    await server.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await server.restart();
    const status = await child.exited;
    expect(child.stderr).toMatch(/journal unavailable, rows kept in spool/);
    if (status !== 0) {
      expect(status).toBe(1);
      const drain = await violet(['journal', 'drain', '--journal', journal]);
      expect(drain.status).toBe(0);
    }
    expect(spooled('outage')).toEqual([]);
    const [count] = await rows(
      `SELECT count() AS final, (SELECT uniqExact(instance_id, scan_number) FROM outage.violet_decisions) AS keys,
        (SELECT min(scan_number) FROM outage.violet_decisions) AS lo,
        (SELECT max(scan_number) FROM outage.violet_decisions) AS hi
       FROM outage.violet_decisions FINAL`,
    );
    expect(count).toEqual({ final: n, keys: n, lo: FIRST_SCAN, hi: FIRST_SCAN + n - 1 });
    const decided = await exportJsonl(journal, 'violet_decisions', join(dir, 'o.jsonl'));
    expect(decided.map((r) => r.scan_number)).toEqual(scanNumbers(n));
  });

  it('runs the studies on trades a backtest journaled into ClickHouse', async () => {
    const scans = sampleArchive(dir, 4000, 7);
    const journal = url('backtest');
    const duck = join(dir, 'bt.duckdb');
    for (const [j, name] of [
      [journal, 'ch'],
      [duck, 'duck'],
    ] as const) {
      const out = ['--chart', join(dir, `${name}.svg`), '--json', join(dir, `${name}-bt.json`)];
      const r = await violet(['backtest', '--scans', scans, '--journal', j, ...out]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const summary = JSON.parse(readFileSync(join(dir, 'ch-bt.json'), 'utf8'));
    expect(summary.trades).toBeGreaterThan(5);
    expect(summary).toEqual(JSON.parse(readFileSync(join(dir, 'duck-bt.json'), 'utf8')));

    const json = ['--json', join(dir, 'ch-clean.json')];
    const study = await violet([
      'study',
      'clean',
      '--journal',
      journal,
      '--table',
      'violet_trades',
      ...json,
    ]);
    expect(study.stderr).toBe('');
    expect(study.status).toBe(0);
    // The same table exported from the DuckDB twin, through the file loader.
    const trades = join(dir, 'duck-trades.jsonl');
    await exportFile(duck, 'violet_trades', 'jsonl', trades);
    const twin = await violet([
      'study',
      'clean',
      '--trades',
      trades,
      '--json',
      join(dir, 'duck-clean.json'),
    ]);
    expect(twin.status).toBe(0);
    const clean = JSON.parse(readFileSync(join(dir, 'ch-clean.json'), 'utf8'));
    expect(clean).toEqual(JSON.parse(readFileSync(join(dir, 'duck-clean.json'), 'utf8')));
    expect(clean.clean_trades).toBeGreaterThan(0);

    // Co-location reads the decisions and universe from ClickHouse as from DuckDB.
    const colocated = [];
    for (const [k, j] of [journal, duck].entries()) {
      const out = join(dir, `colocate-${k}.json`);
      const r = await violet([
        'study',
        'colocate',
        '--journal',
        j,
        '--decisions',
        j,
        '--json',
        out,
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      colocated.push(JSON.parse(readFileSync(out, 'utf8')));
    }
    expect(colocated[0]).toEqual(colocated[1]);
    expect(colocated[0].colocated).toBeGreaterThan(0);
  });

  it('stores strings, nulls, integers and doubles exactly, and reads a segment inserted twice once', async () => {
    const rng = new Rng(42);
    // Any finite double, from its bits.
    const double = () => {
      const v = new DataView(new ArrayBuffer(8));
      do {
        v.setUint32(0, rng.u32());
        v.setUint32(4, rng.u32());
      } while (!Number.isFinite(v.getFloat64(0)));
      return v.getFloat64(0);
    };
    const legs = Array.from({ length: 2000 }, (_, i) => ({
      instance_id: 'exact',
      trade_id: `t${String(i).padStart(5, '0')}`,
      leg_no: i % 2 === 0 ? -(2 ** 31) : 2 ** 31 - 1,
      scan_number: Number.MAX_SAFE_INTEGER - i,
      ts: i,
      reason: 'TP1',
      quantity: i % 3 === 0 ? rng.uniform(0, 3) : double(),
      price: double(),
      fee: 5e-324,
      pnl: -1.7976931348623157e308,
    }));
    const rejects = [
      { source: 'a', source_seq: 1, scan_number: null, reason: 'it\'s \\ "quoted"\n', raw: '' },
      {
        source: 'a',
        source_seq: 2,
        scan_number: 7,
        reason: 'é'.repeat(100),
        raw: 'x'.repeat(20_000),
      },
      { source: 'b', source_seq: 1, scan_number: 0, reason: '€ 😀', raw: '{"scan_number": 1,' },
      // A key with a quote and a backslash: looked up as a literal, stored as it is.
      { source: "it's\\a", source_seq: 3, scan_number: 2, reason: 'r', raw: '' },
    ].map((r) => ({ instance_id: 'exact', ...r }));
    const sink = await ClickHouseJournal.open(url('exact'));
    try {
      for (const [t, written] of [
        [TRADE_EXIT_LEGS, legs],
        [REJECTS, rejects],
      ] as const) {
        const segment = join(dir, `${t.name}.jsonl`);
        writeFileSync(segment, `${written.map((r) => JSON.stringify(r)).join('\n')}\n`);
        await sink.insertFile(t, segment);
        await sink.insertFile(t, segment);
        expect(await readTable(sink, t, 'exact')).toEqual(written);
      }
    } finally {
      sink.close();
    }
  });

  it('drains every spool of a journal, the earlier one-per-journal layout included', async () => {
    const journal = url('legacy');
    const row = (instance: string, seq: number) =>
      JSON.stringify({
        instance_id: instance,
        source: 'feed',
        source_seq: seq,
        scan_number: null,
        reason: 'x: bad',
        raw: '{',
      });
    mkdirSync(join(local('legacy'), 'b+c'), { recursive: true });
    writeFileSync(join(local('legacy'), '000000000001.violet_rejects.jsonl'), `${row('a', 1)}\n`);
    writeFileSync(
      join(local('legacy'), 'b+c', '000000000001.violet_rejects.jsonl'),
      `${row('b', 1)}\n${row('c', 2)}\n`,
    );
    const r = await violet(['journal', 'drain', '--journal', journal]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`drained 3 spooled rows into ${journal}\n`);
    expect(
      await rows(
        'SELECT instance_id, source_seq FROM legacy.violet_rejects FINAL ORDER BY instance_id',
      ),
    ).toEqual([
      { instance_id: 'a', source_seq: 1 },
      { instance_id: 'b', source_seq: 1 },
      { instance_id: 'c', source_seq: 2 },
    ]);
    expect(spooled('legacy')).toEqual([]);
  });

  it('drains at start what another set of instances left in its spool', async () => {
    const journal = url('leftover');
    const dead = join(local('leftover'), 'x+y');
    mkdirSync(dead, { recursive: true });
    const left = { instance_id: 'x', source: 'feed', source_seq: 9, scan_number: 3 };
    writeFileSync(
      join(dead, '000000000001.violet_rejects.jsonl'),
      `${JSON.stringify({ ...left, reason: 'r', raw: '' })}\n`,
    );
    const scans = sampleArchive(dir, 20, 12);
    const r = await violet(['shadow', '--scans', scans, '--journal', journal]);
    expect(r.status).toBe(0);
    expect(await rows('SELECT instance_id, source_seq FROM leftover.violet_rejects FINAL')).toEqual(
      [{ instance_id: 'x', source_seq: 9 }],
    );
    expect(await rows('SELECT count() AS n FROM leftover.violet_decisions FINAL')).toEqual([
      { n: 20 },
    ]);
    expect(spooled('leftover')).toEqual([]);
  });

  it('refuses a malformed URL as a usage error', async () => {
    const r = await violet(['journal', 'drain', '--journal', 'clickhouse://127.0.0.1/violet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /--journal: expected clickhouse:\/\/\[user\[:password\]@\]HOST:PORT\/DB/,
    );
  });
});
