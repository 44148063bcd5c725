// The live scanner's clock: wall time, or — for simulations and tests — a warped clock
// (VIOLET_TIME_WARP="SIM_START_MS,WALL_START_MS,SPEED": simulated time runs SPEED times
// faster than the wall from that origin, and waits shrink alike).
import { UsageError } from '../common/errors.js';
import { systemClock, type WallClock, warpedClock } from '../engine/clock.js';
import type { LiveClock } from './live.js';

export function liveClock(warp: string | undefined, wall: WallClock = systemClock): LiveClock {
  if (warp === undefined || warp === '') return wall;
  const [sim, start, speed] = warp.split(',').map(Number);
  if (![sim, start, speed].every((x) => Number.isFinite(x)) || !((speed as number) > 0)) {
    throw new UsageError('VIOLET_TIME_WARP: expected SIM_START_MS,WALL_START_MS,SPEED');
  }
  return warpedClock(wall, sim as number, start as number, speed as number);
}
