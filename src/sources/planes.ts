// The plane bucket (issue 6 §2): a JetStream key-value bucket with one key per plane
// (`esof`, `acb`, `mc_status`, `posture`), each value the JSON of the Scan field of that
// name. The engine watches it; `violet planes set` writes it; `violet status` reads its ages.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import { type Clock, systemClock } from '../engine/clock.js';
import {
  isPlaneKey,
  NO_PLANES,
  PLANE_KEYS,
  type PlaneKey,
  type Planes,
  parsePlane,
  type Result,
} from '../model/index.js';
import { kvBound, kvBucket, watchLoaded } from './jetstream.js';

export const PLANES_BUCKET = 'violet_planes';

const text = new TextDecoder();

/** A stored plane value, decoded and checked. */
export function decodePlane<K extends PlaneKey>(key: K, json: string): Result<Planes[K]> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, reason: `${key}: not valid JSON` };
  }
  return parsePlane(key, raw);
}

function bucket(js: JetStreamClient): Promise<KV> {
  return kvBucket(js, PLANES_BUCKET, { history: 1 });
}

export interface PlaneWatch {
  /** The latest value of every plane (null: none, deleted, or invalid). */
  current(): Planes;
  /** Milliseconds since each plane was written, on the watch's clock (null: never, or deleted). */
  ages(): Record<PlaneKey, number | null>;
  stop(): void;
}

/**
 * Watches the bucket (created when missing); resolves once the stored values are loaded.
 * A plane's age is `clock`'s now less the time the server stored it.
 */
export async function watchPlanes(
  js: JetStreamClient,
  onEvent: (line: string) => void,
  clock: Clock = systemClock,
): Promise<PlaneWatch> {
  const kv = await bucket(js);
  let planes: Planes = NO_PLANES;
  const written = new Map<PlaneKey, number>();
  const apply = (e: KvEntry) => {
    const key = e.key;
    if (!isPlaneKey(key)) {
      onEvent(`plane ${key}: not one of ${PLANE_KEYS.join(', ')}; ignored`);
      return;
    }
    let value: Planes[PlaneKey] = null;
    if (e.operation === 'PUT') {
      const r = decodePlane(key, text.decode(e.value));
      if (r.ok) value = r.value;
      else onEvent(`plane ${r.reason}; taken as absent`);
    }
    planes = { ...planes, [key]: value };
    if (value === null) written.delete(key);
    else written.set(key, e.created.getTime());
  };
  const watcher = await watchLoaded(kv, undefined, apply);
  const ages = () => {
    const now = clock.now();
    return Object.fromEntries(
      PLANE_KEYS.map((k) => {
        const at = written.get(k);
        return [k, at === undefined ? null : now - at];
      }),
    ) as Record<PlaneKey, number | null>;
  };
  return { current: () => planes, ages, stop: () => watcher.stop() };
}

/** Writes one plane (checked by its Scan field rules); the value stored is canonical JSON. */
export async function setPlane(
  js: JetStreamClient,
  key: PlaneKey,
  json: string,
): Promise<Result<{ revision: number; value: string }>> {
  const r = decodePlane(key, json);
  if (!r.ok) return r;
  const value = JSON.stringify(JSON.parse(json));
  const revision = await (await bucket(js)).put(key, value);
  return { ok: true, value: { revision, value } };
}

export interface PlaneState {
  readonly value: unknown;
  readonly revision: number;
  /** When the bucket stored it (server time). */
  readonly written_ms: number;
}

/** Each plane's stored value, or null. */
export async function readPlanes(
  js: JetStreamClient,
): Promise<Record<PlaneKey, PlaneState | null>> {
  const out = Object.fromEntries(PLANE_KEYS.map((k) => [k, null])) as Record<
    PlaneKey,
    PlaneState | null
  >;
  // Bound, not created: a missing bucket reads as no values.
  const kv = await kvBound(js, PLANES_BUCKET);
  for (const k of PLANE_KEYS) {
    const e = await kv.get(k);
    if (e === null || e.operation !== 'PUT') continue;
    let value: unknown;
    try {
      value = JSON.parse(text.decode(e.value));
    } catch {
      value = text.decode(e.value);
    }
    out[k] = { value, revision: e.revision, written_ms: e.created.getTime() };
  }
  return out;
}
