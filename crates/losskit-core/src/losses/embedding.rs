//! Embedding losses: triplet margin and cosine embedding.
//!
//! | function | ℓ per row | PyTorch |
//! |---|---|---|
//! | [`triplet_margin_loss`] | max(d(a, p) − d(a, n) + margin, 0), d(x, y) = ‖x − y + ε‖_p | `F.triplet_margin_loss` |
//! | [`cosine_embedding_loss`] | 1 − cos (y = 1), max(0, cos − margin) (y = −1), 0 otherwise | `F.cosine_embedding_loss` |
//!
//! Inputs are (N, D) — N rows of D contiguous elements, one loss per row — or (D), one
//! row with a 0-dim output. Both run on the along engine: each row is folded into its
//! sums along D by the SIMD lane (the scalar lane over the tail), the row's loss and its
//! gradient factors come from those sums, and a second sweep along the row writes the
//! gradients. Gradient slots: triplet [anchor, positive, negative]; cosine [input1, input2].

use crate::engine::along::{self, at, put, AlongKernel, SUMS};
use crate::engine::Out;
use crate::error::{check_option, ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduce::{Reducer, Reduction};
use crate::shape::{fmt_shape, Tensor};

/// The rows of an embedding argument: (N, D) gives (N, D, output [N]), (D) gives (1, D, output []).
fn rows_of<T>(func: &'static str, arg: &'static str, t: &Tensor<'_, T>) -> Result<(usize, usize, Vec<usize>)> {
    t.check(func, arg)?;
    match *t.shape() {
        [d] => Ok((1, d, vec![])),
        [n, d] => Ok((n, d, vec![n])),
        _ => Err(LossError::new(
            ErrorCode::ShapeMismatch,
            func,
            Some(arg),
            format!("must have shape (N, D) or (D) but has shape {}", fmt_shape(t.shape())),
        )),
    }
}

// ------------------------------------------------------------------ triplet margin

/// A p-norm ‖x‖_p = (Σ|x_j|^p)^{1/p} and its gradient
/// ∂‖x‖/∂x_j = sgn(x_j)|x_j|^{p−1} / ‖x‖^{p−1} (0 where x_j = 0 or ‖x‖ = 0, as PyTorch).
trait PNorm<T: Real>: Copy {
    /// The max-norm (p = ∞): ‖x‖ = max|x_j|, found by a scan of the row, not a sum.
    const MAX: bool = false;
    /// |x|^p, the summand.
    fn term<L: Lane<Elem = T>>(self, x: L) -> L;
    /// (Σ|x|^p)^{1/p}.
    fn root(self, sum: f64) -> f64;
    /// sgn(x)|x|^{p−1}, 0 at x = 0 (max-norm: sgn(x)·[|x| = ‖x‖]).
    fn slope<L: Lane<Elem = T>>(self, x: L, norm: L) -> L;
    /// ‖x‖^{p−1}, what the slope is divided by.
    fn pow_m1(self, norm: f64) -> f64;
}

/// p = 1: ∂ = sgn x.
#[derive(Clone, Copy)]
struct P1;
impl<T: Real> PNorm<T> for P1 {
    #[inline(always)]
    fn term<L: Lane<Elem = T>>(self, x: L) -> L {
        x.abs()
    }
    #[inline(always)]
    fn root(self, sum: f64) -> f64 {
        sum
    }
    #[inline(always)]
    fn slope<L: Lane<Elem = T>>(self, x: L, _: L) -> L {
        x.signum0()
    }
    #[inline(always)]
    fn pow_m1(self, _: f64) -> f64 {
        1.0
    }
}

/// p = 2: ∂ = x / ‖x‖.
#[derive(Clone, Copy)]
struct P2;
impl<T: Real> PNorm<T> for P2 {
    #[inline(always)]
    fn term<L: Lane<Elem = T>>(self, x: L) -> L {
        x * x
    }
    #[inline(always)]
    fn root(self, sum: f64) -> f64 {
        sum.sqrt()
    }
    #[inline(always)]
    fn slope<L: Lane<Elem = T>>(self, x: L, _: L) -> L {
        x
    }
    #[inline(always)]
    fn pow_m1(self, norm: f64) -> f64 {
        norm
    }
}

/// Any other finite p > 0 (libm `pow`, lane by lane).
#[derive(Clone, Copy)]
struct Pp<T> {
    p: T,
    p_m1: T,
}
impl<T: Real> PNorm<T> for Pp<T> {
    #[inline(always)]
    fn term<L: Lane<Elem = T>>(self, x: L) -> L {
        x.abs().powf(L::splat(self.p))
    }
    #[inline(always)]
    fn root(self, sum: f64) -> f64 {
        sum.powf(1.0 / self.p.to_f64())
    }
    #[inline(always)]
    fn slope<L: Lane<Elem = T>>(self, x: L, _: L) -> L {
        // 0 at x = 0 also for p < 1, where |x|^{p−1} is ∞ (PyTorch masks it the same way).
        let s = x.signum0() * x.abs().powf(L::splat(self.p_m1));
        L::select(x.eq_mask(L::zero()), L::zero(), s)
    }
    #[inline(always)]
    fn pow_m1(self, norm: f64) -> f64 {
        norm.powf(self.p_m1.to_f64())
    }
}

/// p = ∞: ‖x‖ = max|x_j|; the gradient sgn(x_j) goes to the elements at the maximum, split
/// evenly among ties (PyTorch's), so [`pow_m1`](PNorm::pow_m1) is replaced by the tie count.
#[derive(Clone, Copy)]
struct PInf;
impl<T: Real> PNorm<T> for PInf {
    const MAX: bool = true;
    #[inline(always)]
    fn term<L: Lane<Elem = T>>(self, _: L) -> L {
        L::zero()
    }
    #[inline(always)]
    fn root(self, max: f64) -> f64 {
        max
    }
    #[inline(always)]
    fn slope<L: Lane<Elem = T>>(self, x: L, norm: L) -> L {
        L::select(x.abs().eq_mask(norm), x.signum0(), L::zero())
    }
    #[inline(always)]
    fn pow_m1(self, _: f64) -> f64 {
        1.0
    }
}

/// The triplet kernel. Sums: 0 = Σ|a − p + ε|^p, 1 = Σ|a − n + ε|^p, 2 = Σ|p − n + ε|^p (swap).
/// The gradients are ∂a = c_ap·φ(a − p + ε) − c_an·φ(a − n + ε),
/// ∂p = −c_ap·φ(a − p + ε) − c_pn·φ(p − n + ε), ∂n = c_an·φ(a − n + ε) + c_pn·φ(p − n + ε),
/// with φ the norm's slope and c_xy = g·w_xy/‖·‖^{p−1} (w: the share of the hinge's
/// gradient each distance gets; 0 when the hinge is not active).
struct Triplet<'a, T, P> {
    a: &'a [T],
    p: &'a [T],
    n: &'a [T],
    d: usize,
    norm: P,
    eps: T,
    margin: T,
    swap: bool,
    /// The row's gradient factors and norms (c_ap, c_an, c_pn; ‖·‖ of each for the max-norm).
    c: [T; 3],
    norms: [T; 3],
    /// Some factor is not 0 (otherwise the row's gradients are 0).
    active: bool,
    ga: Option<&'a mut [T]>,
    gp: Option<&'a mut [T]>,
    gn: Option<&'a mut [T]>,
}

impl<T: Real, P: PNorm<T>> Triplet<'_, T, P> {
    /// max|x_j| and how many elements reach it, over row `r` of x − y + ε (NaN propagates).
    fn max_abs(&self, x: &[T], y: &[T], r: usize) -> (T, f64) {
        let row = r * self.d..(r + 1) * self.d;
        let mut m = T::ZERO;
        for (&u, &v) in x[row.clone()].iter().zip(&y[row.clone()]) {
            let e = (u - v + self.eps).abs();
            if e > m || e.is_nan() {
                m = e;
            }
        }
        let count = x[row.clone()].iter().zip(&y[row]).filter(|&(&u, &v)| (u - v + self.eps).abs() == m).count();
        (m, count as f64)
    }
}

impl<T: Real, P: PNorm<T>> AlongKernel<T> for Triplet<'_, T, P> {
    #[inline(always)]
    fn fold<L: Lane<Elem = T>>(&self, r: usize, j: usize, acc: &mut [L; SUMS]) {
        if P::MAX {
            return;
        }
        let i = r * self.d + j;
        let eps = L::splat(self.eps);
        let (a, p, n) = (at::<L>(self.a, i), at::<L>(self.p, i), at::<L>(self.n, i));
        acc[0] = acc[0] + self.norm.term(a - p + eps);
        acc[1] = acc[1] + self.norm.term(a - n + eps);
        if self.swap {
            acc[2] = acc[2] + self.norm.term(p - n + eps);
        }
    }

    fn finish(&mut self, r: usize, sums: [f64; SUMS], g: T) -> T {
        // The three distances (d_pn only with swap) in T, as PyTorch's, with the
        // denominators of their gradients: ‖·‖^{p−1}, or the tie count of the max-norm.
        let mut dist = [T::ZERO; 3];
        let mut den = [1.0; 3];
        for k in 0..if self.swap { 3 } else { 2 } {
            if P::MAX {
                let (x, y) = [(self.a, self.p), (self.a, self.n), (self.p, self.n)][k];
                let (m, count) = self.max_abs(x, y, r);
                dist[k] = m;
                den[k] = count;
            } else {
                dist[k] = T::from_f64(self.norm.root(sums[k]));
                den[k] = self.norm.pow_m1(dist[k].to_f64());
            }
        }
        let [d_ap, d_an, d_pn] = dist;
        // min(d_an, d_pn) with swap: NaN if either is; its gradient goes to the smaller one,
        // half and half on a tie, and to both where one is NaN (PyTorch's min backward).
        let (d_neg, w_an, w_pn) = if !self.swap {
            (d_an, 1.0, 0.0)
        } else if d_an == d_pn {
            (d_an, 0.5, 0.5)
        } else if d_an < d_pn {
            (d_an, 1.0, 0.0)
        } else if d_an > d_pn {
            (d_pn, 0.0, 1.0)
        } else {
            (d_an + d_pn, 1.0, 1.0) // a NaN
        };
        let h = (self.margin + d_ap) - d_neg;
        // clamp_min(h, 0): NaN propagates; the gradient passes only where h > 0 (not at 0,
        // not at NaN). A closed hinge still sends its zero through each norm's backward, as
        // autograd does: 0/‖·‖ is NaN for a NaN norm, and 0·φ is NaN for an infinite element.
        let g = if h > T::ZERO { g.to_f64() } else { 0.0 };
        // A zero norm (or a max-norm without a maximum, NaN) has a zero gradient.
        let c = |w: f64, k: usize| if dist[k] == T::ZERO || den[k] == 0.0 { T::ZERO } else { T::from_f64(g * w / den[k]) };
        self.c = [c(1.0, 0), c(w_an, 1), c(w_pn, 2)];
        self.norms = dist;
        // Rows whose factors are all exactly 0 write zeros without reading the row again.
        self.active = self.c.iter().any(|&c| c != T::ZERO);
        if h < T::ZERO {
            T::ZERO
        } else {
            h
        }
    }

    #[inline(always)]
    fn apply<L: Lane<Elem = T>>(&mut self, r: usize, j: usize) {
        let i = r * self.d + j;
        let (mut ua, mut up, mut un) = (L::zero(), L::zero(), L::zero());
        if self.active {
            let eps = L::splat(self.eps);
            let (a, p, n) = (at::<L>(self.a, i), at::<L>(self.p, i), at::<L>(self.n, i));
            let [c_ap, c_an, c_pn] = self.c.map(L::splat);
            let [n_ap, n_an, n_pn] = self.norms.map(L::splat);
            let u_ap = self.norm.slope(a - p + eps, n_ap) * c_ap;
            let u_an = self.norm.slope(a - n + eps, n_an) * c_an;
            ua = u_ap - u_an;
            up = -u_ap;
            un = u_an;
            if self.swap {
                let u_pn = self.norm.slope(p - n + eps, n_pn) * c_pn;
                up = up - u_pn;
                un = un + u_pn;
            }
        }
        if let Some(g) = self.ga.as_deref_mut() {
            put(ua, g, i);
        }
        if let Some(g) = self.gp.as_deref_mut() {
            put(up, g, i);
        }
        if let Some(g) = self.gn.as_deref_mut() {
            put(un, g, i);
        }
    }
}

/// Options of [`triplet_margin_loss`].
#[derive(Debug, Clone, Copy)]
pub struct TripletMarginOptions {
    /// The margin; > 0 (PyTorch rejects the rest). Default 1.
    pub margin: f64,
    /// The norm's degree p > 0 (∞ is the max-norm). Default 2.
    pub p: f64,
    /// Added to every difference before the norm (PyTorch's `pairwise_distance`). Default 1e-6.
    pub eps: f64,
    /// Use min(d(a, n), d(p, n)) as the negative distance. Default false.
    pub swap: bool,
    /// Default 'mean' (over rows).
    pub reduction: Reduction,
}
impl Default for TripletMarginOptions {
    fn default() -> Self {
        TripletMarginOptions { margin: 1.0, p: 2.0, eps: 1e-6, swap: false, reduction: Reduction::Mean }
    }
}

/// Triplet margin loss (`F.triplet_margin_loss`): per row max(d(a, p) − d(a, n) + margin, 0)
/// with d(x, y) = ‖x − y + ε‖_p; with `swap` the negative distance is min(d(a, n), d(p, n)).
///
/// `anchor`, `positive` and `negative` share one shape, (N, D) or (D) (the output is (N)
/// or 0-dim); 'mean' divides by N. Gradients: `out.grads` = [anchor, positive, negative].
/// Autograd's choices are kept: no gradient where the hinge is exactly 0, a swap tie
/// d(a, n) = d(p, n) splits the gradient half and half, and a zero difference vector
/// (possible with `eps` = 0) has a zero norm gradient.
pub fn triplet_margin_loss<T: Real>(
    anchor: Tensor<'_, T>,
    positive: Tensor<'_, T>,
    negative: Tensor<'_, T>,
    opts: &TripletMarginOptions,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "triplet_margin_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let (margin, p) = (opts.margin, opts.p);
    check_option(margin > 0.0, F, "margin", || format!("must be greater than 0 but is {margin}"))?;
    check_option(p > 0.0, F, "p", || format!("must be greater than 0 but is {p}"))?;
    let (n, d, out_shape) = rows_of(F, "anchor", &anchor)?;
    for (name, t) in [("positive", &positive), ("negative", &negative)] {
        t.check(F, name)?;
        t.check_same_shape(F, name, anchor.shape(), "anchor")?;
    }
    if p.is_infinite() && d == 0 {
        return Err(LossError::new(ErrorCode::ShapeMismatch, F, Some("anchor"), "has D = 0, where the inf-norm has no value"));
    }
    let len = anchor.len();
    out.check(F, reducer.is_none(), &out_shape, &[("anchor", len), ("positive", len), ("negative", len)])?;
    let reducer = reducer.mean_over(n as f64);
    let Out { loss, grad_output, grads: [ga, gp, gn] } = out;
    let grad = ga.is_some() || gp.is_some() || gn.is_some();
    let go = grad_output.map(|g| g.data);
    let (a, pos, neg) = (anchor.data, positive.data, negative.data);
    let (eps, margin, swap) = (T::from_f64(opts.eps), T::from_f64(margin), opts.swap);
    macro_rules! go {
        ($norm:expr) => {{
            let z = [T::ZERO; 3];
            let mut k = Triplet { a, p: pos, n: neg, d, norm: $norm, eps, margin, swap, c: z, norms: z, active: false, ga, gp, gn };
            Ok(along::run(&mut k, n, d, reducer, loss, go, grad))
        }};
    }
    if p == 1.0 {
        go!(P1)
    } else if p == 2.0 {
        go!(P2)
    } else if p.is_infinite() {
        go!(PInf)
    } else {
        go!(Pp { p: T::from_f64(p), p_m1: T::from_f64(p - 1.0) })
    }
}

// ------------------------------------------------------------------ cosine embedding

/// PyTorch's EPSILON added to each squared norm: the float 1e-12, in float64 too.
const COSINE_EPS: f64 = 1e-12f32 as f64;

/// The cosine-embedding kernel. Sums: 0 = x₁·x₂, 1 = |x₁|², 2 = |x₂|²; with
/// m_i = |x_i|² + ε, D = √(m₁m₂) and cos = x₁·x₂/D, the gradients are
/// ∂x₁ = k(x₂/D − cos·x₁/m₁), ∂x₂ = k(x₁/D − cos·x₂/m₂), k = g·∂ℓ/∂cos.
struct Cosine<'a, T> {
    x1: &'a [T],
    x2: &'a [T],
    y: &'a [T],
    d: usize,
    margin: T,
    /// The row's k/D, k·cos/m₁, k·cos/m₂.
    c: [T; 3],
    /// Some factor is not 0 (otherwise the row's gradients are 0).
    active: bool,
    g1: Option<&'a mut [T]>,
    g2: Option<&'a mut [T]>,
}

impl<T: Real> AlongKernel<T> for Cosine<'_, T> {
    #[inline(always)]
    fn fold<L: Lane<Elem = T>>(&self, r: usize, j: usize, acc: &mut [L; SUMS]) {
        let i = r * self.d + j;
        let (x1, x2) = (at::<L>(self.x1, i), at::<L>(self.x2, i));
        acc[0] = acc[0] + x1 * x2;
        acc[1] = acc[1] + x1 * x1;
        acc[2] = acc[2] + x2 * x2;
    }

    fn finish(&mut self, r: usize, sums: [f64; SUMS], g: T) -> T {
        // PyTorch's order, in T: cos = prod / sqrt((|x1|² + ε)(|x2|² + ε)).
        let eps = T::from_f64(COSINE_EPS);
        let prod = T::from_f64(sums[0]);
        let (m1, m2) = (T::from_f64(sums[1]) + eps, T::from_f64(sums[2]) + eps);
        let den = (m1 * m2).sqrt();
        let cos = prod / den;
        let y = self.y[r];
        // Labels other than ±1 contribute nothing (PyTorch's where(target == ±1, …, 0)).
        let (loss, slope) = if y == T::ONE {
            (T::ONE - cos, -1.0)
        } else if y == -T::ONE {
            // clamp_min(cos − margin, 0): NaN propagates, no gradient at exactly 0.
            let v = cos - self.margin;
            (if v < T::ZERO { T::ZERO } else { v }, if v > T::ZERO { 1.0 } else { 0.0 })
        } else {
            (T::ZERO, 0.0)
        };
        // Without a gradient (other labels, a closed hinge) k = 0 still flows through the
        // division by the norms, as in autograd: NaN where the row holds a NaN.
        let k = g.to_f64() * slope;
        let (den, cos) = (den.to_f64(), cos.to_f64());
        self.c = [T::from_f64(k / den), T::from_f64(k * cos / m1.to_f64()), T::from_f64(k * cos / m2.to_f64())];
        self.active = self.c.iter().any(|&c| c != T::ZERO);
        loss
    }

    #[inline(always)]
    fn apply<L: Lane<Elem = T>>(&mut self, r: usize, j: usize) {
        let i = r * self.d + j;
        let (mut u1, mut u2) = (L::zero(), L::zero());
        if self.active {
            let (x1, x2) = (at::<L>(self.x1, i), at::<L>(self.x2, i));
            let [a, b1, b2] = self.c.map(L::splat);
            u1 = a * x2 - b1 * x1;
            u2 = a * x1 - b2 * x2;
        }
        if let Some(g) = self.g1.as_deref_mut() {
            put(u1, g, i);
        }
        if let Some(g) = self.g2.as_deref_mut() {
            put(u2, g, i);
        }
    }
}

/// Options of [`cosine_embedding_loss`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CosineEmbeddingOptions {
    /// The margin of the y = −1 term (any value; PyTorch suggests [−1, 1]). Default 0.
    pub margin: f64,
    /// Default 'mean' (over rows).
    pub reduction: Reduction,
}

/// Cosine embedding loss (`F.cosine_embedding_loss`): per row 1 − cos for target 1,
/// max(0, cos − margin) for target −1 and 0 for any other label (as PyTorch, which does
/// not raise), with cos = x₁·x₂ / √((|x₁|² + ε)(|x₂|² + ε)) and ε the float 1e-12
/// (9.999999960041972e-13, also in f64), so zero vectors give finite values.
///
/// `input1` and `input2` share one shape, (N, D) with a target of shape (N), or (D) with a
/// 0-dim target; 'mean' divides by N. Gradients: `out.grads` = [input1, input2] (the target
/// has none). No gradient where the −1 hinge is exactly 0.
pub fn cosine_embedding_loss<T: Real>(
    input1: Tensor<'_, T>,
    input2: Tensor<'_, T>,
    target: Tensor<'_, T>,
    opts: &CosineEmbeddingOptions,
    out: Out<'_, T>,
) -> Result<T> {
    const F: &str = "cosine_embedding_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    let (n, d, out_shape) = rows_of(F, "input1", &input1)?;
    input2.check(F, "input2")?;
    input2.check_same_shape(F, "input2", input1.shape(), "input1")?;
    target.check(F, "target")?;
    if target.shape() != out_shape.as_slice() {
        return Err(LossError::new(
            ErrorCode::ShapeMismatch,
            F,
            Some("target"),
            format!(
                "has shape {} but must have shape {} (one label per row of input1, shape {})",
                fmt_shape(target.shape()),
                fmt_shape(&out_shape),
                fmt_shape(input1.shape())
            ),
        ));
    }
    let len = input1.len();
    out.check(F, reducer.is_none(), &out_shape, &[("input1", len), ("input2", len)])?;
    let reducer = reducer.mean_over(n as f64);
    let Out { loss, grad_output, grads: [g1, g2, _] } = out;
    let grad = g1.is_some() || g2.is_some();
    let mut k = Cosine {
        x1: input1.data,
        x2: input2.data,
        y: target.data,
        d,
        margin: T::from_f64(opts.margin),
        c: [T::ZERO; 3],
        active: false,
        g1,
        g2,
    };
    Ok(along::run(&mut k, n, d, reducer, loss, grad_output.map(|g| g.data), grad))
}
