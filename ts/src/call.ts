// The data path shared by every loss: validate options, place arguments in wasm memory
// (a copy for typed arrays, nothing for wasm tensors), make one wasm call, collect the
// loss and gradients, and free every temporary buffer, whether the call succeeded or not.
import { buffer, wasm } from "./backend.js";
import { LossError, rethrow } from "./errors.js";
import {
  ARRAY,
  ELEMENT_BYTES,
  type Dtype,
  type FloatArg,
  type FloatArray,
  type FloatInput,
  type IndexArg,
  type Tensor,
  WasmTensor,
  floatArg,
  numel,
} from "./tensor.js";

/** PyTorch's `reduction`. */
export type Reduction = "none" | "mean" | "sum";

/** Options of every `withGrad` call. `G` names the differentiable arguments. */
export interface GradOptions<G extends string> {
  /** Upstream gradient ∂L/∂loss for reduction 'none' (shape of the unreduced loss); ones when absent. */
  gradOutput?: FloatInput;
  /** The arguments to differentiate (default: every differentiable argument). */
  wrt?: readonly G[];
  /** Destinations for gradients: a wasm tensor is written in place (no copy), a typed array is filled. */
  into?: Partial<Record<G, FloatArray | WasmTensor>>;
}

/** Gradients keyed by argument name, each with its argument's shape and dtype. */
export type Grads<G extends string> = Record<G, Tensor>;

/** A loss with a `reduction` option: a number when reduced, a tensor for 'none'. */
export interface Loss<A extends unknown[], O, G extends string> {
  (...args: [...A, O & { reduction: "none" }]): Tensor;
  (...args: [...A, (O & { reduction?: "mean" | "sum" })?]): number;
  (...args: [...A, O?]): number | Tensor;
  /** The loss and its gradients, from one fused pass. */
  withGrad(...args: [...A, O & { reduction: "none" } & GradOptions<G>]): { loss: Tensor; grads: Grads<G> };
  withGrad(...args: [...A, (O & { reduction?: "mean" | "sum" } & GradOptions<G>)?]): { loss: number; grads: Grads<G> };
  withGrad(...args: [...A, (O & GradOptions<G>)?]): { loss: number | Tensor; grads: Grads<G> };
}

/** A loss that is always a scalar (no `reduction` option). */
export interface ScalarLoss<A extends unknown[], O, G extends string> {
  (...args: [...A, O?]): number;
  /** The loss and its gradients, from one fused pass. */
  withGrad(...args: [...A, (O & Omit<GradOptions<G>, "gradOutput">)?]): { loss: number; grads: Grads<G> };
}

/** A loss whose default reduction is 'none' (torchvision's sigmoid focal loss). */
export interface NoneByDefaultLoss<A extends unknown[], O, G extends string> {
  (...args: [...A, O & { reduction: "mean" | "sum" }]): number;
  (...args: [...A, (O & { reduction?: "none" })?]): Tensor;
  (...args: [...A, O?]): number | Tensor;
  /** The loss and its gradients, from one fused pass. */
  withGrad(...args: [...A, O & { reduction: "mean" | "sum" } & GradOptions<G>]): { loss: number; grads: Grads<G> };
  withGrad(...args: [...A, (O & { reduction?: "none" } & GradOptions<G>)?]): { loss: Tensor; grads: Grads<G> };
  withGrad(...args: [...A, (O & GradOptions<G>)?]): { loss: number | Tensor; grads: Grads<G> };
}

/** Attaches `withGrad` to a loss function. */
export function defineLoss<L>(run: (withGrad: boolean, args: unknown[]) => unknown): L {
  const fn = (...args: unknown[]) => run(false, args);
  fn.withGrad = (...args: unknown[]) => run(true, args);
  return fn as unknown as L;
}

const REDUCTION_CODES = { none: 0, mean: 1, sum: 2, batchmean: 3 } as const;

/** Reads an options object, rejecting unknown keys (a typo must not be silently ignored). */
export class Options {
  readonly #func: string;
  readonly #opts: Record<string, unknown>;
  constructor(func: string, opts: unknown, allowed: readonly string[]) {
    this.#func = func;
    opts ??= {};
    if (typeof opts !== "object" || opts === null || Array.isArray(opts) || ArrayBuffer.isView(opts)) {
      throw new LossError("INVALID_OPTION", `${func}: options must be an object but is ${typeof opts}`);
    }
    const all = [...allowed, "gradOutput", "wrt", "into"];
    for (const key of Object.keys(opts)) {
      if (!all.includes(key)) {
        throw new LossError("INVALID_OPTION", `${func}: unknown option '${key}'; options are ${allowed.join(", ")}`);
      }
    }
    this.#opts = opts as Record<string, unknown>;
  }
  get raw(): Record<string, unknown> {
    return this.#opts;
  }
  /** A finite number option. */
  number(key: string, fallback: number): number {
    const v = this.#opts[key] ?? fallback;
    if (typeof v !== "number" || Number.isNaN(v)) {
      throw new LossError("INVALID_OPTION", `${this.#func}: ${key} must be a number but is ${JSON.stringify(v)}`);
    }
    return v;
  }
  /** An integer option (e.g. `ignoreIndex`). */
  integer(key: string, fallback: number): number {
    const v = this.number(key, fallback);
    if (!Number.isInteger(v)) throw new LossError("INVALID_OPTION", `${this.#func}: ${key} must be an integer but is ${v}`);
    return v;
  }
  /** A boolean option. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.#opts[key] ?? fallback;
    if (typeof v !== "boolean") throw new LossError("INVALID_OPTION", `${this.#func}: ${key} must be a boolean but is ${JSON.stringify(v)}`);
    return v;
  }
  /** The reduction, as its wasm code. */
  reduction(fallback: string, allowed: readonly string[] = ["none", "mean", "sum"]): { name: string; code: number } {
    const v = this.#opts.reduction ?? fallback;
    if (typeof v !== "string" || !allowed.includes(v)) {
      const list = allowed.map((a) => `'${a}'`).join(", ");
      throw new LossError("INVALID_OPTION", `${this.#func}: reduction must be one of ${list} but is ${JSON.stringify(v)}`);
    }
    return { name: v, code: REDUCTION_CODES[v as keyof typeof REDUCTION_CODES] };
  }
  /** An optional float tensor option (e.g. `weight`). */
  tensor(key: string): FloatArg | undefined {
    const v = this.#opts[key];
    return v === undefined || v === null ? undefined : floatArg(this.#func, key, v);
  }
}

/** Fails with SHAPE_MISMATCH unless two shapes are equal. */
export function sameShape(func: string, a: { name: string; shape: readonly number[] }, b: { name: string; shape: readonly number[] }): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new LossError("SHAPE_MISMATCH", `${func}: ${b.name} has shape [${b.shape}] but ${a.name} has shape [${a.shape}]; they must be equal`);
  }
}

/** Temporary wasm buffers of one call; `free()` releases them all. */
export class Call {
  readonly func: string;
  readonly dtype: Dtype;
  #allocs: number[] = [];
  constructor(func: string, dtype: Dtype) {
    this.func = func;
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

  /** The address of a float argument's data: a wasm tensor's own, or a fresh copy. 0 when absent. */
  float(arg: FloatArg | undefined): number {
    if (!arg) return 0;
    if (arg.data instanceof WasmTensor) return arg.data.ptr;
    const len = arg.data.length;
    const ptr = this.buffer(len);
    if (len > 0) new ARRAY[this.dtype](buffer(), ptr, len).set(arg.data);
    return ptr;
  }

  /** The address of class indices (i32). 0 when absent. */
  index(arg: IndexArg | undefined): number {
    if (!arg) return 0;
    if (arg.data instanceof WasmTensor) return arg.data.ptr;
    const len = arg.data.length;
    const ptr = this.#alloc(len * 4);
    if (len > 0) new Int32Array(buffer(), ptr, len).set(arg.data);
    return ptr;
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

/** What a loss tells {@link execute}: its arguments, output shape and the wasm call. */
export interface Plan<G extends string> {
  func: string;
  dtype: Dtype;
  reduction: string;
  /** Shape of the unreduced loss. */
  outShape: readonly number[];
  /** Differentiable arguments, in the wasm function's gradient order. */
  diff: readonly { name: G; arg: FloatArg }[];
  /** Options (for gradOutput / wrt / into). */
  opts: Options;
  /** Makes the wasm call: `out` receives the unreduced loss, `grads` the gradients (0 = skip). */
  invoke(call: Call, out: number, gradOutput: number, grads: number[]): number;
}

/** Runs a planned loss call: the shared data path of every loss. */
export function execute<G extends string>(plan: Plan<G>, withGrad: boolean): unknown {
  const { func, dtype, opts } = plan;
  const raw = opts.raw;
  if (!withGrad) {
    for (const k of ["gradOutput", "wrt", "into"]) {
      if (raw[k] !== undefined) throw new LossError("INVALID_OPTION", `${func}: ${k} is an option of ${func}.withGrad`);
    }
  }
  const none = plan.reduction === "none";
  const call = new Call(func, dtype);
  try {
    const out = none ? call.buffer(numel(plan.outShape)) : 0;
    let gradOutput = 0;
    if (raw.gradOutput !== undefined) {
      if (!none) throw new LossError("INVALID_OPTION", `${func}: gradOutput is only used with reduction 'none' (reduction is '${plan.reduction}')`);
      const g = floatArg(func, "gradOutput", raw.gradOutput);
      sameShape(func, { name: "the unreduced loss", shape: plan.outShape }, g);
      if (g.dtype && g.dtype !== dtype) throw new LossError("DTYPE_MISMATCH", `${func}: gradOutput is ${g.dtype} but the inputs are ${dtype}`);
      gradOutput = call.float(g);
    }
    const names = plan.diff.map((d) => d.name as string);
    const wrt = raw.wrt as readonly string[] | undefined;
    if (wrt !== undefined && (!Array.isArray(wrt) || wrt.some((w) => !names.includes(w)))) {
      throw new LossError("INVALID_OPTION", `${func}: wrt must list some of ${names.join(", ")} but is ${JSON.stringify(wrt)}`);
    }
    const into = (raw.into ?? {}) as Record<string, unknown>;
    if (typeof into !== "object") throw new LossError("INVALID_OPTION", `${func}: into must be an object`);
    for (const key of Object.keys(into)) {
      if (!names.includes(key)) throw new LossError("INVALID_OPTION", `${func}: into.${key} is not a differentiable argument (${names.join(", ")})`);
    }
    const wanted = plan.diff.map((d) => withGrad && (wrt === undefined || wrt.includes(d.name)));
    const ptrs = plan.diff.map(({ name, arg }, i) => {
      if (!wanted[i]) return 0;
      const dest = into[name];
      const len = numel(arg.shape);
      if (dest === undefined) return call.buffer(len);
      const destDtype = dest instanceof WasmTensor ? dest.dtype : dest instanceof Float32Array ? "f32" : dest instanceof Float64Array ? "f64" : undefined;
      if (destDtype !== dtype) throw new LossError("DTYPE_MISMATCH", `${func}: into.${name} must be ${dtype} data`);
      const destLen = dest instanceof WasmTensor ? dest.length : (dest as FloatArray).length;
      if (destLen !== len) throw new LossError("SHAPE_MISMATCH", `${func}: into.${name} has ${destLen} elements but ${name} has ${len}`);
      return dest instanceof WasmTensor ? dest.ptr : call.buffer(len);
    });
    let value: number;
    try {
      value = plan.invoke(call, out, gradOutput, ptrs);
    } catch (e) {
      rethrow(e, func);
    }
    const loss = none ? call.read(out, plan.outShape) : value;
    if (!withGrad) return loss;
    const grads: Record<string, Tensor> = {};
    plan.diff.forEach(({ name, arg }, i) => {
      if (!wanted[i]) return;
      const dest = into[name];
      if (dest instanceof WasmTensor) {
        grads[name] = dest;
      } else if (dest !== undefined) {
        const t = call.read(ptrs[i], arg.shape);
        (dest as FloatArray).set(t.data);
        grads[name] = { data: dest as FloatArray, shape: t.shape };
      } else {
        grads[name] = call.read(ptrs[i], arg.shape);
      }
    });
    return { loss, grads };
  } finally {
    call.free();
  }
}
