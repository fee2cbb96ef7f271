// Regression losses, mirroring crates/losskit-core/src/regression.rs.
// Every function takes (input, target[, var], options) with PyTorch's option names and
// defaults, returns a number (reduced) or a tensor (reduction 'none'), and has `.withGrad`.
import { wasm } from "../backend.js";
import { type Loss, Options, type Plan, type Reduction, type ScalarLoss, defineLoss, execute, sameShape } from "../call.js";
import { LossError } from "../errors.js";
import { type FloatArg, type FloatInput, commonDtype, floatArg } from "../tensor.js";

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

/** Validates input, target and optional weight of an element-wise loss: one shape, one dtype. */
function pair(func: string, input: unknown, target: unknown, weight?: FloatArg) {
  const x = floatArg(func, "input", input);
  const y = floatArg(func, "target", target);
  sameShape(func, x, y);
  if (weight) sameShape(func, x, weight);
  return { x, y, dtype: commonDtype(func, [x, y, weight]) };
}

type PointwiseName = "l1_loss" | "mse_loss" | "smooth_l1_loss" | "huber_loss" | "poisson_nll_loss";

/** Plans an element-wise loss whose wasm signature ends in (red, out, grad_output, grad_input, grad_target). */
function pointwise(
  func: string,
  name: PointwiseName,
  args: unknown[],
  allowed: string[],
  middle: (o: Options, weight: number) => unknown[],
): Plan<"input" | "target"> {
  const opts = new Options(func, args[2], allowed);
  const weight = allowed.includes("weight") ? opts.tensor("weight") : undefined;
  const { x, y, dtype } = pair(func, args[0], args[1], weight);
  const red = opts.reduction("mean");
  return {
    func,
    dtype,
    reduction: red.name,
    outShape: x.shape,
    diff: [
      { name: "input", arg: x },
      { name: "target", arg: y },
    ],
    opts,
    invoke(call, out, gradOutput, [gi, gt]) {
      const f = wasm()[`${name}_${dtype}`] as (...a: unknown[]) => number;
      return f(call.float(x), call.float(y), x.data.length, ...middle(opts, call.float(weight)), red.code, out, gradOutput, gi, gt);
    },
  };
}

/**
 * L1 loss |input − target| (PyTorch `F.l1_loss`).
 * @example
 * l1Loss(new Float32Array([1, 2]), new Float32Array([0, 4]))   // 1.5
 */
export const l1Loss: Loss<Pair, WeightedOptions, "input" | "target"> = defineLoss((g, a) =>
  execute(pointwise("l1Loss", "l1_loss", a, ["reduction", "weight"], (_, w) => [w]), g),
);

/**
 * Mean squared error (input − target)² (PyTorch `F.mse_loss`).
 * @example
 * const { loss, grads } = mseLoss.withGrad(pred, target);   // grads.input = 2(pred − target)/N
 */
export const mseLoss: Loss<Pair, WeightedOptions, "input" | "target"> = defineLoss((g, a) =>
  execute(pointwise("mseLoss", "mse_loss", a, ["reduction", "weight"], (_, w) => [w]), g),
);

/** Smooth L1: 0.5d²/beta where |d| < beta, else |d| − 0.5·beta (PyTorch `F.smooth_l1_loss`). */
export const smoothL1Loss: Loss<Pair, SmoothL1Options, "input" | "target"> = defineLoss((g, a) =>
  execute(
    pointwise("smoothL1Loss", "smooth_l1_loss", a, ["reduction", "beta"], (o) => {
      const beta = o.number("beta", 1);
      if (!(beta >= 0)) throw new LossError("INVALID_OPTION", `smoothL1Loss: beta must be >= 0 but is ${beta}`);
      return [beta];
    }),
    g,
  ),
);

/** Huber: 0.5d² where |d| < delta, else delta(|d| − 0.5·delta) (PyTorch `F.huber_loss`). */
export const huberLoss: Loss<Pair, HuberOptions, "input" | "target"> = defineLoss((g, a) =>
  execute(
    pointwise("huberLoss", "huber_loss", a, ["reduction", "delta", "weight"], (o, w) => {
      const delta = o.number("delta", 1);
      if (!(delta > 0)) throw new LossError("INVALID_OPTION", `huberLoss: delta must be > 0 but is ${delta}`);
      return [w, delta];
    }),
    g,
  ),
);

/** Poisson negative log likelihood (PyTorch `F.poisson_nll_loss`). Gradients for input and target. */
export const poissonNllLoss: Loss<Pair, PoissonNllOptions, "input" | "target"> = defineLoss((g, a) =>
  execute(
    pointwise("poissonNllLoss", "poisson_nll_loss", a, ["reduction", "logInput", "full", "eps"], (o) => [
      o.bool("logInput", true),
      o.bool("full", false),
      o.number("eps", 1e-8),
    ]),
    g,
  ),
);

/** Plans RMSE or MAE: always a scalar. */
function meanOnly(func: string, name: "rmse_loss" | "mae_loss", args: unknown[]): Plan<"input" | "target"> {
  const opts = new Options(func, args[2], ["weight"]);
  const weight = opts.tensor("weight");
  const { x, y, dtype } = pair(func, args[0], args[1], weight);
  return {
    func,
    dtype,
    reduction: "mean",
    outShape: [],
    diff: [
      { name: "input", arg: x },
      { name: "target", arg: y },
    ],
    opts,
    invoke(call, _out, _go, [gi, gt]) {
      const f = wasm()[`${name}_${dtype}`] as (...a: unknown[]) => number;
      return f(call.float(x), call.float(y), x.data.length, call.float(weight), gi, gt);
    },
  };
}

/** Root mean squared error √(mean (input − target)²); its gradient is 0 where the error is 0. */
export const rmseLoss: ScalarLoss<Pair, MeanOptions, "input" | "target"> = defineLoss((g, a) => execute(meanOnly("rmseLoss", "rmse_loss", a), g));

/** Mean absolute error: {@link l1Loss} with 'mean'. */
export const maeLoss: ScalarLoss<Pair, MeanOptions, "input" | "target"> = defineLoss((g, a) => execute(meanOnly("maeLoss", "mae_loss", a), g));

/**
 * Gaussian negative log likelihood ½(ln var + (input − target)²/var) (PyTorch `F.gaussian_nll_loss`).
 * `var` is a tensor of input's shape, of input's shape without its last dim (or with it as 1),
 * of input's rank with one broadcast dim of size 1, or a number (no gradient).
 */
export const gaussianNllLoss: Loss<[input: FloatInput, target: FloatInput, variance: FloatInput | number], GaussianNllOptions, "input" | "target" | "var"> =
  defineLoss((g, a) => {
    const func = "gaussianNllLoss";
    const opts = new Options(func, a[3], ["reduction", "full", "eps"]);
    const scalarVar = typeof a[2] === "number";
    const v = scalarVar ? undefined : floatArg(func, "var", a[2]);
    const { x, y } = pair(func, a[0], a[1]);
    const dtype = commonDtype(func, [x, y, v]);
    const red = opts.reduction("mean");
    const full = opts.bool("full", false);
    const eps = opts.number("eps", 1e-6);
    const diff: { name: "input" | "target" | "var"; arg: FloatArg }[] = [
      { name: "input", arg: x },
      { name: "target", arg: y },
    ];
    if (v) diff.push({ name: "var", arg: v });
    const plan: Plan<"input" | "target" | "var"> = {
      func,
      dtype,
      reduction: red.name,
      outShape: x.shape,
      diff,
      opts,
      invoke(call, out, gradOutput, [gi, gt, gv]) {
        const f = wasm()[`gaussian_nll_loss_${dtype}`];
        const vShape = new Uint32Array(v ? v.shape : []);
        return f(call.float(x), call.float(y), new Uint32Array(x.shape), call.float(v), !scalarVar, vShape, scalarVar ? (a[2] as number) : 0, full, eps, red.code, out, gradOutput, gi, gt, gv ?? 0);
      },
    };
    return execute(plan, g);
  });
