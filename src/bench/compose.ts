// Scalar compose evaluations per second, against CPython on the same batch (issue 2).
// The batch is shaped like a soak (one profile per run, posture in day-long runs, lane
// multipliers from their real value sets); the adversarial vectors are for conformance.
import { spawnSync } from 'node:child_process';
import { Rng } from '../common/rng/index.js';
import {
  CLAMP,
  type ComposeInput,
  compileCompose,
  compose,
  FUSED_WIDTH,
  POSTURE_CODE,
  SC,
  SIZER_BY_PROFILE,
} from '../kernel/index.js';
import type { Posture, Profile } from '../model/index.js';
import { bestOf, type Figure } from './harness.js';

function batchFor(profile: Profile, n: number, seed: number): ComposeInput[] {
  const r = new Rng(seed);
  const out: ComposeInput[] = [];
  let posture: Posture = 'APEX';
  for (let k = 0; k < n; k++) {
    if (k % 5000 === 0) posture = r.pick(['APEX', 'APEX', 'APEX', 'STALKER', 'HIBERNATE']);
    out.push({
      profile,
      velDiv: -0.1 * r.next() + 0.01,
      capital: 20_000 + 30_000 * r.next(),
      dcMult: r.chance(0.3) ? 1.25 : 1.0,
      regimeMult:
        r.pick([1.0, 1.15, 1.3]) * (1.0 + 0.25 * r.next()) * r.pick([1.0, 1.0, 0.75, 0.5]),
      obMult: r.chance(0.6) ? 1.0 : 0.85 + 0.35 * r.next(),
      esofMult: r.pick([1.0, 0.8, 0.3, 0.4]),
      scMult: 1.0,
      posture,
    });
  }
  return out;
}

function cpython(batch: readonly ComposeInput[]): number {
  const lines = batch.map((i) =>
    JSON.stringify({
      profile: i.profile,
      vel_div: i.velDiv,
      capital: i.capital,
      dc_mult: i.dcMult,
      regime_mult: i.regimeMult,
      ob_mult: i.obMult,
      esof_mult: i.esofMult,
      sc_mult: i.scMult,
      posture: i.posture,
    }),
  );
  const py = spawnSync('python3', ['conformance/bench_compose.py', '3'], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (py.status !== 0) throw new Error(`CPython baseline failed: ${py.stderr}`);
  const base = JSON.parse(py.stdout) as { evals: number; seconds: number };
  return base.evals / base.seconds;
}

function figure(metric: string, ours: number, theirs: number): Figure {
  return {
    bench: 'compose',
    metric,
    value: ours,
    unit: 'evals/s',
    baseline: 'CPython scalar',
    baselineValue: theirs,
    ratio: ours / theirs,
    target: 'ratio >= 50',
    pass: ours / theirs >= 50,
  };
}

export function benchCompose(n: number, seed: number): Figure[] {
  return (['orchestrator', 'v3-shadow'] as const).flatMap((profile) => {
    const inputs = batchFor(profile, n, seed);
    const params = { sizer: SIZER_BY_PROFILE[profile], clamp: CLAMP, sc: SC };
    const readable = bestOf(9, () => {
      let sink = 0;
      for (let k = 0; k < inputs.length; k++) {
        const r = compose(inputs[k] as ComposeInput, params);
        if (r.notional !== null) sink += r.notional;
      }
      return sink;
    });
    const fused = compileCompose(profile, params);
    const cols = {
      velDiv: Float64Array.from(inputs, (i) => i.velDiv),
      capital: Float64Array.from(inputs, (i) => i.capital),
      dc: Float64Array.from(inputs, (i) => i.dcMult),
      regime: Float64Array.from(inputs, (i) => i.regimeMult),
      ob: Float64Array.from(inputs, (i) => i.obMult),
      esof: Float64Array.from(inputs, (i) => i.esofMult),
      sc: Float64Array.from(inputs, (i) => i.scMult),
      posture: Uint8Array.from(inputs, (i) => POSTURE_CODE[i.posture]),
    };
    const out = new Float64Array(FUSED_WIDTH);
    const compiled = bestOf(9, () => {
      let sink = 0;
      for (let k = 0; k < inputs.length; k++) {
        fused(
          cols.velDiv[k] as number,
          cols.capital[k] as number,
          cols.dc[k] as number,
          cols.regime[k] as number,
          cols.ob[k] as number,
          cols.esof[k] as number,
          cols.sc[k] as number,
          cols.posture[k] as number,
          out,
          0,
        );
        if (out[0] === 1) sink += out[3] as number;
      }
      return sink;
    });
    const theirs = cpython(inputs);
    return [
      figure(`${profile} readable compose, scalar (${n} scans)`, n / readable, theirs),
      figure(`${profile} fused compose, scalar (${n} scans)`, n / compiled, theirs),
    ];
  });
}
