//! Classification losses: cross-entropy, NLL, categorical cross-entropy, binary
//! cross-entropy (on probabilities and on logits), KL divergence, sigmoid focal and
//! softmax focal loss.
//!
//! | function | ℓ per row / element | PyTorch |
//! |---|---|---|
//! | [`cross_entropy`] | −w_y log softmax(x)_y, or −Σ_c w_c y_c log softmax(x)_c; label smoothing | `F.cross_entropy` |
//! | [`nll_loss`] | −w_y x_y | `F.nll_loss` |
//! | [`categorical_cross_entropy`] | −Σ_c t_c max(ln p_c, −100) | (Keras-style, on probabilities) |
//! | [`focal_loss`] | −α_y (1 − p_y)^γ ln p_y, p = softmax(x) | (multi-class focal) |
//! | [`binary_cross_entropy`] | −w[y max(ln p, −100) + (1 − y) max(ln(1 − p), −100)] | `F.binary_cross_entropy` |
//! | [`binary_cross_entropy_with_logits`] | (1 − y)x + (1 + (pw − 1)y) softplus(−x) | `F.binary_cross_entropy_with_logits` |
//! | [`kl_div`] | y(ln y − x), or eʸ(y − x) with `log_target` | `F.kl_div` |
//! | [`sigmoid_focal_loss`] | α_t (1 − p_t)^γ BCEwithLogits(x, y) | `torchvision.ops.sigmoid_focal_loss` |
//!
//! The losses over classes take an input of shape (C), (N, C) or (N, C, d1, …) — classes
//! in dim 1 (dim 0 for a 1-D input) — and run on the row engine (`rows.rs`): one tile of
//! rows per lane width, max then Σexp (compensated) over the classes, then the loss and the
//! gradient (softmax − target distribution, scaled) in the same call. The element-wise
//! losses run on the pointwise engine. Every function returns the reduced loss and, through
//! [`Out`], the unreduced loss and the gradients w.r.t. `input` (`grads[0]`) and, where the
//! target is a float tensor, `target` (`grads[1]`).

use std::borrow::Cow;

use crate::error::{check_len, check_option, ErrorCode, LossError, Result};
use crate::pointwise::{run, Args, MeanOver, Pointwise};
use crate::real::{Lane, Real};
use crate::reduction::{Out, Reduction};
use crate::rows::{check_targets, run_rows, LaneSum, RowKernel, Rows, Tile};
use crate::shape::{broadcast_map, expand, fmt_shape, numel};

/// The target of a loss over classes.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a, T> {
    /// One class index per row, shape (), (N) or (N, d1, …) (PyTorch's int64 target, as i32).
    Index(&'a [i32]),
    /// Class probabilities, the input's shape (differentiable: `grads[1]`).
    Prob(&'a [T]),
}

/// A tensor argument that broadcasts (NumPy rules) to the input's shape, such as
/// `binary_cross_entropy`'s `weight` or `binary_cross_entropy_with_logits`'s `pos_weight`.
#[derive(Debug, Clone, Copy)]
pub struct Shaped<'a, T> {
    /// The values, row-major.
    pub data: &'a [T],
    /// Their shape.
    pub shape: &'a [usize],
}

impl<'a, T: Real> Shaped<'a, T> {
    /// The values expanded to `full` (borrowed when the shapes are equal).
    fn expand_to(&self, func: &str, arg: &str, full: &[usize]) -> Result<Cow<'a, [T]>> {
        check_len(func, arg, self.data.len(), numel(self.shape), &format!("shape {}", fmt_shape(self.shape)))?;
        if self.shape == full {
            return Ok(Cow::Borrowed(self.data));
        }
        let map = broadcast_map(func, arg, full, self.shape)?;
        Ok(Cow::Owned(expand(self.data, &map)))
    }
}

fn neg_inf<T: Real>() -> T {
    T::from_f64(f64::NEG_INFINITY)
}

// ------------------------------------------------------------------ softmax row kernel

/// What a softmax row is scored against.
enum SoftTarget<'a, T> {
    /// Class indices, with weights, an ignored index and label smoothing ε.
    Index { target: &'a [i32], ignore: i64, weight: Option<&'a [T]>, eps: T, eps_c: T, w_sum: T },
    /// Probabilities y, smoothed to y(1 − ε) + ε/C, with class weights.
    Prob { target: &'a [T], weight: Option<&'a [T]>, keep: T, eps_c: T },
    /// Class indices of the focal loss −α_y (1 − p_y)^γ ln p_y.
    Focal { target: &'a [i32], gamma: T, alpha: Option<&'a [T]> },
}

/// log-softmax over the classes of each row, scored against a [`SoftTarget`].
struct Softmax<'a, T> {
    x: &'a [T],
    classes: usize,
    target: SoftTarget<'a, T>,
    gx: Option<&'a mut [T]>,
    gy: Option<&'a mut [T]>,
}

impl<T: Real> RowKernel<T> for Softmax<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile, g: L) -> L {
        let (x, cn) = (self.x, self.classes);
        // Pass 1: the row maximum (NaN is left to Σexp to propagate).
        let mut m = L::splat(neg_inf());
        for c in 0..cn {
            let v = t.load::<L>(x, c);
            m = L::select(v.gt(m), v, m);
        }
        // Pass 2: Σ e^{x−m}, keeping e^{x−m} in the input gradient for pass 3, and the
        // target's sums over classes.
        let keep_exp = GRAD && self.gx.is_some();
        let mut s = LaneSum::<L>::new();
        let mut a1 = LaneSum::<L>::new();
        let mut a2 = LaneSum::<L>::new();
        match &self.target {
            SoftTarget::Index { weight, eps, .. } => {
                let smoothing = *eps > T::ZERO;
                for c in 0..cn {
                    let d = t.load::<L>(x, c) - m;
                    let e = d.exp();
                    s.add(e);
                    if keep_exp {
                        t.store(e, self.gx.as_deref_mut().unwrap(), c);
                    }
                    if smoothing {
                        a1.add(weight.map_or(d, |w| L::splat(w[c]) * d));
                    }
                }
            }
            SoftTarget::Prob { target, weight, keep, eps_c } => {
                for c in 0..cn {
                    let d = t.load::<L>(x, c) - m;
                    let e = d.exp();
                    s.add(e);
                    if keep_exp {
                        t.store(e, self.gx.as_deref_mut().unwrap(), c);
                    }
                    let y = t.load::<L>(target, c) * L::splat(*keep) + L::splat(*eps_c);
                    let wy = weight.map_or(y, |w| L::splat(w[c]) * y);
                    a1.add(wy);
                    a2.add(wy * d);
                }
            }
            SoftTarget::Focal { .. } => {
                for c in 0..cn {
                    let e = (t.load::<L>(x, c) - m).exp();
                    s.add(e);
                    if keep_exp {
                        t.store(e, self.gx.as_deref_mut().unwrap(), c);
                    }
                }
            }
        }
        let s = s.value();
        let ls = s.ln();
        // Pass 3: the loss, and the gradient (softmax − target distribution)·g.
        match &self.target {
            SoftTarget::Index { target, ignore, weight, eps, eps_c, w_sum } => {
                let p = t.pick::<L>(target, Some(*ignore));
                let wy = p.weight(t, *weight);
                let nll = -(wy * ((p.gather(t, x) - m) - ls));
                let smoothing = *eps > T::ZERO;
                let (rest, eps_c) = (L::splat(T::ONE - *eps), L::splat(*eps_c));
                let mut loss = nll;
                if smoothing {
                    // −Σ_c w_c log p_c = W·ln s − Σ_c w_c (x_c − m)
                    loss = rest * nll + eps_c * (L::splat(*w_sum) * ls - a1.value());
                }
                if GRAD {
                    if let Some(gx) = self.gx.as_deref_mut() {
                        // The upstream gradient of log p_c is G_c = −g(1 − ε)w_y[c = y] − g(ε/C)w_c;
                        // the log-softmax backward gives G_c − p_c·Σ_k G_k (PyTorch's order, so
                        // a single class gives exactly 0).
                        let g = L::select(p.keep, g, L::zero());
                        let gt = -(g * rest * wy);
                        let gs = -(g * eps_c);
                        let total = if smoothing { gt + gs * L::splat(*w_sum) } else { gt };
                        for c in 0..cn {
                            let prob = t.load::<L>(gx, c) / s;
                            let mut v = L::select(p.is(c), gt, L::zero());
                            if smoothing {
                                v = v + weight.map_or(gs, |w| gs * L::splat(w[c]));
                            }
                            t.store(v - prob * total, gx, c);
                        }
                    }
                }
                L::select(p.keep, loss, L::zero())
            }
            SoftTarget::Prob { target, weight, keep, eps_c } => {
                let swy = a1.value();
                let loss = swy * ls - a2.value();
                if GRAD {
                    if let Some(gx) = self.gx.as_deref_mut() {
                        let total = g * swy;
                        let (keep, eps_c) = (L::splat(*keep), L::splat(*eps_c));
                        for c in 0..cn {
                            let prob = t.load::<L>(gx, c) / s;
                            let y = t.load::<L>(target, c) * keep + eps_c;
                            let wy = weight.map_or(y, |w| L::splat(w[c]) * y);
                            t.store(prob * total - g * wy, gx, c);
                        }
                    }
                    if let Some(gy) = self.gy.as_deref_mut() {
                        // ∂/∂y_c = −(1 − ε) w_c log p_c
                        let f = -(g * L::splat(*keep));
                        for c in 0..cn {
                            let logp = (t.load::<L>(x, c) - m) - ls;
                            let f = weight.map_or(f, |w| f * L::splat(w[c]));
                            t.store(f * logp, gy, c);
                        }
                    }
                }
                loss
            }
            SoftTarget::Focal { target, gamma: g0, alpha } => {
                let p = t.pick::<L>(target, None);
                let a = p.weight(t, *alpha);
                let lp = (p.gather(t, x) - m) - ls;
                let pt = lp.exp();
                let q = L::one() - pt;
                let gamma = L::splat(*g0);
                let mq = q.powf(gamma);
                let loss = -(a * mq * lp);
                if GRAD {
                    if let Some(gx) = self.gx.as_deref_mut() {
                        // dℓ/d ln p_y = −α[(1 − p)^γ − γ p ln p (1 − p)^{γ−1}]; d ln p_y/dx_c = δ − p_c.
                        // At p_y = 1 the second term's limit is 0 (ln p ~ −q), also for γ < 1.
                        let slope = if *g0 == T::ZERO {
                            L::zero()
                        } else {
                            L::select(q.eq(L::zero()), L::zero(), gamma * pt * lp * q.powf(gamma - L::one()))
                        };
                        let d = g * -(a * (mq - slope));
                        for c in 0..cn {
                            let prob = t.load::<L>(gx, c) / s;
                            let v = L::select(p.is(c), d - d * prob, -(d * prob));
                            t.store(v, gx, c);
                        }
                    }
                }
                loss
            }
        }
    }
}

// ------------------------------------------------------------------ NLL and categorical kernels

/// −w_y x_y per row; the gradient is −w_y·g at the target entry, 0 elsewhere.
struct Nll<'a, T> {
    x: &'a [T],
    target: &'a [i32],
    ignore: i64,
    weight: Option<&'a [T]>,
    gx: Option<&'a mut [T]>,
}

impl<T: Real> RowKernel<T> for Nll<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile, g: L) -> L {
        let p = t.pick::<L>(self.target, Some(self.ignore));
        let wy = p.weight(t, self.weight);
        if GRAD {
            if let Some(gx) = self.gx.as_deref_mut() {
                let v = t.split(-(wy * g));
                for k in 0..t.width {
                    if p.kept[k] {
                        gx[t.offs[k] + p.at[k] * t.inner] = v[k];
                    }
                }
            }
        }
        L::select(p.keep, -(wy * p.gather(t, self.x)), L::zero())
    }
}

/// −Σ_c t_c max(ln p_c, −100) per row (t one-hot for class indices).
struct Categorical<'a, T> {
    x: &'a [T],
    classes: usize,
    target: Target<'a, T>,
    gx: Option<&'a mut [T]>,
    gy: Option<&'a mut [T]>,
}

impl<T: Real> RowKernel<T> for Categorical<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile, g: L) -> L {
        let floor = L::splat(T::from_f64(-100.0));
        let picked = match self.target {
            Target::Index(idx) => Some(t.pick::<L>(idx, None)),
            Target::Prob(_) => None,
        };
        let mut sum = LaneSum::<L>::new();
        for c in 0..self.classes {
            let p = t.load::<L>(self.x, c);
            let lp = p.ln();
            let clamped = lp.max_nan(floor);
            let y = match (&picked, self.target) {
                (Some(pk), _) => L::select(pk.is(c), L::one(), L::zero()),
                (None, Target::Prob(y)) => t.load::<L>(y, c),
                _ => unreachable!(),
            };
            sum.add(y * clamped);
            if GRAD {
                if let Some(gx) = self.gx.as_deref_mut() {
                    // The clamp passes no gradient below −100 (PyTorch's clamp_min backward).
                    t.store(L::select(lp.ge(floor), -(g * y / p), L::zero()), gx, c);
                }
                if let Some(gy) = self.gy.as_deref_mut() {
                    t.store(-(g * clamped), gy, c);
                }
            }
        }
        -sum.value()
    }
}

// ------------------------------------------------------------------ losses over classes

/// Splits `out` into (unreduced, grad_output, scale) for a row loss.
fn row_out<'a, T: Real>(
    reduction: Reduction,
    denominator: f64,
    loss: Option<&'a mut [T]>,
    grad_output: Option<&'a [T]>,
) -> (Option<&'a mut [T]>, Option<&'a [T]>, T) {
    match reduction {
        Reduction::None => (loss, grad_output, T::ONE),
        Reduction::Mean => (None, None, T::from_f64(1.0 / denominator)),
        _ => (None, None, T::ONE),
    }
}

fn reduce<T: Real>(reduction: Reduction, total: f64, denominator: f64) -> T {
    match reduction {
        Reduction::None => T::ZERO,
        Reduction::Mean => T::from_f64(total / denominator),
        _ => T::from_f64(total),
    }
}

fn no_target_grad<T>(func: &str, out: &Out<'_, T>) -> Result<()> {
    if out.grads[1].is_some() {
        return Err(LossError::new(
            ErrorCode::InvalidOption,
            format!("{func}: class-index targets have no gradient (grads[1] must be None)"),
        ));
    }
    Ok(())
}

/// Cross-entropy between logits and a target (`F.cross_entropy`).
///
/// `input` has shape `shape` = (C), (N, C) or (N, C, d1, …), classes in dim 1 (dim 0 for
/// (C)). With [`Target::Index`] (one index per row; `ignore_index` rows contribute 0 and no
/// gradient) 'mean' divides by Σ weight[target] over the kept rows (their count without
/// `weight`), NaN when nothing is kept; label smoothing ε gives
/// (1 − ε)·NLL + (ε/C)·Σ_c −w_c log p_c with the same denominator. With [`Target::Prob`]
/// (the input's shape; smoothed to y(1 − ε) + ε/C) ℓ = −Σ_c w_c y_c log p_c, 'mean' divides
/// by the number of rows, and `ignore_index` must be negative. `weight` has C entries.
/// Gradients: `out.grads[0]` input, `[1]` target (probabilities only).
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy<T: Real>(
    input: &[T],
    shape: &[usize],
    target: Target<'_, T>,
    weight: Option<&[T]>,
    ignore_index: i64,
    label_smoothing: f64,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "cross_entropy";
    reduction.check_plain(F)?;
    check_option((0.0..=1.0).contains(&label_smoothing), F, || {
        format!("label_smoothing must be between 0.0 and 1.0 but is {label_smoothing}")
    })?;
    let (rows, _) = Rows::from_shape(F, shape, input.len())?;
    if let Some(w) = weight {
        check_len(F, "weight", w.len(), rows.c, "one per class")?;
    }
    let eps_c = T::from_f64(label_smoothing / rows.c as f64);
    let (soft, denominator, target_len) = match target {
        Target::Index(t) => {
            check_len(F, "target", t.len(), rows.count(), "one class index per row of input")?;
            no_target_grad(F, &out)?;
            let den = check_targets(F, t, rows.c, Some(ignore_index), weight)?;
            let w_sum = T::from_f64(weight.map_or(rows.c as f64, crate::reduction::Sum::of));
            let soft = SoftTarget::Index { target: t, ignore: ignore_index, weight, eps: T::from_f64(label_smoothing), eps_c, w_sum };
            (soft, den, t.len())
        }
        Target::Prob(y) => {
            check_option(ignore_index < 0, F, || {
                format!("ignore_index is not supported for probability (floating point) targets; it is {ignore_index}")
            })?;
            check_len(F, "target", y.len(), input.len(), &format!("the shape of input {}", fmt_shape(shape)))?;
            let (keep, eps_c) = if label_smoothing > 0.0 { (T::from_f64(1.0 - label_smoothing), eps_c) } else { (T::ONE, T::ZERO) };
            (SoftTarget::Prob { target: y, weight, keep, eps_c }, rows.count() as f64, y.len())
        }
    };
    out.check(F, reduction, rows.count(), &[("input", input.len()), ("target", target_len)])?;
    let Out { loss, grad_output, grads: [gx, gy, _] } = out;
    let grad = gx.is_some() || gy.is_some();
    let (unreduced, grad_output, scale) = row_out(reduction, denominator, loss, grad_output);
    let mut k = Softmax { x: input, classes: rows.c, target: soft, gx, gy };
    let total = run_rows(&mut k, &rows, unreduced, grad_output, scale, grad);
    Ok(reduce(reduction, total, denominator))
}

/// Negative log likelihood of log-probabilities (`F.nll_loss`): ℓ = −w_y·input[y].
/// Shapes, `weight`, `ignore_index` and 'mean' (÷ Σ weight[target] of kept rows) as
/// [`cross_entropy`] with index targets. Gradient: `out.grads[0]`.
#[allow(clippy::too_many_arguments)]
pub fn nll_loss<T: Real>(
    input: &[T],
    shape: &[usize],
    target: &[i32],
    weight: Option<&[T]>,
    ignore_index: i64,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "nll_loss";
    reduction.check_plain(F)?;
    let (rows, _) = Rows::from_shape(F, shape, input.len())?;
    if let Some(w) = weight {
        check_len(F, "weight", w.len(), rows.c, "one per class")?;
    }
    check_len(F, "target", target.len(), rows.count(), "one class index per row of input")?;
    no_target_grad(F, &out)?;
    let denominator = check_targets(F, target, rows.c, Some(ignore_index), weight)?;
    out.check(F, reduction, rows.count(), &[("input", input.len()), ("target", target.len())])?;
    let Out { loss, grad_output, grads: [mut gx, _, _] } = out;
    let grad = gx.is_some();
    if let Some(g) = gx.as_deref_mut() {
        g.fill(T::ZERO);
    }
    let (unreduced, grad_output, scale) = row_out(reduction, denominator, loss, grad_output);
    let mut k = Nll { x: input, target, ignore: ignore_index, weight, gx };
    let total = run_rows(&mut k, &rows, unreduced, grad_output, scale, grad);
    Ok(reduce(reduction, total, denominator))
}

/// Categorical cross-entropy of probabilities: ℓ = −Σ_c t_c·max(ln p_c, −100) per row
/// (t one-hot for [`Target::Index`]); 'mean' divides by the number of rows. The input's
/// gradient is −t_c/p_c where ln p_c ≥ −100 and 0 below the clamp; the target's is
/// −max(ln p_c, −100). Shapes as [`cross_entropy`].
pub fn categorical_cross_entropy<T: Real>(
    input: &[T],
    shape: &[usize],
    target: Target<'_, T>,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "categorical_cross_entropy";
    reduction.check_plain(F)?;
    let (rows, _) = Rows::from_shape(F, shape, input.len())?;
    let target_len = match target {
        Target::Index(t) => {
            check_len(F, "target", t.len(), rows.count(), "one class index per row of input")?;
            no_target_grad(F, &out)?;
            check_targets::<T>(F, t, rows.c, None, None)?;
            t.len()
        }
        Target::Prob(y) => {
            check_len(F, "target", y.len(), input.len(), &format!("the shape of input {}", fmt_shape(shape)))?;
            y.len()
        }
    };
    out.check(F, reduction, rows.count(), &[("input", input.len()), ("target", target_len)])?;
    let denominator = rows.count() as f64;
    let Out { loss, grad_output, grads: [gx, gy, _] } = out;
    let grad = gx.is_some() || gy.is_some();
    let (unreduced, grad_output, scale) = row_out(reduction, denominator, loss, grad_output);
    let mut k = Categorical { x: input, classes: rows.c, target, gx, gy };
    let total = run_rows(&mut k, &rows, unreduced, grad_output, scale, grad);
    Ok(reduce(reduction, total, denominator))
}

/// Multi-class focal loss on logits: ℓ = −α_y (1 − p_y)^γ ln p_y with p = softmax(input)
/// over the classes; `alpha` (C entries) is per class (1 when absent), `gamma` ≥ 0;
/// 'mean' divides by the number of rows. Shapes as [`cross_entropy`] with index targets.
/// Gradient: `out.grads[0]`.
pub fn focal_loss<T: Real>(
    input: &[T],
    shape: &[usize],
    target: &[i32],
    gamma: f64,
    alpha: Option<&[T]>,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "focal_loss";
    reduction.check_plain(F)?;
    check_option(gamma >= 0.0 && gamma.is_finite(), F, || format!("gamma must be a finite number >= 0 but is {gamma}"))?;
    let (rows, _) = Rows::from_shape(F, shape, input.len())?;
    if let Some(a) = alpha {
        check_len(F, "alpha", a.len(), rows.c, "one per class")?;
    }
    check_len(F, "target", target.len(), rows.count(), "one class index per row of input")?;
    no_target_grad(F, &out)?;
    check_targets::<T>(F, target, rows.c, None, None)?;
    out.check(F, reduction, rows.count(), &[("input", input.len()), ("target", target.len())])?;
    let denominator = rows.count() as f64;
    let Out { loss, grad_output, grads: [gx, _, _] } = out;
    let grad = gx.is_some();
    let (unreduced, grad_output, scale) = row_out(reduction, denominator, loss, grad_output);
    let soft = SoftTarget::Focal { target, gamma: T::from_f64(gamma), alpha };
    let mut k = Softmax { x: input, classes: rows.c, target: soft, gx, gy: None };
    let total = run_rows(&mut k, &rows, unreduced, grad_output, scale, grad);
    Ok(reduce(reduction, total, denominator))
}

// ------------------------------------------------------------------ element-wise losses

/// BCE on probabilities, PyTorch's kernel: ℓ = (y − 1)·max(ln(1 − p), −100) − y·max(ln p, −100);
/// ∂p = (p − y)/max(p(1 − p), ε) with ε = 1e-12 rounded to f32 (as PyTorch); ∂y = −logit(p) = −ln(p/(1 − p)) (unclamped, as autograd).
struct Bce;
impl<T: Real> Pointwise<T> for Bce {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, p: L, y: L, _: L) -> [L; 4] {
        let floor = L::splat(T::from_f64(-100.0));
        let one = L::one();
        let l = (y - one) * (-p).ln_1p().max_nan(floor) - y * p.ln().max_nan(floor);
        // PyTorch's EPSILON is the float 1e-12, also in double kernels.
        let dp = (p - y) / ((one - p) * p).max_nan(L::splat(T::from_f64(1e-12f32 as f64)));
        let dy = -(p / (one - p)).ln();
        [l, dp, dy, L::zero()]
    }
}

/// BCE with logits, PyTorch's kernel: ℓ = (1 − y)x − lw·logσ(x), lw = 1 + (pw − 1)y;
/// ∂x = (pw·y + 1 − y)σ(x) − pw·y; ∂y = logσ(−x) − pw·logσ(x) (−x without pos_weight).
/// `v` is pos_weight (unused when `pos_weight` is false).
struct BceLogits {
    pos_weight: bool,
}
impl<T: Real> Pointwise<T> for BceLogits {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, pw: L) -> [L; 4] {
        let one = L::one();
        let sp_neg = (-x).softplus(); // −logσ(x)
        if self.pos_weight {
            let lw = (pw - one) * y + one;
            let t = pw * y;
            let l = (one - y) * x + lw * sp_neg;
            let dx = (t + one - y) * x.sigmoid() - t;
            let dy = pw * sp_neg - x.softplus();
            [l, dx, dy, L::zero()]
        } else {
            [(one - y) * x + sp_neg, x.sigmoid() - y, -x, L::zero()]
        }
    }
}

/// KL divergence, PyTorch's composite: ℓ = xlogy(y, y) − y·x, or eʸ(y − x) with `log_target`.
/// Gradients as autograd gives them: ∂x = −y, ∂y = xlogy(y ≠ 0, y) + y/y − x (NaN at y = 0,
/// from xlogy's y/y); with `log_target` ∂x = −eʸ, ∂y = eʸ(y − x) + eʸ.
struct KlDiv {
    log_target: bool,
}
impl<T: Real> Pointwise<T> for KlDiv {
    // `y / y` is autograd's xlogy backward (1, or NaN at y = 0), not a typo.
    #[allow(clippy::eq_op)]
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        if self.log_target {
            let e = y.exp();
            let l = e * (y - x);
            [l, -e, l + e, L::zero()]
        } else {
            let z = L::zero();
            let ly = y.ln();
            let nan = y.eq(y);
            // xlogy(y, y): NaN for NaN y, 0 for y = 0, y·ln y otherwise.
            let xlogy = L::select(y.eq(z), L::select(nan, z, y), y * ly);
            let l = xlogy - y * x;
            let mask_log = L::select(y.eq(z), L::select(nan, z, ly), ly);
            [l, -y, mask_log + y / y - x, z]
        }
    }
}

/// torchvision's sigmoid focal loss: ce·(1 − p_t)^γ·α_t, ce = BCEwithLogits(x, y),
/// p_t = p·y + (1 − p)(1 − y), α_t = α·y + (1 − α)(1 − y) (no α factor when α < 0).
struct SigmoidFocal<T> {
    alpha: T,
    use_alpha: bool,
    gamma: T,
}
impl<T: Real> Pointwise<T> for SigmoidFocal<T> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let one = L::one();
        let p = x.sigmoid();
        let ce = (one - y) * x + (-x).softplus();
        let pt = p * y + (one - p) * (one - y);
        let q = one - pt;
        let gamma = L::splat(self.gamma);
        let m = q.powf(gamma);
        // d(q^γ)/dq = γ q^{γ−1} (0 for γ = 0, as PyTorch's pow backward).
        let dm = if self.gamma == T::ZERO { L::zero() } else { gamma * q.powf(gamma - one) };
        let two = L::splat(T::from_f64(2.0));
        // dq/dx = −p(1 − p)(2y − 1); dq/dy = 1 − 2p; dce/dx = p − y; dce/dy = −x.
        let dx0 = (p - y) * m - ce * dm * (p * (one - p) * (two * y - one));
        let dy0 = -(x * m) + ce * dm * (one - two * p);
        let l0 = ce * m;
        if self.use_alpha {
            let a = L::splat(self.alpha);
            let at = a * y + (one - a) * (one - y);
            [at * l0, at * dx0, at * dy0 + (two * a - one) * l0, L::zero()]
        } else {
            [l0, dx0, dy0, L::zero()]
        }
    }
}

/// Only the input and target gradient slots of an element-wise loss.
fn two_grads<T>(out: Out<'_, T>) -> Out<'_, T> {
    let Out { loss, grad_output, grads: [gx, gy, _] } = out;
    Out { loss, grad_output, grads: [gx, gy, None] }
}

/// Binary cross-entropy of probabilities (`F.binary_cross_entropy`):
/// ℓ = −w[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)].
///
/// Every input must lie in [0, 1] (`INVALID_INPUT`, as PyTorch raises). `weight`
/// broadcasts to `shape` (the input's and target's); 'mean' divides by the element count.
/// ∂input = w(p − y)/max(p(1 − p), 1e-12); ∂target = −w·ln(p/(1 − p)) (autograd's).
pub fn binary_cross_entropy<T: Real>(
    input: &[T],
    target: &[T],
    shape: &[usize],
    weight: Option<Shaped<'_, T>>,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "binary_cross_entropy";
    check_len(F, "input", input.len(), numel(shape), &format!("shape {}", fmt_shape(shape)))?;
    if let Some((i, v)) = input.iter().enumerate().find(|(_, &p)| !(p >= T::ZERO && p <= T::ONE)) {
        return Err(LossError::new(
            ErrorCode::InvalidInput,
            format!("{F}: all elements of input should be between 0 and 1, but input[{i}] = {}", v.to_f64()),
        ));
    }
    let w = weight.map(|w| w.expand_to(F, "weight", shape)).transpose()?;
    let args = Args { input, target, third: None, weight: w.as_deref() };
    run(F, &Bce, &args, reduction, MeanOver::Count, two_grads(out))
}

/// Binary cross-entropy on logits (`F.binary_cross_entropy_with_logits`), stable for any
/// |x|: ℓ = w[(1 − y)x + (1 + (pw − 1)y)·softplus(−x)].
///
/// `weight` and `pos_weight` broadcast to `shape` (NumPy rules: a (C) `pos_weight` applies
/// along the last dim); 'mean' divides by the element count. Gradients for input and target.
pub fn binary_cross_entropy_with_logits<T: Real>(
    input: &[T],
    target: &[T],
    shape: &[usize],
    weight: Option<Shaped<'_, T>>,
    pos_weight: Option<Shaped<'_, T>>,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "binary_cross_entropy_with_logits";
    check_len(F, "input", input.len(), numel(shape), &format!("shape {}", fmt_shape(shape)))?;
    let w = weight.map(|w| w.expand_to(F, "weight", shape)).transpose()?;
    let pw = pos_weight.map(|w| w.expand_to(F, "posWeight", shape)).transpose()?;
    let args = Args { input, target, third: pw.as_deref(), weight: w.as_deref() };
    let loss = BceLogits { pos_weight: pw.is_some() };
    run(F, &loss, &args, reduction, MeanOver::Count, two_grads(out))
}

/// Kullback–Leibler divergence (`F.kl_div`), input = log-probabilities: pointwise
/// y(ln y − x) (0 where y = 0, NaN where y < 0), or eʸ(y − x) with `log_target`.
///
/// Reductions: 'none', 'mean' (÷ element count), 'sum', 'batchmean' (÷ `shape[0]`; the sum
/// for a 0-dim input). Gradients: input −y (or −eʸ), target ln y + 1 − x (or eʸ(y − x + 1)),
/// NaN at y = 0 as PyTorch's autograd gives.
pub fn kl_div<T: Real>(input: &[T], target: &[T], shape: &[usize], log_target: bool, reduction: Reduction, out: Out<'_, T>) -> Result<T> {
    const F: &str = "kl_div";
    check_len(F, "input", input.len(), numel(shape), &format!("shape {}", fmt_shape(shape)))?;
    let (reduction, mean_over) = match reduction {
        Reduction::BatchMean => (Reduction::Mean, MeanOver::Fixed(shape.first().copied().unwrap_or(1))),
        r => (r, MeanOver::Count),
    };
    let args = Args { input, target, third: None, weight: None };
    run(F, &KlDiv { log_target }, &args, reduction, mean_over, two_grads(out))
}

/// torchvision's `sigmoid_focal_loss` on logits: BCEwithLogits(x, y)·(1 − p_t)^γ, times
/// α·y + (1 − α)(1 − y) when `alpha` ≥ 0 (torchvision defaults: α = 0.25, γ = 2,
/// reduction 'none'; 'mean' divides by the element count). Gradients for input and target.
pub fn sigmoid_focal_loss<T: Real>(input: &[T], target: &[T], alpha: f64, gamma: f64, reduction: Reduction, out: Out<'_, T>) -> Result<T> {
    const F: &str = "sigmoid_focal_loss";
    check_option(!alpha.is_nan() && !gamma.is_nan(), F, || format!("alpha and gamma must be numbers but are {alpha}, {gamma}"))?;
    let loss = SigmoidFocal { alpha: T::from_f64(alpha), use_alpha: alpha >= 0.0, gamma: T::from_f64(gamma) };
    let args = Args { input, target, third: None, weight: None };
    run(F, &loss, &args, reduction, MeanOver::Count, two_grads(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ce(x: &[f64], shape: &[usize], t: &[i32], eps: f64, r: Reduction) -> f64 {
        cross_entropy(x, shape, Target::Index(t), None, -100, eps, r, Out::value()).unwrap()
    }

    #[test]
    fn cross_entropy_basics() {
        // log(e^1 + e^2 + e^3) − 3
        let v = ce(&[1.0, 2.0, 3.0], &[3], &[2], 0.0, Reduction::Mean);
        let want = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln() - 3.0;
        assert!((v - want).abs() < 1e-15);
        // all ignored → NaN (mean), 0 (sum)
        assert!(ce(&[1.0, 2.0, 3.0, 4.0], &[2, 2], &[-100, -100], 0.0, Reduction::Mean).is_nan());
        assert_eq!(ce(&[1.0, 2.0, 3.0, 4.0], &[2, 2], &[-100, -100], 0.0, Reduction::Sum), 0.0);
        let e = cross_entropy(&[1.0, 2.0], &[1, 2], Target::Index(&[2]), None, -100, 0.0, Reduction::Mean, Out::value()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidTarget);
        let e = cross_entropy(&[1.0, 2.0], &[1, 2], Target::Index(&[1]), None, -100, 1.5, Reduction::Mean, Out::value()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidOption);
        // large logits stay finite
        let v = ce(&[1e4, -1e4, 0.0], &[1, 3], &[1], 0.0, Reduction::Mean);
        assert_eq!(v, 2e4);
    }
}
