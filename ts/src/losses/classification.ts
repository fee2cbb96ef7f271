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
 * Cross-entropy of logits (PyTorch `F.cross_entropy`): with class indices,
 * ℓ = −w_y·log softmax(x)_y; with probabilities, ℓ = −Σ_c w_c·y_c·log softmax(x)_c. Label smoothing ε
 * mixes the target with the uniform distribution: (1 − ε)·y + ε/C.
 *
 * - **Shapes:** `input` (C), (N, C) or (N, C, d1, …) logits, classes in dim 1 (dim 0 for (C)). `target`
 *   class indices (Int32Array or an i32 tensor: (), (N) or (N, d1, …)) or probabilities (a float tensor of
 *   the input's shape). A plain number[] counts as indices when it has one integer per row. `weight` (C).
 * - **Options:** `reduction` ('mean'; 'sum', 'none'); with indices 'mean' divides by the summed weights of the non-ignored targets.
 *   `weight` (none), `ignoreIndex` (−100), `labelSmoothing` (0, in [0, 1]).
 * - **Gradients:** `grads.input` = w·(softmax(x) − y_smoothed) (÷ the mean's divisor); `grads.target`
 *   (probabilities only) = −w·log softmax(x)·(1 − ε).
 *
 * @example
 * ```ts
 * import { crossEntropy } from "losskit";
 * const logits = { data: [2, 0, 0, 0, 3, 0], shape: [2, 3] };
 * const { loss, grads } = crossEntropy.withGrad(logits, Int32Array.of(0, 1));
 * console.log(loss.toFixed(4)); // → 0.1672
 * console.log(Array.from(grads.input.data, (g) => +g.toFixed(4))); // → [ -0.1065, 0.0533, 0.0533, 0.0226, -0.0453, 0.0226 ]
 * ```
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
 * Negative log likelihood of log-probabilities (PyTorch `F.nll_loss`): ℓ = −w_y·input_y.
 *
 * - **Shapes:** as {@link crossEntropy} with class indices: `input` (C), (N, C) or (N, C, d1, …); `target` (), (N) or (N, d1, …) Int32.
 * - **Options:** `reduction` ('mean'; 'sum', 'none') ('mean' ÷ Σ w of the non-ignored targets), `weight` (C; none), `ignoreIndex` (−100).
 * - **Gradients:** `grads.input` = −w_y at the target class, 0 elsewhere (÷ the mean's divisor).
 *
 * @example
 * ```ts
 * import { nllLoss } from "losskit";
 * const logProbs = { data: [-0.5, -1, -2, -3, -0.1, -1], shape: [2, 3] };
 * const { loss, grads } = nllLoss.withGrad(logProbs, Int32Array.of(0, 1));
 * console.log(loss, grads.input.data); // → 0.3 Float64Array(6) [ -0.5, 0, 0, 0, -0.5, 0 ]
 * ```
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
 * Categorical cross-entropy of probabilities (Keras' `categorical_crossentropy`; in PyTorch
 * `F.nll_loss(torch.log(p).clamp(min=-100), y)`): ℓ = −Σ_c t_c·max(ln p_c, −100) per row.
 *
 * - **Shapes:** `input` (N, C) probabilities; `target` class indices (N) or probabilities (N, C).
 * - **Options:** `reduction` ('mean'; 'sum', 'none') ('mean' over rows).
 * - **Gradients:** `grads.input` = −t/p (0 where the log is clamped, p = 0); `grads.target` (probabilities) = −max(ln p, −100).
 *
 * @example
 * ```ts
 * import { categoricalCrossEntropy } from "losskit";
 * const probs = { data: [0.7, 0.2, 0.1, 0.1, 0.8, 0.1], shape: [2, 3] };
 * const { loss, grads } = categoricalCrossEntropy.withGrad(probs, Int32Array.of(0, 1));
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.2899 [ -0.7143, 0, 0, 0, -0.625, 0 ]
 * ```
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
 * Multi-class focal loss on logits (Lin et al.; in PyTorch
 * `-(alpha[y] * (1 - p_y)**gamma * log p_y)` with p = softmax): ℓ = −α_y·(1 − p_y)^γ·ln p_y.
 *
 * - **Shapes:** `input` (C), (N, C) or (N, C, d1, …) logits; `target` class indices of the rows' shape; `alpha` (C).
 * - **Options:** `reduction` ('mean'; 'sum', 'none') ('mean' over rows), `gamma` (2; finite ≥ 0; 0 gives cross-entropy), `alpha` (per class; none = 1).
 * - **Gradients:** `grads.input`, the exact derivative through the softmax (its limit 0 at p_y = 1 for γ < 1, where PyTorch gives NaN).
 *
 * @example
 * ```ts
 * import { focalLoss } from "losskit";
 * const logits = { data: [2, 0, 0, 0, 3, 0], shape: [2, 3] };
 * console.log(focalLoss(logits, Int32Array.of(0, 1), { gamma: 2 }).toFixed(5)); // → 0.00582
 * ```
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
 * ℓ = −w·[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)].
 *
 * - **Shapes:** input and target of one shape; `weight` broadcast to it. Inputs outside [0, 1] are `INVALID_INPUT`, targets outside [0, 1] `INVALID_TARGET` (PyTorch raises too).
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `weight` (none).
 * - **Gradients:** `grads.input` = w·(p − y)/(p(1 − p)) (PyTorch's clamp of the denominator at 1e-12); `grads.target` = −w·(max(ln p, −100) − max(ln(1 − p), −100)).
 *
 * @example
 * ```ts
 * import { binaryCrossEntropy } from "losskit";
 * const { loss, grads } = binaryCrossEntropy.withGrad([0.9, 0.2], [1, 0]);
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.1643 [ -0.5556, 0.625 ]
 * ```
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
 * Binary cross-entropy on logits (PyTorch `F.binary_cross_entropy_with_logits`):
 * ℓ = w·[(1 − y)·x + (1 + (pw − 1)·y)·softplus(−x)], stable for any logit (±1e4 and beyond).
 *
 * - **Shapes:** input and target of one shape; `weight` and `posWeight` broadcast to it (a (C) tensor runs along the last dim).
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `weight` (none), `posWeight` (none).
 * - **Gradients:** `grads.input` = w·((1 + (pw − 1)y)·σ(x) − pw·y) (÷ N for 'mean'); `grads.target` = w·((pw − 1)·softplus(−x) − x) (÷ N for 'mean').
 *
 * @example
 * ```ts
 * import { binaryCrossEntropyWithLogits } from "losskit";
 * const { loss, grads } = binaryCrossEntropyWithLogits.withGrad([2, -1], [1, 0]);
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.2201 [ -0.0596, 0.1345 ]
 * ```
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
 * ℓ = y·(ln y − x) per element (0 where y = 0), or e^y·(y − x) with `logTarget`.
 *
 * - **Shapes:** input and target of one shape.
 * - **Options:** `reduction` ('mean'; 'batchmean' = sum ÷ N, the true KL; 'sum', 'none'), `logTarget` (false).
 * - **Gradients:** `grads.input` = −y (or −e^y); `grads.target` = ln y + 1 − x (NaN at y = 0, as PyTorch's autograd).
 *
 * @example
 * ```ts
 * import { klDiv } from "losskit";
 * const logQ = [Math.log(0.5), Math.log(0.5)];
 * const { loss, grads } = klDiv.withGrad(logQ, [0.8, 0.2], { reduction: "sum" });
 * console.log(loss.toFixed(4), grads.input.data); // → 0.1927 Float64Array(2) [ -0.8, -0.2 ]
 * ```
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
 * Sigmoid focal loss on logits (torchvision `torchvision.ops.sigmoid_focal_loss`):
 * ℓ = α_t·(1 − p_t)^γ·BCEwithLogits(x, y), p = σ(x), p_t = p·y + (1 − p)(1 − y), α_t = α·y + (1 − α)(1 − y).
 *
 * - **Shapes:** input and target of one shape (targets in [0, 1]).
 * - **Options:** `reduction` (**'none'**, as torchvision; 'mean', 'sum'), `alpha` (0.25; < 0 turns the weighting off), `gamma` (2).
 * - **Gradients:** `grads.input` and `grads.target`, autograd's values (their limit 0 where σ(x) rounds to 0 or 1 for γ < 1).
 *
 * @example
 * ```ts
 * import { sigmoidFocalLoss } from "losskit";
 * const { loss, grads } = sigmoidFocalLoss.withGrad([2, -1], [1, 0], { reduction: "mean" });
 * console.log(loss.toFixed(5), Array.from(grads.input.data, (g) => +g.toFixed(5))); // → 0.00872 [ -0.00061, 0.01972 ]
 * ```
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
