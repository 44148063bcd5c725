// V-TYPES Scan (SPEC §2): a checked constructor that rejects at source with a reason.
import { MC_STATUSES, type McStatus, POSTURES, type Posture } from './enums.js';
import { asObj, finite, integer, type Obj, oneOf, optFinite, str } from './fields.js';
import { guard, InvalidInput, type Result } from './result.js';

export interface Acb {
  readonly funding_rate: number | null;
  readonly dvol: number | null;
  readonly fear_greed: number | null;
  readonly taker_ratio: number | null;
}

export interface Esof {
  readonly score: number;
  readonly ts: number;
}

export interface Scan {
  readonly scan_number: number;
  readonly ts: number;
  readonly vel_div: number;
  readonly w50_velocity: number | null;
  readonly w150_velocity: number | null;
  readonly w300_velocity: number | null;
  readonly w750_velocity: number | null;
  /** Symbols in scan order; prices[i] belongs to symbols[i]. */
  readonly symbols: readonly string[];
  readonly prices: readonly number[];
  /** Imbalance per symbol in scan order of `ob_imbalance`. */
  readonly obSymbols: readonly string[];
  readonly obImbalance: readonly number[];
  readonly acb: Acb | null;
  readonly mc_status: McStatus | null;
  readonly esof: Esof | null;
  /** null: the scan carries none (a plane may fill it; decided as APEX, see `postureOf`). */
  readonly posture: Posture | null;
  readonly btc_ma99: number | null;
  readonly regime_label: string | null;
  readonly composite_hash: string | null;
}

const SYMBOL = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;
/** Symbols already checked (a universe is small and repeats every scan). */
const KNOWN_SYMBOLS = new Set<string>();

function symbolMap(v: unknown, field: string, inRange: (x: number) => boolean, why: string) {
  const o = asObj(v, field);
  const symbols: string[] = [];
  const values: number[] = [];
  for (const k in o) {
    if (!KNOWN_SYMBOLS.has(k)) {
      if (!SYMBOL.test(k)) throw new InvalidInput(`${field}.${k}: not a symbol`);
      if (KNOWN_SYMBOLS.size < 100_000) KNOWN_SYMBOLS.add(k);
    }
    const x = o[k];
    if (typeof x !== 'number' || !inRange(x)) {
      const f = `${field}.${k}`;
      finite(x, f);
      throw new InvalidInput(`${f}: ${why}`);
    }
    symbols.push(k);
    values.push(x);
  }
  return { symbols, values };
}

const isPrice = (p: number) => p > 0 && p < Number.POSITIVE_INFINITY;
const isImbalance = (v: number) => v >= -1 && v <= 1;

function optStr(v: unknown, field: string): string | null {
  return v === undefined || v === null ? null : str(v, field);
}

/** The `acb` field's rules (throws InvalidInput: call inside `guard`). */
export function parseAcb(v: unknown): Acb | null {
  if (v === undefined || v === null) return null;
  const o = asObj(v, 'acb');
  return {
    funding_rate: optFinite(o.funding_rate, 'acb.funding_rate'),
    dvol: optFinite(o.dvol, 'acb.dvol'),
    fear_greed: optFinite(o.fear_greed, 'acb.fear_greed'),
    taker_ratio: optFinite(o.taker_ratio, 'acb.taker_ratio'),
  };
}

/** The `esof` field's rules (throws InvalidInput: call inside `guard`). */
export function parseEsof(v: unknown): Esof | null {
  if (v === undefined || v === null) return null;
  const o = asObj(v, 'esof');
  const score = finite(o.score, 'esof.score');
  if (score < -1 || score > 1) throw new InvalidInput('esof.score: outside [-1, 1]');
  return { score, ts: integer(o.ts, 'esof.ts', 0) };
}

function build(raw: unknown): Scan {
  const o: Obj = asObj(raw, 'scan');
  const prices = symbolMap(o.prices ?? missing('prices'), 'prices', isPrice, 'price must be > 0');
  if (prices.symbols.length === 0)
    throw new InvalidInput('prices: empty (a scan needs a universe)');
  const ob =
    o.ob_imbalance === undefined || o.ob_imbalance === null
      ? { symbols: [], values: [] }
      : symbolMap(o.ob_imbalance, 'ob_imbalance', isImbalance, 'imbalance outside [-1, 1]');
  const btcMa99 = optFinite(o.btc_ma99, 'btc_ma99');
  if (btcMa99 !== null && !(btcMa99 > 0)) throw new InvalidInput('btc_ma99: must be > 0');
  return {
    scan_number: integer(o.scan_number, 'scan_number', 0),
    ts: integer(o.ts, 'ts', 0),
    vel_div: finite(o.vel_div, 'vel_div'),
    w50_velocity: optFinite(o.w50_velocity, 'w50_velocity'),
    w150_velocity: optFinite(o.w150_velocity, 'w150_velocity'),
    w300_velocity: optFinite(o.w300_velocity, 'w300_velocity'),
    w750_velocity: optFinite(o.w750_velocity, 'w750_velocity'),
    symbols: prices.symbols,
    prices: prices.values,
    obSymbols: ob.symbols,
    obImbalance: ob.values,
    acb: parseAcb(o.acb),
    mc_status:
      o.mc_status === undefined || o.mc_status === null
        ? null
        : oneOf(o.mc_status, 'mc_status', MC_STATUSES),
    esof: parseEsof(o.esof),
    posture:
      o.posture === undefined || o.posture === null ? null : oneOf(o.posture, 'posture', POSTURES),
    btc_ma99: btcMa99,
    regime_label: optStr(o.regime_label, 'regime_label'),
    composite_hash: optStr(o.composite_hash, 'composite_hash'),
  };
}

function missing(field: string): never {
  throw new InvalidInput(`${field}: missing`);
}

/** The posture decided under: the scan's own, APEX when it carries none (SPEC §2). */
export function postureOf(scan: Scan): Posture {
  return scan.posture ?? 'APEX';
}

/** Validates one decoded scan object. Unknown top-level fields are ignored (feeds carry more). */
export function parseScan(raw: unknown): Result<Scan> {
  return guard(() => build(raw));
}

/** Decodes and validates one JSON Lines record. */
export function parseScanLine(line: string): Result<Scan> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'json: not valid JSON' };
  }
  return parseScan(raw);
}
