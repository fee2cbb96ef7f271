// Sequence losses, mirroring crates/losskit-core/src/losses/sequence.rs: one spec per loss
// (ts/src/spec.ts). `ctcLoss` returns a number (reduced) or a tensor of shape (N) / []
// (reduction 'none'), and has `.withGrad`.
import { type Loss, type Reduction, defineLoss } from "../spec.js";
import type { FloatInput, IndexInput } from "../tensor.js";

/** Options of {@link ctcLoss}. */
export interface CtcOptions {
  /** 'none' | 'mean' | 'sum'. Default 'mean': each sequence's loss ÷ max(targetLength, 1), then averaged over N. */
  reduction?: Reduction;
  /** The blank class, an integer in [0, C). Default 0. */
  blank?: number;
  /** An infinite loss (no alignment fits the input length) becomes 0, and its gradient 0. Default false. */
  zeroInfinity?: boolean;
  /**
   * `logProbs` holds raw logits: log_softmax over C is fused in, and `grads.logProbs` is the
   * gradient with respect to the logits (PyTorch's autograd through `log_softmax` then `ctc_loss`).
   * Default false.
   */
  fromLogits?: boolean;
}

/**
 * Connectionist temporal classification loss (PyTorch `F.ctc_loss`): per sequence
 * ℓ = −ln Σ_π Π_t p_t(π_t) over the alignments π of its input length that collapse to its target (repeats
 * merged, then blanks removed); a repeated label needs a blank between its repeats. An impossible target
 * gives +∞ (gradient NaN, as PyTorch); with `zeroInfinity` 0 and a zero gradient.
 *
 * - **Shapes:** `logProbs` (T, N, C) log-probabilities (a `log_softmax` output; raw logits with `fromLogits`),
 *   or (T, C) for one sequence. `targets` Int32 labels in [0, C), never the blank: padded (N, S) — sequence n
 *   uses row n's first `targetLengths[n]` entries; the padding is not read — or concatenated (Σ
 *   targetLengths); for one sequence (S), exactly its labels, or (1, S) padded. `inputLengths` (each ≤ T) and
 *   `targetLengths`: Int32 (N); for one sequence a plain number (or a 0-d tensor). Output (N) for 'none', 0-d
 *   for (T, C).
 * - **Options:** `reduction` ('mean': each sequence's loss ÷ max(targetLength, 1), then averaged over N;
 *   'sum', 'none'), `blank` (0; an integer in [0, C)), `zeroInfinity` (false), `fromLogits` (false: true fuses
 *   `log_softmax` over C in, as `F.ctc_loss(F.log_softmax(logits, 2), …)`).
 * - **Gradients:** `grads.logProbs` (T, N, C) = −γ_t(c), the posterior occupancy of class c at step t, times the
 *   reduction's factor — the exact gradient; PyTorch's kernel returns exp(logProbs) − γ, which agrees once taken
 *   through `log_softmax` (docs/API.md §6, 15). With `fromLogits` it is the logits' gradient, softmax − γ, as
 *   PyTorch's autograd through `F.log_softmax` then `F.ctc_loss`. Steps past a sequence's input length get 0.
 *   The recursion runs in f64 for both dtypes: in probabilities rescaled at every step, or in log space for a
 *   sequence where one would near underflow.
 *
 * @example
 * ```ts
 * import { ctcLoss } from "losskit";
 * // T = 4 steps, N = 2 sequences, C = 3 classes (0 is the blank), laid out (T, N, C)
 * const logits = { data: [0.5, 1, -1, 1, 0, 0.5, 0, 2, 0, 2, 0, 1, 1, 0, 1, 0, 1, 0, -1, 0, 2, 1, 1, 1], shape: [4, 2, 3] };
 * const targets = { data: Int32Array.of(1, 2, 1, 0), shape: [2, 2] }; // padded: [1, 2] and [1]
 * const inputLengths = Int32Array.of(4, 3);
 * const targetLengths = Int32Array.of(2, 1);
 * const perSequence = ctcLoss(logits, targets, inputLengths, targetLengths, { fromLogits: true, reduction: "none" });
 * console.log(Array.from(perSequence.data, (v) => +v.toFixed(4))); // → [ 0.3584, 1.3111 ]
 * const { loss, grads } = ctcLoss.withGrad(logits, targets, inputLengths, targetLengths, { fromLogits: true });
 * console.log(loss.toFixed(4)); // → 0.7451 ((0.3584 / 2 + 1.3111 / 1) / 2)
 * console.log(Array.from(grads.logProbs.data.slice(0, 3), (g) => +g.toFixed(4))); // → [ 0.0009, -0.0203, 0.0194 ] (t = 0, n = 0)
 * console.log(Array.from(grads.logProbs.data.slice(21), (g) => +g.toFixed(4))); // → [ 0, 0, 0 ] (t = 3 ≥ inputLengths[1])
 * ```
 */
export const ctcLoss = defineLoss({
  name: "ctcLoss",
  family: "sequence",
  summary: "−ln Σ_{alignments π → target} Π_t p_t(π_t) per sequence; 'mean' ÷ max(targetLength, 1), then over N",
  pytorch: "F.ctc_loss",
  args: [["logProbs", "float"], ["targets", "index"], ["inputLengths", "lengths"], ["targetLengths", "lengths"]],
  options: {
    reduction: { kind: "reduction", default: "mean" },
    blank: { kind: "integer", default: 0 },
    zeroInfinity: { kind: "bool", default: false },
    fromLogits: { kind: "bool", default: false },
  },
  diff: ["logProbs"],
  output: "sequences",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.ctc_loss_f32 : w.ctc_loss_f64)(
      a.logProbs.desc, a.targets.desc, a.inputLengths.desc, a.inputLengths.number, a.targetLengths.desc, a.targetLengths.number,
      o.blank, o.zeroInfinity, o.fromLogits, o.reduction, r.out, r.gradOutput, r.grads.logProbs,
    ),
}) as Loss<[logProbs: FloatInput, targets: IndexInput, inputLengths: IndexInput | number, targetLengths: IndexInput | number], CtcOptions, "logProbs">;
