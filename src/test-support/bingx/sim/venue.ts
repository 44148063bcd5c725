// The simulated BingX account: orders, fills, short positions, funding, liquidation and the
// cancel-all-after switch. No I/O: the HTTP and stream layers call it and publish what it
// emits. Fills, fees, funding and liquidation are the mock exchange's (src/engine/exchange.ts)
// to the bit, in the same float operation order, so a backtest and a run against the
// simulator can be compared byte for byte.
import { type ExecutionRules, fromUnits, type Market } from '../../../engine/rules/index.js';
import type { Scan } from '../../../model/index.js';
import { refuse } from './errors.js';
import type {
  FaultHooks,
  Fill,
  Income,
  Order,
  OrderRequest,
  Position,
  VenueEvent,
} from './records.js';

/** Ids as the venue writes them: 19 digits, past 2^53, so only ever handled as text. */
const ID_BASE = 1_900_000_000_000_000_000n;

export class Venue {
  readonly orders: Order[] = [];
  readonly fills: Fill[] = [];
  readonly incomes: Income[] = [];
  readonly positions = new Map<string, Position>();
  readonly leverage = new Map<string, number>();
  readonly isolated = new Map<string, boolean>();
  dualSide = false;
  /** Realised balance of closed positions (the mock's capital). */
  settled: number;
  /** Server time at which every open order is cancelled (cancel-all-after), or null. */
  cancelAt: number | null = null;
  private readonly prices = new Map<string, number>();
  private readonly clientIds = new Set<string>();
  private marketTs = 0;
  private advances = 0;
  private ids = 0n;

  constructor(
    readonly rules: ExecutionRules,
    readonly startBalance: number,
    private readonly now: () => number,
    private readonly emit: (e: VenueEvent) => void,
  ) {
    this.settled = startBalance;
  }

  nextId(): string {
    this.ids += 1n;
    return String(ID_BASE + this.ids);
  }

  price(m: Market): number | null {
    return this.prices.get(m.venueId) ?? null;
  }

  leverageOf(m: Market): number {
    return this.leverage.get(m.venueId) ?? Math.min(5, m.maxShortLeverage);
  }

  openOrders(m?: Market): Order[] {
    return this.orders.filter(
      (o) => (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (!m || o.market === m),
    );
  }

  findOrder(m: Market, orderId: string, clientOrderId: string): Order {
    const o = this.orders.find(
      (x) =>
        x.market === m &&
        (orderId !== '' ? x.orderId === orderId : x.clientOrderId === clientOrderId),
    );
    if (o === undefined) throw refuse.noOrder();
    return o;
  }

  /** Margin held by a position: the part of its margin its remaining quantity carries. */
  marginLeft(p: Position): number {
    const q = p.market.quantityDecimals;
    return (p.margin * fromUnits(p.remainingUnits, q)) / fromUnits(p.openedUnits, q);
  }

  balances() {
    let wallet = this.settled;
    let used = 0;
    let unrealized = 0;
    for (const p of this.positions.values()) {
      wallet += p.legPnl - p.fees + p.funding;
      used += this.marginLeft(p);
      unrealized += this.unrealized(p);
    }
    let frozen = 0;
    for (const o of this.openOrders()) {
      if (o.side === 'SELL') frozen += this.orderMargin(o.market, o.units, o.price, o.leverage);
    }
    return { wallet, used, frozen, unrealized, available: wallet - used - frozen };
  }

  unrealized(p: Position): number {
    const mark = this.price(p.market) ?? p.entryPrice;
    return fromUnits(p.remainingUnits, p.market.quantityDecimals) * (p.entryPrice - mark);
  }

  /** The mock's entry check: `(quantity × price) / leverage`. */
  private orderMargin(m: Market, units: number, at: number, leverage: number): number {
    return (fromUnits(units, m.quantityDecimals) * at) / leverage;
  }

  /** Places an order; refusals throw the venue's error and change nothing. */
  place(r: OrderRequest, o: FaultHooks): Order {
    const m = r.market;
    if (this.dualSide) {
      throw refuse.badParam('In the Hedge mode, the PositionSide field can only be LONG or SHORT');
    }
    const price = this.price(m);
    if (price === null) throw refuse.badParam(`no market price for ${m.venueId} yet`);
    if (r.clientOrderId !== '' && this.clientIds.has(r.clientOrderId)) {
      throw refuse.invalidOrder(`clientOrderID ${r.clientOrderId} already exists`);
    }
    const p = this.positions.get(m.venueId);
    let units = r.units;
    if (r.side === 'BUY') {
      if (p === undefined) {
        throw r.reduceOnly
          ? refuse.invalidOrder('no position to reduce')
          : refuse.badParam('a buy that opens a long: the simulator holds shorts only');
      }
      if (units > p.remainingUnits) {
        if (!r.reduceOnly) throw refuse.badParam('a buy that turns the short long');
        units = p.remainingUnits;
      }
    } else if (r.reduceOnly) {
      throw refuse.invalidOrder('no long position to reduce');
    }
    const closesAll = p !== undefined && r.side === 'BUY' && units === p.remainingUnits;
    const quantity = fromUnits(units, m.quantityDecimals);
    // A close of the whole position is taken below the minimums (the rules' exitUnits).
    if (!closesAll && quantity < m.minQuantity) {
      throw refuse.invalidOrder(`quantity ${quantity} below the minimum ${m.minQuantity}`);
    }
    if (!closesAll && quantity * price < m.minNotional) {
      throw refuse.invalidOrder(
        `Please ensure that the minimum nominal value of the order placed must be greater than ${m.minNotional}u`,
      );
    }
    if (r.type === 'STOP_MARKET' && !(r.stopPrice !== undefined && r.stopPrice > price)) {
      throw refuse.invalidOrder(
        `a buy stop at ${r.stopPrice} would trigger at once (price ${price})`,
      );
    }
    if (r.type === 'LIMIT') {
      // No book: the best bid and ask sit a tick either side of the price on the tick grid.
      const mid = this.rules.toTick(m, price);
      const crosses = r.side === 'SELL' ? r.price < mid : r.price > mid;
      if (crosses && r.postOnly) throw refuse.invalidOrder('PostOnly order would trade at once');
      if (crosses) throw refuse.badParam('marketable limit orders are not simulated');
    }
    const leverage = this.leverageOf(m);
    if (r.side === 'SELL') {
      const at = r.type === 'MARKET' ? this.rules.takerFill(m, price, 'sell') : r.price;
      const margin = this.orderMargin(m, units, at, leverage);
      const available = this.balances().available;
      if (o.noMargin() || margin > available) {
        throw refuse.noMargin(`margin ${margin} exceeds the available ${available}`);
      }
    }
    const now = this.now();
    const order: Order = {
      orderId: this.nextId(),
      clientOrderId: r.clientOrderId,
      market: m,
      side: r.side,
      type: r.type,
      postOnly: r.postOnly,
      reduceOnly: r.reduceOnly,
      price: r.type === 'LIMIT' ? r.price : 0,
      stopPrice: r.type === 'STOP_MARKET' ? (r.stopPrice ?? 0) : 0,
      units,
      leverage,
      time: now,
      executedUnits: 0,
      cumQuote: 0,
      commission: 0,
      avgPrice: 0,
      status: 'NEW',
      updateTime: now,
    };
    this.orders.push(order);
    if (r.clientOrderId !== '') this.clientIds.add(r.clientOrderId);
    this.emit({ kind: 'order', order, fill: null });
    if (r.type === 'MARKET') {
      const fill = this.rules.takerFill(m, price, r.side === 'SELL' ? 'sell' : 'buy');
      const first = units >= 2 && o.splitFill() ? Math.floor(units / 2) : units;
      this.fill(order, first, fill, false);
      if (first < units) this.fill(order, units - first, fill, false);
    }
    return order;
  }

  configChanged(m: Market): void {
    this.emit({ kind: 'config', market: m });
  }

  cancel(order: Order): void {
    if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') {
      throw refuse.invalidOrder(`order ${order.orderId} is ${order.status}, not open`);
    }
    order.status = 'CANCELLED';
    order.updateTime = this.now();
    this.emit({ kind: 'order', order, fill: null });
  }

  /** One fill of `units` at `price`: the mock's open (a sell) or leg (a buy). */
  private fill(order: Order, units: number, price: number, maker: boolean, liq = false): Fill {
    const m = order.market;
    const quantity = fromUnits(units, m.quantityDecimals);
    const x = this.rules.x;
    const rate = maker ? x.fee_maker : x.fee_taker;
    let fee: number;
    const p = this.positions.get(m.venueId);
    if (order.side === 'SELL') {
      const notional = price * quantity;
      fee = this.rules.fee(quantity, price, rate);
      if (p === undefined) {
        this.positions.set(m.venueId, {
          positionId: this.nextId(),
          market: m,
          entryPrice: price,
          openedUnits: units,
          margin: notional / order.leverage,
          remainingUnits: units,
          leverage: order.leverage,
          fees: fee,
          legPnl: 0,
          funding: 0,
          lastTs: this.marketTs,
          openedAdvance: this.advances,
        });
      } else {
        const q = fromUnits(p.remainingUnits, m.quantityDecimals);
        if (price !== p.entryPrice) p.entryPrice = (p.entryPrice * q + notional) / (q + quantity);
        p.openedUnits += units;
        p.margin += notional / order.leverage;
        p.remainingUnits += units;
        p.fees += fee;
      }
    } else {
      if (p === undefined) throw new Error(`a buy fill of ${m.venueId} with no position`);
      const marginLeft = this.marginLeft(p);
      fee = liq ? 0 : this.rules.fee(quantity, price, rate);
      p.fees += fee;
      p.legPnl += liq ? -marginLeft : quantity * (p.entryPrice - price);
      p.remainingUnits -= units;
    }
    const now = this.now();
    const prior = order.executedUnits;
    order.executedUnits += units;
    order.cumQuote += price * quantity;
    order.commission -= fee;
    order.avgPrice =
      prior === 0 || price === order.avgPrice
        ? price
        : order.cumQuote / fromUnits(order.executedUnits, m.quantityDecimals);
    order.status = order.executedUnits === order.units ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTime = now;
    const f: Fill = {
      tradeId: this.nextId(),
      order,
      units,
      quantity,
      price,
      fee,
      maker,
      liquidation: liq,
      time: now,
    };
    this.fills.push(f);
    this.emit({ kind: 'order', order, fill: f });
    if (p !== undefined && p.remainingUnits === 0) {
      this.settled += p.legPnl - p.fees + p.funding;
      this.positions.delete(m.venueId);
      // Buys only reduce here: once the short is closed they have nothing left to reduce.
      for (const o of this.openOrders(m)) if (o.side === 'BUY') this.cancel(o);
    }
    this.emit({ kind: 'account', reason: liq ? 'LIQUIDATION' : 'ORDER', markets: [m] });
    return f;
  }

  /** Buys back every short at the taker price (close-all-positions); the orders placed. */
  closeAll(m?: Market): Order[] {
    const out: Order[] = [];
    for (const p of [...this.positions.values()]) {
      if (m !== undefined && p.market !== m) continue;
      const order = this.place(
        {
          market: p.market,
          side: 'BUY',
          type: 'MARKET',
          units: p.remainingUnits,
          price: 0,
          postOnly: false,
          reduceOnly: true,
          clientOrderId: '',
        },
        { splitFill: () => false, noMargin: () => false },
      );
      out.push(order);
    }
    return out;
  }

  /** The scan becomes the market: resting orders, then funding and liquidation (the mock's mark). */
  advance(scan: Scan): void {
    this.advances++;
    this.marketTs = scan.ts;
    scan.symbols.forEach((s, i) => {
      const m = this.rules.markets.bySymbol(s);
      const px = scan.prices[i];
      if (m !== null && px !== undefined) this.prices.set(m.venueId, px);
    });
    for (const o of this.openOrders()) {
      const px = this.price(o.market);
      if (px === null || o.status === 'CANCELLED') continue;
      if (o.type === 'STOP_MARKET') {
        // Triggered: a reduce-only buy at the taker price, of what the short still holds.
        const held = this.positions.get(o.market.venueId)?.remainingUnits ?? 0;
        const left = Math.min(o.units - o.executedUnits, held);
        if (px >= o.stopPrice && left > 0) {
          this.fill(o, left, this.rules.takerFill(o.market, px, 'buy'), false);
          if (o.status === 'PARTIALLY_FILLED') this.cancel(o);
        }
        continue;
      }
      const through = o.side === 'SELL' ? px > o.price : px < o.price;
      const left = o.units - o.executedUnits;
      const held = this.positions.get(o.market.venueId)?.remainingUnits ?? 0;
      if (through) this.fill(o, o.side === 'SELL' ? left : Math.min(left, held), o.price, true);
    }
    for (const p of [...this.positions.values()]) {
      if (p.openedAdvance === this.advances) continue;
      const px = this.price(p.market);
      const i = scan.symbols.indexOf(p.market.symbol);
      if (px === null || i < 0) continue;
      this.accrueFunding(p, scan, px);
      this.liquidate(p, px);
    }
  }

  private accrueFunding(p: Position, scan: Scan, price: number): void {
    if (this.rules.fundingDue(p.lastTs, scan.ts)) {
      const remaining = fromUnits(p.remainingUnits, p.market.quantityDecimals);
      const amount = remaining * price * (scan.acb?.funding_rate ?? 0);
      p.funding += amount;
      if (amount !== 0) {
        this.incomes.push({ tranId: this.nextId(), market: p.market, amount, time: this.now() });
        this.emit({ kind: 'account', reason: 'FUNDING_FEE', markets: [p.market] });
      }
    }
    p.lastTs = scan.ts;
  }

  private liquidate(p: Position, price: number): void {
    const remaining = fromUnits(p.remainingUnits, p.market.quantityDecimals);
    const underwater =
      this.marginLeft(p) + remaining * (p.entryPrice - price) <=
      this.rules.x.maintenance_margin_rate * remaining * price;
    if (!underwater) return;
    const now = this.now();
    const order: Order = {
      orderId: this.nextId(),
      clientOrderId: '',
      market: p.market,
      side: 'BUY',
      type: 'MARKET',
      postOnly: false,
      reduceOnly: true,
      price: 0,
      stopPrice: 0,
      units: p.remainingUnits,
      leverage: p.leverage,
      time: now,
      executedUnits: 0,
      cumQuote: 0,
      commission: 0,
      avgPrice: 0,
      status: 'NEW',
      updateTime: now,
    };
    this.orders.push(order);
    this.fill(order, p.remainingUnits, this.rules.toTick(p.market, price), false, true);
  }

  /** Cancels every open order once the cancel-all-after deadline has passed. */
  sweep(): void {
    if (this.cancelAt === null || this.now() < this.cancelAt) return;
    this.cancelAt = null;
    for (const o of this.openOrders()) this.cancel(o);
  }
}
