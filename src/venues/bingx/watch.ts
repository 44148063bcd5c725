// The user-data stream as a hint (issue 14, step 3): ccxt pro's `watchOrders` tells which of
// this engine's orders changed, so a read of an order nothing was heard about since the last
// one is answered from that read, and only a changed order is read again over REST (which
// stays the one source of fills: ccxt's stream misses partial fills). While the stream is
// down or was reconnected since, every read goes to REST: polling is the fallback.
import type { Exchange } from 'ccxt';
import type { Sleep } from '../../common/retry.js';

/** ccxt pro's socket client, as far as it is read here. */
interface WsClient {
  readonly url: string;
  readonly isConnected: boolean;
}

export interface OrderWatchOptions {
  readonly sleep: Sleep;
  /** A lost stream, and its return (for stderr). */
  readonly onEvent?: (line: string) => void;
  /** The first wait after the stream failed (doubling, up to 30 s; default 1 s). */
  readonly firstWaitMs?: number;
}

export class OrderWatch {
  private running = false;
  private readonly stop = new AbortController();
  /** Counts the stream's connections: a read is current only within the one it was made in. */
  private epoch = 0;
  private wasUp = false;
  /** Client ids the stream reported a change for since their last read. */
  private readonly changed = new Set<string>();
  /** Orders the stream reported with no client id (another client's, or a venue's). */
  foreign = 0;

  constructor(
    private readonly ex: Exchange,
    private readonly o: OrderWatchOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  /** Stops watching; the loop ends when the client closes its sockets (`ex.close()`). */
  close(): void {
    this.running = false;
    this.stop.abort();
  }

  private async run(): Promise<void> {
    let wait = this.o.firstWaitMs ?? 1000;
    let lost = false;
    while (this.running) {
      try {
        const orders = await this.ex.watchOrders();
        if (lost) this.o.onEvent?.('user-data stream back');
        lost = false;
        wait = this.o.firstWaitMs ?? 1000;
        for (const order of orders) {
          const id = order.clientOrderId;
          if (typeof id === 'string' && id !== '') this.changed.add(id);
          else this.foreign++;
        }
      } catch (e) {
        if (!this.running) return;
        if (!lost) this.o.onEvent?.(`user-data stream lost (${(e as Error).message}): polling`);
        lost = true;
        // A lapsed listenKey: ccxt reconnects with the dead key until made to fetch a new one.
        this.ex.options.listenKey = undefined;
        this.ex.options.lastAuthenticatedTime = 0;
        await this.o.sleep(wait, this.stop.signal).catch(() => {});
        wait = Math.min(wait * 2, 30_000);
      }
    }
  }

  /** The stream's connection now (null: down, every read must go to REST). */
  current(): number | null {
    const key = this.ex.options.listenKey as string | undefined;
    const clients = Object.values(this.ex.clients as Record<string, WsClient>);
    const up =
      this.running &&
      key !== undefined &&
      clients.some((c) => c.isConnected && c.url.includes(`listenKey=${key}`));
    if (up && !this.wasUp) this.epoch++;
    this.wasUp = up;
    return up ? this.epoch : null;
  }

  /** True when the stream reported a change of the order since `take` was last called for it. */
  take(clientId: string): boolean {
    return this.changed.delete(clientId);
  }
}
