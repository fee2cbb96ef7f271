// Regression losses, mirroring crates/losskit-core/src/losses/regression.rs: one spec per
// loss (ts/src/spec.ts). Every function takes (input, target[, var], options) with PyTorch's
// option names and defaults, returns a number (reduced) or a tensor (reduction 'none'), and
// has `.withGrad`.
import { type Loss, type Reduction, type ScalarLoss, defineLoss } from "../spec.js";
import type { FloatInput } from "../tensor.js";

/** Options of {@link l1Loss} and {@link mseLoss}. */
export interface WeightedOptions {
  /** 'none' | 'mean' | 'sum'. Default 'mean'; with `weight`, 'mean' divides by Σweight (PyTorch). */
  reduction?: Reduction;
  /** Element weights, same shape as input. */
  weight?: FloatInput;
}
/** Options of {@link smoothL1Loss}. */
export interface SmoothL1Options {
  /** Default 'mean'. */
  reduction?: Reduction;
  /** Where the loss changes from quadratic to linear; ≥ 0 (0 gives L1). Default 1. */
  beta?: number;
}
/** Options of {@link huberLoss}. */
export interface HuberOptions {
  /** Default 'mean'; with `weight`, 'mean' is mean(weight·ℓ), dividing by N (PyTorch). */
  reduction?: Reduction;
  /** Where the loss changes from quadratic to linear; > 0. Default 1. */
  delta?: number;
  /** Element weights, same shape as input. */
  weight?: FloatInput;
}
/** Options of {@link rmseLoss} and {@link maeLoss}. */
export interface MeanOptions {
  /** Element weights, same shape as input; the mean divides by Σweight. */
  weight?: FloatInput;
}
/** Options of {@link poissonNllLoss}. */
export interface PoissonNllOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
  /** Input is log λ (default true) or λ. */
  logInput?: boolean;
  /** Add Stirling's approximation of ln(target!) where target > 1. Default false. */
  full?: boolean;
  /** Guards ln(λ + eps) when logInput is false. Default 1e-8. */
  eps?: number;
}
/** Options of {@link gaussianNllLoss}. */
export interface GaussianNllOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
  /** Add the constant ½ln 2π. Default false. */
  full?: boolean;
  /** var is clamped at eps (the gradient is taken at the clamped value, as PyTorch). Default 1e-6. */
  eps?: number;
}

type Pair = [input: FloatInput, target: FloatInput];
type Diff = "input" | "target";

const PAIR = [["input", "float"], ["target", "float"]] as const;
const DIFF = ["input", "target"] as const;
const mean = { kind: "reduction", default: "mean" } as const;
const weight = { kind: "tensor" } as const;

/**
 * L1 loss, |input − target| per element (PyTorch `F.l1_loss`).
 *
 * - **Shapes:** input and target of one shape (any rank); `weight` of the same shape.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'); with `weight`, 'mean' = Σ w·ℓ / Σ w (PyTorch). `weight` (none).
 * - **Gradients:** `grads.input` = sign(input − target)·(w)/N for 'mean' (0 where they are equal); `grads.target` = −`grads.input`.
 *
 * @example
 * ```ts
 * import { l1Loss } from "losskit";
 * const { loss, grads } = l1Loss.withGrad([1, 2, 4], [0, 4, 4]);
 * console.log(loss, Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 1 [ 0.3333, -0.3333, 0 ]
 * ```
 */
export const l1Loss = defineLoss({
  name: "l1Loss",
  family: "regression",
  summary: "|x − y|; with weight, 'mean' = Σwℓ / Σw",
  pytorch: "F.l1_loss",
  args: PAIR,
  options: { reduction: mean, weight },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.l1_loss_f32 : w.l1_loss_f64)(a.input.desc, a.target.desc, o.weight, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as Loss<Pair, WeightedOptions, Diff>;

/**
 * Mean squared error, (input − target)² per element (PyTorch `F.mse_loss`).
 *
 * - **Shapes:** input and target of one shape (any rank); `weight` of the same shape.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'); with `weight`, 'mean' = Σ w·ℓ / Σ w. `weight` (none).
 * - **Gradients:** `grads.input` = 2(input − target)/N for 'mean'; `grads.target` = −`grads.input`.
 *
 * @example
 * ```ts
 * import { mseLoss } from "losskit";
 * const { loss, grads } = mseLoss.withGrad([1, 2, 4], [1, 0, 1]);
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 4.3333 [ 0, 1.3333, 2 ]
 * ```
 */
export const mseLoss = defineLoss({
  name: "mseLoss",
  family: "regression",
  summary: "(x − y)²; with weight, 'mean' = Σwℓ / Σw",
  pytorch: "F.mse_loss",
  args: PAIR,
  options: { reduction: mean, weight },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.mse_loss_f32 : w.mse_loss_f64)(a.input.desc, a.target.desc, o.weight, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as Loss<Pair, WeightedOptions, Diff>;

/**
 * Smooth L1 loss (PyTorch `F.smooth_l1_loss`): with d = input − target,
 * ℓ = 0.5·d²/β where |d| < β, else |d| − 0.5·β.
 *
 * - **Shapes:** input and target of one shape.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `beta` (1; ≥ 0, 0 gives L1).
 * - **Gradients:** `grads.input` = d/β inside, sign(d) outside (÷ N for 'mean'); `grads.target` = −`grads.input`.
 *
 * @example
 * ```ts
 * import { smoothL1Loss } from "losskit";
 * const { loss, grads } = smoothL1Loss.withGrad([0, 0.5, 3], [0, 0, 0], { beta: 1 });
 * console.log(loss, Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.875 [ 0, 0.1667, 0.3333 ]
 * ```
 */
export const smoothL1Loss = defineLoss({
  name: "smoothL1Loss",
  family: "regression",
  summary: "0.5d²/β if |d| < β else |d| − 0.5β",
  pytorch: "F.smooth_l1_loss",
  args: PAIR,
  options: { reduction: mean, beta: { kind: "number", default: 1 } },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.smooth_l1_loss_f32 : w.smooth_l1_loss_f64)(a.input.desc, a.target.desc, o.beta, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as Loss<Pair, SmoothL1Options, Diff>;

/**
 * Huber loss (PyTorch `F.huber_loss`): with d = input − target,
 * ℓ = 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ).
 *
 * - **Shapes:** input and target of one shape; `weight` of the same shape.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'); with `weight`, 'mean' = mean(w·ℓ), dividing by N (PyTorch). `delta` (1; > 0), `weight` (none).
 * - **Gradients:** `grads.input` = clamp(d, −δ, δ) (÷ N for 'mean'); `grads.target` = −`grads.input`.
 *
 * @example
 * ```ts
 * import { huberLoss } from "losskit";
 * const { loss, grads } = huberLoss.withGrad([0, 0.5, 3], [0, 0, 0], { delta: 2 });
 * console.log(loss, Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 1.375 [ 0, 0.1667, 0.6667 ]
 * ```
 */
export const huberLoss = defineLoss({
  name: "huberLoss",
  family: "regression",
  summary: "0.5d² if |d| < δ else δ(|d| − 0.5δ); with weight, 'mean' = Σwℓ / N",
  pytorch: "F.huber_loss",
  args: PAIR,
  options: { reduction: mean, delta: { kind: "number", default: 1 }, weight },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.huber_loss_f32 : w.huber_loss_f64)(a.input.desc, a.target.desc, o.weight, o.delta, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as Loss<Pair, HuberOptions, Diff>;

/** What RMSE and MAE share: always a (weighted) mean, so no reduction; no PyTorch function. */
const MEAN_ONLY = { family: "regression", pytorch: null, args: PAIR, options: { weight }, diff: DIFF, output: "scalar", elementwise: true } as const;

/**
 * Root mean squared error, √(mean((input − target)²)); always a number. PyTorch has no
 * function: `torch.sqrt(F.mse_loss(input, target))`.
 *
 * - **Shapes:** input and target of one shape; `weight` of the same shape (then the mean is Σ w·d² / Σ w).
 * - **Options:** `weight` (none). No `reduction`.
 * - **Gradients:** `grads.input` = d/(N·rmse); 0 where the error is 0 (PyTorch's sqrt backward gives NaN: a documented deviation). `grads.target` = −`grads.input`.
 *
 * @example
 * ```ts
 * import { rmseLoss } from "losskit";
 * const { loss, grads } = rmseLoss.withGrad([3, 0], [0, 4]);
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 3.5355 [ 0.4243, -0.5657 ]
 * ```
 */
export const rmseLoss = defineLoss({
  ...MEAN_ONLY,
  name: "rmseLoss",
  summary: "√(mse 'mean'); gradient 0 where the error is 0",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.rmse_loss_f32 : w.rmse_loss_f64)(a.input.desc, a.target.desc, o.weight, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as ScalarLoss<Pair, MeanOptions, Diff>;

/**
 * Mean absolute error: {@link l1Loss} with reduction 'mean' (PyTorch `F.l1_loss(input, target)`); always a number.
 *
 * - **Shapes:** input and target of one shape; `weight` of the same shape (then Σ w·|d| / Σ w).
 * - **Options:** `weight` (none). No `reduction`.
 * - **Gradients:** `grads.input` = sign(input − target)/N; `grads.target` = −`grads.input`.
 *
 * @example
 * ```ts
 * import { maeLoss } from "losskit";
 * const { loss, grads } = maeLoss.withGrad([1, -2], [0, 0]);
 * console.log(loss, grads.input.data); // → 1.5 Float64Array(2) [ 0.5, -0.5 ]
 * ```
 */
export const maeLoss = defineLoss({
  ...MEAN_ONLY,
  name: "maeLoss",
  summary: "l1Loss with 'mean'",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.mae_loss_f32 : w.mae_loss_f64)(a.input.desc, a.target.desc, o.weight, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as ScalarLoss<Pair, MeanOptions, Diff>;

/**
 * Poisson negative log likelihood (PyTorch `F.poisson_nll_loss`): ℓ = eˣ − y·x with
 * `logInput` (x = log λ), else λ − y·ln(λ + eps); `full` adds Stirling's y·ln y − y + ½ln(2πy) where y > 1.
 *
 * - **Shapes:** input and target of one shape.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `logInput` (true), `full` (false), `eps` (1e-8).
 * - **Gradients:** `grads.input` = eˣ − y (logInput) or 1 − y/(λ + eps); `grads.target` = −x or −ln(λ + eps) (+ Stirling's derivative with `full`; at y = 0 the true value, where PyTorch gives NaN).
 *
 * @example
 * ```ts
 * import { poissonNllLoss } from "losskit";
 * const { loss, grads } = poissonNllLoss.withGrad([0, 1], [1, 2]);
 * console.log(loss.toFixed(4), Array.from(grads.input.data, (g) => +g.toFixed(4))); // → 0.8591 [ 0, 0.3591 ]
 * ```
 */
export const poissonNllLoss = defineLoss({
  name: "poissonNllLoss",
  family: "regression",
  summary: "eˣ − y·x, or x − y·ln(x + ε); full adds Stirling where y > 1",
  pytorch: "F.poisson_nll_loss",
  args: PAIR,
  options: {
    reduction: mean,
    logInput: { kind: "bool", default: true },
    full: { kind: "bool", default: false },
    eps: { kind: "number", default: 1e-8 },
  },
  diff: DIFF,
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.poisson_nll_loss_f32 : w.poisson_nll_loss_f64)(
      a.input.desc, a.target.desc, o.logInput, o.full, o.eps, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target,
    ),
}) as Loss<Pair, PoissonNllOptions, Diff>;

/**
 * Gaussian negative log likelihood (PyTorch `F.gaussian_nll_loss`):
 * ℓ = ½·(ln v + (input − target)²/v) with v = max(var, eps); `full` adds ½·ln 2π.
 *
 * - **Shapes:** input and target of one shape; `var` a tensor of that shape or one PyTorch broadcasts to it (a trailing 1, or one dim fewer), or a number.
 * - **Options:** `reduction` ('mean'; 'sum', 'none'), `full` (false), `eps` (1e-6; the gradient is taken at the clamped value, as PyTorch). `var` < 0 is `INVALID_INPUT`.
 * - **Gradients:** `grads.input` = (input − target)/v; `grads.target` = −`grads.input`; `grads.var` = ½(1/v − d²/v²) at v = max(var, eps) (PyTorch clamps without stopping the gradient), when `var` is a tensor.
 *
 * @example
 * ```ts
 * import { gaussianNllLoss } from "losskit";
 * const { loss, grads } = gaussianNllLoss.withGrad([0, 1], [1, 1], 0.5);
 * console.log(loss.toFixed(4), grads.input.data); // → 0.1534 Float64Array(2) [ -1, 0 ]
 * ```
 */
export const gaussianNllLoss = defineLoss({
  name: "gaussianNllLoss",
  family: "regression",
  summary: "½(ln v + (x − y)²/v), v = max(var, eps)",
  pytorch: "F.gaussian_nll_loss",
  args: [["input", "float"], ["target", "float"], ["var", "floatOrNumber"]],
  options: { reduction: mean, full: { kind: "bool", default: false }, eps: { kind: "number", default: 1e-6 } },
  diff: ["input", "target", "var"],
  output: "input",
  elementwise: true,
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.gaussian_nll_loss_f32 : w.gaussian_nll_loss_f64)(
      a.input.desc, a.target.desc, a.var.desc, a.var.number, o.full, o.eps, o.reduction, r.out, r.gradOutput, r.grads.input, r.grads.target, r.grads.var,
    ),
}) as Loss<[input: FloatInput, target: FloatInput, variance: FloatInput | number], GaussianNllOptions, Diff | "var">;
