import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compact, fixed, NONE, percent, significant } from './format.js';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 });

describe('fixed', () => {
  it('prints exactly `digits` decimals, and null as a dash', () => {
    expect(fixed(1234.5678, 2)).toBe('1234.57');
    expect(fixed(-0.004, 2)).toBe('-0.00');
    expect(fixed(-0, 2)).toBe('0.00');
    expect(fixed(3, 0)).toBe('3');
    expect(fixed(null, 2)).toBe(NONE);
  });

  it('property: the text parses back within half a unit of its last digit', () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: 0, max: 6 }), (x, d) => {
        const s = fixed(x, d);
        const decimals = s.includes('.') ? (s.split('.')[1] as string).length : 0;
        expect(decimals).toBe(d);
        expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(
          0.5 * 10 ** -d * (1 + 1e-9) + 1e-15 * Math.abs(x),
        );
      }),
    );
  });

  it('property: the sign of a non-zero rounding is the sign of the value', () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: 0, max: 6 }), (x, d) => {
        const s = fixed(x, d);
        if (Number(s) !== 0) expect(s.startsWith('-')).toBe(x < 0);
        expect(fixed(-x, d).replace(/^-/, '')).toBe(s.replace(/^-/, ''));
      }),
    );
  });
});

describe('percent', () => {
  it('a share as a percentage; one decimal unless told', () => {
    expect(percent(0.1234)).toBe('12.3%');
    expect(percent(0.1234, 2)).toBe('12.34%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(-0.5, 2)).toBe('-50.00%');
    expect(percent(null)).toBe(NONE);
    expect(percent(Number.NaN)).toBe('NaN%');
  });

  it('property: it is the share ×100 with a % sign, to its digits', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, min: -10, max: 10 }),
        fc.integer({ min: 0, max: 4 }),
        (x, d) => {
          const s = percent(x, d);
          expect(s.endsWith('%')).toBe(true);
          expect(Math.abs(Number(s.slice(0, -1)) - x * 100)).toBeLessThanOrEqual(
            0.5 * 10 ** -d + 1e-9,
          );
        },
      ),
    );
  });
});

describe('significant', () => {
  it('six significant digits, trailing zeros dropped; integers whole', () => {
    expect(significant(1 / 3)).toBe('0.333333');
    expect(significant(2.5)).toBe('2.5');
    expect(significant(123456789)).toBe('123456789');
    expect(significant(1234567.89)).toBe('1234570');
    expect(significant(1e-7)).toBe('1e-7');
    expect(significant(-0)).toBe('0');
    expect(significant(Number.NaN)).toBe('NaN');
    expect(significant(null)).toBe(NONE);
  });

  it('integers: rounded like any other number when told', () => {
    expect(significant(123456789, 8, { integers: 'rounded' })).toBe('123456790');
    expect(significant(0.123456789, 8, { integers: 'rounded' })).toBe('0.12345679');
  });

  it('property: 17 digits give the value back (round trip)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Number(significant(x, 17))).toBe(x === 0 ? 0 : x);
      }),
    );
  });

  it('property: at most `digits` significant digits, and the sign is the value’s', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
        fc.integer({ min: 1, max: 12 }),
        (x, d) => {
          const s = significant(x, d);
          const mantissa = s
            .replace(/^-/, '')
            .replace(/e.*$/, '')
            .replace('.', '')
            .replace(/^0+/, '')
            .replace(/0+$/, '');
          expect(mantissa.length).toBeLessThanOrEqual(d);
          expect(s.startsWith('-')).toBe(x < 0 && Number(s) !== 0);
          expect(significant(-x, d)).toBe(
            Number(s) === 0 ? s : s.startsWith('-') ? s.slice(1) : `-${s}`,
          );
        },
      ),
    );
  });
});

describe('compact', () => {
  it('integers as they are, others to two decimals', () => {
    expect(compact(12)).toBe('12');
    expect(compact(1e21)).toBe('1e+21');
    expect(compact(0.125)).toBe('0.13');
    expect(compact(-1.5, 1)).toBe('-1.5');
  });

  it('property: an integer reads back exactly, anything else within half a hundredth', () => {
    fc.assert(
      fc.property(finite, (x) => {
        const s = compact(x);
        if (Number.isInteger(x)) expect(Number(s)).toBe(x === 0 ? 0 : x);
        else
          expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(
            0.005 * (1 + 1e-9) + 1e-15 * Math.abs(x),
          );
      }),
    );
  });
});
