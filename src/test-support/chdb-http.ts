// The current ClickHouse engine (chDB) served over HTTP by chdb/server.mjs, started as its own
// process, with the surface of the 18.16 ClickHouseServer the tests use: SIGKILLed and
// started again on the same data and port.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePorts } from '../servers/index.js';
import { REPO } from './cli.js';
import { postSql } from './clickhouse.js';
import { tempDir } from './journal.js';

const SCRIPT = join(REPO, 'src', 'test-support', 'chdb', 'server.mjs');

/** The current engine behind the HTTP interface, shaped as the 18.16 ClickHouseServer. */
export class ChdbServer {
  private child: ChildProcess | null = null;
  private err = '';

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
  ) {}

  static async start(): Promise<ChdbServer> {
    const [port] = (await freePorts(1)) as [number];
    const server = new ChdbServer(tempDir('violet-chdb-'), port);
    await server.restart();
    return server;
  }

  /** Starts the engine on its data; resolves once it listens. */
  async restart(): Promise<void> {
    const child = spawn(process.execPath, [SCRIPT, join(this.dir, 'data'), String(this.httpPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.err = '';
    child.stderr?.on('data', (d) => {
      this.err += d;
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d) => {
        out += d;
        if (/listening \d+/.test(out)) resolve();
      });
      child.once('exit', (code) =>
        reject(new Error(`chdb/server.mjs exited ${code}: ${this.err}`)),
      );
    });
  }

  url(database: string): string {
    return `clickhouse://127.0.0.1:${this.httpPort}/${database}`;
  }

  /** Runs one statement over HTTP (integers unquoted in JSON output); the response body. */
  sql(query: string): Promise<string> {
    return postSql(this.httpPort, query).catch((e: unknown) => {
      const state = this.child?.exitCode ?? this.child?.signalCode ?? 'running';
      throw new Error(`${(e as Error).message} (server: ${state}; ${this.err})`);
    });
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
}
