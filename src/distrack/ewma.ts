// Exponentially weighted mean and variance (West 1979's incremental form). The step works
// on a typed array at an offset, shared by the object below and the instance pool.
import { ByteReader, ByteWriter, checkValue, FormatError } from './bytes.js';
import { EWMA_ALPHA } from './params.js';

/** Adds x to the (mean, variance) pair at s[o], s[o + 1], which has seen `seen` values. */
export function ewmaStep(s: Float64Array, o: number, alpha: number, seen: number, x: number): void {
  if (seen === 0) {
    s[o] = x;
    s[o + 1] = 0;
    return;
  }
  const diff = x - (s[o] as number);
  const incr = alpha * diff;
  s[o] = (s[o] as number) + incr;
  s[o + 1] = (1 - alpha) * ((s[o + 1] as number) + diff * incr);
}

export class Ewma {
  private readonly s = new Float64Array(2);
  private seen = 0;

  /** alpha: the newest value's weight, in (0, 1]. */
  constructor(readonly alpha: number = EWMA_ALPHA) {
    if (!(alpha > 0 && alpha <= 1))
      throw new RangeError(`EWMA: alpha must be in (0, 1], got ${alpha}`);
  }

  get n(): number {
    return this.seen;
  }

  /** NaN while empty. */
  get mean(): number {
    return this.seen === 0 ? Number.NaN : (this.s[0] as number);
  }

  /** NaN while empty. */
  get variance(): number {
    return this.seen === 0 ? Number.NaN : (this.s[1] as number);
  }

  add(x: number): void {
    checkValue(x);
    ewmaStep(this.s, 0, this.alpha, this.seen, x);
    this.seen++;
  }

  serialize(): Uint8Array {
    return new ByteWriter('ewma')
      .f64(this.alpha)
      .varint(this.seen)
      .f64(this.s[0] as number)
      .f64(this.s[1] as number)
      .bytes();
  }

  bytes(): number {
    return this.serialize().length;
  }

  static deserialize(buf: Uint8Array): Ewma {
    const r = new ByteReader(buf, 'ewma');
    const alpha = r.f64();
    if (!(alpha > 0 && alpha <= 1)) throw new FormatError('alpha out of (0, 1]');
    const e = new Ewma(alpha);
    e.seen = r.varint();
    e.s[0] = r.finite('mean');
    const v = r.finite('variance');
    if (v < 0) throw new FormatError('negative variance');
    e.s[1] = v;
    r.end();
    return e;
  }
}
