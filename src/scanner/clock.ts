// The live scanner's clock: wall time, or — for simulations and tests — a warped clock
// (VIOLET_TIME_WARP="SIM_START_MS,WALL_START_MS,SPEED": simulated time runs SPEED times
// faster than the wall from that origin, and waits shrink alike).
import { UsageError } from '../common/errors.js';
import type { LiveClock } from './live.js';

function sleepWall(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function liveClock(warp: string | undefined): LiveClock {
  if (warp === undefined || warp === '') {
    return { now: () => Date.now(), sleep: sleepWall };
  }
  const [sim, wall, speed] = warp.split(',').map(Number);
  if (![sim, wall, speed].every((x) => Number.isFinite(x)) || !((speed as number) > 0)) {
    throw new UsageError('VIOLET_TIME_WARP: expected SIM_START_MS,WALL_START_MS,SPEED');
  }
  return {
    now: () => (sim as number) + (Date.now() - (wall as number)) * (speed as number),
    sleep: (ms, signal) => sleepWall(ms / (speed as number), signal),
  };
}
