// The scan line's fast path: an archive's lines share one layout (the same fields in the same
// order, the same symbols, only the values change), so once a line is parsed the general way
// its layout becomes a template (literal bytes with value slots between them), and the next
// lines are matched against it byte for byte, reading only the values. No JSON objects are
// built, no text is decoded.
//
// It is only an optimisation, and it never decides anything on its own: a line that does
// not match, or whose values would fail any check of the general path, is declined (null),
// and the caller parses it the general way (`parseScanLine`), which also learns its layout.
// A line it matches yields exactly the Scan the general path gives (a property test holds
// it to that on adversarial lines).
//
// Numbers are converted as JSON.parse converts them: correctly rounded. A literal whose
// digits form an integer below 2^53 and whose decimal exponent lies within ±22 is that
// exact integer times or over an exact power of ten: one IEEE operation, hence correctly
// rounded (Clinger's fast path, which every strtod takes first). Any other literal is
// converted by `Number()` from its text.
import { MC_STATUSES, type McStatus, POSTURES, type Posture } from './enums.js';
import type { Acb, Esof, Scan } from './scan.js';

// Slot kinds.
const NUM = 0;
/** A number or `null`. */
const NUM_OR_NULL = 1;
/** A string without escapes, or `null`. */
const STR_OR_NULL = 2;
/** `null`, or an object of some of ACB_FIELDS → number or null (feeds leave some out). */
const ACB_OBJECT = 3;
/** `null`, or an object of exactly `score` and `ts`, in either order. */
const ESOF_OBJECT = 4;
/**
 * `null`, or an object of symbol → imbalance whose symbols are some of the template's, in
 * its order (a feed's order book often lacks a few symbols).
 */
const OB_OBJECT = 5;
const END = 6;

// Where a slot's value goes: scalar targets, then prices from PRICE, then imbalances.
const SCAN_NUMBER = 0;
const TS = 1;
const VEL_DIV = 2;
const W50 = 3;
const W150 = 4;
const W300 = 5;
const W750 = 6;
const BTC_MA99 = 7;
const ACB0 = 8; // funding_rate, dvol, fear_greed, taker_ratio: 8..11
const ESOF_SCORE = 12;
const ESOF_TS = 13;
const MC_STATUS = 14;
const POSTURE = 15;
const REGIME = 16;
const HASH = 17;
/** 1 if the line carries an acb object, 0 if null; likewise esof. */
const ACB_PRESENT = 18;
const ESOF_PRESENT = 19;
const PRICE = 20;

const SCALARS: Readonly<Record<string, readonly [number, number]>> = {
  scan_number: [NUM, SCAN_NUMBER],
  ts: [NUM, TS],
  vel_div: [NUM, VEL_DIV],
  w50_velocity: [NUM_OR_NULL, W50],
  w150_velocity: [NUM_OR_NULL, W150],
  w300_velocity: [NUM_OR_NULL, W300],
  w750_velocity: [NUM_OR_NULL, W750],
  btc_ma99: [NUM_OR_NULL, BTC_MA99],
  mc_status: [STR_OR_NULL, MC_STATUS],
  posture: [STR_OR_NULL, POSTURE],
  regime_label: [STR_OR_NULL, REGIME],
  composite_hash: [STR_OR_NULL, HASH],
};
const ACB_FIELDS = ['funding_rate', 'dvol', 'fear_greed', 'taker_ratio'];
const ESOF_FIELDS = ['score', 'ts'];
const ACB_KEYS = ACB_FIELDS.map(ascii);
const ESOF_KEYS = ESOF_FIELDS.map(ascii);

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const TWO_53 = 2 ** 53;

interface Template {
  /** Every literal byte, concatenated. */
  readonly lit: Uint8Array;
  /** Per segment: literal start, literal length, slot kind (END for the last), target. */
  readonly ops: Int32Array;
  readonly symbols: readonly string[];
  /** The order book's symbols as learned, and as bytes for matching keys. */
  readonly obSymbols: readonly string[];
  readonly obKeys: readonly Uint8Array[];
}

const NO_BOOK: { symbols: readonly string[]; at: number } = { symbols: [], at: PRICE };

/** Symbols (prices and order book together) a template holds at most. */
const MAX_SYMBOLS = 8192;

export class ScanTemplate {
  private t: Template | null = null;
  /** The slot values of the line last matched (NaN: a null number, or one the layout lacks). */
  private readonly vals = new Float64Array(PRICE + MAX_SYMBOLS);
  /** mc_status, posture, regime_label, composite_hash of the line last matched. */
  private readonly strs: (string | null)[] = [null, null, null, null];

  /** Learns the layout of `line`, which the general path parsed into `scan`. */
  learn(line: string, scan: Scan): void {
    this.t = templateOf(line, scan);
    if (this.t === null) return;
    // A field the layout leaves out is null in every line it matches.
    this.vals.fill(Number.NaN, 0, PRICE);
    this.strs.fill(null);
  }

  /**
   * The scan in `b[start, end)` (one line, no line end) if it matches the template and
   * passes every check of the general path; null otherwise.
   */
  match(b: Uint8Array, start: number, end: number): Scan | null {
    const t = this.t;
    if (t === null) return null;
    const { lit, ops } = t;
    // A layout without an order book: none (a slot below sets it otherwise).
    this.book = NO_BOOK;
    const vals = this.vals;
    const strs = this.strs;
    let pos = start;
    for (let k = 0; ; k += 4) {
      const from = ops[k] as number;
      const len = ops[k + 1] as number;
      if (pos + len > end) return null;
      for (let j = 0; j < len; j++) if (b[pos + j] !== lit[from + j]) return null;
      pos += len;
      const kind = ops[k + 2] as number;
      if (kind === END) break;
      const target = ops[k + 3] as number;
      if (kind === STR_OR_NULL) {
        pos = readString(b, pos, end, strs, target - MC_STATUS);
        if (pos < 0) return null;
      } else if (kind === OB_OBJECT) {
        pos = this.readBook(b, pos, end, t);
        if (pos < 0) return null;
      } else if (kind === ACB_OBJECT) {
        pos = readObject(b, pos, end, vals, ACB_KEYS, ACB0, ACB_PRESENT);
        if (pos < 0) return null;
      } else if (kind === ESOF_OBJECT) {
        pos = readObject(b, pos, end, vals, ESOF_KEYS, ESOF_SCORE, ESOF_PRESENT);
        // Both fields, neither null: anything else is the general path's to refuse.
        if (pos < 0) return null;
        if (
          vals[ESOF_PRESENT] === 1 &&
          (Number.isNaN(vals[ESOF_SCORE]) || Number.isNaN(vals[ESOF_TS]))
        )
          return null;
      } else if (kind === NUM_OR_NULL && isNullAt(b, pos, end)) {
        vals[target] = Number.NaN;
        pos += 4;
      } else {
        pos = readNumber(b, pos, end, vals, target);
        if (pos < 0) return null;
      }
    }
    if (pos !== end) return null;
    return checked(t, this.book, vals, strs);
  }

  /** The order book's symbols in the line last matched, and where its values start. */
  private book: { symbols: readonly string[]; at: number } = NO_BOOK;

  /** The order book at `pos` (see OB_OBJECT) into vals and `book`; −1 if not one. */
  private readBook(b: Uint8Array, pos: number, end: number, t: Template): number {
    const at = PRICE + t.symbols.length;
    if (isNullAt(b, pos, end)) {
      this.book = { symbols: [], at };
      return pos + 4;
    }
    if (b[pos] !== 123) return -1;
    const keys = t.obKeys;
    let i = skipWs(b, pos + 1, end);
    let n = 0;
    let next = 0;
    let subset: string[] | null = null;
    if (b[i] === 125) i++;
    else {
      for (;;) {
        if (b[i] !== 34) return -1;
        // The key is the next expected symbol, or one after it (those between are absent).
        let k = next;
        for (; k < keys.length; k++) if (keyAt(b, i, end, keys[k] as Uint8Array)) break;
        if (k === keys.length) return -1;
        if (k !== next || subset !== null) {
          subset ??= t.obSymbols.slice(0, next);
          subset.push(t.obSymbols[k] as string);
        }
        next = k + 1;
        i = skipWs(b, i + (keys[k] as Uint8Array).length + 2, end);
        if (b[i] !== 58) return -1;
        i = readNumber(b, skipWs(b, i + 1, end), end, this.vals, at + n);
        if (i < 0) return -1;
        n++;
        i = skipWs(b, i, end);
        if (b[i] === 125) {
          i++;
          break;
        }
        if (b[i] !== 44) return -1;
        i = skipWs(b, i + 1, end);
      }
    }
    if (subset === null && n !== keys.length) subset = t.obSymbols.slice(0, n);
    this.book = { symbols: subset ?? t.obSymbols, at };
    return i;
  }
}

/** `"key"` at `i`. */
function keyAt(b: Uint8Array, i: number, end: number, key: Uint8Array): boolean {
  if (i + key.length + 1 >= end || b[i + key.length + 1] !== 34) return false;
  for (let j = 0; j < key.length; j++) if (b[i + 1 + j] !== key[j]) return false;
  return true;
}

function isNullAt(b: Uint8Array, pos: number, end: number): boolean {
  return (
    pos + 4 <= end &&
    b[pos] === 110 &&
    b[pos + 1] === 117 &&
    b[pos + 2] === 108 &&
    b[pos + 3] === 108
  );
}

/** A string without escapes (printable ASCII) or null at `pos` into strs[k]; −1 if neither. */
function readString(
  b: Uint8Array,
  pos: number,
  end: number,
  strs: (string | null)[],
  k: number,
): number {
  if (isNullAt(b, pos, end)) {
    strs[k] = null;
    return pos + 4;
  }
  if (b[pos] !== 34) return -1;
  let i = pos + 1;
  for (;;) {
    if (i >= end) return -1;
    const c = b[i] as number;
    if (c === 34) break;
    if (c === 92 || c < 32 || c > 126) return -1;
    i++;
  }
  strs[k] = latin1(b, pos + 1, i);
  return i + 1;
}

function skipWs(b: Uint8Array, pos: number, end: number): number {
  let i = pos;
  while (i < end) {
    const c = b[i];
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/**
 * `null` (vals[present] = 0) or an object of some of `keys` → number or null, each at most
 * once (vals[present] = 1; vals[first + k] the k-th key's value, NaN for null or absent).
 * −1 for anything else.
 */
function readObject(
  b: Uint8Array,
  pos: number,
  end: number,
  vals: Float64Array,
  keys: readonly Uint8Array[],
  first: number,
  present: number,
): number {
  for (let k = 0; k < keys.length; k++) vals[first + k] = Number.NaN;
  if (isNullAt(b, pos, end)) {
    vals[present] = 0;
    return pos + 4;
  }
  vals[present] = 1;
  if (b[pos] !== 123) return -1;
  let i = skipWs(b, pos + 1, end);
  if (b[i] === 125) return i + 1;
  let seen = 0;
  for (;;) {
    if (b[i] !== 34) return -1;
    let k = 0;
    while (k < keys.length && !keyAt(b, i, end, keys[k] as Uint8Array)) k++;
    if (k === keys.length || (seen & (1 << k)) !== 0) return -1;
    seen |= 1 << k;
    i = skipWs(b, i + (keys[k] as Uint8Array).length + 2, end);
    if (b[i] !== 58) return -1;
    i = skipWs(b, i + 1, end);
    if (isNullAt(b, i, end)) i += 4;
    else {
      i = readNumber(b, i, end, vals, first + k);
      if (i < 0) return -1;
    }
    i = skipWs(b, i, end);
    if (b[i] === 125) return i + 1;
    if (b[i] !== 44) return -1;
    i = skipWs(b, i + 1, end);
  }
}

/** Bytes as text, one character each (they are ASCII wherever it is used). */
function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.prototype.latin1Slice.call(b, from, to);
}

/** A JSON number at `pos` into vals[target], converted as JSON.parse does; −1 if not one. */
function readNumber(
  b: Uint8Array,
  pos: number,
  end: number,
  vals: Float64Array,
  target: number,
): number {
  let i = pos;
  const neg = b[i] === 45;
  if (neg) i++;
  let c = i < end ? (b[i] as number) : -1;
  if (c < 48 || c > 57) return -1;
  // The digits as an integer: exact as long as it stays below 2^53 (it only grows, so the
  // final value tells).
  let m = 0;
  let e10 = 0;
  if (c === 48) {
    c = ++i < end ? (b[i] as number) : -1;
  } else {
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      c = ++i < end ? (b[i] as number) : -1;
    }
  }
  if (c === 46) {
    c = ++i < end ? (b[i] as number) : -1;
    if (c < 48 || c > 57) return -1;
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      e10--;
      c = ++i < end ? (b[i] as number) : -1;
    }
  }
  if (c === 101 || c === 69) {
    c = ++i < end ? (b[i] as number) : -1;
    let negExp = false;
    if (c === 43 || c === 45) {
      negExp = c === 45;
      c = ++i < end ? (b[i] as number) : -1;
    }
    if (c < 48 || c > 57) return -1;
    let e = 0;
    while (c >= 48 && c <= 57) {
      if (e < 100_000) e = e * 10 + (c - 48);
      c = ++i < end ? (b[i] as number) : -1;
    }
    e10 += negExp ? -e : e;
  }
  let v: number;
  if (m < TWO_53 && e10 >= -22 && e10 <= 22) {
    v = e10 < 0 ? m / (POW10[-e10] as number) : m * (POW10[e10] as number);
    if (neg) v = -v;
  } else {
    v = Number(latin1(b, pos, i));
  }
  vals[target] = v;
  return i;
}

const isCount = (v: number) => Number.isSafeInteger(v) && v >= 0;
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The matched values as a Scan, if every check of the general path holds; else null. */
function checked(
  t: Template,
  book: { symbols: readonly string[]; at: number },
  vals: Float64Array,
  strs: readonly (string | null)[],
): Scan | null {
  const scanNumber = vals[SCAN_NUMBER] as number;
  const ts = vals[TS] as number;
  const velDiv = vals[VEL_DIV] as number;
  if (!isCount(scanNumber) || !isCount(ts) || !Number.isFinite(velDiv)) return null;
  for (let k = W50; k <= BTC_MA99; k++) {
    const v = vals[k] as number;
    if (!Number.isNaN(v) && !Number.isFinite(v)) return null;
  }
  const btc = vals[BTC_MA99] as number;
  if (!Number.isNaN(btc) && !(btc > 0)) return null;
  const n = t.symbols.length;
  const prices = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const p = vals[PRICE + k] as number;
    if (!(p > 0 && p < Number.POSITIVE_INFINITY)) return null;
    prices[k] = p;
  }
  const m = book.symbols.length;
  const ob = new Array<number>(m);
  for (let k = 0; k < m; k++) {
    const v = vals[book.at + k] as number;
    if (!(v >= -1 && v <= 1)) return null;
    ob[k] = v;
  }
  let acb: Acb | null = null;
  if (vals[ACB_PRESENT] === 1) {
    for (let k = 0; k < 4; k++) {
      const v = vals[ACB0 + k] as number;
      if (!Number.isNaN(v) && !Number.isFinite(v)) return null;
    }
    acb = {
      funding_rate: orNull(vals[ACB0] as number),
      dvol: orNull(vals[ACB0 + 1] as number),
      fear_greed: orNull(vals[ACB0 + 2] as number),
      taker_ratio: orNull(vals[ACB0 + 3] as number),
    };
  }
  let esof: Esof | null = null;
  if (vals[ESOF_PRESENT] === 1) {
    const score = vals[ESOF_SCORE] as number;
    const at = vals[ESOF_TS] as number;
    if (!(score >= -1 && score <= 1) || !isCount(at)) return null;
    esof = { score, ts: at };
  }
  const mc = strs[MC_STATUS - MC_STATUS] ?? null;
  if (mc !== null && !(MC_STATUSES as readonly string[]).includes(mc)) return null;
  const posture = strs[POSTURE - MC_STATUS] ?? null;
  if (posture !== null && !(POSTURES as readonly string[]).includes(posture)) return null;
  return {
    scan_number: scanNumber,
    ts,
    vel_div: velDiv,
    w50_velocity: orNull(vals[W50] as number),
    w150_velocity: orNull(vals[W150] as number),
    w300_velocity: orNull(vals[W300] as number),
    w750_velocity: orNull(vals[W750] as number),
    symbols: t.symbols,
    prices,
    obSymbols: book.symbols,
    obImbalance: ob,
    acb,
    mc_status: mc as McStatus | null,
    esof,
    posture: posture as Posture | null,
    btc_ma99: orNull(btc),
    regime_label: strs[REGIME - MC_STATUS] ?? null,
    composite_hash: strs[HASH - MC_STATUS] ?? null,
  };
}

// ---- learning a layout ------------------------------------------------------------------

/** Thrown while learning: this line's layout makes no template (the general path stays). */
class NoTemplate extends Error {}

/**
 * The template of `line` (which JSON.parse and every check accepted as `scan`), or null when
 * its layout is not one the template covers: an unknown field, a field twice, symbols not
 * in the order the general path reads them, a character outside ASCII in the layout.
 */
function templateOf(line: string, scan: Scan): Template | null {
  if (scan.symbols.length + scan.obSymbols.length > MAX_SYMBOLS) return null;
  try {
    return new Learner(line, scan).template();
  } catch (e) {
    if (e instanceof NoTemplate) return null;
    throw e;
  }
}

class Learner {
  private i = 0;
  private cut = 0;
  private readonly lits: string[] = [];
  private readonly ops: number[] = [];
  private litLength = 0;

  constructor(
    private readonly s: string,
    private readonly scan: Scan,
  ) {}

  private fail(): never {
    throw new NoTemplate();
  }

  private ws(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.i++;
    }
  }

  private expect(c: string): void {
    this.ws();
    if (this.s[this.i] !== c) this.fail();
    this.i++;
  }

  /** The raw extent of the JSON value at the cursor (the line is valid JSON). */
  private skipValue(): void {
    this.ws();
    const c = this.s[this.i];
    if (c === '"') {
      this.i++;
      while (this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
      this.i++;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      this.i++;
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          this.skipValue();
          this.expect(':');
        }
        this.skipValue();
        this.ws();
        const d = this.s[this.i++];
        if (d === close) return;
        if (d !== ',') this.fail();
      }
    } else {
      while (this.i < this.s.length && /[-+.0-9a-zA-Z]/.test(this.s[this.i] as string)) this.i++;
    }
  }

  /** A key at the cursor, decoded, and its colon. */
  private key(): string {
    this.ws();
    const from = this.i;
    this.skipValue();
    const k: unknown = JSON.parse(this.s.slice(from, this.i));
    if (typeof k !== 'string') this.fail();
    this.expect(':');
    return k;
  }

  /** The value at the cursor becomes a slot. */
  private slot(kind: number, target: number): void {
    this.ws();
    const from = this.i;
    const c = this.s[this.i];
    if (c === 'n') {
      if (kind === NUM) this.fail();
    } else if (c === '"') {
      if (kind !== STR_OR_NULL) this.fail();
    } else if (kind === STR_OR_NULL || !/[-0-9]/.test(c ?? '')) this.fail();
    this.skipValue();
    this.literal(from);
    this.ops.push(kind, target);
    this.cut = this.i;
  }

  /** The text since the last slot, up to `to`, is literal. */
  private literal(to: number): void {
    const text = this.s.slice(this.cut, to);
    if (!/^[\x20-\x7e\t\n\r]*$/.test(text)) this.fail();
    this.ops.push(this.litLength, text.length);
    this.lits.push(text);
    this.litLength += text.length;
  }

  /**
   * The object at the cursor, member by member: `each` gets the k-th key (its colon read)
   * and reads the value. Returns how many members there were.
   */
  private members(each: (key: string, k: number) => void): number {
    this.expect('{');
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return 0;
    }
    for (let k = 0; ; k++) {
      each(this.key(), k);
      this.ws();
      const d = this.s[this.i++];
      if (d === '}') return k + 1;
      if (d !== ',') this.fail();
    }
  }

  /** An object of symbol → number, its keys exactly `symbols` in order. */
  private symbolValues(symbols: readonly string[], first: number): void {
    const n = this.members((key, k) => {
      if (key !== symbols[k]) this.fail();
      this.slot(NUM, first + k);
    });
    if (n !== symbols.length) this.fail();
  }

  /** The order book (null, or symbol → number, its keys the scan's in order) becomes one slot. */
  private bookSlot(): void {
    this.ws();
    const from = this.i;
    if (!this.isNull()) {
      const symbols = this.scan.obSymbols;
      const n = this.members((key, k) => {
        if (key !== symbols[k]) this.fail();
        this.skipValue();
      });
      if (n !== symbols.length) this.fail();
    }
    this.literal(from);
    this.ops.push(OB_OBJECT, 0);
    this.cut = this.i;
  }

  /** An acb or esof value (null or an object of its fields) becomes one slot. */
  private objectSlot(kind: number, names: readonly string[]): void {
    this.ws();
    const from = this.i;
    if (!this.isNull()) {
      this.members((key) => {
        if (!names.includes(key)) this.fail();
        this.skipValue();
      });
    }
    this.literal(from);
    this.ops.push(kind, 0);
    this.cut = this.i;
  }

  /** Whether the value at the cursor is `null` (consumed, stays literal). */
  private isNull(): boolean {
    this.ws();
    if (!this.s.startsWith('null', this.i)) return false;
    this.i += 4;
    return true;
  }

  template(): Template {
    const seen = new Set<string>();
    this.expect('{');
    for (;;) {
      const key = this.key();
      if (seen.has(key)) this.fail();
      seen.add(key);
      const scalar = SCALARS[key];
      if (scalar !== undefined && Object.hasOwn(SCALARS, key)) this.slot(scalar[0], scalar[1]);
      else if (key === 'prices') this.symbolValues(this.scan.symbols, PRICE);
      else if (key === 'ob_imbalance') this.bookSlot();
      else if (key === 'acb') this.objectSlot(ACB_OBJECT, ACB_FIELDS);
      else if (key === 'esof') this.objectSlot(ESOF_OBJECT, ESOF_FIELDS);
      else this.fail();
      this.ws();
      const d = this.s[this.i++];
      if (d === '}') break;
      if (d !== ',') this.fail();
    }
    this.ws();
    if (this.i !== this.s.length) this.fail();
    this.literal(this.s.length);
    this.ops.push(END, 0);
    const lit = new Uint8Array(this.litLength);
    let at = 0;
    for (const text of this.lits) {
      for (let j = 0; j < text.length; j++) lit[at++] = text.charCodeAt(j);
    }
    return {
      lit,
      ops: Int32Array.from(this.ops),
      symbols: this.scan.symbols,
      obSymbols: this.scan.obSymbols,
      obKeys: this.scan.obSymbols.map(ascii),
    };
  }
}
