//! Regression losses: L1, MSE, smooth L1, Huber, RMSE, MAE, Poisson NLL, Gaussian NLL.
//!
//! | function | ℓ(x, y) per element | PyTorch |
//! |---|---|---|
//! | [`l1_loss`] | \|x − y\| | `F.l1_loss(weight=)`; 'mean' = Σwℓ / Σw |
//! | [`mse_loss`] | (x − y)² | `F.mse_loss(weight=)`; 'mean' = Σwℓ / Σw |
//! | [`smooth_l1_loss`] | 0.5d²/β if \|d\| < β else \|d\| − 0.5β | `F.smooth_l1_loss(beta=)` |
//! | [`huber_loss`] | 0.5d² if \|d\| < δ else δ(\|d\| − 0.5δ) | `F.huber_loss(delta=, weight=)`; 'mean' = Σwℓ / N |
//! | [`rmse_loss`] | √(mse 'mean') | `torch.sqrt(F.mse_loss(...))`, gradient 0 where the error is 0 |
//! | [`mae_loss`] | l1 with 'mean' | `F.l1_loss` |
//! | [`poisson_nll_loss`] | eˣ − y·x, or x − y·ln(x + ε) | `F.poisson_nll_loss` |
//! | [`gaussian_nll_loss`] | ½(ln v + (x − y)²/v) | `F.gaussian_nll_loss` |
//!
//! Every function returns the reduced loss and, through [`Out`], the unreduced loss and
//! the gradients w.r.t. `input`, `target` (and `var`), computed in the same pass.

use crate::error::{check_option, ErrorCode, LossError, Result};
use crate::pointwise::{run, Args, MeanOver, Pointwise};
use crate::real::{Lane, Real};
use crate::reduction::{Out, Reduction};
use crate::shape::{broadcast_map, expand, fmt_shape, numel, sum_to};

/// ℓ = |d|, ∂ℓ/∂x = sgn d (0 at d = 0 and at NaN, as PyTorch's `abs` backward).
struct L1;
impl<T: Real> Pointwise<T> for L1 {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let d = x - y;
        let s = d.signum0();
        [d.abs(), s, -s, L::zero()]
    }
}

/// ℓ = d², ∂ℓ/∂x = 2d.
struct Mse;
impl<T: Real> Pointwise<T> for Mse {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let d = x - y;
        let g = d + d;
        [d * d, g, -g, L::zero()]
    }
}

/// ℓ = 0.5d²/β if |d| < β else |d| − 0.5β; ∂ℓ/∂x = d/β inside, sgn d outside
/// (PyTorch's backward: −1 for d < −β, 1 for d > β, d/β otherwise, so |d| = β gives ±1).
struct SmoothL1<T> {
    beta: T,
}
impl<T: Real> Pointwise<T> for SmoothL1<T> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let beta = L::splat(self.beta);
        let half = L::splat(T::from_f64(0.5));
        let d = x - y;
        let a = d.abs();
        let inside = a.lt(beta);
        let l = L::select(inside, half * d * d / beta, a - half * beta);
        let g = L::select(d.lt(-beta), -L::one(), L::select(d.gt(beta), L::one(), d / beta));
        [l, g, -g, L::zero()]
    }
}

/// ℓ = 0.5d² if |d| < δ else δ(|d| − 0.5δ); ∂ℓ/∂x = clamp(d, −δ, δ) (NaN stays NaN).
struct Huber<T> {
    delta: T,
}
impl<T: Real> Pointwise<T> for Huber<T> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let delta = L::splat(self.delta);
        let half = L::splat(T::from_f64(0.5));
        let d = x - y;
        let a = d.abs();
        let l = L::select(a.lt(delta), half * d * d, delta * (a - half * delta));
        let g = L::select(d.lt(-delta), -delta, L::select(d.gt(delta), delta, d));
        [l, g, -g, L::zero()]
    }
}

/// Poisson NLL. With `log_input`: ℓ = eˣ − y·x, ∂x = eˣ − y, ∂y = −x.
/// Otherwise: ℓ = x − y·ln(x + ε), ∂x = 1 − y/(x + ε), ∂y = −ln(x + ε).
/// `full` adds Stirling's y·ln y − y + ½ln(2πy) where y > 1 (PyTorch masks it to 0 elsewhere).
struct PoissonNll<T> {
    log_input: bool,
    full: bool,
    eps: T,
}
impl<T: Real> Pointwise<T> for PoissonNll<T> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let [mut l, dx, mut dy] = if self.log_input {
            let e = x.exp();
            [e - y * x, e - y, -x]
        } else {
            let xe = x + L::splat(self.eps);
            let lx = xe.ln();
            [x - y * lx, L::one() - y / xe, -lx]
        };
        if self.full {
            let half = L::splat(T::from_f64(0.5));
            let two_pi = L::splat(T::from_f64(2.0 * std::f64::consts::PI));
            let ly = y.ln();
            let stirling = y * ly - y + half * (two_pi * y).ln();
            let m = y.gt(L::one());
            l = l + L::select(m, stirling, L::zero());
            // d/dy of the Stirling term is ln y + ½/y where it applies and 0 elsewhere.
            // (PyTorch's autograd multiplies the mask into ln y + ½/y and so returns NaN at
            // y = 0 although the true gradient is finite; losskit returns the true value.)
            dy = dy + L::select(m, ly + half / y, L::zero());
        }
        [l, dx, dy, L::zero()]
    }
}

/// Gaussian NLL with the variance already clamped at ε:
/// ℓ = ½(ln v + d²/v) [+ ½ln 2π]; ∂x = d/v, ∂y = −d/v, ∂v = ½(1/v − d²/v²).
struct GaussianNll<T> {
    constant: T,
}
impl<T: Real> Pointwise<T> for GaussianNll<T> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, v: L) -> [L; 4] {
        let half = L::splat(T::from_f64(0.5));
        let d = x - y;
        let r = d / v;
        let l = half * (v.ln() + d * r) + L::splat(self.constant);
        [l, r, -r, half * (L::one() - d * r) / v]
    }
}

/// L1 loss `|x − y|` ([`F.l1_loss`](https://pytorch.org/docs/stable/generated/torch.nn.functional.l1_loss.html)).
///
/// `weight` (same length as `input`) multiplies each element; 'mean' then divides by Σw,
/// as PyTorch does. Gradients: `out.grads[0]` for input, `[1]` for target.
pub fn l1_loss<T: Real>(input: &[T], target: &[T], weight: Option<&[T]>, reduction: Reduction, out: Out<'_, T>) -> Result<T> {
    let args = Args { input, target, third: None, weight };
    run("l1_loss", &L1, &args, reduction, MeanOver::WeightSum, out)
}

/// Mean squared error `(x − y)²` (`F.mse_loss`). `weight` as in [`l1_loss`]: 'mean' divides by Σw.
pub fn mse_loss<T: Real>(input: &[T], target: &[T], weight: Option<&[T]>, reduction: Reduction, out: Out<'_, T>) -> Result<T> {
    let args = Args { input, target, third: None, weight };
    run("mse_loss", &Mse, &args, reduction, MeanOver::WeightSum, out)
}

/// Smooth L1 (`F.smooth_l1_loss`): quadratic below `beta`, linear above. `beta` must be
/// ≥ 0; `beta = 0` is exactly [`l1_loss`] (forward and backward), as in PyTorch.
pub fn smooth_l1_loss<T: Real>(input: &[T], target: &[T], beta: f64, reduction: Reduction, out: Out<'_, T>) -> Result<T> {
    const F: &str = "smooth_l1_loss";
    check_option(beta >= 0.0, F, || format!("beta must be >= 0 but is {beta}"))?;
    let args = Args { input, target, third: None, weight: None };
    if beta == 0.0 {
        return run(F, &L1, &args, reduction, MeanOver::Count, out);
    }
    run(F, &SmoothL1 { beta: T::from_f64(beta) }, &args, reduction, MeanOver::Count, out)
}

/// Huber loss (`F.huber_loss`): `delta` must be > 0. With `weight`, PyTorch's 'mean' is
/// mean(w·ℓ), dividing by N (not Σw as L1 and MSE do); matched here.
pub fn huber_loss<T: Real>(
    input: &[T],
    target: &[T],
    weight: Option<&[T]>,
    delta: f64,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "huber_loss";
    check_option(delta > 0.0, F, || format!("delta must be > 0 but is {delta}"))?;
    let args = Args { input, target, third: None, weight };
    run(F, &Huber { delta: T::from_f64(delta) }, &args, reduction, MeanOver::Count, out)
}

/// Root mean squared error √(mse 'mean') (weighted as [`mse_loss`]). Its gradient is
/// ∂mse/(2√mse), defined as 0 where the error is 0 (PyTorch's `sqrt` would give NaN).
/// `out.loss` and `out.grad_output` are not used: the result is always a scalar.
pub fn rmse_loss<T: Real>(input: &[T], target: &[T], weight: Option<&[T]>, out: Out<'_, T>) -> Result<T> {
    let Out { grads, .. } = out;
    let [mut gx, mut gy, _] = grads;
    let args = Args { input, target, third: None, weight };
    let mse_out = Out { loss: None, grad_output: None, grads: [gx.as_deref_mut(), gy.as_deref_mut(), None] };
    let mse = run("rmse_loss", &Mse, &args, Reduction::Mean, MeanOver::WeightSum, mse_out)?;
    let rmse = mse.sqrt();
    let scale = if mse.to_f64() == 0.0 { T::ZERO } else { T::from_f64(0.5) / rmse };
    for g in [gx, gy].into_iter().flatten() {
        g.iter_mut().for_each(|v| *v = *v * scale);
    }
    Ok(rmse)
}

/// Mean absolute error: [`l1_loss`] with 'mean'.
pub fn mae_loss<T: Real>(input: &[T], target: &[T], weight: Option<&[T]>, out: Out<'_, T>) -> Result<T> {
    let args = Args { input, target, third: None, weight };
    run("mae_loss", &L1, &args, Reduction::Mean, MeanOver::WeightSum, out)
}

/// Poisson negative log likelihood (`F.poisson_nll_loss`). `log_input` (default true):
/// the input is log λ; otherwise λ, and `eps` (default 1e-8) guards ln(λ + ε). `full` adds
/// the Stirling approximation of ln(y!) where y > 1. Gradients for input and target.
pub fn poisson_nll_loss<T: Real>(
    input: &[T],
    target: &[T],
    log_input: bool,
    full: bool,
    eps: f64,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    let loss = PoissonNll { log_input, full, eps: T::from_f64(eps) };
    let args = Args { input, target, third: None, weight: None };
    run("poisson_nll_loss", &loss, &args, reduction, MeanOver::Count, out)
}

/// The variance argument of [`gaussian_nll_loss`].
#[derive(Debug, Clone, Copy)]
pub enum Var<'a, T> {
    /// One variance for every element (a Python float in PyTorch): no gradient.
    Scalar(f64),
    /// A tensor: the input's shape, the input's shape without its last dim, that shape
    /// with a trailing 1, or the input's rank with exactly one dim of size 1 where the
    /// input's differs (PyTorch's rules).
    Tensor {
        /// The variances, row-major.
        data: &'a [T],
        /// Their shape.
        shape: &'a [usize],
    },
}

/// Gaussian negative log likelihood (`F.gaussian_nll_loss`):
/// ½(ln max(v, ε) + (x − y)²/max(v, ε)) [+ ½ln 2π if `full`].
///
/// As in PyTorch, the variance is clamped at `eps` (default 1e-6) without passing the
/// gradient through the clamp: ∂ℓ/∂v is evaluated at the clamped value. A negative
/// variance is an error (`INVALID_INPUT`). `shape` is the input's (and target's) shape.
/// Gradients: `out.grads` = [input, target, var] (var's in var's own shape).
#[allow(clippy::too_many_arguments)]
pub fn gaussian_nll_loss<T: Real>(
    input: &[T],
    target: &[T],
    var: Var<'_, T>,
    shape: &[usize],
    full: bool,
    eps: f64,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "gaussian_nll_loss";
    crate::error::check_len(F, "input", input.len(), numel(shape), &format!("shape {}", fmt_shape(shape)))?;
    let negative = || LossError::new(ErrorCode::InvalidInput, format!("{F}: var has negative entry/entries"));
    let eps_t = T::from_f64(eps);
    let clamp = |v: T| if v < eps_t { eps_t } else { v };
    // Expand var to the input's length (clamped), remembering how to fold its gradient back.
    let (expanded, fold): (Vec<T>, Option<Vec<usize>>) = match var {
        Var::Scalar(v) => {
            if v < 0.0 {
                return Err(negative());
            }
            (vec![clamp(T::from_f64(v)); input.len()], None)
        }
        Var::Tensor { data, shape: vshape } => {
            crate::error::check_len(F, "var", data.len(), numel(vshape), &format!("shape {}", fmt_shape(vshape)))?;
            if data.iter().any(|&v| v < T::ZERO) {
                return Err(negative());
            }
            let clamped: Vec<T> = data.iter().map(|&v| clamp(v)).collect();
            if vshape == shape {
                (clamped, None)
            } else {
                let part = var_broadcast_shape(shape, vshape).ok_or_else(|| {
                    LossError::new(
                        ErrorCode::ShapeMismatch,
                        format!("{F}: var is of incorrect size: {} for input of shape {}", fmt_shape(vshape), fmt_shape(shape)),
                    )
                })?;
                let map = broadcast_map(F, "var", shape, &part)?;
                (expand(&clamped, &map), Some(map))
            }
        }
    };
    let constant = if full { T::from_f64(0.5 * (2.0 * std::f64::consts::PI).ln()) } else { T::ZERO };
    let Out { loss, grad_output, grads } = out;
    let [gx, gy, gv] = grads;
    let var_len = match var {
        Var::Tensor { data, .. } => data.len(),
        Var::Scalar(_) => 0,
    };
    if let Some(g) = &gv {
        crate::error::check_len(F, "grad of var", g.len(), var_len, "the shape of var")?;
    }
    // A broadcast var's gradient is computed at full length, then summed onto var's shape.
    let mut fold_into: Option<&mut [T]> = None;
    let mut full_grad: Vec<T> = Vec::new();
    let gv_slot = match gv {
        Some(g) if fold.is_some() => {
            fold_into = Some(g);
            full_grad = vec![T::ZERO; input.len()];
            Some(&mut full_grad[..])
        }
        Some(g) if var_len > 0 => Some(g),
        _ => None,
    };
    let args = Args { input, target, third: Some(&expanded), weight: None };
    let out = Out { loss, grad_output, grads: [gx, gy, gv_slot] };
    let value = run(F, &GaussianNll { constant }, &args, reduction, MeanOver::Count, out)?;
    if let (Some(dst), Some(map)) = (fold_into, &fold) {
        sum_to(&full_grad, map, dst);
    }
    Ok(value)
}

/// PyTorch's accepted var shapes other than the input's own, as the shape to broadcast:
/// `input.shape[:-1]` (unsqueezed to `[..., 1]`), or the same rank where the dims that
/// differ from the input's sum to 1 (one dim of size 1).
fn var_broadcast_shape(input: &[usize], var: &[usize]) -> Option<Vec<usize>> {
    if !input.is_empty() && var == &input[..input.len() - 1] {
        let mut s = var.to_vec();
        s.push(1);
        return Some(s);
    }
    if input.len() == var.len() {
        let mismatched: usize = input.iter().zip(var).filter(|(i, v)| i != v).map(|(_, v)| v).sum();
        if mismatched == 1 {
            return Some(var.to_vec());
        }
    }
    None
}
