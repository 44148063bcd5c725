// End-to-end replay (issue 3): scans/s for 40-asset scans with the journal on, against
// bare JSON.parse of the same archive; and peak memory over 1,000,000 scans.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { genScans } from '../cli/gen.js';
import { parseConfig } from '../engine/config.js';
import { runBacktest } from '../runtime/backtest.js';
import { runShadow } from '../runtime/shadow.js';
import { replaySource } from '../sources/archive.js';
import { snapshotMarkets } from '../venues/bingx/markets.js';
import type { Figure } from './harness.js';

export async function benchReplay(scans: number, seed: number): Promise<Figure[]> {
  const archive = `var/bench/replay-${scans}x40-${seed}.jsonl`;
  if (!existsSync(archive)) {
    await genScans({ out: archive, scans, assets: 40, seed, stepMs: 5000 });
  }
  await warmUp(archive);
  const config = parseConfig({});
  if (!config.ok) throw new Error(config.reason);
  // Each round times the three in turn; each figure is its fastest round (the machine is
  // shared: a round another process slowed tells nothing of this code).
  let parseRate = 0;
  let ours = 0;
  let backtest = 0;
  let trades = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    let parsed = 0;
    for (const line of readFileSync(archive, 'utf8').split('\n')) {
      if (line !== '') parsed += Object.keys(JSON.parse(line)).length > 0 ? 1 : 0;
    }
    parseRate = Math.max(parseRate, parsed / (Number(process.hrtime.bigint() - t0) / 1e9));
    const dir = mkdtempSync(join(tmpdir(), 'violet-bench-'));
    try {
      const t1 = process.hrtime.bigint();
      const r = await runShadow({
        config: config.value,
        source: replaySource(archive),
        journal: join(dir, 'j.duckdb'),
      });
      const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
      if (r.stats.decisions !== scans)
        throw new Error(`replay journaled ${r.stats.decisions} of ${scans}`);
      ours = Math.max(ours, scans / seconds);
      const t2 = process.hrtime.bigint();
      const bt = await runBacktest({
        config: config.value,
        source: replaySource(archive),
        journal: join(dir, 'b.duckdb'),
        chart: join(dir, 'equity.svg'),
        markets: snapshotMarkets(),
      });
      backtest = Math.max(backtest, scans / (Number(process.hrtime.bigint() - t2) / 1e9));
      trades = bt.summary.trades;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return [
    {
      bench: 'backtest',
      metric: `backtest scans/s, 40 assets, journal on (${scans} scans, ${trades} trades; fastest of ${ROUNDS} rounds)`,
      value: backtest,
      unit: 'scans/s',
      baseline: 'shadow replay of the same archive',
      baselineValue: ours,
      ratio: backtest / ours,
      target: 'ratio >= 0.9',
      pass: backtest / ours >= 0.9,
    },
    {
      bench: 'replay',
      metric: `end-to-end scans/s, 40 assets, journal on (${scans} scans after a ${WARM_UP_SCANS}-scan warm-up; fastest of ${ROUNDS} rounds)`,
      value: ours,
      unit: 'scans/s',
      baseline: 'bare JSON.parse of the archive',
      baselineValue: parseRate,
      ratio: ours / parseRate,
      target: 'ratio >= 0.6',
      pass: ours / parseRate >= 0.6,
    },
  ];
}

/**
 * One short replay and backtest before the clock starts: the first run in a process loads
 * DuckDB's native module and compiles the engine's code, once per process however long the
 * replay; the figures are the pace of a replay in progress, as the parse baseline's is.
 */
async function warmUp(archive: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'violet-bench-'));
  try {
    const head = join(dir, 'head.jsonl');
    const lines = readFileSync(archive, 'utf8').split('\n', WARM_UP_SCANS);
    writeFileSync(head, `${lines.join('\n')}\n`);
    const config = parseConfig({});
    if (!config.ok) throw new Error(config.reason);
    await runShadow({
      config: config.value,
      source: replaySource(head),
      journal: join(dir, 'w.duckdb'),
    });
    await runBacktest({
      config: config.value,
      source: replaySource(head),
      journal: join(dir, 'b.duckdb'),
      chart: join(dir, 'equity.svg'),
      markets: snapshotMarkets(),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const WARM_UP_SCANS = 2000;
const ROUNDS = 5;

interface MemoryPoint {
  scans: number;
  /** RSS at that moment (after a full GC of the JS heap). */
  rssMb: number;
  /** The process's peak RSS so far: its high-water mark. */
  peakRssMb: number;
  heapMb: number;
}

/** Runs the memory probe in a child process so its peak is its own. */
export function benchMemory(scans: number, seed: number): Figure[] {
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      fileURLToPath(new URL('./memory.js', import.meta.url)),
      String(scans),
      String(seed),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`memory probe failed: ${r.stderr}`);
  const points = JSON.parse(r.stdout) as MemoryPoint[];
  const early = points.find((p) => p.scans >= scans / 10) ?? (points[0] as MemoryPoint);
  const last = points.at(-1) as MemoryPoint;
  const heapPeak = Math.max(...points.map((p) => p.heapMb));
  // The target compares like with like: the peak over the whole run against the peak over
  // its first tenth. RSS swings by a fifth between two moments of a steady run (DuckDB's
  // reader buffers and checkpoints come and go), so a peak over a moment's RSS reads as
  // growth even where there is none; that figure is kept beside it, without a target.
  const momentPeak = Math.max(...points.map((p) => p.rssMb), last.peakRssMb);
  return [
    {
      bench: 'memory',
      metric: `peak live JS heap (after GC) over ${scans} scans`,
      value: heapPeak,
      unit: 'MB',
      baseline: `heap at ${early.scans} scans`,
      baselineValue: early.heapMb,
      ratio: heapPeak / early.heapMb,
      target: 'ratio <= 1.5',
      pass: heapPeak / early.heapMb <= 1.5,
    },
    {
      bench: 'memory',
      metric: `peak RSS over ${scans} scans, 40 assets, journal on (incl. DuckDB key index)`,
      value: last.peakRssMb,
      unit: 'MB',
      baseline: `peak RSS over the first ${early.scans} scans`,
      baselineValue: early.peakRssMb,
      ratio: last.peakRssMb / early.peakRssMb,
      target: 'ratio <= 1.4',
      pass: last.peakRssMb / early.peakRssMb <= 1.4,
    },
    {
      bench: 'memory',
      metric: `peak RSS over ${scans} scans, against one moment's RSS`,
      value: momentPeak,
      unit: 'MB',
      baseline: `RSS at ${early.scans} scans`,
      baselineValue: early.rssMb,
      ratio: momentPeak / early.rssMb,
      target: null,
      pass: null,
    },
  ];
}
