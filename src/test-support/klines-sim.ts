// A local simulator of the venues' public market-data protocol (test support, not shipped):
// Binance spot (`/api/v3/exchangeInfo`, `/api/v3/klines`, `/api/v3/time`) and BingX
// perpetual swaps (`/openApi/swap/v2/quote/contracts`, `/openApi/swap/v3/quote/klines`, the
// spot and coin-margined listings ccxt also loads), answering in the venues' own shapes so
// that ccxt parses them as it parses the venue. Time is the test's (a warped clock): a bar
// is served once it has opened, still forming (its close moving) until its interval ends.
// Faults: a bar withheld until a later time (late), a bar served twice, and the next
// requests answered 429 (with Retry-After) or 5xx.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** [open time ms, open, high, low, close, volume] */
export type Bar = readonly [number, number, number, number, number, number];

export interface SimOptions {
  /** Bars by scan-style symbol (ETHBTC, BTCUSDT), oldest first. */
  readonly bars: ReadonlyMap<string, readonly Bar[]>;
  readonly intervalMs: number;
  readonly now: () => number;
}

export class KlineSim {
  /** "SYMBOL@ts" → the time from which that bar is served (a late bar). */
  readonly withheld = new Map<string, number>();
  /** "SYMBOL@ts": served twice in a row. */
  readonly doubled = new Set<string>();
  /** Statuses the next kline requests get instead of bars, in order. */
  readonly failures: number[] = [];
  readonly requests: string[] = [];
  private server: Server | null = null;

  constructor(readonly o: SimOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): undefined {
    const url = new URL(req.url ?? '/', 'http://sim');
    this.requests.push(url.pathname);
    const json = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
    ): undefined => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const symbols = [...this.o.bars.keys()];
    switch (url.pathname) {
      case '/api/v3/time':
        return json(200, { serverTime: Math.floor(this.o.now()) });
      case '/api/v3/exchangeInfo':
        return json(200, binanceExchangeInfo(symbols, this.o.now()));
      case '/openApi/swap/v2/server/time':
        return json(200, { code: 0, msg: '', data: { serverTime: Math.floor(this.o.now()) } });
      case '/openApi/swap/v2/quote/contracts':
        return json(200, { code: 0, msg: '', data: symbols.map(bingxContract) });
      case '/openApi/cswap/v1/market/contracts':
      case '/openApi/spot/v1/common/symbols':
        return json(200, {
          code: 0,
          msg: '',
          timestamp: Math.floor(this.o.now()),
          data: url.pathname.includes('spot') ? { symbols: [] } : [],
        });
      case '/api/v3/klines':
      case '/openApi/swap/v3/quote/klines': {
        const failure = this.failures.shift();
        const bingx = url.pathname.startsWith('/openApi');
        if (failure !== undefined) {
          // Each venue's own words for it (BingX answers with its codes in the body).
          const busy = { code: 100410, msg: 'The current system is busy, please try again later' };
          if (failure === 429) {
            return json(429, bingx ? busy : { code: -1003, msg: 'Too many requests' }, {
              'retry-after': '1',
            });
          }
          return json(
            failure,
            bingx ? { ...busy, code: 100500 } : { code: -1001, msg: 'Internal error' },
          );
        }
        const symbol = (url.searchParams.get('symbol') ?? '').replace('-', '');
        const bars = this.serve(
          symbol,
          Number(url.searchParams.get('startTime') ?? 0),
          Number(url.searchParams.get('limit') ?? 500),
        );
        if (bars === null) {
          return json(
            400,
            bingx
              ? { code: 109400, msg: 'symbol not exist' }
              : { code: -1121, msg: 'Invalid symbol.' },
          );
        }
        return json(
          200,
          bingx
            ? { code: 0, msg: '', data: bars.map(bingxKline).reverse() }
            : bars.map((b) => binanceKline(b, this.o.intervalMs)),
        );
      }
      default:
        return json(404, { code: -1, msg: `no such endpoint ${url.pathname}` });
    }
  }

  /** What the venue has of `symbol` from `since`: opened bars, the last maybe still forming. */
  private serve(symbol: string, since: number, limit: number): Bar[] | null {
    const all = this.o.bars.get(symbol);
    if (all === undefined) return null;
    const now = this.o.now();
    const out: Bar[] = [];
    for (const b of all) {
      if (b[0] < since) continue;
      if (b[0] > now || out.length >= limit) break;
      const release = this.withheld.get(`${symbol}@${b[0]}`);
      if (release !== undefined && now < release) continue;
      // Still forming: its close so far differs from the final one.
      const bar: Bar =
        b[0] + this.o.intervalMs > now ? [b[0], b[1], b[2], b[3], b[4] * 1.01, b[5] / 2] : b;
      out.push(bar);
      if (this.doubled.has(`${symbol}@${b[0]}`) && out.length < limit) out.push(bar);
    }
    return out;
  }
}

function decimal(x: number): string {
  return String(x);
}

function binanceKline(b: Bar, intervalMs: number): unknown[] {
  return [
    b[0],
    decimal(b[1]),
    decimal(b[2]),
    decimal(b[3]),
    decimal(b[4]),
    decimal(b[5]),
    b[0] + intervalMs - 1,
    decimal(b[4] * b[5]),
    100,
    decimal(b[5] / 2),
    decimal((b[4] * b[5]) / 2),
    '0',
  ];
}

function bingxKline(b: Bar): Record<string, unknown> {
  return {
    open: decimal(b[1]),
    close: decimal(b[4]),
    high: decimal(b[2]),
    low: decimal(b[3]),
    volume: decimal(b[5]),
    time: b[0],
  };
}

/** BTC-quoted and USDT-quoted pairs: base and quote split off the scan-style symbol. */
function split(symbol: string): [string, string] {
  for (const q of ['USDT', 'BTC', 'ETH', 'BNB']) {
    if (symbol.endsWith(q) && symbol.length > q.length) return [symbol.slice(0, -q.length), q];
  }
  return [symbol.slice(0, 3), symbol.slice(3)];
}

function binanceExchangeInfo(symbols: readonly string[], now: number): unknown {
  return {
    timezone: 'UTC',
    serverTime: Math.floor(now),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
    ],
    exchangeFilters: [],
    symbols: symbols.map((s) => {
      const [base, quote] = split(s);
      return {
        symbol: s,
        status: 'TRADING',
        baseAsset: base,
        baseAssetPrecision: 8,
        quoteAsset: quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
        icebergAllowed: true,
        ocoAllowed: true,
        otoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: true,
        cancelReplaceAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: true,
        filters: [
          {
            filterType: 'PRICE_FILTER',
            minPrice: '0.00000001',
            maxPrice: '1000.00000000',
            tickSize: '0.00000001',
          },
          {
            filterType: 'LOT_SIZE',
            minQty: '0.00100000',
            maxQty: '100000.00000000',
            stepSize: '0.00100000',
          },
          {
            filterType: 'NOTIONAL',
            minNotional: '0.00010000',
            applyMinToMarket: true,
            maxNotional: '9000000.00000000',
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
        ],
        permissions: [],
        permissionSets: [['SPOT', 'MARGIN']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
        allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      };
    }),
  };
}

function bingxContract(s: string): Record<string, unknown> {
  const [base, quote] = split(s);
  return {
    contractId: '100',
    symbol: `${base}-${quote}`,
    quantityPrecision: 4,
    pricePrecision: 1,
    takerFeeRate: 0.0005,
    makerFeeRate: 0.0002,
    tradeMinQuantity: 0.0001,
    tradeMinUSDT: 2,
    currency: quote,
    asset: base,
    status: 1,
    apiStateOpen: 'true',
    apiStateClose: 'true',
    ensureTrigger: true,
    triggerFeeRate: '0.00020000',
    brokerState: true,
    launchTime: 1586275200000,
    maintainTime: 0,
    offTime: 0,
  };
}
