// The npm `tdigest` package (a bench baseline) ships no types: the part the bench uses.
declare module 'tdigest' {
  export class TDigest {
    constructor(delta?: number | false, K?: number, CX?: number);
    push(x: number | number[]): void;
    percentile(p: number): number;
    compress(): void;
    toArray(): { mean: number; n: number }[];
  }
}
