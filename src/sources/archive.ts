// Scan archive replay: JSON Lines, one scan per line, read as a stream in large chunks
// (flat memory, no per-line event overhead).
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { stripBom } from '../common/text.js';
import type { ScanSource, SourceRecord } from '../engine/ports.js';

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
