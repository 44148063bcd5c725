// Execution rules (SPEC §8, issue 14): what a venue accepts and how it rounds, the caps and
// funding at the venue's marks — one module, used alike by the mock exchange and a venue
// adapter, so a backtest rounds, refuses and pays as the venue will.
import { InvalidInput } from '../../model/index.js';
import { fromUnits, toUnits } from './decimal.js';

export { fromUnits, toUnits } from './decimal.js';

/** One perpetual swap as the venue lists it, under the three names it goes by. */
export interface Market {
  /** The scans' name: `BTCUSDT`. */
  readonly symbol: string;
  /** The venue's own: `BTC-USDT`. */
  readonly venueId: string;
  /** ccxt's unified name: `BTC/USDT:USDT`. */
  readonly unified: string;
  /** Prices are multiples of 10^-priceDecimals (the tick). */
  readonly priceDecimals: number;
  /** Quantities are multiples of 10^-quantityDecimals (the step). */
  readonly quantityDecimals: number;
  readonly minQuantity: number;
  /** Smallest order value (quantity × price), USDT. */
  readonly minNotional: number;
  readonly maxShortLeverage: number;
  /** Open and close both allowed through the API. */
  readonly tradable: boolean;
}

/** The markets of one venue, looked up by any of their names; an unknown name is null. */
export class Markets {
  private readonly bySym = new Map<string, Market>();
  private readonly byVenue = new Map<string, Market>();
  private readonly byUni = new Map<string, Market>();

  /**
   * `source`: where the list came from (reported in summaries beside its digest). A name
   * two contracts share is refused (`InvalidInput`): a symbol must map one way.
   */
  constructor(
    readonly source: string,
    readonly digest: string,
    list: readonly Market[],
  ) {
    for (const m of list) {
      for (const [map, key] of [
        [this.bySym, m.symbol],
        [this.byVenue, m.venueId],
        [this.byUni, m.unified],
      ] as const) {
        const other = map.get(key);
        if (other !== undefined) {
          throw new InvalidInput(
            other.venueId === m.venueId
              ? `contracts: ${m.venueId} listed twice`
              : `contracts: ${other.venueId} and ${m.venueId} both go by ${key}`,
          );
        }
        map.set(key, m);
      }
    }
  }

  get size(): number {
    return this.bySym.size;
  }

  bySymbol(symbol: string): Market | null {
    return this.bySym.get(symbol) ?? null;
  }

  byVenueId(id: string): Market | null {
    return this.byVenue.get(id) ?? null;
  }

  byUnified(unified: string): Market | null {
    return this.byUni.get(unified) ?? null;
  }
}

/** Order-level caps (SPEC §8): what one entry may be. */
export interface Caps {
  /** Largest entry value, USDT (null: none); a larger decision is cut down to it. */
  readonly max_notional: number | null;
  /** Highest exchange leverage an entry is placed at; a higher decision is placed at this. */
  readonly max_exchange_leverage: number;
  /** The scan symbols an entry may be on (null: every market the venue lists). */
  readonly symbols: readonly string[] | null;
  /**
   * Loss (USDT) since the UTC day began, realised and marked, that disarms and flattens
   * (null: none). Disarmed, no entry is ordered again in the run.
   */
  readonly daily_loss_limit: number | null;
  /** Entry orders in any 60 s of scan time; one more disarms, without flattening (null: none). */
  readonly max_orders_per_minute: number | null;
}

export const CAPS: Caps = Object.freeze({
  max_notional: null,
  max_exchange_leverage: 3,
  symbols: null,
  daily_loss_limit: null,
  max_orders_per_minute: null,
});

/** The execution config (`execution` section): fees, slippage, maker policy, funding, caps. */
export interface ExecutionParams {
  readonly fee_maker: number;
  readonly fee_taker: number;
  readonly slippage_bps: number;
  readonly entry_order: 'taker' | 'maker';
  readonly maker_timeout_scans: number;
  readonly maker_on_timeout: 'cancel' | 'taker';
  readonly funding_interval_ms: number;
  readonly maintenance_margin_rate: number;
  readonly caps: Caps;
}

export const EXECUTION: ExecutionParams = Object.freeze({
  fee_maker: 0.0002,
  fee_taker: 0.0005,
  slippage_bps: 1,
  entry_order: 'taker',
  maker_timeout_scans: 3,
  maker_on_timeout: 'cancel',
  funding_interval_ms: 8 * 3_600_000,
  maintenance_margin_rate: 0.005,
  caps: CAPS,
});

/** An entry as the venue will take it, or why it will not. */
export type EntryPlan =
  | {
      readonly ok: true;
      readonly market: Market;
      /** Quantity in steps, and as a number. */
      readonly units: number;
      readonly quantity: number;
      readonly leverage: number;
      /** What the caps changed (empty: nothing). */
      readonly capped: string;
    }
  | { readonly ok: false; readonly reason: string };

export class ExecutionRules {
  constructor(
    readonly markets: Markets,
    readonly x: ExecutionParams,
  ) {}

  get caps(): Caps {
    return this.x.caps;
  }

  /**
   * An entry of `notional` USDT at reference `price`: on a tradable market the caps allow,
   * its quantity truncated to the step, at or above the market's minimums.
   */
  planEntry(symbol: string, notional: number, leverage: number, price: number): EntryPlan {
    const market = this.markets.bySymbol(symbol);
    if (market === null) return { ok: false, reason: `no market for ${symbol} on the venue` };
    if (!market.tradable) return { ok: false, reason: `${market.venueId} is not open for trading` };
    if (this.caps.symbols !== null && !this.caps.symbols.includes(symbol)) {
      return { ok: false, reason: `${symbol} is not among the allowed symbols` };
    }
    const capped: string[] = [];
    let value = notional;
    if (this.caps.max_notional !== null && value > this.caps.max_notional) {
      value = this.caps.max_notional;
      capped.push(`notional ${notional} capped at ${value}`);
    }
    let lev = leverage;
    const maxLev = Math.min(this.caps.max_exchange_leverage, market.maxShortLeverage);
    if (lev > maxLev) {
      lev = maxLev;
      capped.push(`leverage ${leverage} capped at ${lev}`);
    }
    const units = toUnits(value / price, market.quantityDecimals, 'down');
    if (units === null) return { ok: false, reason: `quantity ${value / price} is out of range` };
    const quantity = fromUnits(units, market.quantityDecimals);
    if (quantity < market.minQuantity) {
      return {
        ok: false,
        reason: `quantity ${quantity} below ${market.venueId}'s minimum ${market.minQuantity}`,
      };
    }
    if (quantity * price < market.minNotional) {
      return {
        ok: false,
        reason: `order value ${quantity * price} below ${market.venueId}'s minimum ${market.minNotional} USDT`,
      };
    }
    return { ok: true, market, units, quantity, leverage: lev, capped: capped.join('; ') };
  }

  /**
   * Steps an exit leg of `quantity` closes out of `remainingUnits`: truncated to the step;
   * the whole position when the leg, or what it would leave, is below the market's minimum
   * (the venue refuses such an order, and a remainder below it could only close whole).
   */
  exitUnits(market: Market, quantity: number, remainingUnits: number, price: number): number {
    const units = Math.min(toUnits(quantity, market.quantityDecimals, 'down') ?? 0, remainingUnits);
    const left = remainingUnits - units;
    return this.belowMinimum(market, units, price) ||
      (left > 0 && this.belowMinimum(market, left, price))
      ? remainingUnits
      : units;
  }

  private belowMinimum(market: Market, units: number, price: number): boolean {
    const q = fromUnits(units, market.quantityDecimals);
    return q < market.minQuantity || q * price < market.minNotional;
  }

  /** A price on the tick grid, rounded half up (ccxt's `priceToPrecision`). */
  toTick(market: Market, price: number): number {
    const units = toUnits(price, market.priceDecimals, 'nearest');
    if (units === null) throw new Error(`price ${price} of ${market.venueId} out of range`);
    return fromUnits(units, market.priceDecimals);
  }

  /** A market order's fill: the price moved by the slippage against the order, on the tick. */
  takerFill(market: Market, price: number, side: 'sell' | 'buy'): number {
    const slip = this.x.slippage_bps / 10_000;
    return this.toTick(market, side === 'sell' ? price * (1 - slip) : price * (1 + slip));
  }

  /** The commission on a fill: the rate on the fill's value, as the venue charges it. */
  fee(quantity: number, price: number, rate: number): number {
    return rate * (quantity * price);
  }

  /** Funding is paid at each of the venue's funding marks (every 8 h of UTC time) crossed. */
  fundingDue(lastTs: number, ts: number): boolean {
    const interval = this.x.funding_interval_ms;
    return Math.floor(ts / interval) > Math.floor(lastTs / interval);
  }
}
