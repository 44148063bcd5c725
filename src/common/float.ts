// Neighbouring doubles, for boundary vectors.
const f = new Float64Array(1);
const i = new BigInt64Array(f.buffer);

export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  f[0] = x;
  i[0] = (i[0] as bigint) + (x > 0 ? 1n : -1n);
  return f[0] as number;
}

export function nextDown(x: number): number {
  return -nextUp(-x);
}
