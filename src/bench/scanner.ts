// Scanner (issue: scans from price bars): bars/s of the incremental scanner over 100 assets
// with a market factor and 4 windows, against numpy recomputing corrcoef + eigvalsh per bar
// and window (timed on a sample of bars) in the same run; and memory over the run.
import { spawnSync } from 'node:child_process';
import { Rng } from '../common/rng/index.js';
import { DEFAULT_WINDOWS, Scanner } from '../scanner/index.js';
import type { Figure } from './harness.js';

const INTERVAL = 300_000;

export function benchScanner(assets: number, bars: number, seed: number): Figure[] {
  const rng = new Rng(seed);
  const beta = Array.from({ length: assets }, () => rng.uniform(0.3, 1.5));
  const prices = new Float64Array(assets).fill(100);
  const symbols = Array.from({ length: assets }, (_, a) => `A${a}USDT`);
  const scanner = new Scanner({ symbols, intervalMs: INTERVAL, windows: DEFAULT_WINDOWS });
  const heap: number[] = [];
  let check = 0;
  // Bars are generated a chunk at a time outside the clock: only the scanner is timed, as
  // only corrcoef + eigvalsh are on numpy's side.
  const CHUNK = 1_000;
  const chunk = Array.from({ length: CHUNK }, () => new Float64Array(assets));
  let nanos = 0n;
  for (let from = 0; from < bars; from += CHUNK) {
    const count = Math.min(CHUNK, bars - from);
    for (let i = 0; i < count; i++) {
      const m = rng.normal() * 0.004;
      const closes = chunk[i] as Float64Array;
      for (let a = 0; a < assets; a++) {
        prices[a] =
          (prices[a] as number) * Math.exp((beta[a] as number) * m + rng.normal() * 0.003);
        closes[a] = prices[a] as number;
      }
    }
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      const k = from + i;
      const step = scanner.step(
        1_700_000_100_000 - (1_700_000_100_000 % INTERVAL) + k * INTERVAL,
        chunk[i] as Float64Array,
      );
      for (const r of step.eig) check += r.lambda;
    }
    nanos += process.hrtime.bigint() - t0;
    if (Math.floor((from + count) / (bars / 10)) > Math.floor(from / (bars / 10))) {
      // The live heap after a full collection (npm run bench exposes gc): what is held.
      (globalThis as { gc?: () => void }).gc?.();
      heap.push(process.memoryUsage().heapUsed);
    }
  }
  const seconds = Number(nanos) / 1e9;
  if (!(check > 0)) throw new Error('scanner bench computed nothing');
  const sample = Math.min(200, bars);
  const py = spawnSync(
    'python3',
    [
      'conformance/bench_scanner.py',
      String(assets),
      DEFAULT_WINDOWS.join(','),
      String(sample),
      String(seed),
    ],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) throw new Error(`numpy baseline failed: ${py.stderr}`);
  const theirs = JSON.parse(py.stdout) as { bars: number; seconds: number };
  const ours = bars / seconds;
  const numpy = theirs.bars / theirs.seconds;
  const c = scanner.counts;
  const first = heap[0] as number;
  const last = heap.at(-1) as number;
  return [
    {
      bench: 'scanner',
      metric: `${assets} assets × ${bars} bars, 4 windows (power ${c.power}, full ${c.full}, fallbacks ${c.fallbacks})`,
      value: ours,
      unit: 'bars/s',
      baseline: 'numpy corrcoef+eigvalsh per bar',
      baselineValue: numpy,
      ratio: ours / numpy,
      target: 'ratio >= 20',
      pass: ours / numpy >= 20,
    },
    {
      bench: 'scanner',
      metric: 'heap at the end vs a tenth of the way in',
      value: last / 2 ** 20,
      unit: 'MB',
      baseline: 'heap at 10%',
      baselineValue: first / 2 ** 20,
      ratio: last / first,
      target: 'ratio <= 1.2',
      pass: last / first <= 1.2,
    },
  ];
}
