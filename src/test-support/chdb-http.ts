// The current ClickHouse engine (chDB) served over HTTP by chdb/server.mjs, started as its own
// process by the local-server starter, with the surface of the 18.16 ClickHouseServer the
// tests use: SIGKILLed and started again on the same data and port.
import { join } from 'node:path';
import { REPO } from './cli.js';
import { tempDir } from './journal.js';
import { accepts, freePorts, LocalServer, postSql } from './servers.js';

const SCRIPT = join(REPO, 'src', 'test-support', 'chdb', 'server.mjs');

/** The current engine behind the HTTP interface, shaped as the 18.16 ClickHouseServer. */
export class ChdbServer {
  private readonly server: LocalServer;

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
  ) {
    this.server = new LocalServer({
      name: 'chdb/server.mjs',
      command: process.execPath,
      args: [SCRIPT, join(dir, 'data'), String(httpPort)],
      ready: () => accepts(httpPort),
      pollMs: 50,
      // Loading the engine's library can take a while on a busy machine.
      timeoutMs: 120_000,
    });
  }

  static async start(): Promise<ChdbServer> {
    const [port] = (await freePorts(1)) as [number];
    const server = new ChdbServer(tempDir('violet-chdb-'), port);
    await server.restart();
    return server;
  }

  /** Starts the engine on its data; resolves once it listens. */
  restart(): Promise<void> {
    return this.server.start();
  }

  url(database: string): string {
    return `clickhouse://127.0.0.1:${this.httpPort}/${database}`;
  }

  /** Runs one statement over HTTP (integers unquoted in JSON output); the response body. */
  sql(query: string): Promise<string> {
    return postSql(this.httpPort, query).catch((e: unknown) => {
      const state = this.server.running ? 'running' : 'gone';
      throw new Error(`${(e as Error).message} (server: ${state}; ${this.server.said()})`);
    });
  }

  /** SIGKILL: no shutdown, the data dir as a crash leaves it. */
  kill(): Promise<void> {
    return this.server.stop('SIGKILL');
  }
}
