// Bounded per-symbol price history (memory is flat however long the soak runs). A symbol
// missing from a scan restarts its history, so "n scans earlier" always means n real scans.
export class PriceHistory {
  private readonly rings = new Map<string, { buf: Float64Array; head: number; count: number; seq: number }>();
  private readonly scratch: number[] = [];

  constructor(readonly depth: number) {}

  /** Records the scan's prices; seq is the scan's position in the accepted stream. */
  push(symbol: string, price: number, seq: number): void {
    let r = this.rings.get(symbol);
    if (r === undefined) {
      r = { buf: new Float64Array(this.depth), head: 0, count: 0, seq };
      this.rings.set(symbol, r);
    } else if (r.seq !== seq - 1) {
      r.count = 0;
    }
    r.buf[r.head] = price;
    r.head = (r.head + 1) % this.depth;
    if (r.count < this.depth) r.count++;
    r.seq = seq;
  }

  /** The price `back` scans before the latest (0 = latest), or null if not held. */
  ago(symbol: string, back: number): number | null {
    const r = this.rings.get(symbol);
    if (r === undefined || back >= r.count) return null;
    return r.buf[(r.head - 1 - back + 2 * this.depth) % this.depth] as number;
  }

  /** The held prices, oldest first, in a reused array (consume before the next call). */
  window(symbol: string): readonly number[] {
    const out = this.scratch;
    out.length = 0;
    const r = this.rings.get(symbol);
    if (r === undefined) return out;
    for (let i = r.count - 1; i >= 0; i--) {
      out.push(r.buf[(r.head - 1 - i + 2 * this.depth) % this.depth] as number);
    }
    return out;
  }

  get symbols(): number {
    return this.rings.size;
  }
}
