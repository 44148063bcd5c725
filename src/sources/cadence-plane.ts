// The cadence plane on the live feed (issue 6 §2): JetStream key-value bucket
// `violet_cadence`, one key per instance, its value a JSON object of the actions to set,
// e.g. {"decide": {"every_scans": 5}, "journal-flush": {"every_ms": 2000}}. The engine
// watches its key and applies a change between scans, audited in violet_control_audit
// like a control-endpoint write (who: `kv:REVISION`). `violet planes set cadence JSON
// --instance ID` writes it.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import { ACTIONS, type CadenceValue, parseQuantum } from '../engine/cadence.js';
import { asObj, guard, type Result, rejectUnknown } from '../model/index.js';
import { kvBucket, watchLoaded } from './jetstream.js';

export const CADENCE_BUCKET = 'violet_cadence';

export type { CadenceValue } from '../engine/cadence.js';

const text = new TextDecoder();

/** A stored cadence value, decoded and checked (unknown actions refused). */
export function parseCadenceValue(json: string): Result<CadenceValue> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'cadence: not valid JSON' };
  }
  return guard(() => {
    const o = asObj(raw, 'cadence');
    rejectUnknown(o, ACTIONS, 'cadence.');
    const out: CadenceValue = {};
    for (const a of ACTIONS) if (o[a] !== undefined) out[a] = parseQuantum(o[a], `cadence.${a}`);
    return out;
  });
}

function bucket(js: JetStreamClient): Promise<KV> {
  return kvBucket(js, CADENCE_BUCKET, { history: 1 });
}

/** Writes an instance's cadence (checked); the value stored is canonical JSON. */
export async function setCadence(
  js: JetStreamClient,
  instance: string,
  json: string,
): Promise<Result<{ revision: number; value: string }>> {
  const r = parseCadenceValue(json);
  if (!r.ok) return r;
  const value = JSON.stringify(r.value);
  const revision = await (await bucket(js)).put(instance, value);
  return { ok: true, value: { revision, value } };
}

/**
 * Watches an instance's key: the stored value, then each change, go to `apply`; resolves
 * once the stored value (if any) has been applied, so the first scan decides under it.
 */
export async function watchCadence(
  js: JetStreamClient,
  instance: string,
  apply: (value: CadenceValue, who: string) => void,
  onEvent: (line: string) => void,
): Promise<{ stop(): void }> {
  const kv = await bucket(js);
  const take = (e: KvEntry) => {
    if (e.operation !== 'PUT') return;
    const r = parseCadenceValue(text.decode(e.value));
    if (!r.ok) {
      onEvent(`cadence of ${instance}: ${r.reason}; ignored`);
      return;
    }
    apply(r.value, `kv:${e.revision}`);
  };
  return watchLoaded(kv, instance, take);
}
