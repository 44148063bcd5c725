import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { python } from '../../test-support/cli.js';
import {
  compileBatch,
  compileFused,
  type Graph,
  type GraphNode,
  min2,
  type Num,
  num,
  profileGraph,
  type Vector,
  val,
  vectorsOf,
  verifyGraph,
} from './index.js';

// CI verifies a fresh seed every run and prints it, so a failure can be replayed.
const SEED = Number(process.env.VIOLET_VERIFY_SEED ?? randomInt(2 ** 31));
const SAMPLES = 40_000;

describe(`lane graph verifier (seed ${SEED})`, () => {
  for (const profile of ['orchestrator', 'v3-shadow'] as const) {
    it(`finds the ${profile} kernels bit-identical to the graph, every branch covered`, () => {
      process.stdout.write(`violet verify seed ${SEED}\n`);
      const r = verifyGraph(profileGraph(profile), { samples: SAMPLES, seed: SEED });
      expect(r.first).toEqual([]);
      expect(r.mismatches).toBe(0);
      expect(r.uncovered).toEqual([]);
    });
  }
});

/** The graph with one output of one node rewritten (the compiled side of a bug). */
function mutate(g: Graph, node: string, output: string, f: (e: Num) => Num): Graph {
  const nodes = g.nodes.map((n): GraphNode => {
    if (n.name !== node) return n;
    const e = n.outputs[output];
    if (e === undefined) throw new Error(`${node}.${output}: no such output`);
    return { ...n, outputs: { ...n.outputs, [output]: f(e) } };
  });
  return { ...g, nodes };
}

function caught(mutant: Graph, samples = 20_000): number {
  const g = profileGraph('orchestrator');
  return verifyGraph(g, {
    samples,
    seed: SEED,
    fused: compileFused(mutant),
    batch: compileBatch(mutant),
  }).mismatches;
}

type Any = Record<string, unknown>;
const field = (e: Num, k: string) => (e as unknown as Any)[k] as Num;
const withField = (e: Num, k: string, v: unknown): Num =>
  ({ ...(e as unknown as Any), [k]: v }) as unknown as Num;

describe('mutation suite: the verifier catches a wrong compiled kernel', () => {
  const g = profileGraph('orchestrator');
  it('a reordered product: base * (dc * regime * ob * esof)', () => {
    // ((((b*d)*r)*o)*e) → b*(((d*r)*o)*e)
    const m = mutate(g, 'product', 'raw', (e) => {
      let inner = e;
      const factors: Num[] = [];
      while (inner.op === '*') {
        factors.unshift(field(inner, 'b'));
        inner = field(inner, 'a');
      }
      const rest = factors
        .slice(1)
        .reduce((a, b) => withField(withField(inner, 'a', a), 'b', b), factors[0] as Num);
      return withField(withField(e, 'a', inner), 'b', rest);
    });
    expect(caught(m)).toBeGreaterThan(0);
  });
  it('`<` for `<=` in the DC confirm', () => {
    const m = mutate(g, 'dc', 'dc_status', function swap(e: Num): Num {
      const x = e as unknown as Any;
      const out: Any = { ...x };
      for (const k of ['a', 'b', 'c', 't', 'f'] as const) {
        const v = x[k] as Any | undefined;
        if (v !== undefined) out[k] = v.op === '<=' ? { ...v, op: '<' } : swap(v as unknown as Num);
      }
      return out as unknown as Num;
    });
    expect(caught(m)).toBeGreaterThan(0);
  });
  it('a dropped clamp: the haircut multiplier not floored at 0', () => {
    // sc_m = min2(max2(sc_mult, 0), 1) → min2(sc_mult, 1)
    const m = mutate(g, 'sc', 'sc_m', () => min2('clamp_high', val('sc_mult'), num(1.0)));
    expect(caught(m)).toBeGreaterThan(0);
  });
  it('a swapped operand: (p_then - p_now) / p_then', () => {
    const m = mutate(g, 'dc', 'dc_ret', (e) => {
      const d = field(e, 'a');
      return withField(e, 'a', withField(withField(d, 'a', field(d, 'b')), 'b', field(d, 'a')));
    });
    expect(caught(m)).toBeGreaterThan(0);
  });
  it('and an unmutated graph compiled again passes', () => {
    expect(caught(profileGraph('orchestrator'))).toBe(0);
  });
});

describe('emitted vectors through the CPython reference', () => {
  it('answer what the graph computed, for every op written', () => {
    const vectors: Vector[] = [];
    for (const profile of ['orchestrator', 'v3-shadow'] as const) {
      const g = profileGraph(profile);
      verifyGraph(g, {
        samples: 3_000,
        seed: SEED,
        onSample: (s) => vectors.push(...vectorsOf(g, s)),
      });
    }
    const ops = new Set(vectors.map((v) => (JSON.parse(v.line) as { op: string }).op));
    expect([...ops].sort()).toEqual([
      'compose',
      'esof_mult',
      'exchange_leverage',
      'regime_mult',
      'sc_haircut',
    ]);
    const py = python('conformance/reference.py', [], `${vectors.map((v) => v.line).join('\n')}\n`);
    expect(py.status).toBe(0);
    const answers = py.stdout.split('\n').filter((l) => l !== '');
    expect(answers.length).toBe(vectors.length);
    const diffs: string[] = [];
    vectors.forEach((v, i) => {
      const got = JSON.parse(answers[i] as string) as Record<string, unknown>;
      for (const [k, want] of Object.entries(v.expect)) {
        if (!Object.is(got[k], want))
          diffs.push(`${v.line}\n  ${k}: graph ${want} cpython ${got[k]}`);
      }
    });
    expect(diffs.slice(0, 5)).toEqual([]);
  });
});
