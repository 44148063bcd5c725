// The BingX venue (issue 14): the engine's venue port on ccxt's `bingx` class, USDT-M
// perpetual swaps, one-way mode, isolated margin. ccxt speaks the protocol (signing, shapes);
// this module decides what is safe to retry: an order is looked up by its client id before
// it is sent again, so a timeout after the venue took it never places a second one.
import ccxt, { type Exchange, type Order, type Trade } from 'ccxt';
import { retry, type Sleep } from '../../common/retry.js';
import { systemClock } from '../../engine/clock.js';
import type {
  Venue,
  VenueFill,
  VenueFunding,
  VenueOrder,
  VenueOrderReport,
} from '../../engine/ports.js';
import { fromUnits, type Market, type Markets, toUnits } from '../../engine/rules/index.js';
import type { Result } from '../../model/index.js';
import { parseBingxContracts } from './contracts.js';
import type { VenueName } from './names.js';
import { OrderWatch } from './watch.js';

export { VENUES, type VenueName } from './names.js';

export interface BingxConnection {
  readonly venue: VenueName;
  readonly apiKey: string;
  readonly secret: string;
  /** Another host for REST and WebSocket (a simulator, a recording proxy): `http://h:p`. */
  readonly url?: string;
  /** Per request, ms. */
  readonly timeoutMs?: number;
  /** ccxt's own pacing to the venue's published rate (default on). */
  readonly throttle?: boolean;
}

/** ccxt's BingX client on the chosen venue: VST (ccxt's sandbox) or mainnet, or another host. */
export function bingxClient(c: BingxConnection): Exchange {
  const ex = new ccxt.pro.bingx({
    apiKey: c.apiKey,
    secret: c.secret,
    timeout: c.timeoutMs ?? 10_000,
    enableRateLimit: c.throttle ?? true,
    options: { defaultType: 'swap' },
  });
  if (c.venue === 'bingx-vst') ex.setSandboxMode(true);
  if (c.url !== undefined) pointAt(ex, c.url);
  // ccxt schedules its own chores (the listenKey's keep-alive, an hour on) on timers that
  // would keep a finished command alive: they run through the clock, unreferenced.
  const chores = ex as unknown as {
    delay: (ms: number, method: unknown, ...args: unknown[]) => void;
    spawn: (method: unknown, ...args: unknown[]) => unknown;
  };
  chores.delay = (ms, method, ...args) => {
    systemClock.after(ms, () => chores.spawn(method, ...args), { unref: true });
  };
  return ex;
}

/** Every REST section and the swap WebSocket of the client at `url`'s host. */
function pointAt(ex: Exchange, url: string): void {
  const base = url.replace(/\/+$/, '');
  const ws = base.replace(/^http/, 'ws');
  const api = ex.urls.api as Record<string, unknown>;
  for (const key of Object.keys(api)) {
    if (typeof api[key] === 'string') api[key] = `${base}/openApi`;
  }
  api.ws = { linear: `${ws}/swap-market`, spot: `${ws}/market`, inverse: `${ws}/market` };
}

/** Failures that may pass on their own: rate limits, outages, timeouts, lost connections. */
export function transient(e: unknown): boolean {
  return (
    e instanceof ccxt.NetworkError ||
    e instanceof ccxt.RateLimitExceeded ||
    e instanceof ccxt.ExchangeNotAvailable ||
    e instanceof ccxt.OperationFailed
  );
}

/** What the account holds on the venue (ccxt's unified symbols). */
export interface Holdings {
  readonly positions: readonly {
    readonly symbol: string;
    readonly side: string;
    readonly quantity: number;
    readonly entry_price: number | null;
  }[];
  readonly open_orders: readonly {
    readonly id: string;
    readonly symbol: string;
    readonly client_order_id: string | null;
    readonly side: string;
    readonly quantity: number;
    readonly price: number | null;
  }[];
}

export interface BingxVenueOptions {
  readonly sleep: Sleep;
  /** Attempts of one call before it fails (default 8: about 30 s of waiting). */
  readonly attempts?: number;
  /** The first wait after a transient failure (doubling; default 500 ms). */
  readonly firstWaitMs?: number;
  readonly onRetry?: (what: string, e: unknown, waitMs: number) => void;
}

export class BingxVenue implements Venue {
  /** Leverage set per market in this process (isolated margin with it). */
  private readonly prepared = new Map<string, number>();
  /** The user-data stream, once `watchOrders` started it (null: every read polls). */
  private watch: OrderWatch | null = null;
  /** The last report read of each order, and the stream connection it was read in. */
  private readonly reports = new Map<string, { epoch: number; report: VenueOrderReport }>();

  constructor(
    readonly ex: Exchange,
    private readonly o: BingxVenueOptions,
  ) {}

  /** `f`, retried on transient failures; a rate limit's `Retry-After` is waited as asked. */
  private call<T>(what: string, f: (attempt: number) => Promise<T>): Promise<T> {
    const limit = this.o.attempts ?? 8;
    let hint: number | null = null;
    return retry(f, {
      retryable: (e) => transient(e),
      sleep: (ms, signal) => this.o.sleep(hint ?? ms, signal),
      firstMs: this.o.firstWaitMs ?? 500,
      maxMs: 8_000,
      onRetry: (e, wait, attempt) => {
        if (attempt >= limit) throw e;
        hint = this.retryAfterMs(e);
        this.o.onRetry?.(what, e, hint ?? wait);
      },
    });
  }

  /** The wait a rate-limit answer asks for (its `Retry-After`, seconds), if it names one. */
  private retryAfterMs(e: unknown): number | null {
    if (!(e instanceof ccxt.DDoSProtection)) return null;
    const headers = (this.ex.last_response_headers ?? {}) as Record<string, unknown>;
    const v = headers['retry-after'] ?? headers['Retry-After'];
    const seconds = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 60_000) : null;
  }

  /** The venue's contract list in its own shape, read into markets (and ccxt's loaded). */
  async markets(source: string): Promise<Result<Markets>> {
    const raw: unknown = await this.call('contract list', () =>
      this.ex.swapV2PublicGetQuoteContracts(),
    );
    const r = parseBingxContracts(raw, source);
    if (r.ok) await this.call('markets', () => this.ex.loadMarkets());
    return r;
  }

  /** Positions and open orders the account holds on the venue now (reads only). */
  async holdings(): Promise<Holdings> {
    const positions = await this.call('positions', () => this.ex.fetchPositions());
    const orders = await this.call('open orders', () => this.ex.fetchOpenOrders());
    return {
      positions: positions
        .filter((p) => (p.contracts ?? 0) !== 0)
        .map((p) => ({
          symbol: String(p.symbol),
          side: String(p.side ?? ''),
          quantity: p.contracts ?? 0,
          entry_price: p.entryPrice ?? null,
        })),
      open_orders: orders.map((o) => ({
        id: needId(o.id, 'an open order'),
        symbol: String(o.symbol),
        client_order_id: o.clientOrderId ?? null,
        side: String(o.side),
        quantity: need(o.remaining ?? o.amount, `quantity of order ${o.id}`),
        price: o.price ?? null,
      })),
    };
  }

  async prepare(m: Market, leverage: number): Promise<void> {
    if (this.prepared.get(m.venueId) === leverage) return;
    await this.call('margin mode', () => this.ex.setMarginMode('isolated', m.unified));
    await this.call('leverage', () => this.ex.setLeverage(leverage, m.unified, { side: 'BOTH' }));
    this.prepared.set(m.venueId, leverage);
  }

  async place(o: VenueOrder): Promise<VenueOrderReport> {
    const { epoch } = this.heard(o.clientId);
    return this.remember(o.clientId, epoch, await this.send(o));
  }

  private async send(o: VenueOrder): Promise<VenueOrderReport> {
    const amount = fromUnits(o.units, o.market.quantityDecimals);
    const params: Record<string, unknown> = { clientOrderId: o.clientId, positionSide: 'BOTH' };
    if (o.reduceOnly) params.reduceOnly = true;
    if (o.kind === 'post-only') params.timeInForce = 'PO';
    // A stop: ccxt sends STOP_MARKET with the trigger as stopPrice (reduce-only).
    if (o.kind === 'stop') params.stopLossPrice = o.price;
    const placed = await this.call(`order ${o.clientId}`, async (attempt) => {
      // After a failure the venue may hold the order already: find it before sending again.
      if (attempt > 1) {
        const found = await this.lookup(o.market, o.clientId);
        if (found !== null) return found;
      }
      try {
        return await this.ex.createOrder(
          o.market.unified,
          o.kind === 'post-only' ? 'limit' : 'market',
          o.side,
          amount,
          o.kind === 'post-only' ? o.price : undefined,
          params,
        );
      } catch (e) {
        // A refusal of a duplicate client id is the venue holding this very order.
        if (transient(e)) throw e;
        const found = await this.lookup(o.market, o.clientId);
        if (found !== null) return found;
        throw e;
      }
    });
    const id = String(placed.id);
    if (o.kind !== 'market') return this.report(o.market, id, o.clientId);
    // A market order fills at once; its report is final once the venue says it is done.
    return this.call(`fills of ${o.clientId}`, async () => {
      const r = await this.report(o.market, id, o.clientId);
      if (r.status === 'open') throw new ccxt.OperationFailed(`order ${id} not yet filled`);
      return r;
    });
  }

  /** The order by client id through ccxt's raw endpoint (ccxt's fetchOrder wants the venue id). */
  private async lookup(m: Market, clientId: string): Promise<Order | null> {
    try {
      const raw = (await this.ex.swapV2PrivateGetTradeOrder({
        symbol: m.venueId,
        clientOrderID: clientId,
      })) as { data?: { order?: Record<string, unknown> } };
      const order = raw.data?.order;
      return order === undefined ? null : this.ex.parseOrder(order, this.ex.market(m.unified));
    } catch (e) {
      if (e instanceof ccxt.OrderNotFound) return null;
      throw e;
    }
  }

  /** Status and fills of an order (fills from the venue's fill list, one row per fill). */
  private async report(m: Market, id: string, clientId: string): Promise<VenueOrderReport> {
    const order = await this.ex.fetchOrder(id, m.unified);
    const status =
      order.status === 'closed' ? 'closed' : order.status === 'open' ? 'open' : 'canceled';
    const filled = order.filled ?? 0;
    const fills =
      filled > 0
        ? (await this.ex.fetchMyTrades(m.unified, fillsSince(order), undefined, { orderId: id }))
            .filter((t) => String(t.order) === id)
            .map((t) => fillOf(m, t))
        : [];
    return { orderId: id, clientId, status, fills };
  }

  /**
   * Starts the user-data stream: from then on a read of an order the stream reported no
   * change of since its last read is answered from that read (see `OrderWatch`).
   */
  async watchOrders(onEvent?: (line: string) => void): Promise<void> {
    // ccxt opens a plain ws:// socket (a loopback host) only with node's http agent loaded.
    await this.ex.loadHttpProxyAgent();
    this.watch ??= new OrderWatch(this.ex, {
      sleep: this.o.sleep,
      ...(onEvent === undefined ? {} : { onEvent }),
    });
    this.watch.start();
  }

  /** Stops the user-data stream (before the client is closed). */
  close(): void {
    this.watch?.close();
  }

  /** The stream's connection, and whether the order changed since its last read. */
  private heard(clientId: string): { epoch: number | null; changed: boolean } {
    const epoch = this.watch?.current() ?? null;
    const changed = this.watch === null || this.watch.take(clientId);
    return { epoch, changed };
  }

  /** Keeps a report read within the stream's connection `epoch` (a final one for good). */
  private remember(clientId: string, epoch: number | null, r: VenueOrderReport): VenueOrderReport {
    const final = r.status !== 'open';
    if (final || (epoch !== null && this.watch?.current() === epoch)) {
      this.reports.set(clientId, { epoch: final ? -1 : (epoch as number), report: r });
    }
    return r;
  }

  async order(m: Market, clientId: string): Promise<VenueOrderReport | null> {
    const { epoch, changed } = this.heard(clientId);
    const kept = this.reports.get(clientId);
    if (kept !== undefined && (kept.epoch === -1 || (!changed && kept.epoch === epoch))) {
      return kept.report;
    }
    const o = await this.call(`order ${clientId}`, () => this.lookup(m, clientId));
    if (o === null) return null;
    return this.remember(clientId, epoch, await this.report(m, String(o.id), clientId));
  }

  async cancel(m: Market, clientId: string): Promise<VenueOrderReport> {
    const o = await this.call(`order ${clientId}`, () => this.lookup(m, clientId));
    if (o === null) throw new Error(`no order ${clientId} to cancel`);
    const id = String(o.id);
    if (o.status === 'open') {
      await this.call(`cancel ${clientId}`, async () => {
        try {
          await this.ex.cancelOrder(id, m.unified);
        } catch (e) {
          // Filled or cancelled meanwhile: the report says which.
          if (!(e instanceof ccxt.OrderNotFound || e instanceof ccxt.InvalidOrder)) throw e;
        }
      });
    }
    return this.remember(clientId, null, await this.report(m, id, clientId));
  }

  async cancelById(m: Market, orderId: string): Promise<void> {
    await this.call(`cancel ${orderId}`, async () => {
      try {
        await this.ex.cancelOrder(orderId, m.unified);
      } catch (e) {
        if (!(e instanceof ccxt.OrderNotFound || e instanceof ccxt.InvalidOrder)) throw e;
      }
    });
  }

  async shortQuantity(m: Market): Promise<number> {
    const positions = await this.call('positions', () => this.ex.fetchPositions([m.unified]));
    return positions
      .filter((p) => p.symbol === m.unified && p.side === 'short')
      .reduce((a, p) => a + (p.contracts ?? 0), 0);
  }

  /**
   * The dead-man's switch: unless renewed within `timeoutMs`, the venue cancels every open
   * order (BingX's cancel-all-after; 0 switches it off).
   */
  async deadman(timeoutMs: number): Promise<void> {
    await this.call('cancel-all-after', () => this.ex.cancelAllOrdersAfter(timeoutMs));
  }

  async funding(m: Market, since: number): Promise<readonly VenueFunding[]> {
    const rows = await this.call('funding', () => this.ex.fetchFundingHistory(m.unified, since));
    return rows.map((f) => ({
      id: needId(f.id, 'a funding payment'),
      ts: f.timestamp ?? 0,
      amount: need(f.amount, `funding ${f.id}: amount`),
    }));
  }
}

/**
 * Where to start looking for an order's fills: the venue stamps fills to the second, its
 * order to the millisecond (and its clock may run apart from ours), so a minute earlier.
 */
function fillsSince(order: Order): number | undefined {
  return order.timestamp === undefined ? undefined : order.timestamp - 60_000;
}

/** A number the venue must have sent: its absence is a malformed answer, not a zero. */
function need(x: number | undefined, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`the venue sent no ${what}`);
  return x;
}

/** An id the venue must have sent: without one a payment could be counted twice. */
function needId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id === '') throw new Error(`the venue sent no id for ${what}`);
  return id;
}

function fillOf(m: Market, t: Trade): VenueFill {
  const quantity = need(t.amount, `quantity for a fill of order ${t.order}`);
  const units = toUnits(quantity, m.quantityDecimals, 'nearest');
  if (units === null) throw new Error(`fill quantity ${quantity} out of range`);
  return {
    price: need(t.price, `price for a fill of order ${t.order}`),
    units,
    fee: Math.abs(need(t.fee?.cost, `fee for a fill of order ${t.order}`)),
  };
}
