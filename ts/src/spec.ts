// One spec per loss, and the interpreter that runs it: the shared data path of every loss.
// A spec names the loss, its positional arguments and their kinds, its options with
// PyTorch's defaults, its differentiable arguments, the shape of its unreduced output and
// the wasm export it calls (by literal name, so tsc checks every argument against the
// generated .d.ts). `execute` reads the options, validates the containers and dtypes,
// stages the data, makes the one wasm call and collects the loss and gradients. Shapes,
// values and option domains are checked once, by the core.
import { type Wasm, requireLoaded, settled, wasm } from "./backend.js";
import { Call, descriptorWords } from "./call.js";
import { LossError, describe, guard, rethrow, show } from "./errors.js";
import { type PreparedCall, type SmallPlan, executeSmall, prepareCall } from "./small.js";
import {
  type Arg,
  type Dtype,
  ELEMENT_BYTES,
  type FloatArg,
  type FloatArray,
  type FloatInput,
  type IndexInput,
  MAX_ALLOC,
  MAX_DIM,
  MAX_MEMORY,
  type Region,
  type Tensor,
  type WasmTensor,
  copyInto,
  floatArg,
  indexArg,
  isTensorLike,
  isWasmTensor,
  numel,
  outOfMemory,
  readData,
  typedArrayName,
  typedLength,
} from "./tensor.js";

/** PyTorch's `reduction`. */
export type Reduction = "none" | "mean" | "sum";

/** The family a loss belongs to (the same families as the Rust core's `losses/`). */
export type Family =
  | "regression"
  | "classification"
  | "margin"
  | "embedding"
  | "detection"
  | "adversarial"
  | "sequence"
  | "segmentation";

/**
 * How a positional argument is read: `float` (input, target), `index` (class indices),
 * `class` (class indices or, when it is float data, probabilities), `floatOrNumber`
 * (a tensor, or one number for every element), `sign` (float labels ±1 of the input's shape),
 * `rowSign` (float labels ±1, one per row), or `multilabel` (class indices of the input's
 * shape, each row's labels ended by −1), `boxes` (xyxy boxes, (N, 4) or (4)), `lengths`
 * (sequence lengths: read as `index`, or one plain number, passed to the export as it is;
 * the core checks that it is an integer), or `onehot` (class indices when the call's
 * `toOnehotY` option is true, else float data). `sign`, `rowSign` and `boxes` are read as `float`.
 */
export type ArgKind = "float" | "index" | "class" | "floatOrNumber" | "sign" | "rowSign" | "multilabel" | "boxes" | "lengths" | "onehot";

/** How an option is read (the loss table lists it for every option). */
export type OptionKind = "reduction" | "number" | "integer" | "bool" | "tensor" | "choice";

/** An option's kind and PyTorch default; a `tensor` option is absent by default. */
export type OptionSpec =
  | { kind: "reduction"; default: Reduction; batchmean?: true }
  | { kind: "number"; default: number }
  | { kind: "integer"; default: number }
  | { kind: "bool"; default: boolean }
  | { kind: "tensor" }
  /** One of a list of names (a GAN's `mode`), passed to the export as its index in `values`. */
  | { kind: "choice"; default: string; values: readonly string[] };

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
 * the broadcast of the float arguments' shapes (PyTorch's rules, checked by the core), a scalar, or one
 * value per sequence of a (T, N, C) input ((N); [] for an unbatched (T, C) input), or one
 * value per channel kept (Dice: (N, C', 1, …, 1), from the spec's `outputShape`).
 */
export type OutputShape = "input" | "rows" | "broadcast" | "scalar" | "sequences" | "channels";

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
  /** The unreduced output's shape from the input's shape and the options (for `output: "channels"`). */
  outputShape?(input: readonly number[], o: { [K in keyof O]: OptionValue<O[K]> }): number[];
  /**
   * `true` for a loss computed element by element (the pointwise engine): each gradient
   * element is written after every input element at its index was read, so a gradient may
   * be written exactly over one of the loss's own inputs (`into: { input: x }` with `x` the
   * input). Any other overlap between inputs and outputs is INVALID_ARGUMENT.
   */
  elementwise?: true;
  /** The one wasm call, by the export's literal name. */
  invoke(w: Wasm, f32: boolean, a: Record<A, StagedArg>, o: { [K in keyof O]: OptionValue<O[K]> }, r: Outputs<G>): number;
}

/**
 * Options of every `withGrad` call. `G` names the differentiable arguments; `W` those asked for
 * with `wrt` (inferred from it, so `grads` holds exactly those).
 */
export interface GradOptions<G extends string, W extends G = G> {
  /** Upstream gradient ∂L/∂loss for reduction 'none' (shape of the unreduced loss); ones when absent. */
  gradOutput?: FloatInput;
  /** The arguments to differentiate (default: every differentiable argument). */
  wrt?: readonly W[];
  /** Destinations for gradients: a wasm tensor is written in place (no copy), a typed array is filled. */
  into?: Partial<Record<G, FloatArray | WasmTensor>>;
}

/** Gradients keyed by argument name, each with its argument's shape and the call's dtype `F`. */
export type Grads<G extends string, F extends FloatArray = FloatArray> = Record<G, Tensor<F>>;

/** A reduction that makes the loss a number. */
type Reduced = "mean" | "sum" | "batchmean";

/** `true` when X and Y are the same type. */
type Same<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : false) : false;

/**
 * The float-array type parameter of a loss signature when the arguments name none (only
 * `number[]`): TypeScript then falls back to a type parameter's constraint, not its default,
 * so this marker in the constraint is what tells "nothing inferred" (→ f64, as at run time)
 * from a `FloatArray` union given by the caller.
 */
export interface NoDtype {
  readonly "losskit: no typed array among the arguments": true;
}
/** The float-array type of a call's results: `F`, or Float64Array when nothing was inferred. */
export type ResultArray<F> = NoDtype extends F ? Float64Array : Extract<F, FloatArray>;
/** The type parameter of every loss signature. */
type FloatParam = FloatArray | NoDtype;

/** A float argument of a call whose float arrays are `F` (`number[]` listed so TypeScript never infers `F` from it). */
type FloatOf<F> = F | number[] | readonly number[] | Tensor<Extract<F, FloatArray>>;

/**
 * One positional argument's type in a call whose float arrays are `F`: a float argument
 * (`FloatInput`, `FloatInput | number`, or a class target `IndexInput | FloatInput`) takes
 * `F`'s arrays; anything else is as declared.
 */
export type ArgOf<T, F> =
  Same<T, FloatInput> extends true
    ? FloatOf<F>
    : Same<T, FloatInput | number> extends true
      ? FloatOf<F> | number
      : Same<T, IndexInput | FloatInput> extends true
        ? IndexInput | FloatOf<F>
        : T;

/**
 * The positional arguments of a loss declared as `A` (a labelled tuple such as
 * `[input: FloatInput, target: IndexInput]`) in a call whose float arrays are `F`. Every
 * loss's signature is built from these, so a new loss declared with `Loss<[...], Options,
 * Diff>` gets the dtype flowing from its arguments to its results: Float32Array arguments give
 * Float32Array losses and gradients; number[] alone gives Float64Array (the runtime's f64);
 * Float32Array and Float64Array in one call do not type-check (DTYPE_MISMATCH at run time).
 */
export type LossArgs<A extends readonly unknown[], F> = { [K in keyof A]: ArgOf<A[K], F> };

/** The typed array of a prepared call's float tensors of dtype `D`. */
type PreparedArray<D extends Dtype> = D extends "f32" ? Float32Array : D extends "f64" ? Float64Array : never;
/** A prepared call's float tensor of dtype `D`: a wasm tensor, or a typed array (bare or in `{ data, shape }`), copied in at each call. */
type PreparedFloat<D extends Dtype> = WasmTensor<D> | PreparedArray<D> | Tensor<PreparedArray<D>>;
/** A prepared call's index tensor: an i32 wasm tensor or an Int32Array (bare or in `{ data, shape }`). */
type PreparedIndex = WasmTensor<"i32"> | Int32Array | Tensor<Int32Array>;

/**
 * The positional arguments of a prepared call ({@link Prepare}): wasm tensors or typed arrays
 * of one float dtype `D` (an index target i32; a class target either).
 */
export type PreparedArgs<A extends readonly unknown[], D extends Dtype> = {
  [K in keyof A]: Same<A[K], FloatInput> extends true
    ? PreparedFloat<D>
    : Same<A[K], FloatInput | number> extends true
      ? PreparedFloat<D> | number
      : Same<A[K], IndexInput | FloatInput> extends true
        ? PreparedIndex | PreparedFloat<D>
        : Same<A[K], IndexInput> extends true
          ? PreparedIndex
          : A[K];
};

/**
 * `prepare` binds a call to its tensors and options once; the function it returns runs the
 * loss on the tensors' current contents and returns the (reduced) loss: the fast path for
 * hot loops over small tensors. With wasm tensors it allocates and copies nothing; typed
 * arrays are copied in (and gradients out) at each call. `withGrad.prepare` writes every
 * gradient into the wasm tensor or typed array given for it in `into` (each wanted gradient
 * needs one). Tensor options (`weight`, …), reduction 'none' and `gradOutput` cannot be prepared.
 */
export interface Prepare<A extends readonly unknown[], O> {
  prepare<D extends Dtype = Dtype>(...args: [...inputs: PreparedArgs<A, D>, options?: O]): PreparedCall;
}

/** A loss with a `reduction` option: a number when reduced, a tensor for 'none'. */
export interface Loss<A extends readonly unknown[], O, G extends string> extends Prepare<A, O & { reduction?: Reduced }> {
  <F extends FloatParam = NoDtype>(...args: [...inputs: LossArgs<A, F>, options: O & { reduction: "none" }]): Tensor<ResultArray<F>>;
  <F extends FloatParam = NoDtype>(...args: [...inputs: LossArgs<A, F>, options?: O & { reduction?: Reduced }]): number;
  <F extends FloatParam = NoDtype>(...args: [...inputs: LossArgs<A, F>, options?: O]): number | Tensor<ResultArray<F>>;
  /** The loss and its gradients, from one fused pass; `withGrad.prepare` binds such a call (see {@link Prepare}). */
  withGrad: {
    <F extends FloatParam = NoDtype, W extends G = G>(
      ...args: [...inputs: LossArgs<A, F>, options: O & { reduction: "none" } & GradOptions<G, W>]
    ): { loss: Tensor<ResultArray<F>>; grads: Grads<W, ResultArray<F>> };
    <F extends FloatParam = NoDtype, W extends G = G>(
      ...args: [...inputs: LossArgs<A, F>, options?: O & { reduction?: Reduced } & GradOptions<G, W>]
    ): { loss: number; grads: Grads<W, ResultArray<F>> };
    <F extends FloatParam = NoDtype, W extends G = G>(
      ...args: [...inputs: LossArgs<A, F>, options?: O & GradOptions<G, W>]
    ): { loss: number | Tensor<ResultArray<F>>; grads: Grads<W, ResultArray<F>> };
    prepare<D extends Dtype = Dtype, W extends G = G>(
      ...args: [...inputs: PreparedArgs<A, D>, options: O & { reduction?: Reduced } & Omit<GradOptions<G, W>, "gradOutput">]
    ): PreparedCall;
  };
}

/** A loss that is always a scalar (no `reduction` option). */
export interface ScalarLoss<A extends readonly unknown[], O, G extends string> extends Prepare<A, O> {
  <F extends FloatParam = NoDtype>(...args: [...inputs: LossArgs<A, F>, options?: O]): number;
  /** The loss and its gradients, from one fused pass; `withGrad.prepare` binds such a call (see {@link Prepare}). */
  withGrad: {
    <F extends FloatParam = NoDtype, W extends G = G>(
      ...args: [...inputs: LossArgs<A, F>, options?: O & Omit<GradOptions<G, W>, "gradOutput">]
    ): { loss: number; grads: Grads<W, ResultArray<F>> };
    prepare<D extends Dtype = Dtype, W extends G = G>(
      ...args: [...inputs: PreparedArgs<A, D>, options: O & Omit<GradOptions<G, W>, "gradOutput">]
    ): PreparedCall;
  };
}

/** A loss whose default reduction is 'none' (torchvision's sigmoid focal loss). */
export interface NoneByDefaultLoss<A extends readonly unknown[], O, G extends string> extends Prepare<A, O & { reduction: "mean" | "sum" }> {
  <F extends FloatParam = NoDtype>(...args: [...inputs: LossArgs<A, F>, options: O & { reduction: "mean" | "sum" }]): number;
  <F extends FloatParam = NoDtype>(...args: [...inputs: LossArgs<A, F>, options?: O & { reduction?: "none" }]): Tensor<ResultArray<F>>;
  <F extends FloatParam = NoDtype>(...args: [...inputs: LossArgs<A, F>, options?: O]): number | Tensor<ResultArray<F>>;
  /** The loss and its gradients, from one fused pass; `withGrad.prepare` binds such a call (see {@link Prepare}). */
  withGrad: {
    <F extends FloatParam = NoDtype, W extends G = G>(
      ...args: [...inputs: LossArgs<A, F>, options: O & { reduction: "mean" | "sum" } & GradOptions<G, W>]
    ): { loss: number; grads: Grads<W, ResultArray<F>> };
    <F extends FloatParam = NoDtype, W extends G = G>(
      ...args: [...inputs: LossArgs<A, F>, options?: O & { reduction?: "none" } & GradOptions<G, W>]
    ): { loss: Tensor<ResultArray<F>>; grads: Grads<W, ResultArray<F>> };
    <F extends FloatParam = NoDtype, W extends G = G>(
      ...args: [...inputs: LossArgs<A, F>, options?: O & GradOptions<G, W>]
    ): { loss: number | Tensor<ResultArray<F>>; grads: Grads<W, ResultArray<F>> };
    prepare<D extends Dtype = Dtype, W extends G = G>(
      ...args: [...inputs: PreparedArgs<A, D>, options: O & { reduction?: "mean" | "sum" } & Omit<GradOptions<G, W>, "gradOutput">]
    ): PreparedCall;
  };
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
  /** How each option is read: a reduction name, a number, an integer, a boolean, a tensor or one of a list of names (`choice`). */
  readonly optionKinds: Readonly<Record<string, OptionKind>>;
  /** The reductions the loss accepts (empty for a loss that is always a scalar). */
  readonly reductions: readonly string[];
  readonly differentiable: readonly string[];
  /** The unreduced output's shape rule (the input's, its rows, the broadcast of the inputs, or a scalar). */
  readonly output: OutputShape;
}

const table: LossInfo[] = [];

/** Every loss of losskit, in the order of the families. */
export const losses: readonly LossInfo[] = table;

/** A spec prepared once, at definition, for the call path: arrays instead of per-call lookups. */
export interface Plan {
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
  elementwise: boolean;
  /** The small-call path's reusable records (small.ts), made at the first call. */
  small?: SmallPlan;
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
    elementwise: spec.elementwise === true,
  };
  table.push(
    Object.freeze({
      name: spec.name,
      family: spec.family,
      summary: spec.summary,
      pytorch: spec.pytorch,
      args: spec.args.map(([name, kind]) => Object.freeze({ name, kind })),
      options: Object.fromEntries(optKeys.map((k, i) => [k, optionDefault(plan.optSpecs[i])])),
      optionKinds: Object.freeze(Object.fromEntries(optKeys.map((k, i) => [k, plan.optSpecs[i].kind]))),
      reductions: Object.freeze(
        plan.optSpecs.flatMap((o) => (o.kind === "reduction" ? ["none", "mean", "sum", ...(o.batchmean ? ["batchmean"] : [])] : [])),
      ),
      differentiable: [...spec.diff],
      output: spec.output,
    }),
  );
  // The small-call path takes the common calls; anything else (and every error) goes through `execute`.
  const fn = (...args: unknown[]) => executeSmall(plan, false, args) ?? execute(plan, false, args);
  const withGrad = (...args: unknown[]) => executeSmall(plan, true, args) ?? execute(plan, true, args);
  fn.withGrad = Object.assign(withGrad, { prepare: (...args: unknown[]) => prepareCall(plan, true, args) });
  fn.prepare = (...args: unknown[]) => prepareCall(plan, false, args);
  return fn;
}

/** An option's PyTorch default (`undefined` for a tensor option). */
function optionDefault(o: OptionSpec): number | boolean | string | undefined {
  return "default" in o ? o.default : undefined;
}

const REDUCTION_CODES: Record<string, number> = { none: 0, mean: 1, sum: 2, batchmean: 3 };
const GRAD_OPTIONS = ["gradOutput", "wrt", "into"] as const;

/**
 * The options of a call, each read once: an object (not an array or typed array) whose keys
 * are all known (a typo must not be silently ignored). A key whose value is `undefined` counts
 * as absent.
 */
const NO_OPTIONS: ReadonlyMap<string, unknown> = new Map();

function readOptions(plan: Plan, raw: unknown): ReadonlyMap<string, unknown> {
  if (raw === undefined) return NO_OPTIONS;
  const given = new Map<string, unknown>();
  return guard("INVALID_OPTION", plan.name, "options", () => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw) || ArrayBuffer.isView(raw) || isWasmTensor(raw)) {
      throw new LossError("INVALID_OPTION", `${plan.name}: options must be an object but is ${describe(raw)}`);
    }
    for (const key of Object.keys(raw)) {
      if (!plan.allowed.has(key)) throw new LossError("INVALID_OPTION", `${plan.name}: unknown option '${key}'; options are ${plan.optKeys.join(", ")}`);
      const v = (raw as Record<string, unknown>)[key];
      if (v !== undefined) given.set(key, v);
    }
    return given;
  });
}

/**
 * One option's value for the export (a wire code, a number or a flag), or its tensor. An
 * absent option takes PyTorch's default; `null` is accepted only for a tensor option
 * (PyTorch's `None`); any other null, like a BigInt or a NaN, is INVALID_OPTION.
 */
export function readOption(func: string, key: string, o: OptionSpec, given: unknown): number | boolean | FloatArg | undefined {
  if (given === undefined && o.kind === "tensor") return undefined;
  const v = given === undefined ? optionDefault(o) : given;
  const bad = (what: string) => new LossError("INVALID_OPTION", `${func}: ${key} must be ${what} but is ${show(v)}`);
  switch (o.kind) {
    case "reduction":
      if (typeof v !== "string" || !Object.hasOwn(REDUCTION_CODES, v) || (v === "batchmean" && !o.batchmean)) {
        throw bad(`one of ${o.batchmean ? "'none', 'mean', 'sum' or 'batchmean'" : "'none', 'mean' or 'sum'"}`);
      }
      return REDUCTION_CODES[v];
    case "number":
      if (typeof v !== "number" || Number.isNaN(v)) throw bad("a number");
      return v;
    case "integer":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) throw bad("an integer (of at most 2^53 in magnitude)");
      return v;
    case "bool":
      if (typeof v !== "boolean") throw bad("a boolean");
      return v;
    case "tensor":
      return v === null ? undefined : floatArg(func, key, v);
    case "choice": {
      const at = typeof v === "string" ? o.values.indexOf(v) : -1;
      if (at < 0) throw bad(`one of ${o.values.map((n) => `'${n}'`).join(", ")}`);
      return at;
    }
  }
}

/**
 * `true` when `v` holds class indices rather than probabilities: i32 data, or a number[] with
 * one entry per row (whose entries must then be class indices; only where rows and input
 * elements are as many, that is C = 1, does a number[] of non-integers mean probabilities).
 */
function holdsIndices(func: string, v: unknown, rows: number, inputLength: number): boolean {
  if (isWasmTensor(v)) return v.dtype === "i32";
  const kind = typedArrayName(v);
  if (kind !== undefined) return kind === "Int32Array";
  return guard("INVALID_ARGUMENT", func, "target", () => {
    const data = isTensorLike(v) ? v.data : v;
    if (isWasmTensor(data)) return data.dtype === "i32";
    if (typedArrayName(data) === "Int32Array") return true;
    if (Array.isArray(data)) {
      return data.length === rows && (rows !== inputLength || Array.prototype.every.call(data, (d: unknown) => Number.isInteger(d)));
    }
    return false;
  });
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

function overlaps(a: Region, b: Region): boolean {
  return a.space === b.space && a.start < b.end && b.start < a.end;
}

/** A gradient destination from `into`, read before staging: wasm-resident (a tensor or a view of one: its address) or a typed array filled after the call. */
interface Dest {
  resident: boolean;
  ptr: number;
  /** The caller's object: a wasm tensor, or a typed array. */
  given: unknown;
  region: Region | undefined;
}

function readDest(func: string, name: string, v: unknown, dt: Dtype, len: number): Dest {
  const what = `into.${name}`;
  // Only wasm tensors and typed arrays are destinations, read through the intrinsics (nothing of the caller's runs).
  if (!isWasmTensor(v) && typedArrayName(v) === undefined) {
    throw new LossError("INVALID_ARGUMENT", `${func}: ${what} must be a Float32Array, Float64Array or wasm tensor but is ${describe(v)}`);
  }
  const d = readData(func, what, v, "float");
  if (d.dtype !== dt) throw new LossError("DTYPE_MISMATCH", `${func}: ${what} must be ${dt} data but is ${isWasmTensor(v) ? `an ${d.dtype} tensor` : describe(v)}`);
  if (d.length !== len) throw new LossError("SHAPE_MISMATCH", `${func}: ${what} has ${d.length} elements but ${name} has ${len}`);
  return { resident: d.copy === undefined, ptr: d.ptr, given: v, region: d.region };
}

/** `bytes`, checked against one wasm32 allocation (OUT_OF_MEMORY beyond it). */
function need(func: string, bytes: number, what: string): number {
  if (bytes > MAX_ALLOC) throw outOfMemory(`${func}: ${what} needs ${bytes} bytes, more than one wasm32 allocation can hold (2 GiB)`);
  return bytes;
}

/**
 * INVALID_ARGUMENT where an output (a gradient destination) overlaps another output, or an
 * input (an argument, a tensor option, gradOutput) — except that an element-wise loss may
 * write a gradient exactly over one of its inputs (each element is read before it is written).
 */
function checkOverlaps(plan: Plan, parsed: readonly (Arg | number)[], tensorArgs: readonly FloatArg[], gradOutput: FloatArg | undefined, dests: readonly (Dest | undefined)[]) {
  const func = plan.name;
  const inputs: [string, Region][] = [];
  for (const p of parsed) if (typeof p !== "number" && p.data.region) inputs.push([p.name, p.data.region]);
  for (const t of tensorArgs) if (t.data.region) inputs.push([t.name, t.data.region]);
  if (gradOutput?.data.region) inputs.push([gradOutput.name, gradOutput.data.region]);
  const outputs: [string, Region][] = [];
  dests.forEach((d, k) => {
    if (d?.region) outputs.push([`into.${plan.argNames[plan.diffAt[k]]}`, d.region]);
  });
  for (let a = 0; a < outputs.length; a++) {
    const [out, o] = outputs[a];
    for (let b = a + 1; b < outputs.length; b++) {
      if (overlaps(o, outputs[b][1])) {
        throw new LossError("INVALID_ARGUMENT", `${func}: ${out} and ${outputs[b][0]} share memory; each gradient needs its own`);
      }
    }
    for (const [name, r] of inputs) {
      if (!overlaps(o, r)) continue;
      if (plan.elementwise && o.start === r.start && o.end === r.end) continue;
      throw new LossError(
        "INVALID_ARGUMENT",
        plan.elementwise
          ? `${func}: ${out} overlaps ${name} in part; a gradient may be written exactly over an input of ${func}, or to memory no argument uses`
          : `${func}: ${out} overlaps ${name}; ${func} reads its inputs while it writes gradients, so they need memory of their own`,
      );
    }
  }
}

/** Runs a loss from its plan: the shared data path of every loss. */
export function execute(plan: Plan, withGrad: boolean, args: unknown[]): unknown {
  const func = plan.name;
  requireLoaded(func);
  const nargs = plan.argNames.length;
  if (args.length > nargs + 1) {
    throw new LossError(
      "INVALID_ARGUMENT",
      `${func}: takes ${plan.argNames.join(", ")} and an options object (${nargs + 1} arguments) but was given ${args.length}`,
    );
  }

  // 1. Read every object of the caller's once, before anything is allocated in wasm memory.
  const given = readOptions(plan, args[nargs]);
  if (!withGrad) {
    for (const k of GRAD_OPTIONS) if (given.has(k)) throw new LossError("INVALID_OPTION", `${func}: ${k} is an option of ${func}.withGrad`);
  }
  // Options: values for the export, float tensors to stage.
  const values: Record<string, number | boolean> = {};
  const tensorKeys: string[] = [];
  const tensorArgs: FloatArg[] = [];
  let reductionCode = 1;
  for (let i = 0; i < plan.optKeys.length; i++) {
    const key = plan.optKeys[i];
    const o = plan.optSpecs[i];
    const v = readOption(func, key, o, given.get(key));
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
  const parsed: (Arg | number)[] = [];
  const isIndex: boolean[] = [];
  const floats: (FloatArg | undefined)[] = [];
  for (let i = 0; i < nargs; i++) {
    const name = plan.argNames[i];
    const kind = plan.argKinds[i];
    const v = args[i];
    let p: Arg | number;
    let index = false;
    const input = floats[0];
    if (
      kind === "index" ||
      kind === "multilabel" ||
      (kind === "onehot" && values.toOnehotY === true) ||
      (kind === "class" && input && holdsIndices(func, v, numel(rowShape(input.shape)), input.data.length))
    ) {
      p = indexArg(func, name, v);
      index = true;
    } else if ((kind === "floatOrNumber" || kind === "lengths") && typeof v === "number") {
      p = v;
    } else if (kind === "lengths") {
      p = indexArg(func, name, v);
      index = true;
    } else {
      p = floatArg(func, name, v);
    }
    parsed.push(p);
    isIndex.push(index);
    floats.push(typeof p === "number" || index ? undefined : p);
  }
  // The common dtype: number[] adapts; f32 and f64 must not mix.
  let dtype: Dtype | undefined;
  let dtypeFrom: FloatArg | undefined;
  for (let i = 0; i < floats.length + tensorArgs.length; i++) {
    const a = i < floats.length ? floats[i] : tensorArgs[i - floats.length];
    if (!a || a.dtype === undefined) continue;
    if (dtype === undefined) {
      dtype = a.dtype as Dtype;
      dtypeFrom = a;
    } else if (a.dtype !== dtype) {
      throw new LossError("DTYPE_MISMATCH", `${func}: ${a.name} is ${a.dtype} but ${dtypeFrom!.name} is ${dtype}; all float arguments must share one dtype`);
    }
  }
  const dt: Dtype = dtype ?? "f64";
  const input = floats[0]!;
  const none = reductionCode === 0;
  const output = plan.spec.output;
  const outShape =
    output === "input"
      ? input.shape
      : output === "rows"
        ? rowShape(input.shape)
        : output === "broadcast"
          ? broadcastShape(floats)
          : output === "sequences" && input.shape.length === 3
            ? [input.shape[1]]
          : output === "channels"
            ? plan.spec.outputShape!(input.shape, values)
            : [];

  // Gradients: the differentiable arguments holding float data (a class-index target or a number has none).
  const diffAt = plan.diffAt;
  const names: string[] = [];
  for (const at of diffAt) if (floats[at]) names.push(plan.argNames[at]);
  let wrt: string[] | undefined;
  const into: Map<string, unknown> | undefined = given.has("into") ? new Map() : undefined;
  if (given.has("wrt")) {
    wrt = guard("INVALID_OPTION", func, "wrt", () => {
      const w = given.get("wrt");
      const list = Array.isArray(w) ? Array.from(w as unknown[]) : undefined;
      if (!list || list.some((x) => typeof x !== "string" || !names.includes(x))) {
        throw new LossError("INVALID_OPTION", `${func}: wrt must list some of ${names.join(", ")} but is ${show(w)}`);
      }
      return list as string[];
    });
  }
  if (given.has("into")) {
    guard("INVALID_OPTION", func, "into", () => {
      const o = given.get("into");
      if (typeof o !== "object" || o === null || Array.isArray(o) || ArrayBuffer.isView(o) || isWasmTensor(o)) {
        throw new LossError("INVALID_OPTION", `${func}: into must be an object naming gradient destinations but is ${describe(o)}`);
      }
      for (const key of Object.keys(o)) {
        if (!names.includes(key)) throw new LossError("INVALID_OPTION", `${func}: into.${key} is not a differentiable argument (${names.join(", ")})`);
        const d = (o as Record<string, unknown>)[key];
        if (d !== undefined) into!.set(key, d);
      }
    });
  }
  const wanted: boolean[] = [];
  for (const at of diffAt) wanted.push(withGrad && floats[at] !== undefined && (wrt === undefined || wrt.includes(plan.argNames[at])));
  let gradOutput: FloatArg | undefined;
  if (given.has("gradOutput")) {
    if (!none) throw new LossError("INVALID_OPTION", `${func}: gradOutput is only used with reduction 'none'`);
    gradOutput = floatArg(func, "gradOutput", given.get("gradOutput"));
    if (gradOutput.dtype && gradOutput.dtype !== dt) throw new LossError("DTYPE_MISMATCH", `${func}: gradOutput is ${gradOutput.dtype} but the inputs are ${dt}`);
  }
  const dests: (Dest | undefined)[] = [];
  let anyDestRegion = false;
  for (let k = 0; k < diffAt.length; k++) {
    const at = diffAt[k];
    const name = plan.argNames[at];
    const d = wanted[k] && into?.has(name) ? readDest(func, name, into.get(name), dt, floats[at]!.data.length) : undefined;
    if (d?.region) anyDestRegion = true;
    dests.push(d);
  }

  // 2. Sizes, in 64-bit arithmetic (JS numbers), against wasm32's limits before anything is narrowed.
  const eb = ELEMENT_BYTES[dt];
  let total = 0;
  let words = 0;
  for (let i = 0; i < nargs + tensorArgs.length + 1; i++) {
    const a = i < nargs ? parsed[i] : i < nargs + tensorArgs.length ? tensorArgs[i - nargs] : gradOutput;
    if (a === undefined || typeof a === "number") continue;
    words += 2 + a.shape.length;
    if (a.data.copy !== undefined) total += need(func, a.data.length * (i < nargs && isIndex[i] ? 4 : eb), a.name);
  }
  const outLen = numel(outShape);
  if (none && outLen > MAX_DIM) throw outOfMemory(`${func}: the unreduced loss has shape [${outShape}], more elements than wasm32 can address`);
  if (none) {
    total += need(func, outLen * eb, "the unreduced loss");
    words += 2 + outShape.length;
  }
  for (let k = 0; k < diffAt.length; k++) {
    if (wanted[k] && !dests[k]?.resident) total += need(func, floats[diffAt[k]]!.data.length * eb, `the gradient of ${plan.argNames[diffAt[k]]}`);
  }
  if (words > descriptorWords()) total += need(func, words * 4, "the tensor descriptors");
  if (total > MAX_MEMORY) throw outOfMemory(`${func}: the call needs ${total} bytes of wasm memory, more than wasm32's 4 GiB`);

  // Aliasing: an output may not overlap an input or another output, except that an
  // element-wise loss may write a gradient exactly over one of its inputs.
  if (anyDestRegion) checkOverlaps(plan, parsed, tensorArgs, gradOutput, dests);

  // 3. Stage, call, collect.
  const call = new Call(func, dt);
  try {
    const handles: number[] = [];
    for (let i = 0; i < nargs; i++) {
      const p = parsed[i];
      handles.push(typeof p === "number" ? 0 : call.tensor(p, isIndex[i]));
    }
    const tensorHandles = tensorArgs.map((t) => call.tensor(t));
    const outBuffer = none ? call.buffer(outLen, "the unreduced loss") : 0;
    const outHandle = none ? call.describe(outBuffer, outShape) : 0;
    const gradOutHandle = call.tensor(gradOutput);
    // Gradient buffers: a wasm destination given in `into` is written in place; an element-wise
    // loss writes the gradient of an argument it copied over that copy (each element is read
    // before it is written; arguments of the input's length only, none broadcast), which saves
    // a buffer and its bytes in the cache; otherwise a fresh buffer.
    const gradPtrs: number[] = [];
    for (let k = 0; k < diffAt.length; k++) {
      const at = diffAt[k];
      const d = dests[k];
      const arg = floats[at]!;
      if (!wanted[k]) gradPtrs.push(0);
      else if (d?.resident) gradPtrs.push(d.ptr);
      else if (plan.elementwise && arg.data.copy !== undefined && arg.data.length === floats[0]?.data.length) gradPtrs.push(call.dataOf(handles[at]));
      else gradPtrs.push(call.buffer(arg.data.length, `the gradient of ${plan.argNames[at]}`));
    }
    call.seal();
    const stagedArgs: Record<string, StagedArg> = {};
    for (let i = 0; i < nargs; i++) {
      const p = parsed[i];
      stagedArgs[plan.argNames[i]] = { desc: call.address(handles[i]), isIndex: isIndex[i], number: typeof p === "number" ? p : 0 };
    }
    for (let i = 0; i < tensorKeys.length; i++) values[tensorKeys[i]] = call.address(tensorHandles[i]);
    const grads: Record<string, number> = {};
    for (let k = 0; k < diffAt.length; k++) grads[plan.argNames[diffAt[k]]] = gradPtrs[k];

    let value: number;
    try {
      value = settled(plan.spec.invoke(wasm(), dt === "f32", stagedArgs, values, { out: call.address(outHandle), gradOutput: call.address(gradOutHandle), grads }));
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
      const d = dests[k];
      if (d === undefined) {
        result[name] = call.read(gradPtrs[k], shape);
      } else if (isWasmTensor(d.given)) {
        result[name] = d.given as WasmTensor<Dtype>;
      } else if (d.resident) {
        // A view of a wasm tensor, written in place; if this call grew memory the view is
        // detached, and the gradient is returned through a fresh view of the same bytes.
        const view = d.given as FloatArray;
        const len = numel(shape);
        result[name] = { data: typedLength(view) === len ? view : call.view(d.ptr, len), shape: [...shape] };
      } else {
        copyInto(d.given as FloatArray, call.view(gradPtrs[k], numel(shape)));
        result[name] = { data: d.given as FloatArray, shape: [...shape] };
      }
    }
    return { loss, grads: result };
  } finally {
    call.free();
  }
}
