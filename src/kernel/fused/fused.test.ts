import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Posture, Profile } from '../../model/index.js';
import { compose } from '../compose/index.js';
import { CLAMP, SC, SIZER_BY_PROFILE } from '../params/index.js';
import { compileCompose, FUSED_WIDTH, POSTURE_CODE } from './index.js';

const nullable = (x: number) => (Number.isNaN(x) ? null : x);

const mult = fc.oneof(
  fc.double({ min: 0, max: 3, noNaN: true }),
  fc.constantFrom(0, 1, 1 - 1e-9, 1 - 1e-10, 0.3, 0.4, 0.8),
);

const binding = fc.record({
  profile: fc.constantFrom<Profile>('orchestrator', 'v3-shadow'),
  threshold: fc.constantFrom(-0.015, -0.02, -0.025),
  extreme: fc.constantFrom(-0.04, -0.05, -0.06),
  convexity: fc.integer({ min: 1, max: 5 }),
  maxLeverage: fc.integer({ min: 10, max: 20 }).map((k) => k / 2),
  baseMax: fc.constantFrom(8, 7.5),
  stalkerCap: fc.constantFrom(2, 1.5),
});

const scan = fc.record({
  velDiv: fc.oneof(
    fc.double({ min: -0.1, max: 0.01, noNaN: true }),
    fc.constantFrom(-0.02, -0.020000000000000004, -0.05, -605),
  ),
  capital: fc.double({ min: 1, max: 1e6, noNaN: true }),
  dcMult: fc.constantFrom(1, 1.25),
  regimeMult: mult,
  obMult: fc.double({ min: 0.85, max: 1.2, noNaN: true }),
  esofMult: mult,
  scMult: mult,
  posture: fc.constantFrom<Posture>('APEX', 'STALKER', 'HIBERNATE'),
});

describe('fused compose kernel', () => {
  it('is bit-identical to the readable composition over the joint input universe', () => {
    fc.assert(
      fc.property(binding, fc.array(scan, { minLength: 1, maxLength: 50 }), (b, scans) => {
        const params = {
          sizer: {
            ...SIZER_BY_PROFILE[b.profile],
            threshold: b.threshold,
            extreme: b.extreme,
            convexity: b.convexity,
            max_leverage: b.maxLeverage,
          },
          clamp: { ...CLAMP, base_max_leverage: b.baseMax, stalker_cap: b.stalkerCap },
          sc: SC,
        };
        const fused = compileCompose(b.profile, params);
        const out = new Float64Array(FUSED_WIDTH);
        for (const s of scans) {
          const r = compose({ profile: b.profile, ...s }, params);
          fused(
            s.velDiv,
            s.capital,
            s.dcMult,
            s.regimeMult,
            s.obMult,
            s.esofMult,
            s.scMult,
            POSTURE_CODE[s.posture],
            out,
            0,
          );
          expect(out[0] === 1).toBe(r.actuated);
          expect(Object.is(nullable(out[1] as number), r.baseLeverage)).toBe(true);
          expect(Object.is(nullable(out[2] as number), r.leverage)).toBe(true);
          expect(Object.is(nullable(out[3] as number), r.notional)).toBe(true);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
