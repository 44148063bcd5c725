// Adversarial conformance vectors (issue 2): decimal ties, boundaries and their float
// neighbours, spikes, and the joint multiplier universe of the composition (seed §8b).
import { nextDown, nextUp } from '../common/float.js';
import { Rng } from '../common/rng/index.js';

type Vector = Record<string, unknown>;

const around = (x: number) => [nextDown(nextDown(x)), nextDown(x), x, nextUp(x), nextUp(nextUp(x))];

const MULTS = [0, 1, 1 - 1e-9, 1 - 1e-10, 1 - 2e-9, 1e-9, 0.3, 0.4, 0.65, 0.8, 0.9, 0.999999999];

function pyRoundVector(r: Rng): Vector {
  switch (r.int(0, 5)) {
    case 0: // m/128 and m/2^k ties
      return { x: r.int(-4096, 4096) / 2 ** r.int(1, 12), n: r.int(0, 12) };
    case 1: // decimal-looking values whose binary value sits just off a tie
      return {
        x: r.int(-99999, 99999) / 10 ** r.int(1, 6) + r.pick([0, 0.5e-6, 5e-7]),
        n: r.int(0, 8),
      };
    case 2: // the haircut's own shapes
      return { x: r.uniform(0, 9) * r.pick(MULTS.concat([r.next()])), n: r.pick([6, 12]) };
    case 3:
      return { x: r.uniform(0, 20000) * r.next(), n: 12 };
    case 4: // wide exponents and digit counts, negative n
      return { x: (r.next() - 0.5) * 10 ** r.int(-20, 25), n: r.int(-25, 30) };
    default:
      return {
        x: r.pick([0.0078125, 2.675, 0.5, 1.5, 2.5, -0.5, 1e-7, 5e-324, 1.7e308, -0.0]),
        n: r.int(-3, 330),
      };
  }
}

function roundHalfEvenVector(r: Rng): Vector {
  switch (r.int(0, 3)) {
    case 0:
      return { x: r.int(-1000, 1000) + 0.5 };
    case 1:
      return { x: r.pick(around(r.int(-50, 50) + 0.5)) };
    case 2:
      return {
        x: r.pick([2 ** 52 + 0.5 * r.int(0, 1), 2 ** 53 + 2 * r.int(0, 9), 1e300, -4.5e17]),
      };
    default:
      return { x: r.uniform(-20, 20) };
  }
}

function velDiv(r: Rng): number {
  switch (r.int(0, 5)) {
    case 0:
      return r.pick(around(-0.02));
    case 1:
      return r.pick(around(-0.05));
    case 2:
      return r.pick([-605, -600, -0.03375, -1e-300, 0, 0.02, -0.035]);
    case 3:
      return -0.02 - 0.1 * r.next() ** 2;
    case 4:
      return -600 * r.next() ** 8;
    default:
      return r.uniform(-0.1, 0.05);
  }
}

function sizerParams(r: Rng): Vector | undefined {
  if (!r.chance(0.25)) return undefined;
  return {
    max_leverage: 5 + 0.5 * r.int(0, 10),
    convexity: r.int(1, 5),
    threshold: r.pick([-0.015, -0.02, -0.025]),
    extreme: r.pick([-0.04, -0.05, -0.06]),
  };
}

function compose(r: Rng): Vector {
  const mult = () => (r.chance(0.5) ? r.pick(MULTS) : r.uniform(0, 1.6));
  const v: Vector = {
    profile: r.pick(['orchestrator', 'v3-shadow']),
    vel_div: velDiv(r),
    capital: r.pick([10000, 33820, 69673.5, r.uniform(100, 200000)]),
    dc_mult: r.pick([1.0, 1.25]),
    regime_mult: r.chance(0.3) ? r.pick([0.5, 0.75, 1.0, 1.6 * 1.25, 1.45 * 1.1 * 0.75]) : mult(),
    ob_mult: r.pick([1.0, 0.85, 1.2, r.uniform(0.85, 1.2)]),
    esof_mult: r.pick([1.0, 0.8, 0.3, 0.4, 0, mult()]),
    sc_mult: r.pick([1.0, 0.65, 0.8, 0.9, 0.3, mult()]),
    posture: r.pick(['APEX', 'APEX', 'STALKER', 'HIBERNATE']),
  };
  const p = sizerParams(r);
  if (p !== undefined) v.params = p;
  return v;
}

function exchange(r: Rng): Vector {
  const policy = r.pick(['linear', 'cubic', 'flat']);
  const cap = r.int(1, 10);
  // Convictions that land x exactly on .5 for linear: c = 0.5 + 8.5 * (k + 0.5) / (cap - 1).
  const tie = cap > 1 ? 0.5 + (8.5 * (r.int(0, cap - 2) + 0.5)) / (cap - 1) : 4.75;
  const conviction = r.pick([tie, nextUp(tie), nextDown(tie), r.uniform(0, 10), 0.5, 9, -1, 605]);
  return { policy, conviction, cap };
}

function ob(r: Rng): Vector {
  const n = r.int(0, 40);
  const bias = r.pick([0, 0.08, -0.08, 0.1, -0.1, 0.3, -0.3]);
  const spread = r.pick([0, 0.01, 0.1, 0.5]);
  const imbalances = Array.from({ length: n }, () =>
    Math.max(-1, Math.min(1, bias + spread * r.normal())),
  );
  return { imbalances, direction: r.chance(0.85) ? 'SHORT' : 'LONG' };
}

function regime(r: Rng): Vector {
  const acb: Vector = {};
  if (r.chance(0.6)) acb.funding_rate = r.pick([...around(-0.0001), r.uniform(-0.001, 0.001)]);
  if (r.chance(0.6)) acb.dvol = r.pick([...around(80), r.uniform(30, 120)]);
  if (r.chance(0.6)) acb.fear_greed = r.pick([...around(25), r.uniform(0, 100)]);
  if (r.chance(0.6)) acb.taker_ratio = r.pick([...around(0.9), r.uniform(0.5, 1.5)]);
  return {
    acb,
    w750_velocity: r.chance(0.2) ? null : r.pick([...around(-0.05), 0, r.uniform(-0.2, 0.2)]),
    mc_status: r.pick([null, 'GREEN', 'ORANGE', 'RED']),
  };
}

function esof(r: Rng): Vector {
  return {
    score: r.chance(0.1) ? null : r.pick([...around(0.02), ...around(-0.02), r.uniform(-1, 1)]),
    stale: r.chance(0.2),
  };
}

function haircut(r: Rng): Vector {
  const lev = r.chance(0.5) ? 0.5 + 8.5 * r.next() ** 3 : r.uniform(0, 9);
  return {
    leverage: lev,
    notional: r.uniform(100, 100000) * 0.2 * lev,
    mult: r.pick([...MULTS, r.uniform(-0.5, 1.5), r.next()]),
  };
}

const GENERATORS: readonly [string, number, (r: Rng) => Vector][] = [
  ['py_round', 20, pyRoundVector],
  ['round_half_even', 8, roundHalfEvenVector],
  [
    'size',
    12,
    (r) => ({ vel_div: velDiv(r), ...(r.chance(0.3) ? { params: sizerParams(r) ?? {} } : {}) }),
  ],
  ['esof_mult', 5, esof],
  ['sc_haircut', 12, haircut],
  ['exchange_leverage', 8, exchange],
  ['ob_mult', 8, ob],
  ['regime_mult', 7, regime],
  ['compose', 20, compose],
];

/** `count` vectors as JSON Lines text, the same for the same seed. */
export function generateVectors(count: number, seed: number): string {
  const r = new Rng(seed);
  const total = GENERATORS.reduce((s, g) => s + g[1], 0);
  const lines: string[] = [];
  for (let id = 0; id < count; id++) {
    let w = r.next() * total;
    let gen = GENERATORS[0] as (typeof GENERATORS)[number];
    for (const g of GENERATORS) {
      gen = g;
      w -= g[1];
      if (w < 0) break;
    }
    lines.push(JSON.stringify({ id, op: gen[0], ...gen[2](r) }));
  }
  return `${lines.join('\n')}\n`;
}
