// The control endpoint (issue 3 §3): HTTP on 127.0.0.1 only. Reads are open; writes need
// the bearer token and are applied by the reactor between scans, then answered. With
// several instances in the process, `?instance=ID` picks one (GET /status lists them all).
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { UsageError } from '../common/errors.js';
import { parseCadenceWrite } from './cadence.js';
import { systemClock, type WallClock } from './clock.js';
import { ARMING_ACTIONS } from './ports.js';
import type { Reactor } from './reactor.js';

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The largest write body taken (a cadence write is a few dozen bytes). */
export const MAX_BODY_BYTES = 65_536;

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

/**
 * The whole body, read before any answer (a connection closed on unread bytes is reset, and
 * the answer is lost with it); its text, or null past MAX_BODY_BYTES (the rest dropped).
 */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () =>
      resolve(bytes > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
  });
}

/** Constant-time token check (no timing oracle on the control token). */
function authorised(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function startControl(
  reactors: ReadonlyMap<string, Reactor>,
  port: number,
  token: string | null,
  status: (instance: string) => unknown,
  timers: WallClock = systemClock,
): Promise<ControlServer> {
  /** The instances served: read per request (the map fills once the run has its reactors). */
  const instances = () => [...reactors.keys()];
  /** The instance a request names, the only one, or null (an error was sent). */
  const pick = (url: URL, res: ServerResponse): string | null => {
    const ids = instances();
    const asked = url.searchParams.get('instance');
    if (asked === null && ids.length === 1) return ids[0] as string;
    if (asked !== null && reactors.has(asked)) return asked;
    send(res, asked === null ? 400 : 404, {
      error: `${asked === null ? 'give' : `no instance ${asked}:`} ?instance= one of ${ids.join(', ')}`,
    });
    return null;
  };
  /** The token, a body within bounds and JSON: the parsed body, or null (an error was sent). */
  const writeBody = (
    req: IncomingMessage,
    res: ServerResponse,
    text: string | null,
  ): { value: unknown } | null => {
    const fail = (status: number, error: string) => {
      send(res, status, { error });
      return null;
    };
    if (token === null) return fail(403, 'writes disabled: no control token set');
    if (!authorised(req.headers.authorization, token)) {
      return fail(401, 'missing or wrong bearer token');
    }
    if (text === null) return fail(413, `body: larger than ${MAX_BODY_BYTES} bytes`);
    try {
      return { value: JSON.parse(text) };
    } catch {
      return fail(400, 'body: not valid JSON');
    }
  };
  const operator = (req: IncomingMessage) =>
    String(req.headers['x-violet-operator'] ?? 'control-api').slice(0, 64);
  /** POST /arming {"action": "arm" | "disarm" | "flatten"}: applied between scans, audited. */
  const arming = (req: IncomingMessage, res: ServerResponse, url: URL, text: string | null) => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, {
        error: `${req.method} /arming: POST {"action": "arm"|"disarm"|"flatten"}`,
      });
    }
    const id = pick(url, res);
    if (id === null) return;
    const body = writeBody(req, res, text);
    if (body === null) return;
    const raw = body.value;
    const single =
      typeof raw === 'object' &&
      raw !== null &&
      !Array.isArray(raw) &&
      Object.keys(raw).length === 1;
    const action = single ? (raw as { action?: unknown }).action : undefined;
    const known = ARMING_ACTIONS.find((a) => a === action);
    if (known === undefined) {
      return send(res, 400, { error: `body: {"action": one of ${ARMING_ACTIONS.join(', ')}}` });
    }
    (reactors.get(id) as Reactor).enqueueArming({
      action: known,
      who: operator(req),
      done: ({ change, atScan }) =>
        typeof change === 'string'
          ? send(res, 409, { error: change })
          : send(res, 200, {
              action: known,
              old: change.old,
              new: change.next,
              flattening: change.flattening,
              at_scan: atScan,
            }),
    });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return send(res, 400, { error: 'request target: not a valid URL' });
    }
    if (req.method === 'GET' && url.pathname === '/status') {
      const ids = instances();
      if (url.searchParams.get('instance') === null && ids.length > 1) {
        return send(res, 200, { instances: ids.map((id) => status(id)) });
      }
      const id = pick(url, res);
      if (id !== null) send(res, 200, status(id));
      return;
    }
    if (url.pathname === '/arming') return arming(req, res, url, text);
    if (url.pathname !== '/cadence') {
      return send(res, 404, {
        error: 'routes: GET /cadence, GET /status, PUT /cadence, POST /arming',
      });
    }
    if (!['GET', 'PUT', 'POST'].includes(req.method ?? '')) {
      res.setHeader('allow', 'GET, PUT, POST');
      return send(res, 405, { error: `${req.method} /cadence: use GET to read, PUT to write` });
    }
    const id = pick(url, res);
    if (id === null) return;
    const reactor = reactors.get(id) as Reactor;
    if (req.method === 'GET') return send(res, 200, reactor.cadence.snapshot());
    const body = writeBody(req, res, text);
    if (body === null) return;
    const w = parseCadenceWrite(body.value);
    if (!w.ok) return send(res, 400, { error: w.reason });
    const who = operator(req);
    reactor.enqueue({
      ...w.value,
      who,
      done: ({ change, atScan, changed }) =>
        send(res, 200, {
          action: change.action,
          old: change.old,
          new: change.next,
          at_scan: atScan,
          changed,
        }),
    });
  };
  const server: Server = createServer((req, res) => {
    // Whatever a request holds, the engine answers it and goes on.
    handle(req, res).catch((e: unknown) => {
      send(res, 500, { error: (e as Error).message });
      req.destroy();
    });
  });
  // CONNECT and upgrade requests bypass the handler; without these, the socket just closes.
  const refuse = (_req: IncomingMessage, socket: Duplex) =>
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  server.on('connect', refuse);
  server.on('upgrade', refuse);
  // A request the parser refuses: answered, then what the client still sends is read and
  // dropped (closing on unread bytes resets the connection, and the answer with it).
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const status =
      e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.on('data', () => {});
    timers.after(10_000, () => socket.destroy(), { unref: true });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new UsageError(`--control-port ${port}: in use by another process on 127.0.0.1`)
          : new UsageError(`--control-port ${port}: cannot listen (${e.code ?? e.message})`),
      ),
    );
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
