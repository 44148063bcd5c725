// The live feed (issue 6 §1): scans on a JetStream stream, one message per archive line,
// read through a durable pull consumer. JetStream delivers at least once and may lose a
// delivery in flight (a server restart); this source hands the reactor each stream
// sequence once and in order (a gap is read back from the stream itself), and acknowledges
// only what the reactor has spooled (`commit`). A redelivery of what it already handed over
// comes marked `redelivered`, so the reactor skips it: nothing skipped, nothing decided twice.
import {
  AckPolicy,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { retry } from '../common/retry.js';
import type { CadenceValue } from '../engine/cadence.js';
import { systemClock, type WallClock } from '../engine/clock.js';
import type { ScanSource, SourceRecord } from '../engine/ports.js';
import { PLANE_KEYS, type PlaneKey, type Planes } from '../model/index.js';
import { watchCadence } from './cadence-plane.js';
import {
  connectNats,
  ensureStream,
  errorText,
  notFound,
  RETRY_MS,
  transient,
} from './jetstream.js';
import { type Lease, leaseKey, takeLease } from './lease.js';
import { type PlaneWatch, watchPlanes } from './planes.js';

/** Far above the time a batch takes to reach the spool: expiry means a lost engine. */
const ACK_WAIT_MS = 30_000;
/** Bounds what the server hands out unacknowledged, so a backlog cannot flood memory. */
const MAX_ACK_PENDING = 2048;
const PULL_MESSAGES = 512;
/** A pull request's life; also the client's back-off when it cannot re-pull after a reconnect. */
const PULL_EXPIRES_MS = 5000;
const IDLE_POLL_MS = 500;
/** How long closing waits for the last acknowledgements, and for the lease's release. */
const CLOSE_WAIT_MS = 2000;

const text = new TextDecoder();
/** What a read retried through an outage returns once the run is stopping. */
const ABORTED = Symbol('aborted');

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  subject: string,
): Promise<ConsumerInfo> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (e) {
    if (!notFound(e)) throw e;
    return jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: MAX_ACK_PENDING,
      filter_subject: subject,
    });
  }
}

export interface NatsSourceOptions {
  readonly url: string;
  readonly stream: string;
  readonly subject: string;
  readonly durable: string;
  /** The instance whose cadence plane (key in violet_cadence) this feed watches. */
  readonly instance?: string;
  /** End once no message arrived for this long (and none waits); null: run until aborted. */
  readonly idleExitMs: number | null;
  readonly signal: AbortSignal;
  readonly onEvent: (line: string) => void;
  /** Another engine took this durable's lease over (after a long outage): stop. */
  readonly onLeaseLost?: (why: string) => void;
  /** A plane older than its limit (wall ms since written; null: none) counts as absent. */
  readonly planeMaxAgeMs?: Readonly<Record<PlaneKey, number | null>>;
  /** The engine's status, stored with each lease renewal for `violet status`. */
  readonly describe?: () => unknown;
  /** Wall time and timers: idle exit, idle polls, plane ages, retries, the lease (default: the system's). */
  readonly clock?: WallClock;
}

export interface NatsSource extends ScanSource {
  /** The stream sequence consumption resumes at: just after the consumer's ack floor. */
  readonly resumeSeq: number;
  close(): Promise<void>;
}

class NatsFeed implements NatsSource {
  readonly bytes = null;
  readonly name: string;
  private queue: JsMsg[] = [];
  private wake: (() => void) | null = null;
  private readonly unacked = new Map<SourceRecord, JsMsg>();
  private nextSeq: number;
  private lastArrival: number;
  private stalled = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly watch: PlaneWatch,
    private readonly lease: Lease,
    private readonly o: NatsSourceOptions,
    readonly resumeSeq: number,
    private readonly clock: WallClock,
  ) {
    this.name = o.stream;
    this.nextSeq = resumeSeq;
    this.lastArrival = clock.now();
  }

  private readonly stale = new Set<PlaneKey>();
  private cadence: { stop(): void } | null = null;

  async watchCadence(apply: (value: CadenceValue, who: string) => void): Promise<void> {
    this.cadence = await watchCadence(
      jetstream(this.nc),
      this.o.instance ?? this.o.durable,
      apply,
      this.o.onEvent,
    );
  }

  /** The latest planes; one older than its staleness limit is absent (said once, on change). */
  planes(): Planes {
    const planes = this.watch.current();
    const limits = this.o.planeMaxAgeMs;
    if (limits === undefined) return planes;
    const ages = this.watch.ages();
    let out = planes;
    for (const k of PLANE_KEYS) {
      const limit = limits[k];
      const age = ages[k];
      const stale = limit !== null && age !== null && age > limit;
      if (stale !== this.stale.has(k)) {
        if (stale) this.stale.add(k);
        else this.stale.delete(k);
        this.o.onEvent(
          stale
            ? `plane ${k}: written ${Math.round((age as number) / 1000)} s ago, over its ${limit / 1000} s limit; taken as absent`
            : `plane ${k}: fresh again`,
        );
      }
      if (stale) out = { ...out, [k]: null };
    }
    return out;
  }

  planeAges(): Readonly<Record<string, number | null>> {
    return this.watch.ages();
  }

  private async retrying<T>(f: () => Promise<T>): Promise<T | typeof ABORTED> {
    const { signal } = this.o;
    try {
      return await retry<T | typeof ABORTED>(
        () => (signal.aborted ? Promise.resolve(ABORTED) : f()),
        {
          retryable: transient,
          sleep: (ms) => this.clock.sleep(ms),
          firstMs: RETRY_MS,
          signal,
        },
      );
    } catch (e) {
      // A transient failure once stopped: stopped, as an abort before it would be.
      if (signal.aborted && transient(e)) return ABORTED;
      throw e;
    }
  }

  /** The message at `seq` read from the stream; null if gone or another subject's. */
  private async stored(seq: number): Promise<SourceRecord | null | typeof ABORTED> {
    const m = await this.retrying(() =>
      this.jsm.streams.getMessage(this.o.stream, { seq }).catch((e: unknown) => {
        if (notFound(e)) return null;
        throw e;
      }),
    );
    if (m === null || m === ABORTED) return m;
    return m.subject === this.o.subject ? { seq, text: text.decode(m.data) } : null;
  }

  /** Sequences nextSeq..upTo, lost in flight or held by a dead run; false once aborted. */
  private async fill(upTo: number, out: SourceRecord[]): Promise<boolean> {
    if (this.nextSeq <= upTo) {
      this.o.onEvent(`reading stream sequences ${this.nextSeq}..${upTo} back from the stream`);
    }
    for (let seq = this.nextSeq; seq <= upTo; seq++) {
      const r = await this.stored(seq);
      if (r === ABORTED) return false;
      if (r !== null) out.push(r);
      this.nextSeq = seq + 1;
    }
    return true;
  }

  async warmup(count: number): Promise<readonly SourceRecord[]> {
    const out: SourceRecord[] = [];
    const info = await this.jsm.streams.info(this.o.stream);
    const first = Math.max(1, info.state.first_seq);
    for (let seq = this.resumeSeq - 1; seq >= first && out.length < count; seq--) {
      const r = await this.stored(seq);
      if (r === ABORTED) break;
      if (r !== null) out.push(r);
    }
    return out.reverse();
  }

  private arrive(m: JsMsg): void {
    this.queue.push(m);
    this.lastArrival = this.clock.now();
    this.wake?.();
  }

  private waitForMessages(ms: number): Promise<void> {
    if (this.queue.length > 0 || this.o.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        timer.cancel();
        this.o.signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = this.clock.after(ms, done);
      this.wake = done;
      this.o.signal.addEventListener('abort', done);
    });
  }

  /** The queued messages in stream order, gaps filled from the stream. */
  private async take(out: SourceRecord[]): Promise<boolean> {
    const taken = this.queue;
    this.queue = [];
    for (const m of taken) {
      const seq = m.info.streamSequence;
      if (seq > this.nextSeq && !(await this.fill(seq - 1, out))) return false;
      const r: SourceRecord = { seq, text: text.decode(m.data), redelivered: seq < this.nextSeq };
      this.unacked.set(r, m);
      out.push(r);
      if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    }
    return true;
  }

  /**
   * While idle: what the server counts as delivered but never arrived (or a dead run held)
   * is read from the stream at once, not after the ack wait. Notes a stalled pull: messages
   * wait while the server holds no pull request of ours (the client library lost track of an
   * expired one and would wait for its heartbeat check, seconds). Returns the consumer's
   * backlog, null when the server cannot say (an outage).
   */
  private async idle(out: SourceRecord[]): Promise<number | null | typeof ABORTED> {
    let info: ConsumerInfo;
    try {
      info = await this.jsm.consumers.info(this.o.stream, this.o.durable);
    } catch {
      return null;
    }
    // A message that arrived meanwhile goes through `take`, which fills any gap before it.
    const lost = this.queue.length === 0 && info.delivered.stream_seq >= this.nextSeq;
    if (lost && !(await this.fill(info.delivered.stream_seq, out))) return ABORTED;
    this.stalled = this.queue.length === 0 && info.num_pending > 0 && info.num_waiting === 0;
    return info.num_pending;
  }

  /** --idle-exit: nothing arrived for that long, and nothing waits in the stream. */
  private idleEnds(waiting: number | null): boolean {
    const limit = this.o.idleExitMs;
    return limit !== null && (waiting ?? 0) === 0 && this.clock.now() - this.lastArrival >= limit;
  }

  async *batches(): AsyncIterable<readonly SourceRecord[]> {
    const consumer = await jetstream(this.nc).consumers.get(this.o.stream, this.o.durable);
    const pull = () =>
      consumer.consume({
        max_messages: PULL_MESSAGES,
        expires: PULL_EXPIRES_MS,
        callback: (m) => this.arrive(m),
      });
    let messages = await pull();
    try {
      while (!this.o.signal.aborted) {
        await this.waitForMessages(IDLE_POLL_MS);
        if (this.o.signal.aborted) break;
        const out: SourceRecord[] = [];
        if (this.queue.length > 0) {
          if (!(await this.take(out))) break;
        } else {
          const waiting = await this.idle(out);
          if (waiting === ABORTED) break;
          if (out.length === 0 && this.idleEnds(waiting)) break;
          if (this.stalled) {
            // Pull afresh; what the old pull may still deliver is filled from the stream.
            this.o.onEvent(`pull stalled with ${waiting} waiting: pulling again`);
            this.stalled = false;
            try {
              const fresh = await pull();
              await messages.close();
              messages = fresh;
            } catch (e) {
              this.o.onEvent(`pulling again failed (${errorText(e)}); retrying when idle`);
            }
          }
        }
        if (out.length > 0) yield out;
      }
    } finally {
      await messages.close();
    }
  }

  async commit(batch: readonly SourceRecord[]): Promise<void> {
    for (const r of batch) {
      const m = this.unacked.get(r);
      if (m === undefined) continue;
      m.ack();
      this.unacked.delete(r);
    }
  }

  async close(): Promise<void> {
    this.watch.stop();
    this.cadence?.stop();
    this.unacked.clear();
    // The last acknowledgements reach the server before the connection goes.
    const flushed = this.nc.flush().catch(() => {});
    await this.atMost(CLOSE_WAIT_MS, flushed);
    await this.atMost(CLOSE_WAIT_MS, this.lease.release());
    await this.nc.close();
  }

  /** `p`, or nothing once `ms` have passed (the timer does not hold the process). */
  private async atMost(ms: number, p: Promise<void>): Promise<void> {
    let expire = () => {};
    const expiry = new Promise<void>((resolve) => {
      expire = resolve;
    });
    const timer = this.clock.after(ms, () => expire(), { unref: true });
    try {
      await Promise.race([p, expiry]);
    } finally {
      timer.cancel();
    }
  }
}

/** Connects, creates the stream and the durable consumer when missing, loads the planes. */
export async function natsSource(o: NatsSourceOptions): Promise<NatsSource> {
  const nc = await connectNats(o.url, `violet shadow ${o.durable}`, o.onEvent);
  const clock = o.clock ?? systemClock;
  let lease: Lease | null = null;
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await ensureStream(jsm, o.stream, o.subject);
    lease = await takeLease(
      jetstream(nc),
      leaseKey(o.stream, o.durable),
      `durable consumer ${o.durable} of ${o.stream}`,
      o.onEvent,
      (why) => (o.onLeaseLost ?? o.onEvent)(why),
      o.describe,
      clock,
    );
    const info = await ensureConsumer(jsm, o.stream, o.durable, o.subject);
    const watch = await watchPlanes(jetstream(nc), o.onEvent, clock);
    const resume = Math.max(info.ack_floor.stream_seq + 1, stream.state.first_seq);
    return new NatsFeed(nc, jsm, watch, lease, o, resume, clock);
  } catch (e) {
    await lease?.release();
    await nc.close();
    throw e;
  }
}
