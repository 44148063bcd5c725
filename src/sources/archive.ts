// Scan archive replay: JSON Lines, one scan per line, read as a stream (flat memory).
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface SourceRecord {
  /** Position in the source (1-based line number for an archive). */
  readonly seq: number;
  readonly text: string;
}

export interface ScanSource {
  readonly name: string;
  /** Total size in bytes when known (for progress). */
  readonly bytes: number | null;
  records(): AsyncIterable<SourceRecord>;
}

export function jsonlSource(path: string): ScanSource {
  const bytes = statSync(path).size;
  return {
    name: path,
    bytes,
    async *records() {
      const lines = createInterface({
        input: createReadStream(path, { highWaterMark: 1 << 20 }),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      let seq = 0;
      for await (const text of lines) {
        seq++;
        if (text.trim() !== '') yield { seq, text };
      }
    },
  };
}
