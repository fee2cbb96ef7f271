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
 * L1 loss |input − target| (PyTorch `F.l1_loss`).
 * @example
 * l1Loss(new Float32Array([1, 2]), new Float32Array([0, 4]))   // 1.5
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
 * Mean squared error (input − target)² (PyTorch `F.mse_loss`).
 * @example
 * const { loss, grads } = mseLoss.withGrad(pred, target);   // grads.input = 2(pred − target)/N
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

/** Smooth L1: 0.5d²/beta where |d| < beta, else |d| − 0.5·beta (PyTorch `F.smooth_l1_loss`). */
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

/** Huber: 0.5d² where |d| < delta, else delta(|d| − 0.5·delta) (PyTorch `F.huber_loss`). */
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

/** Root mean squared error √(mean (input − target)²); its gradient is 0 where the error is 0. */
export const rmseLoss = defineLoss({
  ...MEAN_ONLY,
  name: "rmseLoss",
  summary: "√(mse 'mean'); gradient 0 where the error is 0",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.rmse_loss_f32 : w.rmse_loss_f64)(a.input.desc, a.target.desc, o.weight, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as ScalarLoss<Pair, MeanOptions, Diff>;

/** Mean absolute error: {@link l1Loss} with 'mean'. */
export const maeLoss = defineLoss({
  ...MEAN_ONLY,
  name: "maeLoss",
  summary: "l1Loss with 'mean'",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.mae_loss_f32 : w.mae_loss_f64)(a.input.desc, a.target.desc, o.weight, r.out, r.gradOutput, r.grads.input, r.grads.target),
}) as ScalarLoss<Pair, MeanOptions, Diff>;

/** Poisson negative log likelihood (PyTorch `F.poisson_nll_loss`). Gradients for input and target. */
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
 * Gaussian negative log likelihood ½(ln var + (input − target)²/var) (PyTorch `F.gaussian_nll_loss`).
 * `var` is a tensor of input's shape, of input's shape without its last dim (or with it as 1),
 * of input's rank with one broadcast dim of size 1, or a number (no gradient).
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
