import { describe, expect, it } from 'vitest';
import { quantile as exactQuantile } from '../studies/quantile.js';
import { violet } from '../test-support/cli.js';
import { rankError, stream } from '../test-support/streams.js';

describe('violet distrack eval', () => {
  it('prints one JSON line with the estimates, within the t-digest bounds', async () => {
    const xs = stream('lognormal', 100_000, 5);
    const run = await violet(['distrack', 'eval'], `${Array.from(xs).join('\n')}\n`);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual(['sketch', 'n', 'bytes', 'quantiles']);
    expect(out.sketch).toBe('tdigest');
    expect(out.n).toBe(100_000);
    expect(out.bytes).toBeLessThanOrEqual(2048);
    const sorted = xs.slice().sort();
    expect(out.quantiles.map((e: { q: number }) => e.q)).toEqual([0.5, 0.99, 0.999]);
    for (const { q, value } of out.quantiles as { q: number; value: number }[]) {
      expect(rankError(sorted, q, value)).toBeLessThanOrEqual(5e-4);
    }
    // Same input, same output.
    const again = await violet(['distrack', 'eval'], `${Array.from(xs).join('\n')}\n`);
    expect(again.stdout).toBe(run.stdout);
  });

  it('p2 and reservoir: exact below five values and below the reservoir size', async () => {
    const input = '3\n-1\n\n2.5e0\n';
    for (const sketch of ['p2', 'reservoir']) {
      const run = await violet(['distrack', 'eval', '--sketch', sketch, '--q', '0.25,0.5'], input);
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout);
      expect(out.n).toBe(3);
      const sorted = Float64Array.of(-1, 2.5, 3);
      expect(out.quantiles).toEqual([
        { q: 0.25, value: exactQuantile(sorted, 0.25) },
        { q: 0.5, value: exactQuantile(sorted, 0.5) },
      ]);
    }
  });

  it('empty input: n 0, values null', async () => {
    const run = await violet(['distrack', 'eval', '--q', '0.5'], '');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ n: 0, quantiles: [{ q: 0.5, value: null }] });
  });

  it.each([
    ['NaN', '1\nNaN\n', 2],
    ['Infinity', '1\n2\n-Infinity\n', 3],
    ['an overflow to Infinity', '1e999\n', 1],
    ['junk', '1\n2\n3\n0x10\n', 4],
    ['two numbers on a line', '1 2\n', 1],
    ['binary bytes', '4\n\u0000\u0001\u00ff\n', 2],
  ])('refuses %s with the line number, one line, exit 2', async (_name, input, line) => {
    const run = await violet(['distrack', 'eval', '--sketch', 'p2'], input);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(`^violet: stdin line ${line}: .* is not a finite number\\n$`),
    );
  });

  it.each([
    [['--sketch', 'hdr']],
    [['--q', '1.5']],
    [['--q', '0.5,,0.9']],
    [['--sketch', 'p2', '--q', '0,0.5']],
  ])('refuses bad options %j with one line, exit 2', async (args) => {
    const run = await violet(['distrack', 'eval', ...args], '1\n');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('has --help', async () => {
    const run = await violet(['distrack', 'eval', '--help'], '');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/--sketch <name>.*tdigest.*p2.*reservoir/s);
  });
});
