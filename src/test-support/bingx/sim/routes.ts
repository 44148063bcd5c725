// The REST endpoints the simulator answers, by `METHOD path` as ccxt 4.5.84's bingx calls them
// (its `api` table and `sign()`: `urls.api[type] + '/' + type + '/' + version + '/' + path`).
// Public ones need no signature. Shapes are the recorded responses' (../ccxt/); where none is
// recorded, the response comment in ccxt's bingx.js for that method.
import { fromUnits, type Market } from '../../../engine/rules/index.js';
import { refuse } from './errors.js';
import type { Faults } from './faults.js';
import { INTERVALS, type Klines } from './klines.js';
import type { Params } from './params.js';
import {
  balanceJson,
  fillJson,
  incomeJson,
  orderJson,
  placedJson,
  positionJson,
} from './shapes.js';
import type { Venue } from './venue.js';
import type { Streams } from './ws.js';

export interface Reply {
  readonly status: number;
  readonly body: string;
}

export interface Ctx {
  readonly venue: Venue;
  readonly klines: Klines;
  readonly streams: Streams;
  readonly faults: Faults;
  readonly contracts: readonly unknown[];
  readonly now: () => number;
}

export interface Route {
  readonly auth: boolean;
  /** Requests that place, change or cancel orders; those that change account settings. */
  readonly writes: 'order' | 'settings' | null;
  readonly run: (q: Params, c: Ctx) => Reply;
}

const reply = (body: unknown, status = 200): Reply => ({ status, body: JSON.stringify(body) });
const ok = (data: unknown): Reply => reply({ code: 0, msg: '', data });

function leverageData(c: Ctx, m: Market) {
  const lev = c.venue.leverageOf(m);
  return {
    longLeverage: lev,
    shortLeverage: lev,
    maxLongLeverage: m.maxShortLeverage,
    maxShortLeverage: m.maxShortLeverage,
    availableLongVol: '0.0000',
    availableShortVol: '0.0000',
    availableLongVal: '0.0',
    availableShortVal: '0.0',
    maxPositionLongVal: '0.0',
    maxPositionShortVal: '0.0',
  };
}

/** Settings a venue will not change under an open position or order. */
function requireIdle(c: Ctx, m?: Market): void {
  const busy = m
    ? c.venue.positions.has(m.venueId) || c.venue.openOrders(m).length > 0
    : c.venue.positions.size > 0 || c.venue.openOrders().length > 0;
  if (busy) throw refuse.badParam('there are open positions or orders; cancel or close them first');
}

function dual(c: Ctx): Reply {
  const data = { dualSidePosition: String(c.venue.dualSide) };
  return reply({ code: '0', msg: '', timeStamp: String(c.now()), data });
}

function placeOrder(q: Params, c: Ctx): Reply {
  const market = q.market();
  if (!market.tradable) throw refuse.closedSymbol(market.venueId);
  const side = q.oneOf('side', ['BUY', 'SELL'] as const);
  const type = q.oneOf('type', ['MARKET', 'LIMIT', 'STOP_MARKET'] as const);
  q.oneOf('positionSide', ['BOTH'] as const, 'BOTH');
  const tif = q.oneOf('timeInForce', ['GTC', 'PostOnly'] as const, 'GTC');
  for (const unsupported of ['stopLoss', 'takeProfit', 'priceRate', 'closePosition']) {
    if (q.opt(unsupported) !== null) throw refuse.badParam(`${unsupported} is not simulated`);
  }
  if (type !== 'STOP_MARKET' && q.opt('stopPrice') !== null) {
    throw refuse.badParam('stopPrice is simulated for STOP_MARKET orders only');
  }
  // A stop protects a short (the simulator holds shorts only): a reduce-only buy.
  if (type === 'STOP_MARKET' && (side !== 'BUY' || !q.bool('reduceOnly'))) {
    throw refuse.badParam('STOP_MARKET is simulated as a reduce-only BUY only');
  }
  const clientOrderId = q.opt('clientOrderID') ?? '';
  if (clientOrderId !== '' && !/^[A-Za-z0-9_-]{1,40}$/.test(clientOrderId)) {
    throw refuse.badParam('clientOrderID: 1 to 40 letters, digits, _ or -');
  }
  const units = q.steps('quantity', market.quantityDecimals, 'step');
  const d = market.priceDecimals;
  const price = type === 'LIMIT' ? fromUnits(q.steps('price', d, 'tick'), d) : 0;
  const stopPrice = type === 'STOP_MARKET' ? fromUnits(q.steps('stopPrice', d, 'tick'), d) : 0;
  const order = c.venue.place(
    {
      market,
      side,
      type,
      units,
      price,
      stopPrice,
      postOnly: tif === 'PostOnly',
      reduceOnly: q.bool('reduceOnly'),
      clientOrderId,
    },
    {
      splitFill: () => c.faults.take('partialFill'),
      noMargin: () => c.faults.take('insufficientMargin'),
    },
  );
  return ok(placedJson(order));
}

function findOrder(q: Params, c: Ctx) {
  const market = q.market();
  const orderId = q.opt('orderId') ?? '';
  const clientOrderId = q.opt('clientOrderID') ?? '';
  if (orderId === '' && clientOrderId === '') throw refuse.badParam('orderId or clientOrderID');
  return c.venue.findOrder(market, orderId, clientOrderId);
}

function klines(q: Params, c: Ctx): Reply {
  const market = q.market();
  const name = q.req('interval');
  const interval = INTERVALS[name];
  if (interval === undefined) throw refuse.badParam(`interval ${name} is not valid`);
  const limit = Math.min(q.int('limit') ?? 500, 1440);
  return ok(c.klines.candles(market, interval, q.int('startTime'), q.int('endTime'), limit));
}

function cancelAllAfter(q: Params, c: Ctx): Reply {
  const type = q.oneOf('type', ['ACTIVATE', 'CLOSE'] as const);
  const seconds = q.int('timeOut') ?? 0;
  if (type === 'CLOSE') {
    c.venue.cancelAt = null;
    return ok({ triggerTime: '0', status: 'CLOSED', note: 'The timer is closed.' });
  }
  if (seconds <= 0) throw refuse.badParam('timeOut must be a positive number of seconds');
  c.venue.cancelAt = c.now() + seconds * 1000;
  const at = Math.floor(c.venue.cancelAt / 1000);
  const note = `All your perpetual pending orders will be closed automatically at ${new Date(at * 1000).toISOString()}, before that you can cancel the timer, or extend triggerTime time by this request`;
  return ok({ triggerTime: String(at), status: 'ACTIVATED', note });
}

/** `data.success` lists the closing orders' ids as bare 19-digit numbers, as recorded. */
function closeAll(q: Params, c: Ctx): Reply {
  const ids = c.venue.closeAll(q.optMarket()).map((o) => o.orderId);
  return { status: 200, body: `{"code":0,"msg":"","data":{"success":[${ids}],"failed":null}}` };
}

function fills(q: Params, c: Ctx): Reply {
  const m = q.optMarket();
  const orderId = q.opt('orderId');
  const from = q.int('startTs') ?? 0;
  const to = q.int('endTs') ?? Number.MAX_SAFE_INTEGER;
  const list = c.venue.fills.filter(
    (f) =>
      (!m || f.order.market === m) &&
      (orderId === null || f.order.orderId === orderId) &&
      f.time >= from &&
      f.time <= to,
  );
  return ok({ fill_orders: list.map(fillJson) });
}

function income(q: Params, c: Ctx): Reply {
  const m = q.optMarket();
  const type = q.opt('incomeType');
  const from = q.int('startTime') ?? 0;
  const to = q.int('endTime') ?? Number.MAX_SAFE_INTEGER;
  const limit = Math.min(q.int('limit') ?? 100, 1000);
  const list = c.venue.incomes
    .filter(
      (i) =>
        (type === null || type === 'FUNDING_FEE') &&
        (!m || i.market === m) &&
        i.time >= from &&
        i.time <= to,
    )
    .reverse()
    .slice(0, limit);
  return ok(list.map(incomeJson));
}

const empty: Reply = { status: 200, body: '' };
const unknownKey: Reply = { status: 404, body: '' };

const route = (auth: boolean, writes: Route['writes'], run: Route['run']): Route => ({
  auth,
  writes,
  run,
});

const SWAP = '/openApi/swap';

export const ROUTES: ReadonlyMap<string, Route> = new Map([
  [`GET ${SWAP}/v2/server/time`, route(false, null, (_, c) => ok({ serverTime: c.now() }))],
  [`GET ${SWAP}/v2/quote/contracts`, route(false, null, (_, c) => ok(c.contracts))],
  [`GET ${SWAP}/v3/quote/klines`, route(false, null, klines)],
  // ccxt's loadMarkets also reads the spot and coin-M lists: the simulator lists none.
  [
    'GET /openApi/spot/v1/common/symbols',
    route(false, null, () => reply({ code: 0, msg: '', debugMsg: '', data: { symbols: [] } })),
  ],
  [
    'GET /openApi/cswap/v1/market/contracts',
    route(false, null, (_, c) => reply({ code: 0, msg: '', timestamp: c.now(), data: [] })),
  ],
  // …and, holding keys, the wallet's coin list (fetchCurrencies): none either.
  [
    'GET /openApi/wallets/v1/capital/config/getall',
    route(true, null, (_, c) => reply({ code: '0', timestamp: String(c.now()), data: [] })),
  ],
  [`GET ${SWAP}/v3/user/balance`, route(true, null, (_, c) => ok([balanceJson(c.venue)]))],
  [
    `GET ${SWAP}/v2/user/positions`,
    route(true, null, (q, c) => {
      const m = q.optMarket();
      const list = [...c.venue.positions.values()].filter((p) => !m || p.market === m);
      return ok(list.map((p) => positionJson(c.venue, p)));
    }),
  ],
  [`GET ${SWAP}/v2/trade/leverage`, route(true, null, (q, c) => ok(leverageData(c, q.market())))],
  [
    `POST ${SWAP}/v2/trade/leverage`,
    route(true, 'settings', (q, c) => {
      const m = q.market();
      q.oneOf('side', ['LONG', 'SHORT', 'BOTH'] as const);
      const lev = q.int('leverage');
      if (lev === null || lev < 1 || lev > m.maxShortLeverage) {
        throw refuse.badParam(`leverage must be 1 to ${m.maxShortLeverage}`);
      }
      c.venue.leverage.set(m.venueId, lev);
      c.venue.configChanged(m);
      return ok({ leverage: lev, symbol: m.venueId, ...leverageData(c, m) });
    }),
  ],
  [
    `GET ${SWAP}/v2/trade/marginType`,
    route(true, null, (q, c) => {
      const m = q.market();
      const isolated = c.venue.isolated.get(m.venueId) ?? false;
      return ok({ marginType: isolated ? 'ISOLATED' : 'CROSSED', symbol: m.venueId });
    }),
  ],
  [
    `POST ${SWAP}/v2/trade/marginType`,
    route(true, 'settings', (q, c) => {
      const m = q.market();
      const type = q.oneOf('marginType', ['ISOLATED', 'CROSSED'] as const);
      requireIdle(c, m);
      c.venue.isolated.set(m.venueId, type === 'ISOLATED');
      c.venue.configChanged(m);
      return ok({});
    }),
  ],
  [`GET ${SWAP}/v1/positionSide/dual`, route(true, null, (_, c) => dual(c))],
  [
    `POST ${SWAP}/v1/positionSide/dual`,
    route(true, 'settings', (q, c) => {
      const hedged = q.oneOf('dualSidePosition', ['true', 'false'] as const) === 'true';
      requireIdle(c);
      c.venue.dualSide = hedged;
      return dual(c);
    }),
  ],
  [`POST ${SWAP}/v2/trade/order`, route(true, 'order', placeOrder)],
  [
    `GET ${SWAP}/v2/trade/order`,
    route(true, null, (q, c) => ok({ order: orderJson(findOrder(q, c)) })),
  ],
  [
    `DELETE ${SWAP}/v2/trade/order`,
    route(true, 'order', (q, c) => {
      const order = findOrder(q, c);
      c.venue.cancel(order);
      return ok({ order: orderJson(order) });
    }),
  ],
  [
    `GET ${SWAP}/v2/trade/openOrders`,
    route(true, null, (q, c) => ok({ orders: c.venue.openOrders(q.optMarket()).map(orderJson) })),
  ],
  [
    `DELETE ${SWAP}/v2/trade/allOpenOrders`,
    route(true, 'order', (q, c) => {
      const list = c.venue.openOrders(q.optMarket());
      for (const o of list) c.venue.cancel(o);
      return ok({ success: list.map(orderJson), failed: null });
    }),
  ],
  [`POST ${SWAP}/v2/trade/cancelAllAfter`, route(true, 'order', cancelAllAfter)],
  [`POST ${SWAP}/v2/trade/closeAllPositions`, route(true, 'order', closeAll)],
  [`GET ${SWAP}/v2/trade/allFillOrders`, route(true, null, fills)],
  [`GET ${SWAP}/v2/user/income`, route(true, null, income)],
  // The listenKey answers are bare, without the code/msg envelope (BingX's docs).
  [
    'POST /openApi/user/auth/userDataStream',
    route(true, null, (_, c) => reply({ listenKey: c.streams.create() })),
  ],
  [
    'PUT /openApi/user/auth/userDataStream',
    route(true, null, (q, c) => (c.streams.extend(q.req('listenKey')) ? empty : unknownKey)),
  ],
  [
    'DELETE /openApi/user/auth/userDataStream',
    route(true, null, (q, c) => (c.streams.remove(q.req('listenKey')) ? empty : unknownKey)),
  ],
]);
