// The archive's parse worker (see `archive.ts`): reads the JSON Lines file, parses and
// checks each line exactly as the engine's thread would (`parseScanLine`), and sends the
// results in order, packed, one batch per credit the engine grants.
import { parentPort, workerData } from 'node:worker_threads';
import { parseScanLine } from '../model/index.js';
import { ScanEncoder } from '../model/scan-codec.js';
import { jsonlLines, type WorkerMessage } from './archive.js';

/** Records per message: small enough that the engine starts at once, large enough to amortise. */
const BATCH = 256;

const port = parentPort;
if (port === null) throw new Error('parse-worker.js runs as a worker thread only');
const { path } = workerData as { path: string };
let credit = 0;
let wake: (() => void) | null = null;
port.on('message', (n: number) => {
  credit += n;
  wake?.();
  wake = null;
});

const send = async (m: WorkerMessage) => {
  while (credit === 0) {
    await new Promise<void>((r) => {
      wake = r;
    });
  }
  credit--;
  if ('batch' in m) port.postMessage(m, [m.batch.nums.buffer as ArrayBuffer]);
  else port.postMessage(m);
};

const encoder = new ScanEncoder();
try {
  for await (const records of jsonlLines(path)) {
    for (const r of records) {
      encoder.add(r.seq, r.text.length + 1, r.text, parseScanLine(r.text));
      if (encoder.count === BATCH) await send({ batch: encoder.take() });
    }
  }
  if (encoder.count > 0) await send({ batch: encoder.take() });
  port.postMessage({ done: true } satisfies WorkerMessage);
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  port.postMessage({
    error: err.message,
    ...(err.code === undefined ? {} : { code: err.code }),
  } satisfies WorkerMessage);
}
