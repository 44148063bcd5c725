// JetStream basics shared by the live feed, the publisher and the status: the connection,
// the scan stream, which errors are a server restart (worth another try), and watching a
// key-value bucket.
import {
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm, type KvOptions } from '@nats-io/kv';
import {
  ConnectionError,
  connect,
  type NatsConnection,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import { CheckFailed, UsageError } from '../common/errors.js';

export const DEFAULT_STREAM = 'VIOLET_SCANS';
export const DEFAULT_SUBJECT = 'violet.scans';
/** Between two tries through an outage. */
export const RETRY_MS = 250;

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function notFound(e: unknown): boolean {
  return e instanceof JetStreamApiError && e.status === 404;
}

/** What a server restart looks like from here: worth another try. */
export function transient(e: unknown): boolean {
  if (e instanceof JetStreamApiError) return e.status === 503;
  // No responders on the API subject (JetStream not up yet after a restart) comes wrapped.
  const cause = e instanceof Error ? e.cause : undefined;
  return [e, cause].some(
    (x) => x instanceof TimeoutError || x instanceof RequestError || x instanceof ConnectionError,
  );
}

/** A connection that reconnects for ever (a server restart is an outage, not an end). */
export async function connectNats(
  url: string,
  name: string,
  onEvent: (line: string) => void = () => {},
): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  } catch (e) {
    throw new CheckFailed(`cannot reach NATS at ${url}: ${errorText(e)}`);
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') onEvent(`nats ${s.type}: ${s.server}`);
    }
  })();
  return nc;
}

/** The scan stream (file storage, the one subject), created when missing. */
export async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
): Promise<StreamInfo> {
  let si: StreamInfo;
  try {
    si = await jsm.streams.info(stream);
  } catch (e) {
    if (!notFound(e)) throw e;
    return jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File });
  }
  if (!si.config.subjects.includes(subject)) {
    throw new UsageError(
      `stream ${stream} captures ${si.config.subjects.join(', ')}, not ${subject}`,
    );
  }
  return si;
}

/**
 * Watches a key-value bucket (one key, or all): every entry goes to `apply`, and the promise
 * resolves once the values stored when the watch began have all been applied.
 */
export async function watchLoaded(
  kv: KV,
  key: string | undefined,
  apply: (e: KvEntry) => void,
): Promise<{ stop(): void }> {
  let loaded = () => {};
  const ready = new Promise<void>((resolve) => {
    loaded = resolve;
  });
  const watcher = await kv.watch(key === undefined ? {} : { key });
  void (async () => {
    for await (const e of watcher) {
      apply(e);
      // The stored values are in once the last of them is applied (nothing pending after).
      if (e.delta === 0) loaded();
    }
  })();
  // Nothing stored when the watch began: nothing to wait for (a later write is a change).
  const stored = key === undefined ? (await kv.status()).values > 0 : (await kv.get(key)) !== null;
  if (!stored) loaded();
  await ready;
  return { stop: () => watcher.stop() };
}

/** A key-value bucket, created when missing. */
export function kvBucket(
  js: JetStreamClient,
  name: string,
  opts: Partial<KvOptions> = {},
): Promise<KV> {
  return new Kvm(js).create(name, opts);
}

/** A key-value bucket bound, not created: reading a missing one fails as not found. */
export function kvBound(js: JetStreamClient, name: string): Promise<KV> {
  return new Kvm(js).open(name);
}
