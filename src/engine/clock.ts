// The Clock seam (CONVENTIONS: NautilusTrader): time is read, and waited for, only through
// it. Replay time is scan time, live time is wall time, so replay and live take the same
// decisions; a test drives a VirtualClock instead of sleeping. This is the one module that
// reads the host's clock or arms the host's timers: lint/time-through-clock.grit refuses
// `Date.now`, `new Date()`, `performance.now`, `setTimeout` and `setInterval` anywhere else
// in src (tests, test support and the benches aside).

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** A callback scheduled on a clock; cancelling twice, or after it fired, does nothing. */
export interface Timer {
  cancel(): void;
}

export interface TimerOptions {
  /** The timer alone does not keep the process alive (Node's `unref`); a virtual clock ignores it. */
  readonly unref?: boolean;
}

/** A clock whose time passes by itself, with waiting and timers on that same time. */
export interface WallClock extends Clock {
  /** Resolves after `ms` of this clock's time, or at once when `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once, `ms` from now. */
  after(ms: number, fn: () => void, o?: TimerOptions): Timer;
  /** Calls `fn` every `ms` (> 0) until cancelled. */
  every(ms: number, fn: () => void, o?: TimerOptions): Timer;
}

/** `sleep` on any clock's `after`: resolves when the timer fires or the signal aborts. */
function sleepOn(clock: WallClock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.after(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class ReplayClock implements Clock {
  private t = 0;
  now(): number {
    return this.t;
  }
  /** Advanced by the reactor to each scan's ts; never moves backwards. */
  advance(ts: number): void {
    if (ts > this.t) this.t = ts;
  }
}

/** The host's wall clock and timers. */
export class LiveClock implements WallClock {
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
  after(ms: number, fn: () => void, o: TimerOptions = {}): Timer {
    const t = setTimeout(fn, Math.max(0, ms));
    if (o.unref === true) t.unref();
    return { cancel: () => clearTimeout(t) };
  }
  every(ms: number, fn: () => void, o: TimerOptions = {}): Timer {
    if (!(ms > 0)) throw new RangeError(`every: period must be > 0 ms, not ${ms}`);
    const t = setInterval(fn, ms);
    if (o.unref === true) t.unref();
    return { cancel: () => clearInterval(t) };
  }
}

/** The process's wall clock: the default wherever a clock is not injected. */
export const systemClock: WallClock = new LiveClock();

/**
 * Simulated time on another clock: from `base` time `baseStart` on, it reads `simStart`
 * and runs `speed` times faster; waits and timers shrink alike (`violet scan --live` under
 * VIOLET_TIME_WARP).
 */
export function warpedClock(
  base: WallClock,
  simStart: number,
  baseStart: number,
  speed: number,
): WallClock {
  if (!(speed > 0)) throw new RangeError(`warpedClock: speed must be > 0, not ${speed}`);
  const clock: WallClock = {
    now: () => simStart + (base.now() - baseStart) * speed,
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
    after: (ms, fn, o) => base.after(ms / speed, fn, o),
    every: (ms, fn, o) => base.every(ms / speed, fn, o),
  };
  return clock;
}

interface Scheduled {
  at: number;
  /** Order of arming: timers due at the same time fire in the order they were set. */
  seq: number;
  readonly fn: () => void;
  /** The period of an `every`; undefined for `after`. */
  readonly period: number | undefined;
  cancelled: boolean;
}

/**
 * Time that moves only when told (`tick`, `tickTo`): the clock a test drives in place of
 * sleeping. Timers fire in time order, each with `now()` at its own due time. (No method is
 * named `advance`: the reactor moves a clock that has one, the ReplayClock, to scan time.)
 */
export class VirtualClock implements WallClock {
  private t: number;
  private seq = 0;
  private queue: Scheduled[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  after(ms: number, fn: () => void): Timer {
    return this.schedule(Math.max(0, ms), fn, undefined);
  }

  every(ms: number, fn: () => void): Timer {
    if (!(ms > 0)) throw new RangeError(`every: period must be > 0 ms, not ${ms}`);
    return this.schedule(ms, fn, ms);
  }

  /** Timers armed and not yet fired or cancelled. */
  get pending(): number {
    return this.queue.filter((s) => !s.cancelled).length;
  }

  /** The due time of the next timer, or null when none is armed. */
  nextAt(): number | null {
    return this.next()?.at ?? null;
  }

  /** Moves time `ms` forward, firing every timer due on the way (see `tickTo`). */
  tick(ms: number): void {
    this.tickTo(this.t + ms);
  }

  /**
   * Moves time forward to `t` (never back), firing the timers due up to it in time order,
   * a timer armed by one of them included if it falls due by `t`.
   */
  tickTo(t: number): void {
    for (let s = this.next(); s !== null && s.at <= t; s = this.next()) this.fire(s);
    if (t > this.t) this.t = t;
  }

  /**
   * `tick` for code that awaits: after each timer fires, pending promise continuations
   * and I/O callbacks get an event-loop turn, so a loop that sleeps again and again (a rate
   * limit, a poll) is driven through the whole span.
   */
  async tickAsync(ms: number): Promise<void> {
    const t = this.t + ms;
    await turn();
    for (let s = this.next(); s !== null && s.at <= t; s = this.next()) {
      this.fire(s);
      await turn();
    }
    if (t > this.t) this.t = t;
  }

  private schedule(ms: number, fn: () => void, period: number | undefined): Timer {
    const s: Scheduled = { at: this.t + ms, seq: this.seq++, fn, period, cancelled: false };
    this.queue.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
        this.queue = this.queue.filter((q) => q !== s);
      },
    };
  }

  private next(): Scheduled | null {
    let best: Scheduled | null = null;
    for (const s of this.queue) {
      if (best === null || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    }
    return best;
  }

  private fire(s: Scheduled): void {
    if (s.at > this.t) this.t = s.at;
    if (s.period === undefined) {
      s.cancelled = true;
      this.queue = this.queue.filter((q) => q !== s);
    } else {
      s.at += s.period;
      s.seq = this.seq++;
    }
    s.fn();
  }
}

/** One event-loop turn: promise continuations and I/O callbacks queued so far run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
