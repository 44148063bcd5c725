// Scan sources: a .jsonl or .parquet archive, or the synthetic market on the fly.
import { existsSync } from 'node:fs';
import type { ScanSource, SourceRecord } from '../engine/ports.js';
import { replaySource } from './archive.js';
import { parquetProblem, parquetSource } from './parquet.js';
import { type SyntheticOptions, scanLine, syntheticScans } from './synthetic/index.js';

export type { ScanSource, SourceRecord } from '../engine/ports.js';

/** The archive at `path`, or an error message for the user. */
export async function archiveSource(path: string): Promise<ScanSource | string> {
  if (!existsSync(path)) return `no such scan archive: ${path}`;
  if (path.endsWith('.jsonl')) return replaySource(path);
  if (path.endsWith('.parquet')) return (await parquetProblem(path)) ?? parquetSource(path);
  return 'scan archive must be .jsonl or .parquet';
}

/** The seeded synthetic market as a source, generated on the fly (no file, flat memory). */
export function syntheticSource(o: SyntheticOptions, batch = 256): ScanSource {
  return {
    name: `synthetic(seed ${o.seed}, ${o.scans} scans, ${o.assets} assets)`,
    bytes: null,
    async *batches() {
      let out: SourceRecord[] = [];
      let seq = 0;
      for (const scan of syntheticScans(o)) {
        out.push({ seq: ++seq, text: scanLine(scan) });
        if (out.length === batch) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
    },
  };
}
