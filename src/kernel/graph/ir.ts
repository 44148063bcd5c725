// The lane graph's expression language (SPEC §6, seed §8c): every float operation a node
// performs, as data, so one interpreter and one compiler read the same order of operations.
// Only + − × ÷, comparisons, selects and the spec's helpers exist; nothing reassociates.

export type Num =
  | { readonly op: 'num'; readonly v: number }
  | { readonly op: 'val'; readonly name: string }
  | { readonly op: 'param'; readonly name: string }
  | { readonly op: '+' | '-' | '*' | '/'; readonly a: Num; readonly b: Num }
  | { readonly op: 'neg'; readonly a: Num }
  /** `c ? t : f`, a branch counted by the verifier under `label`. */
  | {
      readonly op: 'if';
      readonly label: string;
      readonly c: Bool;
      readonly t: Num;
      readonly f: Num;
    }
  /** a^n by repeated multiplication, n a parameter (SPEC §3: never pow). */
  | { readonly op: 'powi'; readonly a: Num; readonly n: Num }
  /** CPython round(a, n). */
  | { readonly op: 'round'; readonly a: Num; readonly n: Num }
  /** CPython round(a): ties to even. */
  | { readonly op: 'rhe'; readonly a: Num }
  /** 1 for true, 0 for false. */
  | { readonly op: 'b2n'; readonly c: Bool };

export type Bool =
  | { readonly op: '<' | '<=' | '>' | '>=' | '=='; readonly a: Num; readonly b: Num }
  | { readonly op: 'and' | 'or'; readonly a: Bool; readonly b: Bool }
  | { readonly op: 'not'; readonly a: Bool }
  /** NaN: an absent input. */
  | { readonly op: 'absent'; readonly a: Num };

// One object shape for every expression keeps the interpreter's walk monomorphic.
function node<T extends Num | Bool>(e: Partial<Record<string, unknown>>): T {
  return {
    op: e.op,
    v: e.v,
    name: e.name,
    label: e.label,
    a: e.a,
    b: e.b,
    c: e.c,
    t: e.t,
    f: e.f,
    n: e.n,
  } as unknown as T;
}

export const num = (v: number): Num => node({ op: 'num', v });
export const val = (name: string): Num => node({ op: 'val', name });
export const param = (name: string): Num => node({ op: 'param', name });
export const add = (a: Num, b: Num): Num => node({ op: '+', a, b });
export const sub = (a: Num, b: Num): Num => node({ op: '-', a, b });
export const mul = (a: Num, b: Num): Num => node({ op: '*', a, b });
export const div = (a: Num, b: Num): Num => node({ op: '/', a, b });
export const neg = (a: Num): Num => node({ op: 'neg', a });
/** Left to right: mulAll(a, b, c) = (a * b) * c. */
export const mulAll = (first: Num, ...rest: Num[]): Num => rest.reduce(mul, first);
export const sel = (label: string, c: Bool, t: Num, f: Num): Num =>
  node({ op: 'if', label, c, t, f });
export const powi = (a: Num, n: Num): Num => node({ op: 'powi', a, n });
export const pyRoundOf = (a: Num, n: Num): Num => node({ op: 'round', a, n });
export const roundHalfEvenOf = (a: Num): Num => node({ op: 'rhe', a });
export const b2n = (c: Bool): Num => node({ op: 'b2n', c });
export const lt = (a: Num, b: Num): Bool => node({ op: '<', a, b });
export const le = (a: Num, b: Num): Bool => node({ op: '<=', a, b });
export const gt = (a: Num, b: Num): Bool => node({ op: '>', a, b });
export const ge = (a: Num, b: Num): Bool => node({ op: '>=', a, b });
export const eq = (a: Num, b: Num): Bool => node({ op: '==', a, b });
export const and = (a: Bool, b: Bool): Bool => node({ op: 'and', a, b });
export const or = (a: Bool, b: Bool): Bool => node({ op: 'or', a, b });
export const not = (a: Bool): Bool => node({ op: 'not', a });
export const absent = (a: Num): Bool => node({ op: 'absent', a });
/** SPEC §3: min(a, b) := b if b < a else a. */
export const min2 = (label: string, a: Num, b: Num): Num => sel(label, lt(b, a), b, a);
/** SPEC §3: max(a, b) := b if b > a else a. */
export const max2 = (label: string, a: Num, b: Num): Num => sel(label, gt(b, a), b, a);

/** Every name an expression reads, by kind. */
export function reads(e: Num | Bool, vals: Set<string>, params: Set<string>): void {
  switch (e.op) {
    case 'num':
      return;
    case 'val':
      vals.add(e.name);
      return;
    case 'param':
      params.add(e.name);
      return;
    case 'neg':
    case 'rhe':
    case 'not':
    case 'absent':
      reads(e.a, vals, params);
      return;
    case 'b2n':
      reads(e.c, vals, params);
      return;
    case 'if':
      reads(e.c, vals, params);
      reads(e.t, vals, params);
      reads(e.f, vals, params);
      return;
    case 'powi':
    case 'round':
      reads(e.a, vals, params);
      reads(e.n, vals, params);
      return;
    default:
      reads(e.a, vals, params);
      reads(e.b, vals, params);
  }
}

/**
 * Every branch label of an expression, in evaluation order; `distinct` lists a label met
 * twice only when it labels two different branches (min2 reads an operand twice).
 */
export function labels(
  e: Num | Bool,
  out: string[],
  distinct = false,
  seen = new Set<string>(),
): void {
  switch (e.op) {
    case 'num':
    case 'val':
    case 'param':
      return;
    case 'neg':
    case 'rhe':
    case 'not':
    case 'absent':
      labels(e.a, out, distinct, seen);
      return;
    case 'b2n':
      labels(e.c, out, distinct, seen);
      return;
    case 'if': {
      const key = JSON.stringify(e);
      if (distinct && seen.has(key)) return;
      seen.add(key);
      out.push(e.label);
      labels(e.c, out, distinct, seen);
      labels(e.t, out, distinct, seen);
      labels(e.f, out, distinct, seen);
      return;
    }
    case 'powi':
    case 'round':
      labels(e.a, out, distinct, seen);
      labels(e.n, out, distinct, seen);
      return;
    default:
      labels(e.a, out, distinct, seen);
      labels(e.b, out, distinct, seen);
  }
}
