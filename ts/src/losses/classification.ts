// Classification losses, mirroring crates/losskit-core/src/losses/classification.rs: one
// spec per loss (ts/src/spec.ts). Every function takes (input, target, options) with
// PyTorch's option names and defaults, returns a number (reduced) or a tensor (reduction
// 'none'), and has `.withGrad`.
import { type Loss, type NoneByDefaultLoss, type Reduction, defineLoss } from "../spec.js";
import type { FloatInput, IndexInput } from "../tensor.js";

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

const PAIR = [["input", "float"], ["target", "float"]] as const;
const CLASS_TARGET = [["input", "float"], ["target", "class"]] as const;
const INDEX_TARGET = [["input", "float"], ["target", "index"]] as const;
const DIFF = ["input", "target"] as const;
const mean = { kind: "reduction", default: "mean" } as const;
const tensorOption = { kind: "tensor" } as const;
const ignoreIndex = { kind: "integer", default: -100 } as const;

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
export const crossEntropy = defineLoss({
  name: "crossEntropy",
  family: "classification",
  summary: "−w_y log softmax(x)_y (indices) or −Σ_c w_c y_c log softmax(x)_c (probabilities); label smoothing",
  pytorch: "F.cross_entropy",
  args: CLASS_TARGET,
  options: { reduction: mean, weight: tensorOption, ignoreIndex, labelSmoothing: { kind: "number", default: 0 } },
  diff: DIFF,
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.cross_entropy_f32 : w.cross_entropy_f64)(
      a.input.desc, a.target.desc, a.target.isIndex, o.weight, o.ignoreIndex, o.labelSmoothing, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target,
    ),
}) as Loss<[input: FloatInput, target: ClassTarget], CrossEntropyOptions, Diff>;

/** Softmax cross-entropy: the same function object as {@link crossEntropy}. */
export const softmaxCrossEntropy = crossEntropy;

/**
 * Negative log likelihood of log-probabilities (PyTorch `F.nll_loss`): −weight[y]·input[y].
 * Shapes and options as {@link crossEntropy} with class-index targets.
 */
export const nllLoss = defineLoss({
  name: "nllLoss",
  family: "classification",
  summary: "−w_y x_y on log-probabilities",
  pytorch: "F.nll_loss",
  args: INDEX_TARGET,
  options: { reduction: mean, weight: tensorOption, ignoreIndex },
  diff: ["input"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.nll_loss_f32 : w.nll_loss_f64)(a.input.desc, a.target.desc, o.weight, o.ignoreIndex, o.reduction, r.out, r.gradOutput, r.grads.input),
}) as Loss<[input: FloatInput, target: IndexInput], NllOptions, "input">;

/**
 * Categorical cross-entropy of probabilities: −Σ_c target_c · max(ln input_c, −100) per row,
 * 'mean' over rows. `input` (N, C) probabilities; `target` class indices (N) or probabilities
 * (N, C) (then differentiable). The input's gradient is 0 where the log is clamped.
 */
export const categoricalCrossEntropy = defineLoss({
  name: "categoricalCrossEntropy",
  family: "classification",
  summary: "−Σ_c t_c max(ln p_c, −100) on probabilities",
  pytorch: null,
  args: CLASS_TARGET,
  options: { reduction: mean },
  diff: DIFF,
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.categorical_cross_entropy_f32 : w.categorical_cross_entropy_f64)(
      a.input.desc, a.target.desc, a.target.isIndex, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target,
    ),
}) as Loss<[input: FloatInput, target: ClassTarget], CategoricalOptions, Diff>;

/**
 * Multi-class focal loss on logits: −alpha[y]·(1 − p_y)^gamma·ln p_y with p = softmax(input)
 * over the classes, 'mean' over rows. `input` (N, C) logits (or (C), (N, C, d1, ...)),
 * `target` class indices.
 */
export const focalLoss = defineLoss({
  name: "focalLoss",
  family: "classification",
  summary: "−α_y (1 − p_y)^γ ln p_y, p = softmax(x)",
  pytorch: null,
  args: INDEX_TARGET,
  options: { reduction: mean, gamma: { kind: "number", default: 2 }, alpha: tensorOption },
  diff: ["input"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.focal_loss_f32 : w.focal_loss_f64)(a.input.desc, a.target.desc, o.gamma, o.alpha, o.reduction, r.out, r.gradOutput, r.grads.input),
}) as Loss<[input: FloatInput, target: IndexInput], FocalOptions, "input">;

/**
 * Binary cross-entropy of probabilities (PyTorch `F.binary_cross_entropy`):
 * −weight·[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)]. Every input must lie in [0, 1]
 * (else `INVALID_INPUT`). Gradients for input and target.
 */
export const binaryCrossEntropy = defineLoss({
  name: "binaryCrossEntropy",
  family: "classification",
  summary: "−w[y max(ln p, −100) + (1 − y) max(ln(1 − p), −100)]",
  pytorch: "F.binary_cross_entropy",
  args: PAIR,
  options: { reduction: mean, weight: tensorOption },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.binary_cross_entropy_f32 : w.binary_cross_entropy_f64)(
      a.input.desc, a.target.desc, o.weight, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target,
    ),
}) as Loss<[input: FloatInput, target: FloatInput], BceOptions, Diff>;

/**
 * Binary cross-entropy on logits (PyTorch `F.binary_cross_entropy_with_logits`), stable for
 * any logit magnitude. `weight` and `posWeight` broadcast to the input's shape.
 */
export const binaryCrossEntropyWithLogits = defineLoss({
  name: "binaryCrossEntropyWithLogits",
  family: "classification",
  summary: "w[(1 − y)x + (1 + (pw − 1)y) softplus(−x)]",
  pytorch: "F.binary_cross_entropy_with_logits",
  args: PAIR,
  options: { reduction: mean, weight: tensorOption, posWeight: tensorOption },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.binary_cross_entropy_with_logits_f32 : w.binary_cross_entropy_with_logits_f64)(
      a.input.desc, a.target.desc, o.weight, o.posWeight, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target,
    ),
}) as Loss<[input: FloatInput, target: FloatInput], BceLogitsOptions, Diff>;

/**
 * Kullback–Leibler divergence (PyTorch `F.kl_div`), `input` = log-probabilities:
 * target·(ln target − input) pointwise (0 where target = 0), or e^target·(target − input) with
 * `logTarget`. Gradients for input and target (NaN at target = 0, as PyTorch's autograd).
 */
export const klDiv = defineLoss({
  name: "klDiv",
  family: "classification",
  summary: "y(ln y − x), or eʸ(y − x) with logTarget; 'batchmean' too",
  pytorch: "F.kl_div",
  args: PAIR,
  options: { reduction: { kind: "reduction", default: "mean", batchmean: true }, logTarget: { kind: "bool", default: false } },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.kl_div_f32 : w.kl_div_f64)(a.input.desc, a.target.desc, o.logTarget, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as Loss<[input: FloatInput, target: FloatInput], KlDivOptions, Diff>;

/**
 * torchvision's `sigmoid_focal_loss` on logits: BCEwithLogits(input, target)·(1 − p_t)^gamma,
 * times alpha·target + (1 − alpha)(1 − target) when alpha ≥ 0. Default reduction 'none'.
 */
export const sigmoidFocalLoss = defineLoss({
  name: "sigmoidFocalLoss",
  family: "classification",
  summary: "α_t (1 − p_t)^γ BCEwithLogits(x, y)",
  pytorch: "torchvision.ops.sigmoid_focal_loss",
  args: PAIR,
  options: { reduction: { kind: "reduction", default: "none" }, alpha: { kind: "number", default: 0.25 }, gamma: { kind: "number", default: 2 } },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.sigmoid_focal_loss_f32 : w.sigmoid_focal_loss_f64)(
      a.input.desc, a.target.desc, o.alpha, o.gamma, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target,
    ),
}) as NoneByDefaultLoss<[input: FloatInput, target: FloatInput], SigmoidFocalOptions, Diff>;
