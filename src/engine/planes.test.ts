import { describe, expect, it } from 'vitest';
import { ESOF, esofLane } from '../kernel/index.js';
import { NO_PLANES, type Planes, parsePlane, parseScan, type Scan } from '../model/index.js';
import { withPlanes } from './planes.js';

const TS = 1_781_000_000_000;

function scan(extra: Record<string, unknown> = {}): Scan {
  const r = parseScan({ scan_number: 1, ts: TS, vel_div: -0.03, prices: { BTCUSDT: 1 }, ...extra });
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

const planes: Planes = {
  esof: { score: 0.3, ts: TS - 1000 },
  acb: { funding_rate: -0.001, dvol: null, fear_greed: null, taker_ratio: null },
  mc_status: 'ORANGE',
  posture: 'STALKER',
};

describe('withPlanes (issue 6 §2)', () => {
  it('fills every plane a scan lacks', () => {
    const s = withPlanes(scan(), planes);
    expect([s.esof, s.acb, s.mc_status, s.posture]).toEqual([
      planes.esof,
      planes.acb,
      'ORANGE',
      'STALKER',
    ]);
  });

  it('keeps what the scan carries, the ACB plane whole', () => {
    const own = scan({
      esof: { score: -0.5, ts: TS },
      acb: { dvol: 90 },
      mc_status: 'GREEN',
      posture: 'APEX',
    });
    expect(withPlanes(own, planes)).toBe(own);
    const partial = withPlanes(scan({ acb: { dvol: 90 } }), planes);
    expect(partial.acb).toEqual({
      funding_rate: null,
      dvol: 90,
      fear_greed: null,
      taker_ratio: null,
    });
    expect(partial.posture).toBe('STALKER');
  });

  it('returns the scan itself when no plane is set', () => {
    const s = scan();
    expect(withPlanes(s, NO_PLANES)).toBe(s);
  });

  it('lets an EsoF plane value go stale by the lane rule at the scan ts', () => {
    const old = { ...planes, esof: { score: 0.3, ts: TS - ESOF.esof_max_age_ms - 1 } };
    const edge = { ...planes, esof: { score: 0.3, ts: TS - ESOF.esof_max_age_ms } };
    const lane = (p: Planes) => {
      const s = withPlanes(scan(), p);
      return esofLane(s.esof, s.ts, ESOF);
    };
    expect(lane(old)).toEqual({ score: 0.3, stale: true, mult: ESOF.esof_stale_fallback });
    expect(lane(edge)).toEqual({ score: 0.3, stale: false, mult: 1.0 });
  });
});

describe('parsePlane', () => {
  it('checks each value by its Scan field rules and refuses unknown fields', () => {
    expect(parsePlane('esof', { score: 0.3, ts: TS })).toEqual({
      ok: true,
      value: { score: 0.3, ts: TS },
    });
    expect(parsePlane('esof', { score: 2, ts: TS })).toEqual({
      ok: false,
      reason: 'esof.score: outside [-1, 1]',
    });
    expect(parsePlane('esof', { score: 0.1 })).toEqual({ ok: false, reason: 'esof.ts: missing' });
    expect(parsePlane('acb', { funding: 1 })).toEqual({
      ok: false,
      reason: 'acb.funding: unknown field',
    });
    expect(parsePlane('acb', { dvol: 'high' })).toEqual({
      ok: false,
      reason: 'acb.dvol: expected a number',
    });
    expect(parsePlane('mc_status', 'RED')).toEqual({ ok: true, value: 'RED' });
    expect(parsePlane('posture', 'SLEEPY')).toEqual({
      ok: false,
      reason: 'posture: expected one of APEX, STALKER, HIBERNATE',
    });
    expect(parsePlane('posture', null)).toEqual({ ok: false, reason: 'posture: missing' });
  });
});
