// Publishing a JSON Lines archive onto the live feed's stream, one line per message, as is.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { type JetStreamClient, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CheckFailed } from '../common/errors.js';
import { retry } from '../common/retry.js';
import { systemClock, type WallClock } from '../engine/clock.js';
import { jsonlSource } from './archive.js';
import { ensureStream, errorText, RETRY_MS, transient } from './jetstream.js';

const PUBLISH_RETRY_MS = 60_000;

export interface PublishOptions {
  readonly file: string;
  readonly stream: string;
  readonly subject: string;
  /** Lines per second; 0 = as fast as the server acknowledges. */
  readonly rate: number;
  readonly onProgress?: (bytes: number, lines: number) => void;
  /** Wall time and waiting: --rate pacing, retries, the summary's seconds (default: the system's). */
  readonly clock?: WallClock;
}

export interface PublishSummary {
  readonly stream: string;
  readonly subject: string;
  readonly lines: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly first_seq: number | null;
  readonly last_seq: number | null;
  readonly seconds: number;
}

/** Same file name, line and content → same id: publishing an archive again stores nothing twice. */
function msgId(file: string, line: number, body: string): string {
  const h = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return `${file}:${line}:${h}`;
}

/**
 * One message at a time, each retried until the server acknowledges it (an outage): the
 * stream then holds the archive's lines in file order, whatever happens in between.
 */
export async function publishOne(
  js: JetStreamClient,
  subject: string,
  body: string,
  msgID: string,
  clock: WallClock = systemClock,
): Promise<PubAck> {
  const deadline = clock.now() + PUBLISH_RETRY_MS;
  try {
    return await retry(() => js.publish(subject, body, { msgID, timeout: 2000 }), {
      retryable: (e) => transient(e) && clock.now() <= deadline,
      sleep: (ms) => clock.sleep(ms),
      firstMs: RETRY_MS,
    });
  } catch (e) {
    throw new CheckFailed(`publishing ${msgID} failed: ${errorText(e)}`);
  }
}

/** Publishes every line of a JSON Lines archive as it is (the engine rejects a bad one). */
export async function publishArchive(
  nc: NatsConnection,
  o: PublishOptions,
): Promise<PublishSummary> {
  await ensureStream(await jetstreamManager(nc), o.stream, o.subject);
  const js = jetstream(nc);
  const file = basename(o.file);
  const clock = o.clock ?? systemClock;
  const started = clock.now();
  let lines = 0;
  let duplicates = 0;
  let bytes = 0;
  let first: number | null = null;
  let last: number | null = null;
  for await (const batch of jsonlSource(o.file).batches()) {
    for (const r of batch) {
      const ack = await publishOne(js, o.subject, r.text, msgId(file, r.seq, r.text), clock);
      lines++;
      bytes += Buffer.byteLength(r.text) + 1;
      if (ack.duplicate) duplicates++;
      else {
        first ??= ack.seq;
        last = ack.seq;
      }
      o.onProgress?.(bytes, lines);
      if (o.rate > 0) {
        const ahead = (lines * 1000) / o.rate - (clock.now() - started);
        if (ahead > 1) await clock.sleep(ahead);
      }
    }
  }
  return {
    stream: o.stream,
    subject: o.subject,
    lines,
    stored: lines - duplicates,
    duplicates,
    first_seq: first,
    last_seq: last,
    seconds: (clock.now() - started) / 1000,
  };
}
