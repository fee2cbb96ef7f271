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
 * Margin ranking loss (PyTorch `F.margin_ranking_loss`): ℓ = max(0, −y·(x₁ − x₂) + margin),
 * y = ±1 saying which input should rank higher.
 *
 * - **Shapes:** `input1`, `input2`, `target` of one rank, broadcast as PyTorch.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `margin` (0).
 * - **Gradients:** `grads.input1` = −y where the hinge is active (> 0), else 0; `grads.input2` = −`grads.input1`.
 *
 * @example
 * ```ts
 * import { marginRankingLoss } from "losskit";
 * const { loss, grads } = marginRankingLoss.withGrad([1, 2], [2, 1.8], [1, 1], { margin: 0.5 });
 * console.log(loss, grads.input1.data); // → 0.9 Float64Array(2) [ -0.5, -0.5 ]
 * ```
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
 * Hinge loss for ±1 labels: ℓ = max(0, margin − y·x). PyTorch has no function:
 * `torch.clamp(margin - y * x, min=0)`.
 *
 * - **Shapes:** input and target of one shape; targets must be ±1 (else `INVALID_TARGET`).
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `margin` (1).
 * - **Gradients:** `grads.input` = −y and `grads.target` = −x where the hinge is active (> 0), else 0.
 *
 * @example
 * ```ts
 * import { hingeLoss } from "losskit";
 * const { loss, grads } = hingeLoss.withGrad([0.5, 2, -1], [1, 1, 1]);
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.8333 [ -0.3333, 0, -0.3333 ]
 * ```
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
 * Hinge embedding loss (PyTorch `F.hinge_embedding_loss`): ℓ = x where y = 1,
 * max(0, margin − x) where y = −1 (both terms for other labels, as PyTorch).
 *
 * - **Shapes:** input (distances) and target of one shape.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `margin` (1).
 * - **Gradients:** `grads.input` = 1 for y = 1, −1 where y = −1 and the hinge is active.
 *
 * @example
 * ```ts
 * import { hingeEmbeddingLoss } from "losskit";
 * const { loss, grads } = hingeEmbeddingLoss.withGrad([0.3, 2], [1, -1]);
 * console.log(loss, grads.input.data); // → 0.15 Float64Array(2) [ 0.5, 0 ]
 * ```
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
 * Soft margin loss (PyTorch `F.soft_margin_loss`): ℓ = ln(1 + e^(−y·x)), a stable softplus.
 *
 * - **Shapes:** input and target (±1) of one shape.
 * - **Options:** `reduction` ('mean'; 'sum', 'none').
 * - **Gradients:** `grads.input` = −y·σ(−y·x) (÷ N for 'mean').
 *
 * @example
 * ```ts
 * import { softMarginLoss } from "losskit";
 * const { loss, grads } = softMarginLoss.withGrad([1, -1], [1, 1]);
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.8133 [ -0.1345, -0.3655 ]
 * ```
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
 * Multi-label margin loss (PyTorch `F.multilabel_margin_loss`):
 * ℓ = Σ_{j ∈ labels} Σ_{i ∉ labels} max(0, 1 − (x_j − x_i)) / C per row.
 *
 * - **Shapes:** `input` (C) or (N, C); `target` Int32 of the input's shape: each row's labels, then −1 (the rest ignored).
 * - **Options:** `reduction` ('mean'; 'sum', 'none') ('mean' over rows).
 * - **Gradients:** `grads.input`: −1/C per active pair at the label, +1/C at the non-label.
 *
 * @example
 * ```ts
 * import { multilabelMarginLoss } from "losskit";
 * const x = { data: [0.1, 0.2, 0.4, 0.8], shape: [1, 4] };
 * const y = { data: Int32Array.of(3, 0, -1, 1), shape: [1, 4] };
 * console.log(multilabelMarginLoss(x, y).toFixed(4)); // → 0.8500
 * ```
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
 * Multi-label soft margin loss (PyTorch `F.multilabel_soft_margin_loss`):
 * ℓ = −Σ_c w_c·[y_c·ln σ(x_c) + (1 − y_c)·ln σ(−x_c)] / C per row.
 *
 * - **Shapes:** `input` (C) or (N, C) logits; `target` 0/1 (or probabilities) of the same shape; `weight` (C).
 * - **Options:** `reduction` ('mean'; 'sum', 'none') ('mean' over rows), `weight` (none).
 * - **Gradients:** `grads.input` = w·(σ(x) − y)/C; `grads.target` = −w·x/C (÷ N for 'mean').
 *
 * @example
 * ```ts
 * import { multilabelSoftMarginLoss } from "losskit";
 * const x = { data: [1, -1, 0], shape: [1, 3] };
 * const { loss, grads } = multilabelSoftMarginLoss.withGrad(x, { data: [1, 0, 1], shape: [1, 3] });
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.4399 [ -0.0896, 0.0896, -0.1667 ]
 * ```
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
 * Multi-class margin loss (PyTorch `F.multi_margin_loss`):
 * ℓ = Σ_{i ≠ y} w_y·max(0, margin − x_y + x_i)^p / C per row.
 *
 * - **Shapes:** `input` (C) or (N, C); `target` class indices () or (N); `weight` (C).
 * - **Options:** `reduction` ('mean'; 'sum', 'none') ('mean' over rows), `p` (1; 1 or 2), `margin` (1), `weight` (none).
 * - **Gradients:** `grads.input`: +w_y·p·z^(p−1)/C at each class i with z > 0, minus their sum at the target.
 *
 * @example
 * ```ts
 * import { multiMarginLoss } from "losskit";
 * const x = { data: [0.1, 0.2, 0.4, 0.8], shape: [1, 4] };
 * console.log(multiMarginLoss(x, Int32Array.of(3)).toFixed(4)); // → 0.3250
 * ```
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
