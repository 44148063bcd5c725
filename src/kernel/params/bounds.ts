// The range of every kernel constant an engine config may set (issue 11: one home, read by
// the config loader and by the lane graph to come). `kernel eval` takes any value: it
// evaluates the formulas, it does not police them.
import { InvalidInput } from '../../model/index.js';

export interface Bound {
  readonly min: number;
  readonly max: number;
  /** The ends themselves are outside. */
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
  readonly integer?: boolean;
}

const positive = (max: number): Bound => ({ min: 0, minOpen: true, max });
const unit: Bound = { min: 0, max: 1 };
const DAY_MS = 86_400_000;

export type BoundGroup = Readonly<Record<string, Bound>>;

export const BOUNDS: Readonly<Record<string, BoundGroup>> = Object.freeze({
  sizer: {
    threshold: { min: -1, max: 0, maxOpen: true },
    extreme: { min: -1000, max: 0, maxOpen: true },
    convexity: { min: 1, max: 8, integer: true },
    min_leverage: positive(100),
    max_leverage: positive(100),
    base_fraction: positive(1),
  },
  clamp: {
    base_max_leverage: positive(100),
    abs_max_leverage: positive(100),
    stalker_cap: positive(100),
  },
  dc: {
    dc_lookback: { min: 1, max: 10_000, integer: true },
    dc_min_move: unit,
    dc_leverage_boost: positive(10),
  },
  regime: {
    acb_funding_below: { min: -1, max: 1 },
    acb_dvol_above: { min: 0, max: 1000 },
    acb_fear_greed_below: { min: 0, max: 100 },
    acb_taker_ratio_below: { min: 0, max: 10 },
    acb_boosts: positive(10),
    meta_gain: { min: 0, max: 1000 },
    meta_cap: { min: 0, max: 10 },
    mc_green: unit,
    mc_orange: unit,
    mc_red: unit,
  },
  ob: {
    ob_edge: unit,
    ob_agree_high: unit,
    ob_agree_low: unit,
    ob_max_mult: { min: 1, max: 10 },
    ob_min_mult: positive(1),
  },
  esof: {
    esof_neutral: unit,
    esof_unfav: unit,
    esof_stale_fallback: unit,
    esof_edge: unit,
    esof_max_age_ms: { min: 0, max: 30 * DAY_MS, integer: true },
  },
  sc: {
    sc_noop_epsilon: unit,
    sc_leverage_digits: { min: 0, max: 17, integer: true },
    sc_notional_digits: { min: 0, max: 17, integer: true },
  },
  selector: {
    irp_lookback: { min: 1, max: 10_000, integer: true },
    min_irp_alignment: unit,
  },
});

export function boundText(b: Bound): string {
  const kind = b.integer ? 'an integer' : 'a number';
  return `${kind} in ${b.minOpen ? '(' : '['}${b.min}, ${b.max}${b.maxOpen ? ')' : ']'}`;
}

export function withinBound(x: number, b: Bound): boolean {
  if (b.integer && !Number.isInteger(x)) return false;
  const aboveMin = b.minOpen ? x > b.min : x >= b.min;
  const belowMax = b.maxOpen ? x < b.max : x <= b.max;
  return aboveMin && belowMax;
}

/** Refuses a value of `group` outside its bound (each element of an array), naming it. */
export function checkBounds(group: string, values: object, where: string): void {
  const bounds = BOUNDS[group] ?? {};
  for (const [key, v] of Object.entries(values)) {
    const b = bounds[key];
    if (b === undefined) throw new Error(`no bound for ${group}.${key}`);
    const xs: unknown[] = Array.isArray(v) ? v : [v];
    xs.forEach((x, i) => {
      if (typeof x !== 'number' || !withinBound(x, b)) {
        const at = Array.isArray(v) ? `${where}${key}[${i}]` : `${where}${key}`;
        throw new InvalidInput(`${at}: ${JSON.stringify(x)} is outside ${boundText(b)}`);
      }
    });
  }
}
