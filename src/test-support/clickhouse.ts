// A real clickhouse-server (Debian's 18.16, or newer) for tests: a minimal config in a temp
// dir, free loopback ports, started, SIGKILLed and started again on the same data.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickHousePings, freePorts, postSql, writeClickHouseConfig } from '../servers/index.js';
import { tempDir } from './journal.js';

export { postSql };

export class ClickHouseServer {
  private child: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
  ) {}

  static async start(): Promise<ClickHouseServer> {
    const dir = tempDir('violet-clickhouse-');
    const [http, tcp, interserver] = (await freePorts(3)) as [number, number, number];
    writeClickHouseConfig(dir, { http, tcp, interserver });
    const server = new ClickHouseServer(dir, http);
    await server.restart();
    return server;
  }

  url(database: string): string {
    return `clickhouse://127.0.0.1:${this.httpPort}/${database}`;
  }

  /** Starts the server on its config and data; resolves once `GET /ping` answers `Ok.`. */
  async restart(): Promise<void> {
    const child = spawn('clickhouse-server', [`--config-file=${join(this.dir, 'config.xml')}`], {
      stdio: 'ignore',
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` },
    });
    this.child = child;
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (e) =>
        reject(
          new Error(`clickhouse-server: ${e.message} (Debian: apt-get install clickhouse-server)`),
        ),
      );
      child.once('exit', (code) =>
        reject(new Error(`clickhouse-server exited ${code}: ${this.errors()}`)),
      );
    });
    failed.catch(() => {});
    const deadline = Date.now() + 30_000;
    while (!(await clickHousePings(this.httpPort))) {
      if (Date.now() > deadline)
        throw new Error(`clickhouse-server never answered: ${this.errors()}`);
      await Promise.race([failed, new Promise((r) => setTimeout(r, 100))]);
    }
  }

  /** SIGKILL: no shutdown, the data dir as a crash leaves it. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Runs one statement over HTTP (integers unquoted in JSON output); the response body. */
  sql(query: string): Promise<string> {
    return postSql(this.httpPort, query);
  }

  private errors(): string {
    const log = join(this.dir, 'log', 'server.err.log');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-5).join('\n') : '';
  }
}
