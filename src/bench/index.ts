// `npm run bench`: every benchmark, each figure a ratio against a same-run baseline.
// Results: var/bench/results.json (machine-readable) and results.md (table).
// VIOLET_BENCH_ONLY=live,replay runs only those (compose, replay, memory, studies, scanner,
// live, graph, distrack).
import { benchCompose } from './compose.js';
import { benchDistrack } from './distrack.js';
import { benchGraph } from './graph.js';
import { type Figure, writeResults } from './harness.js';
import { benchLive } from './live.js';
import { benchMemory, benchReplay } from './replay.js';
import { benchScanner } from './scanner.js';
import { benchStudies } from './studies.js';

const SEED = 20260615;
const memoryScans = Number(process.env.VIOLET_BENCH_MEMORY_SCANS ?? 1_000_000);
const scannerBars = Number(process.env.VIOLET_BENCH_SCANNER_BARS ?? 100_000);
const graphEvals = Number(process.env.VIOLET_BENCH_GRAPH_EVALS ?? 10_000_000);
const liveScans = Number(process.env.VIOLET_BENCH_LIVE_SCANS ?? 20_000);
const latencyScans = Number(process.env.VIOLET_BENCH_LIVE_LATENCY_SCANS ?? 600);
const only = process.env.VIOLET_BENCH_ONLY?.split(',').map((s) => s.trim());
const runs = (bench: string) => only === undefined || only.includes(bench);
const figures: Figure[] = [
  ...(runs('compose') ? benchCompose(200_000, SEED) : []),
  ...(runs('graph') ? benchGraph(graphEvals, SEED) : []),
  ...(runs('replay') ? await benchReplay(20_000, 7) : []),
  ...(runs('memory') ? benchMemory(memoryScans, 7) : []),
  ...(runs('studies') ? await benchStudies(10_000_000) : []),
  ...(runs('scanner') ? benchScanner(100, scannerBars, SEED) : []),
  ...(runs('live') ? await benchLive({ scans: liveScans, latencyScans, seed: 7 }) : []),
  ...(runs('distrack') ? await benchDistrack(1_000_000, 1_000_000, SEED) : []),
];
const text = writeResults('var/bench', figures, {
  seed: SEED,
  node: process.version,
  date: new Date().toISOString(),
  ...(only === undefined ? {} : { only }),
});
process.stdout.write(text);
process.stdout.write('results: var/bench/results.json, var/bench/results.md\n');
