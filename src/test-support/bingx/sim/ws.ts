// The user-data stream: `GET /swap-market?listenKey=…` upgraded to a WebSocket. As BingX does,
// every frame the server sends is gzip-compressed and binary; the server sends "Ping" and
// expects the text "Pong" (ccxt pro's bingx `pong()` answers exactly that), closing a
// connection that misses two pings in a row. A listenKey lives 60 minutes from its creation or
// last extension (server clock); when it lapses the stream gets `listenKeyExpired` and closes.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type WebSocket, WebSocketServer } from 'ws';

export const STREAM_PATH = '/swap-market';

interface Conn {
  readonly ws: WebSocket;
  readonly listenKey: string;
  /** Pings sent since the last pong. */
  unanswered: number;
}

export class Streams {
  /** listenKey → server time it lapses at. */
  private readonly keys = new Map<string, number>();
  private readonly conns = new Set<Conn>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly pinger: NodeJS.Timeout;
  private minted = 0;
  pongs = 0;

  constructor(
    private readonly now: () => number,
    private readonly secret: string,
    readonly ttlMs: number,
    pingIntervalMs: number,
  ) {
    this.pinger = setInterval(() => this.ping(), pingIntervalMs);
  }

  get connections(): number {
    return this.conns.size;
  }

  /** A new key: 64 hex digits as the venue's, derived from the secret and a count. */
  create(): string {
    this.minted++;
    const key = createHash('sha256').update(`${this.secret}:${this.minted}`).digest('hex');
    this.keys.set(key, this.now() + this.ttlMs);
    return key;
  }

  extend(key: string): boolean {
    if (!this.live(key)) return false;
    this.keys.set(key, this.now() + this.ttlMs);
    return true;
  }

  remove(key: string): boolean {
    if (!this.live(key)) return false;
    this.keys.delete(key);
    for (const c of this.conns) if (c.listenKey === key) c.ws.close(1000, 'listenKey deleted');
    return true;
  }

  private live(key: string): boolean {
    const until = this.keys.get(key);
    return until !== undefined && this.now() < until;
  }

  /** Upgrades a stream request with a live listenKey; refuses anything else with 401/404. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const key = new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).get('listenKey') ?? '';
    if (path !== STREAM_PATH || !this.live(key)) {
      socket.end(`HTTP/1.1 ${path === STREAM_PATH ? '401 Unauthorized' : '404 Not Found'}\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, listenKey: key, unanswered: 0 };
      this.conns.add(conn);
      ws.on('message', (data, binary) => {
        if (!binary && data.toString() === 'Pong') {
          conn.unanswered = 0;
          this.pongs++;
        }
      });
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
    });
  }

  private send(c: Conn, text: string): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(gzipSync(text), { binary: true });
  }

  /** An event to every connection (one account: every live key is the same user). */
  publish(event: unknown): void {
    const text = JSON.stringify(event);
    for (const c of this.conns) this.send(c, text);
  }

  private ping(): void {
    for (const c of this.conns) {
      if (c.unanswered >= 2) {
        c.ws.terminate();
        this.conns.delete(c);
        continue;
      }
      c.unanswered++;
      this.send(c, 'Ping');
    }
  }

  /** Lapses keys whose time is up (or every key when `all`): `listenKeyExpired`, then close. */
  sweep(all = false): void {
    const now = this.now();
    for (const [key, until] of this.keys) {
      if (!all && now < until) continue;
      this.keys.delete(key);
      const event = JSON.stringify({ e: 'listenKeyExpired', E: now, listenKey: key });
      for (const c of this.conns) {
        if (c.listenKey !== key) continue;
        this.send(c, event);
        c.ws.close(1000, 'listenKey expired');
      }
    }
  }

  /** Drops every connection as a network failure would (no close handshake), at once. */
  drop(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  close(): void {
    clearInterval(this.pinger);
    this.drop();
    this.wss.close();
  }
}
