// Classification losses, mirroring crates/losskit-core/src/classification.rs.
// Every function takes (input, target, options) with PyTorch's option names and defaults,
// returns a number (reduced) or a tensor (reduction 'none'), and has `.withGrad`.
import { wasm } from "../backend.js";
import { type Loss, type NoneByDefaultLoss, Options, type Plan, type Reduction, defineLoss, execute, sameShape } from "../call.js";
import { LossError } from "../errors.js";
import {
  type FloatArg,
  type FloatInput,
  type IndexArg,
  type IndexInput,
  type Tensor,
  WasmTensor,
  commonDtype,
  floatArg,
  indexArg,
  numel,
} from "../tensor.js";

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** 'none' | 'mean' | 'sum'. Default 'mean': ÷ Σ weight[target] of non-ignored targets (index targets), ÷ number of rows (probability targets). */
  reduction?: Reduction;
  /** Class weights, shape (C). */
  weight?: FloatInput;
  /** Targets equal to this index contribute no loss and no gradient. Default -100. Must stay negative with probability targets. */
  ignoreIndex?: number;
  /** Label smoothing ε in [0, 1]. Default 0. */
  labelSmoothing?: number;
}
/** Options of {@link nllLoss}. */
export interface NllOptions {
  /** Default 'mean' (÷ Σ weight[target] of non-ignored targets). */
  reduction?: Reduction;
  /** Class weights, shape (C). */
  weight?: FloatInput;
  /** Default -100. */
  ignoreIndex?: number;
}
/** Options of {@link categoricalCrossEntropy}. */
export interface CategoricalOptions {
  /** Default 'mean' (over rows). */
  reduction?: Reduction;
}
/** Options of {@link focalLoss}. */
export interface FocalOptions {
  /** Default 'mean' (over rows). */
  reduction?: Reduction;
  /** Focusing parameter γ ≥ 0. Default 2. */
  gamma?: number;
  /** Per-class weights α, shape (C). Default: none (1). */
  alpha?: FloatInput;
}
/** Options of {@link binaryCrossEntropy}. */
export interface BceOptions {
  /** Default 'mean' (÷ element count, also with weight). */
  reduction?: Reduction;
  /** Element weights, broadcast (NumPy rules) to the input's shape. */
  weight?: FloatInput;
}
/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BceLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast to the input's shape (a (C) tensor applies along the last dim). */
  posWeight?: FloatInput;
}
/** Options of {@link klDiv}. */
export interface KlDivOptions {
  /** 'none' | 'mean' (÷ element count) | 'sum' | 'batchmean' (÷ input.shape[0]; PyTorch's recommended). Default 'mean'. */
  reduction?: Reduction | "batchmean";
  /** The target is given as log-probabilities. Default false. */
  logTarget?: boolean;
}
/** Options of {@link sigmoidFocalLoss}. */
export interface SigmoidFocalOptions {
  /** Default 'none' (torchvision's default). */
  reduction?: Reduction;
  /** Weight of positives α ∈ [0, 1]; negative disables the α factor. Default 0.25. */
  alpha?: number;
  /** Focusing parameter γ. Default 2. */
  gamma?: number;
}

type ClassTarget = IndexInput | FloatInput;
type Diff = "input" | "target";
type WasmFn = (...a: unknown[]) => number;

function fn(name: string): WasmFn {
  return (wasm() as unknown as Record<string, WasmFn>)[name];
}

/** The row view of an input over classes: classes C and the unreduced (row) shape. */
function classView(func: string, x: FloatArg): { classes: number; rowShape: number[] } {
  const s = x.shape;
  if (s.length === 0) {
    throw new LossError("SHAPE_MISMATCH", `${func}: input must have shape (C), (N, C) or (N, C, d1, ...) but is 0-dimensional`);
  }
  if (s.length === 1) return { classes: s[0], rowShape: [] };
  return { classes: s[1], rowShape: [s[0], ...s.slice(2)] };
}

/** `true` when `v` holds class indices rather than probabilities (see {@link crossEntropy}). */
function holdsIndices(v: unknown, rows: number): boolean {
  if (v instanceof WasmTensor) return v.dtype === "i32";
  const data = typeof v === "object" && v !== null && "data" in v ? (v as { data: unknown }).data : v;
  if (data instanceof Int32Array) return true;
  if (Array.isArray(data)) return data.length === rows && data.every((d) => Number.isInteger(d));
  return false;
}

/** A validated class target: indices (one per row) or probabilities (input's shape). */
type Checked = { index: IndexArg; prob?: undefined } | { index?: undefined; prob: FloatArg };

function classTarget(func: string, x: FloatArg, rowShape: number[], v: unknown, allowProb: boolean): Checked {
  if (!allowProb || holdsIndices(v, numel(rowShape))) {
    const index = indexArg(func, "target", v);
    sameShape(func, { name: "the input's rows (input shape without the class dim)", shape: rowShape }, index);
    return { index };
  }
  const prob = floatArg(func, "target", v);
  sameShape(func, x, prob);
  return { prob };
}

/** A per-class tensor option of shape (C). */
function perClass(func: string, opts: Options, key: string, classes: number): FloatArg | undefined {
  const t = opts.tensor(key);
  if (t && (t.shape.length !== 1 || t.shape[0] !== classes)) {
    throw new LossError("SHAPE_MISMATCH", `${func}: ${key} must have shape [${classes}] (one per class) but has shape [${t.shape}]`);
  }
  return t;
}

function plan(
  func: string,
  dtype: ReturnType<typeof commonDtype>,
  reduction: string,
  outShape: readonly number[],
  x: FloatArg,
  target: FloatArg | undefined,
  opts: Options,
  invoke: Plan<Diff>["invoke"],
): Plan<Diff> {
  const diff: { name: Diff; arg: FloatArg }[] = [{ name: "input", arg: x }];
  if (target) diff.push({ name: "target", arg: target });
  return { func, dtype, reduction, outShape, diff, opts, invoke };
}

/**
 * Cross-entropy between logits and a target (PyTorch `F.cross_entropy`).
 *
 * `input` is (C), (N, C) or (N, C, d1, ...) logits, classes in dim 1 (dim 0 for (C)).
 * `target` is either class indices — an Int32Array / i32 tensor of shape (), (N) or
 * (N, d1, ...) — or class probabilities — a float tensor of the input's shape (differentiable:
 * `grads.target`). A plain number[] counts as indices when it has one integer per row.
 * @example
 * crossEntropy({ data: logits, shape: [4, 3] }, new Int32Array([0, 2, 1, 2]))
 * const { loss, grads } = crossEntropy.withGrad(x, labels, { labelSmoothing: 0.1 });
 */
export const crossEntropy: Loss<[input: FloatInput, target: ClassTarget], CrossEntropyOptions, Diff> = defineLoss((g, a) => {
  const func = "crossEntropy";
  const opts = new Options(func, a[2], ["reduction", "weight", "ignoreIndex", "labelSmoothing"]);
  const x = floatArg(func, "input", a[0]);
  const { classes, rowShape } = classView(func, x);
  const t = classTarget(func, x, rowShape, a[1], true);
  const weight = perClass(func, opts, "weight", classes);
  const ignoreIndex = opts.integer("ignoreIndex", -100);
  const smoothing = opts.number("labelSmoothing", 0);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new LossError("INVALID_OPTION", `${func}: labelSmoothing must be between 0 and 1 but is ${smoothing}`);
  if (t.prob && ignoreIndex >= 0) {
    throw new LossError("INVALID_OPTION", `${func}: ignoreIndex is not supported for probability targets (it is ${ignoreIndex})`);
  }
  const dtype = commonDtype(func, [x, t.prob, weight]);
  const red = opts.reduction("mean");
  return execute(
    plan(func, dtype, red.name, rowShape, x, t.prob, opts, (call, out, go, [gi, gt]) => {
      const targetPtr = t.index ? call.index(t.index) : call.float(t.prob);
      const targetLen = numel((t.index ?? t.prob).shape);
      return fn(`cross_entropy_${dtype}`)(
        call.float(x), new Uint32Array(x.shape), targetPtr, targetLen, !!t.index, call.float(weight), weight ? classes : 0,
        ignoreIndex, smoothing, red.code, out, go, gi, gt ?? 0,
      );
    }),
    g,
  );
});

/** Softmax cross-entropy: the same function object as {@link crossEntropy}. */
export const softmaxCrossEntropy = crossEntropy;

/**
 * Negative log likelihood of log-probabilities (PyTorch `F.nll_loss`): −weight[y]·input[y].
 * Shapes and options as {@link crossEntropy} with class-index targets.
 */
export const nllLoss: Loss<[input: FloatInput, target: IndexInput], NllOptions, "input"> = defineLoss((g, a) => {
  const func = "nllLoss";
  const opts = new Options(func, a[2], ["reduction", "weight", "ignoreIndex"]);
  const x = floatArg(func, "input", a[0]);
  const { classes, rowShape } = classView(func, x);
  const t = classTarget(func, x, rowShape, a[1], false);
  const weight = perClass(func, opts, "weight", classes);
  const ignoreIndex = opts.integer("ignoreIndex", -100);
  const dtype = commonDtype(func, [x, weight]);
  const red = opts.reduction("mean");
  return execute(
    plan(func, dtype, red.name, rowShape, x, undefined, opts, (call, out, go, [gi]) =>
      fn(`nll_loss_${dtype}`)(
        call.float(x), new Uint32Array(x.shape), call.index(t.index), numel(t.index!.shape), call.float(weight), weight ? classes : 0,
        ignoreIndex, red.code, out, go, gi,
      ),
    ),
    g,
  );
});

/**
 * Categorical cross-entropy of probabilities: −Σ_c target_c · max(ln input_c, −100) per row,
 * 'mean' over rows. `input` (N, C) probabilities; `target` class indices (N) or probabilities
 * (N, C) (then differentiable). The input's gradient is 0 where the log is clamped.
 */
export const categoricalCrossEntropy: Loss<[input: FloatInput, target: ClassTarget], CategoricalOptions, Diff> = defineLoss((g, a) => {
  const func = "categoricalCrossEntropy";
  const opts = new Options(func, a[2], ["reduction"]);
  const x = floatArg(func, "input", a[0]);
  const { rowShape } = classView(func, x);
  const t = classTarget(func, x, rowShape, a[1], true);
  const dtype = commonDtype(func, [x, t.prob]);
  const red = opts.reduction("mean");
  return execute(
    plan(func, dtype, red.name, rowShape, x, t.prob, opts, (call, out, go, [gi, gt]) => {
      const targetPtr = t.index ? call.index(t.index) : call.float(t.prob);
      return fn(`categorical_cross_entropy_${dtype}`)(
        call.float(x), new Uint32Array(x.shape), targetPtr, numel((t.index ?? t.prob).shape), !!t.index, red.code, out, go, gi, gt ?? 0,
      );
    }),
    g,
  );
});

/**
 * Multi-class focal loss on logits: −alpha[y]·(1 − p_y)^gamma·ln p_y with p = softmax(input)
 * over the classes, 'mean' over rows. `input` (N, C) logits (or (C), (N, C, d1, ...)),
 * `target` class indices.
 */
export const focalLoss: Loss<[input: FloatInput, target: IndexInput], FocalOptions, "input"> = defineLoss((g, a) => {
  const func = "focalLoss";
  const opts = new Options(func, a[2], ["reduction", "gamma", "alpha"]);
  const x = floatArg(func, "input", a[0]);
  const { classes, rowShape } = classView(func, x);
  const t = classTarget(func, x, rowShape, a[1], false);
  const alpha = perClass(func, opts, "alpha", classes);
  const gamma = opts.number("gamma", 2);
  if (!(gamma >= 0 && Number.isFinite(gamma))) throw new LossError("INVALID_OPTION", `${func}: gamma must be a finite number >= 0 but is ${gamma}`);
  const dtype = commonDtype(func, [x, alpha]);
  const red = opts.reduction("mean");
  return execute(
    plan(func, dtype, red.name, rowShape, x, undefined, opts, (call, out, go, [gi]) =>
      fn(`focal_loss_${dtype}`)(
        call.float(x), new Uint32Array(x.shape), call.index(t.index), numel(t.index!.shape), gamma, call.float(alpha), alpha ? classes : 0,
        red.code, out, go, gi,
      ),
    ),
    g,
  );
});

/** Validates input and target of an element-wise loss: one shape, one dtype with the extra tensors. */
function pair(func: string, a: unknown[], extra: (FloatArg | undefined)[]) {
  const x = floatArg(func, "input", a[0]);
  const y = floatArg(func, "target", a[1]);
  sameShape(func, x, y);
  return { x, y, dtype: commonDtype(func, [x, y, ...extra]) };
}

/**
 * Binary cross-entropy of probabilities (PyTorch `F.binary_cross_entropy`):
 * −weight·[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)]. Every input must lie in [0, 1]
 * (else `INVALID_INPUT`). Gradients for input and target.
 */
export const binaryCrossEntropy: Loss<[input: FloatInput, target: FloatInput], BceOptions, Diff> = defineLoss((g, a) => {
  const func = "binaryCrossEntropy";
  const opts = new Options(func, a[2], ["reduction", "weight"]);
  const weight = opts.tensor("weight");
  const { x, y, dtype } = pair(func, a, [weight]);
  const red = opts.reduction("mean");
  return execute(
    plan(func, dtype, red.name, x.shape, x, y, opts, (call, out, go, [gi, gt]) =>
      fn(`binary_cross_entropy_${dtype}`)(
        call.float(x), call.float(y), new Uint32Array(x.shape), call.float(weight), new Uint32Array(weight?.shape ?? []), red.code, out, go, gi, gt,
      ),
    ),
    g,
  );
});

/**
 * Binary cross-entropy on logits (PyTorch `F.binary_cross_entropy_with_logits`), stable for
 * any logit magnitude. `weight` and `posWeight` broadcast to the input's shape.
 */
export const binaryCrossEntropyWithLogits: Loss<[input: FloatInput, target: FloatInput], BceLogitsOptions, Diff> = defineLoss((g, a) => {
  const func = "binaryCrossEntropyWithLogits";
  const opts = new Options(func, a[2], ["reduction", "weight", "posWeight"]);
  const weight = opts.tensor("weight");
  const posWeight = opts.tensor("posWeight");
  const { x, y, dtype } = pair(func, a, [weight, posWeight]);
  const red = opts.reduction("mean");
  return execute(
    plan(func, dtype, red.name, x.shape, x, y, opts, (call, out, go, [gi, gt]) =>
      fn(`binary_cross_entropy_with_logits_${dtype}`)(
        call.float(x), call.float(y), new Uint32Array(x.shape), call.float(weight), new Uint32Array(weight?.shape ?? []),
        call.float(posWeight), new Uint32Array(posWeight?.shape ?? []), red.code, out, go, gi, gt,
      ),
    ),
    g,
  );
});

/**
 * Kullback–Leibler divergence (PyTorch `F.kl_div`), `input` = log-probabilities:
 * target·(ln target − input) pointwise (0 where target = 0), or e^target·(target − input) with
 * `logTarget`. Gradients for input and target (NaN at target = 0, as PyTorch's autograd).
 */
export const klDiv: Loss<[input: FloatInput, target: FloatInput], KlDivOptions, Diff> = defineLoss((g, a) => {
  const func = "klDiv";
  const opts = new Options(func, a[2], ["reduction", "logTarget"]);
  const { x, y, dtype } = pair(func, a, []);
  const red = opts.reduction("mean", ["none", "mean", "sum", "batchmean"]);
  const logTarget = opts.bool("logTarget", false);
  return execute(
    plan(func, dtype, red.name, x.shape, x, y, opts, (call, out, go, [gi, gt]) =>
      fn(`kl_div_${dtype}`)(call.float(x), call.float(y), new Uint32Array(x.shape), logTarget, red.code, out, go, gi, gt),
    ),
    g,
  );
});

/**
 * torchvision's `sigmoid_focal_loss` on logits: BCEwithLogits(input, target)·(1 − p_t)^gamma,
 * times alpha·target + (1 − alpha)(1 − target) when alpha ≥ 0. Default reduction 'none'.
 */
export const sigmoidFocalLoss: NoneByDefaultLoss<[input: FloatInput, target: FloatInput], SigmoidFocalOptions, Diff> = defineLoss((g, a) => {
  const func = "sigmoidFocalLoss";
  const opts = new Options(func, a[2], ["reduction", "alpha", "gamma"]);
  const { x, y, dtype } = pair(func, a, []);
  const red = opts.reduction("none");
  const alpha = opts.number("alpha", 0.25);
  const gamma = opts.number("gamma", 2);
  return execute(
    plan(func, dtype, red.name, x.shape, x, y, opts, (call, out, go, [gi, gt]) =>
      fn(`sigmoid_focal_loss_${dtype}`)(call.float(x), call.float(y), numel(x.shape), alpha, gamma, red.code, out, go, gi, gt),
    ),
    g,
  );
});
