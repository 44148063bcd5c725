// Engine configuration: every default in one place, unknown fields refused, and a
// deterministic hash of what decides (journaled with every decision).
import { createHash } from 'node:crypto';
import {
  CLAMP,
  type ClampParams,
  checkBounds,
  DC,
  type DcParams,
  ESOF,
  type EsofParams,
  OB,
  type ObParams,
  REGIME,
  type RegimeParams,
  SC,
  type ScParams,
  SELECTOR,
  type SelectorParams,
  SIZER_BY_PROFILE,
  type SizerParams,
  sizerFrom,
} from '../kernel/index.js';
import {
  asObj,
  EXCHANGE_POLICIES,
  type ExchangePolicy,
  finite,
  guard,
  InvalidInput,
  integer,
  type Obj,
  oneOf,
  PLANE_KEYS,
  type PlaneKey,
  PROFILES,
  type Profile,
  type Result,
  rejectUnknown,
  str,
} from '../model/index.js';
import { ACTIONS, type CadenceAction, parseQuantum, type Quantum } from './cadence.js';
import { EXITS, type ExitParams } from './exits.js';
import { CAPS, type Caps, EXECUTION, type ExecutionParams } from './rules/index.js';

export interface KernelBinding {
  readonly sizer: SizerParams;
  readonly clamp: ClampParams;
  readonly dc: DcParams;
  readonly regime: RegimeParams;
  readonly ob: ObParams;
  readonly esof: EsofParams;
  readonly sc: ScParams;
  readonly selector: SelectorParams;
}

export interface EngineConfig {
  readonly instance_id: string;
  readonly profile: Profile;
  /** Capital the shadow engine sizes against (USDT). */
  readonly capital: number;
  /** SC haircut multiplier under the orchestrator profile (v3-shadow uses esof_mult). */
  readonly sc_mult: number;
  readonly exchange: { readonly policy: ExchangePolicy; readonly cap: number };
  readonly kernel: KernelBinding;
  readonly cadence: Readonly<Record<CadenceAction, Quantum>>;
  /** Mock exchange (backtest only; shadow never trades). */
  readonly execution: ExecutionParams;
  readonly exits: ExitParams;
  /** Live feed: a plane from the bucket older than this (wall ms since written) is absent. */
  readonly planes: { readonly max_age_ms: Readonly<Record<PlaneKey, number | null>> };
  /**
   * Execution on a venue: `mainnet` must be true for `violet live --venue bingx` (real money);
   * `reconcile`, what an armed start does with what the venue holds (SPEC §8).
   */
  readonly venue: {
    readonly mainnet: boolean;
    readonly reconcile: ReconcilePolicy;
    /**
     * The protective stop's distance above the entry price (a fraction; null: none), resting
     * on the venue while a position is open (default twice `exits.stop_loss`): beyond it, so the exit rules act
     * first and the venue's stop only when the engine cannot (killed, cut off) or on a gap.
     */
    readonly protective_stop: number | null;
  };
}

/**
 * Staleness limits of the bucket's planes. EsoF: none here (its own `ts` meets the lane's
 * 900-s rule at the scan's ts); ACB and MC: 15 min; posture: none (it holds until changed).
 */
export const PLANE_MAX_AGE_MS: Readonly<Record<PlaneKey, number | null>> = Object.freeze({
  esof: null,
  acb: 900_000,
  mc_status: 900_000,
  posture: null,
});

function planesFrom(v: unknown): EngineConfig['planes'] {
  if (v === undefined) return { max_age_ms: PLANE_MAX_AGE_MS };
  const o = asObj(v, 'planes');
  rejectUnknown(o, ['max_age_ms'], 'planes.');
  const ages = o.max_age_ms === undefined ? {} : asObj(o.max_age_ms, 'planes.max_age_ms');
  rejectUnknown(ages, PLANE_KEYS, 'planes.max_age_ms.');
  const out: Record<PlaneKey, number | null> = { ...PLANE_MAX_AGE_MS };
  for (const k of PLANE_KEYS) {
    const a = ages[k];
    if (a === undefined) continue;
    out[k] = a === null ? null : integer(a, `planes.max_age_ms.${k}`, 1);
  }
  return { max_age_ms: out };
}

export const DEFAULT_CADENCE: Readonly<Record<CadenceAction, Quantum>> = Object.freeze({
  decide: { every_scans: 1 },
  'exit-check': { every_scans: 1 },
  'journal-flush': { every_scans: 2000 },
  'stats-snapshot': { every_scans: 720 },
  report: { every_ms: 3_600_000 },
});

export const DEFAULTS = Object.freeze({
  instance_id: 'violet-1',
  profile: 'orchestrator' as Profile,
  capital: 25_000,
  sc_mult: 1.0,
  // PINK/VIOLET's max-3x cubic translator (seed §2).
  exchange: Object.freeze({ policy: 'cubic' as ExchangePolicy, cap: 3 }),
});

function overrides<T extends object>(v: unknown, defaults: T, where: string): T {
  if (v === undefined) return defaults;
  const o = asObj(v, where);
  rejectUnknown(o, Object.keys(defaults), `${where}.`);
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, x] of Object.entries(o)) {
    const d = (defaults as Record<string, unknown>)[k];
    if (Array.isArray(d)) {
      if (!Array.isArray(x) || x.length !== d.length) {
        throw new InvalidInput(`${where}.${k}: expected ${d.length} numbers`);
      }
      out[k] = x.map((y, i) => finite(y, `${where}.${k}[${i}]`));
    } else out[k] = finite(x, `${where}.${k}`);
  }
  return out as T;
}

/** The SC haircut multiplier: a haircut only, in [0, 1]; absent means 1 (null is refused). */
function scMultFrom(v: unknown): number {
  if (v === undefined) return DEFAULTS.sc_mult;
  const x = finite(v, 'sc_mult');
  if (!(x >= 0 && x <= 1)) throw new InvalidInput(`sc_mult: ${x} is outside [0, 1]`);
  return x;
}

const KERNEL_KEYS = ['sizer', 'clamp', 'dc', 'regime', 'ob', 'esof', 'sc', 'selector'];

function kernelFrom(v: unknown, profile: Profile): KernelBinding {
  const o: Obj = v === undefined ? {} : asObj(v, 'kernel');
  rejectUnknown(o, KERNEL_KEYS, 'kernel.');
  const sizerObj = o.sizer === undefined ? {} : asObj(o.sizer, 'kernel.sizer');
  rejectUnknown(sizerObj, Object.keys(SIZER_BY_PROFILE[profile]), 'kernel.sizer.');
  const k: KernelBinding = {
    sizer: sizerFrom(sizerObj, SIZER_BY_PROFILE[profile], 'kernel.sizer.'),
    clamp: overrides(o.clamp, CLAMP, 'kernel.clamp'),
    dc: overrides(o.dc, DC, 'kernel.dc'),
    regime: overrides(o.regime, REGIME, 'kernel.regime'),
    ob: overrides(o.ob, OB, 'kernel.ob'),
    esof: overrides(o.esof, ESOF, 'kernel.esof'),
    sc: overrides(o.sc, SC, 'kernel.sc'),
    selector: overrides(o.selector, SELECTOR, 'kernel.selector'),
  };
  for (const [group, values] of Object.entries(k)) checkBounds(group, values, `kernel.${group}.`);
  if (!(k.sizer.min_leverage <= k.sizer.max_leverage)) {
    throw new InvalidInput('kernel.sizer.min_leverage: must be <= max_leverage');
  }
  if (!(k.clamp.base_max_leverage <= k.clamp.abs_max_leverage)) {
    throw new InvalidInput('kernel.clamp.base_max_leverage: must be <= abs_max_leverage');
  }
  return k;
}

function cadenceFrom(v: unknown): Record<CadenceAction, Quantum> {
  const out = { ...DEFAULT_CADENCE };
  if (v === undefined) return out;
  const o = asObj(v, 'cadence');
  rejectUnknown(o, ACTIONS, 'cadence.');
  for (const a of ACTIONS) if (o[a] !== undefined) out[a] = parseQuantum(o[a], `cadence.${a}`);
  return out;
}

const TOP_KEYS = [
  'instance_id',
  'profile',
  'capital',
  'sc_mult',
  'exchange',
  'kernel',
  'cadence',
  'execution',
  'exits',
  'planes',
  'venue',
];

function executionFrom(v: unknown): ExecutionParams {
  if (v === undefined) return EXECUTION;
  const o = asObj(v, 'execution');
  rejectUnknown(o, Object.keys(EXECUTION), 'execution.');
  const { entry_order, maker_on_timeout, caps, ...numbers } = o;
  const { caps: _, ...numeric } = EXECUTION;
  const x = overrides(numbers, numeric, 'execution');
  integer(x.maker_timeout_scans, 'execution.maker_timeout_scans', 1);
  integer(x.funding_interval_ms, 'execution.funding_interval_ms', 1);
  return {
    ...x,
    entry_order: oneOf(entry_order ?? EXECUTION.entry_order, 'execution.entry_order', [
      'taker',
      'maker',
    ] as const),
    maker_on_timeout: oneOf(
      maker_on_timeout ?? EXECUTION.maker_on_timeout,
      'execution.maker_on_timeout',
      ['cancel', 'taker'] as const,
    ),
    caps: capsFrom(caps),
  };
}

/**
 * Reconciliation at an armed start: `known`, a position this instance's journal holds open
 * (`adopt`: the session takes it over; `halt`: refuse to start); `unknown`, a position or an
 * order the journal does not account for (`flatten`: closed reduce-only, orders cancelled;
 * `halt`: refuse to start). While running, a difference always disarms.
 */
export interface ReconcilePolicy {
  readonly known: 'adopt' | 'halt';
  readonly unknown: 'flatten' | 'halt';
}

export const RECONCILE_DEFAULT: ReconcilePolicy = { known: 'adopt', unknown: 'halt' };

function reconcileFrom(v: unknown): ReconcilePolicy {
  if (v === undefined) return RECONCILE_DEFAULT;
  const o = asObj(v, 'venue.reconcile');
  rejectUnknown(o, ['known', 'unknown'], 'venue.reconcile.');
  const known = o.known ?? RECONCILE_DEFAULT.known;
  if (known !== 'adopt' && known !== 'halt')
    throw new InvalidInput('venue.reconcile.known: expected "adopt" or "halt"');
  const unknown = o.unknown ?? RECONCILE_DEFAULT.unknown;
  if (unknown !== 'flatten' && unknown !== 'halt')
    throw new InvalidInput('venue.reconcile.unknown: expected "flatten" or "halt"');
  return { known, unknown };
}

function venueFrom(v: unknown, stopLoss: number): EngineConfig['venue'] {
  const o = v === undefined ? {} : asObj(v, 'venue');
  rejectUnknown(o, ['mainnet', 'reconcile', 'protective_stop'], 'venue.');
  const mainnet = o.mainnet ?? false;
  if (typeof mainnet !== 'boolean') throw new InvalidInput('venue.mainnet: expected true or false');
  // By default twice the stop loss: the venue's stop sits well behind the exit rules' own.
  let stop: number | null = Math.min(2 * stopLoss, (1 + stopLoss) / 2);
  if (o.protective_stop !== undefined) {
    stop = o.protective_stop === null ? null : finite(o.protective_stop, 'venue.protective_stop');
  }
  if (stop !== null && !(stop > stopLoss && stop < 1)) {
    throw new InvalidInput(
      `venue.protective_stop: must lie above exits.stop_loss (${stopLoss}) and below 1, or be null`,
    );
  }
  return { mainnet, reconcile: reconcileFrom(o.reconcile), protective_stop: stop };
}

function capsFrom(v: unknown): Caps {
  if (v === undefined) return CAPS;
  const o = asObj(v, 'execution.caps');
  rejectUnknown(o, Object.keys(CAPS), 'execution.caps.');
  const maxNotional = o.max_notional ?? CAPS.max_notional;
  if (maxNotional !== null && !(finite(maxNotional, 'execution.caps.max_notional') > 0)) {
    throw new InvalidInput('execution.caps.max_notional: must be > 0 (or null: none)');
  }
  const symbols = o.symbols ?? CAPS.symbols;
  if (symbols !== null) {
    if (!Array.isArray(symbols) || symbols.length === 0) {
      throw new InvalidInput(
        'execution.caps.symbols: a non-empty list of scan symbols (or null: all)',
      );
    }
    for (const [i, s] of symbols.entries()) str(s, `execution.caps.symbols[${i}]`);
  }
  const positiveOrNull = (key: 'daily_loss_limit' | 'max_orders_per_minute', whole: boolean) => {
    const v = o[key] ?? CAPS[key];
    if (v === null) return null;
    const n = whole ? integer(v, `execution.caps.${key}`, 1) : finite(v, `execution.caps.${key}`);
    if (!(n > 0)) throw new InvalidInput(`execution.caps.${key}: must be > 0 (or null: none)`);
    return n;
  };
  return {
    max_notional: maxNotional as number | null,
    max_exchange_leverage: integer(
      o.max_exchange_leverage ?? CAPS.max_exchange_leverage,
      'execution.caps.max_exchange_leverage',
      1,
    ),
    symbols: symbols === null ? null : [...new Set(symbols as string[])].sort(),
    daily_loss_limit: positiveOrNull('daily_loss_limit', false),
    max_orders_per_minute: positiveOrNull('max_orders_per_minute', true),
  };
}

/** Builds a config from a decoded JSON object (a config file), CLI overrides applied on top. */
export function parseConfig(
  raw: unknown,
  cli: Partial<{ instance_id: string; profile: string }> = {},
): Result<EngineConfig> {
  return guard(() => {
    const o = asObj(raw ?? {}, 'config');
    rejectUnknown(o, TOP_KEYS, '');
    const profile = oneOf(cli.profile ?? o.profile ?? DEFAULTS.profile, 'profile', PROFILES);
    const instance = str(cli.instance_id ?? o.instance_id ?? DEFAULTS.instance_id, 'instance_id');
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(instance)) {
      throw new InvalidInput('instance_id: 1-64 of A-Z a-z 0-9 . _ -');
    }
    const capital = o.capital === undefined ? DEFAULTS.capital : finite(o.capital, 'capital');
    if (!(capital > 0)) throw new InvalidInput('capital: must be > 0');
    const ex = o.exchange === undefined ? {} : asObj(o.exchange, 'exchange');
    rejectUnknown(ex, ['policy', 'cap'], 'exchange.');
    const exits = overrides(o.exits, EXITS, 'exits');
    return {
      instance_id: instance,
      profile,
      capital,
      sc_mult: scMultFrom(o.sc_mult),
      exchange: {
        policy: oneOf(ex.policy ?? DEFAULTS.exchange.policy, 'exchange.policy', EXCHANGE_POLICIES),
        cap: integer(ex.cap ?? DEFAULTS.exchange.cap, 'exchange.cap', 1),
      },
      kernel: kernelFrom(o.kernel, profile),
      cadence: cadenceFrom(o.cadence),
      execution: executionFrom(o.execution),
      exits,
      planes: planesFrom(o.planes),
      venue: venueFrom(o.venue, exits.stop_loss),
    };
  });
}

/**
 * A hash of what shapes the journal's rows (sha256, 16 hex digits): everything but the
 * instance name, the venue's mainnet switch and the bookkeeping quanta (journal-flush,
 * stats-snapshot, report), which change no row.
 */
export function configHash(c: EngineConfig): string {
  const { instance_id: _, venue: __, cadence, ...rest } = c;
  const decisive = {
    ...rest,
    cadence: { decide: cadence.decide, 'exit-check': cadence['exit-check'] },
  };
  return createHash('sha256').update(JSON.stringify(decisive)).digest('hex').slice(0, 16);
}
