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
 * Triplet margin loss (PyTorch `F.triplet_margin_loss`):
 * ℓ = max(d(a, p) − d(a, n) + margin, 0) with d(x, y) = ‖x − y + eps‖_p; `swap` uses min(d(a, n), d(p, n)).
 *
 * - **Shapes:** `anchor`, `positive`, `negative` all (N, D), or all (D).
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `margin` (1; > 0), `p` (2; any p > 0, `Infinity` = max-norm), `eps` (1e-6), `swap` (false).
 * - **Gradients:** `grads.anchor`, `grads.positive`, `grads.negative` (0 where the hinge is 0; a swap tie splits half and half).
 *
 * @example
 * ```ts
 * import { tripletMarginLoss } from "losskit";
 * const a = { data: [0, 0], shape: [1, 2] };
 * const { loss, grads } = tripletMarginLoss.withGrad(a, { data: [1, 0], shape: [1, 2] }, { data: [0, 1.5], shape: [1, 2] });
 * console.log(loss.toFixed(4), Array.from(grads.anchor.data, (g) => +g.toFixed(4))); // → 0.5000 [ -1, 1 ]
 * ```
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
 * Cosine embedding loss (PyTorch `F.cosine_embedding_loss`): ℓ = 1 − cos(x₁, x₂) for y = 1,
 * max(0, cos(x₁, x₂) − margin) for y = −1 (0 for any other label, as PyTorch), with
 * cos = x₁·x₂ / √((‖x₁‖² + ε)(‖x₂‖² + ε)), ε = 1e-12.
 *
 * - **Shapes:** `input1`, `input2` (N, D) with a float `target` (N) of ±1, or (D) with a 0-d target (`{ data: Float32Array.of(1), shape: [] }`).
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `margin` (0).
 * - **Gradients:** `grads.input1`, `grads.input2` (the cosine's ε is PyTorch's float32 1e-12: zero vectors give finite values).
 *
 * @example
 * ```ts
 * import { cosineEmbeddingLoss } from "losskit";
 * const x1 = { data: [1, 0, 1, 1], shape: [2, 2] };
 * const x2 = { data: [1, 1, 1, 0], shape: [2, 2] };
 * const { loss, grads } = cosineEmbeddingLoss.withGrad(x1, x2, [1, -1]);
 * console.log(loss.toFixed(4), Array.from(grads.input1.data, (g) => +g.toFixed(4))); // → 0.5000 [ -0, -0.3536, 0.1768, -0.1768 ] (as PyTorch, −0 included)
 * ```
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
