// Checked scans across a thread boundary (the archive's parse worker): a batch of records
// packed into one Float64Array, moved rather than copied, plus the few strings it needs. The
// engine's thread then neither parses JSON nor pays a structured clone per scan.
// Every number travels as its own 64 bits (−0 included). `null` travels as NaN, which no
// checked numeric field can hold, so the two never meet.
import { MC_STATUSES, type McStatus, POSTURES, type Posture } from './enums.js';
import type { Result } from './result.js';
import type { Acb, Esof, Scan } from './scan.js';

/** One record of a source, decoded: its position, its size, and the checked scan or why not. */
export interface CodedRecord {
  readonly seq: number;
  /** Characters of the record in its source, its line end included (for progress). */
  readonly size: number;
  /**
   * The record's text, kept for those the engine may refuse (the rejects table stores it):
   * every refused line, and every scan not numbered above all those before it in the
   * source. Empty for the others.
   */
  readonly text: string;
  readonly parsed: Result<Scan>;
}

/** What crosses the boundary: `nums` is transferred, the rest is cloned. */
export interface ScanBatch {
  readonly nums: Float64Array;
  readonly strs: readonly string[];
  /** Universes (symbol lists) numbered in this batch: [id, symbols]. */
  readonly universes: readonly (readonly [number, readonly string[]])[];
}

const ACCEPTED = 0;
const REFUSED = 1;
/** Accepted, but out of order in its source: the engine refuses it, with its text. */
const ACCEPTED_WITH_TEXT = 2;
/** Universes numbered at most: past it a universe travels inline (a hostile archive cannot grow the tables). */
const MAX_UNIVERSES = 4096;

const nullable = (v: number | null): number => (v === null ? Number.NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

export class ScanEncoder {
  private nums = new Float64Array(1 << 14);
  private n = 0;
  private strs: string[] = [];
  private fresh: [number, readonly string[]][] = [];
  private readonly ids = new Map<string, number>();
  private last: { symbols: readonly string[]; id: number }[] = [];
  /** The highest scan number accepted so far (the stream's order, as the engine checks it). */
  private highest = Number.NEGATIVE_INFINITY;

  /** Records added since the last `take`. */
  count = 0;

  private put(v: number): void {
    if (this.n === this.nums.length) {
      const grown = new Float64Array(this.nums.length * 2);
      grown.set(this.nums);
      this.nums = grown;
    }
    this.nums[this.n++] = v;
  }

  private str(s: string | null): number {
    if (s === null) return -1;
    this.strs.push(s);
    return this.strs.length - 1;
  }

  /** The universe's number, or −(first string + 1) when it travels inline. */
  private universe(symbols: readonly string[], slot: number): number {
    const last = this.last[slot];
    if (last !== undefined && sameList(last.symbols, symbols)) return last.id;
    const key = symbols.join('\n');
    let id = this.ids.get(key);
    if (id === undefined) {
      if (this.ids.size >= MAX_UNIVERSES) {
        const first = this.strs.length;
        for (const s of symbols) this.strs.push(s);
        return -(first + 1);
      }
      id = this.ids.size;
      this.ids.set(key, id);
      this.fresh.push([id, symbols]);
    }
    this.last[slot] = { symbols, id };
    return id;
  }

  add(seq: number, size: number, text: string, parsed: Result<Scan>): void {
    this.count++;
    if (!parsed.ok) {
      this.put(REFUSED);
      this.put(seq);
      this.put(size);
      this.put(this.str(parsed.reason));
      this.put(this.str(text));
      return;
    }
    const s = parsed.value;
    const inOrder = s.scan_number > this.highest;
    if (inOrder) this.highest = s.scan_number;
    this.put(inOrder ? ACCEPTED : ACCEPTED_WITH_TEXT);
    this.put(seq);
    this.put(size);
    if (!inOrder) this.put(this.str(text));
    this.put(s.scan_number);
    this.put(s.ts);
    this.put(s.vel_div);
    this.put(nullable(s.w50_velocity));
    this.put(nullable(s.w150_velocity));
    this.put(nullable(s.w300_velocity));
    this.put(nullable(s.w750_velocity));
    this.put(this.universe(s.symbols, 0));
    this.put(s.prices.length);
    for (const p of s.prices) this.put(p);
    this.put(this.universe(s.obSymbols, 1));
    this.put(s.obImbalance.length);
    for (const v of s.obImbalance) this.put(v);
    if (s.acb === null) this.put(0);
    else {
      this.put(1);
      this.put(nullable(s.acb.funding_rate));
      this.put(nullable(s.acb.dvol));
      this.put(nullable(s.acb.fear_greed));
      this.put(nullable(s.acb.taker_ratio));
    }
    this.put(s.mc_status === null ? -1 : MC_STATUSES.indexOf(s.mc_status));
    if (s.esof === null) this.put(0);
    else {
      this.put(1);
      this.put(s.esof.score);
      this.put(s.esof.ts);
    }
    this.put(s.posture === null ? -1 : POSTURES.indexOf(s.posture));
    this.put(nullable(s.btc_ma99));
    this.put(this.str(s.regime_label));
    this.put(this.str(s.composite_hash));
  }

  /** The batch so far (its buffer is handed over: transfer `nums.buffer`); starts the next. */
  take(): ScanBatch {
    const batch: ScanBatch = {
      nums: this.nums.slice(0, this.n),
      strs: this.strs,
      universes: this.fresh,
    };
    this.n = 0;
    this.strs = [];
    this.fresh = [];
    this.count = 0;
    return batch;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ScanDecoder {
  private readonly universes: (readonly string[])[] = [];

  decode(b: ScanBatch): CodedRecord[] {
    for (const [id, symbols] of b.universes) this.universes[id] = symbols;
    const x = b.nums;
    const strs = b.strs;
    const out: CodedRecord[] = [];
    let i = 0;
    const universe = (ref: number, count: number): readonly string[] =>
      ref >= 0
        ? (this.universes[ref] as readonly string[])
        : strs.slice(-ref - 1, -ref - 1 + count);
    const values = (count: number): number[] => {
      const v = new Array<number>(count);
      for (let k = 0; k < count; k++) v[k] = x[i++] as number;
      return v;
    };
    while (i < x.length) {
      const tag = x[i++] as number;
      const seq = x[i++] as number;
      const size = x[i++] as number;
      if (tag === REFUSED) {
        const reason = strs[x[i++] as number] as string;
        const text = strs[x[i++] as number] as string;
        out.push({ seq, size, text, parsed: { ok: false, reason } });
        continue;
      }
      const text = tag === ACCEPTED_WITH_TEXT ? (strs[x[i++] as number] as string) : '';
      const scanNumber = x[i++] as number;
      const ts = x[i++] as number;
      const velDiv = x[i++] as number;
      const w50 = orNull(x[i++] as number);
      const w150 = orNull(x[i++] as number);
      const w300 = orNull(x[i++] as number);
      const w750 = orNull(x[i++] as number);
      const pu = x[i++] as number;
      const pn = x[i++] as number;
      const prices = values(pn);
      const ou = x[i++] as number;
      const on = x[i++] as number;
      const ob = values(on);
      let acb: Acb | null = null;
      if (x[i++] === 1) {
        acb = {
          funding_rate: orNull(x[i++] as number),
          dvol: orNull(x[i++] as number),
          fear_greed: orNull(x[i++] as number),
          taker_ratio: orNull(x[i++] as number),
        };
      }
      const mc = x[i++] as number;
      let esof: Esof | null = null;
      if (x[i++] === 1) {
        const score = x[i++] as number;
        esof = { score, ts: x[i++] as number };
      }
      const posture = x[i++] as number;
      const btcMa99 = orNull(x[i++] as number);
      const regime = x[i++] as number;
      const hash = x[i++] as number;
      const scan: Scan = {
        scan_number: scanNumber,
        ts,
        vel_div: velDiv,
        w50_velocity: w50,
        w150_velocity: w150,
        w300_velocity: w300,
        w750_velocity: w750,
        symbols: universe(pu, pn),
        prices,
        obSymbols: universe(ou, on),
        obImbalance: ob,
        acb,
        mc_status: mc < 0 ? null : (MC_STATUSES[mc] as McStatus),
        esof,
        posture: posture < 0 ? null : (POSTURES[posture] as Posture),
        btc_ma99: btcMa99,
        regime_label: regime < 0 ? null : (strs[regime] as string),
        composite_hash: hash < 0 ? null : (strs[hash] as string),
      };
      out.push({ seq, size, text, parsed: { ok: true, value: scan } });
    }
    return out;
  }
}
