// JetStream basics shared by the live feed, the publisher and the status: the connection,
// the scan stream, which errors are a server restart (worth another try), and watching a
// key-value bucket.
import {
  connect,
  ErrorCode,
  type JetStreamManager,
  type KV,
  type KvEntry,
  type NatsConnection,
  NatsError,
  StorageType,
  type StreamInfo,
} from 'nats';
import { CheckFailed, UsageError } from '../common/errors.js';

export const DEFAULT_STREAM = 'VIOLET_SCANS';
export const DEFAULT_SUBJECT = 'violet.scans';
/** Between two tries through an outage. */
export const RETRY_MS = 250;

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function notFound(e: unknown): boolean {
  return e instanceof NatsError && e.api_error?.code === 404;
}

/** What a server restart looks like from here: worth another try. */
export function transient(e: unknown): boolean {
  if (!(e instanceof NatsError)) return false;
  if (e.api_error?.code === 503) return true;
  return (
    e.code === ErrorCode.Timeout ||
    e.code === ErrorCode.NoResponders ||
    e.code === ErrorCode.Disconnect ||
    e.code === ErrorCode.ConnectionRefused
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
      if (s.type === 'disconnect' || s.type === 'reconnect') onEvent(`nats ${s.type}: ${s.data}`);
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
  let initialized = false;
  const watcher = await kv.watch({
    ...(key === undefined ? {} : { key }),
    initializedFn: () => {
      initialized = true;
    },
  });
  void (async () => {
    for await (const e of watcher) {
      apply(e);
      // The stored values are in once the last of them is applied (nothing pending after).
      if (e.delta === 0) loaded();
    }
  })();
  if (initialized && watcher.getReceived() === 0) loaded();
  await ready;
  return { stop: () => watcher.stop() };
}
