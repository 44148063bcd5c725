// A BingX USDT-M perpetual-swap simulator on loopback (test support, not shipped): the REST
// endpoints ccxt's `bingx` calls and the user-data WebSocket ccxt pro's `bingx` watches, in
// the venue's own shapes, with its authentication, its refusals and fault switches. Prices
// come only from the scans a test hands to `advance`, and fills, fees, funding and
// liquidation are the mock exchange's, so a venue adapter can be tested against it and a run
// on it compared with a backtest byte for byte. See README.md for what it covers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionRules, Market } from '../../../engine/rules/index.js';
import type { Scan } from '../../../model/index.js';
import { parseBingxContracts } from '../../../venues/bingx/contracts.js';
import { BINGX_SWAP_CONTRACTS } from '../../../venues/bingx/snapshot.js';
import { Faults } from './faults.js';
import { Gateway, type RequestCounts, sweep } from './http.js';
import { Klines } from './klines.js';
import type { Fill, Order, Position } from './records.js';
import type { Ctx } from './routes.js';
import { eventJson } from './shapes.js';
import { Venue } from './venue.js';
import { STREAM_PATH, Streams } from './ws.js';

export { Faults } from './faults.js';
export type { RequestCounts } from './http.js';
export type { Fill, Income, Order, Position } from './records.js';

export interface BingxSimOptions {
  readonly apiKey: string;
  readonly secret: string;
  /** Fees, slippage, rounding and the markets; the contracts served must agree with them. */
  readonly rules: ExecutionRules;
  /** Starting wallet, USDT. */
  readonly balance: number;
  /** The contract list in the venue's response shape (default: the carried snapshot). */
  readonly contracts?: unknown;
  /** The server clock (default Date.now): order, fill and funding times, timestamps, deadlines. */
  readonly now?: () => number;
  readonly recvWindowMs?: number;
  /** How often the stream sends "Ping" (the venue: every few seconds). */
  readonly pingIntervalMs?: number;
  readonly listenKeyTtlMs?: number;
  /** How often deadlines (cancel-all-after, listenKey expiry) are checked besides on requests. */
  readonly sweepMs?: number;
}

/** ccxt pro's `urls.api.ws`: the USDT-M stream is `linear`; the others are refused. */
export interface StreamUrls {
  readonly linear: string;
  readonly spot: string;
  readonly inverse: string;
}

export interface Balance {
  readonly wallet: number;
  readonly available: number;
  readonly used: number;
  readonly frozen: number;
  readonly unrealized: number;
}

/** The markets a contracts response lists, refused unless each is the rules' market as is. */
function servedContracts(contracts: unknown, rules: ExecutionRules): unknown[] {
  const parsed = parseBingxContracts(contracts, 'sim');
  if (!parsed.ok) throw new Error(`BingxSim contracts: ${parsed.reason}`);
  for (const m of (contracts as { data: { symbol: string }[] }).data) {
    const ours = parsed.value.byVenueId(m.symbol) as Market;
    const theirs = rules.markets.byVenueId(m.symbol);
    const keys = Object.keys(ours) as (keyof Market)[];
    if (theirs === null || keys.some((k) => ours[k] !== theirs[k])) {
      throw new Error(`BingxSim: the rules' market for ${m.symbol} is not the contract served`);
    }
  }
  return (contracts as { data: unknown[] }).data;
}

export class BingxSim {
  readonly url: string;
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly server: Server,
    private readonly ctx: Ctx,
    private readonly gateway: Gateway,
    sweepMs: number,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.sweeper = setInterval(() => sweep(ctx), sweepMs);
  }

  /** Fault switches: set a count and the next requests or orders get the fault. */
  get faults(): Faults {
    return this.ctx.faults;
  }

  private get venue(): Venue {
    return this.ctx.venue;
  }

  private get streams(): Streams {
    return this.ctx.streams;
  }

  static async start(o: BingxSimOptions): Promise<BingxSim> {
    if (!(Number.isFinite(o.balance) && o.balance >= 0)) {
      throw new Error(`BingxSim: balance must be a finite number >= 0, got ${o.balance}`);
    }
    const now = o.now ?? Date.now;
    const contracts = servedContracts(o.contracts ?? BINGX_SWAP_CONTRACTS, o.rules);
    const streams = new Streams(
      now,
      o.secret,
      o.listenKeyTtlMs ?? 3_600_000,
      o.pingIntervalMs ?? 5_000,
    );
    const venue: Venue = new Venue(o.rules, o.balance, now, (e) =>
      streams.publish(eventJson(venue, e, now())),
    );
    const klines = new Klines();
    const faults = new Faults();
    const creds = { apiKey: o.apiKey, secret: o.secret, recvWindowMs: o.recvWindowMs ?? 5_000 };
    const ctx: Ctx = { venue, klines, streams, faults, contracts, now };
    const gateway = new Gateway(ctx, creds);
    const server = createServer((req, res) => gateway.handle(req, res));
    server.on('upgrade', (req, socket, head) => streams.upgrade(req, socket, head));
    server.on('clientError', (_e, socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new BingxSim(server, ctx, gateway, o.sweepMs ?? 50);
  }

  /** ccxt's `urls.api` for this simulator: every REST section and the stream URLs. */
  ccxtUrls(): Record<string, string | StreamUrls> {
    const rest = `${this.url}/openApi`;
    const ws = this.url.replace('http:', 'ws:');
    const sections = ['fund', 'spot', 'swap', 'contract', 'wallets', 'user', 'subAccount'];
    const more = ['account', 'copyTrading', 'cswap', 'api'];
    return {
      ...Object.fromEntries([...sections, ...more].map((s) => [s, rest])),
      ws: { linear: `${ws}${STREAM_PATH}`, spot: `${ws}/market`, inverse: `${ws}/cswap-market` },
    };
  }

  /** The scan becomes the market: its prices and time; resting orders, funding, liquidation. */
  advance(scan: Scan): void {
    this.venue.advance(scan);
    scan.symbols.forEach((s, i) => {
      const m = this.venue.rules.markets.bySymbol(s);
      const px = scan.prices[i];
      if (m !== null && px !== undefined) this.ctx.klines.add(m, scan.ts, px);
    });
    sweep(this.ctx);
  }

  get requests(): RequestCounts {
    return this.gateway.counts;
  }

  /** Errors the simulator threw on a request (its own bugs; refusals are not among them). */
  get internalErrors(): readonly unknown[] {
    return this.gateway.internalErrors;
  }

  /** The open short on a scan symbol (`BTCUSDT`), or null. */
  position(symbol: string): Readonly<Position> | null {
    const m = this.venue.rules.markets.bySymbol(symbol);
    return m === null ? null : (this.venue.positions.get(m.venueId) ?? null);
  }

  openOrders(): readonly Readonly<Order>[] {
    return this.venue.openOrders();
  }

  fills(): readonly Fill[] {
    return this.venue.fills;
  }

  get balance(): Balance {
    return this.venue.balances();
  }

  /** "Pong" frames received on the stream so far. */
  get pongs(): number {
    return this.streams.pongs;
  }

  /** Open stream connections. */
  get streamConnections(): number {
    return this.streams.connections;
  }

  /** Fault: the server drops every stream connection (no close handshake). */
  dropStreams(): void {
    this.streams.drop();
  }

  /** Fault: every listenKey lapses now; its streams get `listenKeyExpired` and close. */
  expireListenKeys(): void {
    this.streams.sweep(true);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.gateway.close();
    this.streams.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
