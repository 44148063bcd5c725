// Local servers for tests and benchmarks: free loopback ports, and what a minimal
// clickhouse-server (Debian's 18.16, or newer) needs to start in a temp dir and be queried.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server, Socket } from 'node:net';
import { join } from 'node:path';

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
