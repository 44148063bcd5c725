// The control endpoint (issue 3 §3): HTTP on 127.0.0.1 only. Reads are open; writes need
// the bearer token and are applied by the reactor between scans, then answered. With
// several instances in the process, `?instance=ID` picks one (GET /status lists them all).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCadenceWrite } from './cadence.js';
import type { Reactor } from './reactor.js';

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 65536) throw new Error('body too large');
  }
  return body;
}

export async function startControl(
  reactors: ReadonlyMap<string, Reactor>,
  port: number,
  token: string | null,
  status: (instance: string) => unknown,
): Promise<ControlServer> {
  const ids = [...reactors.keys()];
  /** The instance a request names, the only one, or null (an error was sent). */
  const pick = (url: URL, res: ServerResponse): string | null => {
    const asked = url.searchParams.get('instance');
    if (asked === null && ids.length === 1) return ids[0] as string;
    if (asked !== null && reactors.has(asked)) return asked;
    send(res, asked === null ? 400 : 404, {
      error: `${asked === null ? 'give' : `no instance ${asked}:`} ?instance= one of ${ids.join(', ')}`,
    });
    return null;
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/status') {
      if (url.searchParams.get('instance') === null && ids.length > 1) {
        return send(res, 200, { instances: ids.map((id) => status(id)) });
      }
      const id = pick(url, res);
      if (id !== null) send(res, 200, status(id));
      return;
    }
    if (url.pathname === '/cadence' && ['GET', 'PUT', 'POST'].includes(req.method ?? '')) {
      const id = pick(url, res);
      if (id === null) return;
      const reactor = reactors.get(id) as Reactor;
      if (req.method === 'GET') return send(res, 200, reactor.cadence.snapshot());
      if (token === null) return send(res, 403, { error: 'writes disabled: no control token set' });
      if (req.headers.authorization !== `Bearer ${token}`) {
        return send(res, 401, { error: 'missing or wrong bearer token' });
      }
      let raw: unknown;
      try {
        raw = JSON.parse(await readBody(req));
      } catch {
        return send(res, 400, { error: 'body: not valid JSON' });
      }
      const w = parseCadenceWrite(raw);
      if (!w.ok) return send(res, 400, { error: w.reason });
      const who = String(req.headers['x-violet-operator'] ?? 'control-api').slice(0, 64);
      reactor.enqueue({
        ...w.value,
        who,
        done: ({ change, atScan }) =>
          send(res, 200, {
            action: change.action,
            old: change.old,
            new: change.next,
            at_scan: atScan,
          }),
      });
      return;
    }
    send(res, 404, { error: 'routes: GET /cadence, GET /status, PUT /cadence' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
