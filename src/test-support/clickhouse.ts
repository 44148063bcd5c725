// A real clickhouse-server (Debian's 18.16, or newer) for tests: a minimal config in a temp
// dir, free loopback ports, started, SIGKILLed and started again on the same data.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './journal.js';

/** Distinct free ports: all held open at once, then released. */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    servers.push(s);
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

// 18.16 refuses to start without mark_cache_size; the users file needs a default user,
// profile and quota.
function configXml(dir: string, http: number, tcp: number, interserver: number): string {
  const data = join(dir, 'data');
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${join(dir, 'log', 'server.log')}</log>
    <errorlog>${join(dir, 'log', 'server.err.log')}</errorlog>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users_config>users.xml</users_config>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;

export class ClickHouseServer {
  private child: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
  ) {}

  static async start(): Promise<ClickHouseServer> {
    const dir = tempDir('violet-clickhouse-');
    const [http, tcp, interserver] = (await freePorts(3)) as [number, number, number];
    mkdirSync(join(dir, 'log'));
    writeFileSync(join(dir, 'config.xml'), configXml(dir, http, tcp, interserver));
    writeFileSync(join(dir, 'users.xml'), USERS_XML);
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
    while (!(await this.ping())) {
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
  async sql(query: string): Promise<string> {
    const r = await fetch(
      `http://127.0.0.1:${this.httpPort}/?output_format_json_quote_64bit_integers=0`,
      { method: 'POST', body: query },
    );
    const text = await r.text();
    if (!r.ok) throw new Error(text);
    return text;
  }

  private async ping(): Promise<boolean> {
    try {
      const r = await fetch(`http://127.0.0.1:${this.httpPort}/ping`);
      return (await r.text()) === 'Ok.\n';
    } catch {
      return false;
    }
  }

  private errors(): string {
    const log = join(this.dir, 'log', 'server.err.log');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-5).join('\n') : '';
  }
}
