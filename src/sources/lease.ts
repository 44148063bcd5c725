// One engine per durable consumer (issue 6 §5): two engines pulling from the same durable
// would split its messages, each seeing the other's as gaps, and decide on broken price
// histories. An engine therefore holds a lease on its durable in a JetStream key-value bucket
// whose entries expire (TTL) unless renewed: taken with `create` (fails if held), renewed by
// compare-and-set on its revision, deleted on a clean exit. A lease left by a killed engine
// on this host is taken over at once (its pid is gone); one from another host frees itself
// after the TTL.
import { hostname } from 'node:os';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { UsageError } from '../common/errors.js';
import { processAlive } from '../common/process.js';
import { systemClock, type WallClock } from '../engine/clock.js';
import { errorText, kvBucket } from './jetstream.js';

export const LEASE_BUCKET = 'violet_leases';
export const LEASE_TTL_MS = 15_000;
const RENEW_MS = 2_000;

export interface Holder {
  readonly host: string;
  readonly pid: number;
  readonly since_ms: number;
  /** The engine's own status at the last renewal (`violet status` shows it). */
  readonly status?: unknown;
}

export interface Lease {
  readonly key: string;
  release(): Promise<void>;
}

/** A key-value key for a stream's durable consumer (keys allow [-/_=.a-zA-Z0-9]). */
export function leaseKey(stream: string, durable: string): string {
  return `${stream}.${durable}`.replace(/[^-/_=.a-zA-Z0-9]/g, '_');
}

export function parseHolder(bytes: Uint8Array): Holder | null {
  try {
    const h = JSON.parse(new TextDecoder().decode(bytes));
    return typeof h?.host === 'string' && Number.isInteger(h?.pid) ? (h as Holder) : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lease or says who holds it; `onLost` fires if another engine takes it over.
 * Each renewal also stores `describe()`, the engine's status, beside the holder.
 */
export async function takeLease(
  js: JetStreamClient,
  key: string,
  what: string,
  onEvent: (line: string) => void,
  onLost: (why: string) => void,
  describe: () => unknown = () => null,
  clock: WallClock = systemClock,
): Promise<Lease> {
  const kv: KV = await kvBucket(js, LEASE_BUCKET, { history: 1, ttl: LEASE_TTL_MS });
  const me: Holder = { host: hostname(), pid: process.pid, since_ms: clock.now() };
  let body = JSON.stringify(me);
  let revision = 0;
  for (let attempt = 0; revision === 0; attempt++) {
    try {
      revision = await kv.create(key, body);
      break;
    } catch {
      // Held (or raced): see by whom.
    }
    const e = await kv.get(key);
    if (e === null || e.operation !== 'PUT') {
      if (attempt < 5) continue;
      throw new UsageError(`${what}: cannot take its lease ${LEASE_BUCKET}/${key}`);
    }
    const h = parseHolder(e.value);
    if (h !== null && h.host === me.host && (h.pid === me.pid || !processAlive(h.pid))) {
      try {
        revision = await kv.update(key, body, e.revision);
        if (h.pid !== me.pid) onEvent(`${what}: took over the lease of engine pid ${h.pid} (gone)`);
        break;
      } catch {
        if (attempt < 5) continue;
      }
    }
    const who = h === null ? 'an unknown holder' : `pid ${h.pid} on ${h.host}`;
    throw new UsageError(
      `${what} is in use by another engine (${who}): one engine per durable consumer; give this one another --durable or instance, or wait ${LEASE_TTL_MS / 1000} s after that engine died`,
    );
  }
  let lost = false;
  const renew = async () => {
    if (lost) return;
    try {
      body = JSON.stringify({ ...me, status: describe() });
      revision = await kv.update(key, body, revision);
      return;
    } catch (e) {
      // An outage: the next renewal tries again. Expired meanwhile: take it afresh.
      const now = await kv.get(key).catch(() => undefined);
      if (now === undefined) return onEvent(`${what}: lease renewal failed: ${errorText(e)}`);
      if (now === null || now.operation !== 'PUT') {
        const taken = await kv.create(key, body).catch(() => 0);
        if (taken !== 0) {
          revision = taken;
          return;
        }
      }
      const h = now === null ? null : parseHolder(now.value);
      if (h !== null && h.host === me.host && h.pid === me.pid) {
        revision = now?.revision ?? revision;
        return;
      }
      lost = true;
      onLost(
        `${what}: lease taken over by ${h === null ? 'another engine' : `pid ${h.pid} on ${h.host}`}`,
      );
    }
  };
  const timer = clock.every(RENEW_MS, () => void renew(), { unref: true });
  return {
    key,
    async release() {
      timer.cancel();
      if (lost) return;
      await kv.delete(key, { previousSeq: revision }).catch(() => {});
    },
  };
}
