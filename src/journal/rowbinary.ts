// ClickHouse's RowBinary input format for journal rows: exact doubles (18.16's JSON parser is
// not), booleans as UInt8. Stable from 18.16 to current ClickHouse for these types.
import type { Column, TableSpec } from './schema.js';

/** A batch of rows: little-endian numbers, LEB128-length UTF-8 strings, a null flag per Nullable. */
export class RowBinary {
  private buf = Buffer.allocUnsafe(1 << 20);
  private at = 0;

  row(t: TableSpec, row: Record<string, unknown>): void {
    for (const c of t.columns) this.cell(t, c, row[c.name] ?? null);
  }

  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.at));
    this.at = 0;
    return out;
  }

  private cell(t: TableSpec, c: Column, v: unknown): void {
    if (v === null) {
      if (!c.nullable) throw new Error(`${t.name}.${c.name}: null in a NOT NULL column`);
      this.room(1);
      this.at = this.buf.writeUInt8(1, this.at);
      return;
    }
    const bad = () => new Error(`${t.name}.${c.name}: ${JSON.stringify(v)} is not a ${c.type}`);
    this.room(9);
    if (c.nullable) this.at = this.buf.writeUInt8(0, this.at);
    switch (c.type) {
      case 'VARCHAR': {
        if (typeof v !== 'string') throw bad();
        const len = Buffer.byteLength(v);
        this.room(10 + len);
        for (let k = len; ; k >>>= 7) {
          this.buf[this.at++] = k >= 0x80 ? (k & 0x7f) | 0x80 : k;
          if (k < 0x80) break;
        }
        this.at += this.buf.write(v, this.at, 'utf8');
        return;
      }
      case 'BIGINT':
        if (!Number.isSafeInteger(v)) throw bad();
        this.at = this.buf.writeBigInt64LE(BigInt(v as number), this.at);
        return;
      case 'INTEGER':
        if (!Number.isInteger(v) || (v as number) < -(2 ** 31) || (v as number) >= 2 ** 31)
          throw bad();
        this.at = this.buf.writeInt32LE(v as number, this.at);
        return;
      case 'DOUBLE':
        if (typeof v !== 'number') throw bad();
        this.at = this.buf.writeDoubleLE(v, this.at);
        return;
      case 'BOOLEAN':
        if (typeof v !== 'boolean') throw bad();
        this.at = this.buf.writeUInt8(v ? 1 : 0, this.at);
        return;
    }
  }

  private room(k: number): void {
    if (this.at + k <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + k));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
