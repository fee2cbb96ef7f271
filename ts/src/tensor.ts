// Tensors: what losses accept and return, and wasm-resident tensors for zero-copy calls.
import { buffer, wasm } from "./backend.js";
import { LossError, describe } from "./errors.js";

/** Float element type: `'f32'` (Float32Array) or `'f64'` (Float64Array). */
export type Dtype = "f32" | "f64";
/** Element type of a wasm-resident tensor: a float dtype, or `'i32'` for class indices and lengths. */
export type TensorDtype = Dtype | "i32";
/** A float typed array. */
export type FloatArray = Float32Array | Float64Array;
/** The typed array of each dtype. */
export interface ArrayOf {
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
}

/** A dense row-major tensor: data plus shape (`[]` for a scalar). */
export interface Tensor<A extends FloatArray | Int32Array = FloatArray> {
  readonly data: A;
  readonly shape: readonly number[];
}

/** Accepted for a float argument: a typed array (1-D), a `{ data, shape }` tensor, a wasm tensor, or a plain `number[]`. */
export type FloatInput = FloatArray | number[] | Tensor<FloatArray>;
/** Accepted for class indices: an Int32Array (1-D), a `{ data, shape }` tensor of one, or a plain `number[]`. */
export type IndexInput = Int32Array | number[] | Tensor<Int32Array>;

/** The typed-array constructor of each dtype. */
export const ARRAY = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
/** Bytes per element of each dtype. */
export const ELEMENT_BYTES = { f32: 4, f64: 8, i32: 4 } as const;

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

// Frees the memory of wasm tensors that were garbage-collected without dispose().
const registry =
  typeof FinalizationRegistry === "undefined"
    ? undefined
    : new FinalizationRegistry<[number, number]>(([ptr, bytes]) => wasm().dealloc(ptr, bytes));

/**
 * A tensor whose data lives in wasm memory: fill `.data` in place and pass the tensor to any
 * loss (or as a gradient destination through `into`) and no bytes are copied.
 *
 * `.data` is a live view; it is re-created whenever wasm memory grows, so read it afresh
 * rather than keeping it across calls. Free with `dispose()` or a `using` declaration;
 * a FinalizationRegistry frees forgotten tensors as a safety net.
 */
export class WasmTensor<D extends TensorDtype = TensorDtype> implements Tensor<ArrayOf[D]> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly length: number;
  #ptr: number;
  #bytes: number;
  #view: ArrayOf[D] | undefined;
  #disposed = false;

  /** Use {@link tensor} to create one. */
  constructor(shape: readonly number[], dtype: D) {
    checkShape("tensor", "shape", shape);
    if (!(dtype in ARRAY)) throw new LossError("INVALID_OPTION", `tensor: dtype must be 'f32', 'f64' or 'i32' but is ${String(dtype)}`);
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.length = numel(shape);
    this.#bytes = this.length * ELEMENT_BYTES[dtype];
    this.#ptr = wasm().alloc(this.#bytes);
    if (this.#bytes > 0 && this.#ptr === 0) throw new RangeError(`losskit: out of wasm memory allocating ${this.#bytes} bytes`);
    registry?.register(this, [this.#ptr, this.#bytes], this);
  }

  /** The live view of the data (valid until memory grows; re-read it, don't keep it). */
  get data(): ArrayOf[D] {
    if (this.#disposed) throw new LossError("DISPOSED", "tensor: this tensor was disposed");
    const buf = buffer();
    if (!this.#view || this.#view.buffer !== buf) {
      this.#view = new ARRAY[this.dtype](buf, this.#ptr, this.length) as ArrayOf[D];
    }
    return this.#view;
  }

  /** Address in wasm memory (internal). */
  get ptr(): number {
    if (this.#disposed) throw new LossError("DISPOSED", "tensor: this tensor was disposed");
    return this.#ptr;
  }

  /** `true` once disposed. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the wasm memory. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    registry?.unregister(this);
    wasm().dealloc(this.#ptr, this.#bytes);
    this.#view = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Allocates a zero-filled tensor in wasm memory.
 * @example
 * using x = tensor([4, 3], "f32");
 * x.data.set(myLogits);          // fill in place
 * crossEntropy(x, labels);       // no copy into wasm
 */
export function tensor<D extends TensorDtype = "f32">(shape: readonly number[], dtype?: D): WasmTensor<D> {
  return new WasmTensor(shape, (dtype ?? "f32") as D);
}

/** Copies data into a new wasm tensor (dtype from the typed array; number[] → f64). */
export function tensorFrom(data: FloatArray | Int32Array | number[], shape?: readonly number[]): WasmTensor {
  const dtype: TensorDtype = data instanceof Float32Array ? "f32" : data instanceof Int32Array ? "i32" : "f64";
  const t = new WasmTensor(shape ?? [data.length], dtype);
  if (t.length !== data.length) {
    t.dispose();
    throw new LossError("SHAPE_MISMATCH", `tensorFrom: data has ${data.length} elements but shape [${shape}] needs ${numel(shape!)}`);
  }
  t.data.set(data);
  return t;
}

export function checkShape(func: string, name: string, shape: unknown): asserts shape is number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new LossError("INVALID_ARGUMENT", `${func}: ${name} must be an array of non-negative integers but is ${JSON.stringify(shape)}`);
  }
}

/** A float argument after validation: its data (or wasm tensor), shape and dtype (undefined for number[]). */
export interface FloatArg {
  name: string;
  shape: number[];
  dtype: Dtype | undefined;
  data: FloatArray | number[] | WasmTensor;
}

/** An index argument after validation. */
export interface IndexArg {
  name: string;
  shape: number[];
  data: Int32Array | number[] | WasmTensor;
}

function isTensorLike(v: unknown): v is { data: unknown; shape: unknown } {
  return typeof v === "object" && v !== null && "data" in v && "shape" in v;
}

/** Validates a float argument. */
export function floatArg(func: string, name: string, v: unknown): FloatArg {
  if (v instanceof WasmTensor) {
    if (v.disposed) throw new LossError("DISPOSED", `${func}: ${name} is a disposed tensor`);
    if (v.dtype === "i32") throw new LossError("DTYPE_MISMATCH", `${func}: ${name} must be float data (f32 or f64) but is an i32 tensor`);
    return { name, shape: [...v.shape], dtype: v.dtype as Dtype, data: v };
  }
  let data: unknown = v;
  let shape: number[] | undefined;
  if (isTensorLike(v)) {
    checkShape(func, `${name}.shape`, v.shape);
    data = v.data;
    shape = [...v.shape];
  }
  let dtype: Dtype | undefined;
  if (data instanceof Float32Array) dtype = "f32";
  else if (data instanceof Float64Array) dtype = "f64";
  else if (Array.isArray(data) && data.every((x) => typeof x === "number")) dtype = undefined;
  else if (ArrayBuffer.isView(data))
    throw new LossError("DTYPE_MISMATCH", `${func}: ${name} must be a Float32Array or Float64Array but is ${describe(data)}`);
  else
    throw new LossError(
      "INVALID_ARGUMENT",
      `${func}: ${name} must be a Float32Array, Float64Array, number[] or { data, shape } tensor but is ${describe(data)}`,
    );
  const arr = data as FloatArray | number[];
  shape ??= [arr.length];
  if (numel(shape) !== arr.length) {
    throw new LossError("SHAPE_MISMATCH", `${func}: ${name}.data has ${arr.length} elements but its shape [${shape}] needs ${numel(shape)}`);
  }
  return { name, shape, dtype, data: arr };
}

/** Validates a class-index argument (Int32Array, number[] of integers, or a tensor of one). */
export function indexArg(func: string, name: string, v: unknown): IndexArg {
  if (v instanceof WasmTensor) {
    if (v.disposed) throw new LossError("DISPOSED", `${func}: ${name} is a disposed tensor`);
    if (v.dtype !== "i32") throw new LossError("DTYPE_MISMATCH", `${func}: ${name} must be class indices (i32) but is an ${v.dtype} tensor`);
    return { name, shape: [...v.shape], data: v };
  }
  let data: unknown = v;
  let shape: number[] | undefined;
  if (isTensorLike(v)) {
    checkShape(func, `${name}.shape`, v.shape);
    data = v.data;
    shape = [...v.shape];
  }
  if (!(data instanceof Int32Array) && !(Array.isArray(data) && data.every((x) => Number.isInteger(x)))) {
    throw new LossError("DTYPE_MISMATCH", `${func}: ${name} must be class indices (Int32Array or integer number[]) but is ${describe(data)}`);
  }
  const arr = data as Int32Array | number[];
  shape ??= [arr.length];
  if (numel(shape) !== arr.length) {
    throw new LossError("SHAPE_MISMATCH", `${func}: ${name}.data has ${arr.length} elements but its shape [${shape}] needs ${numel(shape)}`);
  }
  return { name, shape, data: arr };
}

/** The dtype shared by float arguments (number[] adapts; all number[] → f64). Mixing f32 and f64 is an error. */
export function commonDtype(func: string, args: readonly (FloatArg | undefined)[]): Dtype {
  let found: FloatArg | undefined;
  for (const a of args) {
    if (!a || a.dtype === undefined) continue;
    if (found && found.dtype !== a.dtype) {
      throw new LossError(
        "DTYPE_MISMATCH",
        `${func}: ${a.name} is ${a.dtype} but ${found.name} is ${found.dtype}; all float arguments must share one dtype`,
      );
    }
    found ??= a;
  }
  return found?.dtype ?? "f64";
}

