import { describe, expect, it } from 'vitest';
import { python } from '../../test-support/cli.js';
import { Rng } from '../rng/index.js';
import { dumps, PyInt, pyFloatRepr } from './index.js';

describe('CPython-compatible JSON', () => {
  it('prints floats exactly as CPython repr does', () => {
    const r = new Rng(11);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    const xs: number[] = [
      0, -0, 1, 1e16, 1e15, 1e-4, 1e-5, 123456789.125, 5e-324, 1.7976931348623157e308,
    ];
    for (let i = 0; i < 3000; i++) {
      u[0] = r.u32();
      u[1] = r.u32();
      const x = f[0] as number;
      if (Number.isFinite(x)) xs.push(x);
      xs.push(r.uniform(-1e6, 1e6), r.next() * 10 ** r.int(-20, 20));
    }
    const script = 'import sys\nfor l in sys.stdin: print(repr(float(l)))';
    const res = python(
      '-c',
      [script],
      `${xs.map((x) => (Object.is(x, -0) ? '-0.0' : String(x))).join('\n')}\n`,
    );
    expect(res.stderr).toBe('');
    expect(xs.map(pyFloatRepr).join('\n')).toBe(res.stdout.trimEnd());
  });

  it('keeps ints as ints, big ones exactly, and escapes like ensure_ascii', () => {
    expect(dumps({ a: new PyInt(2 ** 60), b: 2, c: 'é\u007f' })).toBe(
      '{"a":1152921504606846976,"b":2.0,"c":"\\u00e9\\u007f"}',
    );
  });
});
