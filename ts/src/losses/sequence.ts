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
 * −ln Σ over the alignments π that collapse to the target (repeats merged, blanks removed) of Π_t p_t(π_t).
 *
 * - `logProbs`: (T, N, C) log-probabilities (log_softmax output), or (T, C) for one sequence; raw logits with
 *   `fromLogits`.
 * - `targets`: Int32 labels, padded (N, S) — sequence n uses row n's first `targetLengths[n]` entries; the
 *   padding is not read — or concatenated (Σ targetLengths). For one sequence: (S), exactly its labels, or
 *   (1, S) padded. Labels are in [0, C) and never the blank.
 * - `inputLengths` (each ≤ T) and `targetLengths`: Int32 (N); for one sequence a plain number (or a 0-dim
 *   tensor).
 *
 * An impossible target gives +∞ (with `zeroInfinity`: 0 and a zero gradient). The gradient is the exact
 * one with respect to `logProbs`, −(posterior occupancy) scaled by the reduction; PyTorch's kernel returns
 * exp(logProbs) − occupancy, which agrees after the log_softmax backward (docs/API.md §6). Steps past a
 * sequence's input length get 0.
 * @example
 * const logits = { data: new Float32Array(T * N * C), shape: [T, N, C] };
 * const { loss, grads } = ctcLoss.withGrad(logits, Int32Array.from(labels), Int32Array.of(T, T), Int32Array.of(3, 2), { fromLogits: true });
 * grads.logProbs.data; // ∂loss/∂logits, shape [T, N, C]
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
