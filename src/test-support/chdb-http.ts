// The current ClickHouse engine (chDB) served over HTTP by chdb/server.mjs, started as
// its own process, with the surface of the 18.16 ClickHouseServer the tests use.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './cli.js';
import { postSql } from './clickhouse.js';

/** The current engine behind the HTTP interface, shaped as the 18.16 ClickHouseServer. */
export class ChdbServer {
  private constructor(
    readonly dir: string,
    private readonly child: ChildProcess,
    readonly httpPort: number,
    private readonly stderr: () => string,
  ) {}

  static async start(): Promise<ChdbServer> {
    const dir = mkdtempSync(join(tmpdir(), 'violet-chdb-'));
    const script = join(REPO, 'src', 'test-support', 'chdb', 'server.mjs');
    const child = spawn(process.execPath, [script, join(dir, 'data')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (d) => {
        out += d;
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`chdb-http-server exited ${code}: ${err}`)));
    });
    return new ChdbServer(dir, child, port, () => err);
  }

  url(database: string): string {
    return `clickhouse://127.0.0.1:${this.httpPort}/${database}`;
  }

  /** Runs one statement over HTTP (integers unquoted in JSON output); the response body. */
  sql(query: string): Promise<string> {
    return postSql(this.httpPort, query).catch((e: unknown) => {
      const state = this.child.exitCode ?? this.child.signalCode ?? 'running';
      throw new Error(`${(e as Error).message} (server: ${state}; ${this.stderr()})`);
    });
  }

  /** The engine's version, as `SELECT version()` answers. */
  async version(): Promise<string> {
    return (await this.sql('SELECT version()')).trim();
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
