// The staging of one loss call: arguments placed in wasm memory (a copy for typed arrays,
// nothing for wasm tensors), each described to the binding by a descriptor
// `[data address, rank, d0, d1, …]` (u32 words, crates/losskit-wasm/src/memory.rs), output
// buffers, and the release of every temporary, whether the call succeeded or not.
import { buffer, wasm } from "./backend.js";
import { ARRAY, ELEMENT_BYTES, type Dtype, type FloatArg, type IndexArg, type Tensor, WasmTensor, numel } from "./tensor.js";

/** Temporary wasm buffers and tensor descriptors of one call; `free()` releases the buffers. */
export class Call {
  readonly dtype: Dtype;
  #allocs: number[] = [];
  #descs: number[] = [];

  constructor(dtype: Dtype) {
    this.dtype = dtype;
  }

  #alloc(bytes: number): number {
    const ptr = wasm().alloc(bytes);
    if (bytes > 0 && ptr === 0) throw new RangeError(`losskit: out of wasm memory allocating ${bytes} bytes`);
    if (ptr !== 0) this.#allocs.push(ptr, bytes);
    return ptr;
  }

  /** A zeroed buffer of `len` elements of this call's dtype. */
  buffer(len: number): number {
    return this.#alloc(len * ELEMENT_BYTES[this.dtype]);
  }

  /** Stages a float or index argument and returns its descriptor's handle (0 when absent). */
  tensor(arg: FloatArg | IndexArg | undefined, isIndex = false): number {
    if (!arg) return 0;
    let ptr: number;
    if (arg.data instanceof WasmTensor) {
      ptr = arg.data.ptr;
    } else {
      const len = arg.data.length;
      ptr = isIndex ? this.#alloc(len * 4) : this.buffer(len);
      if (len > 0) new (isIndex ? Int32Array : ARRAY[this.dtype])(buffer(), ptr, len).set(arg.data);
    }
    return this.describe(ptr, arg.shape);
  }

  /**
   * Records a descriptor of a buffer at `ptr` with `shape` and returns its handle (1 + its
   * first word's index): its address is known once {@link seal} has placed every descriptor.
   */
  describe(ptr: number, shape: readonly number[]): number {
    const handle = 1 + this.#descs.length;
    this.#descs.push(ptr, shape.length, ...shape);
    return handle;
  }

  /** Writes the descriptors into wasm memory; returns the map from handles to addresses (0 stays 0). */
  seal(): (handle: number) => number {
    const w = wasm();
    const words = this.#descs.length;
    // The module's static descriptor area, or a buffer of this call's when it is too small.
    const base = words <= w.descriptor_words() ? w.descriptor_area() : this.#alloc(words * 4);
    new Uint32Array(buffer(), base, words).set(this.#descs);
    return (handle) => (handle === 0 ? 0 : base + (handle - 1) * 4);
  }

  /** Copies `len` elements at `ptr` out of wasm memory into a new tensor. */
  read(ptr: number, shape: readonly number[]): Tensor {
    const len = numel(shape);
    const data = len === 0 ? new ARRAY[this.dtype](0) : new ARRAY[this.dtype](buffer(), ptr, len).slice();
    return { data, shape: [...shape] };
  }

  free(): void {
    const w = wasm();
    for (let i = 0; i < this.#allocs.length; i += 2) w.dealloc(this.#allocs[i], this.#allocs[i + 1]);
    this.#allocs = [];
  }
}
