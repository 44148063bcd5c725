// Closed bars from a venue through ccxt (its unified fetchOHLCV): Binance spot or BingX
// perpetual swaps, mainnet or the venue's sandbox, or any server answering the venue's own
// protocol at another address (a local simulator): one setting, `apiUrl`.
import type { Exchange } from 'ccxt';
import { UsageError } from '../common/errors.js';
import type { BarFeed, Ohlcv } from '../scanner/live.js';

export const KLINE_VENUES = ['binance', 'bingx'] as const;
export type KlineVenue = (typeof KLINE_VENUES)[number];

export interface KlineFeedOptions {
  readonly venue: KlineVenue;
  readonly testnet: boolean;
  /** Scan-style symbols (BTCUSDT): the venue's market whose id, without '-', is this. */
  readonly symbols: readonly string[];
  readonly timeframe: string;
  /** Every API URL's origin replaced by this (a simulator on loopback); null: the venue. */
  readonly apiUrl: string | null;
  readonly timeoutMs?: number;
}

/** ccxt, loaded when a venue is first needed (it takes most of a second to load). */
type Ccxt = typeof import('ccxt').default;

function exchange(ccxt: Ccxt, o: KlineFeedOptions): Exchange {
  const ex =
    o.venue === 'binance'
      ? new ccxt.binance({ options: { fetchMarkets: { types: ['spot'] } } })
      : new ccxt.bingx({ options: { defaultType: 'swap', fetchMarkets: ['swap'] } });
  ex.timeout = o.timeoutMs ?? 10_000;
  if (o.testnet) ex.setSandboxMode(true);
  if (o.apiUrl !== null) {
    const base = o.apiUrl.replace(/\/+$/, '');
    const api = ex.urls.api as Record<string, unknown>;
    for (const [k, v] of Object.entries(api)) {
      if (typeof v === 'string') api[k] = v.replace(/^https?:\/\/[^/]+/, base);
    }
  }
  return ex;
}

export interface KlineFeed {
  readonly feed: BarFeed;
  /**
   * A venue error that may pass: ccxt's OperationFailed family (rate limits, the venue
   * unavailable or in maintenance, timeouts, network errors, an internal error it reports).
   */
  transient(e: unknown): boolean;
  /** Any error ccxt raised for the venue (as opposed to a bug here). */
  venueError(e: unknown): boolean;
}

/** The feed, its markets loaded and every symbol mapped (an unknown one refused). */
export async function klineFeed(o: KlineFeedOptions): Promise<KlineFeed> {
  const ccxt = (await import('ccxt')).default;
  const ex = exchange(ccxt, o);
  if (!Object.hasOwn(ex.timeframes, o.timeframe)) {
    throw new UsageError(
      `--timeframe ${o.timeframe}: ${o.venue} offers ${Object.keys(ex.timeframes).join(', ')}`,
    );
  }
  const markets = await ex.loadMarkets();
  const byScanSymbol = new Map<string, string>();
  const kind = o.venue === 'binance' ? 'spot' : 'swap';
  for (const m of Object.values(markets)) {
    if (m?.type === kind) byScanSymbol.set(String(m.id).replace('-', ''), m.symbol);
  }
  const unified = o.symbols.map((s) => {
    const u = byScanSymbol.get(s);
    if (u === undefined) throw new UsageError(`--symbols: ${s} is not a ${o.venue} ${kind} market`);
    return u;
  });
  const bySymbol = new Map(o.symbols.map((s, k) => [s, unified[k] as string]));
  return {
    feed: {
      async ohlcv(symbol: string, since: number, limit: number): Promise<readonly Ohlcv[]> {
        const market = bySymbol.get(symbol) as string;
        return (await ex.fetchOHLCV(market, o.timeframe, since, limit)) as Ohlcv[];
      },
    },
    transient: (e) => e instanceof ccxt.OperationFailed,
    venueError: (e) => e instanceof ccxt.BaseError,
  };
}
