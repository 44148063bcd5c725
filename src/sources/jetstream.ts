// JetStream basics shared by the live feed, the publisher and the status: the connection,
// the scan stream, and which errors are a server restart (worth another try).
import {
  connect,
  ErrorCode,
  type JetStreamManager,
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
