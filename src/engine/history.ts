// Bounded per-symbol history (memory is flat however long the soak runs): recent prices
// for DC, recent returns for IRP, each return computed once, as its price arrives. A symbol
// missing from a scan restarts its history, so "n scans earlier" always means n real scans.
// The returns live in a WebAssembly memory (`irp.ts`), where the selector's sums run.
import type { ReturnsView } from '../kernel/index.js';
import { ReturnsArena } from './irp.js';

interface Ring {
  readonly prices: Float64Array;
  /** Byte offset of `returns` in the arena. */
  readonly at: number;
  /** Each return is written twice, at i and i + depth, so any window is one contiguous view. */
  returns: Float64Array;
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
  private readonly arena = new ReturnsArena(() => this.remap());
  private starts = new Int32Array(64);
  private enough = new Uint8Array(64);

  /** Holds `depth` prices and the `depth - 1` returns between them. */
  constructor(readonly depth: number) {}

  /** The arena's memory grew (a new buffer): every ring's view is made again. */
  private remap(): void {
    for (const r of this.rings.values()) {
      r.returns = new Float64Array(this.arena.buffer, r.at, 2 * this.depth);
      r.view.values = r.returns;
    }
  }

  /** Records a price; seq is the scan's position in the accepted stream. */
  push(symbol: string, price: number, seq: number): void {
    let r = this.rings.get(symbol);
    if (r === undefined) {
      const at = this.arena.alloc(2 * this.depth);
      const returns = new Float64Array(this.arena.buffer, at, 2 * this.depth);
      r = {
        prices: new Float64Array(this.depth),
        at,
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

  /**
   * The selector's sums over the last `n` returns of each of `symbols` (up, down, aligned at
   * [3k, 3k + 3) of `sums`; see ReturnsArena.sums), and whether it holds `n` (`enough[k]`;
   * when not, its sums mean nothing). Valid until the next call or push.
   */
  windowSums(
    symbols: readonly string[],
    n: number,
    d: number,
  ): { sums: Float64Array; enough: Uint8Array } {
    if (symbols.length > this.starts.length) {
      this.starts = new Int32Array(2 * symbols.length);
      this.enough = new Uint8Array(2 * symbols.length);
    }
    for (let k = 0; k < symbols.length; k++) {
      const r = this.rings.get(symbols[k] as string);
      const ok = r !== undefined && r.view.length >= n;
      this.enough[k] = ok ? 1 : 0;
      // A symbol without n returns is summed over any n doubles of the arena, and ignored.
      this.starts[k] = ok ? r.at + 8 * (r.view.end - n) : 0;
    }
    return { sums: this.arena.sums(this.starts, symbols.length, n, d), enough: this.enough };
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
