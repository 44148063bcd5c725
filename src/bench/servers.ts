// Real servers for the live bench: a nats-server with JetStream and a clickhouse-server
// (Debian's 18.16 or newer), each on free loopback ports with its files in a temp dir that
// goes when it stops. Small twins of src/test-support, which the build leaves out.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = new Socket();
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
    c.connect(port, '127.0.0.1');
  });
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
    mkdirSync(join(dir, 'log'));
    writeFileSync(join(dir, 'config.xml'), configXml(dir, http, tcp, interserver));
    writeFileSync(join(dir, 'users.xml'), USERS_XML);
    const proc = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { stdio: 'ignore' });
    proc.once('error', () => {});
    const s = new BenchClickHouse(proc, dir, http);
    const deadline = Date.now() + 30_000;
    while (!(await s.ping())) {
      if (s.exited || Date.now() > deadline) {
        await s.stop();
        throw new Error(`clickhouse-server did not start on port ${http}`);
      }
      await sleep(100);
    }
    return s;
  }

  /** Runs one statement over HTTP; the response body. */
  async sql(query: string): Promise<string> {
    const r = await fetch(`http://127.0.0.1:${this.httpPort}/`, { method: 'POST', body: query });
    const text = await r.text();
    if (!r.ok) throw new Error(`ClickHouse: ${text.trim()}`);
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
}
