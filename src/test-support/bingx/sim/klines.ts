// Candles for `GET /openApi/swap/v3/quote/klines`, built from the scans advanced so far: each
// scan's price is one trade at the scan's time, so a candle's open, high, low and close are
// the first, highest, lowest and last scan price in its interval. Scans carry no volume: 0.
import type { Market } from '../../../engine/rules/index.js';
import { decimal } from './shapes.js';

const MINUTE = 60_000;

/** The venue's interval names (ccxt's timeframes for swap), in ms; 1M is left out. */
export const INTERVALS: Readonly<Record<string, number>> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
  '3d': 3 * 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
};

export class Klines {
  /** venueId → [ts, price] in scan order. */
  private readonly ticks = new Map<string, [number, number][]>();

  add(m: Market, ts: number, price: number): void {
    let list = this.ticks.get(m.venueId);
    if (list === undefined) {
      list = [];
      this.ticks.set(m.venueId, list);
    }
    list.push([ts, price]);
  }

  /**
   * Candles opening in [start, end]: the first `limit` from a given start, else the last
   * `limit`; newest first, as the venue sends them.
   */
  candles(
    m: Market,
    interval: number,
    start: number | null,
    end: number | null,
    limit: number,
  ): unknown[] {
    const out: { time: number; o: number; h: number; l: number; c: number }[] = [];
    for (const [ts, px] of this.ticks.get(m.venueId) ?? []) {
      const time = Math.floor(ts / interval) * interval;
      if ((start !== null && time < start) || (end !== null && time > end)) continue;
      const last = out[out.length - 1];
      if (last !== undefined && last.time === time) {
        last.h = Math.max(last.h, px);
        last.l = Math.min(last.l, px);
        last.c = px;
      } else {
        out.push({ time, o: px, h: px, l: px, c: px });
      }
    }
    return (start !== null ? out.slice(0, limit) : out.slice(-limit))
      .map((k) => ({
        open: decimal(k.o),
        close: decimal(k.c),
        high: decimal(k.h),
        low: decimal(k.l),
        volume: '0',
        time: k.time,
      }))
      .reverse();
  }
}
