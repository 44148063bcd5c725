import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawScan, sameScan } from '../test-support/scans.js';
import { parseScanLine, type Scan } from './scan.js';
import { ScanTemplate } from './scan-template.js';

type Raw = Record<string, unknown>;

const bytes = (line: string) => Buffer.from(line, 'utf8');

function general(line: string): Scan {
  const r = parseScanLine(line);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

function learned(line: string): ScanTemplate {
  const t = new ScanTemplate();
  t.learn(line, general(line));
  return t;
}

const match = (t: ScanTemplate, line: string) => {
  const b = bytes(line);
  return t.match(b, 0, b.length);
};

/**
 * `b`'s values in `a`'s layout: a's fields in a's order, a's symbols (b's prices reused),
 * an order book of some of a's symbols in order, any acb and esof.
 */
function relayout(a: Raw, b: Raw, keep: boolean[]): Raw {
  const out: Raw = {};
  const values = (o: unknown) => Object.values(o as Record<string, number>);
  for (const key of Object.keys(a)) {
    if (key === 'prices') {
      const v = values(b.prices);
      out.prices = Object.fromEntries(
        Object.keys(a.prices as Raw).map((s, i) => [s, v[i % v.length]]),
      );
    } else if (key === 'ob_imbalance') {
      const book = a.ob_imbalance as Raw | null;
      const v =
        b.ob_imbalance === null || b.ob_imbalance === undefined ? [] : values(b.ob_imbalance);
      out.ob_imbalance =
        book === null
          ? null
          : Object.fromEntries(
              Object.keys(book)
                .filter((_, i) => keep[i % keep.length])
                .map((s, i) => [s, v.length === 0 ? 0.5 : v[i % v.length]]),
            );
    } else if (key === 'acb' || key === 'esof') out[key] = b[key] ?? null;
    else if (key === 'scan_number' || key === 'ts' || key === 'vel_div') out[key] = b[key];
    else out[key] = b[key] === undefined ? a[key] : b[key];
  }
  return out;
}

const STRINGS = ['mc_status', 'posture', 'regime_label', 'composite_hash'];
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const pairs = fc.tuple(rawScan, rawScan, fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }));

describe('the scan line fast path (scan-template)', () => {
  it('a line in a learned layout gives exactly the Scan of the general path', () => {
    fc.assert(
      fc.property(pairs, ([a, b, keep]) => {
        const t = learned(JSON.stringify(a));
        const raw = relayout(a, b, keep);
        const line = JSON.stringify(raw);
        const fast = match(t, line);
        // Strings with escapes or outside printable ASCII are the general path's alone.
        const plain = STRINGS.every((k) => typeof raw[k] !== 'string' || PLAIN.test(raw[k]));
        if (plain) expect(fast).not.toBeNull();
        if (fast !== null) sameScan(general(line), fast);
      }),
      { numRuns: 2000 },
    );
  });

  it('any line at all: declined, or exactly the Scan of the general path (which accepts it)', () => {
    const edits = fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat({ max: 3 }),
        fc.constantFrom(...'{}[],:"\\ -+.0123456789eEnul tx\u00e9\n'.split('')),
      ),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(pairs, edits, ([a, b, keep], changes) => {
        const t = learned(JSON.stringify(a));
        let line = JSON.stringify(relayout(a, b, keep));
        for (const [at, how, c] of changes) {
          const i = at % (line.length + 1);
          if (how === 0) line = line.slice(0, i) + c + line.slice(i);
          else if (how === 1) line = line.slice(0, i) + line.slice(i + 1);
          else if (how === 2) line = line.slice(0, i) + c + line.slice(i + 1);
          else line = line.slice(0, i);
        }
        const fast = match(t, line);
        if (fast !== null) sameScan(general(line), fast);
      }),
      { numRuns: 3000 },
    );
  });

  it('numbers convert as JSON.parse converts them, to the last bit (ties, long mantissas, −0, overflow)', () => {
    const digits = (min: number, max: number) =>
      fc
        .array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max })
        .map((d) => d.join(''));
    const literal = fc
      .tuple(
        fc.boolean(),
        fc.oneof(
          fc.constant('0'),
          fc.tuple(fc.integer({ min: 1, max: 9 }), digits(0, 22)).map(([h, t]) => `${h}${t}`),
        ),
        fc.option(digits(1, 30), { nil: null }),
        fc.option(
          fc.tuple(
            fc.constantFrom('e', 'E'),
            fc.constantFrom('', '+', '-'),
            fc.integer({ min: 0, max: 400 }),
          ),
          { nil: null },
        ),
      )
      .map(
        ([neg, int, frac, exp]) =>
          `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `${exp[0]}${exp[1]}${exp[2]}`}`,
      );
    const base = { scan_number: 1, ts: 2, vel_div: 0.5, prices: { BTCUSDT: 2.5 } };
    const t = learned(JSON.stringify(base));
    fc.assert(
      fc.property(literal, (x) => {
        const line = JSON.stringify(base).replace('"vel_div":0.5', `"vel_div":${x}`);
        const want = JSON.parse(x) as number;
        const fast = match(t, line);
        if (!Number.isFinite(want)) {
          expect(fast).toBeNull();
          expect(parseScanLine(line).ok).toBe(false);
          return;
        }
        expect(fast).not.toBeNull();
        expect(Object.is(fast?.vel_div, want)).toBe(true);
      }),
      { numRuns: 20000 },
    );
    // Decimal ties and the edges of the exact path.
    for (const x of [
      '0.1',
      '2.5e-324',
      '9007199254740993',
      '9007199254740992',
      '1e22',
      '1e23',
      '-0',
      '-0.0e-5',
      '123456789012345e-22',
      '4.35',
      '0.000001',
      '1.7976931348623157e308',
    ]) {
      const line = JSON.stringify(base).replace('"vel_div":0.5', `"vel_div":${x}`);
      expect(Object.is(match(t, line)?.vel_div, JSON.parse(x))).toBe(true);
    }
  });

  it('declines what its layout does not cover; the general path decides those', () => {
    const a = {
      scan_number: 1,
      ts: 2,
      vel_div: 0.5,
      prices: { BTCUSDT: 2.5, ETHUSDT: 3 },
      ob_imbalance: { BTCUSDT: 0.1, ETHUSDT: 0.2 },
    };
    const t = learned(JSON.stringify(a));
    const declined = [
      JSON.stringify({ ...a, extra: 1 }), // a field it does not know
      JSON.stringify(a).replace('"ts":2', '"ts":2,"ts":3'), // a field twice
      JSON.stringify(a).replace('"vel_div":', ' "vel_div":'), // other white space
      JSON.stringify({ ...a, prices: { ETHUSDT: 3, BTCUSDT: 2.5 } }), // other symbol order
      JSON.stringify(a).replace('"BTCUSDT":2.5', '"BTC\\u0055SDT":2.5'), // an escaped key
      JSON.stringify({ ...a, prices: { BTCUSDT: 0, ETHUSDT: 3 } }), // a price the checks refuse
      JSON.stringify({ ...a, ob_imbalance: { ETHUSDT: 0.2, BTCUSDT: 0.1 } }), // a book out of order
      JSON.stringify({ ...a, ob_imbalance: { BTCUSDT: 1.5, ETHUSDT: 0.2 } }), // out of [-1, 1]
      JSON.stringify({ ...a, scan_number: 1.5 }),
      JSON.stringify({ ...a, mc_status: 'BLUE' }),
      `${JSON.stringify(a)} `,
    ];
    for (const line of declined) expect(match(t, line), line).toBeNull();
    // A book lacking a symbol, and one that is null: still this layout.
    const lacking = JSON.stringify({ ...a, ob_imbalance: { ETHUSDT: 0.2 } });
    expect(match(t, lacking)?.obSymbols).toEqual(['ETHUSDT']);
    expect(match(t, JSON.stringify({ ...a, ob_imbalance: null }))?.obSymbols).toEqual([]);
    // Symbols the general path reads in another order than written (integer-like keys) make no layout.
    const numeric = JSON.stringify(a).replace(/"prices":\{[^}]*\}/, '"prices":{"B1":1,"7":2}');
    expect(general(numeric).symbols).toEqual(['7', 'B1']);
    const u = new ScanTemplate();
    u.learn(numeric, general(numeric));
    expect(match(u, numeric)).toBeNull();
  });
});
