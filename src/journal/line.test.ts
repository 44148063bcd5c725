import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Column } from '../engine/rows.js';
import { RowLines } from './line.js';
import { TABLES } from './schema.js';

const value = (c: Column): fc.Arbitrary<unknown> => {
  const v =
    c.type === 'VARCHAR'
      ? fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('violet-1', 'a"b\\c', '\u2028'))
      : c.type === 'BOOLEAN'
        ? fc.boolean()
        : c.type === 'DOUBLE'
          ? fc.oneof(fc.double(), fc.constantFrom(-0, 0, 1, 0.1, Number.NaN, Number.MIN_VALUE))
          : fc.maxSafeInteger();
  const any = v as fc.Arbitrary<unknown>;
  return c.nullable ? fc.option(any, { nil: null }) : any;
};

describe('journal rows as spool lines (RowLines)', () => {
  for (const t of TABLES) {
    it(`${t.name}: each line is JSON.stringify of the row, repeats and changes alike`, () => {
      const row = fc
        .tuple(...t.columns.map(value))
        .map((vs) => Object.fromEntries(t.columns.map((c, i) => [c.name, vs[i]])));
      fc.assert(
        fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), fc.nat(), (rows, pick) => {
          const lines = new RowLines(t);
          // Repeat some rows and some single values, so the kept texts are used and replaced.
          const first = rows[0] as Record<string, unknown>;
          const mixed = rows.flatMap((r, k) => [r, k % 2 === 0 ? { ...r, ...first } : r]);
          for (const r of mixed) expect(lines.line(r)).toBe(JSON.stringify(r));
          const name = t.columns[pick % t.columns.length]?.name as string;
          const absent = { ...first, [name]: undefined };
          expect(lines.line(absent)).toBe(JSON.stringify(absent));
        }),
        { numRuns: 200 },
      );
    });
  }
});
