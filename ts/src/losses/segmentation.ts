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
 * Dice loss (MONAI `DiceLoss`): per item and channel (per channel with `batch`),
 * f = 1 − (2·Σ t·p + smoothNr) / (Σ t + Σ p + smoothDr) with p the input, sigmoid(input) or
 * softmax(input) over the channels; `squaredPred` squares t and p in the denominator's sums,
 * `jaccard` makes the denominator 2(Σ t + Σ p − Σ t·p).
 *
 * `input` is (N, C, d1, …) with at least one spatial dim. `target` is float data of the input's
 * shape, or — with `toOnehotY` — class indices (Int32Array / i32 tensor / integer number[]) of
 * shape (N, 1, d1, …) in [0, C). 'none' returns MONAI's shape (N, C', 1, …, 1) — (C', 1, …, 1)
 * with `batch` — where C' = C − 1 without the background. The gradient is the input's (through
 * the sigmoid or softmax).
 * @example
 * const logits = { data: scores, shape: [2, 3, 64, 64] };
 * const labels = { data: classIds, shape: [2, 1, 64, 64] }; // Int32Array
 * const { loss, grads } = diceLoss.withGrad(logits, labels, { softmax: true, toOnehotY: true });
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
