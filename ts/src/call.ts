// The staging of one loss call: arguments placed in wasm memory (a copy for typed arrays,
// nothing for wasm tensors and views of them), each described to the binding by a descriptor
// `[data address, rank, d0, d1, …]` (u32 words, crates/losskit-wasm/src/memory.rs), output
// buffers, and the release of every temporary, whether the call succeeded or not. Every size
// was checked against wasm32's limits before the first allocation (spec.ts), and an
// allocation wasm memory cannot grow for is OUT_OF_MEMORY.
import { buffer, wasm } from "./backend.js";
import { ARRAY, type Arg, type Dtype, ELEMENT_BYTES, type FloatArray, type Tensor, numel, outOfMemory, resultArray, stageCopy } from "./tensor.js";

/** The module's static descriptor area (crates/losskit-wasm/src/memory.rs), read once. */
const descriptorArea = { ptr: 0, words: 0 };

/** Words of the module's static descriptor area (a call whose descriptors need more allocates them). */
export function descriptorWords(): number {
  if (descriptorArea.words === 0) {
    descriptorArea.ptr = wasm().descriptor_area();
    descriptorArea.words = wasm().descriptor_words();
  }
  return descriptorArea.words;
}

/** Temporary wasm buffers and tensor descriptors of one call; `free()` releases the buffers. */
export class Call {
  readonly func: string;
  readonly dtype: Dtype;
  #allocs: number[] = [];
  #descs: number[] = [];
  #base = 0;

  constructor(func: string, dtype: Dtype) {
    this.func = func;
    this.dtype = dtype;
  }

  /** A buffer whose contents are unspecified: every buffer of a call is filled entirely (by a copy or by the kernel). */
  #alloc(bytes: number, what: string): number {
    if (bytes === 0) return 0;
    const ptr = wasm().alloc_scratch(bytes);
    if (ptr === 0) throw outOfMemory(`${this.func}: wasm memory cannot grow by the ${bytes} bytes of ${what}`);
    this.#allocs.push(ptr, bytes);
    return ptr;
  }

  /** A buffer of `len` elements of this call's dtype, to be filled entirely. */
  buffer(len: number, what: string): number {
    return this.#alloc(len * ELEMENT_BYTES[this.dtype], what);
  }

  /** Stages a float or index argument and returns its descriptor's handle (0 when absent). */
  tensor(arg: Arg | undefined, isIndex = false): number {
    if (!arg) return 0;
    const d = arg.data;
    let ptr = d.ptr;
    if (d.copy !== undefined) {
      const dtype = isIndex ? "i32" : this.dtype;
      ptr = this.#alloc(d.length * ELEMENT_BYTES[dtype], arg.name);
      if (d.length > 0) stageCopy(this.func, arg.name, new ARRAY[dtype](buffer(), ptr, d.length), d.copy, d.length);
    }
    return this.describe(ptr, arg.shape);
  }

  /** The data address of a staged tensor's descriptor (its handle from {@link tensor}). */
  dataOf(handle: number): number {
    return this.#descs[handle - 1];
  }

  /**
   * Records a descriptor of a buffer at `ptr` with `shape` and returns its handle (1 + its
   * first word's index): its address is known once {@link seal} has placed every descriptor.
   */
  describe(ptr: number, shape: readonly number[]): number {
    const descs = this.#descs;
    const handle = 1 + descs.length;
    descs.push(ptr, shape.length);
    for (let i = 0; i < shape.length; i++) descs.push(shape[i]);
    return handle;
  }

  /** Writes the descriptors into wasm memory, after which {@link address} maps handles to addresses. */
  seal(): void {
    const words = this.#descs.length;
    // The module's static descriptor area, or a buffer of this call's when it is too small.
    this.#base = words <= descriptorWords() ? descriptorArea.ptr : this.#alloc(words * 4, "the tensor descriptors");
    new Uint32Array(buffer(), this.#base, words).set(this.#descs);
  }

  /** The address of a sealed descriptor (0 stays 0: an absent tensor). */
  address(handle: number): number {
    return handle === 0 ? 0 : this.#base + (handle - 1) * 4;
  }

  /** A view of `len` elements at `ptr` in wasm memory (valid until memory grows). */
  view(ptr: number, len: number): FloatArray {
    return new ARRAY[this.dtype](buffer(), ptr, len);
  }

  /** Copies `len` elements at `ptr` out of wasm memory into a new tensor. */
  read(ptr: number, shape: readonly number[]): Tensor {
    const len = numel(shape);
    let data: FloatArray;
    try {
      data = resultArray(this.dtype, this.view(ptr, len), len);
    } catch (e) {
      // The JS heap cannot hold the copy ("Array buffer allocation failed").
      if (e instanceof RangeError) throw outOfMemory(`${this.func}: the JS heap cannot hold a result of ${len} elements (${e.message})`);
      throw e;
    }
    return { data, shape: [...shape] };
  }

  free(): void {
    const w = wasm();
    for (let i = 0; i < this.#allocs.length; i += 2) w.dealloc(this.#allocs[i], this.#allocs[i + 1]);
    this.#allocs = [];
  }
}
