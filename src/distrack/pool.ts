// A million instances' distributions in a handful of typed arrays (seed §8c): per instance
// a count, an EWMA mean and variance, and three P² marker sets (POOL_QUANTILES). 27 doubles,
// 216 bytes an instance, no object per instance.
import { checkValue } from './bytes.js';
import { ewmaStep } from './ewma.js';
import { P2_HEIGHTS, P2_POSITIONS, p2Estimate, p2Step } from './p2.js';
import { EWMA_ALPHA, POOL_QUANTILES } from './params.js';

const TRACKED = POOL_QUANTILES.length;
const H_STRIDE = TRACKED * P2_HEIGHTS;
const P_STRIDE = TRACKED * P2_POSITIONS;

export class SketchPool {
  private readonly count: Float64Array;
  private readonly ewma: Float64Array;
  private readonly heights: Float64Array;
  private readonly positions: Float64Array;

  constructor(
    readonly size: number,
    readonly alpha: number = EWMA_ALPHA,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`pool: size ${size}`);
    if (!(alpha > 0 && alpha <= 1))
      throw new RangeError(`pool: alpha must be in (0, 1], got ${alpha}`);
    this.count = new Float64Array(size);
    this.ewma = new Float64Array(size * 2);
    this.heights = new Float64Array(size * H_STRIDE);
    this.positions = new Float64Array(size * P_STRIDE);
  }

  /** The quantiles every instance tracks. */
  static readonly quantiles = POOL_QUANTILES;

  /** Bytes of state per instance (the typed arrays' total over the size). */
  static readonly bytesPerInstance = 8 * (1 + 2 + H_STRIDE + P_STRIDE);

  /** Bytes of state held: every typed array. */
  bytes(): number {
    return (
      this.count.byteLength +
      this.ewma.byteLength +
      this.heights.byteLength +
      this.positions.byteLength
    );
  }

  add(instance: number, x: number): void {
    checkValue(x);
    const seen = this.count[instance];
    if (seen === undefined) throw new RangeError(`pool: no instance ${instance}`);
    ewmaStep(this.ewma, instance * 2, this.alpha, seen, x);
    const ho = instance * H_STRIDE;
    const po = instance * P_STRIDE;
    for (let j = 0; j < TRACKED; j++) {
      p2Step(
        this.heights,
        ho + j * P2_HEIGHTS,
        this.positions,
        po + j * P2_POSITIONS,
        seen,
        POOL_QUANTILES[j] as number,
        x,
      );
    }
    this.count[instance] = seen + 1;
  }

  n(instance: number): number {
    return this.count[instance] as number;
  }

  mean(instance: number): number {
    return this.n(instance) === 0 ? Number.NaN : (this.ewma[instance * 2] as number);
  }

  variance(instance: number): number {
    return this.n(instance) === 0 ? Number.NaN : (this.ewma[instance * 2 + 1] as number);
  }

  /** The estimate of POOL_QUANTILES[j] for an instance. */
  quantile(instance: number, j: number): number {
    const p = POOL_QUANTILES[j];
    if (p === undefined) throw new RangeError(`pool: no tracked quantile ${j}`);
    return p2Estimate(this.heights, instance * H_STRIDE + j * P2_HEIGHTS, this.n(instance), p);
  }
}
