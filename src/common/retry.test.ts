import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retry, type Sleep } from './retry.js';

/** A virtual clock: sleeping moves its time at once, and the waits are recorded. */
function virtualTime() {
  const v = { now: 0, waits: [] as number[], signals: [] as (AbortSignal | undefined)[] };
  const sleep: Sleep = async (ms, signal) => {
    v.waits.push(ms);
    v.signals.push(signal);
    v.now += ms;
  };
  return { v, sleep };
}

class Transient extends Error {}

/** Fails `n` times with `make()`, then answers `value`. */
function failing<T>(n: number, value: T, make: () => Error = () => new Transient('busy')) {
  const calls: number[] = [];
  const f = async (attempt: number) => {
    calls.push(attempt);
    if (calls.length <= n) throw make();
    return value;
  };
  return { f, calls };
}

const retryable = (e: unknown) => e instanceof Transient;

describe('retry', () => {
  it('answers at once when the first attempt succeeds, without waiting', async () => {
    const { v, sleep } = virtualTime();
    const { f, calls } = failing(0, 'ok');
    await expect(retry(f, { retryable, sleep, firstMs: 100 })).resolves.toBe('ok');
    expect(calls).toEqual([1]);
    expect(v.waits).toEqual([]);
  });

  it('doubles the wait up to the cap', async () => {
    const { v, sleep } = virtualTime();
    const { f, calls } = failing(7, 42);
    const seen: [number, number][] = [];
    const r = await retry(f, {
      retryable,
      sleep,
      firstMs: 1000,
      maxMs: 10_000,
      onRetry: (_e, ms, attempt) => seen.push([attempt, ms]),
    });
    expect(r).toBe(42);
    expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(v.waits).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect(seen).toEqual(v.waits.map((ms, k) => [k + 1, ms]));
    expect(v.now).toBe(45_000);
  });

  it('waits the same each time without a cap of its own', async () => {
    const { v, sleep } = virtualTime();
    await retry(failing(3, null).f, { retryable, sleep, firstMs: 250 });
    expect(v.waits).toEqual([250, 250, 250]);
  });

  it('throws a failure that is not retryable at once', async () => {
    const { v, sleep } = virtualTime();
    const boom = new Error('bad request');
    const { f, calls } = failing(5, 'never', () => boom);
    await expect(retry(f, { retryable, sleep, firstMs: 10 })).rejects.toBe(boom);
    expect(calls).toEqual([1]);
    expect(v.waits).toEqual([]);
  });

  it('a predicate may give up later (a deadline on the virtual clock)', async () => {
    const { v, sleep } = virtualTime();
    const { f, calls } = failing(100, 'never');
    await expect(
      retry(f, { retryable: (e) => retryable(e) && v.now < 1000, sleep, firstMs: 300 }),
    ).rejects.toBeInstanceOf(Transient);
    expect(v.waits).toEqual([300, 300, 300, 300]);
    expect(calls).toHaveLength(5);
  });

  it('once aborted, a failure is thrown rather than retried; the wait gets the signal', async () => {
    const { v, sleep } = virtualTime();
    const stop = new AbortController();
    const f = async (attempt: number) => {
      if (attempt === 3) stop.abort();
      throw new Transient(`attempt ${attempt}`);
    };
    await expect(
      retry(f, { retryable, sleep, firstMs: 5, maxMs: 80, signal: stop.signal }),
    ).rejects.toThrow('attempt 3');
    expect(v.waits).toEqual([5, 10]);
    expect(v.signals).toEqual([stop.signal, stop.signal]);
  });

  it('an abort during a wait: the attempt after it still runs (it may finish the work)', async () => {
    const stop = new AbortController();
    const sleep: Sleep = async (_ms, signal) => {
      stop.abort();
      expect(signal?.aborted).toBe(true);
    };
    const { f, calls } = failing(1, 'done');
    await expect(retry(f, { retryable, sleep, firstMs: 5, signal: stop.signal })).resolves.toBe(
      'done',
    );
    expect(calls).toEqual([1, 2]);
  });

  it('property: the waits are min(first·2^k, max), and their count is the failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 100_000 }),
        async (failures, first, max) => {
          const { v, sleep } = virtualTime();
          await retry(failing(failures, true).f, { retryable, sleep, firstMs: first, maxMs: max });
          expect(v.waits).toHaveLength(failures);
          for (const [k, ms] of v.waits.entries()) {
            expect(ms).toBe(Math.min(Math.min(first, max) * 2 ** k, max));
          }
        },
      ),
    );
  });
});
