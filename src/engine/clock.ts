// The Clock seam (CONVENTIONS: NautilusTrader): time is read only through it. Replay time
// is scan time, live time is wall time, so replay and live take the same decisions.
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
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

export class LiveClock implements Clock {
  now(): number {
    return Date.now();
  }
}
