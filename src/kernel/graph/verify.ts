// The verifier (issue 15 §3): samples the joint input universe of a graph and compares the
// interpreter, the fused scalar kernel and the batch kernel as Float64 bit patterns (−0
// and NaN payloads included), counting every branch of every node the interpreter takes.
import { type BatchKernel, compileBatch, compileFused, type FusedKernel } from './compile.js';
import { branchesOf, type Graph } from './graph.js';
import { type Coverage, Interpreter } from './interpret.js';
import { SampleRng } from './rng.js';
import { sampleInputs, sampleParams } from './sample.js';

export interface Mismatch {
  readonly sample: number;
  readonly output: string;
  /** Bit patterns as 16 hex digits. */
  readonly interpreter: string;
  readonly fused: string;
  readonly batch: string;
  readonly inputs: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, number>>;
}

export interface BranchCount {
  readonly branch: string;
  readonly taken: number;
  readonly notTaken: number;
  /** A guard: its true arm is unreachable within the bounds (a hit is a failure). */
  readonly guard: boolean;
}

export interface VerifyReport {
  readonly graph: string;
  readonly seed: number;
  readonly samples: number;
  readonly mismatches: number;
  /** The first few, with their inputs. */
  readonly first: readonly Mismatch[];
  readonly branches: readonly BranchCount[];
  /** Branch arms that must be hit and were not (a guard's false arm included). */
  readonly uncovered: readonly string[];
}

export interface VerifyOptions {
  readonly samples: number;
  readonly seed: number;
  /** Kernels to check in place of the graph's own (the mutation suite). */
  readonly fused?: FusedKernel;
  readonly batch?: BatchKernel;
  /** Called after each block with the samples done. */
  readonly progress?: (done: number) => void;
  /** Called for each sample with its inputs, params and the interpreter's taps. */
  readonly onSample?: (s: SampleView) => void;
  readonly keepFirst?: number;
}

export interface SampleView {
  readonly index: number;
  readonly inputs: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, number>>;
  readonly taps: ReadonlyMap<string, number>;
}

const BLOCK = 1024;

const hex = (x: number): string => {
  const f = new Float64Array([x]);
  return new BigUint64Array(f.buffer)[0]?.toString(16).padStart(16, '0') as string;
};

export function verifyGraph(g: Graph, o: VerifyOptions): VerifyReport {
  const nIn = g.inputs.length;
  const nOut = g.outputs.length;
  const fused = o.fused ?? compileFused(g);
  const batch = o.batch ?? compileBatch(g);
  const coverage: Coverage = new Map();
  const interp = new Interpreter(g, coverage);
  const rng = new SampleRng(o.seed);
  const P = new Float64Array(g.params.length);
  const cols = Array.from({ length: nIn }, () => new Float64Array(BLOCK));
  const outCols = Array.from({ length: nOut }, () => new Float64Array(BLOCK));
  const iRows = new Float64Array(BLOCK * nOut);
  const fRows = new Float64Array(BLOCK * nOut);
  const iBits = new BigUint64Array(iRows.buffer);
  const fBits = new BigUint64Array(fRows.buffer);
  const bBits = outCols.map((c) => new BigUint64Array(c.buffer));
  const row = new Float64Array(nIn);
  const out = new Float64Array(nOut);
  const first: Mismatch[] = [];
  const keep = o.keepFirst ?? 5;
  let mismatches = 0;
  const record = (sample: number, k: number, j: number) => {
    mismatches++;
    if (first.length >= keep) return;
    first.push({
      sample,
      output: g.outputs[j] as string,
      interpreter: hex(iRows[k * nOut + j] as number),
      fused: hex(fRows[k * nOut + j] as number),
      batch: hex((outCols[j] as Float64Array)[k] as number),
      inputs: Object.fromEntries(
        g.inputs.map((n, i) => [n, (cols[i] as Float64Array)[k] as number]),
      ),
      params: Object.fromEntries(g.params.map((s, i) => [s.name, P[i] as number])),
    });
  };
  for (let done = 0; done < o.samples; done += BLOCK) {
    const n = Math.min(BLOCK, o.samples - done);
    sampleParams(g, rng, P, done === 0);
    interp.bind(P);
    for (let k = 0; k < n; k++) sampleInputs(g, P, rng, cols, k);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < nIn; i++) row[i] = (cols[i] as Float64Array)[k] as number;
      interp.run(row, out);
      iRows.set(out, k * nOut);
      fused(row, 0, P, fRows, k * nOut);
      if (o.onSample !== undefined) {
        o.onSample({
          index: done + k,
          inputs: Object.fromEntries(g.inputs.map((name, i) => [name, row[i] as number])),
          params: Object.fromEntries(g.params.map((s, i) => [s.name, P[i] as number])),
          taps: interp.taps,
        });
      }
    }
    batch(cols, P, outCols, n);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < nOut; j++) {
        const a = iBits[k * nOut + j];
        if (a !== fBits[k * nOut + j] || a !== (bBits[j] as BigUint64Array)[k]) {
          record(done + k, k, j);
        }
      }
    }
    o.progress?.(done + n);
  }
  const guards = new Set(g.nodes.flatMap((n) => (n.guards ?? []).map((l) => `${n.name}.${l}`)));
  const branches = branchesOf(g).map((b) => {
    const c = coverage.get(b) ?? [0, 0];
    return { branch: b, taken: c[0], notTaken: c[1], guard: guards.has(b) };
  });
  const uncovered: string[] = [];
  for (const b of branches) {
    if (b.guard ? b.taken > 0 : b.taken === 0) uncovered.push(`${b.branch}:true`);
    if (b.notTaken === 0) uncovered.push(`${b.branch}:false`);
  }
  return {
    graph: g.name,
    seed: o.seed,
    samples: o.samples,
    mismatches,
    first,
    branches,
    uncovered,
  };
}
