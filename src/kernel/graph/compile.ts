// The lane graph compiler (SPEC §6, seed §8c): one fused scalar function and one batch
// kernel over columns, generated from the graph's expressions in their exact float order.
// Every node output is a local; a branch is a select; a subexpression used twice in one
// output is computed once (pure, so the bits cannot change). Parameters come from a vector
// or, bound at compile time, as literals.
import { pyRound } from '../rounding/index.js';
import type { Graph } from './graph.js';
import { powByMultiplication, roundHalfEvenTotal } from './interpret.js';
import type { Bool, Num } from './ir.js';

/** One evaluation: inputs at I[i0..], params P, outputs written at O[o0..] (graph order). */
export type FusedKernel = (
  I: ArrayLike<number>,
  i0: number,
  P: ArrayLike<number>,
  O: Float64Array,
  o0: number,
) => void;

/** n evaluations over columns: one Float64Array per input and per output (graph order). */
export type BatchKernel = (
  C: readonly Float64Array[],
  P: ArrayLike<number>,
  OUT: readonly Float64Array[],
  n: number,
) => void;

export interface CompileOptions {
  /** Parameters folded in as literals (the kernel then ignores P). */
  readonly bind?: ArrayLike<number>;
}

const NAME = /^[a-z][a-z0-9_]*$/;

function lit(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (Object.is(x, -0)) return '(-0)';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '(-Infinity)';
  return `(${String(x)})`;
}

const id = (name: string, kind: 'v' | 'p'): string => {
  if (!NAME.test(name)) throw new Error(`not a graph name: ${name}`);
  return `${kind}_${name}`;
};

const atomic = (e: Num): boolean => e.op === 'num' || e.op === 'val' || e.op === 'param';

function count(e: Num | Bool, seen: Map<string, number>): void {
  const key = JSON.stringify(e);
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if ((seen.get(key) as number) > 1) return;
  switch (e.op) {
    case 'num':
    case 'val':
    case 'param':
      return;
    case 'neg':
    case 'rhe':
    case 'not':
    case 'absent':
      count(e.a, seen);
      return;
    case 'b2n':
      count(e.c, seen);
      return;
    case 'if':
      count(e.c, seen);
      count(e.t, seen);
      count(e.f, seen);
      return;
    case 'powi':
    case 'round':
      count(e.a, seen);
      count(e.n, seen);
      return;
    default:
      count(e.a, seen);
      count(e.b, seen);
  }
}

class Emitter {
  private temps = 0;
  readonly lines: string[] = [];
  private shared = new Map<string, number>();
  private named = new Map<string, string>();

  constructor(private readonly bound: Map<string, number> | null) {}

  output(name: string, e: Num): void {
    this.shared = new Map();
    this.named = new Map();
    count(e, this.shared);
    this.lines.push(`const ${id(name, 'v')} = ${this.num(e)};`);
  }

  private share(e: Num, text: string): string {
    const key = JSON.stringify(e);
    if (atomic(e) || (this.shared.get(key) ?? 0) < 2) return text;
    const known = this.named.get(key);
    if (known !== undefined) return known;
    const t = `t${this.temps++}`;
    this.lines.push(`const ${t} = ${text};`);
    this.named.set(key, t);
    return t;
  }

  private num(e: Num): string {
    const known = this.named.get(JSON.stringify(e));
    if (known !== undefined) return known;
    return this.share(e, this.text(e));
  }

  private text(e: Num): string {
    switch (e.op) {
      case 'num':
        return lit(e.v);
      case 'val':
        return id(e.name, 'v');
      case 'param':
        return this.bound?.has(e.name) ? lit(this.bound.get(e.name) as number) : id(e.name, 'p');
      case '+':
      case '-':
      case '*':
      case '/':
        return `(${this.num(e.a)} ${e.op} ${this.num(e.b)})`;
      case 'neg':
        return `(-${this.num(e.a)})`;
      case 'if':
        return `(${this.bool(e.c)} ? ${this.num(e.t)} : ${this.num(e.f)})`;
      case 'powi': {
        const n =
          e.n.op === 'num' ? e.n.v : e.n.op === 'param' ? this.bound?.get(e.n.name) : undefined;
        if (n !== undefined && Number.isInteger(n) && n >= 1 && n <= 16) {
          const a = this.num(e.a);
          let s = a;
          for (let i = 1; i < n; i++) s = `(${s} * ${a})`;
          return s;
        }
        return `powi(${this.num(e.a)}, ${this.num(e.n)})`;
      }
      case 'round':
        return `pyRound(${this.num(e.a)}, ${this.num(e.n)})`;
      case 'rhe':
        return `rhe(${this.num(e.a)})`;
      case 'b2n':
        return `(${this.bool(e.c)} ? 1 : 0)`;
    }
  }

  private bool(e: Bool): string {
    switch (e.op) {
      case '<':
      case '<=':
      case '>':
      case '>=':
        return `(${this.num(e.a)} ${e.op} ${this.num(e.b)})`;
      case '==':
        return `(${this.num(e.a)} === ${this.num(e.b)})`;
      case 'and':
        return `(${this.bool(e.a)} && ${this.bool(e.b)})`;
      case 'or':
        return `(${this.bool(e.a)} || ${this.bool(e.b)})`;
      case 'not':
        return `(!${this.bool(e.a)})`;
      case 'absent': {
        const a = this.num(e.a);
        return `(${a} !== ${a})`;
      }
    }
  }
}

/** The body shared by both kernels: param locals (unless bound) and every node output. */
function body(g: Graph, o: CompileOptions): { params: string[]; nodes: string[] } {
  const bound =
    o.bind === undefined
      ? null
      : new Map(g.params.map((s, i) => [s.name, (o.bind as ArrayLike<number>)[i] as number]));
  const params =
    bound === null ? g.params.map((s, i) => `const ${id(s.name, 'p')} = P[${i}];`) : [];
  const em = new Emitter(bound);
  for (const n of g.nodes) {
    for (const [name, e] of Object.entries(n.outputs)) em.output(name, e);
  }
  return { params, nodes: em.lines };
}

function build<T>(source: string): T {
  return new Function('pyRound', 'rhe', 'powi', source)(
    pyRound,
    roundHalfEvenTotal,
    powByMultiplication,
  ) as T;
}

/** The generated source of both kernels (for review and for `violet verify --source`). */
export function kernelSource(g: Graph, o: CompileOptions = {}): { fused: string; batch: string } {
  const { params, nodes } = body(g, o);
  const ins = g.inputs.map((name, i) => `const ${id(name, 'v')} = I[i0 + ${i}];`);
  const outs = g.outputs.map((name, i) => `O[o0 + ${i}] = ${id(name, 'v')};`);
  const fused = [
    'return function fused(I, i0, P, O, o0) {',
    ...params,
    ...ins,
    ...nodes,
    ...outs,
    '};',
  ].join('\n');
  const cols = g.inputs.map((_, i) => `const c${i} = C[${i}];`);
  const ocols = g.outputs.map((_, i) => `const o${i} = OUT[${i}];`);
  const bins = g.inputs.map((name, i) => `const ${id(name, 'v')} = c${i}[k];`);
  const bouts = g.outputs.map((name, i) => `o${i}[k] = ${id(name, 'v')};`);
  const batch = [
    'return function batch(C, P, OUT, n) {',
    ...params,
    ...cols,
    ...ocols,
    'for (let k = 0; k < n; k++) {',
    ...bins,
    ...nodes,
    ...bouts,
    '}',
    '};',
  ].join('\n');
  return { fused, batch };
}

export function compileFused(g: Graph, o: CompileOptions = {}): FusedKernel {
  return build<FusedKernel>(kernelSource(g, o).fused);
}

export function compileBatch(g: Graph, o: CompileOptions = {}): BatchKernel {
  return build<BatchKernel>(kernelSource(g, o).batch);
}
