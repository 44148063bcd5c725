// Memory probe (run by the bench in its own process): a shadow soak over N synthetic
// 40-asset scans with the journal on; prints, at checkpoints, as JSON: the RSS then, the
// process's peak RSS so far (its high-water mark) and the live JS heap after a full GC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../engine/config.js';
import { runShadow } from '../runtime/shadow.js';
import { syntheticSource } from '../sources/index.js';

const scans = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const config = parseConfig({});
if (!config.ok) throw new Error(config.reason);
const dir = mkdtempSync(join(tmpdir(), 'violet-memory-'));
const points: { scans: number; rssMb: number; peakRssMb: number; heapMb: number }[] = [];
const peakMb = () => process.resourceUsage().maxRSS / 1024;
const every = Math.max(1, Math.floor(scans / 20));
let next = every;
await runShadow({
  config: config.value,
  source: syntheticSource({ scans, assets: 40, seed, stepMs: 5000 }),
  journal: join(dir, 'j.duckdb'),
  hooks: {
    onProgress: (s) => {
      if (s.accepted >= next) {
        // Live heap after a full collection: what the engine holds, not garbage in waiting.
        (globalThis as { gc?: () => void }).gc?.();
        const m = process.memoryUsage();
        points.push({
          scans: s.accepted,
          rssMb: m.rss / 2 ** 20,
          peakRssMb: peakMb(),
          heapMb: m.heapUsed / 2 ** 20,
        });
        next += every;
      }
    },
  },
});
(globalThis as { gc?: () => void }).gc?.();
points.push({
  scans,
  rssMb: process.memoryUsage().rss / 2 ** 20,
  peakRssMb: peakMb(),
  heapMb: process.memoryUsage().heapUsed / 2 ** 20,
});
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(points));
