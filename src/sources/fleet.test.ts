import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, REPO, violet, violetChild } from '../test-support/cli.js';
import { exportJsonl, sampleArchive, tempDir } from '../test-support/journal.js';
import { ClickHouseServer, NatsServer } from '../test-support/servers.js';

type Row = Record<string, unknown>;

let nats: NatsServer;
let clickhouse: ClickHouseServer;
const dir = tempDir();
const local = () => join(REPO, 'var', 'spool', `127.0.0.1_${clickhouse.httpPort}_fleet`);

beforeAll(async () => {
  nats = await NatsServer.create();
  clickhouse = await ClickHouseServer.start();
});

afterAll(async () => {
  killChildren();
  await nats?.stop('SIGKILL');
  if (clickhouse !== undefined) {
    await clickhouse.kill();
    rmSync(local(), { recursive: true, force: true });
    rmSync(`${local()}.stats.jsonl`, { force: true });
    rmSync(clickhouse.dir, { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
});

async function ok(args: readonly string[]): Promise<string> {
  const r = await violet(args);
  if (r.status !== 0) throw new Error(`violet ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

let exports = 0;
async function decisions(journal: string, instance: string): Promise<Row[]> {
  return (await exportJsonl(journal, 'violet_decisions', join(dir, `d${++exports}.jsonl`))).filter(
    (r) => r.instance_id === instance,
  );
}

function configFile(name: string, config: object): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('several engines sharing one stream and one ClickHouse', () => {
  it('journals every instance of every process exactly once, and refuses a second engine on a durable', async () => {
    const scans = sampleArchive(dir, 1500, 41);
    await ok(['publish', '--scans', scans, '--nats', nats.url]);
    const configs = {
      alpha: configFile('alpha', { instance_id: 'alpha' }),
      beta: configFile('beta', { instance_id: 'beta', profile: 'v3-shadow' }),
      gamma: configFile('gamma', {
        instance_id: 'gamma',
        cadence: { 'journal-flush': { every_scans: 100 } },
      }),
    };
    const journal = clickhouse.url('fleet');
    const live = ['shadow', '--nats', nats.url, '--journal', journal, '--idle-exit', '3'];
    // The first engine runs until SIGTERM: the test reads its status while it runs (an idle
    // exit after a fixed 6 s let a loaded machine end it before the status was read).
    const first = violetChild([
      ...live.slice(0, -2),
      '--config',
      configs.alpha,
      '--config',
      configs.beta,
    ]);
    const second = violetChild([...live, '--config', configs.gamma, '--log-format', 'json']);
    await first.stderrMatch(/\[alpha\] consuming VIOLET_SCANS/);

    // The same durable consumer from a third process: refused while the first one runs.
    const third = await violet([...live, '--config', configs.alpha]);
    expect(third.status).toBe(2);
    expect(third.stderr).toMatch(
      new RegExp(
        `durable consumer alpha of VIOLET_SCANS is in use by another engine \\(pid ${first.proc.pid} on `,
      ),
    );

    // A drain leaves the spool of a running engine alone (that engine drains it).
    const drain = await violet(['journal', 'drain', '--journal', journal]);
    expect(drain.status).toBe(0);
    expect(drain.stderr).toMatch(
      new RegExp(
        `skipped: spool \\S*alpha\\+beta is in use by another process \\(pid ${first.proc.pid}\\)`,
      ),
    );

    // `violet status` shows the engine holding the durable, and its own counters.
    let engine: Row | null = null;
    // The live feed flushes every 2 s of wall time: the spool empties while the engine idles.
    const settled = (st: Row | undefined) => st?.accepted === 1500 && st?.spool_depth === 0;
    while (!settled(engine?.status as Row | undefined)) {
      expect(first.proc.exitCode, first.stderr).toBe(null);
      await sleep(300);
      engine = JSON.parse(
        await ok(['status', '--nats', nats.url, '--durable', 'alpha', '--json', '-']),
      ).engine;
    }
    expect(engine).toMatchObject({
      pid: first.proc.pid,
      status: {
        instance_id: 'alpha',
        decisions: 1500,
        rejected: 0,
        spool_depth: expect.any(Number),
      },
    });

    first.proc.kill('SIGTERM');
    expect(await first.exited, first.stderr).toBe(143);
    expect(await second.exited, second.stderr).toBe(0);
    expect(first.stdout).toMatch(/alpha: 1500 scans, 1500 decisions .*\nbeta: 1500 scans, 1500/);
    const logged = second.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Row);
    expect(logged.find((e) => e.event === 'end')).toMatchObject({
      instance: 'gamma',
      decisions: 1500,
      spool_depth: 0,
    });

    const counted = await clickhouse.sql(
      'SELECT instance_id, count() AS n, uniqExact(scan_number) AS u FROM fleet.violet_decisions FINAL GROUP BY instance_id ORDER BY instance_id FORMAT TSV',
    );
    expect(counted).toBe('alpha\t1500\t1500\nbeta\t1500\t1500\ngamma\t1500\t1500\n');
    for (const [id, config] of Object.entries(configs)) {
      const replay = join(dir, `${id}.duckdb`);
      await ok(['shadow', '--scans', scans, '--journal', replay, '--config', config]);
      expect(await decisions(journal, id)).toEqual(await decisions(replay, id));
    }

    // One spool per process, each drained and unlocked.
    expect(readdirSync(local()).sort()).toEqual(['alpha+beta', 'gamma']);
    for (const d of readdirSync(local())) expect(readdirSync(join(local(), d))).toEqual([]);

    // The lease went with the engine: the durable is free again, and nothing is left to decide.
    const again = await ok([...live.slice(0, -1), '1', '--config', configs.alpha]);
    expect(again).toMatch(/^0 scans, 0 decisions/m);
    expect(existsSync(join(local(), 'alpha'))).toBe(true);
  });
});
