import { describe, expect, it } from 'vitest';
import { python, violet } from '../test-support/cli.js';
import { generateVectors } from './vectors.js';

const SEED = Number(process.env.VIOLET_CONFORMANCE_SEED ?? 20260615);
const COUNT = 120_000;

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe('kernel eval conformance against the CPython oracle', () => {
  it(`matches CPython bit for bit on ${COUNT} adversarial vectors (seed ${SEED})`, async () => {
    const vectors = generateVectors(COUNT, SEED);
    const ts = await violet(['kernel', 'eval'], vectors);
    const py = python('conformance/reference.py', [], vectors);
    expect(ts.status).toBe(0);
    expect(py.status).toBe(0);
    const ours = lines(ts.stdout);
    const theirs = lines(py.stdout);
    const inputs = lines(vectors);
    expect(ours.length).toBe(COUNT);
    expect(theirs.length).toBe(COUNT);
    const diffs: string[] = [];
    let errors = 0;
    for (let i = 0; i < COUNT; i++) {
      const a = ours[i] as string;
      const b = theirs[i] as string;
      const bothErr = a.includes('"error"') && b.includes('"error"');
      if (bothErr) errors++;
      if (a !== b && !bothErr) diffs.push(`${inputs[i]}\n  violet : ${a}\n  cpython: ${b}`);
    }
    expect(diffs.slice(0, 5).join('\n')).toBe('');
    expect(diffs.length).toBe(0);
    // Vectors are meant to be valid: errors would hide real comparisons.
    expect(errors).toBeLessThan(COUNT / 1000);
  });

  it('hits the cases the issue names', () => {
    const ops = lines(generateVectors(COUNT, SEED)).map((l) => JSON.parse(l));
    const has = (pred: (o: Record<string, unknown>) => boolean) => ops.some(pred);
    expect(has((o) => o.op === 'py_round' && o.x === 0.0078125 && o.n === 6)).toBe(true);
    expect(has((o) => o.op === 'size' && o.vel_div === -0.02)).toBe(true);
    expect(has((o) => o.op === 'size' && o.vel_div === -0.020000000000000004)).toBe(true);
    expect(has((o) => o.op === 'size' && o.vel_div === -0.019999999999999997)).toBe(true);
    expect(has((o) => o.op === 'compose' && o.vel_div === -605)).toBe(true);
    expect(has((o) => o.op === 'sc_haircut' && o.mult === 1 - 1e-10)).toBe(true);
    expect(has((o) => o.op === 'sc_haircut' && o.mult === 1 - 1e-9)).toBe(true);
    expect(has((o) => o.op === 'round_half_even' && (o.x as number) % 1 === 0.5)).toBe(true);
  });

  it('answers a bad line with an error and goes on', async () => {
    const input = [
      '{"id":1,"op":"py_round","x":0.0078125,"n":6}',
      'not json',
      '{"id":"b","op":"size"}',
      '{"id":3,"op":"nope"}',
      '{"id":4,"op":"size","vel_div":-0.03375,"params":{"max_leverage":9,"bogus":1}}',
      '{"id":5,"op":"round_half_even","x":2.5}',
    ].join('\n');
    const out = lines((await violet(['kernel', 'eval'], input)).stdout).map((l) => JSON.parse(l));
    expect(out).toHaveLength(6);
    expect(out[0]).toEqual({ id: 1, y: 0.007812 });
    expect(out[1]).toEqual({ id: null, error: 'invalid json' });
    expect(out[2].error).toMatch(/vel_div: missing/);
    expect(out[3].error).toMatch(/^op:/);
    expect(out[4].error).toMatch(/params\.bogus: unknown field/);
    expect(out[5]).toEqual({ id: 5, y: 2 });
  });
});
