// One spec per loss, and the interpreter that runs it: the shared data path of every loss.
// A spec names the loss, its positional arguments and their kinds, its options with
// PyTorch's defaults, its differentiable arguments, the shape of its unreduced output and
// the wasm export it calls (by literal name, so tsc checks every argument against the
// generated .d.ts). `execute` reads the options, validates the containers and dtypes,
// stages the data, makes the one wasm call and collects the loss and gradients. Shapes,
// values and option domains are checked once, by the core.
import { type Wasm, wasm } from "./backend.js";
import { Call } from "./call.js";
import { LossError, describe, rethrow } from "./errors.js";
import {
  type Dtype,
  type FloatArg,
  type FloatArray,
  type FloatInput,
  type IndexArg,
  type Tensor,
  WasmTensor,
  commonDtype,
  floatArg,
  indexArg,
  numel,
} from "./tensor.js";

/** PyTorch's `reduction`. */
export type Reduction = "none" | "mean" | "sum";

/** The family a loss belongs to (the same families as the Rust core's `losses/`). */
export type Family = "regression" | "classification";

/**
 * How a positional argument is read: `float` (input, target), `index` (class indices),
 * `class` (class indices or, when it is float data, probabilities), or `floatOrNumber`
 * (a tensor, or one number for every element).
 */
export type ArgKind = "float" | "index" | "class" | "floatOrNumber";

/** An option's kind and PyTorch default; a `tensor` option is absent by default. */
export type OptionSpec =
  | { kind: "reduction"; default: Reduction; batchmean?: true }
  | { kind: "number"; default: number }
  | { kind: "integer"; default: number }
  | { kind: "bool"; default: boolean }
  | { kind: "tensor" };

/** What the export receives for an option: a wire code, a number, a flag or a descriptor address (0 = absent). */
type OptionValue<S extends OptionSpec> = S extends { kind: "bool" } ? boolean : number;

/** A staged positional argument: its descriptor address (0 for a number), whether it holds class indices, and the number. */
export interface StagedArg {
  desc: number;
  isIndex: boolean;
  number: number;
}

/** The output slots of a call: the unreduced loss and upstream gradient descriptors, one gradient buffer per differentiable argument (0 = not wanted). */
export interface Outputs<G extends string> {
  out: number;
  gradOutput: number;
  grads: Record<G, number>;
}

/** The unreduced output's shape: the input's, the input's rows ((N, d1, …) without the class dim; [] for (C)), or a scalar. */
export type OutputShape = "input" | "rows" | "scalar";

/** Everything the call path, the docs, the demo and the bench know about one loss. */
export interface LossSpec<A extends string, O extends Record<string, OptionSpec>, G extends A> {
  /** The public name (camelCase of PyTorch's). */
  name: string;
  family: Family;
  /** One line: the formula. */
  summary: string;
  /** PyTorch's (or torchvision's) equivalent, or `null` where PyTorch has none. */
  pytorch: string | null;
  /** Positional arguments, in order. */
  args: readonly (readonly [A, ArgKind])[];
  options: O;
  /** The differentiable arguments, in the export's gradient order. */
  diff: readonly G[];
  output: OutputShape;
  /** The one wasm call, by the export's literal name. */
  invoke(w: Wasm, f32: boolean, a: Record<A, StagedArg>, o: { [K in keyof O]: OptionValue<O[K]> }, r: Outputs<G>): number;
}

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

/** A loss as the table lists it (for docs, the demo, the bench, and users who enumerate). */
export interface LossInfo {
  readonly name: string;
  readonly family: Family;
  readonly summary: string;
  readonly pytorch: string | null;
  /** Positional arguments with their kinds. */
  readonly args: readonly { readonly name: string; readonly kind: ArgKind }[];
  /** Options with their defaults (`undefined` for tensor options, absent by default). */
  readonly options: Readonly<Record<string, number | boolean | string | undefined>>;
  readonly differentiable: readonly string[];
}

const table: LossInfo[] = [];

/** Every loss of losskit, in the order of the families. */
export const losses: readonly LossInfo[] = table;

/** Makes the public function of a spec (and its `withGrad`), and lists it in {@link losses}. */
export function defineLoss<A extends string, O extends Record<string, OptionSpec>, G extends A>(spec: LossSpec<A, O, G>): unknown {
  table.push(
    Object.freeze({
      name: spec.name,
      family: spec.family,
      summary: spec.summary,
      pytorch: spec.pytorch,
      args: spec.args.map(([name, kind]) => Object.freeze({ name, kind })),
      options: Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, "default" in o ? o.default : undefined])),
      differentiable: [...spec.diff],
    }),
  );
  const fn = (...args: unknown[]) => execute(spec, false, args);
  fn.withGrad = (...args: unknown[]) => execute(spec, true, args);
  return fn;
}

const REDUCTION_CODES: Record<string, number> = { none: 0, mean: 1, sum: 2, batchmean: 3 };
const GRAD_OPTIONS = ["gradOutput", "wrt", "into"];

/** Reads an options object against the spec: unknown keys are rejected (a typo must not be silently ignored). */
function readOptions(spec: LossSpec<string, Record<string, OptionSpec>, string>, raw: unknown): { values: Record<string, number | boolean>; raw: Record<string, unknown>; tensors: Record<string, FloatArg | undefined>; reduction: string } {
  const func = spec.name;
  raw ??= {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || ArrayBuffer.isView(raw)) {
    throw new LossError("INVALID_OPTION", `${func}: options must be an object but is ${describe(raw)}`);
  }
  const opts = raw as Record<string, unknown>;
  const names = Object.keys(spec.options);
  for (const key of Object.keys(opts)) {
    if (!names.includes(key) && !GRAD_OPTIONS.includes(key)) {
      throw new LossError("INVALID_OPTION", `${func}: unknown option '${key}'; options are ${names.join(", ")}`);
    }
  }
  const values: Record<string, number | boolean> = {};
  const tensors: Record<string, FloatArg | undefined> = {};
  let reduction = "mean";
  const bad = (key: string, what: string, v: unknown) => new LossError("INVALID_OPTION", `${func}: ${key} must be ${what} but is ${JSON.stringify(v)}`);
  for (const [key, o] of Object.entries(spec.options)) {
    const v = opts[key] ?? ("default" in o ? o.default : undefined);
    switch (o.kind) {
      case "reduction": {
        const allowed = o.batchmean ? "'none', 'mean', 'sum' or 'batchmean'" : "'none', 'mean' or 'sum'";
        if (typeof v !== "string" || !(v in REDUCTION_CODES)) throw bad(key, `one of ${allowed}`, v);
        values[key] = REDUCTION_CODES[v];
        reduction = v;
        break;
      }
      case "number":
      case "integer":
        if (typeof v !== "number" || Number.isNaN(v)) throw bad(key, "a number", v);
        if (o.kind === "integer" && !Number.isInteger(v)) throw bad(key, "an integer", v);
        values[key] = v;
        break;
      case "bool":
        if (typeof v !== "boolean") throw bad(key, "a boolean", v);
        values[key] = v;
        break;
      case "tensor":
        tensors[key] = v === undefined || v === null ? undefined : floatArg(func, key, v);
        break;
    }
  }
  return { values, raw: opts, tensors, reduction };
}

/** A positional argument after validation. */
type Parsed = { float: FloatArg } | { index: IndexArg } | { number: number };

/** `true` when `v` holds class indices rather than probabilities: i32 data, or a number[] of one integer per row. */
function holdsIndices(v: unknown, rows: number): boolean {
  if (v instanceof WasmTensor) return v.dtype === "i32";
  const data = typeof v === "object" && v !== null && "data" in v ? (v as { data: unknown }).data : v;
  if (data instanceof Int32Array) return true;
  if (Array.isArray(data)) return data.length === rows && data.every((d) => Number.isInteger(d));
  return false;
}

/** The input's rows: its shape without the class dim (dim 1; dim 0 of a 1-D input). */
function rowShape(shape: readonly number[]): number[] {
  return shape.length <= 1 ? [] : [shape[0], ...shape.slice(2)];
}

function parseArg(func: string, name: string, kind: ArgKind, v: unknown, input: FloatArg | undefined): Parsed {
  switch (kind) {
    case "float":
      return { float: floatArg(func, name, v) };
    case "index":
      return { index: indexArg(func, name, v) };
    case "class":
      return holdsIndices(v, numel(rowShape(input?.shape ?? []))) ? { index: indexArg(func, name, v) } : { float: floatArg(func, name, v) };
    case "floatOrNumber":
      return typeof v === "number" ? { number: v } : { float: floatArg(func, name, v) };
  }
}

/** Runs a loss from its spec: the shared data path of every loss. */
function execute(spec: LossSpec<string, Record<string, OptionSpec>, string>, withGrad: boolean, args: unknown[]): unknown {
  const func = spec.name;
  const opts = readOptions(spec, args[spec.args.length]);
  if (!withGrad) {
    for (const k of GRAD_OPTIONS) {
      if (opts.raw[k] !== undefined) throw new LossError("INVALID_OPTION", `${func}: ${k} is an option of ${func}.withGrad`);
    }
  }
  const parsed: Record<string, Parsed> = {};
  let input: FloatArg | undefined;
  spec.args.forEach(([name, kind], i) => {
    const p = parseArg(func, name, kind, args[i], input);
    parsed[name] = p;
    if (i === 0 && "float" in p) input = p.float;
  });
  const floats = Object.values(parsed).flatMap((p) => ("float" in p ? [p.float] : []));
  const dtype: Dtype = commonDtype(func, [...floats, ...Object.values(opts.tensors)]);
  const none = opts.reduction === "none";
  const outShape = spec.output === "input" ? input!.shape : spec.output === "rows" ? rowShape(input!.shape) : [];
  // Differentiable arguments that hold float data here (a class-index target or a number has no gradient).
  const diff = spec.diff.flatMap((name) => {
    const p = parsed[name];
    return "float" in p ? [{ name, arg: p.float }] : [];
  });
  const names = diff.map((d) => d.name);
  const wrt = opts.raw.wrt as readonly string[] | undefined;
  if (wrt !== undefined && (!Array.isArray(wrt) || wrt.some((w) => !names.includes(w)))) {
    throw new LossError("INVALID_OPTION", `${func}: wrt must list some of ${names.join(", ")} but is ${JSON.stringify(wrt)}`);
  }
  const into = (opts.raw.into ?? {}) as Record<string, unknown>;
  if (typeof into !== "object") throw new LossError("INVALID_OPTION", `${func}: into must be an object`);
  for (const key of Object.keys(into)) {
    if (!names.includes(key)) throw new LossError("INVALID_OPTION", `${func}: into.${key} is not a differentiable argument (${names.join(", ")})`);
  }
  let gradOutput: FloatArg | undefined;
  if (opts.raw.gradOutput !== undefined) {
    if (!none) throw new LossError("INVALID_OPTION", `${func}: gradOutput is only used with reduction 'none' (reduction is '${opts.reduction}')`);
    gradOutput = floatArg(func, "gradOutput", opts.raw.gradOutput);
    if (gradOutput.dtype && gradOutput.dtype !== dtype) throw new LossError("DTYPE_MISMATCH", `${func}: gradOutput is ${gradOutput.dtype} but the inputs are ${dtype}`);
  }
  const wanted = diff.map((d) => withGrad && (wrt === undefined || wrt.includes(d.name)));

  const call = new Call(dtype);
  try {
    const staged: Record<string, StagedArg> = {};
    for (const [name] of spec.args) {
      const p = parsed[name];
      staged[name] =
        "number" in p
          ? { desc: 0, isIndex: false, number: p.number }
          : "index" in p
            ? { desc: call.tensor(p.index, true), isIndex: true, number: 0 }
            : { desc: call.tensor(p.float), isIndex: false, number: 0 };
    }
    const values: Record<string, number | boolean> = { ...opts.values };
    for (const [key, t] of Object.entries(opts.tensors)) values[key] = call.tensor(t);
    const outBuffer = none ? call.buffer(numel(outShape)) : 0;
    const out = none ? call.describe(outBuffer, outShape) : 0;
    const gradOut = call.tensor(gradOutput);
    // Gradient buffers: a wasm tensor given in `into` is written in place; otherwise a fresh buffer.
    const gradPtrs = diff.map(({ name, arg }, i) => {
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
    const address = call.seal();
    for (const s of Object.values(staged)) s.desc = address(s.desc);
    for (const [key] of Object.entries(opts.tensors)) values[key] = address(values[key] as number);
    const grads: Record<string, number> = {};
    for (const name of spec.diff) grads[name] = 0;
    diff.forEach(({ name }, i) => (grads[name] = gradPtrs[i]));

    let value: number;
    try {
      value = spec.invoke(wasm(), dtype === "f32", staged, values, { out: address(out), gradOutput: address(gradOut), grads });
    } catch (e) {
      rethrow(e, func);
    }
    const loss = none ? call.read(outBuffer, outShape) : value;
    if (!withGrad) return loss;
    const result: Record<string, Tensor> = {};
    diff.forEach(({ name, arg }, i) => {
      if (!wanted[i]) return;
      const dest = into[name];
      if (dest instanceof WasmTensor) {
        result[name] = dest;
      } else if (dest !== undefined) {
        const t = call.read(gradPtrs[i], arg.shape);
        (dest as FloatArray).set(t.data);
        result[name] = { data: dest as FloatArray, shape: t.shape };
      } else {
        result[name] = call.read(gradPtrs[i], arg.shape);
      }
    });
    return { loss, grads: result };
  } finally {
    call.free();
  }
}
