// The selector's sums over the price history, in SIMD WebAssembly (irp.wat): every symbol's
// returns live in one WebAssembly memory (an arena of rings), so the sums of a whole universe
// are one call, two symbols at a time and without branches. Bit for bit what the selector's
// scalar loop gives (a property test holds it to that).
import { IRP_WASM_BASE64 } from './irp-wasm.js';

// The WebAssembly API as used here (Node's global; the type library in use declares none).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
};

interface IrpExports {
  sums(list: number, count: number, n: number, d: number, out: number): void;
}

const PAGE = 65_536;
let compiled: object | undefined;

/**
 * Float64 rings allocated in one WebAssembly memory, and the IRP sums over windows of them.
 * Growing the memory replaces its buffer: `onGrow` is told, and views must be made again.
 */
export class ReturnsArena {
  private readonly memory: WasmMemory;
  private readonly kernel: IrpExports;
  private next = 0;
  /** Scratch for a call: window addresses (i32) then sums (3 × f64 each), `capacity` of each. */
  private scratch = 0;
  private capacity = 0;
  private f64: Float64Array;
  private i32: Int32Array;

  constructor(private readonly onGrow: () => void) {
    compiled ??= new WebAssembly.Module(Buffer.from(IRP_WASM_BASE64, 'base64'));
    this.memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(compiled, { env: { memory: this.memory } });
    this.kernel = instance.exports as unknown as IrpExports;
    this.f64 = new Float64Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** The memory's buffer (a view on it is valid until the next `alloc`). */
  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** Byte offset of `length` fresh doubles (zeros); may grow the memory (see `onGrow`). */
  alloc(length: number): number {
    const at = this.next;
    this.next += 8 * length;
    if (this.next > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((this.next - this.memory.buffer.byteLength) / PAGE) + 16);
      this.f64 = new Float64Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
      this.onGrow();
    }
    return at;
  }

  /**
   * The sums of `count` windows of `n` returns, window k starting at byte `starts[k]`:
   * up, down and the count of aligned returns at [3k, 3k + 3) of the array returned (valid
   * until the next call). `d` is the direction's sign (SHORT: −1).
   */
  sums(starts: ArrayLike<number>, count: number, n: number, d: number): Float64Array {
    if (count > this.capacity) {
      this.capacity = Math.max(64, 2 * count);
      this.scratch = this.alloc(this.capacity * 3.5);
    }
    const list = this.scratch;
    const out = list + 4 * this.capacity;
    for (let k = 0; k < count; k++) this.i32[list / 4 + k] = starts[k] as number;
    this.kernel.sums(list, count, n, d, out);
    return this.f64.subarray(out / 8, out / 8 + 3 * count);
  }
}
