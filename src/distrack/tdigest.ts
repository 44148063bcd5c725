// A merging t-digest (Dunning & Ertl) with the k2 scale function: centroids are small
// near both tails and large in the middle, so a few hundred of them give tail quantiles
// to a few ranks in a million. Deterministic: no randomness, same calls → same bytes.
import { ByteReader, ByteWriter, checkQ, checkValue, FormatError } from './bytes.js';
import { TDIGEST_BUFFER, TDIGEST_COMPRESSION, TDIGEST_MAX_SPAN } from './params.js';
import type { Mergeable, Sketch } from './sketch.js';

export class TDigest implements Sketch, Mergeable<TDigest> {
  private means: Float64Array;
  private weights: Float64Array;
  private count = 0;
  private merged = 0;
  private readonly buf = new Float64Array(TDIGEST_BUFFER);
  private bufLen = 0;
  /** Centroids merged in from other digests, not yet compressed (allocated on first merge). */
  private pendMeans: Float64Array | null = null;
  private pendWeights: Float64Array | null = null;
  private pendLen = 0;
  private pendTotal = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  constructor(readonly compression: number = TDIGEST_COMPRESSION) {
    if (!(compression >= 10 && compression <= 1e5)) {
      throw new RangeError(`t-digest: compression must be in [10, 1e5], got ${compression}`);
    }
    const cap = Math.ceil(compression) + 16;
    this.means = new Float64Array(cap);
    this.weights = new Float64Array(cap);
  }

  get n(): number {
    return this.merged + this.pendTotal + this.bufLen;
  }

  /** Smallest value seen (+Infinity while empty). */
  get min(): number {
    return this.lo;
  }

  /** Largest value seen (−Infinity while empty). */
  get max(): number {
    return this.hi;
  }

  /** Centroids after folding the buffer in. */
  centroids(): { mean: number; weight: number }[] {
    this.flush();
    const out = [];
    for (let i = 0; i < this.count; i++) {
      out.push({ mean: this.means[i] as number, weight: this.weights[i] as number });
    }
    return out;
  }

  add(x: number): void {
    checkValue(x);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    this.buf[this.bufLen++] = x;
    if (this.bufLen === TDIGEST_BUFFER) this.flush();
  }

  /**
   * Takes in another digest's centroids through the buffer: a run of merges is compressed
   * once, so digests of disjoint ranges merged in any order give no centroid straddling a
   * gap that a later shard fills.
   */
  merge(other: TDigest): void {
    other.flush();
    if (other.count === 0) return;
    if (this.pendLen + other.count > TDIGEST_BUFFER) this.flush();
    if (this.pendMeans === null || this.pendWeights === null) {
      this.pendMeans = new Float64Array(Math.max(TDIGEST_BUFFER, other.count));
      this.pendWeights = new Float64Array(Math.max(TDIGEST_BUFFER, other.count));
    }
    if (this.pendLen + other.count > this.pendMeans.length) {
      this.pendMeans = grow(this.pendMeans, this.pendLen + other.count);
      this.pendWeights = grow(this.pendWeights, this.pendLen + other.count);
    }
    this.pendMeans.set(other.means.subarray(0, other.count), this.pendLen);
    this.pendWeights.set(other.weights.subarray(0, other.count), this.pendLen);
    this.pendLen += other.count;
    this.pendTotal += other.merged;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
  }

  /** Folds the buffered values and merged centroids into the centroids. */
  private flush(): void {
    if (this.bufLen === 0 && this.pendLen === 0) return;
    let cm = this.means;
    let cw = this.weights;
    let cc = this.count;
    if (this.pendLen > 0) {
      [cm, cw, cc] = this.withPending();
    }
    const b = this.buf.subarray(0, this.bufLen).sort();
    const c = cc + this.bufLen;
    const m = new Float64Array(c);
    const w = new Float64Array(c);
    let i = 0;
    let j = 0;
    for (let k = 0; k < c; k++) {
      if (j >= this.bufLen || (i < cc && (cm[i] as number) <= (b[j] as number))) {
        m[k] = cm[i] as number;
        w[k] = cw[i++] as number;
      } else {
        m[k] = b[j++] as number;
        w[k] = 1;
      }
    }
    const total = this.merged + this.pendTotal + this.bufLen;
    this.bufLen = 0;
    this.pendLen = 0;
    this.pendTotal = 0;
    this.compress(m, w, c, total);
  }

  /** The centroids and the merged-in ones, sorted by mean (ties: the earlier first). */
  private withPending(): [Float64Array, Float64Array, number] {
    const pm = this.pendMeans as Float64Array;
    const pw = this.pendWeights as Float64Array;
    const c = this.count + this.pendLen;
    const mean = (k: number) =>
      k < this.count ? (this.means[k] as number) : (pm[k - this.count] as number);
    const order = Array.from({ length: c }, (_, k) => k).sort((a, b) => mean(a) - mean(b) || a - b);
    const m = new Float64Array(c);
    const w = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      const o = order[k] as number;
      m[k] = mean(o);
      w[k] = o < this.count ? (this.weights[o] as number) : (pw[o - this.count] as number);
    }
    return [m, w, c];
  }

  /**
   * One greedy pass over sorted (mean, weight) items: a centroid grows while its span in
   * k2 units, k(q) = δ/Z · ln(q / (1 − q)), stays within 1. Z = 4 ln(n/δ) + 24 keeps the
   * count near δ/2 whatever n. The next limit follows from the left edge alone:
   * q' = rE / (1 + rE) with r = q/(1 − q) and E = e^(Z/δ). No centroid spans more than
   * TDIGEST_MAX_SPAN of the stream: k2's middle centroids alone are too wide for the
   * median of a skewed stream.
   */
  private compress(m: Float64Array, w: Float64Array, c: number, total: number): void {
    const z = 4 * Math.log(Math.max(total / this.compression, 1)) + 24;
    const e = Math.exp(z / this.compression);
    const cap = TDIGEST_MAX_SPAN * total;
    const limitAfter = (before: number) => {
      const q = before / total;
      if (q >= 1) return total;
      const r = (q / (1 - q)) * e;
      return Math.min((r / (1 + r)) * total, before + cap);
    };
    let out = 0;
    let curM = m[0] as number;
    let curW = w[0] as number;
    let before = 0;
    let limit = limitAfter(0);
    for (let k = 1; k < c; k++) {
      const wk = w[k] as number;
      if (before + curW + wk <= limit) {
        curW += wk;
        // Welford's update keeps the mean inside [min, max] of what it holds.
        curM += ((m[k] as number) - curM) * (wk / curW);
      } else {
        this.push(out++, curM, curW);
        before += curW;
        limit = limitAfter(before);
        curM = m[k] as number;
        curW = wk;
      }
    }
    this.push(out++, curM, curW);
    this.count = out;
    this.merged = total;
  }

  private push(i: number, mean: number, weight: number): void {
    if (i >= this.means.length) {
      this.means = grow(this.means, i + 1);
      this.weights = grow(this.weights, i + 1);
    }
    this.means[i] = mean;
    this.weights[i] = weight;
  }

  quantile(q: number): number {
    checkQ(q);
    this.flush();
    const n = this.merged;
    const c = this.count;
    if (c === 0) return Number.NaN;
    const means = this.means;
    const weights = this.weights;
    if (c === 1) return weights[0] === 1 ? (means[0] as number) : this.edges(q * n, n);
    const index = q * n;
    if (index < 1) return this.lo;
    if (index > n - 1) return this.hi;
    const w0 = weights[0] as number;
    if (w0 > 1 && index < w0 / 2) {
      return this.lo + ((index - 1) / (w0 / 2 - 1)) * ((means[0] as number) - this.lo);
    }
    const wl = weights[c - 1] as number;
    if (wl > 1 && n - index <= wl / 2) {
      return this.hi - ((n - index - 1) / (wl / 2 - 1)) * (this.hi - (means[c - 1] as number));
    }
    // Walk the centres of mass; a weight-1 centroid is a value seen, returned as itself.
    let at = w0 / 2;
    for (let i = 0; i < c - 1; i++) {
      const wa = weights[i] as number;
      const wb = weights[i + 1] as number;
      const dw = (wa + wb) / 2;
      if (at + dw > index) {
        let leftUnit = 0;
        if (wa === 1) {
          if (index - at < 0.5) return means[i] as number;
          leftUnit = 0.5;
        }
        let rightUnit = 0;
        if (wb === 1) {
          if (at + dw - index <= 0.5) return means[i + 1] as number;
          rightUnit = 0.5;
        }
        const z1 = index - at - leftUnit;
        const z2 = at + dw - index - rightUnit;
        return mix(means[i] as number, z2, means[i + 1] as number, z1);
      }
      at += dw;
    }
    return means[c - 1] as number;
  }

  /** One centroid of several values: linear between min and max. */
  private edges(index: number, n: number): number {
    return this.lo + (this.hi - this.lo) * Math.min(1, Math.max(0, index / n));
  }

  rank(x: number): number {
    this.flush();
    const n = this.merged;
    const c = this.count;
    if (c === 0) return Number.NaN;
    if (x < this.lo) return 0;
    if (x >= this.hi) return 1;
    const means = this.means;
    const weights = this.weights;
    // Centroids whose mean equals x: those values are counted at or below it.
    let below = 0;
    let i = 0;
    while (i < c && (means[i] as number) < x) below += weights[i++] as number;
    if (i < c && means[i] === x) {
      while (i < c && means[i] === x) below += weights[i++] as number;
      return below / n;
    }
    // x lies strictly between centre i − 1 and centre i (or outside the first/last centre).
    if (i === 0) {
      const w0 = weights[0] as number;
      const m0 = means[0] as number;
      return ((w0 / 2) * ((x - this.lo) / (m0 - this.lo))) / n;
    }
    if (i === c) {
      const wl = weights[c - 1] as number;
      const ml = means[c - 1] as number;
      return (n - (wl / 2) * ((this.hi - x) / (this.hi - ml))) / n;
    }
    const wa = weights[i - 1] as number;
    const wb = weights[i] as number;
    const ma = means[i - 1] as number;
    const mb = means[i] as number;
    const left = below - wa / 2 + (wa === 1 ? 0.5 : 0);
    const right = below + wb / 2 - (wb === 1 ? 0.5 : 0);
    return (left + ((x - ma) / (mb - ma)) * (right - left)) / n;
  }

  serialize(): Uint8Array {
    this.flush();
    const w = new ByteWriter('tdigest').f64(this.compression).varint(this.merged);
    if (this.merged > 0) w.f64(this.lo).f64(this.hi);
    w.varint(this.count);
    for (let i = 0; i < this.count; i++) w.f64(this.means[i] as number);
    for (let i = 0; i < this.count; i++) w.varint(this.weights[i] as number);
    return w.bytes();
  }

  bytes(): number {
    return this.serialize().length;
  }

  static deserialize(buf: Uint8Array): TDigest {
    const r = new ByteReader(buf, 'tdigest');
    const compression = r.finite('compression');
    if (!(compression >= 10 && compression <= 1e5)) throw new FormatError('compression');
    const d = new TDigest(compression);
    const n = r.varint();
    if (n > 0) {
      d.lo = r.finite('min');
      d.hi = r.finite('max');
      if (d.lo > d.hi) throw new FormatError('min above max');
    }
    const c = r.varint();
    if ((n === 0) !== (c === 0) || c > n) throw new FormatError('centroid count');
    const means = new Float64Array(c);
    for (let i = 0; i < c; i++) {
      const m = r.finite('mean');
      if (m < d.lo || m > d.hi || (i > 0 && m < (means[i - 1] as number))) {
        throw new FormatError('means out of order or range');
      }
      means[i] = m;
    }
    let sum = 0;
    for (let i = 0; i < c; i++) {
      const wi = r.varint();
      if (wi < 1) throw new FormatError('zero weight');
      d.push(i, means[i] as number, wi);
      sum += wi;
    }
    if (sum !== n) throw new FormatError('weights do not add up to n');
    r.end();
    d.count = c;
    d.merged = n;
    return d;
  }
}

/** Weighted average kept between its two ends despite rounding. */
function mix(x1: number, w1: number, x2: number, w2: number): number {
  const v = (x1 * w1 + x2 * w2) / (w1 + w2);
  return Math.max(x1, Math.min(v, x2));
}

function grow(a: Float64Array, atLeast: number): Float64Array {
  const b = new Float64Array(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}
