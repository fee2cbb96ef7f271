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
  floatArg,
  indexArg,
  numel,
} from "./tensor.js";

/** PyTorch's `reduction`. */
export type Reduction = "none" | "mean" | "sum";

/** The family a loss belongs to (the same families as the Rust core's `losses/`). */
export type Family = "regression" | "classification" | "margin" | "embedding";

/**
 * How a positional argument is read: `float` (input, target), `index` (class indices),
 * `class` (class indices or, when it is float data, probabilities), `floatOrNumber`
 * (a tensor, or one number for every element), `sign` (float labels ±1 of the input's shape),
 * `rowSign` (float labels ±1, one per row), or `multilabel` (class indices of the input's
 * shape, each row's labels ended by −1). `sign` and `rowSign` are read as `float`.
 */
export type ArgKind = "float" | "index" | "class" | "floatOrNumber" | "sign" | "rowSign" | "multilabel";

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

/**
 * The unreduced output's shape: the input's, the input's rows ((N, d1, …) without the class dim; [] for (C)),
 * the broadcast of the float arguments' shapes (PyTorch's rules, checked by the core), or a scalar.
 */
export type OutputShape = "input" | "rows" | "broadcast" | "scalar";

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

/** A spec prepared once, at definition, for the call path: arrays instead of per-call lookups. */
interface Plan {
  spec: LossSpec<string, Record<string, OptionSpec>, string>;
  name: string;
  argNames: readonly string[];
  argKinds: readonly ArgKind[];
  optKeys: readonly string[];
  optSpecs: readonly OptionSpec[];
  /** Option names, then the `withGrad` options. */
  allowed: ReadonlySet<string>;
  /** For each differentiable argument (spec order), its position among the arguments. */
  diffAt: readonly number[];
}

/** Makes the public function of a spec (and its `withGrad`), and lists it in {@link losses}. */
export function defineLoss<A extends string, O extends Record<string, OptionSpec>, G extends A>(spec: LossSpec<A, O, G>): unknown {
  const optKeys = Object.keys(spec.options);
  const plan: Plan = {
    spec: spec as unknown as Plan["spec"],
    name: spec.name,
    argNames: spec.args.map(([name]) => name),
    argKinds: spec.args.map(([, kind]) => kind),
    optKeys,
    optSpecs: optKeys.map((k) => spec.options[k]),
    allowed: new Set([...optKeys, ...GRAD_OPTIONS]),
    diffAt: spec.diff.map((d) => spec.args.findIndex(([name]) => name === d)),
  };
  table.push(
    Object.freeze({
      name: spec.name,
      family: spec.family,
      summary: spec.summary,
      pytorch: spec.pytorch,
      args: spec.args.map(([name, kind]) => Object.freeze({ name, kind })),
      options: Object.fromEntries(optKeys.map((k, i) => [k, optionDefault(plan.optSpecs[i])])),
      differentiable: [...spec.diff],
    }),
  );
  const fn = (...args: unknown[]) => execute(plan, false, args);
  fn.withGrad = (...args: unknown[]) => execute(plan, true, args);
  return fn;
}

/** An option's PyTorch default (`undefined` for a tensor option). */
function optionDefault(o: OptionSpec): number | boolean | string | undefined {
  return "default" in o ? o.default : undefined;
}

const REDUCTION_CODES: Record<string, number> = { none: 0, mean: 1, sum: 2, batchmean: 3 };
const GRAD_OPTIONS = ["gradOutput", "wrt", "into"] as const;
const NO_OPTIONS: Record<string, unknown> = Object.freeze({});

/** The options object of a call, checked for unknown keys (a typo must not be silently ignored). */
function optionsObject(plan: Plan, raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return NO_OPTIONS;
  if (typeof raw !== "object" || Array.isArray(raw) || ArrayBuffer.isView(raw)) {
    throw new LossError("INVALID_OPTION", `${plan.name}: options must be an object but is ${describe(raw)}`);
  }
  for (const key of Object.keys(raw)) {
    if (!plan.allowed.has(key)) throw new LossError("INVALID_OPTION", `${plan.name}: unknown option '${key}'; options are ${plan.optKeys.join(", ")}`);
  }
  return raw as Record<string, unknown>;
}

/** One option's value for the export (a wire code, a number or a flag), or its tensor. */
function readOption(func: string, key: string, o: OptionSpec, raw: unknown): number | boolean | FloatArg | undefined {
  const v = raw ?? optionDefault(o);
  const bad = (what: string) => new LossError("INVALID_OPTION", `${func}: ${key} must be ${what} but is ${JSON.stringify(v)}`);
  switch (o.kind) {
    case "reduction": {
      const code = typeof v === "string" ? REDUCTION_CODES[v] : undefined;
      if (code === undefined) throw bad(`one of ${o.batchmean ? "'none', 'mean', 'sum' or 'batchmean'" : "'none', 'mean' or 'sum'"}`);
      return code;
    }
    case "number":
    case "integer":
      if (typeof v !== "number" || Number.isNaN(v)) throw bad("a number");
      if (o.kind === "integer" && !Number.isInteger(v)) throw bad("an integer");
      return v;
    case "bool":
      if (typeof v !== "boolean") throw bad("a boolean");
      return v;
    case "tensor":
      return v === undefined || v === null ? undefined : floatArg(func, key, v);
  }
}

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

/** The broadcast of the float arguments' shapes, aligned on the right: per dim the size that is not 1 (the core checks that they agree). */
function broadcastShape(args: readonly (FloatArg | undefined)[]): number[] {
  const rank = Math.max(0, ...args.map((a) => a?.shape.length ?? 0));
  const out = new Array<number>(rank).fill(1);
  for (const a of args) {
    if (!a) continue;
    const lead = rank - a.shape.length;
    a.shape.forEach((d, i) => {
      if (d !== 1) out[lead + i] = d;
    });
  }
  return out;
}

/** Runs a loss from its plan: the shared data path of every loss. */
function execute(plan: Plan, withGrad: boolean, args: unknown[]): unknown {
  const func = plan.name;
  const nargs = plan.argNames.length;
  const raw = optionsObject(plan, args[nargs]);
  if (!withGrad && raw !== NO_OPTIONS) {
    for (const k of GRAD_OPTIONS) {
      if (raw[k] !== undefined) throw new LossError("INVALID_OPTION", `${func}: ${k} is an option of ${func}.withGrad`);
    }
  }
  // Options: values for the export, float tensors to stage, and the common dtype.
  const values: Record<string, number | boolean> = {};
  const tensorKeys: string[] = [];
  const tensorArgs: FloatArg[] = [];
  let dtype: Dtype | undefined;
  let dtypeFrom: FloatArg | undefined;
  const agree = (a: FloatArg) => {
    if (a.dtype === undefined) return;
    if (dtype === undefined) {
      dtype = a.dtype;
      dtypeFrom = a;
    } else if (a.dtype !== dtype) {
      throw new LossError("DTYPE_MISMATCH", `${func}: ${a.name} is ${a.dtype} but ${dtypeFrom!.name} is ${dtype}; all float arguments must share one dtype`);
    }
  };
  let reductionCode = 1;
  for (let i = 0; i < plan.optKeys.length; i++) {
    const key = plan.optKeys[i];
    const o = plan.optSpecs[i];
    const v = readOption(func, key, o, raw[key]);
    if (o.kind === "tensor") {
      values[key] = 0;
      if (v !== undefined) {
        tensorKeys.push(key);
        tensorArgs.push(v as FloatArg);
      }
    } else {
      values[key] = v as number | boolean;
      if (o.kind === "reduction") reductionCode = v as number;
    }
  }
  // Positional arguments, in order (a class target is read against the input's rows).
  const parsed: (FloatArg | IndexArg | number)[] = [];
  const isIndex: boolean[] = [];
  const floats: (FloatArg | undefined)[] = [];
  for (let i = 0; i < nargs; i++) {
    const name = plan.argNames[i];
    const kind = plan.argKinds[i];
    const v = args[i];
    let p: FloatArg | IndexArg | number;
    let index = false;
    if (kind === "index" || kind === "multilabel" || (kind === "class" && holdsIndices(v, numel(rowShape((floats[0] ?? { shape: [] }).shape))))) {
      p = indexArg(func, name, v);
      index = true;
    } else if (kind === "floatOrNumber" && typeof v === "number") {
      p = v;
    } else {
      p = floatArg(func, name, v);
    }
    parsed.push(p);
    isIndex.push(index);
    floats.push(typeof p === "number" || index ? undefined : (p as FloatArg));
  }
  for (const f of floats) if (f) agree(f);
  for (const t of tensorArgs) agree(t);
  const dt: Dtype = dtype ?? "f64";
  const input = floats[0]!;
  const none = reductionCode === 0;
  const output = plan.spec.output;
  const outShape = output === "input" ? input.shape : output === "rows" ? rowShape(input.shape) : output === "broadcast" ? broadcastShape(floats) : [];

  // Gradients: the differentiable arguments holding float data (a class-index target or a number has none).
  const diffAt = plan.diffAt;
  const wanted: boolean[] = [];
  const wrt = raw.wrt as readonly string[] | undefined;
  const into = (raw.into ?? NO_OPTIONS) as Record<string, unknown>;
  if (withGrad) {
    const names: string[] = [];
    for (const at of diffAt) if (floats[at]) names.push(plan.argNames[at]);
    if (wrt !== undefined && (!Array.isArray(wrt) || wrt.some((w) => !names.includes(w)))) {
      throw new LossError("INVALID_OPTION", `${func}: wrt must list some of ${names.join(", ")} but is ${JSON.stringify(wrt)}`);
    }
    if (typeof into !== "object") throw new LossError("INVALID_OPTION", `${func}: into must be an object`);
    if (into !== NO_OPTIONS) {
      for (const key of Object.keys(into)) {
        if (!names.includes(key)) throw new LossError("INVALID_OPTION", `${func}: into.${key} is not a differentiable argument (${names.join(", ")})`);
      }
    }
  }
  for (const at of diffAt) wanted.push(withGrad && floats[at] !== undefined && (wrt === undefined || wrt.includes(plan.argNames[at])));
  let gradOutput: FloatArg | undefined;
  if (raw.gradOutput !== undefined) {
    if (!none) throw new LossError("INVALID_OPTION", `${func}: gradOutput is only used with reduction 'none'`);
    gradOutput = floatArg(func, "gradOutput", raw.gradOutput);
    if (gradOutput.dtype && gradOutput.dtype !== dt) throw new LossError("DTYPE_MISMATCH", `${func}: gradOutput is ${gradOutput.dtype} but the inputs are ${dt}`);
  }

  const call = new Call(dt);
  try {
    const handles: number[] = [];
    for (let i = 0; i < nargs; i++) {
      const p = parsed[i];
      handles.push(typeof p === "number" ? 0 : call.tensor(p, isIndex[i]));
    }
    const tensorHandles = tensorArgs.map((t) => call.tensor(t));
    const outBuffer = none ? call.buffer(numel(outShape)) : 0;
    const outHandle = none ? call.describe(outBuffer, outShape) : 0;
    const gradOutHandle = call.tensor(gradOutput);
    // Gradient buffers: a wasm tensor given in `into` is written in place; otherwise a fresh buffer.
    const gradPtrs: number[] = [];
    for (let k = 0; k < diffAt.length; k++) {
      const at = diffAt[k];
      const arg = floats[at];
      if (!wanted[k] || !arg) {
        gradPtrs.push(0);
        continue;
      }
      const name = plan.argNames[at];
      const dest = into[name];
      const len = numel(arg.shape);
      if (dest === undefined) {
        gradPtrs.push(call.buffer(len));
        continue;
      }
      const destDtype = dest instanceof WasmTensor ? dest.dtype : dest instanceof Float32Array ? "f32" : dest instanceof Float64Array ? "f64" : undefined;
      if (destDtype !== dt) throw new LossError("DTYPE_MISMATCH", `${func}: into.${name} must be ${dt} data`);
      const destLen = dest instanceof WasmTensor ? dest.length : (dest as FloatArray).length;
      if (destLen !== len) throw new LossError("SHAPE_MISMATCH", `${func}: into.${name} has ${destLen} elements but ${name} has ${len}`);
      gradPtrs.push(dest instanceof WasmTensor ? dest.ptr : call.buffer(len));
    }
    call.seal();
    const staged: Record<string, StagedArg> = {};
    for (let i = 0; i < nargs; i++) {
      const p = parsed[i];
      staged[plan.argNames[i]] = { desc: call.address(handles[i]), isIndex: isIndex[i], number: typeof p === "number" ? p : 0 };
    }
    for (let i = 0; i < tensorKeys.length; i++) values[tensorKeys[i]] = call.address(tensorHandles[i]);
    const grads: Record<string, number> = {};
    for (let k = 0; k < diffAt.length; k++) grads[plan.argNames[diffAt[k]]] = gradPtrs[k];

    let value: number;
    try {
      value = plan.spec.invoke(wasm(), dt === "f32", staged, values, { out: call.address(outHandle), gradOutput: call.address(gradOutHandle), grads });
    } catch (e) {
      rethrow(e, func);
    }
    const loss = none ? call.read(outBuffer, outShape) : value;
    if (!withGrad) return loss;
    const result: Record<string, Tensor> = {};
    for (let k = 0; k < diffAt.length; k++) {
      if (!wanted[k]) continue;
      const at = diffAt[k];
      const name = plan.argNames[at];
      const shape = floats[at]!.shape;
      const dest = into[name];
      if (dest instanceof WasmTensor) {
        result[name] = dest;
      } else if (dest !== undefined) {
        (dest as FloatArray).set(call.view(gradPtrs[k], numel(shape)));
        result[name] = { data: dest as FloatArray, shape: [...shape] };
      } else {
        result[name] = call.read(gradPtrs[k], shape);
      }
    }
    return { loss, grads: result };
  } finally {
    call.free();
  }
}
