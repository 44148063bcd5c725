// The records of the simulated account: orders, fills, positions, funding income, and the
// events the stream publishes about them. Money and prices are the mock exchange's doubles;
// quantities are held in the market's steps (units), as the execution rules count them.
import type { Market } from '../../../engine/rules/index.js';

export type Side = 'BUY' | 'SELL';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED';

export interface Order {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly market: Market;
  readonly side: Side;
  readonly type: 'MARKET' | 'LIMIT' | 'STOP_MARKET';
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  /** The limit (0 for a market order). */
  readonly price: number;
  /** A stop's trigger: it buys at the taker price once the price reaches it (0: none). */
  readonly stopPrice: number;
  readonly units: number;
  readonly leverage: number;
  readonly time: number;
  executedUnits: number;
  cumQuote: number;
  /** Paid fees, negative as the venue reports them. */
  commission: number;
  avgPrice: number;
  status: OrderStatus;
  updateTime: number;
}

export interface Fill {
  readonly tradeId: string;
  readonly order: Order;
  readonly units: number;
  readonly quantity: number;
  readonly price: number;
  /** What was paid (≥ 0), as the mock exchange books it. */
  readonly fee: number;
  readonly maker: boolean;
  readonly liquidation: boolean;
  readonly time: number;
}

export interface Position {
  readonly positionId: string;
  readonly market: Market;
  entryPrice: number;
  /** Steps opened in total, and the margin put up for them (the mock's quantity, margin). */
  openedUnits: number;
  margin: number;
  remainingUnits: number;
  leverage: number;
  fees: number;
  legPnl: number;
  funding: number;
  /** Market time of the last funding check; the advance it opened on (no funding then). */
  lastTs: number;
  readonly openedAdvance: number;
}

export interface Income {
  readonly tranId: string;
  readonly market: Market;
  readonly amount: number;
  readonly time: number;
}

export type VenueEvent =
  | { readonly kind: 'order'; readonly order: Order; readonly fill: Fill | null }
  | { readonly kind: 'account'; readonly reason: string; readonly markets: readonly Market[] }
  | { readonly kind: 'config'; readonly market: Market };

export interface OrderRequest {
  readonly market: Market;
  readonly side: Side;
  readonly type: 'MARKET' | 'LIMIT' | 'STOP_MARKET';
  readonly units: number;
  readonly price: number;
  /** STOP_MARKET: the trigger (0 otherwise). */
  readonly stopPrice?: number;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string;
}

/** Faults consulted when the order reaches them (so a refused order leaves them armed). */
export interface FaultHooks {
  readonly splitFill: () => boolean;
  readonly noMargin: () => boolean;
}
