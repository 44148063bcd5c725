// The scanner's hot loops (kernel.wat, SIMD WebAssembly), compiled once per process and
// instantiated per window set over a memory of its own. IEEE double lane by lane, in the
// order the text writes: the same numbers on every machine.
import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';

// The WebAssembly API as used here (Node's global; the type library in use declares none).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmGlobal {
  readonly value: unknown;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
};

export interface KernelExports {
  /** Adds the returns at `r` to a window's sums and takes out the ones at `o`. */
  slide(s1: number, s2: number, r: number, o: number, np: number): void;
  /** Adds the returns at `r` to a window's sums (rebuilding them, oldest first). */
  accumulate(s1: number, s2: number, r: number, np: number): void;
  /** The correlation matrix into `c` from the sums and 1/σ at `inv` (0: left out); Σ c². */
  build(s1: number, s2: number, inv: number, c: number, np: number, w: number): number;
  /** λmax by power iteration from `v` under the error bound; NaN when it cannot vouch. */
  power(
    c: number,
    v: number,
    y: number,
    np: number,
    frob: number,
    tol: number,
    maxIter: number,
  ): number;
  readonly iterations: WasmGlobal;
}

let compiled: object | undefined;

/** A kernel over a fresh memory of at least `bytes` bytes (never grown: views stay valid). */
export function instantiateKernel(bytes: number): {
  exports: KernelExports;
  memory: WasmMemory;
} {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65_536)) });
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  return { exports: instance.exports as unknown as KernelExports, memory };
}
