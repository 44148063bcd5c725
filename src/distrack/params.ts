// Every constant of DISTRACK in one place: formats, defaults, and the sizes they imply.

/** First byte of every serialized sketch; bumped when a layout changes. */
export const FORMAT_VERSION = 1;

/** Second byte: which sketch the bytes hold. */
export const SKETCH_KIND = {
  tdigest: 1,
  p2: 2,
  reservoir: 3,
  decayedReservoir: 4,
  ewma: 5,
  rollingTDigest: 6,
} as const;

export type SketchKind = keyof typeof SKETCH_KIND;

/**
 * t-digest compression δ for the k2 scale. With 1,000,000 values it keeps 170–190
 * centroids, which serialize in under 1.9 KB (issue 17's budget: 2 KB).
 */
export const TDIGEST_COMPRESSION = 260;

/**
 * The widest a t-digest centroid may grow, as a fraction of the stream. k2 alone lets the
 * middle centroids hold ~5% each, and linear interpolation across them misses the median of
 * a lognormal or Pareto stream by ~1e-3 in rank; at 2% it stays under 5e-4.
 */
export const TDIGEST_MAX_SPAN = 0.02;

/** Values buffered before a merge pass: larger buffers mean fewer passes, crisper centroids. */
export const TDIGEST_BUFFER = 16384;

/** Reservoir size when none is given. */
export const RESERVOIR_SIZE = 1024;

/** EWMA smoothing weight of the newest sample when none is given. */
export const EWMA_ALPHA = 0.01;

/** The quantiles the instance pool tracks with P² (three, per issue 17). */
export const POOL_QUANTILES = [0.5, 0.99, 0.999] as const;
