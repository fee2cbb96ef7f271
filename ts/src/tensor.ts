// Tensors: what losses accept and return, and wasm-resident tensors for zero-copy calls.
//
// Every argument a caller passes is read here once, before anything is staged in wasm
// memory: its container (typed array, `{ data, shape }`, wasm tensor, `number[]`), dtype and
// shape, and where its bytes live. Typed arrays are recognised by their internal brand (the
// %TypedArray% getters), never by `instanceof`, a constructor name or their own `length`, so
// arrays from another realm (an iframe, `vm`, jsdom) work, and Proxies and subclasses that lie
// about themselves get a LossError. A typed array over wasm memory (a wasm tensor's `.data`
// or a subarray of it) is resolved to its address at once: staging may grow memory and
// detach such a view, but by then the call only holds the address.
import { buffer, requireLoaded, wasm, wasmBuffer } from "./backend.js";
import { LossError, describe, guard, show } from "./errors.js";

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

/**
 * Accepted for a float argument: a typed array (1-D), a `{ data, shape }` tensor, a wasm tensor,
 * or a plain (possibly readonly) `number[]`. `F` narrows the typed arrays to one dtype (the
 * loss types infer it from the arguments, so f32 in gives f32 out).
 */
export type FloatInput<F extends FloatArray = FloatArray> = F | readonly number[] | Tensor<F>;
/** Accepted for class indices: an Int32Array (1-D), a `{ data, shape }` tensor of one, or a plain (possibly readonly) `number[]`. */
export type IndexInput = Int32Array | readonly number[] | Tensor<Int32Array>;

// `[Symbol.dispose]` below, for TypeScript libs without esnext.disposable (lib ES2022 + DOM,
// TypeScript 5.0): the same declaration @types/node makes, which merges with the lib's.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** The typed-array constructor of each dtype. */
export const ARRAY = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
/** Bytes per element of each dtype. */
export const ELEMENT_BYTES = { f32: 4, f64: 8, i32: 4 } as const;

/** wasm32's limits: a dim or element count is a 32-bit word of a descriptor. */
export const MAX_DIM = 2 ** 32 - 1;
/** One allocation is at most isize::MAX on wasm32, rounded down to the 8-byte alignment. */
export const MAX_ALLOC = 2 ** 31 - 8;
/** All of wasm32's linear memory. */
export const MAX_MEMORY = 2 ** 32;

// The %TypedArray% intrinsics, taken once: they read a typed array's internal slots, so they
// work on arrays of any realm and ignore a subclass's overrides; on anything else the tag
// getter returns undefined (a Proxy included) and the others are not called.
const TYPED_ARRAY = Object.getPrototypeOf(Int8Array.prototype) as object;
const intrinsic = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TYPED_ARRAY, key)!.get!;
const TA_TAG = intrinsic(Symbol.toStringTag);
const TA_LENGTH = intrinsic("length");
const TA_BUFFER = intrinsic("buffer");
const TA_OFFSET = intrinsic("byteOffset");
const TA_BYTES = intrinsic("byteLength");
const TA_SET = (TYPED_ARRAY as { set: (this: ArrayBufferView, src: ArrayLike<number>, offset?: number) => void }).set;

/** The kind of typed array `v` is ("Float32Array", …), from its internal slot; undefined for anything else. */
export function typedArrayName(v: unknown): string | undefined {
  return TA_TAG.call(v) as string | undefined;
}

/** A typed array's length, from its internal slot. */
export function typedLength(v: ArrayBufferView): number {
  return TA_LENGTH.call(v) as number;
}

/** A typed array's buffer, from its internal slot. */
export function typedBuffer(v: ArrayBufferView): ArrayBufferLike {
  return TA_BUFFER.call(v) as ArrayBufferLike;
}

/** Copies `src` (a typed array of any realm or a snapshot) into `dst` from element `offset` on, through the intrinsic `set`. */
export function copyInto(dst: ArrayBufferView, src: ArrayLike<number>, offset = 0): void {
  TA_SET.call(dst, src, offset);
}

/**
 * Makes the buffer of a result array of `bytes` bytes, which the caller fills entirely at once:
 * an `ArrayBuffer` by default (zero-filled by the engine); the Node entry installs one without
 * the zero fill (`Buffer.allocUnsafeSlow`), which the copy path's results otherwise pay for.
 */
let resultBuffer = (bytes: number): ArrayBuffer => new ArrayBuffer(bytes);

/** Installs the Node entry's allocator of result buffers (see {@link resultArray}). */
export function setResultBuffer(make: (bytes: number) => ArrayBuffer): void {
  resultBuffer = make;
}

/** Results at least this long come from `resultBuffer`; shorter ones are `new Float32Array(len)`, which is cheaper there. */
const RESULT_BUFFER_MIN = 4096;

/** A new array of `len` elements of `dtype` with a copy of `src`'s first `len` elements (a result copied out of wasm memory). */
export function resultArray(dtype: Dtype, src: FloatArray, len: number): FloatArray {
  const data = len < RESULT_BUFFER_MIN ? new ARRAY[dtype](len) : new ARRAY[dtype](resultBuffer(len * ELEMENT_BYTES[dtype]), 0, len);
  copyInto(data, src);
  return data;
}

const DTYPE_OF: Record<string, TensorDtype> = { Float32Array: "f32", Float64Array: "f64", Int32Array: "i32" };

/** `true` when `b` is a detached ArrayBuffer (Node 20 has no `ArrayBuffer.prototype.detached`). */
function isDetached(b: ArrayBufferLike): boolean {
  try {
    new Uint8Array(b, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** The error for a size wasm32 cannot hold. */
export function outOfMemory(what: string): LossError {
  return new LossError("OUT_OF_MEMORY", what);
}

/**
 * Reads a shape: an array of integers in [0, 2³² − 1] (`INVALID_ARGUMENT`; a larger dim is
 * `OUT_OF_MEMORY`, as wasm32 cannot describe it). Returns a copy.
 */
export function readShape(func: string, name: string, shape: unknown): number[] {
  return guard("INVALID_ARGUMENT", func, name, () => {
    const bad = () => new LossError("INVALID_ARGUMENT", `${func}: ${name} must be an array of non-negative integers but is ${show(shape)}`);
    if (!Array.isArray(shape)) throw bad();
    const n = shape.length;
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const d: unknown = shape[i];
      if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
        throw new LossError("INVALID_ARGUMENT", `${func}: ${name}[${i}] must be a non-negative integer but is ${show(d)}`);
      }
      if (d > MAX_DIM) throw outOfMemory(`${func}: ${name}[${i}] = ${d} is more than wasm32 can address (dims are at most 2^32 − 1)`);
      out[i] = d;
    }
    return out;
  });
}

// ------------------------------------------------------------------ wasm tensors

/** Live wasm tensors by address (weakly: an unreachable tensor is still freed by the registry). */
const live = new Map<number, { bytes: number; ref: WeakRef<WasmTensor> | WasmTensor }>();
/** `#ptr in v`, set by WasmTensor's static block: the brand check behind {@link isWasmTensor}. */
let branded: (v: object) => boolean;

// Frees the memory of wasm tensors that were garbage-collected without dispose().
const registry =
  typeof FinalizationRegistry === "undefined"
    ? undefined
    : new FinalizationRegistry<[number, number]>(([ptr, bytes]) => {
        live.delete(ptr);
        wasm().dealloc(ptr, bytes);
      });

/** `true` for a WasmTensor made by this module (not one faked with `Object.create`). */
export function isWasmTensor(v: unknown): v is WasmTensor {
  // A private name is not forwarded by a Proxy (no trap runs) and cannot be faked; checking it
  // is an inline-cached lookup, where a WeakSet would hash the object on every call.
  return typeof v === "object" && v !== null && branded(v);
}

/** `true` when the wasm bytes [start, end) lie inside one live wasm tensor. */
function ownedByLiveTensor(start: number, end: number): boolean {
  const own = (ptr: number, e: { bytes: number; ref: WeakRef<WasmTensor> | WasmTensor }) => {
    const t = e.ref instanceof WasmTensor ? e.ref : e.ref.deref();
    return t !== undefined && !t.disposed && start >= ptr && end <= ptr + e.bytes;
  };
  const exact = live.get(start);
  if (exact && own(start, exact)) return true;
  for (const [ptr, e] of live) if (own(ptr, e)) return true;
  return false;
}

/**
 * A tensor whose data lives in wasm memory: fill `.data` in place and pass the tensor to any
 * loss (or as a gradient destination through `into`) and no bytes are copied.
 *
 * `.data` is a view of wasm memory; when memory grows (a loss call or a new tensor may grow
 * it) that view is detached and `.data` makes a new one, so read `.data` afresh rather than
 * keeping it. A kept view that went stale is rejected with `DISPOSED`. Free with
 * `dispose()` or a `using` declaration; a FinalizationRegistry frees forgotten tensors as a
 * safety net.
 */
export class WasmTensor<D extends TensorDtype = TensorDtype> implements Tensor<ArrayOf[D]> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly length: number;
  #ptr: number;
  #bytes: number;
  #view: ArrayOf[D] | undefined;
  #disposed = false;

  static {
    branded = (v) => #ptr in v;
  }

  /** Use {@link tensor} to create one. */
  constructor(shape: readonly number[], dtype: D) {
    requireLoaded("tensor");
    const dims = readShape("tensor", "shape", shape);
    if (typeof dtype !== "string" || !Object.hasOwn(ARRAY, dtype)) {
      throw new LossError("INVALID_OPTION", `tensor: dtype must be 'f32', 'f64' or 'i32' but is ${show(dtype)}`);
    }
    const length = numel(dims);
    const bytes = length * ELEMENT_BYTES[dtype];
    if (bytes > MAX_ALLOC) throw outOfMemory(`tensor: shape [${dims}] of ${dtype} needs ${bytes} bytes, more than one wasm32 allocation can hold (2 GiB)`);
    const ptr = bytes === 0 ? 0 : wasm().alloc(bytes);
    if (bytes > 0 && ptr === 0) throw outOfMemory(`tensor: wasm memory cannot grow by the ${bytes} bytes of shape [${dims}] of ${dtype}`);
    this.shape = Object.freeze(dims);
    this.dtype = dtype;
    this.length = length;
    this.#ptr = ptr;
    this.#bytes = bytes;
    if (bytes > 0) {
      live.set(ptr, { bytes, ref: typeof WeakRef === "undefined" ? this : new WeakRef(this) });
      registry?.register(this, [ptr, bytes], this);
    }
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

  /** Size in bytes (internal). */
  get bytes(): number {
    return this.#bytes;
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
    if (this.#bytes > 0) {
      live.delete(this.#ptr);
      wasm().dealloc(this.#ptr, this.#bytes);
    }
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
  return new WasmTensor(shape, (dtype === undefined ? "f32" : dtype) as D);
}

/**
 * Copies data into a new wasm tensor: a Float32Array, Float64Array or Int32Array (the dtype
 * follows the array), a `number[]` (f64), or a wasm tensor (a copy of the same dtype and
 * shape). `shape` defaults to the data's own (1-D for arrays).
 */
export function tensorFrom(data: Float32Array, shape?: readonly number[]): WasmTensor<"f32">;
export function tensorFrom(data: Float64Array | readonly number[], shape?: readonly number[]): WasmTensor<"f64">;
export function tensorFrom(data: Int32Array, shape?: readonly number[]): WasmTensor<"i32">;
export function tensorFrom<D extends TensorDtype>(data: WasmTensor<D>, shape?: readonly number[]): WasmTensor<D>;
export function tensorFrom(data: FloatArray | Int32Array | readonly number[] | WasmTensor, shape?: readonly number[]): WasmTensor;
export function tensorFrom(data: FloatArray | Int32Array | readonly number[] | WasmTensor, shape?: readonly number[]): WasmTensor {
  const func = "tensorFrom";
  let src: Data;
  let dims: number[];
  if (isWasmTensor(data)) {
    if (data.disposed) throw new LossError("DISPOSED", `${func}: data is a disposed tensor`);
    src = { dtype: data.dtype, length: data.length, ptr: data.ptr, copy: undefined, region: undefined };
    dims = shape === undefined ? [...data.shape] : readShape(func, "shape", shape);
  } else {
    src = readData(func, "data", data, "any");
    dims = shape === undefined ? [src.length] : readShape(func, "shape", shape);
  }
  if (numel(dims) !== src.length) {
    throw new LossError("SHAPE_MISMATCH", `${func}: data has ${src.length} elements but shape [${dims}] needs ${numel(dims)}`);
  }
  const dtype = src.dtype ?? "f64";
  const t = new WasmTensor(dims, dtype);
  if (t.length > 0) {
    // Allocating may have grown memory: copy from the source's address, not a view taken before.
    if (src.copy === undefined) new Uint8Array(buffer()).copyWithin(t.ptr, src.ptr, src.ptr + t.bytes);
    else stageCopy(func, "data", new ARRAY[dtype](buffer(), t.ptr, t.length), src.copy, src.length);
  }
  return t;
}

// ------------------------------------------------------------------ arguments

/** Where a range of bytes lies: wasm memory, or a JS ArrayBuffer (compared by identity). */
export interface Region {
  space: object;
  start: number;
  end: number;
}

/** The space of wasm linear memory in {@link Region}s (it outlives each of its ArrayBuffers). */
export const WASM_MEMORY: object = Object.freeze({ wasm: true });

/** An argument's data, read once: where it lives and what it holds. */
export interface Data {
  /** f32, f64 or i32; undefined for a float `number[]` (it takes the call's dtype). */
  dtype: TensorDtype | undefined;
  length: number;
  /** Wasm-resident data (a wasm tensor or a view of one): its address. Meaningless when `copy` is set. */
  ptr: number;
  /** Data to copy into wasm: a caller's typed array, or a snapshot of a `number[]`. */
  copy: ArrayBufferView | undefined;
  /** The bytes the caller's data occupies (undefined for snapshots and empty data), for overlap checks. */
  region: Region | undefined;
}

/** Copies `src` into `dst` after checking that `src` still holds `length` elements (a getter run since it was read may have detached it). */
export function stageCopy(func: string, name: string, dst: ArrayBufferView, src: ArrayBufferView, length: number): void {
  if (typedLength(src) !== length) throw new LossError("DISPOSED", `${func}: ${name} was detached or resized during the call`);
  copyInto(dst, src as unknown as ArrayLike<number>);
}

/**
 * Reads an argument's data: a typed array (a view of wasm memory is resolved to the live
 * tensor behind it), a wasm tensor, or a `number[]` (snapshotted: f64 for `float` and `any`,
 * i32 class indices for `index`). `want` restricts the dtypes: `float` (f32, f64), `index`
 * (i32), `any` (all three).
 */
export function readData(func: string, name: string, v: unknown, want: "float" | "index" | "any"): Data {
  // Wasm tensors and real typed arrays are read through this module's own code and the
  // intrinsics only (nothing of the caller's can throw); anything else is guarded.
  if (isWasmTensor(v) || typedArrayName(v) !== undefined) return readDataOf(func, name, v, want);
  return guard("INVALID_ARGUMENT", func, name, () => readDataOf(func, name, v, want));
}

function readDataOf(func: string, name: string, v: unknown, want: "float" | "index" | "any"): Data {
  const expected = () =>
    want === "float"
      ? "a Float32Array, Float64Array, number[] or { data, shape } tensor"
      : want === "index"
        ? "class indices (an Int32Array or a number[] of integers)"
        : "a Float32Array, Float64Array, Int32Array, number[] or wasm tensor";
  if (isWasmTensor(v)) {
    if (v.disposed) throw new LossError("DISPOSED", `${func}: ${name} is a disposed tensor`);
    checkDtype(func, name, v.dtype, v, want);
    return { dtype: v.dtype, length: v.length, ptr: v.ptr, copy: undefined, region: wasmRegion(v.ptr, v.bytes) };
  }
  const kind = typedArrayName(v);
  if (kind !== undefined) {
    const arr = v as ArrayBufferView;
    const dtype = DTYPE_OF[kind];
    if (dtype === undefined) {
      throw new LossError("DTYPE_MISMATCH", `${func}: ${name} must be ${expected()} but is ${describe(v)}`);
    }
    checkDtype(func, name, dtype, v, want);
    const length = TA_LENGTH.call(arr) as number;
    const buf = TA_BUFFER.call(arr) as ArrayBufferLike;
    const start = TA_OFFSET.call(arr) as number;
    const end = start + (TA_BYTES.call(arr) as number);
    const where = wasmBuffer(buf);
    if (where === "stale") {
      throw new LossError("DISPOSED", `${func}: ${name} is a view of wasm memory that memory growth detached; read the tensor's .data again`);
    }
    if (where === "current") {
      if (length === 0) return { dtype, length, ptr: 0, copy: new ARRAY[dtype](0), region: undefined };
      if (!ownedByLiveTensor(start, end)) {
        throw new LossError("DISPOSED", `${func}: ${name} is a view of wasm memory that no live tensor owns (its tensor was disposed)`);
      }
      return { dtype, length, ptr: start, copy: undefined, region: wasmRegion(start, end - start) };
    }
    if (length === 0 && isDetached(buf)) throw new LossError("DISPOSED", `${func}: ${name} is a detached ${kind}`);
    return { dtype, length, ptr: 0, copy: arr, region: end > start ? { space: buf, start, end } : undefined };
  }
  if (Array.isArray(v)) {
    const length = v.length;
    if (length * (want === "index" ? 4 : 8) > MAX_ALLOC) {
      throw outOfMemory(`${func}: ${name} has ${length} elements, more than one wasm32 allocation can hold (2 GiB)`);
    }
    return want === "index" ? indexSnapshot(func, name, v, length) : floatSnapshot(func, name, v, length, want);
  }
  throw new LossError("INVALID_ARGUMENT", `${func}: ${name} must be ${expected()} but is ${describe(v)}`);
}

function checkDtype(func: string, name: string, dtype: TensorDtype, v: unknown, want: "float" | "index" | "any"): void {
  if ((want === "float" && dtype === "i32") || (want === "index" && dtype !== "i32")) {
    const what = isWasmTensor(v) ? `an ${dtype} tensor` : describe(v);
    const must = want === "float" ? "float data (Float32Array or Float64Array)" : "class indices (Int32Array or integer number[])";
    // Float labels where indices belong are a common slip: name the conversion.
    const hint = want === "index" && dtype !== "i32" ? `; convert the labels with Int32Array.from(${name})` : "";
    throw new LossError("DTYPE_MISMATCH", `${func}: ${name} must be ${must} but is ${what}${hint}`);
  }
}

function wasmRegion(ptr: number, bytes: number): Region | undefined {
  return bytes > 0 ? { space: WASM_MEMORY, start: ptr, end: ptr + bytes } : undefined;
}

/** A typed array of the JS heap, or OUT_OF_MEMORY where the heap cannot hold it (not a RangeError). */
function jsArray<A>(func: string, name: string, Ctor: new (n: number) => A, length: number): A {
  try {
    return new Ctor(length);
  } catch (e) {
    if (e instanceof RangeError) throw outOfMemory(`${func}: the JS heap cannot hold a copy of ${name} (${length} elements)`);
    throw e;
  }
}

/** A float `number[]`, copied into a Float64Array (so nothing the caller does later changes the call). */
function floatSnapshot(func: string, name: string, v: unknown[], length: number, want: "float" | "any"): Data {
  const snap = jsArray(func, name, Float64Array, length);
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (typeof x !== "number") throw new LossError("INVALID_ARGUMENT", `${func}: ${name}[${i}] must be a number but is ${show(x)}`);
    snap[i] = x;
  }
  return { dtype: want === "any" ? "f64" : undefined, length, ptr: 0, copy: snap, region: undefined };
}

/** Class indices from a `number[]`: every entry an integer in i32's range, checked before any conversion. */
function indexSnapshot(func: string, name: string, v: unknown[], length: number): Data {
  const snap = jsArray(func, name, Int32Array, length);
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (typeof x !== "number") throw new LossError("INVALID_ARGUMENT", `${func}: ${name}[${i}] must be a number but is ${show(x)}`);
    if (!Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31) {
      throw new LossError("INVALID_TARGET", `${func}: ${name}[${i}] = ${show(x)} is not a class index (an integer in [-2^31, 2^31))`);
    }
    snap[i] = x;
  }
  return { dtype: "i32", length, ptr: 0, copy: snap, region: undefined };
}

/** A float or index argument after validation: its data, shape and (for float data) dtype (undefined for number[]). */
export interface Arg {
  name: string;
  shape: readonly number[];
  dtype: TensorDtype | undefined;
  data: Data;
}
/** A float argument after validation. */
export type FloatArg = Arg;
/** A class-index argument after validation. */
export type IndexArg = Arg;

/** `{ data, shape }`: a plain object (not an array, typed array or wasm tensor) with both keys. */
export function isTensorLike(v: unknown): v is { data: unknown; shape: unknown } {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    typedArrayName(v) === undefined &&
    !isWasmTensor(v) &&
    "data" in v &&
    "shape" in v
  );
}

/** Reads an argument of the given kind: its container, dtype and shape. */
function readArg(func: string, name: string, v: unknown, want: "float" | "index"): Arg {
  // The common containers first, unguarded (see readData): a wasm tensor (its frozen shape) or a typed array.
  if (isWasmTensor(v)) {
    const data = readDataOf(func, name, v, want);
    return { name, shape: v.shape, dtype: data.dtype, data };
  }
  if (typedArrayName(v) !== undefined) {
    const data = readDataOf(func, name, v, want);
    return { name, shape: [data.length], dtype: data.dtype, data };
  }
  return guard("INVALID_ARGUMENT", func, name, () => {
    if (isTensorLike(v)) {
      const shape = readShape(func, `${name}.shape`, v.shape);
      const data = readData(func, `${name}.data`, v.data, want);
      if (numel(shape) !== data.length) {
        throw new LossError("SHAPE_MISMATCH", `${func}: ${name}.data has ${data.length} elements but its shape [${shape}] needs ${numel(shape)}`);
      }
      return { name, shape, dtype: data.dtype, data };
    }
    const data = readData(func, name, v, want);
    const shape = isWasmTensor(v) ? [...v.shape] : [data.length];
    return { name, shape, dtype: data.dtype, data };
  });
}

/** Validates a float argument. */
export function floatArg(func: string, name: string, v: unknown): FloatArg {
  return readArg(func, name, v, "float");
}

/** Validates a class-index argument (Int32Array, number[] of integers, or a tensor of one). */
export function indexArg(func: string, name: string, v: unknown): IndexArg {
  return readArg(func, name, v, "index");
}
