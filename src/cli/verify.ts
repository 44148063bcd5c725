// `violet verify`: the lane graph's interpreter, fused scalar kernel and batch kernel
// compared bit for bit over the joint input universe (issue 15 §3).
import type { Command } from 'commander';
import { systemClock } from '../engine/clock.js';
import { profileGraph, type VerifyReport, vectorsOf, verifyGraph } from '../kernel/graph/index.js';
import { PROFILES, type Profile } from '../model/index.js';
import { CheckFailed } from './errors.js';
import { choice, JSON_HELP, nonNegativeInt, positiveInt } from './options.js';
import { jsonOnStdout, writeJson, writeOut } from './output.js';
import { progressBar } from './progress.js';
import { table } from './table.js';

interface VerifyOpts {
  samples: number;
  seed: number;
  profile: Profile | 'both';
  json?: string;
  emitVectors?: string;
}

interface Timed extends VerifyReport {
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

function text(r: Timed): string {
  const lines = [
    `${r.graph}: ${r.samples} samples, seed ${r.seed}, ${Math.round(r.samplesPerSecond)} samples/s`,
    `mismatches: ${r.mismatches}`,
  ];
  for (const m of r.first) {
    lines.push(
      `  sample ${m.sample} ${m.output}: interpreter ${m.interpreter} fused ${m.fused} batch ${m.batch}`,
      `    inputs ${JSON.stringify(m.inputs)}`,
    );
  }
  const covered = r.branches.length * 2 - r.uncovered.length;
  lines.push(
    `branch arms covered: ${covered}/${r.branches.length * 2}${r.uncovered.length === 0 ? ' (full)' : `; missing ${r.uncovered.join(', ')}`}`,
  );
  lines.push(
    table(
      ['branch', 'true', 'false'],
      r.branches.map((b) => [
        b.guard ? `${b.branch} (guard)` : b.branch,
        String(b.taken),
        String(b.notTaken),
      ]),
    ),
  );
  return lines.join('\n');
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'prove the compiled lane kernels bit-identical to the lane graph over sampled inputs (exit 1 on any mismatch)',
    )
    .option('--samples <n>', 'samples per profile', positiveInt, 1_000_000)
    .option('--seed <s>', 'seed of the sampler', nonNegativeInt, 20260615)
    .addOption(
      choice('--profile <p>', 'profile graph to verify', [...PROFILES, 'both']).default('both'),
    )
    .option('--json <file>', `the reports as JSON ${JSON_HELP}`)
    .option('--emit-vectors <file>', 'write the samples as `violet kernel eval` lines')
    .action((o: VerifyOpts) => {
      const profiles: readonly Profile[] = o.profile === 'both' ? PROFILES : [o.profile];
      const vectors: string[] = [];
      const reports: Timed[] = [];
      for (const profile of profiles) {
        const g = profileGraph(profile);
        const bar = progressBar(o.samples, `${profile} samples`);
        const t0 = systemClock.now();
        const r = verifyGraph(g, {
          samples: o.samples,
          seed: o.seed,
          progress: (done) => bar.update(done),
          ...(o.emitVectors === undefined
            ? {}
            : { onSample: (s) => vectors.push(...vectorsOf(g, s).map((v) => v.line)) }),
        });
        bar.stop();
        const seconds = Math.max(systemClock.now() - t0, 1) / 1000;
        const timed = { ...r, seconds, samplesPerSecond: r.samples / seconds };
        reports.push(timed);
        if (!jsonOnStdout(o)) process.stdout.write(`${text(timed)}\n`);
      }
      if (o.emitVectors !== undefined) writeOut(o.emitVectors, `${vectors.join('\n')}\n`);
      if (o.json !== undefined) writeJson(o.json, { reports });
      const bad = reports.reduce((s, r) => s + r.mismatches, 0);
      if (bad > 0) throw new CheckFailed(`${bad} mismatch(es) between the graph and its kernels`);
    });
}
