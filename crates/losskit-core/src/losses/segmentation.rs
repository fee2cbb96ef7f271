//! Segmentation losses: Dice (MONAI's `DiceLoss`).
//!
//! The input is (N, C, d1, …, dk), k ≥ 1: N items of C channels, each channel a contiguous
//! spatial row of D = d1·…·dk elements. p is the input, σ(input) or its softmax over the
//! channels; t the target (the input's shape, or one-hot from class indices). Per (n, c)
//! — per c with `batch`, summing over n too — three sums over the spatial row:
//!
//! I = Σ t·p,   G = Σ t (Σ t² with `squared_pred`),   P = Σ p (Σ p²),
//!
//! and f = 1 − (2I + smooth_nr) / (B + smooth_dr) with B = G + P (Dice) or
//! B = 2(G + P − I) (Jaccard, MONAI's 2·(tp + fp + fn)).
//!
//! Two passes over the data (the along engine's sweep for the sums, in compensated f64):
//! the sums of every row, then f and its partials ∂f/∂I = −2/B − A/B²·[jaccard]·2 and
//! ∂f/∂P = A/B²·(1 or 2) (A = 2I + smooth_nr, B with smooth_dr), then the gradient
//! ∂f/∂p = ∂f/∂I·t + ∂f/∂P·(1, or 2p) through the activation's backward. Every channel of
//! a position enters every softmax p, so the softmax's first pass walks positions, all
//! channels at once, adding to every row's sums (and leaving p in the gradient buffer for
//! the second pass); the others walk each row. The sigmoid with a gradient is materialized
//! first, so that its exponentials (most of the time) are computed once.

use super::classification::Target;
use crate::engine::along::{at, at_i32, put};
use crate::engine::{simd_body, sweep, Out, Sweep, BLOCK};
use crate::error::{check_option, ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduce::{Reducer, Reduction, Sum};
use crate::shape::{fmt_shape, numel, try_filled, try_vec, Tensor};
use core::marker::PhantomData;

/// Options of [`dice_loss`] (MONAI's `DiceLoss` keyword arguments; `Default` = MONAI's).
#[derive(Debug, Clone, Copy)]
pub struct DiceOptions {
    /// p = σ(input). Default false.
    pub sigmoid: bool,
    /// p = softmax(input) over the channels (ignored for one channel, as MONAI). Default false.
    pub softmax: bool,
    /// G = Σt², P = Σp² in the denominator. Default false.
    pub squared_pred: bool,
    /// The Jaccard index (soft IoU) instead of Dice. Default false.
    pub jaccard: bool,
    /// Added to the numerator. Default 1e-5.
    pub smooth_nr: f64,
    /// Added to the denominator. Default 1e-5.
    pub smooth_dr: f64,
    /// Keep channel 0 (with one channel it is always kept, as MONAI). Default true.
    pub include_background: bool,
    /// Sum over the batch too: one f per channel. Default false.
    pub batch: bool,
    /// The target is class indices (N, 1, d1, …), one-hot encoded over C channels (with one
    /// channel the indices are the target's values, as MONAI). Default false.
    pub to_onehot_y: bool,
    /// Default 'mean' (over the N·C' or C' values of f).
    pub reduction: Reduction,
}

impl Default for DiceOptions {
    fn default() -> Self {
        DiceOptions {
            sigmoid: false,
            softmax: false,
            squared_pred: false,
            jaccard: false,
            smooth_nr: 1e-5,
            smooth_dr: 1e-5,
            include_background: true,
            batch: false,
            to_onehot_y: false,
            reduction: Reduction::Mean,
        }
    }
}

/// The (N, C, D) view of the input and the channels kept (c0..C).
#[derive(Clone, Copy)]
struct Layout {
    n: usize,
    c: usize,
    d: usize,
    /// 1 when the background channel is dropped, else 0.
    c0: usize,
}

impl Layout {
    /// Channels kept.
    fn kept(&self) -> usize {
        self.c - self.c0
    }
    /// Flat index of element 0 of row (n, c).
    fn row(&self, n: usize, c: usize) -> usize {
        (n * self.c + c) * self.d
    }
}

/// The target's value at row (n, c), elements j.. of one lane.
trait Truth<T: Real> {
    fn at<L: Lane<Elem = T>>(&self, n: usize, c: usize, row: usize, j: usize) -> L;
}

/// A float target of the input's shape.
struct Dense<'a, T>(&'a [T]);
impl<T: Real> Truth<T> for Dense<'_, T> {
    #[inline(always)]
    fn at<L: Lane<Elem = T>>(&self, _: usize, _: usize, row: usize, j: usize) -> L {
        at::<L>(self.0, row + j)
    }
}

/// One-hot of class indices (N, 1, D): t = [label = c].
struct OneHot<'a> {
    labels: &'a [i32],
    d: usize,
}
impl<T: Real> Truth<T> for OneHot<'_> {
    #[inline(always)]
    fn at<L: Lane<Elem = T>>(&self, n: usize, c: usize, _: usize, j: usize) -> L {
        let s = &self.labels[n * self.d + j..][..L::WIDTH];
        // c < C ≤ the checked labels' range, so it is an i32.
        L::from_fn(|k| if s[k] == c as i32 { T::ONE } else { T::ZERO })
    }
}

/// One-hot of class indices by one vector compare: the labels converted to floats a lane at a
/// time, t = [label = c], where [`OneHot`] builds each lane from four integer compares. Exact
/// while every class index is an integer of the float type (C ≤ 2²⁴ in f32).
struct OneHotFloat<'a> {
    labels: &'a [i32],
    d: usize,
}
impl<T: Real> Truth<T> for OneHotFloat<'_> {
    #[inline(always)]
    fn at<L: Lane<Elem = T>>(&self, n: usize, c: usize, _: usize, j: usize) -> L {
        let l: L = at_i32(self.labels, n * self.d + j);
        L::indicator(l.eq_mask(L::splat(T::from_f64(c as f64))))
    }
}

/// Class indices with one channel: MONAI skips the one-hot and uses the labels as values.
struct Labels<'a> {
    labels: &'a [i32],
    d: usize,
}
impl<T: Real> Truth<T> for Labels<'_> {
    #[inline(always)]
    fn at<L: Lane<Elem = T>>(&self, n: usize, _: usize, _: usize, j: usize) -> L {
        at_i32(self.labels, n * self.d + j)
    }
}

/// An element-wise activation: p of x, and ∂p/∂x from p.
trait Activation: Copy {
    fn p<L: Lane>(x: L) -> L;
    fn slope<L: Lane>(p: L) -> L;
}

/// p = x (also the softmax's sums, run on the materialized p).
#[derive(Clone, Copy)]
struct Identity;
impl Activation for Identity {
    #[inline(always)]
    fn p<L: Lane>(x: L) -> L {
        x
    }
    #[inline(always)]
    fn slope<L: Lane>(_: L) -> L {
        L::one()
    }
}

/// p = σ(x), ∂p/∂x = p(1 − p) (PyTorch's sigmoid backward, from the output).
#[derive(Clone, Copy)]
struct Sigmoid;
impl Activation for Sigmoid {
    /// From e = e^{−|x|} (no overflow): 1/(1 + e) for x ≥ 0, e/(1 + e) below, with the lean
    /// exponential of x ≤ 0 (σ below ~1e-38 in f32 is 0, which no sum here can tell apart).
    #[inline(always)]
    fn p<L: Lane>(x: L) -> L {
        let e = (-x.abs()).exp_le0();
        let r = L::one() / (L::one() + e);
        L::select(x.ge_mask(L::zero()), r, e * r)
    }
    #[inline(always)]
    fn slope<L: Lane>(p: L) -> L {
        p * (L::one() - p)
    }
}

/// Row (n, c)'s sums [I, G, P] as a [`Sweep`] over its D elements.
struct RowSums<'a, T, Tr, A, const SQ: bool> {
    x: &'a [T],
    truth: &'a Tr,
    n: usize,
    c: usize,
    row: usize,
    act: PhantomData<A>,
}

impl<T: Real, Tr: Truth<T>, A: Activation, const SQ: bool> Sweep<T, 3> for RowSums<'_, T, Tr, A, SQ> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, j: usize, acc: &mut [L; 3]) {
        let p = A::p(at::<L>(self.x, self.row + j));
        let t: L = self.truth.at(self.n, self.c, self.row, j);
        acc[0] = acc[0] + t * p;
        acc[1] = acc[1] + if SQ { t * t } else { t };
        acc[2] = acc[2] + if SQ { p * p } else { p };
    }
}

/// The sums [I, G, P] of every kept row, (n, c − c0) in row-major order.
// Dice's passes stay out of line, in Rust and in wasm-opt (scripts/build.mjs): inlined into
// the export, all their instances made one function V8 compiled ~1.5× slower.
#[inline(never)]
fn row_sums<T: Real, Tr: Truth<T>, A: Activation, const SQ: bool>(x: &[T], truth: &Tr, lay: Layout, out: &mut Vec<[f64; 3]>) {
    for n in 0..lay.n {
        for c in lay.c0..lay.c {
            let mut s = RowSums::<T, Tr, A, SQ> { x, truth, n, c, row: lay.row(n, c), act: PhantomData };
            out.push(sweep(&mut s, lay.d));
        }
    }
}

/// Writes ∂f/∂x of row (n, c) (`k` = [∂f/∂I, ∂f/∂P·(1 or 2)], upstream gradient folded in)
/// for an element-wise activation: (kI·t + kP·(1 or p))·∂p/∂x. With `MAT` p was written into
/// `g` already (the sigmoid, materialized by the first pass) and is read from there.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn grad_row<T: Real, L: Lane<Elem = T>, Tr: Truth<T>, A: Activation, const SQ: bool, const MAT: bool>(
    x: &[T],
    truth: &Tr,
    g: &mut [T],
    n: usize,
    c: usize,
    row: usize,
    from: usize,
    to: usize,
    k: [T; 2],
) {
    let (ki, kp) = (L::splat(k[0]), L::splat(k[1]));
    let mut j = from;
    while j < to {
        let p = if MAT { at::<L>(g, row + j) } else { A::p(at::<L>(x, row + j)) };
        let t: L = truth.at(n, c, row, j);
        let u = ki * t + if SQ { kp * p } else { kp };
        put(u * A::slope(p), g, row + j);
        j += L::WIDTH;
    }
}

#[inline(never)]
fn grads_elementwise<T: Real, Tr: Truth<T>, A: Activation, const SQ: bool, const MAT: bool>(
    x: &[T],
    truth: &Tr,
    lay: Layout,
    k: &[[T; 2]],
    batch: bool,
    g: &mut [T],
) {
    let body = simd_body::<T>(lay.d);
    for n in 0..lay.n {
        for c in 0..lay.c {
            let row = lay.row(n, c);
            if c < lay.c0 {
                g[row..row + lay.d].fill(T::ZERO);
                continue;
            }
            let kk = k[if batch { c - lay.c0 } else { n * lay.kept() + c - lay.c0 }];
            grad_row::<T, T::Vector, Tr, A, SQ, MAT>(x, truth, g, n, c, row, 0, body, kk);
            grad_row::<T, T, Tr, A, SQ, MAT>(x, truth, g, n, c, row, body, lay.d, kk);
        }
    }
}

/// σ(x) written to `p`, element by element.
#[inline(never)]
fn sigmoid_into<T: Real>(x: &[T], p: &mut [T]) {
    let body = simd_body::<T>(x.len());
    let mut i = 0;
    while i < body {
        put(Sigmoid::p(at::<T::Vector>(x, i)), p, i);
        i += <T::Vector as Lane>::WIDTH;
    }
    for i in body..x.len() {
        p[i] = Sigmoid::p(x[i]);
    }
}

/// Pass 1 through the softmax over the channels: per position p_c = e^{x_c − m}/Σ_k e^{x_k − m}
/// (m the channels' maximum; a NaN makes the position's p all NaN, as PyTorch), added at once
/// to the sums [I, G, P] of every kept row (appended to `out`, (n, c − c0) row-major) and, with
/// `p` given, written to `p` for the gradient pass. One pass over x: p is not stored and read
/// again, and the forward needs no buffer of the input's size.
#[inline(never)]
fn softmax_sums<T: Real, Tr: Truth<T>>(
    x: &[T],
    truth: &Tr,
    lay: Layout,
    sq: bool,
    p: Option<&mut [T]>,
    out: &mut Vec<[f64; 3]>,
) -> Result<()> {
    let keep = p.is_some();
    let p = p.unwrap_or_default();
    let body = simd_body::<T>(lay.d);
    // Per channel: the exponentials of one position's lanes and the lane sums of a block, for
    // the vector lane over the body and the scalar lane over the tail; the f64 sums of item n.
    const F: &str = "dice_loss";
    let (mut e, mut acc) = (try_filled(F, "input", lay.c, T::Vector::zero())?, try_filled(F, "input", lay.c, [T::Vector::zero(); 3])?);
    let (mut e1, mut acc1) = (try_filled(F, "input", lay.c, T::ZERO)?, try_filled(F, "input", lay.c, [T::ZERO; 3])?);
    let mut sums = try_filled(F, "input", lay.c, [Sum::default(); 3])?;
    for n in 0..lay.n {
        sums.fill([Sum::default(); 3]);
        softmax_sum_lanes::<T, T::Vector, Tr>(x, truth, lay, n, 0, body, sq, keep, p, &mut e, &mut acc, &mut sums);
        softmax_sum_lanes::<T, T, Tr>(x, truth, lay, n, body, lay.d, sq, keep, p, &mut e1, &mut acc1, &mut sums);
        out.extend(sums[lay.c0..].iter().map(|s| s.map(|s| s.value())));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn softmax_sum_lanes<T: Real, L: Lane<Elem = T>, Tr: Truth<T>>(
    x: &[T],
    truth: &Tr,
    lay: Layout,
    n: usize,
    from: usize,
    to: usize,
    sq: bool,
    keep: bool,
    p: &mut [T],
    e: &mut [L],
    acc: &mut [[L; 3]],
    sums: &mut [[Sum; 3]],
) {
    let (e, acc, sums) = (&mut e[..lay.c], &mut acc[..lay.c], &mut sums[..lay.c]);
    let base = lay.row(n, 0);
    let mut j = from;
    while j < to {
        // Blocks of BLOCK lanes summed in the element type, then into f64 (as the engine's sweep).
        let stop = (j + BLOCK * L::WIDTH).min(to);
        acc.fill([L::zero(); 3]);
        while j < stop {
            let mut m = at::<L>(x, base + j);
            for c in 1..lay.c {
                let v = at::<L>(x, base + c * lay.d + j);
                m = m.max_nan(v);
            }
            let mut s = L::zero();
            for (c, ec) in e.iter_mut().enumerate() {
                *ec = (at::<L>(x, base + c * lay.d + j) - m).exp_le0();
                s = s + *ec;
            }
            // One division per position, then products (a second rounding, within an ulp).
            let inv = L::one() / s;
            for (c, (ec, a)) in e.iter().zip(acc.iter_mut()).enumerate() {
                let pc = *ec * inv;
                let i = base + c * lay.d + j;
                if keep {
                    put(pc, p, i);
                }
                if c >= lay.c0 {
                    let t: L = truth.at(n, c, base + c * lay.d, j);
                    a[0] = a[0] + t * pc;
                    a[1] = a[1] + if sq { t * t } else { t };
                    a[2] = a[2] + if sq { pc * pc } else { pc };
                }
            }
            j += L::WIDTH;
        }
        for (s, a) in sums.iter_mut().zip(acc.iter()) {
            for k in 0..3 {
                s[k].add(a[k].sum_f64());
            }
        }
    }
}

/// ∂f/∂x through the softmax, over `g` holding p: with u_c = ∂f/∂p_c (0 for a dropped
/// background), ∂x_c = p_c·(u_c − Σ_k p_k u_k) (PyTorch's softmax backward).
#[inline(never)]
fn grads_softmax<T: Real, Tr: Truth<T>, const SQ: bool>(truth: &Tr, lay: Layout, k: &[[T; 2]], batch: bool, g: &mut [T]) {
    let body = simd_body::<T>(lay.d);
    for n in 0..lay.n {
        let ks = if batch { k } else { &k[n * lay.kept()..(n + 1) * lay.kept()] };
        softmax_grad_lanes::<T, T::Vector, Tr, SQ>(truth, lay, ks, g, n, 0, body);
        softmax_grad_lanes::<T, T, Tr, SQ>(truth, lay, ks, g, n, body, lay.d);
    }
}

#[inline(always)]
#[allow(clippy::needless_range_loop)] // c indexes the channel's rows, factors and cached u alike
fn softmax_grad_lanes<T: Real, L: Lane<Elem = T>, Tr: Truth<T>, const SQ: bool>(
    truth: &Tr,
    lay: Layout,
    k: &[[T; 2]],
    g: &mut [T],
    n: usize,
    from: usize,
    to: usize,
) {
    // u_c for kept channel c at lane j, from p.
    let u = |c: usize, row: usize, j: usize, p: L| -> L {
        let [ki, kp] = k[c - lay.c0];
        let t: L = truth.at(n, c, row, j);
        L::splat(ki) * t + if SQ { L::splat(kp) * p } else { L::splat(kp) }
    };
    // Up to CACHED channels keep u_c between the two loops instead of computing it twice.
    const CACHED: usize = 8;
    let cached = lay.c <= CACHED;
    let mut us = [L::zero(); CACHED];
    let mut j = from;
    while j < to {
        let mut dot = L::zero();
        for c in lay.c0..lay.c {
            let row = lay.row(n, c);
            let p = at::<L>(g, row + j);
            let uc = u(c, row, j, p);
            if cached {
                us[c] = uc;
            }
            dot = dot + p * uc;
        }
        for c in 0..lay.c {
            let row = lay.row(n, c);
            let p = at::<L>(g, row + j);
            let uc = if c < lay.c0 {
                L::zero()
            } else if cached {
                us[c]
            } else {
                u(c, row, j, p)
            };
            put(p * (uc - dot), g, row + j);
        }
        j += L::WIDTH;
    }
}

/// Dice loss (MONAI's `DiceLoss`): per (n, c) — per c with `batch` — the soft Dice (or
/// Jaccard) loss f = 1 − (2I + smooth_nr)/(B + smooth_dr) of p = input, σ(input) or
/// softmax(input) over the channels against the target (module docs).
///
/// `input` is (N, C, d1, …) with at least one spatial dim; `target` is float data of the
/// input's shape, or (with `to_onehot_y`) class indices of shape (N, 1, d1, …), each in
/// [0, C) when C > 1. Channel 0 is dropped without `include_background` (when C > 1).
/// 'none' gives MONAI's shape: (N, C', 1, …, 1), or (C', 1, …, 1) with `batch`, one 1 per
/// spatial dim (C' the channels kept); 'mean' averages those values. Gradient:
/// `out.grads[0]`, the input's (the target has none).
pub fn dice_loss<T: Real>(input: Tensor<'_, T>, target: Target<'_, T>, opts: &DiceOptions, out: Out<'_, T>) -> Result<T> {
    const F: &str = "dice_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    check_option(!(opts.sigmoid && opts.softmax), F, "softmax", || "cannot be true together with sigmoid".to_string())?;
    input.check(F, "input")?;
    let shape = input.shape();
    if shape.len() < 3 {
        return Err(LossError::new(
            ErrorCode::ShapeMismatch,
            F,
            Some("input"),
            format!("must have shape (N, C, d1, ...) with at least one spatial dim but has shape {}", fmt_shape(shape)),
        ));
    }
    let (n, c) = (shape[0], shape[1]);
    // D = d1·…·dk fits, as N·C·D = len was checked, unless N·C = 0: then nothing is read and
    // every sum is 0, as with D = 0.
    let d = shape[2..].iter().try_fold(1usize, |a, &b| a.checked_mul(b)).unwrap_or(0);
    let multi = c != 1;
    // Channel 0 is dropped only where another one remains (MONAI keeps a single channel).
    let lay = Layout { n, c, d, c0: usize::from(c > 1 && !opts.include_background) };
    match target {
        Target::Prob(t) => {
            if opts.to_onehot_y {
                return Err(LossError::new(
                    ErrorCode::InvalidTarget,
                    F,
                    Some("target"),
                    "must be class indices (i32) with to_onehot_y but is float data",
                ));
            }
            t.check(F, "target")?;
            t.check_same_shape(F, "target", shape, "input")?;
        }
        Target::Index(t) => {
            if !opts.to_onehot_y {
                return Err(LossError::new(
                    ErrorCode::InvalidTarget,
                    F,
                    Some("target"),
                    "holds class indices, which need to_onehot_y (else float data of the input's shape)",
                ));
            }
            t.check(F, "target")?;
            let mut want = shape.to_vec();
            want[1] = 1;
            if t.shape() != want.as_slice() {
                return Err(LossError::new(
                    ErrorCode::ShapeMismatch,
                    F,
                    Some("target"),
                    format!(
                        "has shape {} but class indices for input of shape {} must have shape {}",
                        fmt_shape(t.shape()),
                        fmt_shape(shape),
                        fmt_shape(&want)
                    ),
                ));
            }
            if multi {
                if let Some(i) = t.data.iter().position(|&v| v < 0 || v as usize >= c) {
                    return Err(LossError::new(
                        ErrorCode::InvalidTarget,
                        F,
                        Some("target"),
                        format!("[{i}] = {} is out of bounds: class indices must be in [0, {c})", t.data[i]),
                    ));
                }
            }
        }
    }
    let kept = lay.kept();
    // N·C' fits memory whenever D > 0; with D = 0 the dims alone may not.
    let rows = numel(F, "input", &[n, kept])?;
    let count = if opts.batch { kept } else { rows };
    let mut out_shape = if opts.batch { vec![kept] } else { vec![n, kept] };
    out_shape.extend(std::iter::repeat_n(1, shape.len() - 2));
    out.check(F, reducer.is_none(), &out_shape, &[("input", input.len())])?;
    let reducer = reducer.mean_over(count as f64);
    let Out { loss, grad_output, grads: [grad, _, _] } = out;
    if d == 0 {
        // No spatial elements: every sum is 0, so every f is 1 − smooth_nr/smooth_dr (and the
        // input, empty, has no gradient) without a temporary per (n, c).
        let f = T::from_f64(1.0 - opts.smooth_nr / opts.smooth_dr);
        if let Some(u) = loss.filter(|_| reducer.is_none()) {
            u.fill(f);
        }
        return Ok(reducer.finish(if count == 0 { 0.0 } else { f.to_f64() * count as f64 }));
    }

    // The softmax's p needs every channel of a position: its pass 1 computes p and the sums
    // at once, leaving p in the gradient buffer for pass 2. The sigmoid with a gradient is
    // materialized there first, so that pass 2 reads p instead of computing σ again (the
    // exponentials are most of the time).
    let softmax = opts.softmax && c > 1;
    let mut grad = grad;
    let materialized = !softmax && opts.sigmoid && grad.is_some();
    if materialized {
        if let Some(g) = grad.as_deref_mut() {
            sigmoid_into(input.data, g);
        }
    }

    // The vector one-hot compares class indices as floats (not in f32 beyond 2²⁴ classes,
    // where an index may not be one).
    let float_compare = T::NAME == "f64" || c <= 1 << 24;

    // Pass 1: the sums of every kept row.
    let mut sums: Vec<[f64; 3]> = try_vec(F, "input", rows)?;
    {
        macro_rules! row_sums {
            ($truth:expr, $act:ty) => {{
                let x: &[T] = match grad.as_deref() {
                    Some(g) if materialized => g,
                    _ => input.data,
                };
                if opts.squared_pred {
                    row_sums::<T, _, $act, true>(x, &$truth, lay, &mut sums)
                } else {
                    row_sums::<T, _, $act, false>(x, &$truth, lay, &mut sums)
                }
            }};
        }
        macro_rules! by_act {
            ($truth:expr) => {
                if softmax {
                    softmax_sums(input.data, &$truth, lay, opts.squared_pred, grad.as_deref_mut(), &mut sums)?
                } else if opts.sigmoid && !materialized {
                    row_sums!($truth, Sigmoid)
                } else {
                    row_sums!($truth, Identity)
                }
            };
        }
        match target {
            Target::Prob(t) => by_act!(Dense(t.data)),
            Target::Index(t) if multi && float_compare => by_act!(OneHotFloat { labels: t.data, d }),
            Target::Index(t) if multi => by_act!(OneHot { labels: t.data, d }),
            Target::Index(t) => by_act!(Labels { labels: t.data, d }),
        }
    }
    // With batch, one set of sums per channel (over n).
    if opts.batch {
        let mut per_channel: Vec<[f64; 3]> = try_vec(F, "input", kept)?;
        for c in 0..kept {
            let mut acc = [Sum::default(); 3];
            for m in 0..n {
                for (a, v) in acc.iter_mut().zip(sums[m * kept + c]) {
                    a.add(v);
                }
            }
            per_channel.push(acc.map(|a| a.value()));
        }
        sums = per_channel;
    }

    // f and its partials, per value of f: A = 2I + nr, B = G + P + dr or 2(G + P − I) + dr.
    let none = reducer.is_none();
    let scale = reducer.grad_scale::<T>().to_f64();
    let go = grad_output.map(|g| g.data);
    let mut loss = loss;
    let mut total = Sum::default();
    let mut factors: Vec<[T; 2]> = try_vec(F, "input", count)?;
    let (sq, jac) = (if opts.squared_pred { 2.0 } else { 1.0 }, opts.jaccard);
    for (e, &[i, gt, pr]) in sums.iter().enumerate() {
        let a = 2.0 * i + opts.smooth_nr;
        let b = if jac { 2.0 * (gt + pr - i) } else { gt + pr } + opts.smooth_dr;
        let f = 1.0 - a / b;
        let fv = T::from_f64(f);
        if let Some(u) = loss.as_deref_mut().filter(|_| none) {
            u[e] = fv;
        }
        total.add(fv.to_f64());
        let g = match go {
            Some(g) if none => g[e].to_f64(),
            _ => scale,
        };
        let (df_di, df_dp) = if jac { (-2.0 / b - 2.0 * a / (b * b), 2.0 * a / (b * b)) } else { (-2.0 / b, a / (b * b)) };
        factors.push([T::from_f64(g * df_di), T::from_f64(g * df_dp * sq)]);
    }

    // Pass 2: the gradient.
    if let Some(g) = grad {
        let batch = opts.batch;
        macro_rules! pass2 {
            ($truth:expr) => {
                match (softmax, opts.sigmoid, opts.squared_pred) {
                    (true, _, true) => grads_softmax::<T, _, true>(&$truth, lay, &factors, batch, g),
                    (true, _, false) => grads_softmax::<T, _, false>(&$truth, lay, &factors, batch, g),
                    // σ was materialized in g by the first pass.
                    (false, true, true) => grads_elementwise::<T, _, Sigmoid, true, true>(input.data, &$truth, lay, &factors, batch, g),
                    (false, true, false) => grads_elementwise::<T, _, Sigmoid, false, true>(input.data, &$truth, lay, &factors, batch, g),
                    (false, false, true) => grads_elementwise::<T, _, Identity, true, false>(input.data, &$truth, lay, &factors, batch, g),
                    (false, false, false) => {
                        grads_elementwise::<T, _, Identity, false, false>(input.data, &$truth, lay, &factors, batch, g)
                    }
                }
            };
        }
        match target {
            Target::Prob(t) => pass2!(Dense(t.data)),
            Target::Index(t) if multi && float_compare => pass2!(OneHotFloat { labels: t.data, d }),
            Target::Index(t) if multi => pass2!(OneHot { labels: t.data, d }),
            Target::Index(t) => pass2!(Labels { labels: t.data, d }),
        }
    }
    Ok(reducer.finish(total.value()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integer one-hot (f32 beyond 2²⁴ classes) and the float one-hot give the same lanes.
    #[test]
    fn one_hot_from_integers_and_from_floats_agree() {
        let d = 7;
        let labels: Vec<i32> = (0..2 * d as i32).map(|i| (i * 5 + 1) % 3).collect();
        let (ints, flts) = (OneHot { labels: &labels, d }, OneHotFloat { labels: &labels, d });
        for n in 0..2 {
            for c in 0..3 {
                for j in 0..d {
                    let (a, b): (f32, f32) = (ints.at(n, c, 0, j), flts.at(n, c, 0, j));
                    assert_eq!(a, b);
                    assert_eq!(a, f32::from(labels[n * d + j] == c as i32));
                }
                for j in (0..d - 3).step_by(4) {
                    let (a, b): (wide::f32x4, wide::f32x4) = (ints.at(n, c, 0, j), flts.at(n, c, 0, j));
                    assert_eq!(a.to_array(), b.to_array());
                }
            }
        }
    }
}
