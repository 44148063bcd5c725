// Scans for property tests: raw scan objects the checks accept (every field present or
// absent, −0 and extremes included), and equality down to the bits of every number.
import fc from 'fast-check';
import { expect } from 'vitest';
import { MC_STATUSES, POSTURES } from '../model/enums.js';
import { parseScan, type Scan } from '../model/scan.js';

export const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'USDCUSDT', 'X1USDT', 'ZECUSDT'];
const num = fc.double({ noNaN: true, noDefaultInfinity: true });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const unit = fc.double({ min: -1, max: 1, noNaN: true });
const count = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const universe = fc.subarray(SYMBOLS, { minLength: 1 });

/** Raw scan objects the checks accept: every field, present or absent, −0 and extremes included. */
export const rawScan = fc.record(
  {
    scan_number: count,
    ts: count,
    vel_div: num,
    w50_velocity: opt(num),
    w150_velocity: opt(num),
    w300_velocity: opt(num),
    w750_velocity: opt(num),
    prices: universe.chain((u) =>
      fc
        .tuple(...u.map(() => fc.double({ min: Number.MIN_VALUE, max: 1e300, noNaN: true })))
        .map((p) => Object.fromEntries(u.map((s, k) => [s, p[k]]))),
    ),
    ob_imbalance: opt(
      fc
        .subarray(SYMBOLS)
        .chain((u) =>
          fc.tuple(...u.map(() => unit)).map((v) => Object.fromEntries(u.map((s, k) => [s, v[k]]))),
        ),
    ),
    acb: opt(
      fc.record({
        funding_rate: opt(num),
        dvol: opt(num),
        fear_greed: opt(num),
        taker_ratio: opt(num),
      }),
    ),
    mc_status: opt(fc.constantFrom(...MC_STATUSES)),
    esof: opt(fc.record({ score: unit, ts: count })),
    posture: opt(fc.constantFrom(...POSTURES)),
    btc_ma99: opt(fc.double({ min: Number.MIN_VALUE, max: 1e300, noNaN: true })),
    regime_label: opt(fc.string()),
    composite_hash: opt(fc.string()),
  },
  { requiredKeys: ['scan_number', 'ts', 'vel_div', 'prices'] },
);

export const scanOf = (raw: unknown): Scan => {
  const r = parseScan(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

/** Equal field for field, numbers by their bits (Object.is tells −0 from 0). */
export function sameScan(a: Scan, b: Scan): void {
  expect(b).toEqual(a);
  const numbers = (s: Scan) => [
    s.scan_number,
    s.ts,
    s.vel_div,
    s.w50_velocity,
    s.w150_velocity,
    s.w300_velocity,
    s.w750_velocity,
    s.btc_ma99,
    ...s.prices,
    ...s.obImbalance,
    ...(s.acb === null ? [] : Object.values(s.acb)),
    ...(s.esof === null ? [] : [s.esof.score, s.esof.ts]),
  ];
  const x = numbers(a);
  const y = numbers(b);
  for (let k = 0; k < x.length; k++) expect(Object.is(x[k], y[k])).toBe(true);
}
