// Real servers for the live bench: a nats-server with JetStream and a clickhouse-server
// (Debian's 18.16 or newer), each on free loopback ports with its files in a temp dir that
// goes when it stops. Ports and the ClickHouse config are src/servers', as the tests' are.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  accepts,
  clickHousePings,
  freePorts,
  postSql,
  writeClickHouseConfig,
} from '../servers/index.js';

/** Debian installs both servers under /usr/sbin, which a user's PATH may lack. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The executable's path on PATH (or an sbin), or null when it is not installed. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...SBIN];
  for (const d of dirs) {
    const path = join(d, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** Every server still running is killed if the bench dies before stopping it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** A server process and its temp dir: stopped (SIGTERM, SIGKILL after a grace) and removed. */
class Served {
  protected constructor(
    private readonly proc: ChildProcess,
    readonly dir: string,
  ) {
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
  }

  get exited(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!this.exited) {
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class BenchNats extends Served {
  private constructor(
    proc: ChildProcess,
    dir: string,
    readonly port: number,
  ) {
    super(proc, dir);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts `nats-server -js` and waits until it takes connections (JetStream is up by then). */
  static async start(bin: string): Promise<BenchNats> {
    const dir = mkdtempSync(join(tmpdir(), 'violet-bench-nats-'));
    const [port] = (await freePorts(1)) as [number];
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(dir, 'store')];
    const s = new BenchNats(spawn(bin, args, { stdio: 'ignore' }), dir, port);
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (s.exited || Date.now() > deadline) {
        await s.stop();
        throw new Error(`nats-server did not start on port ${port}`);
      }
      await sleep(50);
    }
    return s;
  }
}

export class BenchClickHouse extends Served {
  private constructor(
    proc: ChildProcess,
    dir: string,
    readonly httpPort: number,
  ) {
    super(proc, dir);
  }

  url(database: string): string {
    return `clickhouse://127.0.0.1:${this.httpPort}/${database}`;
  }

  /** Starts the server on a fresh data dir; resolves once `GET /ping` answers `Ok.`. */
  static async start(bin: string): Promise<BenchClickHouse> {
    const dir = mkdtempSync(join(tmpdir(), 'violet-bench-clickhouse-'));
    const [http, tcp, interserver] = (await freePorts(3)) as [number, number, number];
    const config = writeClickHouseConfig(dir, { http, tcp, interserver });
    const proc = spawn(bin, [`--config-file=${config}`], { stdio: 'ignore' });
    proc.once('error', () => {});
    const s = new BenchClickHouse(proc, dir, http);
    const deadline = Date.now() + 30_000;
    while (!(await clickHousePings(http))) {
      if (s.exited || Date.now() > deadline) {
        await s.stop();
        throw new Error(`clickhouse-server did not start on port ${http}`);
      }
      await sleep(100);
    }
    return s;
  }

  /** Runs one statement over HTTP; the response body. */
  sql(query: string): Promise<string> {
    return postSql(this.httpPort, query);
  }
}
