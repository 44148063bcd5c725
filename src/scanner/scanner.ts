// Scans from price bars (SPEC §7): one grid time at a time, every grid time in order (an
// empty slot included: nothing is bridged across it). The archive command, the live
// scanner and the tests all step this same object.
import {
  type Exclusions,
  type SolverCounts,
  type WindowOptions,
  WindowSet,
  type WindowValue,
} from './windows.js';

export const DEFAULT_WINDOWS: readonly number[] = [50, 150, 300, 750];
export const DEFAULT_BTC = 'BTCUSDT';
const DAY_MS = 86_400_000;
const MA_BARS = 99;
/** The windows a scan names by size. */
const NAMED = [50, 150, 300, 750] as const;

export interface ScannerOptions extends WindowOptions {
  /** Symbols, in the order of the closes given to `step` (scans list prices in this order). */
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  readonly windows?: readonly number[];
  readonly btc?: string;
}

/** One row of the eigenvalue table: a grid time and window where λ is defined. */
export interface EigRow {
  /** The scan's ts (grid time + interval). */
  readonly ts: number;
  readonly window: number;
  readonly nAssets: number;
  readonly lambda: number;
  readonly velocity: number | null;
}

export interface Step {
  /** The scan at this grid time, as SPEC §2 fields in order; null when there is none. */
  readonly scan: Record<string, unknown> | null;
  readonly eig: readonly EigRow[];
  readonly values: readonly WindowValue[];
}

export class Scanner {
  readonly windows: readonly number[];
  private readonly set: WindowSet;
  private readonly btc: number;
  /** BTC's last closes (its own bars), for MA99. */
  private readonly btcCloses: number[] = [];
  private readonly dayBars: number;
  private next: number | null = null;
  /** For each named window size, its index in `windows` (−1: not configured). */
  private readonly named: readonly number[];

  constructor(readonly o: ScannerOptions) {
    this.windows = o.windows ?? DEFAULT_WINDOWS;
    if (this.windows.length < 2) throw new RangeError('at least two windows');
    this.btc = o.symbols.indexOf(o.btc ?? DEFAULT_BTC);
    this.dayBars = Math.max(2, Math.floor(DAY_MS / o.intervalMs));
    this.named = NAMED.map((size) => this.windows.indexOf(size));
    this.set = new WindowSet(o.symbols.length, this.windows, {
      ...o,
      minDepth: this.btc < 0 ? 0 : this.dayBars,
    });
  }

  /** Grid times of returns the windows and the derived planes look back. */
  get depth(): number {
    return this.set.depth;
  }

  get counts(): SolverCounts {
    return this.set.counts;
  }

  get exclusions(): readonly Exclusions[] {
    return this.set.exclusions;
  }

  /** The grid time `step` expects next (null before the first). */
  get nextGridTime(): number | null {
    return this.next;
  }

  /** The grid time `gridTime` (the one after the last, or the first): closes, NaN = no bar. */
  step(gridTime: number, closes: Float64Array): Step {
    if (this.next !== null && gridTime !== this.next) {
      throw new RangeError(`grid time ${gridTime} out of order (expected ${this.next})`);
    }
    this.next = gridTime + this.o.intervalMs;
    const values = this.set.push(closes, gridTime / this.o.intervalMs);
    const ts = gridTime + this.o.intervalMs;
    const eig: EigRow[] = [];
    for (const v of values) {
      if (v.lambda !== null) {
        eig.push({
          ts,
          window: v.window,
          nAssets: v.nAssets,
          lambda: v.lambda,
          velocity: v.velocity,
        });
      }
    }
    const first = values[0]?.velocity ?? null;
    const second = values[1]?.velocity ?? null;
    const btcClose = this.btc < 0 ? Number.NaN : (closes[this.btc] as number);
    if (!Number.isNaN(btcClose)) {
      this.btcCloses.push(btcClose);
      if (this.btcCloses.length > MA_BARS) this.btcCloses.shift();
    }
    if (first === null || second === null) return { scan: null, eig, values };
    const scan: Record<string, unknown> = {
      scan_number: gridTime / this.o.intervalMs,
      ts,
      vel_div: first - second,
    };
    for (const [i, size] of NAMED.entries()) {
      scan[`w${size}_velocity`] = values[this.named[i] as number]?.velocity ?? null;
    }
    const prices: Record<string, number> = {};
    for (const [a, symbol] of this.o.symbols.entries()) {
      const c = closes[a] as number;
      if (!Number.isNaN(c)) prices[symbol] = c;
    }
    scan.prices = prices;
    if (!Number.isNaN(btcClose)) {
      const dvol = this.dvol();
      if (dvol !== null) scan.acb = { dvol };
      if (this.btcCloses.length === MA_BARS) {
        let s = 0;
        for (const c of this.btcCloses) s += c;
        scan.btc_ma99 = s / MA_BARS;
      }
    }
    return { scan, eig, values };
  }

  /**
   * 100 × √(365 × bars a day) × the sample standard deviation of BTC's returns over the
   * last day of grid times, all present; null otherwise.
   */
  private dvol(): number | null {
    const n = this.dayBars;
    if (this.set.runLength(this.btc) < n) return null;
    let s = 0;
    for (let back = 0; back < n; back++) s += this.set.returnAt(this.btc, back);
    const mean = s / n;
    let q = 0;
    for (let back = 0; back < n; back++) {
      const d = this.set.returnAt(this.btc, back) - mean;
      q += d * d;
    }
    return 100 * Math.sqrt((365 * DAY_MS) / this.o.intervalMs) * Math.sqrt(q / (n - 1));
  }
}
