// Local servers for the tests and the bench, one starter for all: free loopback ports, a
// server process spawned and waited for until it answers, stopped (SIGTERM, SIGKILL after a
// grace) or SIGKILLed, and started again on the same ports and data. A real nats-server with
// JetStream and a real clickhouse-server (Debian's 18.16, or newer), each in a temp dir.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Distinct free ports: all held open at once, then released. */
export async function freePorts(n: number): Promise<number[]> {
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

/** Whether something takes TCP connections on this loopback port. */
export function accepts(port: number): Promise<boolean> {
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

/** Writes config.xml and users.xml of a clickhouse-server on these ports, data under `dir`. */
export function writeClickHouseConfig(
  dir: string,
  ports: { http: number; tcp: number; interserver: number },
): string {
  mkdirSync(join(dir, 'log'), { recursive: true });
  const config = join(dir, 'config.xml');
  writeFileSync(config, configXml(dir, ports.http, ports.tcp, ports.interserver));
  writeFileSync(join(dir, 'users.xml'), USERS_XML);
  return config;
}

/** Whether the server's HTTP interface answers `GET /ping` with `Ok.`. */
export async function clickHousePings(port: number): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/ping`);
    return (await r.text()) === 'Ok.\n';
  } catch {
    return false;
  }
}

/**
 * One statement over ClickHouse's HTTP interface on its own connection (no keep-alive: a
 * reused socket the server has just timed out fails the request); the response body.
 */
export function postSql(port: number, query: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/?output_format_json_quote_64bit_integers=0',
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(body || `HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(query);
  });
}

/** A fresh temp dir (this module stays free of the test runner: the bench uses it too). */
function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

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

/** Every server still running is SIGKILLed if this process exits without stopping it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export interface ServerCommand {
  /** For messages: `nats-server`, … */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Whether the server answers yet (polled every `pollMs` until `timeoutMs`). */
  readonly ready: () => Promise<boolean>;
  readonly pollMs: number;
  readonly timeoutMs: number;
  /** What the server logged about a failure (its error log), for the message. */
  readonly errors?: () => string;
  /** How to install it when it is missing. */
  readonly install?: string;
}

/** A server process: started and waited for, stopped, started again on the same command. */
export class LocalServer {
  private proc: ChildProcess | null = null;
  private stderr = '';

  constructor(private readonly cmd: ServerCommand) {}

  get running(): boolean {
    const p = this.proc;
    return p !== null && p.exitCode === null && p.signalCode === null;
  }

  /** Spawns the server; resolves once it answers, rejects (the process gone) if it never does. */
  async start(): Promise<void> {
    const c = this.cmd;
    const proc = spawn(c.command, c.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    this.stderr = '';
    running.add(proc);
    proc.stderr?.on('data', (d) => {
      this.stderr = `${this.stderr}${d}`.slice(-4096);
    });
    let failure: string | null = null;
    proc.once('error', (e) => {
      failure = `${e.message}${c.install === undefined ? '' : ` (${c.install})`}`;
    });
    proc.once('exit', (code, signal) => {
      running.delete(proc);
      failure ??= `exited ${code ?? signal}: ${this.said()}`;
    });
    const deadline = Date.now() + c.timeoutMs;
    while (!(await c.ready())) {
      if (failure === null && Date.now() > deadline) {
        failure = `did not answer within ${c.timeoutMs} ms: ${this.said()}`;
        await this.stop('SIGKILL');
      }
      if (failure !== null) throw new Error(`${c.name}: ${failure}`);
      await sleep(c.pollMs);
    }
  }

  /** Signals the server (SIGKILL after `graceMs` if still there) and waits for it to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc === null || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** The last lines of what the server said about a failure (error log, else stderr). */
  said(): string {
    return (this.cmd.errors?.() || this.stderr).trim().split('\n').slice(-5).join('\n');
  }
}

/** nats-server with JetStream on a free loopback port, its store in a temp dir. */
export class NatsServer {
  private readonly server: LocalServer;

  private constructor(
    readonly port: number,
    readonly dir: string,
    bin: string,
  ) {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', this.storeDir];
    this.server = new LocalServer({
      name: 'nats-server',
      command: bin,
      args,
      ready: () => accepts(port),
      pollMs: 50,
      timeoutMs: 30_000,
      install: 'Debian: apt-get install nats-server',
    });
  }

  /** Started; waits until it takes connections (JetStream is up by then). */
  static async create(bin = findExecutable('nats-server') ?? 'nats-server'): Promise<NatsServer> {
    const [port] = (await freePorts(1)) as [number];
    const s = new NatsServer(port, tempDir('violet-nats-'), bin);
    await s.start();
    return s;
  }

  get storeDir(): string {
    return join(this.dir, 'store');
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts it again on the same port and store. */
  start(): Promise<void> {
    return this.server.start();
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return this.server.stop(signal);
  }

  /** Stops it and removes its store. */
  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** clickhouse-server on free loopback ports, its config and data in a temp dir. */
export class ClickHouseServer {
  private readonly server: LocalServer;

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
    bin: string,
  ) {
    this.server = new LocalServer({
      name: 'clickhouse-server',
      command: bin,
      args: [`--config-file=${join(dir, 'config.xml')}`],
      ready: () => clickHousePings(httpPort),
      pollMs: 100,
      timeoutMs: 30_000,
      errors: () => this.errors(),
      install: 'Debian: apt-get install clickhouse-server',
    });
  }

  /** Started on a fresh data dir; resolves once `GET /ping` answers `Ok.`. */
  static async start(
    bin = findExecutable('clickhouse-server') ?? 'clickhouse-server',
  ): Promise<ClickHouseServer> {
    const dir = tempDir('violet-clickhouse-');
    const [http, tcp, interserver] = (await freePorts(3)) as [number, number, number];
    writeClickHouseConfig(dir, { http, tcp, interserver });
    const s = new ClickHouseServer(dir, http, bin);
    await s.restart();
    return s;
  }

  url(database: string): string {
    return `clickhouse://127.0.0.1:${this.httpPort}/${database}`;
  }

  /** Starts the server on its config and data; resolves once it answers. */
  restart(): Promise<void> {
    return this.server.start();
  }

  /** SIGKILL: no shutdown, the data dir as a crash leaves it. */
  kill(): Promise<void> {
    return this.server.stop('SIGKILL');
  }

  /** Stops it (SIGTERM) and removes its config and data. */
  async remove(): Promise<void> {
    await this.server.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs one statement over HTTP (integers unquoted in JSON output); the response body. */
  sql(query: string): Promise<string> {
    return postSql(this.httpPort, query);
  }

  private errors(): string {
    try {
      return readFileSync(join(this.dir, 'log', 'server.err.log'), 'utf8');
    } catch {
      return '';
    }
  }
}
