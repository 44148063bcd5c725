// Reservoir samples: a uniform one (Vitter's algorithm R) and a time-decayed one
// (priority sampling with forward decay, Cormode et al. 2009), both from a seeded Rng
// whose state travels in the bytes. Quantiles are numpy-linear over the sample.
import { Rng } from '../common/rng/index.js';
import { quantile as exactQuantile } from '../studies/quantile.js';
import { ByteReader, ByteWriter, checkQ, checkValue, FormatError } from './bytes.js';
import { RESERVOIR_SIZE } from './params.js';
import type { Mergeable, Sketch } from './sketch.js';

function sampleQuantile(sample: Float64Array, q: number): number {
  checkQ(q);
  return exactQuantile(sample.slice().sort(), q);
}

function sampleRank(sample: Float64Array, x: number): number {
  if (sample.length === 0) return Number.NaN;
  let k = 0;
  for (const v of sample) if (v <= x) k++;
  return k / sample.length;
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 1 || size > 1 << 24) {
    throw new RangeError(`reservoir: size must be an integer in [1, 2^24], got ${size}`);
  }
}

function writeRng(w: ByteWriter, rng: Rng): void {
  w.varint(rng.seed >>> 0);
  for (const word of rng.state()) w.varint(word);
}

function readRng(r: ByteReader): Rng {
  const seed = r.varint();
  const words = [r.varint(), r.varint(), r.varint(), r.varint()];
  if (seed > 0xffffffff || words.some((w) => w > 0xffffffff)) throw new FormatError('rng state');
  return Rng.resume(seed, words as [number, number, number, number]);
}

/** A uniform sample of `size` values of the whole stream. */
export class Reservoir implements Sketch, Mergeable<Reservoir> {
  private sample: Float64Array;
  private len = 0;
  private seen = 0;
  private rng: Rng;

  constructor(
    readonly size: number = RESERVOIR_SIZE,
    seed = 1,
  ) {
    checkSize(size);
    this.sample = new Float64Array(size);
    this.rng = new Rng(seed);
  }

  get n(): number {
    return this.seen;
  }

  add(x: number): void {
    checkValue(x);
    if (this.len < this.size) this.sample[this.len++] = x;
    else {
      const j = this.rng.int(0, this.seen);
      if (j < this.size) this.sample[j] = x;
    }
    this.seen++;
  }

  /**
   * The union's sample: `size` draws without replacement from the union of the two
   * streams, each sample value standing for the stream values it was drawn from.
   */
  merge(other: Reservoir): void {
    if (other.size !== this.size) throw new RangeError('reservoir: merging different sizes');
    const a = Array.from(this.sample.subarray(0, this.len));
    const b = Array.from(other.sample.subarray(0, other.len));
    let na = this.seen;
    let nb = other.seen;
    const k = Math.min(this.size, a.length + b.length);
    const out = new Float64Array(this.size);
    for (let i = 0; i < k; i++) {
      const fromA = b.length === 0 || (a.length > 0 && this.rng.next() * (na + nb) < na);
      const side = fromA ? a : b;
      const j = this.rng.int(0, side.length - 1);
      out[i] = side[j] as number;
      side[j] = side[side.length - 1] as number;
      side.pop();
      if (fromA) na--;
      else nb--;
    }
    this.sample = out;
    this.len = k;
    this.seen += other.seen;
  }

  quantile(q: number): number {
    return sampleQuantile(this.sample.subarray(0, this.len), q);
  }

  rank(x: number): number {
    return sampleRank(this.sample.subarray(0, this.len), x);
  }

  serialize(): Uint8Array {
    const w = new ByteWriter('reservoir').varint(this.size).varint(this.seen);
    writeRng(w, this.rng);
    w.varint(this.len);
    for (let i = 0; i < this.len; i++) w.f64(this.sample[i] as number);
    return w.bytes();
  }

  bytes(): number {
    return this.serialize().length;
  }

  static deserialize(buf: Uint8Array): Reservoir {
    const r = new ByteReader(buf, 'reservoir');
    const size = r.varint();
    if (size < 1 || size > 1 << 24) throw new FormatError('size');
    const s = new Reservoir(size);
    s.seen = r.varint();
    s.rng = readRng(r);
    s.len = r.varint();
    if (s.len !== Math.min(size, s.seen)) throw new FormatError('sample length');
    for (let i = 0; i < s.len; i++) s.sample[i] = r.finite('value');
    r.end();
    return s;
  }
}

/**
 * A sample weighted towards recent values: a value at time t has weight 2^(t / halfLife),
 * so one a half-life older counts half as much. Kept: the `size` largest priorities
 * t·ln2/halfLife − ln(−ln u), u uniform (the log of u^(1/weight), turned to stay finite).
 */
export class DecayedReservoir implements Sketch {
  private values: Float64Array;
  private keys: Float64Array;
  private len = 0;
  private seen = 0;
  private rng: Rng;

  constructor(
    readonly halfLife: number,
    readonly size: number = RESERVOIR_SIZE,
    seed = 1,
  ) {
    if (!(halfLife > 0 && Number.isFinite(halfLife))) {
      throw new RangeError(`decayed reservoir: half-life must be > 0, got ${halfLife}`);
    }
    checkSize(size);
    this.values = new Float64Array(size);
    this.keys = new Float64Array(size);
    this.rng = new Rng(seed);
  }

  get n(): number {
    return this.seen;
  }

  /** A value at sample time: the i-th value is at t = i (half-life in values). */
  add(x: number): void {
    this.addAt(x, this.seen);
  }

  /** A value at time t, in the half-life's unit (a caller's clock, e.g. scan time in ms). */
  addAt(x: number, t: number): void {
    checkValue(x);
    if (!Number.isFinite(t)) throw new RangeError(`decayed reservoir: time ${t}`);
    const u = 1 - this.rng.next();
    const key = (t * Math.LN2) / this.halfLife - Math.log(-Math.log(u));
    this.seen++;
    if (this.len < this.size) {
      this.values[this.len] = x;
      this.keys[this.len] = key;
      this.up(this.len++);
    } else if (key > (this.keys[0] as number)) {
      this.values[0] = x;
      this.keys[0] = key;
      this.down(0);
    }
  }

  /** Min-heap on keys: the root is the first to go. */
  private up(i: number): void {
    let c = i;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if ((this.keys[p] as number) <= (this.keys[c] as number)) break;
      this.swap(p, c);
      c = p;
    }
  }

  private down(i: number): void {
    let p = i;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < this.len && (this.keys[l] as number) < (this.keys[m] as number)) m = l;
      if (r < this.len && (this.keys[r] as number) < (this.keys[m] as number)) m = r;
      if (m === p) return;
      this.swap(p, m);
      p = m;
    }
  }

  private swap(i: number, j: number): void {
    const v = this.values[i] as number;
    this.values[i] = this.values[j] as number;
    this.values[j] = v;
    const k = this.keys[i] as number;
    this.keys[i] = this.keys[j] as number;
    this.keys[j] = k;
  }

  quantile(q: number): number {
    return sampleQuantile(this.values.subarray(0, this.len), q);
  }

  rank(x: number): number {
    return sampleRank(this.values.subarray(0, this.len), x);
  }

  serialize(): Uint8Array {
    const w = new ByteWriter('decayedReservoir')
      .f64(this.halfLife)
      .varint(this.size)
      .varint(this.seen);
    writeRng(w, this.rng);
    w.varint(this.len);
    for (let i = 0; i < this.len; i++) w.f64(this.values[i] as number).f64(this.keys[i] as number);
    return w.bytes();
  }

  bytes(): number {
    return this.serialize().length;
  }

  static deserialize(buf: Uint8Array): DecayedReservoir {
    const r = new ByteReader(buf, 'decayedReservoir');
    const halfLife = r.finite('half-life');
    const size = r.varint();
    if (!(halfLife > 0) || size < 1 || size > 1 << 24) throw new FormatError('half-life or size');
    const s = new DecayedReservoir(halfLife, size);
    s.seen = r.varint();
    s.rng = readRng(r);
    s.len = r.varint();
    if (s.len !== Math.min(size, s.seen)) throw new FormatError('sample length');
    for (let i = 0; i < s.len; i++) {
      s.values[i] = r.finite('value');
      s.keys[i] = r.finite('key');
      if (i > 0 && (s.keys[(i - 1) >> 1] as number) > (s.keys[i] as number)) {
        throw new FormatError('not a heap');
      }
    }
    r.end();
    return s;
  }
}
