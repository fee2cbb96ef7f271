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
//! Every function takes the input and target tensors, its options (PyTorch's keyword
//! arguments, `Default` = PyTorch's defaults) and an [`Out`]; it returns the reduced loss
//! and writes the unreduced loss and the gradients w.r.t. `input`, `target` (and `var`)
//! from the same pass. All run on the pointwise engine.

use crate::engine::pointwise::{run, Args, MeanOver, Pointwise};
use crate::engine::Out;
use crate::error::{check_option, ErrorCode, LossError, Result};
use crate::real::{opaque, Lane, Real};
use crate::reduce::{Reducer, Reduction};
use crate::shape::{fmt_shape, try_filled, try_vec, Broadcast, Tensor};

/// ℓ = |d|, ∂ℓ/∂x = sgn d (0 at d = 0 and at NaN, as PyTorch's `abs` backward).
struct L1<T> {
    /// 1 and the sign-clearing mask, opaque to the compiler ([`opaque`]).
    one: T,
    abs_mask: T,
}
impl<T: Real> L1<T> {
    fn new() -> Self {
        L1 { one: opaque(T::ONE), abs_mask: opaque(T::ABS_MASK) }
    }
}
impl<T: Real> Pointwise<T> for L1<T> {
    const LIGHT: bool = true;
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let d = x - y;
        let s = d.signum0_with(L::splat(self.one));
        [d.abs_with(L::splat(self.abs_mask)), s, -s, L::zero()]
    }
}

/// ℓ = d², ∂ℓ/∂x = 2d: `eval` gives d and the factor 2 goes with the reduction's scale, as
/// PyTorch computes (2/N)·d, so the gradient of d ≈ 3e38 in f32 is finite as in PyTorch.
struct Mse;
impl<T: Real> Pointwise<T> for Mse {
    const LIGHT: bool = true;
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let d = x - y;
        [d * d, d, -d, L::zero()]
    }
    const GRAD_FACTOR: f64 = 2.0;
}

/// ℓ = 0.5d²/β if |d| < β else |d| − 0.5β; ∂ℓ/∂x = g = clamp(d/β, −1, 1) (PyTorch's backward:
/// −1 for d < −β, 1 for d > β, d/β otherwise, so |d| = β gives ±1). Both from g, as Huber:
/// ℓ = g·(d − 0.5β·g), which is |d| − 0.5β beyond ±β (rounded as PyTorch's branch) and
/// 0.5d²/β inside (within a few ulp; exact for β a power of two, the default 1).
struct SmoothL1<T> {
    beta: T,
    /// 1/β, or 0 where it overflows.
    inv_beta: T,
    /// 1, opaque to the compiler ([`opaque`]).
    one: T,
}
impl<T: Real> Pointwise<T> for SmoothL1<T> {
    const LIGHT: bool = true;
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        // ÷β as ×(1/β): a division per lane would bound the loop. Exact for β a power of
        // two, else within an ulp of PyTorch's d/β; a β so small that 1/β overflows
        // (`inv_beta` = 0) keeps the division.
        let d = x - y;
        let u = if self.inv_beta == T::ZERO { d / L::splat(self.beta) } else { d * L::splat(self.inv_beta) };
        let one = L::splat(self.one);
        let g = u.min_nan(one).max_nan(-one);
        let l = g * (d - L::splat(T::from_f64(0.5) * self.beta) * g);
        [l, g, -g, L::zero()]
    }
}

/// ℓ = 0.5d² if |d| < δ else δ(|d| − 0.5δ); ∂ℓ/∂x = g = clamp(d, −δ, δ) (NaN stays NaN).
/// Both from g: ℓ = g·(d − 0.5g), which is 0.5d² where g = d (d − 0.5d is exact) and
/// ±δ·(d ∓ 0.5δ) = δ(|d| − 0.5δ) beyond ±δ, rounded as PyTorch's branches are; two
/// min/max instructions replace the compares and selects.
struct Huber<T> {
    delta: T,
    /// 0.5, opaque to the compiler ([`opaque`]).
    half: T,
}
impl<T: Real> Pointwise<T> for Huber<T> {
    const LIGHT: bool = true;
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let delta = L::splat(self.delta);
        let half = L::splat(self.half);
        let d = x - y;
        let g = d.min_nan(delta).max_nan(-delta);
        let l = g * (d - half * g);
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
            let m = y.gt_mask(L::one());
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

/// Options of [`l1_loss`] and [`mse_loss`].
#[derive(Debug, Clone, Copy, Default)]
pub struct WeightedOptions<'a, T> {
    /// Element weights of the input's shape; 'mean' then divides by Σw (PyTorch).
    pub weight: Option<Tensor<'a, T>>,
    /// Default 'mean'.
    pub reduction: Reduction,
}

/// Checks an element-weight tensor (the input's shape) and returns its data.
#[inline(always)]
fn element_weight<'a, T>(func: &'static str, weight: Option<Tensor<'a, T>>, input: &Tensor<'_, T>) -> Result<Option<&'a [T]>> {
    match weight {
        Some(w) => {
            w.check(func, "weight")?;
            w.check_same_shape(func, "weight", input.shape(), "input")?;
            Ok(Some(w.data))
        }
        None => Ok(None),
    }
}

/// L1 loss `|x − y|` (`F.l1_loss`). Gradients: `out.grads[0]` input, `[1]` target.
pub fn l1_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &WeightedOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "l1_loss";
    let weight = element_weight(F, opts.weight, &input)?;
    run(F, &L1::new(), &Args { input, target, param: None, weight }, Reducer::new(F, opts.reduction, None)?, MeanOver::WeightSum, out)
}

/// Mean squared error `(x − y)²` (`F.mse_loss`); `weight` as in [`l1_loss`].
pub fn mse_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &WeightedOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "mse_loss";
    let weight = element_weight(F, opts.weight, &input)?;
    run(F, &Mse, &Args { input, target, param: None, weight }, Reducer::new(F, opts.reduction, None)?, MeanOver::WeightSum, out)
}

/// Options of [`smooth_l1_loss`].
#[derive(Debug, Clone, Copy)]
pub struct SmoothL1Options {
    /// Where the loss turns from quadratic to linear; ≥ 0 (0 is exactly L1). Default 1.
    pub beta: f64,
    /// Default 'mean'.
    pub reduction: Reduction,
}
impl Default for SmoothL1Options {
    fn default() -> Self {
        SmoothL1Options { beta: 1.0, reduction: Reduction::Mean }
    }
}

/// Smooth L1 (`F.smooth_l1_loss`): quadratic below `beta`, linear above; `beta = 0` is
/// exactly [`l1_loss`] (forward and backward), as in PyTorch.
pub fn smooth_l1_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &SmoothL1Options, out: Out<'_, T>) -> Result<T> {
    const F: &str = "smooth_l1_loss";
    let beta = opts.beta;
    check_option(beta >= 0.0, F, "beta", || format!("must be >= 0 but is {beta}"))?;
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let args = Args { input, target, param: None, weight: None };
    if beta == 0.0 {
        return run(F, &L1::new(), &args, reducer, MeanOver::Count, out);
    }
    let beta = T::from_f64(beta);
    let inv_beta = T::ONE / beta;
    let inv_beta = if inv_beta.to_f64().is_finite() { inv_beta } else { T::ZERO };
    run(F, &SmoothL1 { beta, inv_beta, one: opaque(T::ONE) }, &args, reducer, MeanOver::Count, out)
}

/// Options of [`huber_loss`].
#[derive(Debug, Clone, Copy)]
pub struct HuberOptions<'a, T> {
    /// Where the loss turns from quadratic to linear; > 0. Default 1.
    pub delta: f64,
    /// Element weights of the input's shape; 'mean' still divides by N (PyTorch).
    pub weight: Option<Tensor<'a, T>>,
    /// Default 'mean'.
    pub reduction: Reduction,
}
impl<T> Default for HuberOptions<'_, T> {
    fn default() -> Self {
        HuberOptions { delta: 1.0, weight: None, reduction: Reduction::Mean }
    }
}

/// Huber loss (`F.huber_loss`). With `weight`, PyTorch's 'mean' is mean(w·ℓ), dividing by
/// N (not Σw as L1 and MSE do); matched here.
pub fn huber_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &HuberOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "huber_loss";
    let delta = opts.delta;
    check_option(delta > 0.0, F, "delta", || format!("must be > 0 but is {delta}"))?;
    let weight = element_weight(F, opts.weight, &input)?;
    let args = Args { input, target, param: None, weight };
    run(
        F,
        &Huber { delta: T::from_f64(delta), half: opaque(T::from_f64(0.5)) },
        &args,
        Reducer::new(F, opts.reduction, None)?,
        MeanOver::Count,
        out,
    )
}

/// Options of [`rmse_loss`] and [`mae_loss`] (always a mean, so no reduction).
#[derive(Debug, Clone, Copy, Default)]
pub struct MeanOptions<'a, T> {
    /// Element weights of the input's shape; the mean divides by Σw.
    pub weight: Option<Tensor<'a, T>>,
}

/// Root mean squared error √(mse 'mean') (weighted as [`mse_loss`]). Its gradient is
/// ∂mse/(2√mse), defined as 0 where the error is 0 (PyTorch's `sqrt` would give NaN).
/// `out.loss` and `out.grad_output` are not used: the result is always a scalar.
pub fn rmse_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &MeanOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "rmse_loss";
    let weight = element_weight(F, opts.weight, &input)?;
    let Out { grads: [mut gx, mut gy, gp], .. } = out;
    let mse_out = Out { loss: None, grad_output: None, grads: [gx.as_deref_mut(), gy.as_deref_mut(), gp] };
    let mse =
        run(F, &Mse, &Args { input, target, param: None, weight }, Reducer::new(F, Reduction::Mean, None)?, MeanOver::WeightSum, mse_out)?;
    let rmse = mse.sqrt();
    let scale = if mse.to_f64() == 0.0 { T::ZERO } else { T::from_f64(0.5) / rmse };
    for g in [gx, gy].into_iter().flatten() {
        g.iter_mut().for_each(|v| *v = *v * scale);
    }
    Ok(rmse)
}

/// Mean absolute error: [`l1_loss`] with 'mean'.
pub fn mae_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &MeanOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "mae_loss";
    let weight = element_weight(F, opts.weight, &input)?;
    run(F, &L1::new(), &Args { input, target, param: None, weight }, Reducer::new(F, Reduction::Mean, None)?, MeanOver::WeightSum, out)
}

/// Options of [`poisson_nll_loss`].
#[derive(Debug, Clone, Copy)]
pub struct PoissonNllOptions {
    /// The input is log λ (default true) or λ.
    pub log_input: bool,
    /// Adds Stirling's approximation of ln(y!) where y > 1. Default false.
    pub full: bool,
    /// Guards ln(λ + ε) when `log_input` is false. Default 1e-8.
    pub eps: f64,
    /// Default 'mean'.
    pub reduction: Reduction,
}
impl Default for PoissonNllOptions {
    fn default() -> Self {
        PoissonNllOptions { log_input: true, full: false, eps: 1e-8, reduction: Reduction::Mean }
    }
}

/// Poisson negative log likelihood (`F.poisson_nll_loss`). Gradients for input and target.
pub fn poisson_nll_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &PoissonNllOptions, out: Out<'_, T>) -> Result<T> {
    const F: &str = "poisson_nll_loss";
    let loss = PoissonNll { log_input: opts.log_input, full: opts.full, eps: T::from_f64(opts.eps) };
    run(F, &loss, &Args { input, target, param: None, weight: None }, Reducer::new(F, opts.reduction, None)?, MeanOver::Count, out)
}

/// The variance argument of [`gaussian_nll_loss`].
#[derive(Debug, Clone, Copy)]
pub enum Var<'a, T> {
    /// One variance for every element (a Python float in PyTorch): no gradient.
    Scalar(f64),
    /// A tensor: the input's shape, the input's shape without its last dim, that shape
    /// with a trailing 1, or the input's rank with exactly one dim of size 1 where the
    /// input's differs (PyTorch's rules). Differentiable: gradient slot 2, in var's shape.
    Tensor(Tensor<'a, T>),
}

/// Options of [`gaussian_nll_loss`].
#[derive(Debug, Clone, Copy)]
pub struct GaussianNllOptions {
    /// Adds the constant ½ln 2π. Default false.
    pub full: bool,
    /// The variance is clamped at eps (the gradient is taken at the clamped value). Default 1e-6.
    pub eps: f64,
    /// Default 'mean'.
    pub reduction: Reduction,
}
impl Default for GaussianNllOptions {
    fn default() -> Self {
        GaussianNllOptions { full: false, eps: 1e-6, reduction: Reduction::Mean }
    }
}

/// Gaussian negative log likelihood (`F.gaussian_nll_loss`):
/// ½(ln max(v, ε) + (x − y)²/max(v, ε)) [+ ½ln 2π if `full`].
///
/// As in PyTorch, the variance is clamped at `eps` without passing the gradient through
/// the clamp: ∂ℓ/∂v is evaluated at the clamped value. A negative variance is an error
/// (`INVALID_INPUT`). Gradients: `out.grads` = [input, target, var] (var's in var's shape).
pub fn gaussian_nll_loss<T: Real>(
    input: Tensor<'_, T>,
    target: Tensor<'_, T>,
    var: Var<'_, T>,
    opts: &GaussianNllOptions,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "gaussian_nll_loss";
    input.check(F, "input")?;
    let shape = input.shape();
    let negative = || LossError::new(ErrorCode::InvalidInput, F, Some("var"), "has negative entry/entries");
    let eps_t = T::from_f64(opts.eps);
    let clamp = |v: T| if v < eps_t { eps_t } else { v };
    // Expand var to the input's length (clamped), remembering how to fold its gradient back.
    // The temporaries follow the data's size, so they are allocated fallibly.
    let (expanded, fold): (Vec<T>, Option<Broadcast>) = match var {
        Var::Scalar(v) => {
            if v < 0.0 {
                return Err(negative());
            }
            (try_filled(F, "var", input.len(), clamp(T::from_f64(v)))?, None)
        }
        Var::Tensor(v) => {
            v.check(F, "var")?;
            if v.data.iter().any(|&v| v < T::ZERO) {
                return Err(negative());
            }
            let mut clamped = try_vec(F, "var", v.len())?;
            clamped.extend(v.data.iter().map(|&v| clamp(v)));
            if v.shape() == shape {
                (clamped, None)
            } else {
                let part = var_broadcast_shape(shape, v.shape()).ok_or_else(|| {
                    LossError::new(
                        ErrorCode::ShapeMismatch,
                        F,
                        Some("var"),
                        format!("is of incorrect size: {} for input of shape {}", fmt_shape(v.shape()), fmt_shape(shape)),
                    )
                })?;
                let b = Broadcast::new(F, "var", shape, &part)?;
                (b.expand(F, "var", &clamped)?, Some(b))
            }
        }
    };
    let constant = if opts.full { T::from_f64(0.5 * (2.0 * std::f64::consts::PI).ln()) } else { T::ZERO };
    let Out { loss, grad_output, grads: [gx, gy, gv] } = out;
    let var_len = match var {
        Var::Tensor(v) => v.len(),
        Var::Scalar(_) => 0,
    };
    if let Some(g) = gv.as_ref().filter(|g| g.len() != var_len) {
        return Err(LossError::new(
            ErrorCode::ShapeMismatch,
            F,
            Some("var"),
            format!("gradient buffer has {} elements but var has {var_len}", g.len()),
        ));
    }
    // A broadcast var's gradient is computed at full length, then summed onto var's shape.
    let mut fold_into: Option<&mut [T]> = None;
    let mut full_grad: Vec<T> = Vec::new();
    let gv_slot = match gv {
        Some(g) if fold.is_some() => {
            fold_into = Some(g);
            full_grad = try_filled(F, "var", input.len(), T::ZERO)?;
            Some(&mut full_grad[..])
        }
        Some(g) if var_len > 0 => Some(g),
        _ => None,
    };
    let args = Args { input, target, param: Some(&expanded), weight: None };
    let out = Out { loss, grad_output, grads: [gx, gy, gv_slot] };
    let value = run(F, &GaussianNll { constant }, &args, Reducer::new(F, opts.reduction, None)?, MeanOver::Count, out)?;
    if let (Some(dst), Some(b)) = (fold_into, &fold) {
        b.sum_to(F, "var", &full_grad, dst)?;
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
