import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Posture, Profile } from '../model/index.js';
import { type ComposeInput, compose } from './compose/index.js';
import {
  CLAMP,
  SC,
  SIZER_BY_PROFILE,
  SIZER_ORCHESTRATOR,
  SIZER_V3_SHADOW,
  STABLECOIN_SYMBOLS,
} from './params/index.js';
import { size } from './sizer/index.js';

const velDiv = fc.oneof(
  fc.double({ min: -700, max: 1, noNaN: true }),
  fc.double({ min: -0.1, max: 0, noNaN: true }),
  fc.constantFrom(-0.02, -0.05, -605, -0.03375),
);
const mult = fc.oneof(
  fc.double({ min: 0, max: 3, noNaN: true }),
  fc.constantFrom(0, 1, 1 - 1e-9, 1 - 1e-10),
);
const posture = fc.constantFrom<Posture>('APEX', 'STALKER', 'HIBERNATE');
const profile = fc.constantFrom<Profile>('orchestrator', 'v3-shadow');

const input = fc.record({
  profile,
  velDiv,
  capital: fc.double({ min: 1, max: 1e7, noNaN: true }),
  dcMult: fc.constantFrom(1.0, 1.25),
  regimeMult: mult,
  obMult: fc.double({ min: 0.85, max: 1.2, noNaN: true }),
  esofMult: mult,
  scMult: mult,
  posture,
});

const run = (i: ComposeInput) =>
  compose(i, { sizer: SIZER_BY_PROFILE[i.profile], clamp: CLAMP, sc: SC });

describe('base sizer (SPEC §3.1)', () => {
  it('is non-increasing in vel_div and within [min_leverage, max_leverage]', () => {
    fc.assert(
      fc.property(velDiv, velDiv, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const sLo = size(lo, SIZER_V3_SHADOW);
        const sHi = size(hi, SIZER_V3_SHADOW);
        for (const s of [sLo, sHi]) {
          if (s === null) continue;
          expect(s.leverage).toBeGreaterThanOrEqual(0.5);
          expect(s.leverage).toBeLessThanOrEqual(9);
        }
        if (sHi !== null) {
          expect(sLo).not.toBeNull();
          expect((sLo as { leverage: number }).leverage).toBeGreaterThanOrEqual(sHi.leverage);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('reproduces the seed §9 median: conviction at vel_div -0.03375 with max 9 is about 1.318', () => {
    const s = size(-0.03375, SIZER_V3_SHADOW);
    expect(s?.leverage).toBeCloseTo(1.318, 3);
  });

  it('saturates spikes at max_leverage (seed §9: -605 saturates to 9)', () => {
    expect(size(-605, SIZER_V3_SHADOW)?.leverage).toBe(9);
    expect(size(-605, SIZER_ORCHESTRATOR)?.leverage).toBe(8);
  });

  it('fires only strictly below the threshold', () => {
    expect(size(-0.02, SIZER_V3_SHADOW)).toBeNull();
    expect(size(-0.020000000000000004, SIZER_V3_SHADOW)).not.toBeNull();
  });
});

describe('composition (SPEC §3.2)', () => {
  it('keeps orchestrator leverage within [min_leverage, abs_max] before the haircut', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = run({ ...i, profile: 'orchestrator', scMult: 1 });
        if (!r.actuated) return;
        expect(r.leverage).toBeGreaterThanOrEqual(SIZER_ORCHESTRATOR.min_leverage);
        expect(r.leverage).toBeLessThanOrEqual(CLAMP.abs_max_leverage);
      }),
      { numRuns: 20_000 },
    );
  });

  it('caps STALKER at stalker_cap unless the min_leverage floor lifts it', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = run({ ...i, profile: 'orchestrator', posture: 'STALKER' });
        if (!r.actuated) return;
        expect(r.leverage).toBeLessThanOrEqual(
          Math.max(CLAMP.stalker_cap, SIZER_ORCHESTRATOR.min_leverage),
        );
      }),
      { numRuns: 10_000 },
    );
  });

  it('never actuates under HIBERNATE, but still reports the base leverage', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = run({ ...i, posture: 'HIBERNATE' });
        expect(r.actuated).toBe(false);
        expect(r.leverage).toBeNull();
        expect(r.notional).toBeNull();
        expect(r.baseLeverage === null).toBe(!(i.velDiv < -0.02));
      }),
      { numRuns: 5_000 },
    );
  });

  it('keeps v3-shadow notional/capital at or under 1.80 and reaches it at saturation', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = run({ ...i, profile: 'v3-shadow' });
        if (!r.actuated) return;
        expect((r.notional as number) / i.capital).toBeLessThanOrEqual(1.8 * (1 + 1e-12));
      }),
      { numRuns: 20_000 },
    );
    for (const capital of [1, 10_000, 33_820, 69_673.37]) {
      const r = run({
        profile: 'v3-shadow',
        velDiv: -605,
        capital,
        dcMult: 1,
        regimeMult: 1,
        obMult: 1,
        esofMult: 1,
        scMult: 1,
        posture: 'APEX',
      });
      expect((r.notional as number) / capital).toBeCloseTo(1.8, 12);
    }
  });

  it('only haircuts: the SC multiplier never raises leverage or notional', () => {
    fc.assert(
      fc.property(input, (i) => {
        const full = run({ ...i, profile: 'orchestrator', scMult: 1 });
        const cut = run({ ...i, profile: 'orchestrator' });
        if (!full.actuated) return;
        expect(cut.leverage as number).toBeLessThanOrEqual(full.leverage as number);
        expect(cut.notional as number).toBeLessThanOrEqual(full.notional as number);
      }),
      { numRuns: 10_000 },
    );
  });

  it('never emits NaN or infinity for valid input', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = run(i);
        for (const v of [r.strength, r.baseLeverage, r.leverage, r.notional, r.clampedMax]) {
          if (v !== null) expect(Number.isFinite(v)).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('floors a zero multiplier at min_leverage: only HIBERNATE stops entries', () => {
    const r = run({
      profile: 'orchestrator',
      velDiv: -0.04,
      capital: 1000,
      dcMult: 1,
      regimeMult: 0,
      obMult: 1,
      esofMult: 1,
      scMult: 1,
      posture: 'APEX',
    });
    expect(r.actuated).toBe(true);
    expect(r.leverage).toBe(0.5);
    expect(r.notional).toBe(100);
  });
});

describe('stablecoin exclusion (seed §7, V3.1)', () => {
  it('is exactly the 10 pegged symbols BLUE removes', () => {
    expect([...STABLECOIN_SYMBOLS].sort()).toEqual([
      'AEURUSDT',
      'BUSDUSDT',
      'DAIUSDT',
      'EURUSDT',
      'FDUSDUSDT',
      'PYUSDUSDT',
      'TUSDUSDT',
      'USDCUSDT',
      'USDEUSDT',
      'USDPUSDT',
    ]);
    expect(new Set(STABLECOIN_SYMBOLS).size).toBe(10);
  });
});
