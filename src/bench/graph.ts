// The lane graph's kernels (issue 15 §4): the interpreter, the fused scalar function and the
// batch kernel over the whole lane graph, against CPython scalar and numpy vectorizing the
// orchestrator composition on the same rows. numpy's np.round is not CPython's round, so its
// haircut rows are a speed baseline only; the bench rows keep sc_mult at 1 (as configs do).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../common/rng/index.js';
import {
  compileBatch,
  compileFused,
  defaultGraphParams,
  Interpreter,
  paramVector,
  profileGraph,
} from '../kernel/graph/index.js';
import type { Profile } from '../model/index.js';
import { bestOf, type Figure } from './harness.js';

const PYTHON = 'python3';

function columns(inputs: readonly string[], n: number, seed: number): Float64Array[] {
  const r = new Rng(seed);
  const cols = inputs.map(() => new Float64Array(n));
  const at = (name: string) => cols[inputs.indexOf(name)] as Float64Array;
  let posture = 0;
  for (let k = 0; k < n; k++) {
    if (k % 5000 === 0) posture = r.pick([0, 0, 0, 1, 2]);
    at('vel_div')[k] = -0.1 * r.next() + 0.01;
    at('capital')[k] = 20_000 + 30_000 * r.next();
    at('posture')[k] = posture;
    at('candidate')[k] = 1;
    at('p_then')[k] = 100;
    at('p_now')[k] = 100 * (1 + 0.002 * (r.next() - 0.5));
    at('funding_rate')[k] = r.chance(0.5) ? -0.0002 : 0.0001;
    at('dvol')[k] = 60 + 40 * r.next();
    at('fear_greed')[k] = 100 * r.next();
    at('taker_ratio')[k] = 0.8 + 0.3 * r.next();
    at('w750_velocity')[k] = r.chance(0.2) ? Number.NaN : 0.1 * (r.next() - 0.5);
    at('mc_status')[k] = r.int(0, 3);
    at('ob_eff_imb')[k] = 0.3 * (r.next() - 0.5);
    at('ob_agree')[k] = r.next();
    at('esof_score')[k] = 0.1 * (r.next() - 0.5);
    at('esof_age_ms')[k] = 1_000_000 * r.next();
    if (inputs.includes('sc_mult')) at('sc_mult')[k] = 1.0;
  }
  return cols;
}

function figure(
  metric: string,
  ours: number,
  baseline: string,
  theirs: number,
  min: number | null,
): Figure {
  const ratio = ours / theirs;
  return {
    bench: 'graph',
    metric,
    value: ours,
    unit: 'evals/s',
    baseline,
    baselineValue: theirs,
    ratio,
    target: min === null ? null : `ratio >= ${min}`,
    pass: min === null ? null : ratio >= min,
  };
}

/** The orchestrator composition's columns (from the graph's own lane values) for numpy. */
function numpyRate(g: ReturnType<typeof profileGraph>, cols: Float64Array[], n: number): number {
  const out = g.outputs.map(() => new Float64Array(n));
  compileBatch(g)(cols, paramVector(g, defaultGraphParams('orchestrator')), out, n);
  const o = (name: string) => out[g.outputs.indexOf(name)] as Float64Array;
  const c = (name: string) => cols[g.inputs.indexOf(name)] as Float64Array;
  const file = new Float64Array(8 * n);
  [
    c('vel_div'),
    c('capital'),
    o('dc_mult'),
    o('regime_mult'),
    o('ob_mult'),
    o('esof_mult'),
    c('sc_mult'),
    c('posture'),
  ].forEach((col, i) => {
    file.set(col, i * n);
  });
  const dir = mkdtempSync(join(tmpdir(), 'violet-bench-'));
  try {
    const path = join(dir, 'cols.f64');
    writeFileSync(path, file);
    const py = spawnSync(PYTHON, ['conformance/bench_graph_numpy.py', path, String(n), '3'], {
      encoding: 'utf8',
    });
    if (py.status !== 0) throw new Error(`numpy baseline failed: ${py.stderr}`);
    const r = JSON.parse(py.stdout) as { evals: number; seconds: number };
    return r.evals / r.seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPython scalar compose (the oracle's functions) on the first `m` rows. */
function cpythonRate(
  profile: Profile,
  g: ReturnType<typeof profileGraph>,
  cols: Float64Array[],
  m: number,
): number {
  const out = g.outputs.map(() => new Float64Array(m));
  const head = cols.map((c) => c.subarray(0, m));
  compileBatch(g)(head, paramVector(g, defaultGraphParams(profile)), out, m);
  const o = (name: string) => out[g.outputs.indexOf(name)] as Float64Array;
  const c = (name: string) => head[g.inputs.indexOf(name)] as Float64Array;
  const lines: string[] = [];
  for (let k = 0; k < m; k++) {
    lines.push(
      JSON.stringify({
        profile,
        vel_div: c('vel_div')[k],
        capital: c('capital')[k],
        dc_mult: o('dc_mult')[k],
        regime_mult: o('regime_mult')[k],
        ob_mult: o('ob_mult')[k],
        esof_mult: o('esof_mult')[k],
        sc_mult: 1.0,
        posture: ['APEX', 'STALKER', 'HIBERNATE'][c('posture')[k] as number],
      }),
    );
  }
  const py = spawnSync(PYTHON, ['conformance/bench_compose.py', '3'], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (py.status !== 0) throw new Error(`CPython baseline failed: ${py.stderr}`);
  const r = JSON.parse(py.stdout) as { evals: number; seconds: number };
  return r.evals / r.seconds;
}

export function benchGraph(n: number, seed: number): Figure[] {
  return (['orchestrator', 'v3-shadow'] as const).flatMap((profile) => {
    const g = profileGraph(profile);
    const P = paramVector(g, defaultGraphParams(profile));
    const cols = columns(g.inputs, n, seed);
    const out = g.outputs.map(() => new Float64Array(n));
    const lev = g.outputs.indexOf('notional');
    const batch = compileBatch(g, { bind: P });
    const tBatch = bestOf(3, () => {
      batch(cols, P, out, n);
      return (out[lev] as Float64Array)[n - 1] || 0;
    });
    const fused = compileFused(g, { bind: P });
    const row = new Float64Array(g.inputs.length);
    const o = new Float64Array(g.outputs.length);
    const tFused = bestOf(3, () => {
      let sink = 0;
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < row.length; i++) row[i] = (cols[i] as Float64Array)[k] as number;
        fused(row, 0, P, o, 0);
        sink += o[lev] || 0;
      }
      return sink;
    });
    // The interpreter is timed on a tenth of the rows (its rate, not its total, is the figure).
    const m = Math.max(1, Math.floor(n / 10));
    const interp = new Interpreter(g).bind(P);
    const tInterp = bestOf(1, () => {
      let sink = 0;
      for (let k = 0; k < m; k++) {
        for (let i = 0; i < row.length; i++) row[i] = (cols[i] as Float64Array)[k] as number;
        interp.run(row, o);
        sink += o[lev] || 0;
      }
      return sink;
    });
    const batchRate = n / tBatch;
    const fusedRate = n / tFused;
    const interpRate = m / tInterp;
    const cpy = cpythonRate(profile, g, cols, Math.min(n, 500_000));
    const figures = [
      figure(`${profile} interpreter (${m} rows)`, interpRate, 'CPython scalar', cpy, null),
      figure(`${profile} fused scalar (${n} rows)`, fusedRate, 'CPython scalar', cpy, 50),
      figure(
        `${profile} batch kernel vs interpreter (${n} rows)`,
        batchRate,
        'interpreter',
        interpRate,
        20,
      ),
    ];
    if (profile === 'orchestrator') {
      figures.push(
        figure(
          `${profile} batch kernel (${n} rows)`,
          batchRate,
          'numpy vectorized',
          numpyRate(g, cols, n),
          1.5,
        ),
      );
    }
    return figures;
  });
}
