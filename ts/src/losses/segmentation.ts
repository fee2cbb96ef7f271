// Segmentation losses, mirroring crates/losskit-core/src/losses/segmentation.rs: one spec per
// loss (ts/src/spec.ts), with MONAI's option names in camelCase and MONAI's defaults.
import { type Loss, type Reduction, defineLoss } from "../spec.js";
import type { FloatInput, IndexInput } from "../tensor.js";

/** Options of {@link diceLoss} (MONAI `DiceLoss`'s keyword arguments). */
export interface DiceOptions {
  /** 'none' | 'mean' | 'sum'. Default 'mean' (over the N·C' values of f, or C' with `batch`). */
  reduction?: Reduction;
  /** p = sigmoid(input). Default false. */
  sigmoid?: boolean;
  /** p = softmax(input) over the channels (dim 1); ignored for one channel, as MONAI. Not with `sigmoid`. Default false. */
  softmax?: boolean;
  /** Σt² and Σp² in the denominator instead of Σt and Σp. Default false. */
  squaredPred?: boolean;
  /** The Jaccard index (soft IoU) instead of Dice: denominator 2(G + P − I). Default false. */
  jaccard?: boolean;
  /** Added to the numerator. Default 1e-5. */
  smoothNr?: number;
  /** Added to the denominator. Default 1e-5. */
  smoothDr?: number;
  /** Keep channel 0; false drops it from the sums (with one channel it is kept, as MONAI). Default true. */
  includeBackground?: boolean;
  /** Sum over the batch as well: one value per channel. Default false. */
  batch?: boolean;
  /** The target is class indices (N, 1, d1, …) (Int32), one-hot encoded over the C channels; with one channel the indices are used as the target's values, as MONAI. Default false. */
  toOnehotY?: boolean;
}

const flag = { kind: "bool", default: false } as const;
const smooth = { kind: "number", default: 1e-5 } as const;

/**
 * Dice loss (MONAI `DiceLoss`; in PyTorch terms `monai.losses.DiceLoss(...)(input, target)`): per item n and
 * channel c (per channel with `batch`), summing over the spatial dims, I = Σ t·p, G = Σ t, P = Σ p and
 * f = 1 − (2I + smoothNr) / (G + P + smoothDr); p is the input, sigmoid(input) or softmax(input) over the
 * channels. `squaredPred` takes G = Σ t², P = Σ p²; `jaccard` the denominator 2(G + P − I) + smoothDr.
 *
 * - **Shapes:** `input` (N, C, d1, …), at least one spatial dim. `target` float data of the input's shape, or —
 *   with `toOnehotY` — class indices (Int32Array / i32 tensor / integer number[]) of shape (N, 1, d1, …) in
 *   [0, C), one-hot encoded over the C channels. 'none' returns MONAI's shape (N, C′, 1, …, 1) — (C′, 1, …, 1)
 *   with `batch` — where C′ = C − 1 without the background.
 * - **Options:** `reduction` ('mean' over the N·C′ values of f, or C′ with `batch`; 'sum', 'none'), `sigmoid`
 *   (false), `softmax` (false; not with `sigmoid`), `squaredPred` (false), `jaccard` (false), `smoothNr` (1e-5),
 *   `smoothDr` (1e-5), `includeBackground` (true; false drops channel 0 after the softmax), `batch` (false),
 *   `toOnehotY` (false). With one channel MONAI ignores `softmax`, `toOnehotY` and `includeBackground: false`,
 *   and so does losskit (docs/API.md §1, §6 19).
 * - **Gradients:** `grads.input` only (through the sigmoid or softmax; with `includeBackground: false` channel 0
 *   still gets one through the softmax). The target gets no gradient.
 *
 * @example
 * ```ts
 * import { diceLoss } from "losskit";
 * const logits = { data: [2, 0, 1, -1, 0, 1, 0, 2], shape: [1, 2, 2, 2] }; // N = 1, C = 2, 2×2 pixels
 * const labels = { data: Int32Array.of(0, 1, 0, 1), shape: [1, 1, 2, 2] };
 * const none = diceLoss(logits, labels, { softmax: true, toOnehotY: true, reduction: "none" });
 * console.log(none.shape, Array.from(none.data, (v) => +v.toFixed(4))); // → [ 1, 2, 1, 1 ] [ 0.1793, 0.173 ]
 * const { loss, grads } = diceLoss.withGrad(logits, labels, { softmax: true, toOnehotY: true });
 * console.log(loss.toFixed(4)); // → 0.1762
 * console.log(Array.from(grads.input.data.slice(0, 4), (g) => +g.toFixed(4))); // → [ -0.0264, 0.0489, -0.0495, 0.0112 ] (channel 0)
 * console.log(Array.from(grads.input.data.slice(4), (g) => +g.toFixed(4))); // → [ 0.0264, -0.0489, 0.0495, -0.0112 ] (channel 1)
 * ```
 */
export const diceLoss = defineLoss({
  name: "diceLoss",
  family: "segmentation",
  summary: "1 − (2Σtp + nr)/(Σt + Σp + dr) per item and channel (MONAI DiceLoss); sigmoid/softmax, squared, Jaccard, batch",
  pytorch: "monai.losses.DiceLoss",
  args: [["input", "float"], ["target", "onehot"]],
  options: {
    reduction: { kind: "reduction", default: "mean" },
    sigmoid: flag,
    softmax: flag,
    squaredPred: flag,
    jaccard: flag,
    smoothNr: smooth,
    smoothDr: smooth,
    includeBackground: { kind: "bool", default: true },
    batch: flag,
    toOnehotY: flag,
  },
  diff: ["input"],
  output: "channels",
  outputShape(input, o) {
    // (N, C', 1, …, 1) or (C', 1, …, 1); an input of rank < 3 is the core's SHAPE_MISMATCH.
    if (input.length < 3) return [];
    const kept = input[1] > 1 && !o.includeBackground ? input[1] - 1 : input[1];
    const ones = input.slice(2).map(() => 1);
    return o.batch ? [kept, ...ones] : [input[0], kept, ...ones];
  },
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.dice_loss_f32 : w.dice_loss_f64)(
      a.input.desc, a.target.desc, a.target.isIndex, o.sigmoid, o.softmax, o.squaredPred, o.jaccard, o.smoothNr, o.smoothDr,
      o.includeBackground, o.batch, o.toOnehotY, o.reduction, r.out, r.gradOutput, r.grads.input,
    ),
}) as Loss<[input: FloatInput, target: FloatInput | IndexInput], DiceOptions, "input">;
