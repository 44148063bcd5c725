// `npm run bench`: every benchmark, each figure a ratio against a same-run baseline.
// Results: var/bench/results.json (machine-readable) and results.md (table).
import { benchCompose } from './compose.js';
import { writeResults } from './harness.js';
import { benchMemory, benchReplay } from './replay.js';
import { benchStudies } from './studies.js';

const SEED = 20260615;
const memoryScans = Number(process.env.VIOLET_BENCH_MEMORY_SCANS ?? 1_000_000);
const figures = [
  ...benchCompose(200_000, SEED),
  ...(await benchReplay(20_000, 7)),
  ...benchMemory(memoryScans, 7),
  ...(await benchStudies(10_000_000)),
];
const text = writeResults('var/bench', figures, {
  seed: SEED,
  node: process.version,
  date: new Date().toISOString(),
});
process.stdout.write(text);
process.stdout.write('results: var/bench/results.json, var/bench/results.md\n');
