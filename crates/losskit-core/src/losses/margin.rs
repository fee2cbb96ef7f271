//! Margin and ranking losses: margin ranking, hinge, hinge embedding, soft margin,
//! multi-label margin, multi-label soft margin and multi-class margin.
//!
//! | function | ℓ per element / row | PyTorch |
//! |---|---|---|
//! | [`margin_ranking_loss`] | max(0, −y(x₁ − x₂) + margin) | `F.margin_ranking_loss` |
//! | [`hinge_loss`] | max(0, margin − y·x), y ∈ {−1, 1} | (none; docs/API.md §2) |
//! | [`hinge_embedding_loss`] | [y ≠ 1]·max(0, margin − x) + [y ≠ −1]·x | `F.hinge_embedding_loss` |
//! | [`soft_margin_loss`] | ln(1 + e^{−y·x}) | `F.soft_margin_loss` |
//! | [`multilabel_margin_loss`] | Σ_{j ∈ labels} Σ_{i ∉ labels} max(0, 1 − (x_j − x_i)) / C | `F.multilabel_margin_loss` |
//! | [`multilabel_soft_margin_loss`] | −Σ_c w_c[y_c ln σ(x_c) + (1 − y_c) ln σ(−x_c)] / C | `F.multilabel_soft_margin_loss` |
//! | [`multi_margin_loss`] | Σ_{i ≠ y} w_y max(0, margin − x_y + x_i)^p / C | `F.multi_margin_loss` |
//!
//! The first four are element-wise and run on the pointwise engine (margin ranking's labels
//! ride in its per-element parameter slot). The last three give one loss per row of an
//! (N, C) input and run a row loop ([`each_row`]) whose passes along a row's C contiguous
//! classes are vectorized by [`sweep`]; see there for why not the rows engine.
//!
//! The kinks follow PyTorch: a hinge passes no gradient where its argument is exactly 0
//! (`clamp_min`'s backward, and the multi-margin kernels count only z > 0), and a term
//! whose z is NaN counts as inactive: the element-wise losses give input gradient 0 there
//! (their loss stays NaN), the multi-margin losses drop the term from the loss as well.

use std::borrow::Cow;

use crate::engine::pointwise::{self, Args, MeanOver, Pointwise};
use crate::engine::rows::each_row;
use crate::engine::rows::{check_per_class, Classes, Rows};
use crate::engine::{sweep, Out, Sweep};
use crate::error::{check_option, ErrorCode, LossError, Result};
use crate::real::{ln_1p_unit, opaque, Lane, Real};
use crate::reduce::{Reducer, Reduction, Sum};
use crate::shape::{fmt_shape, numel, try_filled, Broadcast, Tensor};

// ------------------------------------------------------------------ element-wise kernels

/// `one` (a splat of [`opaque`]`(1)`) where a hinge's argument z is active (z > 0), else 0
/// (also at z = 0 and NaN).
#[inline(always)]
fn active<L: Lane>(z: L, one: L) -> L {
    L::masked(z.gt_mask(L::zero()), one)
}

/// Margin ranking with x = input1, y = input2, p = the label t (the parameter slot):
/// z = −t(x₁ − x₂) + margin, ℓ = max(0, z); ∂x₁ = −t·[z > 0], ∂x₂ = t·[z > 0].
struct MarginRanking<T> {
    margin: T,
    /// 1, opaque to the compiler ([`opaque`]): splatted once per call, not per iteration.
    one: T,
}
impl<T: Real> Pointwise<T> for MarginRanking<T> {
    const LIGHT: bool = true;
    const LEAN_PARAM: bool = true;
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x1: L, x2: L, t: L) -> [L; 4] {
        let z = -t * (x1 - x2) + L::splat(self.margin);
        let a = active(z, L::splat(self.one));
        [z.max_nan(L::zero()), -t * a, t * a, L::zero()]
    }
}

/// Binary hinge: z = margin − y·x, ℓ = max(0, z); ∂x = −y·[z > 0], ∂y = −x·[z > 0]
/// (a product, so a NaN input gives a NaN target gradient, as autograd's `mul` backward).
struct Hinge<T> {
    margin: T,
    /// 1, opaque to the compiler ([`opaque`]).
    one: T,
}
impl<T: Real> Pointwise<T> for Hinge<T> {
    const LIGHT: bool = true;
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let z = L::splat(self.margin) - y * x;
        let a = active(z, L::splat(self.one));
        [z.max_nan(L::zero()), -y * a, -x * a, L::zero()]
    }
}

/// PyTorch's hinge embedding: ℓ = [y ≠ 1]·max(0, margin − x) + [y ≠ −1]·x, so a label that
/// is neither (0, 0.5, NaN) gets both terms; ∂x = −[y ≠ 1][margin − x > 0] + [y ≠ −1].
struct HingeEmbedding<T> {
    margin: T,
    /// 1, opaque to the compiler ([`opaque`]).
    one: T,
}
impl<T: Real> Pointwise<T> for HingeEmbedding<T> {
    const LIGHT: bool = true;
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let (zero, one) = (L::zero(), L::splat(self.one));
        let is_pos = y.eq_mask(one);
        let is_neg = y.eq_mask(-one);
        let z = L::splat(self.margin) - x;
        let hinge = L::select(is_pos, zero, z.max_nan(zero));
        let identity = L::select(is_neg, zero, x);
        let dx = L::select(is_pos, zero, -active(z, one)) + L::select(is_neg, zero, one);
        [hinge + identity, dx, zero, zero]
    }
}

/// Soft margin: t = −y·x, ℓ = softplus(t) = ln(1 + eᵗ), ∂x = −y·σ(t). Stable for any t
/// (PyTorch's float32 kernel computes log1p(exp(t)) and overflows for t > 88.7): with
/// e = e^{−|t|} ∈ (0, 1], softplus(t) = max(t, 0) + ln(1 + e) and σ(t) = 1/(1 + e) for t ≥ 0,
/// e/(1 + e) below, one exponential for both (as `Lane::softplus` and `Lane::sigmoid`).
struct SoftMargin;
impl<T: Real> Pointwise<T> for SoftMargin {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let (zero, one) = (L::zero(), L::one());
        let t = -x * y;
        let e = (-t.abs()).exp_le0();
        let loss = L::select(t.gt_mask(zero), t, zero) + ln_1p_unit(e);
        let r = one / (one + e);
        let sigma = L::select(t.ge_mask(zero), r, e * r);
        [loss, -y * sigma, zero, zero]
    }
}

/// Keeps only the input's gradient slot (the losses whose target is not differentiable).
fn input_grad_only<T>(out: Out<'_, T>) -> Out<'_, T> {
    let Out { loss, grad_output, grads: [gx, ..] } = out;
    Out { loss, grad_output, grads: [gx, None, None] }
}

/// Runs an element-wise loss of (input, target) with the input and target gradient slots.
fn elementwise<T: Real, P: Pointwise<T>>(
    func: &'static str,
    loss: &P,
    input: Tensor<'_, T>,
    target: Tensor<'_, T>,
    reduction: Reduction,
    out: Out<'_, T>,
) -> Result<T> {
    let reducer = Reducer::new(func, reduction, None)?;
    let Out { loss: unreduced, grad_output, grads: [gx, gy, _] } = out;
    let out = Out { loss: unreduced, grad_output, grads: [gx, gy, None] };
    pointwise::run(func, loss, &Args { input, target, param: None, weight: None }, reducer, MeanOver::Count, out)
}

// ------------------------------------------------------------------ element-wise losses

/// Options of [`margin_ranking_loss`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MarginRankingOptions {
    /// Default 0.
    pub margin: f64,
    /// Default 'mean'.
    pub reduction: Reduction,
}

/// Margin ranking loss (`F.margin_ranking_loss`): max(0, −target·(input1 − input2) + margin).
///
/// The three tensors have the same number of dimensions and broadcast against each other
/// (each dim equal or 1), as in PyTorch; the unreduced loss has the broadcast shape. The
/// target's values are not checked (PyTorch takes any value; ±1 is the intent).
/// Gradients: `out.grads` = [input1, input2], each in its argument's shape.
pub fn margin_ranking_loss<T: Real>(
    input1: Tensor<'_, T>,
    input2: Tensor<'_, T>,
    target: Tensor<'_, T>,
    opts: &MarginRankingOptions,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "margin_ranking_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let named = [("input1", input1), ("input2", input2), ("target", target)];
    for (name, t) in named {
        t.check(F, name)?;
    }
    // PyTorch: the same number of dimensions, then broadcasting.
    let rank = input1.shape().len();
    for (name, t) in &named[1..] {
        if t.shape().len() != rank {
            return Err(LossError::new(
                ErrorCode::ShapeMismatch,
                F,
                Some(name),
                format!(
                    "has shape {} but input1 has shape {}; all input tensors must have the same number of dimensions",
                    fmt_shape(t.shape()),
                    fmt_shape(input1.shape())
                ),
            ));
        }
    }
    let full: Vec<usize> =
        (0..rank).map(|d| named.iter().map(|(_, t)| t.shape()[d]).fold(1, |acc, s| if s != 1 { s } else { acc })).collect();
    let n = numel(F, "input1", &full)?;
    // Each operand at the full shape (borrowed when it already has it), and how to fold a
    // gradient back onto it.
    let mut data: Vec<Cow<'_, [T]>> = Vec::with_capacity(3);
    let mut maps: Vec<Option<(&'static str, Broadcast)>> = Vec::with_capacity(3);
    for (name, t) in named {
        if t.shape() == full {
            data.push(Cow::Borrowed(t.data));
            maps.push(None);
        } else {
            let b = Broadcast::new(F, name, &full, t.shape())?;
            data.push(Cow::Owned(b.expand(F, name, t.data)?));
            maps.push(Some((name, b)));
        }
    }
    out.check(F, reducer.is_none(), &full, &[("input1", input1.len()), ("input2", input2.len())])?;
    let Out { loss: unreduced, grad_output, grads: [g1, g2, _] } = out;
    let (mut scratch1, mut scratch2) = (Vec::new(), Vec::new());
    let (mut fold1, mut fold2) = (None, None);
    let grads = [
        grad_slot(g1, maps[0].is_some(), n, &mut scratch1, &mut fold1)?,
        grad_slot(g2, maps[1].is_some(), n, &mut scratch2, &mut fold2)?,
        None,
    ];
    let args = Args { input: Tensor::new(&data[0], &full), target: Tensor::new(&data[1], &full), param: Some(&data[2]), weight: None };
    let loss = MarginRanking { margin: T::from_f64(opts.margin), one: opaque(T::ONE) };
    let value = pointwise::run(F, &loss, &args, reducer, MeanOver::Count, Out { loss: unreduced, grad_output, grads })?;
    for (dst, full_grad, map) in [(fold1, &scratch1, &maps[0]), (fold2, &scratch2, &maps[1])] {
        if let (Some(dst), Some((name, b))) = (dst, map) {
            b.sum_to(F, name, full_grad, dst)?;
        }
    }
    Ok(value)
}

/// The gradient slot of a broadcast-capable operand: its own buffer, or, when the operand
/// is broadcast, a zeroed full-shape `scratch` buffer, with the operand's buffer moved to
/// `fold` to receive the scratch's sum after the pass.
/// The scratch is allocated fallibly (`OUT_OF_MEMORY`, never a trap).
fn grad_slot<'g: 's, 's, T: Real>(
    g: Option<&'g mut [T]>,
    broadcast: bool,
    n: usize,
    scratch: &'s mut Vec<T>,
    fold: &mut Option<&'g mut [T]>,
) -> Result<Option<&'s mut [T]>> {
    Ok(match g {
        Some(g) if broadcast => {
            *fold = Some(g);
            *scratch = try_filled("margin_ranking_loss", "input1", n, T::ZERO)?;
            Some(&mut scratch[..])
        }
        g => g,
    })
}

/// Options of [`hinge_loss`].
#[derive(Debug, Clone, Copy)]
pub struct HingeOptions {
    /// Default 1.
    pub margin: f64,
    /// Default 'mean'.
    pub reduction: Reduction,
}
impl Default for HingeOptions {
    fn default() -> Self {
        HingeOptions { margin: 1.0, reduction: Reduction::Mean }
    }
}

/// Binary hinge loss max(0, margin − target·input) (PyTorch has no function for it; this is
/// `(margin - target * input).clamp_min(0)`). Every target must be 1 or −1
/// (`INVALID_TARGET`). Gradients: input (−target where active) and target (−input).
pub fn hinge_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &HingeOptions, out: Out<'_, T>) -> Result<T> {
    const F: &str = "hinge_loss";
    target.check(F, "target")?;
    target.check_same_shape(F, "target", input.shape(), "input")?;
    // A branch-free scan first (it vectorizes; random labels would mispredict a search),
    // the search for the culprit only when there is one.
    let bad = |y: T| y.abs() != T::ONE;
    if target.data.iter().fold(false, |any, &y| any | bad(y)) {
        let (i, v) = target.data.iter().enumerate().find(|(_, &y)| bad(y)).expect("a bad label");
        return Err(LossError::new(
            ErrorCode::InvalidTarget,
            F,
            Some("target"),
            format!("[{i}] = {} but labels must be 1 or -1", v.to_f64()),
        ));
    }
    elementwise(F, &Hinge { margin: T::from_f64(opts.margin), one: opaque(T::ONE) }, input, target, opts.reduction, out)
}

/// Options of [`hinge_embedding_loss`].
#[derive(Debug, Clone, Copy)]
pub struct HingeEmbeddingOptions {
    /// Default 1.
    pub margin: f64,
    /// Default 'mean'.
    pub reduction: Reduction,
}
impl Default for HingeEmbeddingOptions {
    fn default() -> Self {
        HingeEmbeddingOptions { margin: 1.0, reduction: Reduction::Mean }
    }
}

/// Hinge embedding loss (`F.hinge_embedding_loss`): the input (a distance) where the target
/// is 1, max(0, margin − input) where it is −1, and — as PyTorch — both terms for any other
/// label. Gradient: input (the target is not differentiable).
pub fn hinge_embedding_loss<T: Real>(
    input: Tensor<'_, T>,
    target: Tensor<'_, T>,
    opts: &HingeEmbeddingOptions,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "hinge_embedding_loss";
    elementwise(
        F,
        &HingeEmbedding { margin: T::from_f64(opts.margin), one: opaque(T::ONE) },
        input,
        target,
        opts.reduction,
        input_grad_only(out),
    )
}

/// Options of [`soft_margin_loss`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SoftMarginOptions {
    /// Default 'mean'.
    pub reduction: Reduction,
}

/// Soft margin loss (`F.soft_margin_loss`): ln(1 + e^{−target·input}), computed as a stable
/// softplus, so it stays finite where PyTorch's float32 kernel overflows (target·input
/// < −88.7: PyTorch gives ∞ and a NaN gradient; docs/API.md §6). Gradient: input.
pub fn soft_margin_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &SoftMarginOptions, out: Out<'_, T>) -> Result<T> {
    elementwise("soft_margin_loss", &SoftMargin, input, target, opts.reduction, input_grad_only(out))
}

// ------------------------------------------------------------------ the row loop

// Why a row loop and not the rows engine: the rows engine puts one row in each lane and
// gathers an (N, C) input at stride C, which suits softmax over a spatial layout. These
// losses take (C) or (N, C) only, and each row has its own structure (the target class to
// skip, the list of labels to loop over), so a row is best vectorized along its contiguous
// classes, in one pass per row (per label for multi-label margin): the gradient factor of
// a row (upstream gradient or the reduction's scale, times w_y / C) is known before the
// row, so no second sweep is needed, unlike the `along` engine's fold-then-apply.

/// The (N, C) view of an input of shape (C) or (N, C) (N = 1 for (C)), and the unreduced
/// output's shape: () or (N). PyTorch's multi-margin losses reject a class dim of 0.
fn batch_rows<T>(func: &'static str, input: &Tensor<'_, T>, empty_classes: bool) -> Result<(Rows, Vec<usize>)> {
    input.check(func, "input")?;
    let shape = input.shape();
    let c = shape.last().copied().unwrap_or(0);
    if shape.is_empty() || shape.len() > 2 || (c == 0 && !empty_classes) {
        let classes = if empty_classes { "" } else { " with C > 0" };
        return Err(LossError::new(
            ErrorCode::ShapeMismatch,
            func,
            Some("input"),
            format!("must have shape (C) or (N, C){classes} but has shape {}", fmt_shape(shape)),
        ));
    }
    Rows::of(func, input)
}

// ------------------------------------------------------------------ multi-class margin

/// One row of multi-margin: z_i = margin − x_y + x_i for i ≠ y; sum 0 is Σ [z > 0] z^p;
/// with GRAD, writes ∂ℓ/∂x_i = f·p·z^{p−1}·[z > 0] (0 at y) and sums them in sum 1
/// (x_y's gradient is minus that sum). NaN z counts as inactive, as in PyTorch's kernel.
struct MultiMarginRow<'a, T, const P2: bool, const GRAD: bool> {
    x: &'a [T],
    y: usize,
    /// margin − x_y
    base: T,
    /// The row's gradient factor g·w_y/C.
    f: T,
    gx: &'a mut [T],
}

impl<T: Real, const P2: bool, const GRAD: bool> Sweep<T, 2> for MultiMarginRow<'_, T, P2, GRAD> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, j: usize, acc: &mut [L; 2]) {
        let mut z = L::splat(self.base) + L::load(&self.x[j..]);
        if (j..j + L::WIDTH).contains(&self.y) {
            // The target class is no term: make its z inactive.
            let (at, zs) = (self.y - j, z.to_lanes());
            z = L::from_fn(|k| if k == at { -T::ONE } else { zs.as_ref()[k] });
        }
        let on = z.gt_mask(L::zero());
        let h = if P2 { z * z } else { z };
        acc[0] = acc[0] + L::select(on, h, L::zero());
        if GRAD {
            let f = L::splat(self.f);
            let d = L::select(on, if P2 { (z + z) * f } else { f }, L::zero());
            d.store(&mut self.gx[j..]);
            acc[1] = acc[1] + d;
        }
    }
}

/// Options of [`multi_margin_loss`].
#[derive(Debug, Clone, Copy)]
pub struct MultiMarginOptions<'a, T> {
    /// The exponent p: 1 or 2. Default 1.
    pub p: i64,
    /// Default 1.
    pub margin: f64,
    /// Class weights, shape (C): row n is weighted by w[y_n].
    pub weight: Option<Tensor<'a, T>>,
    /// Default 'mean' (over rows).
    pub reduction: Reduction,
}
impl<T> Default for MultiMarginOptions<'_, T> {
    fn default() -> Self {
        MultiMarginOptions { p: 1, margin: 1.0, weight: None, reduction: Reduction::Mean }
    }
}

/// Multi-class margin loss (`F.multi_margin_loss`): per row Σ_{i ≠ y} w_y·max(0, margin −
/// x_y + x_i)^p / C. `input` is (C) or (N, C) with C ≥ 1; `target` holds class indices of
/// shape () or (N). 'mean' divides by N (NaN for N = 0, where PyTorch's result is
/// undefined). A z that is NaN drops its term (PyTorch's kernel counts only z > 0), so a
/// NaN at the target class gives that row loss 0 and gradient 0. Gradient: input.
pub fn multi_margin_loss<T: Real>(
    input: Tensor<'_, T>,
    target: Tensor<'_, i32>,
    opts: &MultiMarginOptions<'_, T>,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "multi_margin_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let p = opts.p;
    check_option(p == 1 || p == 2, F, "p", || format!("must be 1 or 2 but is {p}"))?;
    let (rows, out_shape) = batch_rows(F, &input, false)?;
    check_per_class(F, "weight", opts.weight, &rows)?;
    let classes = Classes::check::<T>(F, target, &rows, &out_shape, None, None)?;
    out.check(F, reducer.is_none(), &out_shape, &[("input", input.len())])?;
    let reducer = reducer.mean_over(rows.count as f64);
    let Out { loss, grad_output, grads: [gx, ..] } = out;
    let (x, c, weight) = (input.data, rows.c, opts.weight.map(|w| w.data));
    let (margin, per_class) = (T::from_f64(opts.margin), T::ONE / T::from_f64(c as f64));
    let mut gx = gx;
    let grad = gx.is_some();
    Ok(each_row(rows.count, reducer, loss, grad_output, |r, g| {
        let y = classes.target[r] as usize;
        let xr = &x[r * c..(r + 1) * c];
        let w = weight.map_or(T::ONE, |w| w[y]);
        let (base, f) = (margin - xr[y], g * w * per_class);
        let gr = gx.as_deref_mut().map_or(&mut [][..], |g| &mut g[r * c..(r + 1) * c]);
        let sums = match (p == 2, grad) {
            (false, false) => sweep(&mut MultiMarginRow::<T, false, false> { x: xr, y, base, f, gx: gr }, c),
            (false, true) => sweep(&mut MultiMarginRow::<T, false, true> { x: xr, y, base, f, gx: gr }, c),
            (true, false) => sweep(&mut MultiMarginRow::<T, true, false> { x: xr, y, base, f, gx: gr }, c),
            (true, true) => sweep(&mut MultiMarginRow::<T, true, true> { x: xr, y, base, f, gx: gr }, c),
        };
        if grad {
            gr[y] = T::from_f64(-sums[1]);
        }
        T::from_f64(sums[0] * w.to_f64() / c as f64)
    }))
}

// ------------------------------------------------------------------ multi-label margin

/// Options of [`multilabel_margin_loss`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MultilabelMarginOptions {
    /// Default 'mean' (over rows).
    pub reduction: Reduction,
}

/// One (row, label j) pass of multi-label margin: z_i = 1 − x_j + x_i over the classes i
/// that are not labels (`off` is −∞ at the labels, 0 elsewhere, so their z never counts);
/// sum 0 is Σ [z > 0] z, sum 1 the count of active terms; with GRAD, adds [z > 0] to each
/// class's count in `counts` (the gradient before scaling).
struct MultilabelRow<'a, T, const GRAD: bool> {
    x: &'a [T],
    off: &'a [T],
    /// 1 − x_j
    base: T,
    counts: &'a mut [T],
}

impl<T: Real, const GRAD: bool> Sweep<T, 2> for MultilabelRow<'_, T, GRAD> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, i: usize, acc: &mut [L; 2]) {
        let z = L::splat(self.base) + L::load(&self.x[i..]) + L::load(&self.off[i..]);
        let on = z.gt_mask(L::zero());
        let one = L::indicator(on);
        acc[0] = acc[0] + L::select(on, z, L::zero());
        acc[1] = acc[1] + one;
        if GRAD {
            (L::load(&self.counts[i..]) + one).store(&mut self.counts[i..]);
        }
    }
}

/// Multi-label margin loss (`F.multilabel_margin_loss`): per row
/// Σ_{j ∈ labels} Σ_{i ∉ labels} max(0, 1 − (x_j − x_i)) / C.
///
/// `input` is (C) or (N, C) with C ≥ 1; `target` has the input's shape and lists each row's
/// labels, read up to the first −1 (every entry, also after it, must lie in [−1, C − 1]:
/// `INVALID_TARGET`). A label listed twice counts twice, as in PyTorch. 'mean' divides by N
/// (NaN for N = 0, where PyTorch's result is undefined). A NaN z drops its term.
/// Gradient: input.
pub fn multilabel_margin_loss<T: Real>(
    input: Tensor<'_, T>,
    target: Tensor<'_, i32>,
    opts: &MultilabelMarginOptions,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "multilabel_margin_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let (rows, out_shape) = batch_rows(F, &input, false)?;
    target.check(F, "target")?;
    target.check_same_shape(F, "target", input.shape(), "input")?;
    let c = rows.c;
    if let Some((i, &t)) = target.data.iter().enumerate().find(|(_, &t)| t < -1 || t as i64 >= c as i64) {
        return Err(LossError::new(
            ErrorCode::InvalidTarget,
            F,
            Some("target"),
            format!("[{i}] = {t} is out of range: entries must be class indices in [0, {c}) or -1 (end of the labels)"),
        ));
    }
    out.check(F, reducer.is_none(), &out_shape, &[("input", input.len())])?;
    let reducer = reducer.mean_over(rows.count as f64);
    let Out { loss, grad_output, grads: [mut gx, ..] } = out;
    let (x, per_class) = (input.data, T::ONE / T::from_f64(c as f64));
    let grad = gx.is_some();
    let mut off = try_filled(F, "input", c, T::ZERO)?;
    Ok(each_row(rows.count, reducer, loss, grad_output, |r, g| {
        let xr = &x[r * c..(r + 1) * c];
        let labels = &target.data[r * c..(r + 1) * c];
        let labels = &labels[..labels.iter().position(|&t| t < 0).unwrap_or(c)];
        off.fill(T::ZERO);
        for &j in labels {
            off[j as usize] = T::from_f64(f64::NEG_INFINITY);
        }
        let counts = gx.as_deref_mut().map_or(&mut [][..], |g| &mut g[r * c..(r + 1) * c]);
        counts.fill(T::ZERO);
        let mut total = Sum::default();
        for &j in labels {
            let (j, off) = (j as usize, &off[..]);
            let base = T::ONE - xr[j];
            let [s, active] = if grad {
                sweep(&mut MultilabelRow::<T, true> { x: xr, off, base, counts: &mut *counts }, c)
            } else {
                sweep(&mut MultilabelRow::<T, false> { x: xr, off, base, counts: &mut [] }, c)
            };
            if grad {
                // No pass counts a label (its z is −∞), so the label's entry holds only these.
                counts[j] = counts[j] - T::from_f64(active);
            }
            total.add(s);
        }
        let f = g * per_class;
        counts.iter_mut().for_each(|v| *v = *v * f);
        T::from_f64(total.value() / c as f64)
    }))
}

// ------------------------------------------------------------------ multi-label soft margin

/// One row of multi-label soft margin: the weighted sum of
/// y·softplus(−x) + (1 − y)·softplus(x) (= −[y ln σ(x) + (1 − y) ln σ(−x)], PyTorch's two
/// log-sigmoids), and the gradients f·w·((1 − y)σ(x) − yσ(−x)) for the input and
/// f·w·(softplus(−x) − softplus(x)) for the target, f = g/C.
struct SoftMarginRow<'a, T> {
    x: &'a [T],
    y: &'a [T],
    w: Option<&'a [T]>,
    f: T,
    gx: Option<&'a mut [T]>,
    gy: Option<&'a mut [T]>,
}

impl<T: Real> Sweep<T, 1> for SoftMarginRow<'_, T> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, j: usize, acc: &mut [L; 1]) {
        let (zero, one) = (L::zero(), L::one());
        let x = L::load(&self.x[j..]);
        let y = L::load(&self.y[j..]);
        let e = (-x.abs()).exp_le0();
        let l1p = ln_1p_unit(e);
        let sp_pos = L::select(x.gt_mask(zero), x, zero) + l1p; // softplus(x) = −ln σ(−x)
        let sp_neg = L::select(x.lt_mask(zero), -x, zero) + l1p; // softplus(−x) = −ln σ(x)
        let w = self.w.map_or(one, |w| L::load(&w[j..]));
        acc[0] = acc[0] + (y * sp_neg + (one - y) * sp_pos) * w;
        let fw = L::splat(self.f) * w;
        if let Some(gx) = self.gx.as_deref_mut() {
            let r = one / (one + e);
            let nonneg = x.ge_mask(zero);
            let (s_pos, s_neg) = (L::select(nonneg, r, e * r), L::select(nonneg, e * r, r));
            (((one - y) * s_pos - y * s_neg) * fw).store(&mut gx[j..]);
        }
        if let Some(gy) = self.gy.as_deref_mut() {
            ((sp_neg - sp_pos) * fw).store(&mut gy[j..]);
        }
    }
}

/// Options of [`multilabel_soft_margin_loss`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MultilabelSoftMarginOptions<'a, T> {
    /// Class weights, shape (C).
    pub weight: Option<Tensor<'a, T>>,
    /// Default 'mean' (over rows).
    pub reduction: Reduction,
}

/// Multi-label soft margin loss (`F.multilabel_soft_margin_loss`): per row
/// −Σ_c w_c[y_c ln σ(x_c) + (1 − y_c) ln σ(−x_c)] / C, stable for any |x|. `input` is (C)
/// or (N, C), `target` (probabilities, usually 0/1) has its shape; 'mean' divides by N.
/// Gradients: input and target.
pub fn multilabel_soft_margin_loss<T: Real>(
    input: Tensor<'_, T>,
    target: Tensor<'_, T>,
    opts: &MultilabelSoftMarginOptions<'_, T>,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "multilabel_soft_margin_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let (rows, out_shape) = batch_rows(F, &input, true)?;
    target.check(F, "target")?;
    target.check_same_shape(F, "target", input.shape(), "input")?;
    check_per_class(F, "weight", opts.weight, &rows)?;
    out.check(F, reducer.is_none(), &out_shape, &[("input", input.len()), ("target", target.len())])?;
    let reducer = reducer.mean_over(rows.count as f64);
    let Out { loss, grad_output, grads: [mut gx, mut gy, _] } = out;
    let (c, w) = (rows.c, opts.weight.map(|w| w.data));
    let per_class = T::ONE / T::from_f64(c as f64);
    Ok(each_row(rows.count, reducer, loss, grad_output, |r, g| {
        let at = r * c..(r + 1) * c;
        let mut k = SoftMarginRow {
            x: &input.data[at.clone()],
            y: &target.data[at.clone()],
            w,
            f: g * per_class,
            gx: gx.as_deref_mut().map(|g| &mut g[at.clone()]),
            gy: gy.as_deref_mut().map(|g| &mut g[at]),
        };
        let [s] = sweep(&mut k, c);
        T::from_f64(s / c as f64)
    }))
}
