// The scanner's WebAssembly kernel: the committed bytes are what kernel.wat assembles to;
// each loop computes, bit for bit, what its text says in the order it says it (checked
// against the same arithmetic written out in plain TypeScript); the power iteration
// agrees with the full solver within its bound, and declines what it cannot vouch for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/cli.js';
import { lambdaMaxFull } from './eigen.js';
import { instantiateKernel } from './kernel.js';
import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';

const DIR = join(REPO, 'src', 'scanner');

/** A kernel with blocks of `np` and `np²` doubles laid out one after another. */
function setup(np: number) {
  const sizes = { s1: np, s2: np * np, r: np, o: np, inv: np, c: np * np, v: np, y: np };
  const at: Record<string, number> = {};
  let next = 0;
  for (const [name, size] of Object.entries(sizes)) {
    at[name] = next;
    next += size;
  }
  const k = instantiateKernel(next * 8);
  const f = new Float64Array(k.memory.buffer, 0, next);
  const view = (name: keyof typeof sizes) =>
    f.subarray(at[name] as number, (at[name] as number) + sizes[name]);
  const ptr = (name: keyof typeof sizes) => (at[name] as number) * 8;
  return { k: k.exports, view, ptr };
}

/** n assets' values padded to np with zeros (the padding the scanner keeps). */
function padded(values: readonly number[], np: number): Float64Array {
  const out = new Float64Array(np);
  out.set(values);
  return out;
}

// Returns as the scanner sees them: small, often tied, sometimes exactly 0 (an absent bar).
const ret = fc.oneof(
  fc.double({ min: -0.2, max: 0.2, noNaN: true }),
  fc.constantFrom(0, 0.001, -0.001, 1e-12),
);
const assets = fc.integer({ min: 1, max: 11 });

describe('scanner kernel (kernel.wat)', () => {
  it('is the committed module: kernel-wasm.ts is what kernel.wat assembles to', async () => {
    const gen = (await import(join(DIR, 'kernel-gen.mjs'))) as {
      assemble(source: string): Promise<Buffer>;
      render(bytes: Buffer): string;
    };
    const bytes = await gen.assemble(readFileSync(join(DIR, 'kernel.wat'), 'utf8'));
    expect(Buffer.from(KERNEL_WASM_BASE64, 'base64').equals(bytes)).toBe(true);
    expect(readFileSync(join(DIR, 'kernel-wasm.ts'), 'utf8')).toBe(gen.render(bytes));
  });

  it('slides and rebuilds the sums bit for bit as written', () => {
    fc.assert(
      fc.property(
        assets.chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.array(ret, { minLength: n, maxLength: n }), {
              minLength: 1,
              maxLength: 6,
            }),
            fc.array(ret, { minLength: n, maxLength: n }),
          ),
        ),
        ([n, rows, leaving]) => {
          const np = Math.max(4, Math.ceil(n / 4) * 4);
          const { k, view, ptr } = setup(np);
          const s1 = new Float64Array(np);
          const s2 = new Float64Array(np * np);
          for (const row of rows) {
            const r = padded(row, np);
            view('r').set(r);
            k.accumulate(ptr('s1'), ptr('s2'), ptr('r'), np);
            for (let a = 0; a < np; a++) {
              s1[a] = (s1[a] as number) + (r[a] as number);
              for (let b = a & ~3; b < np; b++) {
                s2[a * np + b] = (s2[a * np + b] as number) + (r[a] as number) * (r[b] as number);
              }
            }
          }
          const r = padded(rows[0] as number[], np);
          const o = padded(leaving, np);
          view('r').set(r);
          view('o').set(o);
          k.slide(ptr('s1'), ptr('s2'), ptr('r'), ptr('o'), np);
          for (let a = 0; a < np; a++) {
            const [ra, oa] = [r[a] as number, o[a] as number];
            s1[a] = (s1[a] as number) + ra - oa;
            for (let b = a & ~3; b < np; b++) {
              s2[a * np + b] =
                (s2[a * np + b] as number) + ra * (r[b] as number) - oa * (o[b] as number);
            }
          }
          expect(Array.from(view('s1'))).toEqual(Array.from(s1));
          expect(Array.from(view('s2'))).toEqual(Array.from(s2));
          // Padding stays zero; left of a row's diagonal block nothing is written; within
          // the diagonal blocks the sums are exactly symmetric.
          const out = view('s2');
          for (let a = 0; a < np; a++) {
            for (let b = 0; b < np; b++) {
              if (a >= n || b >= n || b < (a & ~3)) expect(out[a * np + b]).toBe(0);
              if (a >> 2 === b >> 2) expect(Object.is(out[a * np + b], out[b * np + a])).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('builds the correlation matrix and its squared norm bit for bit as written', () => {
    fc.assert(
      fc.property(
        assets.chain((n) =>
          fc.tuple(
            fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
            fc.array(fc.double({ min: 0, max: 10, noNaN: true }), {
              minLength: n * n,
              maxLength: n * n,
            }),
            fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 100, noNaN: true })), {
              minLength: n,
              maxLength: n,
            }),
            fc.integer({ min: 2, max: 1000 }),
          ),
        ),
        ([s1v, s2v, invv, w]) => {
          const n = s1v.length;
          const np = Math.max(4, Math.ceil(n / 4) * 4);
          const { k, view, ptr } = setup(np);
          const s2 = new Float64Array(np * np);
          for (let a = 0; a < n; a++) {
            for (let b = 0; b < n; b++)
              s2[a * np + b] = s2v[Math.min(a, b) * n + Math.max(a, b)] as number;
          }
          view('s1').set(padded(s1v, np));
          view('s2').set(s2);
          view('inv').set(padded(invv, np));
          const frob = k.build(ptr('s1'), ptr('s2'), ptr('inv'), ptr('c'), np, w);
          const s1 = view('s1');
          const inv = view('inv');
          const iw = 1 / w;
          // Squares of the diagonal blocks and of the blocks right of them, by lane.
          const diag = [0, 0, 0, 0];
          const off = [0, 0, 0, 0];
          for (let a = 0; a < np; a++) {
            for (let b = 0; b < np; b++) {
              const kept = b >= (a & ~3);
              const x =
                ((s2[a * np + b] as number) - (s1[a] as number) * (s1[b] as number) * iw) *
                ((inv[a] as number) * (inv[b] as number));
              expect(Object.is(view('c')[a * np + b], kept ? x : 0)).toBe(true);
              if (!kept) continue;
              const lanes = a >> 2 === b >> 2 ? diag : off;
              lanes[b % 4] = (lanes[b % 4] as number) + x * x;
            }
          }
          const sum = ([l0, l1, l2, l3]: number[]) =>
            (l0 as number) + (l2 as number) + ((l1 as number) + (l3 as number));
          expect(frob).toBe(sum(diag) + 2 * sum(off));
          // ‖c‖F² of the whole symmetric matrix, within rounding.
          let whole = 0;
          for (let a = 0; a < np; a++) {
            for (let b = 0; b < np; b++) {
              const x = view('c')[Math.min(a, b) * np + Math.max(a, b)] as number;
              whole += x * x;
            }
          }
          expect(Math.abs(frob - whole)).toBeLessThanOrEqual(1e-12 * whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds λmax within its bound of the full solver, or declines', () => {
    let vouched = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 14 }),
        fc.integer({ min: 3, max: 40 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, t, factor, seed) => {
          // Correlations of t returns of n assets sharing a factor (rank-deficient when t < n).
          let state = seed;
          const rand = () => {
            state = (Math.imul(state, 1_103_515_245) + 12_345) & 0x7fffffff;
            return state / 0x7fffffff - 0.5;
          };
          const x: number[][] = [];
          for (let i = 0; i < t; i++) {
            const m = rand();
            x.push(Array.from({ length: n }, (_, a) => factor * m * (1 + a / n) + rand()));
          }
          const c = new Float64Array(n * n);
          const mean = (a: number) => x.reduce((s, row) => s + (row[a] as number), 0) / t;
          const cov = (a: number, b: number) =>
            x.reduce(
              (s, row) => s + ((row[a] as number) - mean(a)) * ((row[b] as number) - mean(b)),
              0,
            );
          for (let a = 0; a < n; a++) {
            for (let b = 0; b < n; b++) c[a * n + b] = cov(a, b) / Math.sqrt(cov(a, a) * cov(b, b));
          }
          const np = Math.max(4, Math.ceil(n / 4) * 4);
          const { k, view, ptr } = setup(np);
          let frob = 0;
          for (let a = 0; a < n; a++) {
            for (let b = 0; b < n; b++) {
              // Left of a row's diagonal block: never read, so garbage there changes nothing.
              view('c')[a * np + b] = b < (a & ~3) ? Number.NaN : (c[a * n + b] as number);
              frob += (c[a * n + b] as number) ** 2;
            }
          }
          view('v').set(padded(Array(n).fill(1), np));
          const lambda = k.power(ptr('c'), ptr('v'), ptr('y'), np, frob, 1e-11, 200);
          const full = lambdaMaxFull(c, n);
          expect((k.iterations.value as number) >= 1).toBe(true);
          if (Number.isNaN(lambda)) {
            expect(k.iterations.value).toBe(200);
            return;
          }
          vouched++;
          expect(Math.abs(lambda - full)).toBeLessThanOrEqual(1e-9 * full);
          // The vector it leaves is a unit eigenvector: ‖cv − λv‖ small against λ.
          const v = view('v');
          let norm = 0;
          let res = 0;
          for (let a = 0; a < n; a++) {
            let s = 0;
            for (let b = 0; b < n; b++) s += (c[a * n + b] as number) * (v[b] as number);
            res += (s - lambda * (v[a] as number)) ** 2;
            norm += (v[a] as number) ** 2;
          }
          expect(Math.abs(norm - 1)).toBeLessThan(1e-12);
          expect(Math.sqrt(res)).toBeLessThan(1e-4 * lambda);
        },
      ),
      { numRuns: 300 },
    );
    // A weak or absent factor leaves no gap it can prove: those are declined.
    expect(vouched).toBeGreaterThan(100);
  });

  it('declines a zero start vector', () => {
    const { k, view, ptr } = setup(4);
    view('c').set([1, 0.5, 0, 0, 0.5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    view('v').fill(0);
    expect(k.power(ptr('c'), ptr('v'), ptr('y'), 4, 2.5, 1e-11, 200)).toBeNaN();
    view('v').set([1, 0, 0, 0]);
    const lambda = k.power(ptr('c'), ptr('v'), ptr('y'), 4, 2.5, 1e-11, 200);
    expect(Math.abs(lambda - 1.5)).toBeLessThanOrEqual(1e-11 * 1.5);
  });
});
