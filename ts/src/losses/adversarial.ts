// Adversarial losses, mirroring crates/losskit-core/src/losses/adversarial.rs: the GAN losses on
// logits (docs/API.md §2). Logits may have any shape; every function returns a number (reduced)
// or a tensor (reduction 'none'), and has `.withGrad`.
import { type Loss, type Reduction, defineLoss } from "../spec.js";
import type { FloatInput } from "../tensor.js";

/** The GAN objective (docs/API.md §2). */
export type GanMode = "minimax" | "nonsaturating" | "lsgan" | "hinge" | "wasserstein";

/** Options of {@link ganDiscriminatorLoss} and {@link ganGeneratorLoss}. */
export interface GanOptions {
  /** The objective. Default 'nonsaturating' (its discriminator loss is minimax's). */
  mode?: GanMode;
  /**
   * 'mean' (default: each tensor's own mean; the discriminator adds the real and fake means),
   * 'sum', or 'none' (per element; the discriminator's real and fake logits then need one shape
   * and are paired element by element).
   */
  reduction?: Reduction;
}

// The order is the core's GanMode::ALL: the export receives the index.
const mode = { kind: "choice", default: "nonsaturating", values: ["minimax", "nonsaturating", "lsgan", "hinge", "wasserstein"] } as const;
const mean = { kind: "reduction", default: "mean" } as const;

/**
 * GAN discriminator loss on logits (docs/API.md §2): ℓ = mean ℓ_real(r) over `realLogits` + mean ℓ_fake(f)
 * over `fakeLogits`. Per `mode`: 'minimax' and 'nonsaturating' softplus(−r) + softplus(f) (BCE with logits
 * against 1 and 0), 'lsgan' ½(r − 1)² + ½f², 'hinge' relu(1 − r) + relu(1 + f), 'wasserstein' f − r.
 * Stable for any logit (softplus as max(x, 0) + ln(1 + e^(−|x|))). PyTorch has no GAN loss; for the
 * default mode it is `F.binary_cross_entropy_with_logits(real, torch.ones_like(real)) +
 * F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))`.
 *
 * - **Shapes:** `realLogits` and `fakeLogits` of any shapes and lengths; with `reduction: 'none'` one shape,
 *   and the output is ℓ_real + ℓ_fake element by element (of that shape).
 * - **Options:** `mode` ('nonsaturating'; 'minimax', 'lsgan', 'hinge', 'wasserstein'), `reduction` ('mean':
 *   each tensor's own mean, added; 'sum': the two sums; 'none'). The mean of an empty tensor is NaN, as PyTorch.
 * - **Gradients:** `grads.realLogits` = ∂ℓ_real/∂r, `grads.fakeLogits` = ∂ℓ_fake/∂f, each ÷ its own length for
 *   'mean': σ(r) − 1 and σ(f) (minimax, nonsaturating), r − 1 and f (lsgan), −[r < 1] and [f > −1] (hinge; 0 at
 *   the kink, as `relu`'s backward), −1 and 1 (wasserstein).
 *
 * @example
 * ```ts
 * import { ganDiscriminatorLoss } from "losskit";
 * const real = [2, -1, 0.5];
 * const fake = [-1, 1];
 * const { loss, grads } = ganDiscriminatorLoss.withGrad(real, fake);
 * console.log(loss.toFixed(4)); // → 1.4514
 * console.log(Array.from(grads.realLogits.data, (g) => +g.toFixed(4))); // → [ -0.0397, -0.2437, -0.1258 ]
 * console.log(Array.from(grads.fakeLogits.data, (g) => +g.toFixed(4))); // → [ 0.1345, 0.3655 ]
 * console.log(ganDiscriminatorLoss(real, fake, { mode: "hinge" }).toFixed(4)); // → 1.8333
 * console.log(ganDiscriminatorLoss(real, fake, { mode: "lsgan" }).toFixed(4)); // → 1.3750
 * ```
 */
export const ganDiscriminatorLoss = defineLoss({
  name: "ganDiscriminatorLoss",
  elementwise: true,
  family: "adversarial",
  summary: "mean ℓ_real(real) + mean ℓ_fake(fake), per mode (minimax, nonsaturating, lsgan, hinge, wasserstein)",
  pytorch: null,
  args: [["realLogits", "float"], ["fakeLogits", "float"]],
  options: { mode, reduction: mean },
  diff: ["realLogits", "fakeLogits"],
  output: "input",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.gan_discriminator_loss_f32 : w.gan_discriminator_loss_f64)(
      a.realLogits.desc, a.fakeLogits.desc, o.mode, o.reduction, r.out, r.gradOutput, r.grads.realLogits, r.grads.fakeLogits,
    ),
}) as Loss<[realLogits: FloatInput, fakeLogits: FloatInput], GanOptions, "realLogits" | "fakeLogits">;

/**
 * GAN generator loss on the discriminator's logits for generated samples (docs/API.md §2): ℓ = mean
 * ℓ_gen(f). Per `mode`: 'minimax' ln(1 − σ(f)) = −softplus(f) (saturating), 'nonsaturating' softplus(−f) =
 * −ln σ(f), 'lsgan' ½(f − 1)², 'hinge' and 'wasserstein' −f. PyTorch has no GAN loss; for the default mode it
 * is `F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))`.
 *
 * - **Shapes:** `fakeLogits` of any shape; 'none' returns that shape.
 * - **Options:** `mode` ('nonsaturating'; 'minimax', 'lsgan', 'hinge', 'wasserstein'), `reduction` ('mean'; 'sum', 'none').
 * - **Gradients:** `grads.fakeLogits` (÷ N for 'mean'): σ(f) − 1 (nonsaturating), −σ(f) (minimax), f − 1
 *   (lsgan), −1 (hinge, wasserstein); backpropagate it through the discriminator into the generator.
 *
 * @example
 * ```ts
 * import { ganGeneratorLoss } from "losskit";
 * const fake = [-1, 1, 3];
 * const { loss, grads } = ganGeneratorLoss.withGrad(fake);
 * console.log(loss.toFixed(4), Array.from(grads.fakeLogits.data, (g) => +g.toFixed(4))); // → 0.5584 [ -0.2437, -0.0896, -0.0158 ]
 * console.log(ganGeneratorLoss(fake, { mode: "minimax" }).toFixed(4)); // → -1.5584
 * console.log(ganGeneratorLoss(fake, { mode: "lsgan" }).toFixed(4)); // → 1.3333
 * ```
 */
export const ganGeneratorLoss = defineLoss({
  name: "ganGeneratorLoss",
  elementwise: true,
  family: "adversarial",
  summary: "mean ℓ_gen(fake), per mode: ln(1 − σ(f)), softplus(−f), ½(f − 1)², −f",
  pytorch: null,
  args: [["fakeLogits", "float"]],
  options: { mode, reduction: mean },
  diff: ["fakeLogits"],
  output: "input",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.gan_generator_loss_f32 : w.gan_generator_loss_f64)(a.fakeLogits.desc, o.mode, o.reduction, r.out, r.gradOutput, r.grads.fakeLogits),
}) as Loss<[fakeLogits: FloatInput], GanOptions, "fakeLogits">;
