// The interface every quantile sketch keeps.

export interface Sketch {
  /** Values seen. */
  readonly n: number;
  /** Adds one finite value (a non-finite one is a bug: it throws). */
  add(x: number): void;
  /** Estimated q-quantile, q in [0, 1]; NaN while empty. */
  quantile(q: number): number;
  /** Estimated fraction of the values at or below x; NaN while empty. */
  rank(x: number): number;
  /** Version byte, kind byte, state: `deserialize` gives back an equal sketch. */
  serialize(): Uint8Array;
  /** Serialized size in bytes (the one measure of size for every sketch). */
  bytes(): number;
}

/** A sketch that can absorb another of its kind (shards of one stream). */
export interface Mergeable<T> {
  merge(other: T): void;
}
