// losskit/tfjs: every losskit loss as a TensorFlow.js loss, through tf.customGrad.
// A separate entry: it imports @tensorflow/tfjs-core (an optional peer dependency) and the
// core package by name, so the core never imports tfjs and both share one wasm instance
// (the source imports ../index.js for its types; rollup.config.mjs rewrites it to "losskit").
//
// The forward pass of a reduced loss calls `withGrad` (loss and gradients in one fused pass)
// and keeps the gradients for tfjs's backward pass, which scales them by the upstream
// gradient dy. An unreduced loss ('none') computes its gradients in the backward pass, with
// dy as losskit's `gradOutput`.
/**
 * `losskit/tfjs`: every losskit loss as a TensorFlow.js loss (`tfjsLoss`, `tfjsLosses`).
 * @module losskit/tfjs
 */
import * as tf from "@tensorflow/tfjs-core";
import * as core from "../index.js";
import { LossError, type LossInfo, losses } from "../index.js";

/** A tfjs tensor, or a number where losskit takes one (gaussianNllLoss's `var`). */
export type TfjsArg = tf.Tensor | number;

/** Options of a tfjs loss: losskit's options, where tensor options may also be tf.Tensors. */
export type TfjsLossOptions = Record<string, number | boolean | string | Float32Array | number[] | tf.Tensor | undefined>;

/** A losskit loss for tfjs. */
export interface TfjsLoss {
  /**
   * The loss in losskit's (PyTorch's) argument order, e.g. `(input, target)`: for
   * `optimizer.minimize`, `tf.grad` and custom loops. Returns a scalar, or the unreduced
   * loss's tensor for reduction 'none'. Differentiable in every float argument that losskit
   * differentiates; class indices (int32, or floats holding integers) get a zero gradient.
   */
  (...args: TfjsArg[]): tf.Tensor;
  /**
   * The same loss in tfjs-layers' order `(yTrue, yPred)`, for `model.compile({ loss })`.
   * Only for losses of two arguments (input, target). tfjs-layers requires targets of the
   * model output's shape, so give classifiers one-hot labels there (sparse int32 labels work
   * with the direct call).
   */
  layers: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
  /** The loss's row of losskit's table. */
  info: LossInfo;
}

type Staged = Float32Array | Int32Array | { data: Float32Array | Int32Array; shape: number[] } | number;
type CoreLoss = ((...a: unknown[]) => unknown) & { withGrad: (...a: unknown[]) => { loss: number | core.Tensor; grads: Record<string, core.Tensor> } };

const isTf = (v: unknown): v is tf.Tensor => typeof v === "object" && v !== null && "dataSync" in v && "shape" in v && "dtype" in v;

/** Class indices from a tfjs tensor: int32 as they are; float data must hold integers. */
function indices(func: string, name: string, t: tf.Tensor): Int32Array {
  const d = t.dataSync();
  if (d instanceof Int32Array) return d;
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = Number(d[i]);
    if (!Number.isInteger(v)) throw new LossError("INVALID_TARGET", `${func}: ${name} holds ${v}, not a class index`);
    out[i] = v;
  }
  return out;
}

const floats = (t: tf.Tensor): Float32Array => {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
};

/**
 * Stages one positional argument as losskit reads it. Keras-style sparse labels of shape
 * (N, 1) for an (N, C) input are squeezed to (N).
 */
function stage(func: string, info: LossInfo, i: number, t: tf.Tensor, input: tf.Tensor | undefined): Staged {
  const { name, kind } = info.args[i];
  let shape = [...t.shape];
  // A `class` target of the input's shape holds probabilities (one-hot labels, also int32 ones); otherwise indices.
  const sameShape = input !== undefined && shape.length === input.rank && shape.every((d, k) => d === input.shape[k]);
  // Kinds this adapter does not know (a new family's) follow the tensor's dtype.
  const floatKind = kind === "float" || kind === "sign" || kind === "rowSign" || kind === "floatOrNumber";
  const asIndices = kind === "class" ? !sameShape : kind === "index" || kind === "multilabel" || (!floatKind && t.dtype === "int32");
  if (!asIndices) return { data: floats(t), shape };
  if (kind !== "multilabel" && input && shape.length === input.rank && shape.length >= 2 && shape[shape.length - 1] === 1) shape = shape.slice(0, -1);
  return { data: indices(func, name, t), shape };
}

/** Tensor options (weight, posWeight, alpha, …) given as tf.Tensors become `{ data, shape }`. */
function readOptions(options: TfjsLossOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) out[k] = isTf(v) ? { data: floats(v), shape: [...v.shape] } : v;
  return out;
}

/**
 * Makes a tfjs loss of the losskit loss `name` with the given options (losskit's names and
 * PyTorch's defaults).
 * @example
 * const ce = tfjsLoss("crossEntropy", { labelSmoothing: 0.1 });
 * optimizer.minimize(() => ce(model.predict(x), labels));   // PyTorch order
 * model.compile({ optimizer: "adam", loss: ce.layers });    // tfjs-layers order (yTrue, yPred)
 */
export function tfjsLoss(name: string, options: TfjsLossOptions = {}): TfjsLoss {
  const info = losses.find((l) => l.name === name);
  if (!info) throw new LossError("INVALID_ARGUMENT", `tfjsLoss: losskit has no loss named ${JSON.stringify(name)}`);
  const fn = (core as unknown as Record<string, CoreLoss>)[name];
  const reduction = (options.reduction ?? info.options.reduction) as string | undefined;
  const none = reduction === "none";

  const apply = (...args: TfjsArg[]): tf.Tensor => {
    if (args.length !== info.args.length) {
      throw new LossError("INVALID_ARGUMENT", `${name}: takes ${info.args.length} arguments (${info.args.map((a) => a.name).join(", ")}) but was given ${args.length}`);
    }
    // tf.customGrad takes tensors only: numbers stay in the closure.
    const at: number[] = [];
    const tensors: tf.Tensor[] = [];
    args.forEach((a, i) => {
      if (isTf(a)) {
        at.push(i);
        tensors.push(a);
      } else if (typeof a !== "number") {
        throw new LossError("INVALID_ARGUMENT", `${name}: ${info.args[i].name} must be a tf.Tensor (or a number) but is ${typeof a}`);
      }
    });
    const f = tf.customGrad(((...xs: unknown[]) => {
      const ins = xs.slice(0, tensors.length) as tf.Tensor[];
      const first = isTf(args[0]) ? ins[0] : undefined;
      const staged: Staged[] = args.map((a, i) => (typeof a === "number" ? a : stage(name, info, i, ins[at.indexOf(i)], first)));
      const opts = readOptions(options);
      // A zero gradient for class indices and arguments losskit does not differentiate (tfjs wants float32).
      const gradsOf = (grads: Record<string, core.Tensor>, dy?: tf.Tensor) =>
        ins.map((x, k) => {
          const g = grads[info.args[at[k]].name];
          if (!g) return tf.zeros(x.shape, "float32");
          const t = tf.tensor(g.data as Float32Array, x.shape, "float32");
          return dy ? tf.mul(t, dy) : t;
        });
      if (none) {
        const value = fn(...staged, opts) as core.Tensor;
        return {
          value: tf.tensor(value.data as Float32Array, [...value.shape], "float32"),
          gradFunc: (dy: tf.Tensor) => gradsOf(fn.withGrad(...staged, { ...opts, gradOutput: { data: floats(dy), shape: [...dy.shape] } }).grads),
        };
      }
      const r = fn.withGrad(...staged, opts);
      return { value: tf.scalar(r.loss as number), gradFunc: (dy: tf.Tensor) => gradsOf(r.grads, dy) };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(...tensors);
  };
  const layers = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => {
    if (info.args.length !== 2) {
      throw new LossError("INVALID_ARGUMENT", `${name}.layers: tfjs-layers passes (yTrue, yPred), but ${name} takes ${info.args.map((a) => a.name).join(", ")}; call it directly`);
    }
    return apply(yPred, yTrue);
  };
  return Object.assign(apply, { layers, info });
}

/** Every losskit loss as a factory of tfjs losses, keyed by name: `tfjsLosses.focalLoss({ gamma: 2 })`. */
export const tfjsLosses: Readonly<Record<string, (options?: TfjsLossOptions) => TfjsLoss>> = Object.freeze(
  Object.fromEntries(losses.map((l) => [l.name, (options?: TfjsLossOptions) => tfjsLoss(l.name, options)])),
);
