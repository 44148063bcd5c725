// Scan archive replay: JSON Lines, one scan per line, read as a stream in large chunks
// (flat memory, no per-line event overhead).
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { stripBom } from '../common/text.js';
import type { CadenceAction, Quantum } from '../engine/cadence.js';
import type { Planes } from '../model/index.js';

export interface SourceRecord {
  /** Position in the source (1-based line number for an archive, stream sequence live). */
  readonly seq: number;
  readonly text: string;
  /** A live feed delivering this record again (after a restart or a lost ack). */
  readonly redelivered?: boolean;
}

export interface ScanSource {
  readonly name: string;
  /** Total size in bytes when known (for progress). */
  readonly bytes: number | null;
  /** Records in order, in batches. */
  batches(): AsyncIterable<readonly SourceRecord[]>;
  /**
   * Called once a batch's rows are in the spool (synced): a live source acknowledges the
   * batch here, so a crash can only redeliver, never lose.
   */
  commit?(batch: readonly SourceRecord[]): Promise<void>;
  /** The latest plane values (a live feed): they fill what a scan lacks (engine/planes). */
  planes?(): Planes;
  /**
   * A live feed's cadence plane: `apply` gets the instance's stored cadence, then each
   * change (resolves once the stored one is applied).
   */
  watchCadence?(
    apply: (value: Partial<Record<CadenceAction, Quantum>>, who: string) => void,
  ): Promise<void>;
  /** Milliseconds since each plane was written (null: none), for status. */
  planeAges?(): Readonly<Record<string, number | null>>;
  /**
   * Up to `count` records just before where `batches()` resumes, oldest first: a live feed
   * restarting hands them over so the market state (price history) continues unbroken.
   * They were decided by an earlier run and are not decided again.
   */
  warmup?(count: number): Promise<readonly SourceRecord[]>;
}

export function jsonlSource(path: string): ScanSource {
  const bytes = statSync(path).size;
  return {
    name: path,
    bytes,
    async *batches() {
      const decoder = new StringDecoder('utf8');
      let rest = '';
      let seq = 0;
      const take = (text: string, out: SourceRecord[]) => {
        seq++;
        // A UTF-8 byte-order mark (some editors write one) is not part of the first line.
        const unmarked = seq === 1 ? stripBom(text) : text;
        const line = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
        if (line.trim() !== '') out.push({ seq, text: line });
      };
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        const parts = (rest + decoder.write(chunk as Buffer)).split('\n');
        rest = parts.pop() as string;
        const out: SourceRecord[] = [];
        for (const p of parts) take(p, out);
        if (out.length > 0) yield out;
      }
      rest += decoder.end();
      if (rest !== '') {
        const out: SourceRecord[] = [];
        take(rest, out);
        if (out.length > 0) yield out;
      }
    },
  };
}
