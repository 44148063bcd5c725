// The readable evaluator of a lane graph: walks each node's expressions in order, keeps
// every value (a tap on any node's output) and counts which arm of each branch it took.
import { pyRound, roundHalfEven } from '../rounding/index.js';
import type { Graph } from './graph.js';
import type { Bool, Num } from './ir.js';

/** CPython round(x) where finite; a non-finite value passes (an arm no decision takes). */
export function roundHalfEvenTotal(x: number): number {
  return Number.isFinite(x) ? roundHalfEven(x) : x;
}

/** x^n by n - 1 multiplications, left to right (SPEC §3.1). */
export function powByMultiplication(x: number, n: number): number {
  let p = x;
  for (let i = 1; i < n; i++) p = p * x;
  return p;
}

/** Branch counters: `node.label` → [times true, times false]. */
export type Coverage = Map<string, [number, number]>;

export class Interpreter {
  /** Every value of the last evaluation by name: the inputs and every node's outputs. */
  readonly taps = new Map<string, number>();
  private readonly params = new Map<string, number>();
  private node = '';
  private readonly counters = new Map<Num, [number, number]>();
  private readonly order: readonly (readonly [string, string, Num])[];

  constructor(
    readonly graph: Graph,
    readonly coverage: Coverage | null = null,
  ) {
    this.order = graph.nodes.flatMap((n) =>
      Object.entries(n.outputs).map(([name, e]) => [n.name, name, e] as const),
    );
  }

  /** Binds the parameter vector (graph.params order). */
  bind(params: ArrayLike<number>): this {
    this.graph.params.forEach((s, i) => {
      this.params.set(s.name, params[i] as number);
    });
    return this;
  }

  /** Evaluates one row of inputs (graph.inputs order); returns the outputs in order. */
  run(inputs: ArrayLike<number>, out: Float64Array = new Float64Array(this.graph.outputs.length)) {
    const t = this.taps;
    t.clear();
    this.graph.inputs.forEach((name, i) => {
      t.set(name, inputs[i] as number);
    });
    for (const [node, name, e] of this.order) {
      this.node = node;
      t.set(name, this.num(e));
    }
    this.graph.outputs.forEach((name, i) => {
      out[i] = t.get(name) as number;
    });
    return out;
  }

  private num(e: Num): number {
    switch (e.op) {
      case 'num':
        return e.v;
      case 'val':
        return this.taps.get(e.name) as number;
      case 'param':
        return this.params.get(e.name) as number;
      case '+':
        return this.num(e.a) + this.num(e.b);
      case '-':
        return this.num(e.a) - this.num(e.b);
      case '*':
        return this.num(e.a) * this.num(e.b);
      case '/':
        return this.num(e.a) / this.num(e.b);
      case 'neg':
        return -this.num(e.a);
      case 'if': {
        const c = this.bool(e.c);
        if (this.coverage !== null) {
          let k = this.counters.get(e);
          if (k === undefined) {
            const key = `${this.node}.${e.label}`;
            k = this.coverage.get(key) ?? [0, 0];
            this.coverage.set(key, k);
            this.counters.set(e, k);
          }
          k[c ? 0 : 1]++;
        }
        return c ? this.num(e.t) : this.num(e.f);
      }
      case 'powi':
        return powByMultiplication(this.num(e.a), this.num(e.n));
      case 'round':
        return pyRound(this.num(e.a), this.num(e.n));
      case 'rhe':
        return roundHalfEvenTotal(this.num(e.a));
      case 'b2n':
        return this.bool(e.c) ? 1 : 0;
    }
  }

  private bool(e: Bool): boolean {
    switch (e.op) {
      case '<':
        return this.num(e.a) < this.num(e.b);
      case '<=':
        return this.num(e.a) <= this.num(e.b);
      case '>':
        return this.num(e.a) > this.num(e.b);
      case '>=':
        return this.num(e.a) >= this.num(e.b);
      case '==':
        return this.num(e.a) === this.num(e.b);
      case 'and':
        return this.bool(e.a) && this.bool(e.b);
      case 'or':
        return this.bool(e.a) || this.bool(e.b);
      case 'not':
        return !this.bool(e.a);
      case 'absent':
        return Number.isNaN(this.num(e.a));
    }
  }
}
