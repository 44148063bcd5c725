// Retrying what may succeed next time (a venue's rate limit, a server restarting): the wait
// doubles from `firstMs` up to `maxMs`. Time is not read here: the caller gives the sleep
// (its clock's, so a test or a warped clock drives the waits).

/** Waits `ms`; ends early (resolving, not rejecting) once `signal` aborts, if one is given. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryOptions {
  /** Whether a failure may succeed next time; any other failure is thrown at once. */
  readonly retryable: (e: unknown) => boolean;
  readonly sleep: Sleep;
  /** The first wait. */
  readonly firstMs: number;
  /** The longest wait (the doubling stops there); default `firstMs`: a constant wait. */
  readonly maxMs?: number;
  /** Once aborted, a failure is thrown rather than retried; a wait under way is cut short. */
  readonly signal?: AbortSignal;
  /** Called before each wait with the failure, the wait and the attempt that failed (1, 2…). */
  readonly onRetry?: (e: unknown, waitMs: number, attempt: number) => void;
}

/** `f` until it succeeds, a failure is not retryable, or the signal aborts. */
export async function retry<T>(f: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const maxMs = o.maxMs ?? o.firstMs;
  let wait = Math.min(o.firstMs, maxMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await f(attempt);
    } catch (e) {
      if (!o.retryable(e) || o.signal?.aborted === true) throw e;
      o.onRetry?.(e, wait, attempt);
      await o.sleep(wait, o.signal);
      wait = Math.min(maxMs, wait * 2);
    }
  }
}
