// The small-call path: the same call as `execute` (spec.ts), for the common shapes of a call,
// without its general machinery. At n = 1…10³ elements a loss costs little next to the
// fixed cost of a call, so this path allocates nothing in wasm and little in JS: the
// arguments are copied into a static staging area of the module (or described in place for
// wasm tensors), their descriptors written into the static descriptor area, and the
// gradients read back out of the staging area.
//
// It takes a call only when every piece is of a common kind — typed arrays (not views of
// wasm memory, not empty), `{ data, shape }` tensors of them, wasm tensors, numbers for
// `floatOrNumber`; options that are scalars, with a reduction other than 'none', `wrt`, and
// `into` naming wasm tensors that no input overlaps (except an element-wise loss's gradient
// written exactly over its own input) or typed arrays with buffers of their own; no
// `gradOutput`; a staged size within the area — and hands anything else,
// including every malformed call, to `execute`, which reads it afresh and reports the error.
// The core checks shapes and values on both paths alike.
import { buffer, requireLoaded, settled, wasm } from "./backend.js";
import { LossError, describe, rethrow } from "./errors.js";
import type { Plan, StagedArg } from "./spec.js";
import { execute, readOption } from "./spec.js";
import { type Dtype, type FloatArray, type Tensor, type WasmTensor, copyInto, isWasmTensor, typedArrayName, typedBuffer, typedLength } from "./tensor.js";

/** What a plan's small calls reuse: the staged-argument records and the output slots passed to `invoke`. */
export interface SmallPlan {
  /** The wire value of every option at its default (reduction code, number, flag; 0 = no tensor). */
  defaults: Record<string, number | boolean>;
  /** Option name → its index in the plan. */
  optIndex: ReadonlyMap<string, number>;
  staged: Record<string, StagedArg>;
  stagedList: StagedArg[];
  grads: Record<string, number>;
  outputs: { out: number; gradOutput: number; grads: Record<string, number> };
  /** Per argument: 0 float, 1 index, 2 class (index or float), 3 float or number. */
  kinds: Uint8Array;
  /** The reduction option's name, if the loss has one ('none' goes to `execute`). */
  reductionKey: string | undefined;
  /** Per gradient slot (index into `plan.diffAt`), the address last stored in `grads`. */
  gradValues: number[];
  /** Per gradient slot, its argument's name. */
  diffNames: string[];
}

/** The argument kinds this path stages; any other kind (`OTHER`) goes to `execute`. */
const KIND: Record<string, number> = { float: 0, sign: 0, rowSign: 0, boxes: 0, index: 1, multilabel: 1, class: 2, floatOrNumber: 3 };
const OTHER = 9;

/** Below this many elements a copy into or out of the area runs as a loop: `set`, `slice` and
 * `subarray` cost ~30–80 ns each before the first element (a loop copies ~16 in that time). */
const LOOP_COPY = 32;

/** Copies `len` elements of `src` into `area` from element `at` on (a loop below LOOP_COPY, else the intrinsic `set`). */
function copyToArea(area: Int32Array | FloatArray, at: number, src: Int32Array | FloatArray, len: number): void {
  if (len < LOOP_COPY) for (let j = 0; j < len; j++) area[at + j] = src[j];
  else copyInto(area, src, at);
}

/** Copies `len` elements of `area` from element `at` on into `dst` (a loop below LOOP_COPY, else the intrinsic `set`). */
function copyFromArea(dst: FloatArray, area: FloatArray, at: number, len: number): void {
  if (len < LOOP_COPY) for (let j = 0; j < len; j++) dst[j] = area[at + j];
  else copyInto(dst, area.subarray(at, at + len));
}

/** The plan's small records, made at its first small or prepared call. */
function smallOf(plan: Plan): SmallPlan {
  return plan.small ?? (plan.small = smallPlan(plan));
}

export function smallPlan(plan: Plan): SmallPlan {
  const defaults: Record<string, number | boolean> = {};
  // Each option's default as `execute` reads it (a wire code, a number or a flag; 0 for an absent tensor).
  plan.optKeys.forEach((k, i) => {
    const v = readOption(plan.name, k, plan.optSpecs[i], undefined);
    defaults[k] = typeof v === "number" || typeof v === "boolean" ? v : 0;
  });
  const staged: Record<string, StagedArg> = {};
  const stagedList = plan.argNames.map((n) => (staged[n] = { desc: 0, isIndex: false, number: 0 }));
  const grads: Record<string, number> = {};
  for (const at of plan.diffAt) grads[plan.argNames[at]] = 0;
  return {
    defaults,
    optIndex: new Map(plan.optKeys.map((k, i) => [k, i])),
    staged,
    stagedList,
    grads,
    outputs: { out: 0, gradOutput: 0, grads },
    kinds: Uint8Array.from(plan.argKinds, (k) => KIND[k] ?? OTHER),
    reductionKey: plan.optKeys.find((_, i) => plan.optSpecs[i].kind === "reduction"),
    gradValues: plan.diffAt.map(() => 0),
    diffNames: plan.diffAt.map((at) => plan.argNames[at]),
  };
}

// The static areas of the module and views over them, re-made when memory grows.
let area = 0;
let areaBytes = 0;
let descArea = 0;
let descWords = 0;
let viewsOf: ArrayBuffer | undefined;
let u32: Uint32Array;
let f32: Float32Array;
let f64: Float64Array;
let i32: Int32Array;

function views(): void {
  if (area === 0) {
    const w = wasm();
    area = w.staging_area();
    areaBytes = w.staging_bytes();
    descArea = w.descriptor_area();
    descWords = w.descriptor_words();
  }
  // Growing memory detaches the old buffer (its views read length 0): only then re-read
  // `memory.buffer`, a getter that costs more than the rest of a small call's bookkeeping.
  if (viewsOf !== undefined && u32.length !== 0) return;
  const b = buffer();
  if (b === viewsOf) return;
  viewsOf = b;
  u32 = new Uint32Array(b, descArea, descWords);
  f32 = new Float32Array(b, area, areaBytes / 4);
  f64 = new Float64Array(b, area, areaBytes / 8);
  i32 = new Int32Array(b, area, areaBytes / 4);
}


// Per argument of the call being made (calls do not nest): its data, shape and staging.
const argData: unknown[] = [];
const argShape: (readonly number[] | undefined)[] = [];
const argLen: number[] = [];
const argPtr: number[] = [];
/** 0 float, 1 index, 2 number. */
const argIs: number[] = [];
const gradOff: number[] = [];
const wanted: boolean[] = [];
/** Per differentiable argument: the wasm tensor or typed array given in `into` for its gradient. */
const dest: (WasmTensor | FloatArray | undefined)[] = [];

/** The gradient slot (index into `plan.diffAt`) of the argument named `name`, or −1 (a loop: two `indexOf` calls cost more). */
function gradSlot(sp: SmallPlan, name: unknown): number {
  const names = sp.diffNames;
  for (let k = 0; k < names.length; k++) if (names[k] === name) return k;
  return -1;
}

/**
 * Reads `into` (a plain object) into `dest`: `true` when every entry names a differentiable
 * argument and, for a wanted gradient, is a live wasm tensor, or a typed array outside wasm
 * memory, of the call's dtype and the argument's length that overlaps no input and no other
 * destination, except that an element-wise loss may write a gradient exactly over its own
 * wasm-tensor input; `false` hands the call to `execute` (which reports what is wrong, and
 * takes a typed array sharing its buffer with an input or another destination).
 */
function readInto(plan: Plan, sp: SmallPlan, into: object, dt: Dtype): boolean {
  const diffAt = plan.diffAt;
  try {
    for (const key in into) {
      const k = gradSlot(sp, key);
      if (k < 0) return false;
      const at = diffAt[k];
      const d: unknown = (into as Record<string, unknown>)[key];
      if (d === undefined || !wanted[k]) continue;
      if (isWasmTensor(d)) {
        if (d.disposed || d.dtype !== dt || d.length !== argLen[at]) return false;
      } else if (typedArrayName(d) !== (dt === "f32" ? "Float32Array" : "Float64Array") || typedLength(d as FloatArray) !== argLen[at]) {
        return false;
      }
      dest[k] = d as WasmTensor | FloatArray;
    }
  } catch {
    return false;
  }
  const eb = dt === "f32" ? 4 : 8;
  for (let k = 0; k < diffAt.length; k++) {
    const d = dest[k];
    if (d === undefined) continue;
    if (!isWasmTensor(d)) {
      // A typed array, filled after the call: its buffer must be its own (not wasm memory,
      // no input's, no other destination's).
      const b = typedBuffer(d);
      if (b === viewsOf) return false;
      for (let i = 0; i < plan.argNames.length; i++) if (argPtr[i] === 0 && argIs[i] !== 2 && typedBuffer(argData[i] as ArrayBufferView) === b) return false;
      for (let j = 0; j < k; j++) {
        const o = dest[j];
        if (o !== undefined && !isWasmTensor(o) && typedBuffer(o) === b) return false;
      }
      continue;
    }
    const start = d.ptr;
    const end = start + d.length * eb;
    for (let i = 0; i < plan.argNames.length; i++) {
      const p = argPtr[i];
      if (argIs[i] === 2 || p === 0) continue; // a number, or data staged in the area
      const e = p + argLen[i] * (argIs[i] === 1 ? 4 : eb);
      if (p < end && start < e && !(plan.elementwise && p === start && e === end)) return false;
    }
    for (let j = 0; j < k; j++) {
      const o = dest[j];
      if (o !== undefined && isWasmTensor(o) && o.ptr < end && start < o.ptr + o.length * eb) return false;
    }
  }
  return true;
}

/** The data and shape of a `{ data, shape }` plain object, when both are of the kinds this path takes (else undefined). */
function tensorLike(v: object): [unknown, readonly number[]] | undefined {
  try {
    if (Object.getPrototypeOf(v) !== Object.prototype) return undefined;
    const { data, shape } = v as { data: unknown; shape: unknown };
    if (!Array.isArray(shape)) return undefined;
    let n = 1;
    for (let i = 0; i < shape.length; i++) {
      const d: unknown = shape[i];
      if (typeof d !== "number" || !Number.isInteger(d) || d < 0) return undefined;
      n *= d;
    }
    if (typedArrayName(data) === undefined || typedLength(data as ArrayBufferView) !== n) return undefined;
    return [data, shape];
  } catch {
    return undefined;
  }
}

let enabled = true;

/** Turns the small-call path on or off (on by default): every call then goes through `execute` (for tests and benchmarks). */
export function setSmallCalls(on: boolean): void {
  enabled = on === true;
}

/**
 * Stores gradient slot `k`'s address in `sp.grads`, keyed by its argument's name, unless it
 * is there already: one site storing several names makes V8's keyed store generic (~20–40 ns
 * each), and a loop's calls store the same addresses every time.
 */
function setGrad(sp: SmallPlan, plan: Plan, k: number, address: number): void {
  if (sp.gradValues[k] === address) return;
  sp.gradValues[k] = address;
  sp.grads[plan.argNames[plan.diffAt[k]]] = address;
}

// What `stage` leaves for its caller: the call's dtype, option values and descriptor words.
let stagedDtype: Dtype = "f32";
let stagedValues: Record<string, number | boolean> = {};
let stagedWords = 0;

/**
 * Stages a call this path takes — its arguments copied into the area (or described in place),
 * their descriptors written, the gradient slots set in `sp.grads` — and returns the plan's
 * small records, or `undefined` to hand the call to `execute`. `prepared`: a call for
 * {@link prepareCall}, whose wasm tensors may be larger than the area.
 */
function stage(plan: Plan, withGrad: boolean, args: unknown[], prepared: boolean): SmallPlan | undefined {
  const nargs = plan.argNames.length;
  if (args.length > nargs + 1) return undefined;
  const sp = smallOf(plan);

  // Options: scalars only, validated by the same reader as `execute`'s.
  let values = sp.defaults;
  let wrt: number | undefined;
  let into: object | undefined;
  const opts = args[nargs];
  if (opts !== undefined) {
    if (typeof opts !== "object" || opts === null) return undefined;
    try {
      if (Object.getPrototypeOf(opts) !== Object.prototype) return undefined;
      for (const key in opts) {
        if (key === "into" && withGrad) {
          const d: unknown = (opts as { into: unknown }).into;
          if (d !== undefined && (typeof d !== "object" || d === null || Object.getPrototypeOf(d) !== Object.prototype)) return undefined;
          into = d as object | undefined;
          continue;
        }
        if (key === "wrt" && withGrad) {
          const w: unknown = (opts as { wrt: unknown }).wrt;
          if (w === undefined) continue;
          if (!Array.isArray(w)) return undefined;
          // A bit per differentiable argument named (anything else is `execute`'s to report).
          wrt = 0;
          for (let j = 0; j < w.length; j++) {
            const k = gradSlot(sp, w[j]);
            if (k < 0) return undefined;
            wrt |= 1 << k;
          }
          continue;
        }
        const i = sp.optIndex.get(key);
        if (i === undefined) return undefined;
        const o = plan.optSpecs[i];
        const given = (opts as Record<string, unknown>)[key];
        if (o.kind === "tensor") {
          if (given === undefined || given === null) continue;
          return undefined;
        }
        if (values === sp.defaults) values = { ...sp.defaults }; // (copied once a scalar option is given)
        values[key] = readOption(plan.name, key, o, given) as number | boolean;
      }
    } catch {
      return undefined;
    }
  }
  if (sp.reductionKey !== undefined && values[sp.reductionKey] === 0) return undefined;

  // Arguments: what each is, the call's dtype, and the bytes to stage (8-aligned pieces).
  views();
  let dt: Dtype | undefined;
  let bytes = 0;
  const kinds = sp.kinds;
  for (let i = 0; i < nargs; i++) {
    let v = args[i];
    const kind = kinds[i];
    if (kind === OTHER) return undefined;
    if (typeof v === "number") {
      if (kind !== 3) return undefined;
      argIs[i] = 2;
      argData[i] = v;
      continue;
    }
    let shape: readonly number[] | undefined;
    let ptr = 0;
    let name: string | undefined;
    if (isWasmTensor(v)) {
      if (v.disposed || v.length === 0) return undefined;
      name = v.dtype === "f32" ? "Float32Array" : v.dtype === "f64" ? "Float64Array" : "Int32Array";
      shape = v.shape;
      ptr = v.ptr;
    } else {
      name = typedArrayName(v);
      if (name === undefined) {
        if (typeof v !== "object" || v === null || isWasmTensor(v)) return undefined;
        const t = tensorLike(v);
        if (t === undefined) return undefined;
        [v, shape] = t;
        name = typedArrayName(v);
      }
      // A view of wasm memory goes to `execute`, which resolves it to its tensor. `views()` has
      // just made `viewsOf` the current memory's buffer (a view of an older one is detached:
      // length 0, `execute`'s too).
      if (typedBuffer(v as ArrayBufferView) === viewsOf) return undefined;
    }
    const len = ptr !== 0 ? (v as { length: number }).length : typedLength(v as ArrayBufferView);
    if (len === 0 || (len > areaBytes && !(prepared && ptr !== 0))) return undefined; // (and the sizes below fit in 32-bit arithmetic)
    if (name === "Int32Array") {
      if (kind === 0 || kind === 3) return undefined;
      argIs[i] = 1;
      if (ptr === 0) bytes += (len * 4 + 7) & ~7;
    } else if (name === "Float32Array" || name === "Float64Array") {
      if (kind === 1) return undefined;
      const d: Dtype = name === "Float32Array" ? "f32" : "f64";
      if (dt === undefined) dt = d;
      else if (d !== dt) return undefined;
      argIs[i] = 0;
      if (ptr === 0) bytes += len * (d === "f32" ? 4 : 8);
      bytes = (bytes + 7) & ~7;
    } else {
      return undefined;
    }
    argData[i] = v;
    argShape[i] = shape;
    argLen[i] = len;
    argPtr[i] = ptr;
  }
  if (dt === undefined) return undefined;
  const eb = dt === "f32" ? 4 : 8;
  const diffAt = plan.diffAt;
  if (withGrad) {
    for (let k = 0; k < diffAt.length; k++) {
      const at = diffAt[k];
      const named = wrt === undefined || ((wrt >> k) & 1) === 1;
      // `wrt` names only arguments holding float data (anything else is `execute`'s to report).
      if (wrt !== undefined && named && argIs[at] !== 0) return undefined;
      wanted[k] = argIs[at] === 0 && named;
      dest[k] = undefined;
    }
    if (into !== undefined && !readInto(plan, sp, into, dt)) return undefined;
    for (let k = 0; k < diffAt.length; k++) if (wanted[k] && !isWasmTensor(dest[k])) bytes += (argLen[diffAt[k]] * eb + 7) & ~7;
  }
  let words = 0;
  for (let i = 0; i < nargs; i++) if (argIs[i] !== 2) words += 2 + (argShape[i]?.length ?? 1);
  if (bytes > areaBytes || words > descWords) return undefined;

  // Stage: copies into the area, descriptors into the descriptor area.
  let off = 0;
  let word = 0;
  const staged = sp.stagedList;
  for (let i = 0; i < nargs; i++) {
    const s = staged[i];
    if (argIs[i] === 2) {
      s.desc = 0;
      s.isIndex = false;
      s.number = argData[i] as number;
      argData[i] = undefined;
      continue;
    }
    let ptr = argPtr[i];
    if (ptr === 0) {
      ptr = area + off;
      const len = argLen[i];
      const src = argData[i] as Int32Array | FloatArray;
      const to: Int32Array | FloatArray = argIs[i] === 1 ? i32 : dt === "f32" ? f32 : f64;
      const bytes = argIs[i] === 1 ? 4 : eb; // (constants: a typed array's BYTES_PER_ELEMENT is a property load)
      copyToArea(to, off / bytes, src, len);
      off = (off + len * bytes + 7) & ~7;
    }
    argData[i] = undefined; // keep no reference to the caller's data
    s.desc = descArea + word * 4;
    s.isIndex = argIs[i] === 1;
    s.number = 0;
    const shape = argShape[i];
    u32[word++] = ptr;
    if (shape === undefined) {
      u32[word++] = 1;
      u32[word++] = argLen[i];
    } else {
      u32[word++] = shape.length;
      for (let d = 0; d < shape.length; d++) u32[word++] = shape[d];
    }
  }
  for (let k = 0; k < diffAt.length; k++) {
    const at = diffAt[k];
    const want = withGrad && wanted[k];
    const d = want ? dest[k] : undefined;
    if (d !== undefined && isWasmTensor(d)) {
      gradOff[k] = -2; // written in place, into the caller's wasm tensor
      setGrad(sp, plan, k, d.ptr);
      continue;
    }
    gradOff[k] = want ? off : -1;
    setGrad(sp, plan, k, want ? area + off : 0);
    if (want) off += (argLen[at] * eb + 7) & ~7;
  }
  stagedDtype = dt;
  stagedValues = values;
  stagedWords = word;
  return sp;
}


/** The loss (and gradients) of a call this path takes, or `undefined` to hand it to `execute`. */
export function executeSmall(plan: Plan, withGrad: boolean, args: unknown[]): unknown {
  if (!enabled) return undefined;
  requireLoaded(plan.name);
  const sp = stage(plan, withGrad, args, false);
  if (sp === undefined) return undefined;
  const diffAt = plan.diffAt;
  const dt = stagedDtype;

  let loss: number;
  try {
    loss = settled(plan.spec.invoke(wasm(), dt === "f32", sp.staged, stagedValues as never, sp.outputs));
  } catch (e) {
    rethrow(e, plan.name);
  }
  if (!withGrad) return loss;
  views(); // the call may have grown memory
  const result: Record<string, Tensor> = {};
  for (let k = 0; k < diffAt.length; k++) {
    const o = gradOff[k];
    if (o === -2) {
      result[plan.argNames[diffAt[k]]] = dest[k] as unknown as Tensor;
      dest[k] = undefined;
      continue;
    }
    if (o < 0) continue;
    const at = diffAt[k];
    const len = argLen[at];
    const staged: FloatArray = dt === "f32" ? f32 : f64;
    const from = o / (dt === "f32" ? 4 : 8);
    const d = dest[k];
    dest[k] = undefined;
    let data: FloatArray;
    if (d === undefined && len >= LOOP_COPY) data = staged.slice(from, from + len);
    else {
      // A typed array from `into`, or a new one, filled from the area.
      data = (d as FloatArray | undefined) ?? (dt === "f32" ? new Float32Array(len) : new Float64Array(len));
      copyFromArea(data, staged, from, len);
    }
    const shape = argShape[at];
    result[plan.argNames[at]] = { data, shape: shape === undefined ? [len] : [...shape] };
  }
  return { loss, grads: result };
}

/**
 * A loss call bound to its tensors and options by `loss.prepare(…)` or
 * `loss.withGrad.prepare(…)`: each call runs the loss on the tensors' current contents and
 * returns the reduced loss (a `withGrad` one also writes the gradients into its `into` tensors).
 */
export type PreparedCall = () => number;

/** A typed array a prepared call copies into the staging area (at element `at` of its view) before each call. */
interface CopyIn {
  data: FloatArray | Int32Array;
  name: string;
  len: number;
  index: boolean;
  at: number;
}
/** A typed array of `into` that a prepared call fills from the staging area (element `at`) after each call. */
interface CopyOut {
  data: FloatArray;
  name: string;
  len: number;
  at: number;
  /** The gradient's view of the area, and the area view it was taken from (re-made when memory grows). */
  from: FloatArray | undefined;
  fromOf: FloatArray | undefined;
}

/**
 * Binds a call with a reduced loss, whose gradients (for `withGrad`) each go into a wasm
 * tensor or a typed array given in `into`: the options are read and the arguments checked
 * once, here. Each call of the result copies the typed arrays' current contents into the
 * module's static staging area (wasm tensors are read in place), writes the descriptors it
 * kept into the descriptor area, makes the one wasm call, and copies the gradients meant for
 * typed arrays out of the area: with wasm tensors only, nothing is allocated or copied. The
 * core checks shapes and values on every call, as for any call. A call this path cannot
 * stage (larger typed arrays, empty tensors, ctcLoss's and diceLoss's arguments) is bound
 * to the general path instead: the same results at the usual fixed cost.
 */
export function prepareCall(plan: Plan, withGrad: boolean, args: unknown[]): PreparedCall {
  const func = `${plan.name}${withGrad ? ".withGrad" : ""}.prepare`;
  requireLoaded(plan.name);
  const nargs = plan.argNames.length;
  const bad = (code: "INVALID_ARGUMENT" | "INVALID_OPTION", msg: string) => new LossError(code, `${func}: ${msg}`);
  for (let i = 0; i < Math.min(nargs, args.length); i++) {
    const v = args[i];
    // (What else is wrong with an object, the staging or the general path reports.)
    if (typeof v === "number" ? plan.argKinds[i] !== "floatOrNumber" && plan.argKinds[i] !== "lengths" : typeof v !== "object" || v === null || Array.isArray(v)) {
      throw bad("INVALID_ARGUMENT", `${plan.argNames[i]} must be a wasm tensor (losskit.tensor), a typed array or a { data, shape } tensor of one but is ${describe(v)}`);
    }
  }
  const sp = smallOf(plan);
  const opts = args[nargs];
  const o = (opts !== null && typeof opts === "object" ? opts : {}) as Record<string, unknown>;
  const red = sp.reductionKey;
  if (red !== undefined && (o[red] === "none" || (o[red] === undefined && sp.defaults[red] === 0))) {
    throw bad("INVALID_OPTION", `reduction 'none' cannot be prepared (its output is a new tensor per call)${o[red] === undefined ? "; give reduction 'mean' or 'sum'" : ""}`);
  }
  if (o.gradOutput !== undefined) throw bad("INVALID_OPTION", "gradOutput cannot be prepared (it is used with reduction 'none')");
  plan.optKeys.forEach((k, i) => {
    if (plan.optSpecs[i].kind === "tensor" && o[k] !== undefined && o[k] !== null) {
      throw bad("INVALID_OPTION", `the tensor option ${k} cannot be prepared; call ${plan.name} with it instead`);
    }
  });
  /** The error of a gradient the call computes without an `into` destination to write it to. */
  const noDest = (name: string) =>
    bad("INVALID_OPTION", `into.${name} must be a wasm tensor or a typed array for the gradient of ${name} (a prepared call allocates nothing; name fewer in wrt)`);
  const staged0 = sp.kinds.includes(OTHER) ? undefined : stage(plan, withGrad, args, true);
  if (staged0 === undefined) return preparedGeneral(plan, withGrad, args, func, noDest);

  const eb = stagedDtype === "f32" ? 4 : 8;
  const tensors: WasmTensor[] = [];
  const copyIn: CopyIn[] = [];
  const words = Uint32Array.from(u32.subarray(0, stagedWords));
  for (let i = 0; i < nargs; i++) {
    const v = args[i];
    if (isWasmTensor(v)) tensors.push(v);
    else if (typeof v === "object" && v !== null) {
      // Staged in the area: its address is the first word of its descriptor.
      const data = (typedArrayName(v) !== undefined ? v : tensorLike(v)![0]) as FloatArray | Int32Array;
      const index = argIs[i] === 1;
      const ptr = words[(sp.stagedList[i].desc - descArea) >> 2];
      copyIn.push({ data, name: plan.argNames[i], len: typedLength(data), index, at: (ptr - area) / (index ? 4 : eb) });
    }
  }
  const copyOut: CopyOut[] = [];
  if (withGrad) {
    for (let k = 0; k < plan.diffAt.length; k++) {
      const name = plan.argNames[plan.diffAt[k]];
      if (gradOff[k] === -2) tensors.push(dest[k] as WasmTensor);
      else if (gradOff[k] >= 0) {
        // A gradient the staging placed in the area: copied out into `into`'s typed array.
        const d = dest[k] as FloatArray | undefined;
        if (d === undefined) {
          dest.fill(undefined);
          throw noDest(name);
        }
        copyOut.push({ data: d, name, len: typedLength(d), at: gradOff[k] / eb, from: undefined, fromOf: undefined });
      }
    }
    dest.fill(undefined); // (the staging keeps no reference to the caller's destinations)
  }
  const staged: Record<string, StagedArg> = {};
  for (const name of plan.argNames) staged[name] = { ...staged0.staged[name] };
  const values = { ...stagedValues };
  const outputs = { out: 0, gradOutput: 0, grads: { ...staged0.grads } };
  const isF32 = stagedDtype === "f32";
  const invoke = plan.spec.invoke;
  const name = plan.name;
  const resized = (what: string, now: number, len: number) =>
    new LossError("INVALID_ARGUMENT", `${func}: ${what} has ${now} elements now but had ${len} when prepared (its buffer was detached or resized)`);
  return () => {
    requireLive(tensors, func);
    views(); // (re-made only when memory grew)
    for (let c = 0; c < copyIn.length; c++) {
      const { data, len, at } = copyIn[c];
      if (typedLength(data) !== len) throw resized(copyIn[c].name, typedLength(data), len);
      // (copyToArea's work written out, as copyFromArea's below with a kept subarray: V8 does
      // not inline them into this closure, and the calls cost a prepared call ~10 %, measured.)
      const to: FloatArray | Int32Array = copyIn[c].index ? i32 : isF32 ? f32 : f64;
      if (len < LOOP_COPY) for (let j = 0; j < len; j++) to[at + j] = data[j];
      else copyInto(to, data, at);
    }
    for (let i = 0; i < words.length; i++) u32[i] = words[i];
    let loss: number;
    try {
      loss = settled(invoke(wasm(), isF32, staged, values as never, outputs));
    } catch (e) {
      rethrow(e, name);
    }
    if (copyOut.length !== 0) {
      views(); // the call may have grown memory
      const areaView: FloatArray = isF32 ? f32 : f64;
      for (let c = 0; c < copyOut.length; c++) {
        const out = copyOut[c];
        const { data, len, at } = out;
        if (typedLength(data) !== len) throw resized(`into.${out.name}`, typedLength(data), len);
        if (len < LOOP_COPY) for (let j = 0; j < len; j++) data[j] = areaView[at + j];
        else {
          if (out.fromOf !== areaView) (out.from = areaView.subarray(at, at + len)), (out.fromOf = areaView);
          copyInto(data, out.from!);
        }
      }
    }
    return loss;
  };
}

/**
 * A prepared call this path does not stage (ctcLoss's lengths, diceLoss's one-hot target,
 * typed arrays larger than the area, empty tensors): the arguments and a copy of the options
 * are bound, and each call goes through `execute` (wasm scratch taken and released within
 * the call, typed arrays copied in and out).
 */
function preparedGeneral(plan: Plan, withGrad: boolean, args: unknown[], func: string, noDest: (name: string) => LossError): PreparedCall {
  const nargs = plan.argNames.length;
  const bound = args.slice(0, nargs);
  const given = (args[nargs] ?? {}) as Record<string, unknown>;
  const opts: Record<string, unknown> = { ...given };
  if (Array.isArray(given.wrt)) opts.wrt = [...given.wrt];
  if (given.into !== null && typeof given.into === "object") opts.into = { ...given.into };
  const into = (opts.into ?? {}) as Record<string, unknown>;
  const tensors = [...bound, ...Object.values(into)].filter(isWasmTensor);
  const run = () => {
    requireLive(tensors, func);
    return execute(plan, withGrad, [...bound, opts]);
  };
  // One call here checks it (shapes, values), as the fast path's staging does, and shows
  // which gradients it computes: each must have gone into a wasm tensor or typed array of `into`.
  const first = run();
  if (withGrad) {
    for (const [name, g] of Object.entries((first as { grads: Record<string, Tensor> }).grads)) {
      if (!isWasmTensor(g) && (into[name] === undefined || g.data !== into[name])) throw noDest(name);
    }
  }
  return withGrad ? () => (run() as { loss: number }).loss : () => run() as number;
}

/** Throws DISPOSED when one of a prepared call's tensors was disposed. */
function requireLive(tensors: readonly WasmTensor[], func: string): void {
  for (let i = 0; i < tensors.length; i++) if (tensors[i].disposed) throw new LossError("DISPOSED", `${func}: a tensor of this prepared call was disposed`);
}
