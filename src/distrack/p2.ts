// P² (Jain & Chlamtac 1985): one quantile in five markers, O(1) memory and time per value.
// The step works on typed arrays at an offset, so the object sketch below and the
// many-instance pool run the same arithmetic, bit for bit. The desired marker positions
// are derived from the count (1 + (N − 1)·dn) rather than stored.
import { quantile as exactQuantile } from '../studies/quantile.js';
import { ByteReader, ByteWriter, checkQ, checkValue, FormatError } from './bytes.js';
import type { Sketch } from './sketch.js';

/** Doubles per marker set: five heights. */
export const P2_HEIGHTS = 5;
/** Doubles per marker set: the positions of the three inner markers (the outer two are 1, N). */
export const P2_POSITIONS = 3;

/**
 * Adds x to the marker set at h[ho..ho+5), pos[po..po+3) tracking quantile p, which has
 * seen `seen` values before this one.
 */
export function p2Step(
  h: Float64Array,
  ho: number,
  pos: Float64Array,
  po: number,
  seen: number,
  p: number,
  x: number,
): void {
  if (seen < 5) {
    // The first five values, kept sorted: insertion.
    let i = ho + seen;
    while (i > ho && (h[i - 1] as number) > x) {
      h[i] = h[i - 1] as number;
      i--;
    }
    h[i] = x;
    if (seen === 4) {
      pos[po] = 2;
      pos[po + 1] = 3;
      pos[po + 2] = 4;
    }
    return;
  }
  // Cell k: the inner positions from marker k + 1 on move up by one.
  let k: number;
  if (x < (h[ho] as number)) {
    h[ho] = x;
    k = 0;
  } else if (x < (h[ho + 1] as number)) k = 0;
  else if (x < (h[ho + 2] as number)) k = 1;
  else if (x < (h[ho + 3] as number)) k = 2;
  else if (x <= (h[ho + 4] as number)) k = 3;
  else {
    h[ho + 4] = x;
    k = 3;
  }
  for (let j = k; j < 3; j++) pos[po + j] = (pos[po + j] as number) + 1;
  const n = seen + 1;
  for (let j = 0; j < 3; j++) {
    // Marker j + 2 of five (1-based), with its neighbours' positions.
    const nl = j === 0 ? 1 : (pos[po + j - 1] as number);
    const ni = pos[po + j] as number;
    const nr = j === 2 ? n : (pos[po + j + 1] as number);
    const desired = 1 + (n - 1) * (j === 0 ? p / 2 : j === 1 ? p : (1 + p) / 2);
    const d = desired - ni;
    if ((d >= 1 && nr - ni > 1) || (d <= -1 && nl - ni < -1)) {
      const s = d > 0 ? 1 : -1;
      const ql = h[ho + j] as number;
      const qi = h[ho + j + 1] as number;
      const qr = h[ho + j + 2] as number;
      const parabolic =
        qi +
        (s / (nr - nl)) *
          ((ni - nl + s) * ((qr - qi) / (nr - ni)) + (nr - ni - s) * ((qi - ql) / (ni - nl)));
      h[ho + j + 1] =
        ql < parabolic && parabolic < qr
          ? parabolic
          : s > 0
            ? qi + (qr - qi) / (nr - ni)
            : qi - (ql - qi) / (nl - ni);
      pos[po + j] = ni + s;
    }
  }
}

/** The estimate of the marker set's quantile p after `seen` values (exact below five). */
export function p2Estimate(h: Float64Array, ho: number, seen: number, p: number): number {
  if (seen === 0) return Number.NaN;
  if (seen < 5) return exactQuantile(h.subarray(ho, ho + seen), p);
  return h[ho + 2] as number;
}

/** P² over one or more quantiles, one marker set each. */
export class P2 implements Sketch {
  private readonly h: Float64Array;
  private readonly pos: Float64Array;
  private seen = 0;

  constructor(readonly qs: readonly number[]) {
    if (qs.length === 0) throw new RangeError('P²: no quantile to track');
    for (const q of qs) {
      if (!(q > 0 && q < 1)) throw new RangeError(`P²: quantiles must be in (0, 1), got ${q}`);
    }
    this.h = new Float64Array(qs.length * P2_HEIGHTS);
    this.pos = new Float64Array(qs.length * P2_POSITIONS);
  }

  get n(): number {
    return this.seen;
  }

  add(x: number): void {
    checkValue(x);
    for (let j = 0; j < this.qs.length; j++) {
      p2Step(
        this.h,
        j * P2_HEIGHTS,
        this.pos,
        j * P2_POSITIONS,
        this.seen,
        this.qs[j] as number,
        x,
      );
    }
    this.seen++;
  }

  /** A tracked quantile's marker; any other q, interpolated between all markers. */
  quantile(q: number): number {
    checkQ(q);
    if (this.seen === 0) return Number.NaN;
    const j = this.qs.indexOf(q);
    if (j >= 0) return p2Estimate(this.h, j * P2_HEIGHTS, this.seen, q);
    if (this.seen < 5) return exactQuantile(this.h.subarray(0, this.seen), q);
    const pts = this.markers();
    const at = 1 + q * (this.seen - 1);
    let i = 1;
    while (i < pts.length - 1 && (pts[i] as [number, number])[0] < at) i++;
    const [na, ha] = pts[i - 1] as [number, number];
    const [nb, hb] = pts[i] as [number, number];
    return nb === na ? hb : ha + ((at - na) / (nb - na)) * (hb - ha);
  }

  rank(x: number): number {
    if (this.seen === 0) return Number.NaN;
    if (this.seen < 5) {
      let k = 0;
      for (let i = 0; i < this.seen; i++) if ((this.h[i] as number) <= x) k++;
      return k / this.seen;
    }
    const pts = this.markers();
    const [, lo] = pts[0] as [number, number];
    const [, hi] = pts[pts.length - 1] as [number, number];
    if (x < lo) return 0;
    if (x >= hi) return 1;
    let i = 1;
    while ((pts[i] as [number, number])[1] <= x) i++;
    const [na, ha] = pts[i - 1] as [number, number];
    const [nb, hb] = pts[i] as [number, number];
    return (na + ((x - ha) / (hb - ha)) * (nb - na)) / this.seen;
  }

  /** Every marker set's (position, height), by height then position. */
  private markers(): [number, number][] {
    const pts: [number, number][] = [];
    for (let j = 0; j < this.qs.length; j++) {
      const ho = j * P2_HEIGHTS;
      const po = j * P2_POSITIONS;
      pts.push([1, this.h[ho] as number]);
      for (let k = 0; k < 3; k++)
        pts.push([this.pos[po + k] as number, this.h[ho + k + 1] as number]);
      pts.push([this.seen, this.h[ho + 4] as number]);
    }
    return pts.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  }

  serialize(): Uint8Array {
    const w = new ByteWriter('p2').varint(this.qs.length);
    for (const q of this.qs) w.f64(q);
    w.varint(this.seen);
    const heights = Math.min(this.seen, 5);
    for (let j = 0; j < this.qs.length; j++) {
      for (let k = 0; k < heights; k++) w.f64(this.h[j * P2_HEIGHTS + k] as number);
      if (this.seen >= 5)
        for (let k = 0; k < 3; k++) w.varint(this.pos[j * P2_POSITIONS + k] as number);
    }
    return w.bytes();
  }

  bytes(): number {
    return this.serialize().length;
  }

  static deserialize(buf: Uint8Array): P2 {
    const r = new ByteReader(buf, 'p2');
    const m = r.varint();
    if (m < 1 || m > 1024) throw new FormatError('quantile count');
    const qs: number[] = [];
    for (let j = 0; j < m; j++) {
      const q = r.f64();
      if (!(q > 0 && q < 1)) throw new FormatError('quantile out of (0, 1)');
      qs.push(q);
    }
    const s = new P2(qs);
    s.seen = r.varint();
    const heights = Math.min(s.seen, 5);
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < heights; k++) {
        const v = r.finite('height');
        if (k > 0 && v < (s.h[j * P2_HEIGHTS + k - 1] as number))
          throw new FormatError('heights out of order');
        s.h[j * P2_HEIGHTS + k] = v;
      }
      if (s.seen >= 5) {
        let last = 1;
        for (let k = 0; k < 3; k++) {
          const v = r.varint();
          if (v <= last || v >= s.seen) throw new FormatError('marker positions out of order');
          s.pos[j * P2_POSITIONS + k] = v;
          last = v;
        }
      }
    }
    r.end();
    return s;
  }
}
