import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Acb, McStatus, Posture, Profile } from '../../model/index.js';
import { compose } from '../compose/index.js';
import { exchangeLeverage } from '../exchange/index.js';
import { dcLane, esofLane, obLane, regimeLane } from '../lanes/index.js';
import { CLAMP, DC, ESOF, OB, REGIME, SC, SIZER_BY_PROFILE } from '../params/index.js';
import {
  branchesOf,
  compileBatch,
  compileFused,
  dcStatusOf,
  defaultGraphParams,
  EXCHANGE_POLICY_CODE,
  fillInputs,
  type GraphNode,
  gt,
  Interpreter,
  mul,
  type mulAll,
  num,
  orNull,
  paramVector,
  productNode,
  profileGraph,
  profileNodes,
  reasonOf,
  sel,
  val,
} from './index.js';

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
const acb = fc.record({
  funding_rate: opt(fc.constantFrom(-0.0001, -0.0002, 0, 0.0003)),
  dvol: opt(fc.constantFrom(80, 80.0001, 50, 95)),
  fear_greed: opt(fc.constantFrom(25, 24.9, 10, 60)),
  taker_ratio: opt(fc.constantFrom(0.9, 0.89, 1.1)),
});
const world = fc.record({
  profile: fc.constantFrom<Profile>('orchestrator', 'v3-shadow'),
  policy: fc.constantFrom<'linear' | 'cubic' | 'flat'>('linear', 'cubic', 'flat'),
  cap: fc.integer({ min: 1, max: 10 }),
  convexity: fc.integer({ min: 1, max: 5 }),
  velDiv: fc.oneof(
    fc.double({ min: -0.1, max: 0.01, noNaN: true }),
    fc.constantFrom(-0.02, -0.020000000000000004, -0.05, -605, 0, -0),
  ),
  capital: fc.double({ min: 1, max: 1e6, noNaN: true }),
  posture: fc.constantFrom<Posture>('APEX', 'STALKER', 'HIBERNATE'),
  candidate: fc.boolean(),
  pThen: opt(fc.double({ min: 50, max: 150, noNaN: true })),
  move: fc.double({ min: -0.003, max: 0.003, noNaN: true }),
  acb: opt(acb),
  w750: opt(fc.double({ min: -0.1, max: 0.1, noNaN: true })),
  mc: opt(fc.constantFrom<McStatus>('GREEN', 'ORANGE', 'RED')),
  imbalances: fc.array(fc.double({ min: -0.6, max: 0.6, noNaN: true }), { maxLength: 6 }),
  esof: opt(
    fc.record({
      score: fc.oneof(
        fc.double({ min: -0.1, max: 0.1, noNaN: true }),
        fc.constantFrom(0.02, -0.02),
      ),
      age: fc.constantFrom(0, 899_999, 900_000, 900_001, 5_000_000),
    }),
  ),
  scMult: fc.oneof(
    fc.double({ min: -0.5, max: 1.5, noNaN: true }),
    fc.constantFrom(1, 1 - 1e-10, 0.7),
  ),
});

const WORDS = ['reason', 'actuated', 'dc_status', 'esof_stale'];
const bits = (x: number | null) => (x === null ? 'null' : Object.is(x, -0) ? '-0' : String(x));

describe('lane graph interpreter', () => {
  it('equals the readable lanes and composition bit for bit, every journaled value', () => {
    fc.assert(
      fc.property(world, (w) => {
        const sizer = { ...SIZER_BY_PROFILE[w.profile], convexity: w.convexity };
        const params = {
          ...defaultGraphParams(w.profile),
          sizer,
          exchange: { policy: EXCHANGE_POLICY_CODE[w.policy], cap: w.cap },
        };
        const g = profileGraph(w.profile, params);
        const pNow = w.pThen === null ? 100 : w.pThen * (1 + w.move);
        const regime = regimeLane(w.acb as Acb | null, w.w750, w.mc, REGIME);
        const ob = obLane(w.imbalances, 'SHORT', OB);
        const esof = esofLane(w.esof && { score: w.esof.score, ts: 0 }, w.esof?.age ?? 0, ESOF);
        const dc = w.candidate ? dcLane(pNow, w.pThen, 'SHORT', DC) : null;
        const dcMult = dc === null ? 1.0 : dc.mult;
        const scMult = w.profile === 'v3-shadow' ? esof.mult : w.scMult;
        const c = compose(
          {
            profile: w.profile,
            velDiv: w.velDiv,
            capital: w.capital,
            dcMult,
            regimeMult: regime.regimeMult,
            obMult: ob.mult,
            esofMult: esof.mult,
            scMult,
            posture: w.posture,
          },
          { sizer, clamp: CLAMP, sc: SC },
        );
        const actuated = w.candidate && c.actuated;
        const leverage = actuated ? c.leverage : null;
        const notional = actuated ? c.notional : null;
        const expected = {
          reason: w.candidate ? c.reason : 'NO_CANDIDATE',
          actuated,
          strength: c.strength,
          base_leverage: c.baseLeverage,
          dc_status: dc?.status ?? null,
          dc_mult: dcMult,
          acb_boost: regime.acbBoost,
          meta_boost: regime.metaBoost,
          mc_scale: regime.mcScale,
          regime_mult: regime.regimeMult,
          ob_mult: ob.mult,
          esof_stale: esof.stale,
          esof_mult: esof.mult,
          sc_mult: scMult,
          clamped_max: actuated ? c.clampedMax : null,
          leverage,
          fraction: actuated ? c.fraction : null,
          notional,
          notional_fraction: notional === null ? null : notional / w.capital,
          exchange_leverage: leverage === null ? null : exchangeLeverage(w.policy, leverage, w.cap),
        };
        const row = fillInputs(
          g,
          {
            velDiv: w.velDiv,
            capital: w.capital,
            posture: w.posture,
            candidate: w.candidate,
            pNow,
            pThen: w.pThen,
            acb: w.acb as Acb | null,
            w750Velocity: w.w750,
            mcStatus: w.mc,
            obEffImb: ob.effImb,
            obAgree: ob.agree,
            esofScore: esof.score,
            esofAgeMs: w.esof === null ? null : w.esof.age,
            scMult: w.scMult,
          },
          new Float64Array(g.inputs.length),
        );
        const out = new Interpreter(g).bind(paramVector(g, params)).run(row);
        const at = (name: string) => out[g.outputs.indexOf(name)] as number;
        const got = {
          ...Object.fromEntries(g.outputs.map((n) => [n, bits(orNull(at(n)))])),
          reason: reasonOf(at('reason')),
          actuated: at('actuated') === 1,
          dc_status: dcStatusOf(at('dc_status')),
          esof_stale: at('esof_stale') === 1,
        };
        const want = Object.fromEntries(
          Object.entries(expected).map(([k, v]) =>
            WORDS.includes(k) ? [k, v] : [k, bits(v as number | null)],
          ),
        );
        expect(got).toEqual(want);
      }),
      { numRuns: 4_000 },
    );
  });

  it('names every branch of every node once', () => {
    for (const profile of ['orchestrator', 'v3-shadow'] as const) {
      const b = branchesOf(profileGraph(profile));
      expect(new Set(b).size).toBe(b.length);
      expect(b).toContain('sizer.signal');
      expect(b).toContain('sc.clamp_high');
    }
  });
});

describe('lane graph compiler', () => {
  it('adds a lane as a node: a dummy lane reaches the product without touching the compiler', () => {
    const dummy: GraphNode = {
      name: 'dummy',
      inputs: ['vel_div'],
      params: [],
      outputs: { dummy_mult: sel('deep', gt(num(-0.04), val('vel_div')), num(0.5), num(1.0)) },
    };
    const product: GraphNode = {
      ...productNode,
      inputs: [...productNode.inputs, 'dummy_mult'],
      outputs: {
        raw: mul(productNode.outputs.raw as ReturnType<typeof mulAll>, val('dummy_mult')),
      },
    };
    const nodes = profileNodes('orchestrator').flatMap((n) =>
      n.name === 'esof' ? [n, dummy] : n.name === 'product' ? [product] : [n],
    );
    const g = profileGraph('orchestrator', defaultGraphParams('orchestrator'), nodes);
    const base = profileGraph('orchestrator');
    const P = paramVector(g, defaultGraphParams('orchestrator'));
    const fused = compileFused(g);
    const it = new Interpreter(g).bind(P);
    const plain = new Interpreter(base).bind(P);
    const row = Float64Array.from(g.inputs, (n) =>
      n === 'vel_div'
        ? -0.045
        : n === 'capital'
          ? 25_000
          : n === 'candidate'
            ? 1
            : n === 'sc_mult'
              ? 1
              : n === 'posture'
                ? 0
                : Number.NaN,
    );
    const out = new Float64Array(g.outputs.length);
    fused(row, 0, P, out, 0);
    const want = it.run(row);
    expect([...out]).toEqual([...want]);
    const lev = g.outputs.indexOf('leverage');
    expect(it.taps.get('dummy_mult')).toBe(0.5);
    expect(out[lev]).not.toBe(plain.run(row)[lev]);
    expect(compileBatch(g)).toBeTypeOf('function');
  });
});
