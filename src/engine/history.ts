// Bounded per-symbol history (memory is flat however long the soak runs): recent prices
// for DC, recent returns for IRP, each return computed once, as its price arrives. A symbol
// missing from a scan restarts its history, so "n scans earlier" always means n real scans.
import type { ReturnsView } from '../kernel/index.js';

interface Ring {
  readonly prices: Float64Array;
  /** Each return is written twice, at i and i + depth, so any window is one contiguous view. */
  readonly returns: Float64Array;
  head: number;
  count: number;
  seq: number;
  /** The held returns as a window on `returns` (ReturnsView): ends at `end`, `length` long. */
  readonly view: { values: Float64Array; end: number; length: number };
}

export class PriceHistory {
  private readonly rings = new Map<string, Ring>();
  private static readonly EMPTY = new Float64Array(0);
  private static readonly NONE: ReturnsView = { values: PriceHistory.EMPTY, end: 0, length: 0 };

  /** Holds `depth` prices and the `depth - 1` returns between them. */
  constructor(readonly depth: number) {}

  /** Records a price; seq is the scan's position in the accepted stream. */
  push(symbol: string, price: number, seq: number): void {
    let r = this.rings.get(symbol);
    if (r === undefined) {
      const returns = new Float64Array(2 * this.depth);
      r = {
        prices: new Float64Array(this.depth),
        returns,
        head: 0,
        count: 0,
        seq,
        view: { values: returns, end: 0, length: 0 },
      };
      this.rings.set(symbol, r);
    } else if (r.seq !== seq - 1) {
      r.count = 0;
    }
    if (r.count > 0) {
      const prev = r.prices[(r.head - 1 + this.depth) % this.depth] as number;
      const ret = (price - prev) / prev;
      r.returns[r.head] = ret;
      r.returns[r.head + this.depth] = ret;
    }
    r.prices[r.head] = price;
    r.head = (r.head + 1) % this.depth;
    if (r.count < this.depth) r.count++;
    r.seq = seq;
    // The latest return sits at head − 1; the held ones are the count − 1 before it (read
    // from the upper copy when they wrap).
    r.view.end = r.head === 0 ? this.depth : r.head;
    r.view.length = Math.max(0, r.count - 1);
    if (r.view.end - r.view.length < 0) r.view.end += this.depth;
  }

  /** The price `back` scans before the latest (0 = latest), or null if not held. */
  ago(symbol: string, back: number): number | null {
    const r = this.rings.get(symbol);
    if (r === undefined || back >= r.count) return null;
    return r.prices[(r.head - 1 - back + 2 * this.depth) % this.depth] as number;
  }

  /** The held returns, oldest first, as a window on the ring (valid until the next push). */
  window(symbol: string): ReturnsView {
    return this.rings.get(symbol)?.view ?? PriceHistory.NONE;
  }

  /** The held returns, oldest first, as a view (valid until the next push). */
  returns(symbol: string): Float64Array {
    const r = this.rings.get(symbol);
    if (r === undefined || r.count < 2) return PriceHistory.EMPTY;
    // The latest return sits at head - 1; the held ones are the count - 1 before it.
    const end = r.head === 0 ? this.depth : r.head;
    const start = end - (r.count - 1);
    return start >= 0
      ? r.returns.subarray(start, end)
      : r.returns.subarray(start + this.depth, end + this.depth);
  }
}
