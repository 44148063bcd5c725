// The byte layout shared by every sketch: version byte, kind byte, then little-endian
// float64s and unsigned LEB128 varints.
import { FORMAT_VERSION, SKETCH_KIND, type SketchKind } from './params.js';

/** Thrown only while decoding, turned into a Result at `deserialize`'s boundary. */
export class FormatError extends Error {}

export class ByteWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  constructor(kind: SketchKind) {
    this.u8(FORMAT_VERSION);
    this.u8(SKETCH_KIND[kind]);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v;
    return this;
  }

  f64(v: number): this {
    this.reserve(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
    return this;
  }

  /** A non-negative safe integer. */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint: ${v}`);
    let x = v;
    while (x >= 0x80) {
      this.u8((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    return this.u8(x);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ByteReader {
  private readonly view: DataView;
  private pos = 2;

  constructor(
    private readonly buf: Uint8Array,
    kind: SketchKind,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.length < 2) throw new FormatError('too short for a sketch header');
    if (buf[0] !== FORMAT_VERSION) {
      throw new FormatError(`format version ${buf[0]}, this build reads ${FORMAT_VERSION}`);
    }
    if (buf[1] !== SKETCH_KIND[kind]) throw new FormatError(`not a ${kind} (kind ${buf[1]})`);
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new FormatError('truncated');
    return this.buf[this.pos++] as number;
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new FormatError('truncated');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  finite(what: string): number {
    const v = this.f64();
    if (!Number.isFinite(v)) throw new FormatError(`${what} is not finite`);
    return v;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new FormatError('varint too long');
    }
    return v;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new FormatError('trailing bytes');
  }
}

/** The kind named by a sketch's header bytes, or a FormatError. */
export function kindOf(buf: Uint8Array): SketchKind {
  if (buf.length < 2) throw new FormatError('too short for a sketch header');
  if (buf[0] !== FORMAT_VERSION) {
    throw new FormatError(`format version ${buf[0]}, this build reads ${FORMAT_VERSION}`);
  }
  const kind = (Object.keys(SKETCH_KIND) as SketchKind[]).find((k) => SKETCH_KIND[k] === buf[1]);
  if (kind === undefined) throw new FormatError(`unknown sketch kind ${buf[1]}`);
  return kind;
}

export function checkValue(x: number): void {
  if (!Number.isFinite(x)) throw new RangeError(`sketch: values must be finite, got ${x}`);
}

export function checkQ(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
}
