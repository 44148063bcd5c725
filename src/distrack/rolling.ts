// A t-digest over the last `window` values, bounded: the window is cut into `buckets`
// digests and the oldest dropped whole, so the estimate covers between window − window/buckets
// and window values.
import { ByteReader, ByteWriter, checkQ, checkValue, FormatError } from './bytes.js';
import type { Sketch } from './sketch.js';
import { TDigest } from './tdigest.js';

export class RollingTDigest implements Sketch {
  private ring: TDigest[] = [];
  private readonly perBucket: number;
  private view: TDigest | null = null;

  constructor(
    readonly window: number,
    readonly buckets = 8,
  ) {
    if (!Number.isSafeInteger(buckets) || buckets < 2 || buckets > 1024) {
      throw new RangeError(`rolling t-digest: buckets must be in [2, 1024], got ${buckets}`);
    }
    if (!Number.isSafeInteger(window) || window < buckets || window % buckets !== 0) {
      throw new RangeError(
        `rolling t-digest: window must be a multiple of ${buckets}, got ${window}`,
      );
    }
    this.perBucket = window / buckets;
  }

  /** Values in the window. */
  get n(): number {
    let n = 0;
    for (const d of this.ring) n += d.n;
    return n;
  }

  add(x: number): void {
    checkValue(x);
    const last = this.ring[this.ring.length - 1];
    if (last === undefined || last.n === this.perBucket) {
      if (this.ring.length === this.buckets) this.ring.shift();
      this.ring.push(new TDigest());
    }
    (this.ring[this.ring.length - 1] as TDigest).add(x);
    this.view = null;
  }

  private merged(): TDigest {
    if (this.view === null) {
      const v = new TDigest();
      for (const d of this.ring) v.merge(d);
      this.view = v;
    }
    return this.view;
  }

  quantile(q: number): number {
    checkQ(q);
    return this.merged().quantile(q);
  }

  rank(x: number): number {
    return this.merged().rank(x);
  }

  serialize(): Uint8Array {
    const w = new ByteWriter('rollingTDigest').varint(this.window).varint(this.buckets);
    w.varint(this.ring.length);
    for (const d of this.ring) {
      const b = d.serialize();
      w.varint(b.length);
      for (const byte of b) w.u8(byte);
    }
    return w.bytes();
  }

  bytes(): number {
    return this.serialize().length;
  }

  static deserialize(buf: Uint8Array): RollingTDigest {
    const r = new ByteReader(buf, 'rollingTDigest');
    const window = r.varint();
    const buckets = r.varint();
    if (buckets < 2 || buckets > 1024 || window < buckets || window % buckets !== 0) {
      throw new FormatError('window or buckets');
    }
    const s = new RollingTDigest(window, buckets);
    const len = r.varint();
    if (len > buckets) throw new FormatError('more digests than buckets');
    for (let i = 0; i < len; i++) {
      const b = new Uint8Array(r.varint());
      for (let k = 0; k < b.length; k++) b[k] = r.u8();
      const d = TDigest.deserialize(b);
      if (d.n > s.perBucket || (i < len - 1 && d.n !== s.perBucket)) {
        throw new FormatError('bucket counts');
      }
      s.ring.push(d);
    }
    r.end();
    return s;
  }
}
