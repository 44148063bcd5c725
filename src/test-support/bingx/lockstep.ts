// A scan source in lockstep with the BingX simulator: each record is handed on alone, the
// simulator's market moved to its scan first, so the venue fills at the scan being decided.
import type { ScanSource } from '../../engine/ports.js';
import { parseScanLine } from '../../model/index.js';
import type { BingxSim } from './sim/index.js';

export function lockstep(inner: ScanSource, sim: BingxSim): ScanSource {
  return {
    name: inner.name,
    bytes: inner.bytes,
    async *batches() {
      for await (const batch of inner.batches()) {
        for (const r of batch) {
          const p = parseScanLine(r.text);
          if (p.ok) sim.advance(p.value);
          yield [r];
        }
      }
    },
  };
}
