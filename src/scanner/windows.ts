// The incremental heart of the scanner (SPEC §7): per window, rolling sums of each asset's
// returns and of every pair's cross-products, updated in O(N²) per grid time, and λmax of
// the members' Pearson correlation matrix. Memory: the longest window's returns and the
// sums, whatever the length of the history.
import { lambdaMaxFull } from './eigen.js';
import { instantiateKernel, type KernelExports } from './kernel.js';

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
  /** Window × grid times where some member's correlations were taken centred. */
  centred: number;
}

export const RECOMPUTE_EVERY = 1024;

/** A member whose mean dwarfs its spread loses digits in the sums: computed centred. */
const CANCELLATION = 1e4;
/** The error the iteration accepts, relative to λ: 100 times inside the spec's 1e-9. */
const REL_TOL = 1e-11;
const MAX_ITER = 200;

/** One window's state in the kernel's memory: offsets in doubles. */
interface Window {
  readonly w: number;
  /** Σ returns, by asset. */
  readonly s1: number;
  /** Σ cross-products, np × np, symmetric: kept on and above the diagonal (kernel.wat). */
  readonly s2: number;
  /** The last eigenvector, by asset (0 for non-members): the next iteration's start. */
  readonly vec: number;
  lambda: number | null;
}

export class WindowSet {
  readonly depth: number;
  /** The row stride in the kernel's memory: n rounded up to a multiple of 4. */
  private readonly np: number;
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
  readonly counts: SolverCounts = { power: 0, full: 0, fallbacks: 0, iterations: 0, centred: 0 };
  readonly exclusions: readonly Exclusions[];
  private readonly kernel: KernelExports;
  /** The kernel's memory as doubles. */
  private readonly f: Float64Array;
  // Offsets (doubles) of: a zero row, the new returns, the ring of the last `depth` grid
  // times' returns (slot-major, 0 where absent), the correlation matrix (np × np, by
  // asset, zero outside the members, kept on and above the diagonal), 1/σ by asset, an
  // iteration vector.
  private readonly zero: number;
  private readonly r: number;
  private readonly ring: number;
  private readonly corr: number;
  private readonly inv: number;
  private readonly y: number;
  // Work space, reused.
  private readonly members: Int32Array;
  private readonly isMember: Uint8Array;
  private readonly centred: Float64Array;

  constructor(
    readonly n: number,
    readonly windows: readonly number[],
    o: WindowOptions = {},
  ) {
    this.depth = Math.max(...windows, o.minDepth ?? 0);
    const np = Math.max(4, Math.ceil(n / 4) * 4);
    this.np = np;
    let next = 0;
    const take = (doubles: number): number => {
      const at = next;
      next += doubles;
      return at;
    };
    this.zero = take(np);
    this.r = take(np);
    this.ring = take(this.depth * np);
    this.wins = windows.map((w) => ({
      w,
      s1: take(np),
      s2: take(np * np),
      vec: take(np),
      lambda: null,
    }));
    this.corr = take(np * np);
    this.inv = take(np);
    this.y = take(np);
    const k = instantiateKernel(next * 8);
    this.kernel = k.exports;
    this.f = new Float64Array(k.memory.buffer, 0, next);
    this.runLen = new Int32Array(n);
    this.equalRun = new Int32Array(n);
    this.lastReturn = new Float64Array(n);
    this.prevClose = new Float64Array(n).fill(Number.NaN);
    this.exclusions = windows.map((window) => ({
      window,
      gridTimes: 0,
      members: 0,
      gaps: 0,
      constant: 0,
    }));
    this.recomputeEvery = o.recomputeEvery ?? RECOMPUTE_EVERY;
    this.fullUpTo = o.fullUpTo ?? 8;
    this.members = new Int32Array(n);
    this.isMember = new Uint8Array(n);
    this.centred = new Float64Array(n * this.depth);
  }

  /** How many consecutive grid times, ending at the last pushed, asset `a` has returns. */
  runLength(a: number): number {
    return this.runLen[a] as number;
  }

  /** The return of asset `a` `back` grid times ago (0: the last pushed); 0 where absent. */
  returnAt(a: number, back: number): number {
    return this.f[this.ring + this.slotBack(back) * this.np + a] as number;
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
    const { n, np, f, r } = this;
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
        f[r + a] = x;
      } else {
        this.runLen[a] = 0;
        this.equalRun[a] = 0;
        f[r + a] = 0;
      }
      this.prevClose[a] = c;
    }
    this.slot = (this.slot + 1) % this.depth;
    this.pushed++;
    for (const win of this.wins) {
      // The slot being overwritten held the returns of `depth` grid times ago; the ones
      // leaving window w are w grid times ago, i.e. (w − 1) back from the slot before.
      const leaving = this.pushed > win.w ? this.ring + this.slotBack(win.w) * np : this.zero;
      this.kernel.slide(win.s1 * 8, win.s2 * 8, r * 8, leaving * 8, np);
    }
    f.copyWithin(this.ring + this.slot * np, r, r + np);
    if (gridNumber % this.recomputeEvery === 0) {
      for (const win of this.wins) {
        this.recompute(win);
        // The iteration starts afresh too: from here on nothing depends on earlier history.
        f.fill(0, win.vec, win.vec + np);
      }
    }
    return this.wins.map((win, k) => this.value(win, this.exclusions[k] as Exclusions));
  }

  /** The sums again, from the stored returns. */
  private recompute(win: Window): void {
    const { np, f } = this;
    f.fill(0, win.s1, win.s1 + np);
    f.fill(0, win.s2, win.s2 + np * np);
    const count = Math.min(win.w, this.pushed);
    for (let back = count - 1; back >= 0; back--) {
      const at = this.ring + this.slotBack(back) * np;
      this.kernel.accumulate(win.s1 * 8, win.s2 * 8, at * 8, np);
    }
  }

  private value(win: Window, ex: Exclusions): WindowValue {
    const { n, members, isMember } = this;
    let m = 0;
    const counted = this.pushed > win.w;
    if (counted) ex.gridTimes++;
    for (let a = 0; a < n; a++) {
      isMember[a] = 0;
      if ((this.runLen[a] as number) < win.w) {
        if (counted) ex.gaps++;
      } else if ((this.equalRun[a] as number) >= win.w - 1) {
        if (counted) ex.constant++;
      } else {
        members[m++] = a;
        isMember[a] = 1;
      }
    }
    if (counted) ex.members += m;
    const before = win.lambda;
    let lambda: number | null = null;
    if (m >= 2) {
      const frob = this.correlation(win, m);
      lambda = this.lambdaMax(win, m, frob);
    } else this.f.fill(0, win.vec, win.vec + this.np);
    win.lambda = lambda;
    return {
      window: win.w,
      nAssets: m,
      lambda,
      velocity: lambda !== null && before !== null ? lambda - before : null,
    };
  }

  /**
   * The members' Pearson correlation matrix into `corr`, by asset (rows and columns of
   * non-members zero); its ‖·‖F².
   */
  private correlation(win: Window, m: number): number {
    const { np, members, f, inv, corr } = this;
    const { s1, s2, w } = win;
    f.fill(0, inv, inv + np);
    let cancels = false;
    for (let i = 0; i < m; i++) {
      const a = members[i] as number;
      const sa = f[s1 + a] as number;
      const mean2 = (sa * sa) / w;
      const caa = (f[s2 + a * np + a] as number) - mean2;
      if (!(caa > 0) || mean2 > CANCELLATION * caa) cancels = true;
      // No variance left (by rounding): its row is rebuilt centred below; 0 keeps the
      // kernel's products finite meanwhile.
      const q = 1 / Math.sqrt(caa);
      f[inv + a] = Number.isFinite(q) ? q : 0;
    }
    let frob = this.kernel.build(s1 * 8, s2 * 8, inv * 8, corr * 8, np, w);
    for (let i = 0; i < m; i++) {
      const at = corr + (members[i] as number) * (np + 1);
      const d = f[at] as number;
      f[at] = 1;
      frob += 1 - d * d;
    }
    if (!cancels) return frob;
    this.counts.centred++;
    this.centredRows(win, m);
    // ‖·‖F² again, from the entries on and above the diagonal.
    frob = 0;
    for (let a = 0; a < np; a++) {
      const row = corr + a * np;
      let off = 0;
      for (let b = a + 1; b < np; b++) off += (f[row + b] as number) * (f[row + b] as number);
      frob += (f[row + a] as number) * (f[row + a] as number) + 2 * off;
    }
    return frob;
  }

  /** Rows of members whose sums cancel (or leave no variance): from centred returns. */
  private centredRows(win: Window, m: number): void {
    const { members, f, corr, np, centred, depth } = this;
    const w = win.w;
    const norms = new Float64Array(m);
    const rows = new Uint8Array(m);
    for (let i = 0; i < m; i++) {
      const a = members[i] as number;
      const sa = f[win.s1 + a] as number;
      const mean2 = (sa * sa) / w;
      const caa = (f[win.s2 + a * np + a] as number) - mean2;
      if (!(caa > 0) || mean2 > CANCELLATION * caa) rows[i] = 1;
      let s = 0;
      for (let back = 0; back < w; back++) s += this.returnAt(a, back);
      const mean = s / w;
      let q = 0;
      for (let back = 0; back < w; back++) {
        const d = this.returnAt(a, back) - mean;
        centred[i * depth + back] = d;
        q += d * d;
      }
      norms[i] = Math.sqrt(q);
    }
    for (let i = 0; i < m; i++) {
      if (rows[i] !== 1) continue;
      const a = members[i] as number;
      for (let j = 0; j < m; j++) {
        if (j === i) continue;
        const b = members[j] as number;
        let s = 0;
        for (let back = 0; back < w; back++) {
          s += (centred[i * depth + back] as number) * (centred[j * depth + back] as number);
        }
        const c = s / ((norms[i] as number) * (norms[j] as number));
        f[corr + a * np + b] = c;
        f[corr + b * np + a] = c;
      }
    }
  }

  /** The members' matrix, m × m, row-major, from its upper half (for the full solver). */
  private compact(m: number): Float64Array {
    const { members, f, corr, np } = this;
    const out = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      const a = members[i] as number;
      for (let j = i; j < m; j++) {
        const c = f[corr + a * np + (members[j] as number)] as number;
        out[i * m + j] = c;
        out[j * m + i] = c;
      }
    }
    return out;
  }

  private lambdaMax(win: Window, m: number, frob: number): number {
    const { n, np, f, isMember } = this;
    const vec = win.vec;
    if (m <= this.fullUpTo) {
      this.counts.full++;
      f.fill(0, vec, vec + np);
      return lambdaMaxFull(this.compact(m), m);
    }
    // Start from the last eigenvector over today's members (all ones if it has none).
    let norm = 0;
    for (let a = 0; a < n; a++) {
      if (isMember[a] === 0) f[vec + a] = 0;
      else norm += (f[vec + a] as number) * (f[vec + a] as number);
    }
    if (!(norm > 0)) for (let a = 0; a < n; a++) f[vec + a] = isMember[a] as number;
    const lambda = this.kernel.power(
      this.corr * 8,
      vec * 8,
      this.y * 8,
      np,
      frob,
      REL_TOL,
      MAX_ITER,
    );
    this.counts.iterations += this.kernel.iterations.value as number;
    if (!Number.isNaN(lambda)) {
      this.counts.power++;
      return lambda;
    }
    this.counts.fallbacks++;
    f.fill(0, vec, vec + np);
    return lambdaMaxFull(this.compact(m), m);
  }
}
