import { describe, expect, it } from 'vitest';
import { DC, ESOF, OB, REGIME, SC } from '../params/index.js';
import { dcLane, esofLane, esofMult, LANES, obLane, regimeLane, scHaircut } from './index.js';

describe('DC lane', () => {
  it('confirms a SHORT when the asset fell by at least dc_min_move', () => {
    expect(dcLane(99.9, 100, 'SHORT', DC)).toMatchObject({ status: 'CONFIRM', mult: 1.25 });
    expect(dcLane(100.1, 100, 'SHORT', DC)).toMatchObject({ status: 'CONTRADICT', mult: 1.0 });
    expect(dcLane(100.01, 100, 'SHORT', DC)).toMatchObject({ status: 'NEUTRAL', mult: 1.0 });
    expect(dcLane(100, null, 'SHORT', DC)).toMatchObject({ status: 'NEUTRAL', mult: 1.0 });
  });
});

describe('regime lane', () => {
  it('counts ACB signals among present fields and multiplies acb × meta × mc in order', () => {
    const r = regimeLane(
      { funding_rate: -0.0002, dvol: 85, fear_greed: null, taker_ratio: 0.95 },
      -0.01,
      'ORANGE',
      REGIME,
    );
    expect(r.signals).toBe(2);
    expect(r.acbBoost).toBe(1.3);
    expect(r.metaBoost).toBe(1.05);
    expect(r.mcScale).toBe(0.75);
    expect(r.regimeMult).toBe(1.3 * 1.05 * 0.75);
  });
  it('caps meta_boost at 1.25 and never lets a rising w750 shrink it', () => {
    expect(regimeLane(null, -1, null, REGIME).metaBoost).toBe(1.25);
    expect(regimeLane(null, 0.3, null, REGIME).metaBoost).toBe(1.0);
    expect(regimeLane(null, null, 'RED', REGIME).regimeMult).toBe(0.5);
  });
});

describe('OB lane', () => {
  it('boosts a SHORT when the book leans to the ask across assets, up to 1.20', () => {
    expect(obLane([-0.1, -0.2, -0.15, -0.12], 'SHORT', OB).mult).toBeCloseTo(1.1425, 15);
    expect(obLane([-0.5, -0.6, -0.4], 'SHORT', OB).mult).toBe(1.2);
  });
  it('cuts when the book leans against, down to 0.85, and is neutral when mixed or empty', () => {
    expect(obLane([0.5, 0.6, 0.4], 'SHORT', OB).mult).toBe(0.85);
    expect(obLane([0.1, -0.1, 0.3, -0.3], 'SHORT', OB).mult).toBe(1.0);
    expect(obLane([], 'SHORT', OB).mult).toBe(1.0);
  });
});

describe('EsoF lane (seed §8 constants)', () => {
  it('maps score bands and staleness', () => {
    expect(esofMult(0.5, false, ESOF)).toBe(1.0);
    expect(esofMult(0.02, false, ESOF)).toBe(0.8);
    expect(esofMult(-0.021, false, ESOF)).toBe(0.3);
    expect(esofMult(0.5, true, ESOF)).toBe(0.4);
    expect(esofMult(null, false, ESOF)).toBe(0.4);
  });
  it('treats a score older than 900 s at the scan time as stale', () => {
    expect(esofLane({ score: 0.5, ts: 0 }, 900_000, ESOF).stale).toBe(false);
    expect(esofLane({ score: 0.5, ts: 0 }, 900_001, ESOF)).toMatchObject({
      stale: true,
      mult: 0.4,
    });
  });
});

describe('SC haircut', () => {
  it('is a no-op within 1e-9 of 1 and rounds like CPython otherwise', () => {
    expect(scHaircut(3.3, 1234.5, 1 - 1e-10, SC)).toEqual({ leverage: 3.3, notional: 1234.5 });
    expect(scHaircut(3.3, 1234.5, 0.7, SC)).toEqual({ leverage: 2.31, notional: 864.15 });
    expect(scHaircut(3.3, 1234.5, 1.7, SC)).toEqual({ leverage: 3.3, notional: 1234.5 });
    expect(scHaircut(3.3, 1234.5, -1, SC)).toEqual({ leverage: 0, notional: 0 });
  });
});

describe('lane registry', () => {
  it('declares inputs, params and outputs for every lane, params matching the constants', () => {
    expect(LANES.map((l) => l.name)).toEqual(['dc', 'regime', 'ob', 'esof', 'sc']);
    for (const l of LANES) {
      expect(l.inputs.length).toBeGreaterThan(0);
      expect(l.params.length).toBeGreaterThan(0);
      expect(l.fn.length).toBe(l.inputs.length + 1);
    }
  });
});
