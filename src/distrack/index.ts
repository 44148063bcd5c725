// DISTRACK (seed §8c): distributions in constant memory — t-digest, P², reservoirs, EWMA,
// a rolling window and a many-instance pool. Pure: no I/O, no clock, seeded randomness.
import { guard, InvalidInput, type Result } from '../model/result.js';
import { FormatError, kindOf } from './bytes.js';
import { Ewma } from './ewma.js';
import { P2 } from './p2.js';
import { DecayedReservoir, Reservoir } from './reservoir.js';
import { RollingTDigest } from './rolling.js';
import type { Sketch } from './sketch.js';
import { TDigest } from './tdigest.js';

export { FormatError } from './bytes.js';
export { Ewma } from './ewma.js';
export { P2 } from './p2.js';
export { FORMAT_VERSION, POOL_QUANTILES, type SketchKind } from './params.js';
export { SketchPool } from './pool.js';
export { DecayedReservoir, Reservoir } from './reservoir.js';
export { RollingTDigest } from './rolling.js';
export type { Mergeable, Sketch } from './sketch.js';
export { TDigest } from './tdigest.js';

/** The sketch (or EWMA) that serialized bytes hold, or why they hold none. */
export function deserialize(bytes: Uint8Array): Result<Sketch | Ewma> {
  return guard(() => {
    try {
      switch (kindOf(bytes)) {
        case 'tdigest':
          return TDigest.deserialize(bytes);
        case 'p2':
          return P2.deserialize(bytes);
        case 'reservoir':
          return Reservoir.deserialize(bytes);
        case 'decayedReservoir':
          return DecayedReservoir.deserialize(bytes);
        case 'rollingTDigest':
          return RollingTDigest.deserialize(bytes);
        case 'ewma':
          return Ewma.deserialize(bytes);
      }
    } catch (e) {
      if (e instanceof FormatError) throw new InvalidInput(`sketch bytes: ${e.message}`);
      throw e;
    }
  });
}
