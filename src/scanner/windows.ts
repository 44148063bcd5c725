// The incremental heart of the scanner (SPEC §7): per window, rolling sums of each asset's
// returns and of every pair's cross-products, updated in O(N²) per grid time, and λmax of
// the members' Pearson correlation matrix. Memory: the longest window's returns and the
// sums, whatever the length of the history.
import { lambdaMaxFull, lambdaMaxPower } from './eigen.js';

export interface WindowOptions {
  /**
   * Sums are recomputed from the stored returns, and the power iteration's start vector
   * reset, at every grid number divisible by this (bounds drift). Tied to the grid number,
   * not to a count of pushes: a scanner warmed up from `depth` + 1 grid times before such a
   * number K computes, from K + 1 on, bit for bit what a scanner running since the first
   * bar does (the live scanner resumes this way).
   */
  readonly recomputeEvery?: number;
  /** Up to this many members the full eigensolver is used directly. */
  readonly fullUpTo?: number;
  /** Keep at least this many grid times of returns (a derived plane may look further back). */
  readonly minDepth?: number;
}

/** One window's numbers at a grid time. */
export interface WindowValue {
  readonly window: number;
  /** Members: assets with all `window` returns present and not all equal. */
  readonly nAssets: number;
  /** λmax, null with fewer than 2 members. */
  readonly lambda: number | null;
  /** λ(k) − λ(k−1), null unless both are defined. */
  readonly velocity: number | null;
}

/** Why assets were left out of a window, counted per asset and grid time once it can fill. */
export interface Exclusions {
  readonly window: number;
  /** Grid times where the window could hold w returns (after its first w + 1 grid times). */
  gridTimes: number;
  /** Asset × grid time: members, and non-members by reason. */
  members: number;
  /** Fewer than w returns in a row (a missing bar, an empty slot, a late listing). */
  gaps: number;
  /** All w returns equal (a constant price): out by the exact rule. */
  constant: number;
}

/** Counts of how the iteration went, for the summary and the benchmark. */
export interface SolverCounts {
  power: number;
  full: number;
  fallbacks: number;
  iterations: number;
}

export const RECOMPUTE_EVERY = 1024;

/** A member whose mean dwarfs its spread loses digits in the sums: computed centred. */
const CANCELLATION = 1e4;

class Window {
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  /** The last eigenvector, by asset (0 for non-members): the next iteration's start. */
  readonly vec: Float64Array;
  lambda: number | null = null;

  constructor(
    readonly w: number,
    n: number,
  ) {
    this.s1 = new Float64Array(n);
    this.s2 = new Float64Array(n * n);
    this.vec = new Float64Array(n);
  }
}

export class WindowSet {
  /** Returns of the last `depth` grid times, slot-major; 0 where absent. */
  private readonly ring: Float64Array;
  readonly depth: number;
  /** Ring slot of the grid time most recently pushed. */
  private slot = -1;
  private pushed = 0;
  /** Consecutive grid times (ending now) at which each asset has a return. */
  private readonly runLen: Int32Array;
  /** Consecutive equal neighbours among those returns (all w equal: w − 1 of them). */
  private readonly equalRun: Int32Array;
  private readonly lastReturn: Float64Array;
  private readonly prevClose: Float64Array;
  private readonly wins: Window[];
  private readonly recomputeEvery: number;
  private readonly fullUpTo: number;
  readonly counts: SolverCounts = { power: 0, full: 0, fallbacks: 0, iterations: 0 };
  readonly exclusions: readonly Exclusions[];
  // Work space, reused: the correlation matrix, the member indices, an iteration vector.
  private readonly corr: Float64Array;
  private readonly members: Int32Array;
  private readonly v: Float64Array;
  private readonly y: Float64Array;
  private readonly r: Float64Array;
  private readonly centred: Float64Array;

  constructor(
    readonly n: number,
    readonly windows: readonly number[],
    o: WindowOptions = {},
  ) {
    this.depth = Math.max(...windows, o.minDepth ?? 0);
    this.ring = new Float64Array(this.depth * n);
    this.runLen = new Int32Array(n);
    this.equalRun = new Int32Array(n);
    this.lastReturn = new Float64Array(n);
    this.prevClose = new Float64Array(n).fill(Number.NaN);
    this.wins = windows.map((w) => new Window(w, n));
    this.exclusions = windows.map((window) => ({
      window,
      gridTimes: 0,
      members: 0,
      gaps: 0,
      constant: 0,
    }));
    this.recomputeEvery = o.recomputeEvery ?? RECOMPUTE_EVERY;
    this.fullUpTo = o.fullUpTo ?? 8;
    this.corr = new Float64Array(n * n);
    this.members = new Int32Array(n);
    this.v = new Float64Array(n);
    this.y = new Float64Array(n);
    this.r = new Float64Array(n);
    this.centred = new Float64Array(n * this.depth);
  }

  /** How many consecutive grid times, ending at the last pushed, asset `a` has returns. */
  runLength(a: number): number {
    return this.runLen[a] as number;
  }

  /** The return of asset `a` `back` grid times ago (0: the last pushed); 0 where absent. */
  returnAt(a: number, back: number): number {
    return this.ring[this.slotBack(back) * this.n + a] as number;
  }

  private slotBack(back: number): number {
    return (((this.slot - back) % this.depth) + this.depth) % this.depth;
  }

  /**
   * The next grid time (its number: grid time / interval): each asset's close there (NaN
   * where it has no bar). Returns each window's members, λ and velocity, in the order of
   * `windows`.
   */
  push(closes: Float64Array, gridNumber: number): WindowValue[] {
    const { n, r } = this;
    for (let a = 0; a < n; a++) {
      const c = closes[a] as number;
      const p = this.prevClose[a] as number;
      if (!Number.isNaN(c) && !Number.isNaN(p)) {
        const x = Math.log(c / p);
        this.equalRun[a] =
          (this.runLen[a] as number) > 0 && x === this.lastReturn[a]
            ? (this.equalRun[a] as number) + 1
            : 0;
        this.runLen[a] = (this.runLen[a] as number) + 1;
        this.lastReturn[a] = x;
        r[a] = x;
      } else {
        this.runLen[a] = 0;
        this.equalRun[a] = 0;
        r[a] = 0;
      }
      this.prevClose[a] = c;
    }
    this.slot = (this.slot + 1) % this.depth;
    this.pushed++;
    for (const win of this.wins) this.slide(win);
    this.ring.set(r, this.slot * n);
    if (gridNumber % this.recomputeEvery === 0) {
      for (const win of this.wins) {
        this.recompute(win);
        // The iteration starts afresh too: from here on nothing depends on earlier history.
        win.vec.fill(0);
      }
    }
    return this.wins.map((win, k) => this.value(win, this.exclusions[k] as Exclusions));
  }

  /** Adds the new returns to a window's sums and takes out the ones leaving it. */
  private slide(win: Window): void {
    const { n, r } = this;
    // The slot being overwritten held the returns of `depth` grid times ago; the ones
    // leaving window w are w grid times ago, i.e. (w − 1) back from the slot before.
    const leaving = this.pushed > win.w ? this.slotBack(win.w) * n : -1;
    const ring = this.ring;
    const { s1, s2 } = win;
    for (let a = 0; a < n; a++) {
      const ra = r[a] as number;
      const oa = leaving < 0 ? 0 : (ring[leaving + a] as number);
      s1[a] = (s1[a] as number) + ra - oa;
      const row = a * n;
      for (let b = a; b < n; b++) {
        const ob = leaving < 0 ? 0 : (ring[leaving + b] as number);
        s2[row + b] = (s2[row + b] as number) + ra * (r[b] as number) - oa * ob;
      }
    }
  }

  /** The sums again, from the stored returns. */
  private recompute(win: Window): void {
    const { n } = this;
    win.s1.fill(0);
    win.s2.fill(0);
    const count = Math.min(win.w, this.pushed);
    for (let back = count - 1; back >= 0; back--) {
      const at = this.slotBack(back) * n;
      for (let a = 0; a < n; a++) {
        const ra = this.ring[at + a] as number;
        win.s1[a] = (win.s1[a] as number) + ra;
        const row = a * n;
        for (let b = a; b < n; b++) {
          win.s2[row + b] = (win.s2[row + b] as number) + ra * (this.ring[at + b] as number);
        }
      }
    }
  }

  private value(win: Window, ex: Exclusions): WindowValue {
    const { n, members } = this;
    let m = 0;
    const counted = this.pushed > win.w;
    if (counted) ex.gridTimes++;
    for (let a = 0; a < n; a++) {
      if ((this.runLen[a] as number) < win.w) {
        if (counted) ex.gaps++;
      } else if ((this.equalRun[a] as number) >= win.w - 1) {
        if (counted) ex.constant++;
      } else members[m++] = a;
    }
    if (counted) ex.members += m;
    const before = win.lambda;
    let lambda: number | null = null;
    if (m >= 2) {
      const frob = this.correlation(win, m);
      lambda = this.lambdaMax(win, m, frob);
    } else win.vec.fill(0);
    win.lambda = lambda;
    return {
      window: win.w,
      nAssets: m,
      lambda,
      velocity: lambda !== null && before !== null ? lambda - before : null,
    };
  }

  /** The members' Pearson correlation matrix into `corr` (m×m, row-major); its ‖·‖F². */
  private correlation(win: Window, m: number): number {
    const { n, members, corr } = this;
    const { s1, s2, w } = win;
    const inv = this.y;
    const cancels = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const a = members[i] as number;
      const sa = s1[a] as number;
      const mean2 = (sa * sa) / w;
      const caa = (s2[a * n + a] as number) - mean2;
      if (!(caa > 0) || mean2 > CANCELLATION * caa) cancels[i] = 1;
      inv[i] = 1 / Math.sqrt(caa);
    }
    let frob = m;
    for (let i = 0; i < m; i++) {
      const a = members[i] as number;
      const row = a * n;
      const sa = (s1[a] as number) / w;
      const ia = inv[i] as number;
      corr[i * m + i] = 1;
      for (let j = i + 1; j < m; j++) {
        const b = members[j] as number;
        const c = ((s2[row + b] as number) - sa * (s1[b] as number)) * ia * (inv[j] as number);
        corr[i * m + j] = c;
        corr[j * m + i] = c;
        frob += 2 * c * c;
      }
    }
    if (!cancels.some((x) => x === 1)) return frob;
    this.centredRows(win, m, cancels);
    frob = 0;
    for (let i = 0; i < m * m; i++) frob += (corr[i] as number) * (corr[i] as number);
    return frob;
  }

  /** Rows of members whose sums cancel: their correlations from centred returns. */
  private centredRows(win: Window, m: number, rows: Uint8Array): void {
    const { members, corr, centred } = this;
    const w = win.w;
    const norms = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const a = members[i] as number;
      let s = 0;
      for (let back = 0; back < w; back++) s += this.returnAt(a, back);
      const mean = s / w;
      let q = 0;
      for (let back = 0; back < w; back++) {
        const d = this.returnAt(a, back) - mean;
        centred[i * this.depth + back] = d;
        q += d * d;
      }
      norms[i] = Math.sqrt(q);
    }
    for (let i = 0; i < m; i++) {
      if (rows[i] !== 1) continue;
      for (let j = 0; j < m; j++) {
        if (j === i) continue;
        let s = 0;
        for (let back = 0; back < w; back++) {
          s +=
            (centred[i * this.depth + back] as number) * (centred[j * this.depth + back] as number);
        }
        const c = s / ((norms[i] as number) * (norms[j] as number));
        corr[i * m + j] = c;
        corr[j * m + i] = c;
      }
    }
  }

  private lambdaMax(win: Window, m: number, frob: number): number {
    const { members, corr, v } = this;
    if (m <= this.fullUpTo) {
      this.counts.full++;
      win.vec.fill(0);
      return lambdaMaxFull(corr, m);
    }
    for (let i = 0; i < m; i++) v[i] = win.vec[members[i] as number] as number;
    const p = lambdaMaxPower(corr, m, v, this.y, frob);
    this.counts.iterations += p.iterations;
    win.vec.fill(0);
    if (!Number.isNaN(p.lambda)) {
      this.counts.power++;
      for (let i = 0; i < m; i++) win.vec[members[i] as number] = v[i] as number;
      return p.lambda;
    }
    this.counts.fallbacks++;
    return lambdaMaxFull(corr, m);
  }
}
