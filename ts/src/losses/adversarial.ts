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
 * GAN discriminator loss on logits: real term averaged over `realLogits` plus fake term averaged over
 * `fakeLogits` (the two may differ in length). Modes: 'minimax' and 'nonsaturating'
 * softplus(−r) + softplus(f) (BCE with logits against 1 and 0), 'lsgan' ½(r − 1)² + ½f², 'hinge'
 * relu(1 − r) + relu(1 + f), 'wasserstein' f − r. Stable for any logit.
 * @example
 * const { loss, grads } = ganDiscriminatorLoss.withGrad(dReal, dFake, { mode: "hinge" });
 * grads.realLogits; grads.fakeLogits;
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
 * GAN generator loss on the discriminator's logits for fake samples, averaged. Modes: 'minimax'
 * ln(1 − σ(f)) (saturating), 'nonsaturating' softplus(−f) = −ln σ(f), 'lsgan' ½(f − 1)², 'hinge' and
 * 'wasserstein' −f.
 * @example
 * const { loss, grads } = ganGeneratorLoss.withGrad(dFake); // nonsaturating
 * grads.fakeLogits; // ∂loss/∂logits, to backpropagate through the discriminator into the generator
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
