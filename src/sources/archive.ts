// Scan archive replay: JSON Lines, one scan per line, read as a stream in large chunks
// (flat memory, no per-line event overhead).
// Replay parses and checks the lines on a second thread (`parse-worker.ts`) while the
// engine decides on this one: the JSON parse costs about as much as the decision itself,
// and a machine has more than one core. Scans cross over packed in numbers
// (`model/scan-codec.ts`), in order, a few batches ahead at most.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { stripBom } from '../common/text.js';
import type { ScanSource, SourceRecord } from '../engine/ports.js';
import { type ScanBatch, ScanDecoder } from '../model/scan-codec.js';

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

/** The archive's lines as they are (text only): what `publish` sends. */
export function jsonlSource(path: string): ScanSource {
  return { name: path, bytes: statSync(path).size, batches: () => jsonlLines(path) };
}

/** The parse worker as built; absent when the sources run untranspiled (then: one thread). */
const WORKER = new URL('./parse-worker.js', import.meta.url);
/** Batches the worker may run ahead of the engine (bounds the memory it holds). */
const AHEAD = 8;

/** Messages from the parse worker. */
export type WorkerMessage =
  | { readonly batch: ScanBatch }
  | { readonly done: true }
  | { readonly error: string; readonly code?: string };

export interface ReplayOptions {
  /** false: parse on the engine's thread (as a live feed does); default: a worker if built. */
  readonly worker?: boolean | URL;
}

/**
 * The archive as a replay source: each record arrives parsed and checked (`parsed`), on a
 * worker thread when one is available. The scans, refusals and their reasons are those
 * `parseScanLine` gives on this thread.
 */
export function replaySource(path: string, o: ReplayOptions = {}): ScanSource {
  const url = o.worker instanceof URL ? o.worker : WORKER;
  const threaded = o.worker !== false && existsSync(fileURLToPath(url));
  if (!threaded) return jsonlSource(path);
  return { name: path, bytes: statSync(path).size, batches: () => fromWorker(url, path) };
}

async function* fromWorker(url: URL, path: string): AsyncGenerator<SourceRecord[]> {
  const worker = new Worker(url, { workerData: { path } });
  const queue: WorkerMessage[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: WorkerMessage) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (e) => {
    failure = e;
    notify();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the archive's parse worker stopped (exit ${code})`);
    notify();
  });
  const decoder = new ScanDecoder();
  worker.postMessage(AHEAD);
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failure !== null) throw failure;
        await new Promise<void>((r) => {
          wake = r;
        });
      }
      const m = queue.shift() as WorkerMessage;
      if ('done' in m) return;
      if ('error' in m) throw Object.assign(new Error(m.error), { code: m.code });
      worker.postMessage(1);
      yield decoder.decode(m.batch);
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
