// Margin and ranking losses, mirroring crates/losskit-core/src/losses/margin.rs: one spec per
// loss (ts/src/spec.ts). Every function takes its tensors and options with PyTorch's option
// names and defaults, returns a number (reduced) or a tensor (reduction 'none'), and has
// `.withGrad`.
import { type Loss, type Reduction, defineLoss } from "../spec.js";
import type { FloatInput, IndexInput } from "../tensor.js";

/** Options of {@link marginRankingLoss}. */
export interface MarginRankingOptions {
  /** 'none' | 'mean' | 'sum'. Default 'mean'. */
  reduction?: Reduction;
  /** Default 0. */
  margin?: number;
}
/** Options of {@link hingeLoss}. */
export interface HingeOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
  /** Default 1. */
  margin?: number;
}
/** Options of {@link hingeEmbeddingLoss}. */
export interface HingeEmbeddingOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
  /** Default 1. */
  margin?: number;
}
/** Options of {@link softMarginLoss} and {@link multilabelMarginLoss}. */
export interface MarginReductionOptions {
  /** Default 'mean' (over elements for softMarginLoss, over rows for multilabelMarginLoss). */
  reduction?: Reduction;
}
/** Options of {@link multilabelSoftMarginLoss}. */
export interface MultilabelSoftMarginOptions {
  /** Default 'mean' (over rows). */
  reduction?: Reduction;
  /** Class weights, shape (C). */
  weight?: FloatInput;
}
/** Options of {@link multiMarginLoss}. */
export interface MultiMarginOptions {
  /** Default 'mean' (over rows). */
  reduction?: Reduction;
  /** The exponent p: 1 or 2 (anything else is `INVALID_OPTION`). Default 1. */
  p?: number;
  /** Default 1. */
  margin?: number;
  /** Class weights, shape (C): row n is weighted by weight[target[n]]. */
  weight?: FloatInput;
}

const mean = { kind: "reduction", default: "mean" } as const;
const margin = (d: number) => ({ kind: "number", default: d }) as const;

/**
 * Margin ranking loss (PyTorch `F.margin_ranking_loss`): max(0, −target·(input1 − input2) + margin),
 * target ±1 saying which input should rank higher. The three tensors have the same number of
 * dimensions and broadcast against each other as in PyTorch (the unreduced loss has the broadcast
 * shape). Gradients for `input1` and `input2` (in their own shapes); the target is not differentiable.
 * @example
 * marginRankingLoss(scoresA, scoresB, Float32Array.of(1, -1, 1), { margin: 0.5 })
 * const { grads } = marginRankingLoss.withGrad(scoresA, scoresB, labels); // grads.input1, grads.input2
 */
export const marginRankingLoss = defineLoss({
  name: "marginRankingLoss",
  elementwise: true,
  family: "margin",
  summary: "max(0, −y(x₁ − x₂) + margin)",
  pytorch: "F.margin_ranking_loss",
  args: [["input1", "float"], ["input2", "float"], ["target", "sign"]],
  options: { reduction: mean, margin: margin(0) },
  diff: ["input1", "input2"],
  output: "broadcast",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.margin_ranking_loss_f32 : w.margin_ranking_loss_f64)(
      a.input1.desc, a.input2.desc, a.target.desc, o.margin, o.reduction, r.out, r.gradOutput, r.grads.input1, r.grads.input2,
    ),
}) as Loss<[input1: FloatInput, input2: FloatInput, target: FloatInput], MarginRankingOptions, "input1" | "input2">;

/**
 * Binary hinge loss max(0, margin − target·input) with labels ±1 (any other label is
 * `INVALID_TARGET`). PyTorch has no function for it: `(margin - target * input).clamp_min(0)`.
 * Gradients for input (−target where the hinge is active) and target (−input there).
 * @example
 * hingeLoss(Float32Array.of(0.3, -2, 1.5), Float32Array.of(1, -1, -1)) // (0.7 + 0 + 2.5) / 3
 */
export const hingeLoss = defineLoss({
  name: "hingeLoss",
  elementwise: true,
  family: "margin",
  summary: "max(0, margin − y·x), y = ±1",
  pytorch: null,
  args: [["input", "float"], ["target", "sign"]],
  options: { reduction: mean, margin: margin(1) },
  diff: ["input", "target"],
  output: "input",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.hinge_loss_f32 : w.hinge_loss_f64)(a.input.desc, a.target.desc, o.margin, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as Loss<[input: FloatInput, target: FloatInput], HingeOptions, "input" | "target">;

/**
 * Hinge embedding loss (PyTorch `F.hinge_embedding_loss`) on distances: the input where the target
 * is 1, max(0, margin − input) where it is −1, and — as PyTorch — both terms for any other label.
 * Gradient for input.
 * @example
 * hingeEmbeddingLoss(distances, Float32Array.of(1, -1, -1), { margin: 2 })
 */
export const hingeEmbeddingLoss = defineLoss({
  name: "hingeEmbeddingLoss",
  elementwise: true,
  family: "margin",
  summary: "x if y = 1, max(0, margin − x) if y = −1 (both terms for other labels)",
  pytorch: "F.hinge_embedding_loss",
  args: [["input", "float"], ["target", "sign"]],
  options: { reduction: mean, margin: margin(1) },
  diff: ["input"],
  output: "input",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.hinge_embedding_loss_f32 : w.hinge_embedding_loss_f64)(a.input.desc, a.target.desc, o.margin, o.reduction, r.out, r.gradOutput, r.grads.input),
}) as Loss<[input: FloatInput, target: FloatInput], HingeEmbeddingOptions, "input">;

/**
 * Soft margin loss (PyTorch `F.soft_margin_loss`): ln(1 + e^(−target·input)), target ±1, computed as
 * a stable softplus — finite where PyTorch's float32 overflows (target·input < −88.7). Gradient for input.
 * @example
 * softMarginLoss(Float32Array.of(2, -1, -200), Float32Array.of(1, 1, 1)) // (0.127 + 1.313 + 200) / 3
 */
export const softMarginLoss = defineLoss({
  name: "softMarginLoss",
  elementwise: true,
  family: "margin",
  summary: "ln(1 + e^(−y·x))",
  pytorch: "F.soft_margin_loss",
  args: [["input", "float"], ["target", "sign"]],
  options: { reduction: mean },
  diff: ["input"],
  output: "input",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.soft_margin_loss_f32 : w.soft_margin_loss_f64)(a.input.desc, a.target.desc, o.reduction, r.out, r.gradOutput, r.grads.input),
}) as Loss<[input: FloatInput, target: FloatInput], MarginReductionOptions, "input">;

/**
 * Multi-label margin loss (PyTorch `F.multilabel_margin_loss`): per row
 * Σ_{j ∈ labels} Σ_{i ∉ labels} max(0, 1 − (input[j] − input[i])) / C.
 * `input` is (C) or (N, C); `target` is an Int32Array / i32 tensor of the input's shape listing each
 * row's labels, ended by −1 (entries after it are ignored but must lie in [−1, C − 1]). A label listed
 * twice counts twice, as in PyTorch. 'mean' averages the rows. Gradient for input.
 * @example
 * multilabelMarginLoss({ data: logits, shape: [2, 4] }, { data: Int32Array.of(3, 0, -1, 0, 1, -1, 0, 0), shape: [2, 4] })
 */
export const multilabelMarginLoss = defineLoss({
  name: "multilabelMarginLoss",
  family: "margin",
  summary: "Σ_{j ∈ labels} Σ_{i ∉ labels} max(0, 1 − (x_j − x_i)) / C",
  pytorch: "F.multilabel_margin_loss",
  args: [["input", "float"], ["target", "multilabel"]],
  options: { reduction: mean },
  diff: ["input"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.multilabel_margin_loss_f32 : w.multilabel_margin_loss_f64)(a.input.desc, a.target.desc, o.reduction, r.out, r.gradOutput, r.grads.input),
}) as Loss<[input: FloatInput, target: IndexInput], MarginReductionOptions, "input">;

/**
 * Multi-label soft margin loss (PyTorch `F.multilabel_soft_margin_loss`): per row
 * −Σ_c weight[c]·[target·ln σ(input) + (1 − target)·ln σ(−input)] / C, stable for any logit.
 * `input` (C) or (N, C) logits, `target` of its shape (0/1, or probabilities). 'mean' averages the
 * rows. Gradients for input and target.
 * @example
 * multilabelSoftMarginLoss({ data: logits, shape: [2, 3] }, { data: Float32Array.of(1, 0, 1, 0, 0, 1), shape: [2, 3] })
 */
export const multilabelSoftMarginLoss = defineLoss({
  name: "multilabelSoftMarginLoss",
  elementwise: true,
  family: "margin",
  summary: "−Σ_c w_c[y_c ln σ(x_c) + (1 − y_c) ln σ(−x_c)] / C",
  pytorch: "F.multilabel_soft_margin_loss",
  args: [["input", "float"], ["target", "float"]],
  options: { reduction: mean, weight: { kind: "tensor" } },
  diff: ["input", "target"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.multilabel_soft_margin_loss_f32 : w.multilabel_soft_margin_loss_f64)(
      a.input.desc, a.target.desc, o.weight, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target,
    ),
}) as Loss<[input: FloatInput, target: FloatInput], MultilabelSoftMarginOptions, "input" | "target">;

/**
 * Multi-class margin loss (PyTorch `F.multi_margin_loss`): per row
 * Σ_{i ≠ y} weight[y]·max(0, margin − input[y] + input[i])^p / C, p = 1 or 2.
 * `input` is (C) or (N, C); `target` class indices of shape () or (N). 'mean' averages the rows.
 * Gradient for input.
 * @example
 * multiMarginLoss({ data: logits, shape: [2, 3] }, Int32Array.of(0, 2), { p: 2, margin: 0.5 })
 */
export const multiMarginLoss = defineLoss({
  name: "multiMarginLoss",
  family: "margin",
  summary: "Σ_{i ≠ y} w_y max(0, margin − x_y + x_i)^p / C",
  pytorch: "F.multi_margin_loss",
  args: [["input", "float"], ["target", "index"]],
  options: { reduction: mean, p: { kind: "integer", default: 1 }, margin: margin(1), weight: { kind: "tensor" } },
  diff: ["input"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.multi_margin_loss_f32 : w.multi_margin_loss_f64)(a.input.desc, a.target.desc, o.p, o.margin, o.weight, o.reduction, r.out, r.gradOutput, r.grads.input),
}) as Loss<[input: FloatInput, target: IndexInput], MultiMarginOptions, "input">;
