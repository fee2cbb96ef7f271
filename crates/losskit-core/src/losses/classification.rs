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
//! in dim 1 (dim 0 for a 1-D input) — and run on the rows engine: max, then Σexp
//! (in f64) over the classes in [`log_sum_exp`], then the loss and the gradient
//! (softmax − target distribution, scaled) in the same call. The element-wise losses run
//! on the pointwise engine. Gradient slots: `input` (`grads[0]`) and, where the target is
//! a float tensor, `target` (`grads[1]`).

use std::borrow::Cow;

use crate::engine::pointwise::{self, Args, MeanOver, Pointwise};
use crate::engine::rows::{self, check_per_class, max_range, row_split, Classes, ContiguousRow, LaneSum, RowKernel, Rows, Tile};
use crate::engine::Out;
use crate::error::{check_option, ErrorCode, LossError, Result};
use crate::real::{Lane, Logistic, Real};
use crate::reduce::{Reducer, Reduction, Sum};
use crate::shape::{Broadcast, Tensor};

/// The target of a loss over classes.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a, T> {
    /// One class index per row, of the unreduced output's shape: () for a (C) input, (N)
    /// or (N, d1, …) (PyTorch's int64 target, as i32).
    Index(Tensor<'a, i32>),
    /// Class probabilities, the input's shape (differentiable: `grads[1]`).
    Prob(Tensor<'a, T>),
}

/// A tensor option broadcast (NumPy rules) to the input's shape, expanded (borrowed when
/// the shapes are equal).
fn broadcast_to<'a, T: Real>(
    func: &'static str,
    arg: &'static str,
    t: Option<Tensor<'a, T>>,
    full: &[usize],
) -> Result<Option<Cow<'a, [T]>>> {
    let Some(t) = t else { return Ok(None) };
    t.check(func, arg)?;
    if t.shape() == full {
        return Ok(Some(Cow::Borrowed(t.data)));
    }
    let expanded = Broadcast::new(func, arg, full, t.shape())?.expand(func, arg, t.data)?;
    Ok(Some(Cow::Owned(expanded)))
}

// ------------------------------------------------------------------ softmax row kernels

/// Rows of at most this many classes keep a tile's logits, then their e^{x_c − m}, on the
/// stack between the passes: one gather per class instead of three, and no scatter before
/// the gradient's (the tiles of narrow rows gather at stride C, lane by lane).
const HELD_CLASSES: usize = ROW_SIMD_MIN_CLASSES;

/// The e^{x_c − m} of a tile's classes: held on the stack for narrow rows, else in the
/// gradient buffer (which the gradient pass then overwrites).
struct Exps<L> {
    held: [L; HELD_CLASSES],
    narrow: bool,
}

impl<L: Lane> Exps<L> {
    #[inline(always)]
    fn get(&self, t: &Tile<L>, gx: &[L::Elem], c: usize) -> L {
        if self.narrow {
            self.held[c]
        } else {
            t.load(gx, c)
        }
    }
}

/// The first two passes over a tile's classes, shared by every softmax kernel: the row
/// maximum m (NaN is left to Σexp to propagate), then s = Σ_c e^{x_c − m} (in f64 per lane),
/// keeping each e^{x_c − m} for the gradient pass (on the stack for narrow rows, else in
/// `keep`, the input gradient) and showing each shifted logit x_c − m to `each`.
/// Returns (m, s, the exponentials).
// `held` is indexed by class only for narrow rows (c < HELD_CLASSES); the loops run over
// every class, so they cannot iterate over `held`.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn log_sum_exp<L: Lane>(
    t: &Tile<L>,
    x: &[L::Elem],
    classes: usize,
    mut keep: Option<&mut [L::Elem]>,
    mut each: impl FnMut(usize, L),
) -> (L, L, Exps<L>) {
    let narrow = classes <= HELD_CLASSES;
    let mut held = [L::zero(); HELD_CLASSES];
    let mut m = L::splat(L::Elem::from_f64(f64::NEG_INFINITY));
    for c in 0..classes {
        let v = t.load(x, c);
        if narrow {
            held[c] = v;
        }
        m = m.max_nan(v);
    }
    // Σ e in f64 per lane (exact terms, one f64 add per class in the loop-carried chain,
    // where a compensated f32 sum chains four dependent operations).
    let mut s = L::sums64();
    for c in 0..classes {
        let d = if narrow { held[c] } else { t.load(x, c) } - m;
        let e = d.exp_le0(); // d = x − max ≤ 0
        s = e.add_f64(s);
        if narrow {
            held[c] = e;
        } else if let Some(k) = keep.as_deref_mut() {
            t.store(e, k, c);
        }
        each(c, d);
    }
    (m, L::lanes64(s), Exps { held, narrow })
}

/// Cross-entropy against class indices, with weights, ignored rows and label smoothing ε:
/// ℓ = (1 − ε)·(−w_y log p_y) + (ε/C)·Σ_c −w_c log p_c.
struct SoftmaxIndex<'a, T> {
    x: &'a [T],
    c: usize,
    classes: Classes<'a>,
    weight: Option<&'a [T]>,
    eps: T,
    eps_c: T,
    /// Σ_c w_c (C without weights).
    w_sum: T,
    gx: Option<&'a mut [T]>,
}

impl<T: Real> RowKernel<T> for SoftmaxIndex<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile<L>, g: L) -> L {
        let (x, weight) = (self.x, self.weight);
        let smoothing = self.eps > T::ZERO;
        let mut a1 = LaneSum::<L>::new();
        let keep = if GRAD { self.gx.as_deref_mut() } else { None };
        let (m, s, exps) = log_sum_exp(t, x, self.c, keep, |c, d| {
            if smoothing {
                a1.add(weight.map_or(d, |w| L::splat(w[c]) * d));
            }
        });
        let ls = s.ln();
        let p = t.pick(&self.classes);
        let wy = p.weight(weight);
        let nll = -(wy * ((p.gather(t, x) - m) - ls));
        let (rest, eps_c) = (L::splat(T::ONE - self.eps), L::splat(self.eps_c));
        let mut loss = nll;
        if smoothing {
            // −Σ_c w_c log p_c = W·ln s − Σ_c w_c (x_c − m)
            loss = rest * nll + eps_c * (L::splat(self.w_sum) * ls - a1.value());
        }
        if GRAD {
            if let Some(gx) = self.gx.as_deref_mut() {
                // The upstream gradient of log p_c is G_c = −g(1 − ε)w_y[c = y] − g(ε/C)w_c;
                // the log-softmax backward gives G_c − p_c·Σ_k G_k (PyTorch's order, so a
                // single class gives exactly 0).
                let g = L::select(p.keep, g, L::zero());
                let gt = -(g * rest * wy);
                let gs = -(g * eps_c);
                let total = if smoothing { gt + gs * L::splat(self.w_sum) } else { gt };
                for c in 0..self.c {
                    let prob = exps.get(t, gx, c) / s;
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
}

/// Rows of at least this many classes run contiguously, SIMD across the classes; narrower
/// rows run as tiles of rows (SIMD across rows, gathering at stride C).
const ROW_SIMD_MIN_CLASSES: usize = 32;

/// Runs a softmax kernel that has both paths: an (N, C) or (C) input of at least
/// [`ROW_SIMD_MIN_CLASSES`] classes a contiguous row at a time, anything else as tiles of rows.
fn run_softmax<T: Real, K: RowKernel<T> + ContiguousRow<T>>(
    k: &mut K,
    rows: &Rows,
    reducer: Reducer,
    unreduced: Option<&mut [T]>,
    grad_output: Option<Tensor<'_, T>>,
    grad: bool,
) -> T {
    if rows.inner == 1 && rows.c >= ROW_SIMD_MIN_CLASSES {
        rows::run_contiguous(k, rows, reducer, unreduced, grad_output, grad)
    } else {
        rows::run(k, rows, reducer, unreduced, grad_output, grad)
    }
}

/// Σ_c e^{x_c − m} and Σ_c w_c (x_c − m) over classes `start..end` in lanes of `L`, summed
/// in f64 lane by lane ([`Lane::add_f64`]; so the SIMD body and the scalar twin, which add
/// in different orders, round to the same sum), writing each e^{x_c − m} into `keep` for
/// the gradient.
#[inline(always)]
fn exp_sums<L: Lane>(
    x: &[L::Elem],
    m: L::Elem,
    w: Option<&[L::Elem]>,
    smoothing: bool,
    keep: Option<&mut [L::Elem]>,
    start: usize,
    end: usize,
) -> (f64, f64) {
    let m = L::splat(m);
    let (mut s, mut a) = (L::sums64(), L::sums64());
    let x = x[start..end].chunks_exact(L::WIDTH);
    match (keep, smoothing) {
        // The common calls as loops over exact chunks (no bounds check per class).
        (None, false) => x.for_each(|x| s = (L::load(x) - m).exp_le0().add_f64(s)),
        (Some(k), false) => x.zip(k[start..end].chunks_exact_mut(L::WIDTH)).for_each(|(x, k)| {
            let e = (L::load(x) - m).exp_le0();
            s = e.add_f64(s);
            e.store(k);
        }),
        (mut keep, true) => {
            for (i, x) in x.enumerate() {
                let j = start + i * L::WIDTH;
                let d = L::load(x) - m;
                let e = d.exp_le0(); // d = x − max ≤ 0
                s = e.add_f64(s);
                if let Some(k) = keep.as_deref_mut() {
                    e.store(&mut k[j..]);
                }
                a = w.map_or(d, |w| L::load(&w[j..]) * d).add_f64(a);
            }
        }
    }
    (L::total64(s), L::total64(a))
}

/// The maximum of a contiguous row, its SIMD body `0..body` and scalar tail apart (NaN is
/// left to the exponentials to propagate).
#[inline(always)]
fn row_max<T: Real>(x: &[T], body: usize) -> T {
    let (a, b) = (max_range::<T::Vector>(x, 0, body), max_range::<T>(x, body, x.len()));
    if b > a {
        b
    } else {
        a
    }
}

/// The gradient over classes `start..end`, from e^{x_c − m} held in `gx`:
/// gx_c = gs·w_c − e_c·(total/s) (the target's own term is added by the caller).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn softmax_grad<L: Lane>(
    gx: &mut [L::Elem],
    s: L::Elem,
    total: L::Elem,
    gs: L::Elem,
    w: Option<&[L::Elem]>,
    smoothing: bool,
    start: usize,
    end: usize,
) {
    // p_c·total = e_c·(total/s): one division per row, not per class.
    let (k, gs) = (L::splat(total / s), L::splat(gs));
    let rows = gx[start..end].chunks_exact_mut(L::WIDTH);
    match (smoothing, w) {
        (false, _) => rows.for_each(|g| (-(L::load(g) * k)).store(g)),
        (true, None) => rows.for_each(|g| (gs - L::load(g) * k).store(g)),
        (true, Some(w)) => rows.zip(w[start..end].chunks_exact(L::WIDTH)).for_each(|(g, w)| (gs * L::load(w) - L::load(g) * k).store(g)),
    }
}

impl<T: Real> ContiguousRow<T> for SoftmaxIndex<'_, T> {
    #[inline(always)]
    fn row<const GRAD: bool>(&mut self, r: usize, g: T) -> T {
        let c = self.c;
        let off = r * c;
        let x = &self.x[off..off + c];
        let t = self.classes.target[r];
        let keep = Some(t as i64) != self.classes.ignore;
        let y = if keep { t as usize } else { 0 };
        let (weight, smoothing) = (self.weight, self.eps > T::ZERO);
        let wy = weight.map_or(T::ONE, |w| w[y]);
        let body = row_split::<T>(c);
        let m = row_max(x, body);
        let mut gx = if GRAD { self.gx.as_deref_mut().map(|g| &mut g[off..off + c]) } else { None };
        let (s1, a1) = exp_sums::<T::Vector>(x, m, weight, smoothing, gx.as_deref_mut(), 0, body);
        let (s2, a2) = exp_sums::<T>(x, m, weight, smoothing, gx.as_deref_mut(), body, c);
        let s = T::from_f64(s1 + s2);
        let ls = s.ln();
        let nll = -(wy * ((x[y] - m) - ls));
        let (rest, eps_c) = (T::ONE - self.eps, self.eps_c);
        // −Σ_c w_c log p_c = W·ln s − Σ_c w_c (x_c − m)
        let loss = if smoothing { rest * nll + eps_c * (self.w_sum * ls - T::from_f64(a1 + a2)) } else { nll };
        if let Some(gx) = gx {
            // As the tiles: G_c = −g(1 − ε)w_y[c = y] − g(ε/C)w_c, and the log-softmax backward
            // G_c − p_c·Σ_k G_k.
            let g = if keep { g } else { T::ZERO };
            let gt = -(g * rest * wy);
            let gs = -(g * eps_c);
            let total = if smoothing { gt + gs * self.w_sum } else { gt };
            softmax_grad::<T::Vector>(gx, s, total, gs, weight, smoothing, 0, body);
            softmax_grad::<T>(gx, s, total, gs, weight, smoothing, body, c);
            gx[y] = gx[y] + gt;
        }
        if keep {
            loss
        } else {
            T::ZERO
        }
    }
}

/// Cross-entropy against probabilities y, smoothed to y(1 − ε) + ε/C, with class weights:
/// ℓ = −Σ_c w_c y_c log p_c.
struct SoftmaxProb<'a, T> {
    x: &'a [T],
    c: usize,
    target: &'a [T],
    weight: Option<&'a [T]>,
    /// 1 − ε (1 without smoothing).
    keep: T,
    /// ε/C (0 without smoothing).
    eps_c: T,
    gx: Option<&'a mut [T]>,
    gy: Option<&'a mut [T]>,
}

impl<T: Real> RowKernel<T> for SoftmaxProb<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile<L>, g: L) -> L {
        let (x, target, weight) = (self.x, self.target, self.weight);
        let (keep, eps_c) = (L::splat(self.keep), L::splat(self.eps_c));
        let smoothed = |c: usize| {
            let y = t.load(target, c) * keep + eps_c;
            weight.map_or(y, |w| L::splat(w[c]) * y)
        };
        let (mut a1, mut a2) = (LaneSum::<L>::new(), LaneSum::<L>::new());
        let gx_keep = if GRAD { self.gx.as_deref_mut() } else { None };
        let (m, s, exps) = log_sum_exp(t, x, self.c, gx_keep, |c, d| {
            let wy = smoothed(c);
            a1.add(wy);
            a2.add(wy * d);
        });
        let ls = s.ln();
        let swy = a1.value();
        let loss = swy * ls - a2.value();
        if GRAD {
            if let Some(gx) = self.gx.as_deref_mut() {
                let total = g * swy;
                for c in 0..self.c {
                    let prob = exps.get(t, gx, c) / s;
                    t.store(prob * total - g * smoothed(c), gx, c);
                }
            }
            if let Some(gy) = self.gy.as_deref_mut() {
                // ∂/∂y_c = −(1 − ε) w_c log p_c
                let f = -(g * keep);
                for c in 0..self.c {
                    let logp = (t.load(x, c) - m) - ls;
                    let f = weight.map_or(f, |w| f * L::splat(w[c]));
                    t.store(f * logp, gy, c);
                }
            }
        }
        loss
    }
}

/// Multi-class focal loss ℓ = −α_y (1 − p_y)^γ ln p_y with p = softmax(x).
struct SoftmaxFocal<'a, T> {
    x: &'a [T],
    c: usize,
    classes: Classes<'a>,
    focal: Focal<T>,
    alpha: Option<&'a [T]>,
    gx: Option<&'a mut [T]>,
}

/// The focal factor q^γ = (1 − p)^γ of [`focal_loss`] and [`sigmoid_focal_loss`].
#[derive(Clone, Copy)]
struct Focal<T> {
    gamma: T,
    /// γ when it is 0, 1 or 2 (the default of both losses is 2): q^γ and q^{γ−1} by
    /// multiplication, exactly what `pow` gives there (PyTorch's pow special-cases them too),
    /// instead of two scalar `pow` calls per row or element.
    small_gamma: Option<u8>,
}

impl<T: Real> Focal<T> {
    fn new(gamma: f64) -> Self {
        Focal { gamma: T::from_f64(gamma), small_gamma: [0u8, 1, 2].into_iter().find(|&g| gamma == f64::from(g)) }
    }

    /// q^γ, and with `GRAD` q^{γ−1} (0 without, and for γ = 0, whose factor γ makes the
    /// derivative 0, as PyTorch's pow backward).
    #[inline(always)]
    fn powers<L: Lane<Elem = T>, const GRAD: bool>(&self, q: L) -> (L, L) {
        match self.small_gamma {
            Some(0) => (L::one(), L::zero()),
            Some(1) => (q, L::one()),
            Some(_) => (q * q, q),
            None => (q.powf(L::splat(self.gamma)), if GRAD { q.powf(L::splat(self.gamma) - L::one()) } else { L::zero() }),
        }
    }

    /// The loss −α(1 − p)^γ ln p of rows whose target has log-probability `lp` (α = `a`),
    /// and, with `GRAD`, dℓ/d ln p = −α[(1 − p)^γ − γ p ln p (1 − p)^{γ−1}] (0 without).
    /// At p = 1 the second term's limit is 0 (ln p ~ −q), also for γ < 1.
    #[inline(always)]
    fn eval<L: Lane<Elem = T>, const GRAD: bool>(&self, lp: L, a: L) -> (L, L) {
        let pt = lp.exp();
        let q = L::one() - pt;
        let gamma = L::splat(self.gamma);
        let (mq, mq1) = self.powers::<L, GRAD>(q);
        let loss = -(a * mq * lp);
        if !GRAD {
            return (loss, L::zero());
        }
        let slope = if self.gamma == T::ZERO {
            L::zero()
        } else {
            // (and 0 where p_y underflows to 0: p ln p → 0 even when ln p_y is −∞)
            let s = L::select(pt.eq_mask(L::zero()), L::zero(), gamma * pt * lp * mq1);
            L::select(q.eq_mask(L::zero()), L::zero(), s)
        };
        (loss, -(a * (mq - slope)))
    }
}

impl<T: Real> RowKernel<T> for SoftmaxFocal<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile<L>, g: L) -> L {
        let x = self.x;
        let keep = if GRAD { self.gx.as_deref_mut() } else { None };
        let (m, s, exps) = log_sum_exp(t, x, self.c, keep, |_, _| {});
        let p = t.pick(&self.classes);
        let lp = (p.gather(t, x) - m) - s.ln();
        let (loss, dl) = self.focal.eval::<L, GRAD>(lp, p.weight(self.alpha));
        if GRAD {
            if let Some(gx) = self.gx.as_deref_mut() {
                // d ln p_y/dx_c = [c = y] − p_c
                let d = g * dl;
                for c in 0..self.c {
                    let prob = exps.get(t, gx, c) / s;
                    let v = L::select(p.is(c), d - d * prob, -(d * prob));
                    t.store(v, gx, c);
                }
            }
        }
        loss
    }
}

impl<T: Real> ContiguousRow<T> for SoftmaxFocal<'_, T> {
    #[inline(always)]
    fn row<const GRAD: bool>(&mut self, r: usize, g: T) -> T {
        let c = self.c;
        let off = r * c;
        let x = &self.x[off..off + c];
        let y = self.classes.target[r] as usize; // (no ignore_index: every row has a class)
        let body = row_split::<T>(c);
        let m = row_max(x, body);
        let mut gx = if GRAD { self.gx.as_deref_mut().map(|g| &mut g[off..off + c]) } else { None };
        let (s1, _) = exp_sums::<T::Vector>(x, m, None, false, gx.as_deref_mut(), 0, body);
        let (s2, _) = exp_sums::<T>(x, m, None, false, gx.as_deref_mut(), body, c);
        let s = T::from_f64(s1 + s2);
        let (loss, dl) = self.focal.eval::<T, GRAD>((x[y] - m) - s.ln(), self.alpha.map_or(T::ONE, |a| a[y]));
        if let Some(gx) = gx {
            // As the tiles: d·([c = y] − p_c)
            let d = g * dl;
            softmax_grad::<T::Vector>(gx, s, d, T::ZERO, None, false, 0, body);
            softmax_grad::<T>(gx, s, d, T::ZERO, None, false, body, c);
            gx[y] = gx[y] + d;
        }
        loss
    }
}

// ------------------------------------------------------------------ NLL and categorical kernels

/// −w_y x_y per row; the gradient is −w_y·g at the target entry, 0 elsewhere.
struct Nll<'a, T> {
    x: &'a [T],
    classes: Classes<'a>,
    weight: Option<&'a [T]>,
    gx: Option<&'a mut [T]>,
}

impl<T: Real> RowKernel<T> for Nll<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile<L>, g: L) -> L {
        let p = t.pick(&self.classes);
        let wy = p.weight(self.weight);
        if GRAD {
            if let Some(gx) = self.gx.as_deref_mut() {
                let v = (-(wy * g)).to_lanes();
                for k in 0..L::WIDTH {
                    if p.kept.as_ref()[k] == 1 {
                        gx[t.offs.as_ref()[k] + p.at.as_ref()[k] * t.inner] = v.as_ref()[k];
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
    c: usize,
    /// Class indices, or `None` for the probabilities in `prob`.
    classes: Option<Classes<'a>>,
    prob: &'a [T],
    gx: Option<&'a mut [T]>,
    gy: Option<&'a mut [T]>,
}

impl<T: Real> RowKernel<T> for Categorical<'_, T> {
    #[inline(always)]
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile<L>, g: L) -> L {
        let floor = L::splat(T::from_f64(-100.0));
        let picked = self.classes.as_ref().map(|classes| t.pick(classes));
        let mut sum = LaneSum::<L>::new();
        for c in 0..self.c {
            let p = t.load(self.x, c);
            let lp = p.ln();
            let clamped = lp.max_nan(floor);
            let y = match &picked {
                Some(pk) => L::indicator(pk.is(c)),
                None => t.load(self.prob, c),
            };
            sum.add(y * clamped);
            if GRAD {
                if let Some(gx) = self.gx.as_deref_mut() {
                    // The clamp passes no gradient below −100 (PyTorch's clamp_min backward).
                    // (A NaN probability gives NaN, as PyTorch's log backward does.)
                    t.store(L::select(lp.lt_mask(floor), L::zero(), -(g * y / p)), gx, c);
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

/// Options of [`cross_entropy`].
#[derive(Debug, Clone, Copy)]
pub struct CrossEntropyOptions<'a, T> {
    /// Class weights, shape (C).
    pub weight: Option<Tensor<'a, T>>,
    /// Index targets equal to this contribute no loss and no gradient; must be negative
    /// with probability targets. Default −100.
    pub ignore_index: i64,
    /// Label smoothing ε ∈ [0, 1]. Default 0.
    pub label_smoothing: f64,
    /// Default 'mean'.
    pub reduction: Reduction,
}
impl<T> Default for CrossEntropyOptions<'_, T> {
    fn default() -> Self {
        CrossEntropyOptions { weight: None, ignore_index: -100, label_smoothing: 0.0, reduction: Reduction::Mean }
    }
}

/// Cross-entropy between logits and a target (`F.cross_entropy`).
///
/// `input` is (C), (N, C) or (N, C, d1, …), classes in dim 1 (dim 0 for (C)). With
/// [`Target::Index`] ('ignore_index' rows contribute 0 and no gradient) 'mean' divides by
/// Σ weight[target] over the kept rows (their count without `weight`), NaN when nothing
/// is kept; label smoothing ε gives (1 − ε)·NLL + (ε/C)·Σ_c −w_c log p_c with the same
/// denominator. With [`Target::Prob`] (smoothed to y(1 − ε) + ε/C) ℓ = −Σ_c w_c y_c log p_c
/// and 'mean' divides by the number of rows. Gradients: input, and target (probabilities).
pub fn cross_entropy<T: Real>(
    input: Tensor<'_, T>,
    target: Target<'_, T>,
    opts: &CrossEntropyOptions<'_, T>,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "cross_entropy";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let eps = opts.label_smoothing;
    check_option((0.0..=1.0).contains(&eps), F, "label_smoothing", || format!("must be between 0.0 and 1.0 but is {eps}"))?;
    let (rows, out_shape) = Rows::of(F, &input)?;
    check_per_class(F, "weight", opts.weight, &rows)?;
    let weight = opts.weight.map(|w| w.data);
    let eps_c = T::from_f64(eps / rows.c as f64);
    let none = reducer.is_none();
    match target {
        Target::Index(t) => {
            let classes = Classes::check(F, t, &rows, &out_shape, Some(opts.ignore_index), weight)?;
            out.check(F, none, &out_shape, &[("input", input.len())])?;
            let reducer = reducer.mean_over(classes.kept_weight);
            if rows.c == 0 {
                return Ok(no_classes(reducer, out.loss));
            }
            let w_sum = T::from_f64(weight.map_or(rows.c as f64, Sum::of));
            let Out { loss, grad_output, grads: [gx, ..] } = out;
            let grad = gx.is_some();
            let mut k = SoftmaxIndex { x: input.data, c: rows.c, classes, weight, eps: T::from_f64(eps), eps_c, w_sum, gx };
            Ok(run_softmax(&mut k, &rows, reducer, loss, grad_output, grad))
        }
        Target::Prob(y) => {
            let ignore = opts.ignore_index;
            check_option(ignore < 0, F, "ignore_index", || {
                format!("is not supported for probability (floating point) targets; it is {ignore}")
            })?;
            y.check(F, "target")?;
            y.check_same_shape(F, "target", input.shape(), "input")?;
            out.check(F, none, &out_shape, &[("input", input.len()), ("target", y.len())])?;
            if input.is_empty() {
                // No terms (N, C or a trailing dim is 0): PyTorch negates empty sums, so every
                // row and 'sum' are −0, and 'mean' divides by input.numel() / C = 0 / 0.
                return Ok(no_terms(reducer, out.loss, f64::NAN));
            }
            let reducer = reducer.mean_over(rows.count as f64);
            let (keep, eps_c) = if eps > 0.0 { (T::from_f64(1.0 - eps), eps_c) } else { (T::ONE, T::ZERO) };
            let Out { loss, grad_output, grads: [gx, gy, _] } = out;
            let grad = gx.is_some() || gy.is_some();
            let mut k = SoftmaxProb { x: input.data, c: rows.c, target: y.data, weight, keep, eps_c, gx, gy };
            Ok(rows::run(&mut k, &rows, reducer, loss, grad_output, grad))
        }
    }
}

/// Probability targets over an input with no elements: each row −0 (a negated empty sum),
/// 'sum' −0, and `mean` for 'mean'. Out of line, so the hot path's code stays as it was.
#[cold]
#[inline(never)]
fn no_terms<T: Real>(reducer: Reducer, loss: Option<&mut [T]>, mean: f64) -> T {
    if let Some(l) = loss.filter(|_| reducer.is_none()) {
        l.fill(-T::ZERO);
    }
    match reducer.reduction() {
        Reduction::None => T::ZERO,
        Reduction::Sum => -T::ZERO,
        _ => T::from_f64(mean),
    }
}

/// Index targets over an input of no classes (C = 0): every target was the ignored index
/// (`Classes::check`), so each row is 0, 'sum' is 0 and 'mean' is 0/0 (PyTorch), and no
/// kernel runs over rows that have no class to read.
#[cold]
#[inline(never)]
fn no_classes<T: Real>(reducer: Reducer, loss: Option<&mut [T]>) -> T {
    if let Some(l) = loss.filter(|_| reducer.is_none()) {
        l.fill(T::ZERO);
    }
    reducer.finish(0.0)
}

/// Options of [`nll_loss`].
#[derive(Debug, Clone, Copy)]
pub struct NllOptions<'a, T> {
    /// Class weights, shape (C).
    pub weight: Option<Tensor<'a, T>>,
    /// Targets equal to this contribute no loss and no gradient. Default −100.
    pub ignore_index: i64,
    /// Default 'mean' (÷ Σ weight[target] of the kept rows).
    pub reduction: Reduction,
}
impl<T> Default for NllOptions<'_, T> {
    fn default() -> Self {
        NllOptions { weight: None, ignore_index: -100, reduction: Reduction::Mean }
    }
}

/// Negative log likelihood of log-probabilities (`F.nll_loss`): ℓ = −w_y·input[y]. Shapes,
/// `weight`, `ignore_index` and 'mean' as [`cross_entropy`] with index targets.
pub fn nll_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, i32>, opts: &NllOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "nll_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let (rows, out_shape) = Rows::of(F, &input)?;
    check_per_class(F, "weight", opts.weight, &rows)?;
    let weight = opts.weight.map(|w| w.data);
    let classes = Classes::check(F, target, &rows, &out_shape, Some(opts.ignore_index), weight)?;
    out.check(F, reducer.is_none(), &out_shape, &[("input", input.len())])?;
    let reducer = reducer.mean_over(classes.kept_weight);
    if rows.c == 0 {
        return Ok(no_classes(reducer, out.loss));
    }
    let Out { loss, grad_output, grads: [mut gx, ..] } = out;
    let grad = gx.is_some();
    if let Some(g) = gx.as_deref_mut() {
        g.fill(T::ZERO);
    }
    let mut k = Nll { x: input.data, classes, weight, gx };
    Ok(rows::run(&mut k, &rows, reducer, loss, grad_output, grad))
}

/// Options of [`categorical_cross_entropy`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CategoricalOptions {
    /// Default 'mean' (over rows).
    pub reduction: Reduction,
}

/// Categorical cross-entropy of probabilities: ℓ = −Σ_c t_c·max(ln p_c, −100) per row
/// (t one-hot for [`Target::Index`]); 'mean' divides by the number of rows. The input's
/// gradient is −t_c/p_c where ln p_c ≥ −100 and 0 below the clamp; the target's is
/// −max(ln p_c, −100). Shapes as [`cross_entropy`].
pub fn categorical_cross_entropy<T: Real>(
    input: Tensor<'_, T>,
    target: Target<'_, T>,
    opts: &CategoricalOptions,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "categorical_cross_entropy";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let (rows, out_shape) = Rows::of(F, &input)?;
    let (classes, prob): (_, &[T]) = match target {
        Target::Index(t) => {
            let classes = Classes::check::<T>(F, t, &rows, &out_shape, None, None)?;
            out.check(F, reducer.is_none(), &out_shape, &[("input", input.len())])?;
            (Some(classes), &[])
        }
        Target::Prob(y) => {
            y.check(F, "target")?;
            y.check_same_shape(F, "target", input.shape(), "input")?;
            out.check(F, reducer.is_none(), &out_shape, &[("input", input.len()), ("target", y.len())])?;
            (None, y.data)
        }
    };
    if input.is_empty() {
        // No terms: each row is −0 (a negated empty sum), without a pass over rows of no
        // classes (an (N, 0) input may describe billions of them); 'mean' is −0 / N.
        return Ok(no_terms(reducer, out.loss, if rows.count == 0 { f64::NAN } else { -0.0 }));
    }
    let reducer = reducer.mean_over(rows.count as f64);
    let Out { loss, grad_output, grads: [gx, gy, _] } = out;
    let grad = gx.is_some() || gy.is_some();
    let mut k = Categorical { x: input.data, c: rows.c, classes, prob, gx, gy };
    Ok(rows::run(&mut k, &rows, reducer, loss, grad_output, grad))
}

/// Options of [`focal_loss`].
#[derive(Debug, Clone, Copy)]
pub struct FocalOptions<'a, T> {
    /// Focusing parameter γ ≥ 0. Default 2.
    pub gamma: f64,
    /// Per-class weights α, shape (C). Default none (1).
    pub alpha: Option<Tensor<'a, T>>,
    /// Default 'mean' (over rows).
    pub reduction: Reduction,
}
impl<T> Default for FocalOptions<'_, T> {
    fn default() -> Self {
        FocalOptions { gamma: 2.0, alpha: None, reduction: Reduction::Mean }
    }
}

/// Multi-class focal loss on logits: ℓ = −α_y (1 − p_y)^γ ln p_y with p = softmax(input)
/// over the classes; 'mean' divides by the number of rows. Shapes as [`cross_entropy`]
/// with index targets. Gradient: input.
pub fn focal_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, i32>, opts: &FocalOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "focal_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let gamma = opts.gamma;
    check_option(gamma >= 0.0 && gamma.is_finite(), F, "gamma", || format!("must be a finite number >= 0 but is {gamma}"))?;
    let (rows, out_shape) = Rows::of(F, &input)?;
    check_per_class(F, "alpha", opts.alpha, &rows)?;
    let classes = Classes::check::<T>(F, target, &rows, &out_shape, None, None)?;
    out.check(F, reducer.is_none(), &out_shape, &[("input", input.len())])?;
    let reducer = reducer.mean_over(rows.count as f64);
    let Out { loss, grad_output, grads: [gx, ..] } = out;
    let grad = gx.is_some();
    let mut k = SoftmaxFocal { x: input.data, c: rows.c, classes, focal: Focal::new(gamma), alpha: opts.alpha.map(|a| a.data), gx };
    Ok(run_softmax(&mut k, &rows, reducer, loss, grad_output, grad))
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

/// BCE with logits: ℓ = (1 − y)x − lw·logσ(x), lw = 1 + (pw − 1)y, evaluated without
/// cancellation (`Logistic::bce`; PyTorch's f32 kernel is up to 1 % off for small losses);
/// ∂x = (pw·y + 1 − y)σ(x) − pw·y, likewise without cancellation (`Logistic::bce_grad`);
/// ∂y = logσ(−x) − pw·logσ(x) (−x without pos_weight).
/// The per-element parameter is pos_weight (unused when `pos_weight` is false).
struct BceLogits {
    pos_weight: bool,
}
impl<T: Real> Pointwise<T> for BceLogits {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, pw: L) -> [L; 4] {
        let one = L::one();
        let s = Logistic::of(x); // one exp and one ln_1p for softplus(±x) and σ(x)
        let sp_neg = s.softplus_neg(); // −logσ(x)
        if self.pos_weight {
            let lw = (pw - one) * y + one;
            let t = pw * y;
            let l = s.bce(y, lw, t);
            let dx = s.bce_grad(y, t);
            let dy = pw * sp_neg - s.softplus();
            [l, dx, dy, L::zero()]
        } else {
            [s.bce(y, one, y), s.bce_grad(y, y), -x, L::zero()]
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
            let not_nan = y.eq_mask(y);
            // xlogy(y, y): NaN for NaN y, 0 for y = 0, y·ln y otherwise.
            let xlogy = L::select(y.eq_mask(z), L::select(not_nan, z, y), y * ly);
            let l = xlogy - y * x;
            let mask_log = L::select(y.eq_mask(z), L::select(not_nan, z, ly), ly);
            [l, -y, mask_log + y / y - x, z]
        }
    }
}

/// torchvision's sigmoid focal loss: ce·(1 − p_t)^γ·α_t, ce = BCEwithLogits(x, y),
/// p_t = p·y + (1 − p)(1 − y), α_t = α·y + (1 − α)(1 − y) (no α factor when α < 0).
struct SigmoidFocal<T> {
    alpha: T,
    use_alpha: bool,
    focal: Focal<T>,
}
impl<T: Real> Pointwise<T> for SigmoidFocal<T> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let one = L::one();
        let s = Logistic::of(x);
        let p = s.sigmoid();
        let ce = s.bce(y, one, y); // BCE with logits, without cancellation
        let pt = p * y + (one - p) * (one - y);
        let q = one - pt;
        let two = L::splat(T::from_f64(2.0));
        // m = q^γ and its derivative γ q^{γ−1}
        let (m, mq1) = self.focal.powers::<L, true>(q);
        let dm = L::splat(self.focal.gamma) * mq1;
        // dq/dx = −p(1 − p)(2y − 1); dq/dy = 1 − 2p; dce/dx = p − y; dce/dy = −x.
        // dm·dq/dx is formed first: where σ(x) rounds to 0 or 1 it is 0 and keeps ce·dm
        // (which overflows at |x| ≈ 3e38) from making 0·∞ (PyTorch's autograd gets −0.25 there).
        let mut ce_dq_dx = ce * (dm * (p * (one - p) * (two * y - one)));
        let mut ce_dq_dy = ce * dm * (one - two * p);
        if self.focal.gamma < T::ONE && self.focal.gamma > T::ZERO {
            // With 0 < γ < 1, dm = γ q^{γ−1} is ∞ where q rounds to 0 (|x| ≳ 17 in f32, 37 in
            // f64); ce ~ q there, so ce·dm ~ γ q^γ → 0: the terms take their limit 0, as
            // focalLoss does at p_y = 1 (PyTorch's pow backward gives NaN).
            let at_limit = q.eq_mask(L::zero());
            ce_dq_dx = L::select(at_limit, L::zero(), ce_dq_dx);
            ce_dq_dy = L::select(at_limit, L::zero(), ce_dq_dy);
        }
        let dx0 = s.bce_grad(y, y) * m - ce_dq_dx; // (p − y)·m, p − y without cancellation
        let dy0 = -(x * m) + ce_dq_dy;
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

/// `true` when every value lies in [0, 1] (NaN does not): a fold without early exit, so it vectorizes.
fn in_unit_interval<T: Real>(data: &[T]) -> bool {
    data.iter().fold(true, |ok, &v| ok & (v >= T::ZERO) & (v <= T::ONE))
}

/// Options of [`binary_cross_entropy`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BceOptions<'a, T> {
    /// Element weights, broadcast (NumPy rules) to the input's shape.
    pub weight: Option<Tensor<'a, T>>,
    /// Default 'mean' (÷ element count, also with weight).
    pub reduction: Reduction,
}

/// Binary cross-entropy of probabilities (`F.binary_cross_entropy`):
/// ℓ = −w[y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)].
///
/// Every input must lie in [0, 1] (`INVALID_INPUT`) and every target too (`INVALID_TARGET`),
/// as PyTorch raises.
/// ∂input = w(p − y)/max(p(1 − p), 1e-12); ∂target = −w·ln(p/(1 − p)) (autograd's).
pub fn binary_cross_entropy<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &BceOptions<'_, T>, out: Out<'_, T>) -> Result<T> {
    const F: &str = "binary_cross_entropy";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    input.check(F, "input")?;
    // Every input, and (PyTorch 2.x) every target, must lie in [0, 1], NaN excluded: one
    // branch-free pass over each (it vectorizes), the index looked up only on failure.
    for (arg, data, code) in [("input", input.data, ErrorCode::InvalidInput), ("target", target.data, ErrorCode::InvalidTarget)] {
        if !in_unit_interval(data) {
            let i = data.iter().position(|&v| !(v >= T::ZERO && v <= T::ONE)).unwrap_or(0);
            return Err(LossError::new(
                code,
                F,
                Some(arg),
                format!("elements should all be between 0 and 1, but {arg}[{i}] = {}", data[i].to_f64()),
            ));
        }
    }
    let w = broadcast_to(F, "weight", opts.weight, input.shape())?;
    let args = Args { input, target, param: None, weight: w.as_deref() };
    pointwise::run(F, &Bce, &args, reducer, MeanOver::Count, two_grads(out))
}

/// Options of [`binary_cross_entropy_with_logits`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BceWithLogitsOptions<'a, T> {
    /// Element weights, broadcast to the input's shape.
    pub weight: Option<Tensor<'a, T>>,
    /// Weight of positive examples, broadcast to the input's shape (a (C) tensor applies
    /// along the last dim).
    pub pos_weight: Option<Tensor<'a, T>>,
    /// Default 'mean' (÷ element count).
    pub reduction: Reduction,
}

/// Binary cross-entropy on logits (`F.binary_cross_entropy_with_logits`), stable for any
/// |x|: ℓ = w[(1 − y)x + (1 + (pw − 1)y)·softplus(−x)]. Gradients for input and target.
pub fn binary_cross_entropy_with_logits<T: Real>(
    input: Tensor<'_, T>,
    target: Tensor<'_, T>,
    opts: &BceWithLogitsOptions<'_, T>,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "binary_cross_entropy_with_logits";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    input.check(F, "input")?;
    let w = broadcast_to(F, "weight", opts.weight, input.shape())?;
    let pw = broadcast_to(F, "pos_weight", opts.pos_weight, input.shape())?;
    let loss = BceLogits { pos_weight: pw.is_some() };
    let args = Args { input, target, param: pw.as_deref(), weight: w.as_deref() };
    pointwise::run(F, &loss, &args, reducer, MeanOver::Count, two_grads(out))
}

/// Options of [`kl_div`].
#[derive(Debug, Clone, Copy, Default)]
pub struct KlDivOptions {
    /// The target is given as log-probabilities. Default false.
    pub log_target: bool,
    /// 'none', 'mean' (÷ element count, the default), 'sum', or 'batchmean' (÷ input.shape[0]).
    pub reduction: Reduction,
}

/// Kullback–Leibler divergence (`F.kl_div`), input = log-probabilities: pointwise
/// y(ln y − x) (0 where y = 0, NaN where y < 0), or eʸ(y − x) with `log_target`.
/// 'batchmean' divides by `shape[0]` (the sum for a 0-dim input). Gradients: input −y
/// (or −eʸ), target ln y + 1 − x (or eʸ(y − x + 1)), NaN at y = 0 as PyTorch's autograd.
pub fn kl_div<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &KlDivOptions, out: Out<'_, T>) -> Result<T> {
    const F: &str = "kl_div";
    let batch = input.shape().first().copied().unwrap_or(1);
    let reducer = Reducer::new(F, opts.reduction, Some(batch))?;
    let args = Args { input, target, param: None, weight: None };
    pointwise::run(F, &KlDiv { log_target: opts.log_target }, &args, reducer, MeanOver::Count, two_grads(out))
}

/// Options of [`sigmoid_focal_loss`] (torchvision's defaults).
#[derive(Debug, Clone, Copy)]
pub struct SigmoidFocalOptions {
    /// Weight of positives α ∈ [0, 1]; negative disables the α factor. Default 0.25.
    pub alpha: f64,
    /// Focusing parameter γ. Default 2.
    pub gamma: f64,
    /// Default 'none' (torchvision's).
    pub reduction: Reduction,
}
impl Default for SigmoidFocalOptions {
    fn default() -> Self {
        SigmoidFocalOptions { alpha: 0.25, gamma: 2.0, reduction: Reduction::None }
    }
}

/// torchvision's `sigmoid_focal_loss` on logits: BCEwithLogits(x, y)·(1 − p_t)^γ, times
/// α·y + (1 − α)(1 − y) when α ≥ 0; 'mean' divides by the element count. Gradients for
/// input and target.
pub fn sigmoid_focal_loss<T: Real>(input: Tensor<'_, T>, target: Tensor<'_, T>, opts: &SigmoidFocalOptions, out: Out<'_, T>) -> Result<T> {
    const F: &str = "sigmoid_focal_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let (alpha, gamma) = (opts.alpha, opts.gamma);
    check_option(!alpha.is_nan(), F, "alpha", || "must be a number but is NaN".into())?;
    check_option(!gamma.is_nan(), F, "gamma", || "must be a number but is NaN".into())?;
    let loss = SigmoidFocal { alpha: T::from_f64(alpha), use_alpha: alpha >= 0.0, focal: Focal::new(gamma) };
    let args = Args { input, target, param: None, weight: None };
    pointwise::run(F, &loss, &args, reducer, MeanOver::Count, two_grads(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ce(x: &[f64], shape: &[usize], t: &[i32], t_shape: &[usize], eps: f64, reduction: Reduction) -> f64 {
        let opts = CrossEntropyOptions { label_smoothing: eps, reduction, ..Default::default() };
        cross_entropy(Tensor::new(x, shape), Target::Index(Tensor::new(t, t_shape)), &opts, Out::value()).unwrap()
    }

    #[test]
    fn cross_entropy_basics() {
        // log(e^1 + e^2 + e^3) − 3
        let v = ce(&[1.0, 2.0, 3.0], &[3], &[2], &[], 0.0, Reduction::Mean);
        let want = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln() - 3.0;
        assert!((v - want).abs() < 1e-15);
        // all ignored → NaN (mean), 0 (sum)
        assert!(ce(&[1.0, 2.0, 3.0, 4.0], &[2, 2], &[-100, -100], &[2], 0.0, Reduction::Mean).is_nan());
        assert_eq!(ce(&[1.0, 2.0, 3.0, 4.0], &[2, 2], &[-100, -100], &[2], 0.0, Reduction::Sum), 0.0);
        let x = Tensor::new(&[1.0, 2.0], &[1, 2]);
        let e = cross_entropy(x, Target::Index(Tensor::flat(&[2])), &CrossEntropyOptions::default(), Out::value()).unwrap_err();
        assert_eq!((e.code(), e.arg()), (ErrorCode::InvalidTarget, Some("target")));
        let opts = CrossEntropyOptions { label_smoothing: 1.5, ..Default::default() };
        let e = cross_entropy(x, Target::Index(Tensor::flat(&[1])), &opts, Out::value()).unwrap_err();
        assert_eq!((e.code(), e.arg()), (ErrorCode::InvalidOption, Some("label_smoothing")));
        // large logits stay finite
        let v = ce(&[1e4, -1e4, 0.0], &[1, 3], &[1], &[1], 0.0, Reduction::Mean);
        assert_eq!(v, 2e4);
    }
}
