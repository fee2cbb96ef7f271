// Embedding losses, mirroring crates/losskit-core/src/losses/embedding.rs: one spec per loss
// (ts/src/spec.ts). Inputs are (N, D) rows of embeddings — or one (D) vector, giving a 0-dim
// output — and every function returns a number (reduced) or a tensor of shape (N) / []
// (reduction 'none'), and has `.withGrad`.
import { type Loss, type Reduction, defineLoss } from "../spec.js";
import type { FloatInput } from "../tensor.js";

/** Options of {@link tripletMarginLoss}. */
export interface TripletMarginOptions {
  /** 'none' | 'mean' | 'sum'. Default 'mean' (over rows). */
  reduction?: Reduction;
  /** The margin; must be > 0 (PyTorch rejects the rest). Default 1. */
  margin?: number;
  /** Degree of the norm, any p > 0 (`Infinity` is the max-norm). Default 2. */
  p?: number;
  /** Added to every difference before the norm, as PyTorch's `pairwise_distance`. Default 1e-6. */
  eps?: number;
  /** Use min(d(anchor, negative), d(positive, negative)) as the negative distance. Default false. */
  swap?: boolean;
}
/** Options of {@link cosineEmbeddingLoss}. */
export interface CosineEmbeddingOptions {
  /** 'none' | 'mean' | 'sum'. Default 'mean' (over rows). */
  reduction?: Reduction;
  /** Margin of the target −1 term, max(0, cos − margin); PyTorch suggests [−1, 1]. Default 0. */
  margin?: number;
}

const mean = { kind: "reduction", default: "mean" } as const;

/**
 * Triplet margin loss (PyTorch `F.triplet_margin_loss`): per row
 * max(d(anchor, positive) − d(anchor, negative) + margin, 0) with d(x, y) = ‖x − y + eps‖_p;
 * with `swap`, the negative distance is min(d(anchor, negative), d(positive, negative)).
 *
 * `anchor`, `positive` and `negative` share one shape, (N, D) or (D). Gradients for all three,
 * as PyTorch's autograd: none where the hinge is exactly 0, half and half on a swap tie.
 * @example
 * const a = { data: anchors, shape: [n, d] };
 * const { loss, grads } = tripletMarginLoss.withGrad(a, { data: pos, shape: [n, d] }, { data: neg, shape: [n, d] }, { margin: 0.5 });
 * grads.anchor.data; // ∂loss/∂anchor, shape [n, d]
 */
export const tripletMarginLoss = defineLoss({
  name: "tripletMarginLoss",
  elementwise: true,
  family: "embedding",
  summary: "max(d(a, p) − d(a, n) + margin, 0), d(x, y) = ‖x − y + ε‖_p; swap: min(d(a, n), d(p, n))",
  pytorch: "F.triplet_margin_loss",
  args: [["anchor", "float"], ["positive", "float"], ["negative", "float"]],
  options: {
    reduction: mean,
    margin: { kind: "number", default: 1 },
    p: { kind: "number", default: 2 },
    eps: { kind: "number", default: 1e-6 },
    swap: { kind: "bool", default: false },
  },
  diff: ["anchor", "positive", "negative"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.triplet_margin_loss_f32 : w.triplet_margin_loss_f64)(
      a.anchor.desc, a.positive.desc, a.negative.desc, o.margin, o.p, o.eps, o.swap, o.reduction,
      r.out, r.gradOutput, r.grads.anchor, r.grads.positive, r.grads.negative,
    ),
}) as Loss<[anchor: FloatInput, positive: FloatInput, negative: FloatInput], TripletMarginOptions, "anchor" | "positive" | "negative">;

/**
 * Cosine embedding loss (PyTorch `F.cosine_embedding_loss`): per row 1 − cos for target 1,
 * max(0, cos − margin) for target −1 (and 0 for any other label, as PyTorch), with
 * cos = x₁·x₂ / √((‖x₁‖² + ε)(‖x₂‖² + ε)), ε = 1e-12 (so zero vectors give finite values).
 *
 * `input1` and `input2` share one shape: (N, D) with a float `target` of ±1 labels of shape (N),
 * or (D) with a 0-dim target (`{ data: Float32Array.of(1), shape: [] }`). Gradients for input1
 * and input2.
 * @example
 * const x1 = { data: a, shape: [n, d] }, x2 = { data: b, shape: [n, d] };
 * cosineEmbeddingLoss(x1, x2, Float32Array.from(labels)); // labels ±1, one per row
 * const { grads } = cosineEmbeddingLoss.withGrad(x1, x2, Float32Array.from(labels), { margin: 0.2 });
 */
export const cosineEmbeddingLoss = defineLoss({
  name: "cosineEmbeddingLoss",
  elementwise: true,
  family: "embedding",
  summary: "1 − cos(x₁, x₂) for y = 1, max(0, cos − margin) for y = −1",
  pytorch: "F.cosine_embedding_loss",
  args: [["input1", "float"], ["input2", "float"], ["target", "rowSign"]],
  options: { reduction: mean, margin: { kind: "number", default: 0 } },
  diff: ["input1", "input2"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.cosine_embedding_loss_f32 : w.cosine_embedding_loss_f64)(
      a.input1.desc, a.input2.desc, a.target.desc, o.margin, o.reduction, r.out, r.gradOutput, r.grads.input1, r.grads.input2,
    ),
}) as Loss<[input1: FloatInput, input2: FloatInput, target: FloatInput], CosineEmbeddingOptions, "input1" | "input2">;
