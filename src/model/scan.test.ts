import { describe, expect, it } from 'vitest';
import { parseScanLine, postureOf } from './scan.js';

const good = {
  scan_number: 7,
  ts: 1_750_000_000_000,
  vel_div: -0.031,
  prices: { BTCUSDT: 60000, ETHUSDT: 3000, USDCUSDT: 1 },
  ob_imbalance: { BTCUSDT: -0.2 },
  esof: { score: 0.1, ts: 1_750_000_000_000 },
  posture: 'STALKER',
};

const reason = (o: unknown) => {
  const r = parseScanLine(typeof o === 'string' ? o : JSON.stringify(o));
  return r.ok ? 'ok' : r.reason;
};

describe('Scan V-TYPE (SPEC §2)', () => {
  it('accepts a well-formed scan, keeping symbol order; an absent posture stays absent and decides as APEX', () => {
    const r = parseScanLine(JSON.stringify({ ...good, posture: undefined }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'USDCUSDT']);
      expect(r.value.posture).toBe(null);
      expect(postureOf(r.value)).toBe('APEX');
    }
  });

  it('rejects at source with a reason naming the field', () => {
    expect(reason('{"scan_number":')).toBe('json: not valid JSON');
    expect(reason({ ...good, vel_div: undefined })).toBe('vel_div: missing');
    expect(reason({ ...good, vel_div: 'x' })).toBe('vel_div: expected a number');
    expect(reason('{"scan_number":1,"ts":1,"vel_div":NaN,"prices":{}}')).toBe(
      'json: not valid JSON',
    );
    expect(reason({ ...good, prices: { BTCUSDT: -1 } })).toBe('prices.BTCUSDT: price must be > 0');
    expect(reason({ ...good, prices: {} })).toBe('prices: empty (a scan needs a universe)');
    expect(reason({ ...good, prices: { BTCUSDT: 0 } })).toBe('prices.BTCUSDT: price must be > 0');
    expect(reason({ ...good, prices: undefined })).toBe('prices: missing');
    expect(reason({ ...good, ob_imbalance: { BTCUSDT: 1.5 } })).toBe(
      'ob_imbalance.BTCUSDT: imbalance outside [-1, 1]',
    );
    expect(reason({ ...good, posture: 'SLEEPY' })).toBe(
      'posture: expected one of APEX, STALKER, HIBERNATE',
    );
    expect(reason({ ...good, scan_number: -1 })).toBe('scan_number: must be >= 0');
    expect(reason({ ...good, scan_number: 1.5 })).toBe('scan_number: expected an integer');
    expect(reason({ ...good, mc_status: 'BLUE' })).toBe(
      'mc_status: expected one of GREEN, ORANGE, RED',
    );
    expect(reason({ ...good, esof: { score: 2, ts: 1 } })).toBe('esof.score: outside [-1, 1]');
    expect(reason([1, 2])).toBe('scan: expected an object');
  });
});
