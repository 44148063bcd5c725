// The live feed's state for `violet status`: the stream, the engine's consumer, the planes.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Clock, systemClock } from '../engine/clock.js';
import type { PlaneKey } from '../model/index.js';
import { kvBound, notFound } from './jetstream.js';
import { type Holder, LEASE_BUCKET, leaseKey, parseHolder } from './lease.js';
import { type PlaneState, readPlanes } from './planes.js';

export interface FeedStatus {
  readonly stream: string;
  /** null: no such stream yet. */
  readonly stream_state: {
    readonly messages: number;
    readonly first_seq: number;
    readonly last_seq: number;
    readonly last_age_ms: number | null;
  } | null;
  readonly durable: string;
  /** null: no such consumer yet. */
  readonly consumer: {
    readonly name: string;
    /** Lag: stream messages not yet delivered to the engine. */
    readonly num_pending: number;
    readonly num_ack_pending: number;
    readonly num_redelivered: number;
    readonly delivered_seq: number;
    readonly ack_floor_seq: number;
  } | null;
  readonly planes: Record<PlaneKey, (PlaneState & { readonly age_ms: number }) | null>;
  /** The engine holding the durable's lease, with its status at its last renewal; null: none. */
  readonly engine: (Holder & { readonly renewed_age_ms: number }) | null;
}

async function engineOf(
  nc: NatsConnection,
  stream: string,
  durable: string,
  clock: Clock,
): Promise<FeedStatus['engine']> {
  const kv = await kvBound(jetstream(nc), LEASE_BUCKET);
  const e = await kv.get(leaseKey(stream, durable)).catch(() => null);
  if (e === null || e.operation !== 'PUT') return null;
  const h = parseHolder(e.value);
  return h === null ? null : { ...h, renewed_age_ms: clock.now() - e.created.getTime() };
}

export async function feedStatus(
  nc: NatsConnection,
  stream: string,
  durable: string,
  clock: Clock = systemClock,
): Promise<FeedStatus> {
  const jsm = await jetstreamManager(nc);
  const orNull = (e: unknown) => {
    if (notFound(e)) return null;
    throw e;
  };
  const si = await jsm.streams.info(stream).catch(orNull);
  const ci = si === null ? null : await jsm.consumers.info(stream, durable).catch(orNull);
  const stored = await readPlanes(jetstream(nc));
  const engine = await engineOf(nc, stream, durable, clock).catch((e: unknown) => {
    if (notFound(e)) return null;
    throw e;
  });
  const now = clock.now();
  const planes = Object.fromEntries(
    Object.entries(stored).map(([k, p]) => [
      k,
      p === null ? null : { ...p, age_ms: now - p.written_ms },
    ]),
  ) as FeedStatus['planes'];
  return {
    stream,
    stream_state:
      si === null
        ? null
        : {
            messages: si.state.messages,
            first_seq: si.state.first_seq,
            last_seq: si.state.last_seq,
            last_age_ms: si.state.messages === 0 ? null : now - Date.parse(si.state.last_ts),
          },
    durable,
    consumer:
      ci === null
        ? null
        : {
            name: ci.name,
            num_pending: ci.num_pending,
            num_ack_pending: ci.num_ack_pending,
            num_redelivered: ci.num_redelivered,
            delivered_seq: ci.delivered.stream_seq,
            ack_floor_seq: ci.ack_floor.stream_seq,
          },
    planes,
    engine,
  };
}
