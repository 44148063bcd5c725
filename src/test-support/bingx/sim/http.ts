// The simulator's HTTP side: every request is counted, meets the fault switches, is routed,
// authenticated when private, and answered in the venue's envelope. A refusal is the venue's
// `{code, msg}` with HTTP 200 and changes nothing; anything else thrown is a simulator bug,
// kept for the tests to see and answered 500, so no input can bring the server down.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuse, VenueError } from './errors.js';
import { Params } from './params.js';
import { type Ctx, type Reply, ROUTES } from './routes.js';
import { authenticate, type Credentials, parseQuery } from './sign.js';

export interface RequestCounts {
  /** Requests by `METHOD path`, whatever became of them. */
  readonly byRoute: Map<string, number>;
  /** Requests that place, change or cancel orders (cancel-all, cancel-all-after, close-all too). */
  orderWrites: number;
  /** Leverage, margin-type and position-mode changes. */
  settingsWrites: number;
}

/** Request bodies are read (the venue takes parameters in the query) and capped. */
const MAX_BODY = 1 << 20;

const GATEWAY_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/** Deadlines due on the server clock: cancel-all-after, then listenKey expiry. */
export function sweep(c: Ctx): void {
  c.venue.sweep();
  c.streams.sweep();
}

export class Gateway {
  readonly counts: RequestCounts = { byRoute: new Map(), orderWrites: 0, settingsWrites: 0 };
  readonly internalErrors: unknown[] = [];
  private readonly delayed = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ctx: Ctx,
    private readonly creds: Credentials,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
    });
    req.on('error', () => {});
    req.on('end', () => this.answer(req, res));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const { faults, now } = this.ctx;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const key = `${req.method ?? 'GET'} ${path}`;
    const c = this.counts;
    c.byRoute.set(key, (c.byRoute.get(key) ?? 0) + 1);
    const route = ROUTES.get(key);
    if (route?.writes === 'order') c.orderWrites++;
    if (route?.writes === 'settings') c.settingsWrites++;
    if (this.faulted(res)) return;
    let reply: Reply;
    try {
      if (route === undefined) throw refuse.unknownPath();
      const pairs = parseQuery(q < 0 ? '' : url.slice(q + 1));
      if (pairs === null) throw refuse.badParam('malformed query');
      const apiKey = req.headers['x-bx-apikey'];
      if (route.auth)
        authenticate(Array.isArray(apiKey) ? apiKey[0] : apiKey, pairs, this.creds, now());
      sweep(this.ctx);
      reply = route.run(new Params(pairs, this.ctx.venue.rules.markets), this.ctx);
    } catch (e) {
      if (!(e instanceof VenueError)) this.internalErrors.push(e);
      reply =
        e instanceof VenueError
          ? { status: 200, body: JSON.stringify({ code: e.code, msg: e.msg, timestamp: now() }) }
          : { status: 500, body: '{"code":100500,"msg":"simulator internal error"}' };
    }
    if (key === 'POST /openApi/swap/v2/trade/order' && reply.body.startsWith('{"code":0,')) {
      if (faults.take('slowAccept')) {
        const t = setTimeout(() => {
          this.delayed.delete(t);
          this.write(res, reply);
        }, faults.slowAcceptMs);
        this.delayed.add(t);
        return;
      }
    }
    this.write(res, reply);
  }

  /** Answers with a fault when one is armed: 429 with its retry hint, or a gateway's 5xx. */
  private faulted(res: ServerResponse): boolean {
    const { faults, now } = this.ctx;
    if (faults.take('rateLimit')) {
      const retry = faults.retryAfterSeconds;
      this.write(
        res,
        { status: 429, body: '{"code":429,"msg":"Too Many Requests"}' },
        {
          'retry-after': String(retry),
          'x-ratelimit-requests-remain': '0',
          'x-ratelimit-requests-expire': String(now() + retry * 1000),
        },
      );
      return true;
    }
    if (faults.take('serverError')) {
      const status = faults.serverErrorStatus;
      this.write(res, { status, body: GATEWAY_PAGE(status) }, { 'content-type': 'text/html' });
      return true;
    }
    return false;
  }

  private write(res: ServerResponse, r: Reply, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.headersSent) return;
    const type = r.body === '' ? {} : { 'content-type': 'application/json' };
    res.writeHead(r.status, { ...type, ...headers });
    res.end(r.body);
  }

  close(): void {
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
  }
}
