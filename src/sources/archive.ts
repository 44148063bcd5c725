// Scan archive replay: JSON Lines, one scan per line, read as a stream in large chunks
// (flat memory, no per-line event overhead).
// Replay reads the archive as bytes: a line of the archive's usual layout is matched
// against the layout of the lines before it (`model/scan-template.ts`) and only its values
// are read, with no JSON objects built and no text decoded; any other line is decoded and
// parsed the general way (`parseScanLine`), which gives every refusal its reason.
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { stripBom } from '../common/text.js';
import type { ScanSource, SourceRecord } from '../engine/ports.js';
import { parseScanLine } from '../model/scan.js';
import { ScanTemplate } from '../model/scan-template.js';

/** The lines of a JSON Lines file, numbered from 1, blank ones skipped, in chunks. */
export async function* jsonlLines(path: string): AsyncGenerator<SourceRecord[]> {
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
}

/**
 * The records of a JSON Lines archive, parsed and checked: what `jsonlLines` and
 * `parseScanLine` give, line for line (numbering, blank lines, byte-order mark, CRLF,
 * results and reasons alike). `text` is kept where the engine may store it (see
 * `SourceRecord.text`): a refused line, or a scan not numbered above all before it.
 */
export async function* parsedLines(path: string): AsyncGenerator<SourceRecord[]> {
  const template = new ScanTemplate();
  let seq = 0;
  let highest = Number.NEGATIVE_INFINITY;
  let rest: Buffer | null = null;
  const line = (b: Buffer, start: number, end: number, out: SourceRecord[]) => {
    seq++;
    let e = end;
    if (e > start && b[e - 1] === 13) e--;
    // The first line (it may open with a byte-order mark) always takes the general path.
    const fast = seq === 1 ? null : template.match(b, start, e);
    if (fast !== null) {
      const inOrder = fast.scan_number > highest;
      if (inOrder) highest = fast.scan_number;
      // Only ASCII matches a layout: a character is a byte.
      const text = inOrder ? '' : b.toString('latin1', start, e);
      out.push({ seq, size: e - start + 1, text, parsed: { ok: true, value: fast } });
      return;
    }
    const decoded = b.toString('utf8', start, end);
    const unmarked = seq === 1 ? stripBom(decoded) : decoded;
    const text = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
    if (text.trim() === '') return;
    const parsed = parseScanLine(text);
    if (parsed.ok) {
      template.learn(text, parsed.value);
      const inOrder = parsed.value.scan_number > highest;
      if (inOrder) highest = parsed.value.scan_number;
      out.push({ seq, size: text.length + 1, text: inOrder ? '' : text, parsed });
    } else out.push({ seq, size: text.length + 1, text, parsed });
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b: Buffer = rest === null ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    const out: SourceRecord[] = [];
    let from = 0;
    for (let nl = b.indexOf(10, from); nl >= 0; nl = b.indexOf(10, from)) {
      line(b, from, nl, out);
      from = nl + 1;
    }
    rest = from < b.length ? b.subarray(from) : null;
    if (out.length > 0) yield out;
  }
  if (rest !== null) {
    const out: SourceRecord[] = [];
    line(rest, 0, rest.length, out);
    if (out.length > 0) yield out;
  }
}

/** The archive's lines as they are (text only): what `publish` sends. */
export function jsonlSource(path: string): ScanSource {
  return { name: path, bytes: statSync(path).size, batches: () => jsonlLines(path) };
}

/**
 * The archive as a replay source: each record arrives parsed and checked (`parsed`), with
 * the scans, refusals and reasons `parseScanLine` gives (see `parsedLines`).
 */
export function replaySource(path: string): ScanSource {
  return { name: path, bytes: statSync(path).size, batches: () => parsedLines(path) };
}
