// The venue's JSON shapes for the simulator's state: orders, fills, positions, balance and the
// user-data stream's events. Field sets follow the recorded responses in ../ccxt/ (fetchOrder,
// fetchMyTrades, fetchPositions, fetchBalance, createOrder's flat shape); the stream events,
// which no fixture records, follow ccxt pro's handleOrder/handleMyTrades/handleBalance/
// handlePositions (pro/bingx.js) and BingX's user-stream docs. Numbers go out as decimal text
// that parses back to the same double, so ccxt reads the simulator's fills bit for bit.
import { fromUnits, type Market } from '../../../engine/rules/index.js';
import type { Fill, Income, Order, Position, VenueEvent } from './records.js';
import type { Venue } from './venue.js';

/** x as plain decimal text (no exponent), the shortest that reads back as x. */
export function decimal(x: number): string {
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s.startsWith('-') ? '-' : '';
  const exp = Number(s.slice(e + 1));
  const [int = '', frac = ''] = s.slice(sign.length, e).split('.');
  const digits = int + frac;
  const point = int.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const qty = (m: Market, units: number) =>
  fromUnits(units, m.quantityDecimals).toFixed(m.quantityDecimals);

const EMPTY_TPSL = { type: '', quantity: '0', stopPrice: '0', price: '0', workingType: '' };

/** An order as `GET /openApi/swap/v2/trade/order` answers it (`data.order`). */
export function orderJson(o: Order): Record<string, unknown> {
  const m = o.market;
  return {
    symbol: m.venueId,
    orderId: o.orderId,
    side: o.side,
    positionSide: 'BOTH',
    type: o.type,
    origQty: qty(m, o.units),
    price: decimal(o.price),
    executedQty: qty(m, o.executedUnits),
    avgPrice: decimal(o.avgPrice),
    cumQuote: decimal(o.cumQuote),
    stopPrice: o.type === 'STOP_MARKET' ? decimal(o.stopPrice) : '',
    profit: '0.0000',
    commission: decimal(o.commission),
    status: o.status,
    time: String(o.time),
    updateTime: String(o.updateTime),
    clientOrderId: o.clientOrderId,
    leverage: `${o.leverage}X`,
    takeProfit: EMPTY_TPSL,
    stopLoss: EMPTY_TPSL,
    advanceAttr: '0',
    positionID: '0',
    takeProfitEntrustPrice: '0',
    stopLossEntrustPrice: '0',
    orderType: '',
    workingType: 'MARK_PRICE',
    onlyOnePosition: true,
    reduceOnly: o.reduceOnly,
    postOnly: o.postOnly,
    stopGuaranteed: 'false',
    triggerOrderId: '0',
  };
}

/** A new order as `POST /openApi/swap/v2/trade/order` answers it (the newest, flat `data`). */
export function placedJson(o: Order): Record<string, unknown> {
  const m = o.market;
  return {
    orderId: o.orderId,
    orderID: o.orderId,
    symbol: m.venueId,
    positionSide: 'BOTH',
    side: o.side,
    type: o.type,
    price: decimal(o.price),
    quantity: qty(m, o.units),
    quoteOrderQty: '0',
    stopPrice: o.type === 'STOP_MARKET' ? decimal(o.stopPrice) : '0',
    workingType: 'MARK_PRICE',
    clientOrderID: o.clientOrderId,
    clientOrderId: o.clientOrderId,
    timeInForce: o.postOnly ? 'PostOnly' : 'GTC',
    priceRate: '0',
    stopLoss: '',
    takeProfit: '',
    reduceOnly: o.reduceOnly,
    activationPrice: '0',
    closePosition: '',
    stopGuaranteed: '',
    status: o.status === 'NEW' ? 'PENDING' : o.status,
    avgPrice: decimal(o.avgPrice),
    executedQty: qty(m, o.executedUnits),
  };
}

/** `filledTm` is UTC to the second; `filledTime` the same wall clock written as UTC+8. */
export function fillJson(f: Fill): Record<string, unknown> {
  const m = f.order.market;
  const utc = new Date(Math.floor(f.time / 1000) * 1000).toISOString().slice(0, 19);
  return {
    filledTm: `${utc}Z`,
    volume: qty(m, f.units),
    price: decimal(f.price),
    amount: decimal(f.price * f.quantity),
    commission: decimal(-f.fee),
    currency: 'USDT',
    orderId: f.order.orderId,
    liquidatedPrice: f.liquidation ? decimal(f.price) : '',
    liquidatedMarginRatio: '',
    filledTime: `${utc}.000+0800`,
    clientOrderID: f.order.clientOrderId,
    symbol: m.venueId,
    onlyOnePosition: true,
  };
}

/**
 * One-way positions are reported with their side (SHORT, positive amount) as the recorded
 * positions fixture reads: ccxt's parsePosition takes the side from `positionSide`.
 */
export function positionJson(v: Venue, p: Position): Record<string, unknown> {
  const m = p.market;
  const mark = v.price(m) ?? p.entryPrice;
  const margin = v.marginLeft(p);
  const upnl = v.unrealized(p);
  return {
    positionId: p.positionId,
    symbol: m.venueId,
    currency: 'USDT',
    positionAmt: qty(m, p.remainingUnits),
    availableAmt: qty(m, p.remainingUnits),
    positionSide: 'SHORT',
    isolated: v.isolated.get(m.venueId) ?? false,
    avgPrice: decimal(p.entryPrice),
    initialMargin: decimal(margin),
    leverage: String(p.leverage),
    unrealizedProfit: decimal(upnl),
    realisedProfit: decimal(p.legPnl - p.fees + p.funding),
    liquidationPrice: '0',
    pnlRatio: decimal(upnl / margin),
    maxMarginReduction: '0.0000',
    riskRate: '0.0000',
    markPrice: decimal(mark),
    positionValue: decimal(fromUnits(p.remainingUnits, m.quantityDecimals) * mark),
    onlyOnePosition: true,
  };
}

export function balanceJson(v: Venue): Record<string, unknown> {
  const b = v.balances();
  return {
    userId: '0',
    asset: 'USDT',
    balance: decimal(b.wallet),
    equity: decimal(b.wallet + b.unrealized),
    unrealizedProfit: decimal(b.unrealized),
    realisedProfit: decimal(b.wallet - v.startBalance),
    availableMargin: decimal(b.available),
    usedMargin: decimal(b.used),
    freezedMargin: decimal(b.frozen),
    shortUid: '0',
  };
}

export function incomeJson(i: Income): Record<string, unknown> {
  return {
    symbol: i.market.venueId,
    incomeType: 'FUNDING_FEE',
    income: decimal(i.amount),
    asset: 'USDT',
    info: 'Funding Fee',
    time: String(i.time),
    tranId: `${i.tranId}_310`,
    tradeId: `${i.tranId}_310`,
  };
}

/** ORDER_TRADE_UPDATE: `x` TRADE with `l`/`L` (this fill) and `z` (filled so far). */
export function orderEvent(o: Order, f: Fill | null, now: number): Record<string, unknown> {
  const m = o.market;
  const x = f !== null ? 'TRADE' : o.status === 'CANCELLED' ? 'CANCELED' : 'NEW';
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: now,
    T: o.updateTime,
    o: {
      s: m.venueId,
      c: o.clientOrderId,
      i: o.orderId,
      S: o.side,
      o: o.type,
      q: qty(m, o.units),
      p: decimal(o.price),
      ap: decimal(o.avgPrice),
      x,
      X: o.status === 'CANCELLED' ? 'CANCELED' : o.status,
      N: 'USDT',
      n: decimal(f !== null ? -f.fee : 0),
      T: f !== null ? f.time : 0,
      t: f !== null ? f.tradeId : '',
      l: f !== null ? qty(m, f.units) : qty(m, 0),
      L: f !== null ? decimal(f.price) : '0',
      z: qty(m, o.executedUnits),
      m: f?.maker ?? false,
      wt: 'MARK_PRICE',
      ps: 'BOTH',
      ro: o.reduceOnly,
      rp: '0',
    },
  };
}

/** ACCOUNT_UPDATE: the wallet (`wb`, read by ccxt as free) and the markets' positions. */
export function accountEvent(
  v: Venue,
  reason: string,
  markets: readonly Market[],
  now: number,
): Record<string, unknown> {
  const b = v.balances();
  return {
    e: 'ACCOUNT_UPDATE',
    E: now,
    a: {
      m: reason,
      B: [{ a: 'USDT', wb: decimal(b.wallet), cw: decimal(b.available), bc: '0' }],
      P: markets.map((m) => {
        const p = v.positions.get(m.venueId);
        return {
          s: m.venueId,
          pa: p === undefined ? '0' : `-${qty(m, p.remainingUnits)}`,
          ep: decimal(p?.entryPrice ?? 0),
          up: decimal(p === undefined ? 0 : v.unrealized(p)),
          mt: v.isolated.get(m.venueId) ? 'isolated' : 'crossed',
          iw: decimal(p === undefined ? 0 : v.marginLeft(p)),
          ps: 'BOTH',
        };
      }),
    },
  };
}

/** ACCOUNT_CONFIG_UPDATE after a leverage or margin-type change (ccxt reads none of it). */
export function configEvent(v: Venue, m: Market, now: number): Record<string, unknown> {
  const lev = v.leverageOf(m);
  return {
    e: 'ACCOUNT_CONFIG_UPDATE',
    E: now,
    ac: { s: m.venueId, l: lev, S: lev, mt: v.isolated.get(m.venueId) ? 'isolated' : 'crossed' },
  };
}

/** The stream frame for one of the venue's events. */
export function eventJson(v: Venue, e: VenueEvent, now: number): Record<string, unknown> {
  if (e.kind === 'order') return orderEvent(e.order, e.fill, now);
  if (e.kind === 'account') return accountEvent(v, e.reason, e.markets, now);
  return configEvent(v, e.market, now);
}
