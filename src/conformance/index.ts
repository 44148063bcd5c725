// `violet kernel eval`: the conformance protocol (issue 2). One JSON line in, one out,
// `id` echoed; outputs print as CPython's json.dumps would, so the bits can be compared.
import { dumps, dumpsEcho, PyInt, type PyValue } from '../common/pyjson/index.js';
import {
  CLAMP,
  CLAMP_KEYS,
  clampFrom,
  compose,
  DEFAULT_CUBIC_CAP,
  ESOF,
  esofMult,
  exchangeLeverage,
  OB,
  obLane,
  paramsObject,
  pyRound,
  REGIME,
  regimeLane,
  roundHalfEven,
  SC,
  SIZER_BY_PROFILE,
  SIZER_KEYS,
  SIZER_V3_SHADOW,
  scHaircut,
  size,
  sizerFrom,
} from '../kernel/index.js';
import {
  asObj,
  bool,
  DIRECTIONS,
  EXCHANGE_POLICIES,
  finite,
  InvalidInput,
  integer,
  isObj,
  MC_STATUSES,
  type Obj,
  oneOf,
  optFinite,
  POSTURES,
  PROFILES,
} from '../model/index.js';

type Out = Record<string, PyValue>;

function nullable<T>(v: unknown, read: (v: unknown) => T): T | null {
  return v === undefined || v === null ? null : read(v);
}

function imbalances(v: unknown): number[] {
  if (!Array.isArray(v)) throw new InvalidInput('imbalances: expected an array');
  return v.map((x, i) => {
    const y = finite(x, `imbalances[${i}]`);
    if (y < -1 || y > 1) throw new InvalidInput(`imbalances[${i}]: outside [-1, 1]`);
    return y;
  });
}

const OPS: Record<string, (o: Obj) => Out> = {
  py_round(o) {
    const x = finite(o.x, 'x');
    const n = integer(o.n, 'n');
    return { y: pyRound(x, n) };
  },
  round_half_even(o) {
    return { y: new PyInt(roundHalfEven(finite(o.x, 'x'))) };
  },
  size(o) {
    const p = sizerFrom(paramsObject(o.params, SIZER_KEYS), SIZER_V3_SHADOW);
    const s = size(finite(o.vel_div, 'vel_div'), p);
    return s === null
      ? { actuated: false, strength: null, leverage: null, fraction: null }
      : { actuated: true, strength: s.strength, leverage: s.leverage, fraction: s.fraction };
  },
  esof_mult(o) {
    const score = nullable(o.score, (v) => finite(v, 'score'));
    return { mult: esofMult(score, bool(o.stale, 'stale'), ESOF) };
  },
  sc_haircut(o) {
    const r = scHaircut(
      finite(o.leverage, 'leverage'),
      finite(o.notional, 'notional'),
      finite(o.mult, 'mult'),
      SC,
    );
    return { leverage: r.leverage, notional: r.notional };
  },
  exchange_leverage(o) {
    const policy = oneOf(o.policy, 'policy', EXCHANGE_POLICIES);
    const conviction = finite(o.conviction, 'conviction');
    const cap =
      o.cap === undefined && policy === 'cubic' ? DEFAULT_CUBIC_CAP : integer(o.cap, 'cap', 1);
    return { exchange_leverage: new PyInt(exchangeLeverage(policy, conviction, cap)) };
  },
  ob_mult(o) {
    const r = obLane(imbalances(o.imbalances), oneOf(o.direction, 'direction', DIRECTIONS), OB);
    return { mult: r.mult };
  },
  regime_mult(o) {
    const acb = asObj(o.acb ?? {}, 'acb');
    const r = regimeLane(
      {
        funding_rate: optFinite(acb.funding_rate, 'acb.funding_rate'),
        dvol: optFinite(acb.dvol, 'acb.dvol'),
        fear_greed: optFinite(acb.fear_greed, 'acb.fear_greed'),
        taker_ratio: optFinite(acb.taker_ratio, 'acb.taker_ratio'),
      },
      optFinite(o.w750_velocity, 'w750_velocity'),
      nullable(o.mc_status, (v) => oneOf(v, 'mc_status', MC_STATUSES)),
      REGIME,
    );
    return {
      acb_boost: r.acbBoost,
      meta_boost: r.metaBoost,
      mc_scale: r.mcScale,
      regime_mult: r.regimeMult,
    };
  },
  compose(o) {
    const profile = oneOf(o.profile, 'profile', PROFILES);
    const params = paramsObject(o.params, [...SIZER_KEYS, ...CLAMP_KEYS]);
    const r = compose(
      {
        profile,
        velDiv: finite(o.vel_div, 'vel_div'),
        capital: finite(o.capital, 'capital'),
        dcMult: finite(o.dc_mult, 'dc_mult'),
        regimeMult: finite(o.regime_mult, 'regime_mult'),
        obMult: finite(o.ob_mult, 'ob_mult'),
        esofMult: finite(o.esof_mult, 'esof_mult'),
        scMult: optFinite(o.sc_mult, 'sc_mult') ?? 1.0,
        posture: oneOf(o.posture, 'posture', POSTURES),
      },
      {
        sizer: sizerFrom(params, SIZER_BY_PROFILE[profile]),
        clamp: clampFrom(params, CLAMP),
        sc: SC,
      },
    );
    return {
      actuated: r.actuated,
      base_leverage: r.baseLeverage,
      leverage: r.leverage,
      notional: r.notional,
    };
  },
};

export const KERNEL_OPS: readonly string[] = Object.keys(OPS);

function errorLine(id: unknown, message: string): string {
  return `{"id":${dumpsEcho(id ?? null)},"error":${dumps(message)}}`;
}

/** Evaluates one input line; never throws for bad input. */
export function evalLine(line: string): string {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return errorLine(null, 'invalid json');
  }
  if (!isObj(req)) return errorLine(null, 'not an object');
  const id = req.id ?? null;
  const op = typeof req.op === 'string' ? OPS[req.op] : undefined;
  if (op === undefined) return errorLine(id, `op: expected one of ${KERNEL_OPS.join(', ')}`);
  let out: Out;
  try {
    out = op(req);
  } catch (e) {
    if (e instanceof InvalidInput || e instanceof RangeError) return errorLine(id, e.message);
    throw e;
  }
  for (const v of Object.values(out)) {
    if (typeof v === 'number' && !Number.isFinite(v)) return errorLine(id, 'non-finite result');
  }
  return `{"id":${dumpsEcho(id)},${dumps(out).slice(1)}`;
}
