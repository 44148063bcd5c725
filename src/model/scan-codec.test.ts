import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MC_STATUSES, POSTURES } from './enums.js';
import { parseScan, type Scan } from './scan.js';
import { ScanDecoder, ScanEncoder } from './scan-codec.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'USDCUSDT', 'X1USDT', 'ZECUSDT'];
const num = fc.double({ noNaN: true, noDefaultInfinity: true });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const unit = fc.double({ min: -1, max: 1, noNaN: true });
const count = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const universe = fc.subarray(SYMBOLS, { minLength: 1 });

/** Raw scan objects the checks accept: every field, present or absent, −0 and extremes included. */
const rawScan = fc.record(
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

const scanOf = (raw: unknown): Scan => {
  const r = parseScan(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

/** Equal field for field, numbers by their bits (Object.is tells −0 from 0). */
function sameScan(a: Scan, b: Scan): void {
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

describe('scans across a thread boundary (scan-codec)', () => {
  it('a batch of accepted and refused records decodes to exactly what was encoded, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(rawScan, fc.record({ reason: fc.string(), text: fc.string() })), {
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 7 }),
        (records, cut) => {
          const encoder = new ScanEncoder();
          const decoder = new ScanDecoder();
          const out = [];
          // Several batches, so universes numbered in one are recognised in the next.
          for (const [k, r] of records.entries()) {
            if ('reason' in r) {
              encoder.add(k + 1, r.text.length + 1, r.text, { ok: false, reason: r.reason });
            } else encoder.add(k + 1, 100 + k, `line ${k}`, { ok: true, value: scanOf(r) });
            if ((k + 1) % cut === 0) out.push(...decoder.decode(encoder.take()));
          }
          out.push(...decoder.decode(encoder.take()));
          expect(out.length).toBe(records.length);
          let highest = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < records.length; k++) {
            const r = records[k];
            const got = out[k];
            if (got === undefined || r === undefined) throw new Error('missing record');
            expect(got.seq).toBe(k + 1);
            if ('reason' in r) {
              expect(got.parsed).toEqual({ ok: false, reason: r.reason });
              expect(got.text).toBe(r.text);
              expect(got.size).toBe(r.text.length + 1);
            } else {
              expect(got.size).toBe(100 + k);
              if (!got.parsed.ok) throw new Error(got.parsed.reason);
              sameScan(scanOf(r), got.parsed.value);
              // The text travels with a scan the engine will refuse as out of order.
              expect(got.text).toBe(r.scan_number > highest ? '' : `line ${k}`);
              highest = Math.max(highest, r.scan_number);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('past 4,096 universes a universe travels inline: still exact, and the tables stop growing', () => {
    const encoder = new ScanEncoder();
    const decoder = new ScanDecoder();
    const scans = Array.from({ length: 4100 }, (_, k) =>
      scanOf({ scan_number: k, ts: k, vel_div: -0, prices: { [`S${k}USDT`]: 1 + k } }),
    );
    scans.forEach((s, k) => {
      encoder.add(k + 1, 1, '', { ok: true, value: s });
    });
    const batch = encoder.take();
    // 4,096 universes numbered (the empty order book's and 4,095 price ones); 5 inline.
    expect(batch.universes.length).toBe(4096);
    expect(batch.strs.length).toBe(4100 - 4095);
    const out = decoder.decode(batch);
    out.forEach((r, k) => {
      if (!r.parsed.ok) throw new Error(r.parsed.reason);
      sameScan(scans[k] as Scan, r.parsed.value);
    });
  });
});
