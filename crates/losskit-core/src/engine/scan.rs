//! Alignment lattices scanned forward and backward: the dynamic programme of CTC.
//!
//! A sequence of S labels l₀ … l_{S−1} is extended with blanks to 2S + 1 positions
//! (blank, l₀, blank, l₁, …, blank). A path moves through them over T steps; from a
//! position it may stay, advance by one, or skip the blank between two labels that differ.
//! This module keeps the two kinds of position in two rows per step — blanks `B[k]`
//! (k = 0 … S) and labels `L[k]` (k = 0 … S − 1) — so every transition is a contiguous load:
//!
//! ```text
//! α_t(B[k]) = e_t(blank) + lse(α_{t−1}(B[k]), α_{t−1}(L[k−1]))
//! α_t(L[k]) = e_t(l_k)   + lse(α_{t−1}(L[k]), α_{t−1}(B[k]), α_{t−1}(L[k−1]) + skip_k)
//! ```
//!
//! with skip_k = 0 where l_k ≠ l_{k−1}, else −∞ (a repeated label needs a blank between).
//! All positions of one step depend only on the previous step, so each row is computed by
//! the SIMD lane over its body and the scalar lane over its tail (the scalar twin: all
//! scalar). The backward pass is the mirror image, and the two meet in the occupancies
//! γ_t(s) = exp(α_t(s) + β̃_t(s) − ln p), β̃ being the backward value without the step's
//! own emission (so no −∞ − (−∞) arises where an emission is impossible).
//!
//! Two scans compute this: one in probabilities (see `forward_linear`), sums of products
//! with each row rescaled, which needs no exp or ln per cell and serves wherever no value
//! nears f64's underflow (and says when one does), and the one in log space described here,
//! which never underflows.
//!
//! Accuracy: every row is stored relative to the previous row's maximum, whose running sum
//! (the row's offset) is kept in f64, so stored values stay near 0 whatever ln p grows to.
//! The scan is generic over the element type, but `ctc_loss` runs it in f64 for both
//! dtypes: in f32, each step rounds values of size ~|ln p_t| at 1e-7 relative, and over
//! T = 1000 steps that compounds to ~1e-4 in the occupancies (measured), beyond the 1e-5
//! the f32 results promise.

use super::along::{at, put};
use super::simd_body;
use crate::error::Result;
use crate::real::{Lane, Real};
use crate::shape::try_filled;

/// `ln(eᵃ + eᵇ)` = max + ln(1 + e^{−|a − b|}): −∞ when both are −∞, NaN when either is NaN.
/// The label recursions' three-term sums are two of these: lse(a, b, c) = lse(a, lse(b, c)),
/// the inner one shared with the neighbouring blank.
/// `ln(1 + e)` rather than `ln_1p(e)`: e ∈ [0, 1], and in log space only the absolute error
/// counts (one ulp of 1), so the cheaper ln serves.
#[inline(always)]
fn lse2<L: Lane>(a: L, b: L) -> L {
    let m = b.max_nan(a);
    let r = m + (L::one() + (-(a - b).abs()).exp()).ln();
    // Both −∞ (or one NaN and the other −∞): a + b is −∞ (or NaN), where r would be NaN (or −∞).
    L::select(m.eq_mask(L::splat(neg_inf())), a + b, r)
}

#[inline(always)]
fn neg_inf<T: Real>() -> T {
    T::from_f64(f64::NEG_INFINITY)
}

/// The running maximum of a row (NaN ignored: a NaN row is NaN whatever it is shifted by).
#[inline(always)]
fn lane_max<L: Lane>(m: L, v: L) -> L {
    m.max_nan(v)
}

/// What a row is shifted by: its maximum, or 0 when it has none (all −∞ or +∞ somewhere).
#[inline(always)]
fn shift_of<T: Real>(max: T) -> T {
    let m = max.to_f64();
    if m.is_finite() {
        max
    } else {
        T::ZERO
    }
}

/// The lattice of one sequence and its scratch rows, reused from sequence to sequence.
///
/// Row layout: a step's blank row and label row are `stride` = S + 3 elements each, the
/// values at 1 … (S + 1 blanks, S labels) between −∞ guards, so `L[k − 1]` at k = 0 and
/// `L[k + 1]`, `B[k + 1]` at the ends read −∞ without a branch.
pub(crate) struct Scan<T> {
    func: &'static str,
    steps: usize,
    labels: usize,
    stride: usize,
    /// α of every step (blank row, then label row), each relative to its offset.
    alpha: Vec<T>,
    /// The offset of each step's α row (f64: the sum of the shifts before it).
    offsets: Vec<f64>,
    /// Label emissions e_t(l_k), `labels` per step; blank emissions one per step.
    emit: Vec<T>,
    emit_blank: Vec<T>,
    /// skip_k (0 or −∞) for k = 0 … S (the last one −∞, read by the backward pass).
    skip: Vec<T>,
    /// Backward rows: β̃_t and β_{t+1} (blank row, label row each).
    tilde: Vec<T>,
    beta: Vec<T>,
    /// The label occupancies of one step.
    gamma: Vec<T>,
    /// The linear scan's emissions, e^{e − M_t} with M_t the step's largest (labels, blanks),
    /// and M_t itself.
    prob: Vec<T>,
    prob_blank: Vec<T>,
    emit_max: Vec<f64>,
}

impl<T: Real> Scan<T> {
    pub(crate) fn new(func: &'static str) -> Self {
        Scan {
            func,
            steps: 0,
            labels: 0,
            stride: 3,
            alpha: Vec::new(),
            offsets: Vec::new(),
            emit: Vec::new(),
            emit_blank: Vec::new(),
            skip: Vec::new(),
            tilde: Vec::new(),
            beta: Vec::new(),
            gamma: Vec::new(),
            prob: Vec::new(),
            prob_blank: Vec::new(),
            emit_max: Vec::new(),
        }
    }

    /// Sizes the lattice for `steps` steps and the labels `labels` (skip flags from their
    /// repeats); every buffer is allocated fallibly (`OUT_OF_MEMORY`). The caller then fills
    /// the emissions through [`emissions`](Self::emissions).
    pub(crate) fn prepare(&mut self, steps: usize, labels: &[i32]) -> Result<()> {
        let s = labels.len();
        self.steps = steps;
        self.labels = s;
        self.stride = s + 3;
        let f = self.func;
        let inf = neg_inf::<T>();
        // Sizes are bounded by the checked input: steps·S ≤ T·(targets' length) elements,
        // and steps·(2S + 6) by a small multiple of that plus 6T.
        let rows = steps.saturating_mul(2 * self.stride);
        // Rows every pass fills before it reads them only need their size.
        size(f, &mut self.alpha, rows, inf)?;
        refill(f, &mut self.offsets, steps, 0.0)?;
        refill(f, &mut self.emit, steps.saturating_mul(s), T::ZERO)?;
        refill(f, &mut self.emit_blank, steps, T::ZERO)?;
        refill(f, &mut self.skip, s + 1, inf)?;
        size(f, &mut self.tilde, 2 * self.stride, inf)?;
        size(f, &mut self.beta, 2 * self.stride, inf)?;
        size(f, &mut self.gamma, s, T::ZERO)?;
        size(f, &mut self.prob, steps.saturating_mul(s), T::ZERO)?;
        size(f, &mut self.prob_blank, steps, T::ZERO)?;
        size(f, &mut self.emit_max, steps, 0.0)?;
        for k in 1..s {
            if labels[k] != labels[k - 1] {
                self.skip[k] = T::ZERO;
            }
        }
        Ok(())
    }

    /// The positions of step t that lie on some complete path, as `(blanks, labels)` ranges
    /// of k: reachable from the start (position s ≤ 2t + 1, so k ≤ t) and able to reach the
    /// end in the r = steps − 1 − t steps left, two positions a step at most
    /// (s ≥ 2S − 1 − 2r). Outside the band α·β̃ is 0, so neither pass computes it: the cells
    /// keep the −∞ they were filled with (every predecessor of a cell in the band is in the
    /// previous step's band, and the band's lower edge only falls as the backward pass goes).
    fn band(&self, t: usize) -> ((usize, usize), (usize, usize)) {
        let (s, r) = (self.labels, self.steps - 1 - t);
        let blanks = (s.saturating_sub(r), s.min(t) + 1);
        let labels = if s == 0 { (0, 0) } else { ((s - 1).saturating_sub(r), (s - 1).min(t) + 1) };
        let fix = |(a, b): (usize, usize)| (a.min(b), b);
        (fix(blanks), fix(labels))
    }

    /// The emission rows to fill: blank emissions (one per step) and label emissions
    /// (`labels` per step, step-major).
    pub(crate) fn emissions(&mut self) -> (&mut [T], &mut [T]) {
        (&mut self.emit_blank, &mut self.emit)
    }

    /// The forward pass: α over every step; returns ln p(labels), −∞ when no path exists.
    pub(crate) fn forward(&mut self) -> f64 {
        let (steps, s, p) = (self.steps, self.labels, self.stride);
        if steps == 0 {
            return if s == 0 { 0.0 } else { f64::NEG_INFINITY };
        }
        // (The linear scan may have used the rows.)
        self.alpha.fill(neg_inf());
        // Step 0: a path starts at the first blank or the first label.
        self.alpha[1] = self.emit_blank[0];
        if s > 0 {
            self.alpha[p + 1] = self.emit[0];
        }
        let mut max = if s > 0 { lane_max(self.emit_blank[0], self.emit[0]) } else { self.emit_blank[0] };
        let mut offset = 0.0;
        for t in 1..steps {
            let shift = shift_of(max);
            offset += shift.to_f64();
            self.offsets[t] = offset;
            let ((b0, b1), (l0, l1)) = self.band(t);
            let (done, rest) = self.alpha.split_at_mut(t * 2 * p);
            let prev = &done[(t - 1) * 2 * p..];
            let cur = &mut rest[..2 * p];
            let eb = self.emit_blank[t] - shift;
            let e = &self.emit[t * s..(t + 1) * s];
            // Blank k and label k share lse(α(B[k]), α(L[k−1])): one pass computes both for
            // k < S (the union of their bands; a cell off its band gets its true value, unused),
            // then the last blank.
            let (from, to) = (if l0 < l1 { b0.min(l0) } else { b0 }, b1.max(l1).min(s));
            let mut m = neg_inf::<T>();
            if from < to {
                let mid = split::<T>(from, to);
                m = lane_max(m, fold_max(forward_pairs::<T::Vector>(prev, cur, p, eb, e, &self.skip, shift, from, mid)));
                m = lane_max(m, forward_pairs::<T>(prev, cur, p, eb, e, &self.skip, shift, mid, to));
            }
            if b1 > s {
                m = lane_max(m, forward_blanks::<T>(prev, cur, p, eb, s, s + 1));
            }
            max = m;
        }
        // ln p = offset + ln(e^{α(B[S])} + e^{α(L[S−1])}) (L[−1] is the guard, −∞, when S = 0).
        let last = &self.alpha[(steps - 1) * 2 * p..];
        let end = lse2(last[1 + s], last[p + s]);
        self.offsets[steps - 1] + end.to_f64()
    }

    /// The backward pass, given ln p from [`forward`](Self::forward): calls
    /// `step(t, γ_blank, γ_labels)` for t = steps − 1 down to 0, with the occupancy summed
    /// over the blanks and that of each label position; ln p must be finite (an impossible
    /// target has no occupancies: its band may be empty).
    pub(crate) fn backward(&mut self, log_p: f64, mut step: impl FnMut(usize, T, &[T])) {
        let (steps, s, p) = (self.steps, self.labels, self.stride);
        if steps == 0 {
            return;
        }
        let inf = neg_inf::<T>();
        self.tilde.fill(inf);
        self.beta.fill(inf);
        // (The linear scan may have used the occupancies.)
        self.gamma.fill(T::ZERO);
        // β̃ at the last step: the path must end at the last blank or the last label.
        self.tilde[1 + s] = T::ZERO;
        if s > 0 {
            self.tilde[p + s] = T::ZERO;
        }
        let mut offset = 0.0;
        let mut t = steps - 1;
        loop {
            // γ_t = exp(α_t + β̃_t + k), k = the two offsets − ln p (formed in f64).
            let k = T::from_f64(self.offsets[t] + offset - log_p);
            let a = &self.alpha[t * 2 * p..(t + 1) * 2 * p];
            let ((b0, b1), (l0, l1)) = self.band(t);
            let mid = split::<T>(b0, b1);
            let mut blank = occupancy_blanks::<T::Vector>(a, &self.tilde, k, b0, mid).sum_f64();
            blank += occupancy_blanks::<T>(a, &self.tilde, k, mid, b1).to_f64();
            let mid = split::<T>(l0, l1);
            occupancy_labels::<T::Vector>(a, &self.tilde, p, k, &mut self.gamma, l0, mid);
            occupancy_labels::<T>(a, &self.tilde, p, k, &mut self.gamma, mid, l1);
            // The band only shrinks from above as t falls: the label left above it held step t + 1's γ.
            if l1 < s {
                self.gamma[l1] = T::ZERO;
            }
            step(t, T::from_f64(blank), &self.gamma);
            if t == 0 {
                break;
            }
            // β_t = e_t + β̃_t, then β̃_{t−1} from β_t shifted by its maximum.
            let eb = self.emit_blank[t];
            let e = &self.emit[t * s..(t + 1) * s];
            let mut m = inf;
            let mid = split::<T>(b0, b1);
            m = lane_max(m, fold_max(add_emission::<T::Vector>(&self.tilde, &mut self.beta, 1, T::Vector::splat(eb), None, b0, mid)));
            m = lane_max(m, add_emission::<T>(&self.tilde, &mut self.beta, 1, eb, None, mid, b1));
            let mid = split::<T>(l0, l1);
            m = lane_max(m, fold_max(add_emission::<T::Vector>(&self.tilde, &mut self.beta, p + 1, T::Vector::zero(), Some(e), l0, mid)));
            m = lane_max(m, add_emission::<T>(&self.tilde, &mut self.beta, p + 1, T::ZERO, Some(e), mid, l1));
            let shift = shift_of(m);
            offset += shift.to_f64();
            t -= 1;
            let ((b0, b1), (l0, l1)) = self.band(t);
            // Blanks first, one past the band (label t reads blank t + 1), then the labels,
            // which reuse them: β̃(L[k]) = lse(β(L[k]), β̃(B[k + 1])) where skipping is allowed.
            let b1 = b1.max((t + 2).min(s + 1));
            let mid = split::<T>(b0, b1);
            backward_blanks::<LogSpace, T::Vector>(&self.beta, &mut self.tilde, p, -shift, b0, mid);
            backward_blanks::<LogSpace, T>(&self.beta, &mut self.tilde, p, -shift, mid, b1);
            let mid = split::<T>(l0, l1);
            backward_labels::<LogSpace, T::Vector>(&self.beta, &mut self.tilde, p, &self.skip, -shift, l0, mid);
            backward_labels::<LogSpace, T>(&self.beta, &mut self.tilde, p, &self.skip, -shift, mid, l1);
        }
    }
}

/// Below this, a value of the linear scan that is not exactly 0 is near f64's underflow
/// (2.2e-308, where digits start to go): the linear scan stops and the log-space one runs.
const TINY: f64 = 1e-280;

/// The linear scan: the same lattice and bands as the log-space passes, with probabilities
/// in place of their logarithms. Each step's emissions are e^{e − M_t} (M_t the step's
/// largest) and each row is divided by the previous row's maximum, the logarithms of both
/// kept in f64; a cell is then a sum of products, with no exp or ln per cell (the log-space
/// scan takes one of each per cell and pass). It is exact to rounding while no value nears
/// underflow: a cell whose value falls below [`TINY`] while it is not exactly 0 (or an
/// emission that does), a NaN or +∞ emission, makes it give up (`None` / `false`), and the
/// caller runs the log-space passes instead, which never underflow.
impl Scan<f64> {
    /// The emission probabilities e^{e − M_t}; `false` when one nears underflow or M_t is NaN or +∞.
    fn linear_emissions(&mut self) -> bool {
        type V = <f64 as Real>::Vector;
        let s = self.labels;
        let mut bad = 0.0;
        for t in 0..self.steps {
            let e = &self.emit[t * s..(t + 1) * s];
            let eb = self.emit_blank[t];
            let m = e.iter().fold(eb, |m, &v| if v > m || v.is_nan() { v } else { m }); // NaN sticks
            if m.is_nan() || m == f64::INFINITY {
                return false;
            }
            // No emission possible at t (M_t = −∞): every probability is e^{−∞} = 0.
            let m = if m == f64::NEG_INFINITY { 0.0 } else { m };
            self.emit_max[t] = m;
            let y = &mut self.prob[t * s..(t + 1) * s];
            let mid = split::<f64>(0, s);
            bad = lane_max(bad, fold_max(emission_probs::<V>(e, y, m, 0, mid)));
            bad = lane_max(bad, emission_probs::<f64>(e, y, m, mid, s));
            let yb = (eb - m).exp();
            bad = lane_max(bad, flushed(yb, eb));
            self.prob_blank[t] = yb;
        }
        bad == 0.0
    }

    /// The forward pass in probabilities: ln p(labels) (−∞ when no path exists), or `None`
    /// when a value nears underflow (then [`forward`](Self::forward) gives it).
    pub(crate) fn forward_linear(&mut self) -> Option<f64> {
        type V = <f64 as Real>::Vector;
        let (steps, s, p) = (self.steps, self.labels, self.stride);
        if steps == 0 {
            return Some(if s == 0 { 0.0 } else { f64::NEG_INFINITY });
        }
        if !self.linear_emissions() {
            return None;
        }
        self.alpha.fill(0.0);
        self.alpha[1] = self.prob_blank[0];
        if s > 0 {
            self.alpha[p + 1] = self.prob[0];
        }
        let mut max = if s > 0 { lane_max(self.prob_blank[0], self.prob[0]) } else { self.prob_blank[0] };
        // ln of what the stored row is to be multiplied by: Σ M_t and the maxima divided out.
        let mut log_scale = self.emit_max[0];
        for t in 1..steps {
            if max == 0.0 {
                return Some(f64::NEG_INFINITY); // no path reaches step t
            }
            let inv = 1.0 / max;
            log_scale += max.ln() + self.emit_max[t];
            let ((b0, b1), (l0, l1)) = self.band(t);
            let (done, rest) = self.alpha.split_at_mut(t * 2 * p);
            let prev = &done[(t - 1) * 2 * p..];
            let cur = &mut rest[..2 * p];
            let yb = self.prob_blank[t];
            let y = &self.prob[t * s..(t + 1) * s];
            let (from, to) = (if l0 < l1 { b0.min(l0) } else { b0 }, b1.max(l1).min(s));
            let (mut m, mut bad) = (0.0, 0.0);
            if from < to {
                let mid = split::<f64>(from, to);
                let (mv, bv) = linear_pairs::<V>(prev, cur, p, yb, y, &self.skip, inv, from, mid);
                let (ms, bs) = linear_pairs::<f64>(prev, cur, p, yb, y, &self.skip, inv, mid, to);
                m = lane_max(fold_max(mv), ms);
                bad = lane_max(fold_max(bv), bs);
            }
            if b1 > s {
                // The last blank: B[S] = y_blank·(B[S] + L[S − 1]).
                let x = prev[1 + s] + prev[p + s];
                // x·inv first (≥ TINY/3 when x ≥ TINY): yb·x could fall below f64's normal
                // range and come back above TINY once divided by a small maximum.
                let v = yb * (x * inv);
                cur[1 + s] = v;
                m = lane_max(m, v);
                bad = lane_max(bad, flushed_product(v, x, yb));
            }
            if bad != 0.0 {
                return None;
            }
            max = m;
        }
        let last = &self.alpha[(steps - 1) * 2 * p..];
        let end = last[1 + s] + last[p + s];
        Some(log_scale + end.ln())
    }

    /// The backward pass in probabilities after [`forward_linear`](Self::forward_linear)
    /// found a path: calls `step` as [`backward`](Self::backward) does, each step's
    /// occupancies normalised by their own total (Σ_s α_t(s)·β̃_t(s) = p at every t); `false`
    /// when a value nears underflow, possibly after some calls of `step` (the caller then
    /// runs the log-space passes, which call it again for every step).
    pub(crate) fn backward_linear(&mut self, mut step: impl FnMut(usize, f64, &[f64])) -> bool {
        type V = <f64 as Real>::Vector;
        let (steps, s, p) = (self.steps, self.labels, self.stride);
        if steps == 0 {
            return true;
        }
        self.tilde.fill(0.0);
        self.beta.fill(0.0);
        self.gamma.fill(0.0);
        self.tilde[1 + s] = 1.0;
        if s > 0 {
            self.tilde[p + s] = 1.0;
        }
        let mut t = steps - 1;
        loop {
            let a = &self.alpha[t * 2 * p..(t + 1) * 2 * p];
            let ((b0, b1), (l0, l1)) = self.band(t);
            let mid = split::<f64>(b0, b1);
            let mut blank = occupancy_blanks_linear::<V>(a, &self.tilde, b0, mid).sum_f64();
            blank += occupancy_blanks_linear::<f64>(a, &self.tilde, mid, b1);
            let mid = split::<f64>(l0, l1);
            occupancy_labels_linear::<V>(a, &self.tilde, p, &mut self.gamma, l0, mid);
            occupancy_labels_linear::<f64>(a, &self.tilde, p, &mut self.gamma, mid, l1);
            if l1 < s {
                self.gamma[l1] = 0.0;
            }
            let total = blank + self.gamma[l0..l1].iter().sum::<f64>();
            if total.is_nan() || total < TINY {
                return false;
            }
            let inv = 1.0 / total;
            self.gamma[l0..l1].iter_mut().for_each(|g| *g *= inv);
            step(t, blank * inv, &self.gamma);
            if t == 0 {
                return true;
            }
            // β_t = y_t·β̃_t, then β̃_{t−1} from β_t divided by its maximum.
            let yb = self.prob_blank[t];
            let y = &self.prob[t * s..(t + 1) * s];
            let mid = split::<f64>(b0, b1);
            let (mv, bv) = emission_linear::<V>(&self.tilde, &mut self.beta, 1, V::splat(yb), None, b0, mid);
            let (ms, bs) = emission_linear::<f64>(&self.tilde, &mut self.beta, 1, yb, None, mid, b1);
            let (mut m, mut bad) = (lane_max(fold_max(mv), ms), lane_max(fold_max(bv), bs));
            let mid = split::<f64>(l0, l1);
            let (mv, bv) = emission_linear::<V>(&self.tilde, &mut self.beta, p + 1, V::zero(), Some(y), l0, mid);
            let (ms, bs) = emission_linear::<f64>(&self.tilde, &mut self.beta, p + 1, 0.0, Some(y), mid, l1);
            m = lane_max(m, lane_max(fold_max(mv), ms));
            bad = lane_max(bad, lane_max(fold_max(bv), bs));
            if bad != 0.0 || m == 0.0 {
                return false;
            }
            let inv = 1.0 / m;
            t -= 1;
            let ((b0, b1), (l0, l1)) = self.band(t);
            let b1 = b1.max((t + 2).min(s + 1));
            let mid = split::<f64>(b0, b1);
            backward_blanks::<Linear, V>(&self.beta, &mut self.tilde, p, inv, b0, mid);
            backward_blanks::<Linear, f64>(&self.beta, &mut self.tilde, p, inv, mid, b1);
            let mid = split::<f64>(l0, l1);
            backward_labels::<Linear, V>(&self.beta, &mut self.tilde, p, &self.skip, inv, l0, mid);
            backward_labels::<Linear, f64>(&self.beta, &mut self.tilde, p, &self.skip, inv, mid, l1);
        }
    }
}

/// Where a product `v` = x·y of two values that are not 0 fell below [`TINY`]: min(x, y)
/// (> 0), else 0. (Every value is ≥ 0 and none is NaN: NaN emissions take the log space.)
#[inline(always)]
fn flushed_product<L: Lane>(v: L, x: L, y: L) -> L {
    L::select(v.lt_mask(L::splat(L::Elem::from_f64(TINY))), x.min_nan(y), L::zero())
}

/// Where an emission probability `y` = e^{e − M} fell below [`TINY`] though e > −∞: 1, else 0.
#[inline(always)]
fn flushed<L: Lane>(y: L, e: L) -> L {
    let finite = e.gt_mask(L::splat(neg_inf()));
    L::select(y.lt_mask(L::splat(L::Elem::from_f64(TINY))), L::indicator(finite), L::zero())
}

/// y[k] = e^{e[k] − m} for k in `from..to`; returns where one fell below [`TINY`] (see [`flushed`]).
#[inline(always)]
fn emission_probs<L: Lane>(e: &[L::Elem], y: &mut [L::Elem], m: L::Elem, from: usize, to: usize) -> L {
    let m = L::splat(m);
    let mut bad = L::zero();
    let mut k = from;
    while k < to {
        let ek = at::<L>(e, k);
        let v = (ek - m).exp();
        put(v, y, k);
        bad = lane_max(bad, flushed(v, ek));
        k += L::WIDTH;
    }
    bad
}

/// The linear [`forward_pairs`]: x = α(B[k]) + α(L[k−1]); B[k] = y_blank·x, L[k] =
/// y(l_k)·(α(L[k]) + (x if l_k ≠ l_{k−1} else α(B[k]))), each times `inv`; returns the
/// running maximum and where a product fell below [`TINY`].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn linear_pairs<L: Lane>(
    prev: &[L::Elem],
    cur: &mut [L::Elem],
    p: usize,
    yb: L::Elem,
    y: &[L::Elem],
    skip: &[L::Elem],
    inv: L::Elem,
    from: usize,
    to: usize,
) -> (L, L) {
    let (yb, ybi, inv) = (L::splat(yb), L::splat(yb * inv), L::splat(inv));
    let (mut m, mut bad) = (L::zero(), L::zero());
    let mut k = from;
    while k < to {
        let blank = at::<L>(prev, 1 + k);
        let x = blank + at::<L>(prev, p + k);
        let vb = ybi * x;
        put(vb, cur, 1 + k);
        let allowed = at::<L>(skip, k).eq_mask(L::zero());
        let yk = at::<L>(y, k);
        let sum = at::<L>(prev, p + 1 + k) + L::select(allowed, x, blank);
        let vl = yk * (sum * inv);
        put(vl, cur, p + 1 + k);
        m = lane_max(lane_max(m, vb), vl);
        bad = lane_max(bad, lane_max(flushed_product(vb, x, yb), flushed_product(vl, sum, yk)));
        k += L::WIDTH;
    }
    (m, bad)
}

/// The linear [`add_emission`]: β_t = y_t·β̃_t; returns the running maximum and where a
/// product fell below [`TINY`].
#[inline(always)]
fn emission_linear<L: Lane>(
    tilde: &[L::Elem],
    beta: &mut [L::Elem],
    base: usize,
    yb: L,
    y: Option<&[L::Elem]>,
    from: usize,
    to: usize,
) -> (L, L) {
    let (mut m, mut bad) = (L::zero(), L::zero());
    let mut k = from;
    while k < to {
        let yk = match y {
            Some(y) => at::<L>(y, k),
            None => yb,
        };
        let b = at::<L>(tilde, base + k);
        let v = yk * b;
        put(v, beta, base + k);
        m = lane_max(m, v);
        bad = lane_max(bad, flushed_product(v, b, yk));
        k += L::WIDTH;
    }
    (m, bad)
}

/// Σ_k α_t(B[k])·β̃_t(B[k]) over k in `from..to`, lane by lane (unnormalised).
#[inline(always)]
fn occupancy_blanks_linear<L: Lane>(a: &[L::Elem], tilde: &[L::Elem], from: usize, to: usize) -> L {
    let mut sum = L::zero();
    let mut k = from;
    while k < to {
        sum = sum + at::<L>(a, 1 + k) * at::<L>(tilde, 1 + k);
        k += L::WIDTH;
    }
    sum
}

/// α_t(L[k])·β̃_t(L[k]) into `gamma[k]` for k in `from..to` (unnormalised).
#[inline(always)]
fn occupancy_labels_linear<L: Lane>(a: &[L::Elem], tilde: &[L::Elem], p: usize, gamma: &mut [L::Elem], from: usize, to: usize) {
    let mut k = from;
    while k < to {
        put(at::<L>(a, p + 1 + k) * at::<L>(tilde, p + 1 + k), gamma, k);
        k += L::WIDTH;
    }
}

/// Where the SIMD lane stops and the scalar tail starts in `from..to`.
#[inline(always)]
fn split<T: Real>(from: usize, to: usize) -> usize {
    from + simd_body::<T>(to.saturating_sub(from))
}

/// Resizes `v` to `n` copies of `value`, growing it fallibly.
fn refill<E: Copy>(func: &'static str, v: &mut Vec<E>, n: usize, value: E) -> Result<()> {
    if v.capacity() < n {
        *v = try_filled(func, "log_probs", n, value)?;
    } else {
        v.clear();
        v.resize(n, value);
    }
    Ok(())
}

/// Sizes `v` to `n` elements for a buffer that is filled before it is read: grows it
/// fallibly (as [`refill`]), else keeps what it holds.
fn size<E: Copy>(func: &'static str, v: &mut Vec<E>, n: usize, value: E) -> Result<()> {
    if v.len() < n {
        refill(func, v, n, value)
    } else {
        v.truncate(n);
        Ok(())
    }
}

/// The maximum of a lane's elements, as a scalar lane.
#[inline(always)]
fn fold_max<L: Lane>(v: L) -> L::Elem {
    let mut m = neg_inf::<L::Elem>();
    for &x in v.to_lanes().as_ref() {
        m = lane_max(m, x);
    }
    m
}

/// α_t(B[k]) for k in `from..to` (lane by lane); returns the lanes' running maximum.
#[inline(always)]
fn forward_blanks<L: Lane>(prev: &[L::Elem], cur: &mut [L::Elem], p: usize, eb: L::Elem, from: usize, to: usize) -> L {
    let eb = L::splat(eb);
    let mut m = L::splat(neg_inf());
    let mut k = from;
    while k < to {
        let v = eb + lse2(at::<L>(prev, 1 + k), at::<L>(prev, p + k));
        put(v, cur, 1 + k);
        m = lane_max(m, v);
        k += L::WIDTH;
    }
    m
}

/// α_t(B[k]) and α_t(L[k]) for k in `from..to` (k < S): with x = lse(α(B[k]), α(L[k−1])),
/// B[k] = e_blank + x and L[k] = e(l_k) + lse(α(L[k]), x if l_k ≠ l_{k−1} else α(B[k]))
/// (each less the shift); returns the lanes' running maximum.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn forward_pairs<L: Lane>(
    prev: &[L::Elem],
    cur: &mut [L::Elem],
    p: usize,
    eb: L::Elem,
    e: &[L::Elem],
    skip: &[L::Elem],
    shift: L::Elem,
    from: usize,
    to: usize,
) -> L {
    let (eb, shift) = (L::splat(eb), L::splat(shift));
    let mut m = L::splat(neg_inf());
    let mut k = from;
    while k < to {
        let blank = at::<L>(prev, 1 + k);
        let x = lse2(blank, at::<L>(prev, p + k));
        let vb = eb + x;
        put(vb, cur, 1 + k);
        let allowed = at::<L>(skip, k).eq_mask(L::zero());
        let vl = (at::<L>(e, k) - shift) + lse2(at::<L>(prev, p + 1 + k), L::select(allowed, x, blank));
        put(vl, cur, p + 1 + k);
        m = lane_max(lane_max(m, vb), vl);
        k += L::WIDTH;
    }
    m
}

/// β_t = e_t + β̃_t for one row (blank row: `base` 1 and the splat `eb`; label row: `base`
/// p + 1 and the emissions `e`), elements `from..to`; returns the running maximum.
#[inline(always)]
fn add_emission<L: Lane>(tilde: &[L::Elem], beta: &mut [L::Elem], base: usize, eb: L, e: Option<&[L::Elem]>, from: usize, to: usize) -> L {
    let mut m = L::splat(neg_inf());
    let mut k = from;
    while k < to {
        let em = match e {
            Some(e) => at::<L>(e, k),
            None => eb,
        };
        let v = em + at::<L>(tilde, base + k);
        put(v, beta, base + k);
        m = lane_max(m, v);
        k += L::WIDTH;
    }
    m
}

/// How the two scans combine values: the log-space one adds probabilities with a
/// log-sum-exp and rescales a row by subtracting its shift; the linear one adds and multiplies.
trait Domain {
    /// The probability of either of two disjoint events.
    fn plus<L: Lane>(a: L, b: L) -> L;
    /// A value rescaled by `scale` (log space: −shift; linear: 1/max).
    fn rescale<L: Lane>(v: L, scale: L) -> L;
}

/// Values are logarithms.
struct LogSpace;
impl Domain for LogSpace {
    #[inline(always)]
    fn plus<L: Lane>(a: L, b: L) -> L {
        lse2(a, b)
    }
    #[inline(always)]
    fn rescale<L: Lane>(v: L, scale: L) -> L {
        v + scale
    }
}

/// Values are probabilities.
struct Linear;
impl Domain for Linear {
    #[inline(always)]
    fn plus<L: Lane>(a: L, b: L) -> L {
        a + b
    }
    #[inline(always)]
    fn rescale<L: Lane>(v: L, scale: L) -> L {
        v * scale
    }
}

/// β̃_t(B[k]) = β_{t+1}(B[k]) ⊕ β_{t+1}(L[k]), rescaled, for k in `from..to`.
#[inline(always)]
fn backward_blanks<D: Domain, L: Lane>(beta: &[L::Elem], tilde: &mut [L::Elem], p: usize, scale: L::Elem, from: usize, to: usize) {
    let scale = L::splat(scale);
    let mut k = from;
    while k < to {
        let v = D::rescale(D::plus(at::<L>(beta, 1 + k), at::<L>(beta, p + 1 + k)), scale);
        put(v, tilde, 1 + k);
        k += L::WIDTH;
    }
}

/// β̃_t(L[k]) = β_{t+1}(L[k]) ⊕ β_{t+1}(B[k + 1]) ⊕ (β_{t+1}(L[k + 1]) if l_{k+1} ≠ l_k), rescaled,
/// the last two being β̃_t(B[k + 1]) (already in `tilde`, rescaled) where the skip is allowed.
#[inline(always)]
fn backward_labels<D: Domain, L: Lane>(
    beta: &[L::Elem],
    tilde: &mut [L::Elem],
    p: usize,
    skip: &[L::Elem],
    scale: L::Elem,
    from: usize,
    to: usize,
) {
    let scale = L::splat(scale);
    let mut k = from;
    while k < to {
        let stay = D::rescale(at::<L>(beta, p + 1 + k), scale);
        let allowed = at::<L>(skip, k + 1).eq_mask(L::zero());
        let next = L::select(allowed, at::<L>(tilde, 2 + k), D::rescale(at::<L>(beta, 2 + k), scale));
        put(D::plus(stay, next), tilde, p + 1 + k);
        k += L::WIDTH;
    }
}

/// Σ_k exp(α_t(B[k]) + β̃_t(B[k]) + k) over k in `from..to`, lane by lane.
#[inline(always)]
fn occupancy_blanks<L: Lane>(a: &[L::Elem], tilde: &[L::Elem], kt: L::Elem, from: usize, to: usize) -> L {
    let kt = L::splat(kt);
    let mut sum = L::zero();
    let mut k = from;
    while k < to {
        sum = sum + (at::<L>(a, 1 + k) + at::<L>(tilde, 1 + k) + kt).exp();
        k += L::WIDTH;
    }
    sum
}

/// γ_t(L[k]) = exp(α_t(L[k]) + β̃_t(L[k]) + k) into `gamma[k]` for k in `from..to`.
#[inline(always)]
fn occupancy_labels<L: Lane>(a: &[L::Elem], tilde: &[L::Elem], p: usize, kt: L::Elem, gamma: &mut [L::Elem], from: usize, to: usize) {
    let kt = L::splat(kt);
    let mut k = from;
    while k < to {
        put((at::<L>(a, p + 1 + k) + at::<L>(tilde, p + 1 + k) + kt).exp(), gamma, k);
        k += L::WIDTH;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::force_scalar_kernels;

    /// ln p by brute force: every path of length T over C classes that collapses to the labels.
    fn brute_force(lp: &[f64], t: usize, c: usize, labels: &[i32], blank: i32) -> (f64, Vec<f64>) {
        let mut total = 0.0;
        let mut occ = vec![0.0; t * c];
        let mut path = vec![0usize; t];
        loop {
            let mut collapsed = Vec::new();
            let mut last = -1i32;
            for &k in &path {
                let k = k as i32;
                if k != last && k != blank {
                    collapsed.push(k);
                }
                last = k;
            }
            if collapsed == labels {
                let w: f64 = path.iter().enumerate().map(|(i, &k)| lp[i * c + k]).sum::<f64>().exp();
                total += w;
                for (i, &k) in path.iter().enumerate() {
                    occ[i * c + k] += w;
                }
            }
            let mut i = 0;
            loop {
                if i == t {
                    return (total.ln(), occ.iter().map(|o| o / total).collect());
                }
                path[i] += 1;
                if path[i] < c {
                    break;
                }
                path[i] = 0;
                i += 1;
            }
        }
    }

    /// A scan of the labels over the log-probabilities `lp` (T × C, row-major).
    fn scan_of(lp: &[f64], t: usize, c: usize, labels: &[i32]) -> Scan<f64> {
        let mut scan = Scan::<f64>::new("t");
        scan.prepare(t, labels).unwrap();
        let (eb, e) = scan.emissions();
        for i in 0..t {
            eb[i] = lp[i * c];
            for (k, &l) in labels.iter().enumerate() {
                e[i * labels.len() + k] = lp[i * c + l as usize];
            }
        }
        scan
    }

    /// ln p and the occupancies per (step, class) from the log-space or the linear passes
    /// (the backward pass only when ln p is finite).
    fn passes(scan: &mut Scan<f64>, linear: bool, t: usize, c: usize, labels: &[i32]) -> (f64, Vec<f64>) {
        let log_p = if linear { scan.forward_linear().expect("no value nears underflow") } else { scan.forward() };
        let mut got = vec![0.0; t * c];
        if log_p.is_finite() {
            let step = |i: usize, gb: f64, gl: &[f64]| {
                got[i * c] += gb;
                for (k, &l) in labels.iter().enumerate() {
                    got[i * c + l as usize] += gl[k];
                }
            };
            if linear {
                assert!(scan.backward_linear(step));
            } else {
                scan.backward(log_p, step);
            }
        }
        (log_p, got)
    }

    #[test]
    fn forward_backward_matches_brute_force_simd_and_scalar() {
        let (t, c, blank) = (6usize, 4usize, 0i32);
        let lp: Vec<f64> = (0..t * c).map(|i| ((i as f64 * 0.77).sin() * 2.0) - 1.5).collect();
        for labels in [vec![], vec![1], vec![1, 1], vec![1, 2, 2], vec![3, 1, 2, 1, 3], vec![2, 2, 2, 2]] {
            let (want, occ) = brute_force(&lp, t, c, &labels, blank);
            for scalar in [false, true] {
                force_scalar_kernels(scalar);
                let mut scan = scan_of(&lp, t, c, &labels);
                for linear in [false, true] {
                    let (log_p, got) = passes(&mut scan, linear, t, c, &labels);
                    if want == f64::NEG_INFINITY {
                        assert_eq!(log_p, want, "{labels:?}");
                        continue;
                    }
                    assert!((log_p - want).abs() < 1e-12, "{labels:?}, linear {linear}: {log_p} vs {want}");
                    for (g, w) in got.iter().zip(&occ) {
                        assert!((g - w).abs() < 1e-12, "{labels:?}, linear {linear}: {got:?} vs {occ:?}");
                    }
                }
            }
        }
        force_scalar_kernels(false);
    }

    /// On a long lattice the two scans agree to rounding: ln p and every occupancy.
    #[test]
    fn linear_and_log_scans_agree() {
        let (t, c) = (300usize, 20usize);
        let labels: Vec<i32> = (0..60).map(|k| 1 + ((k * 7 + k / 5) % (c - 1)) as i32).collect();
        let lp: Vec<f64> = (0..t * c).map(|i| ((i as f64 * 0.37).sin() * 3.0) - 3.5).collect();
        let mut scan = scan_of(&lp, t, c, &labels);
        let (log_p, want) = passes(&mut scan, false, t, c, &labels);
        let (linear, got) = passes(&mut scan, true, t, c, &labels);
        assert!(log_p.is_finite() && (linear - log_p).abs() < 1e-12 * log_p.abs(), "{linear} vs {log_p}");
        let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-12, "occupancies differ by {worst}");
    }

    /// The linear scan gives up where a value would near underflow, and only there.
    #[test]
    fn linear_scan_gives_up_near_underflow() {
        let labels = [1, 2, 1];
        let mut scan = Scan::<f64>::new("t");
        let fill = |scan: &mut Scan<f64>, t: usize, f: &dyn Fn(usize, usize) -> f64| {
            scan.prepare(t, &labels).unwrap();
            let (eb, e) = scan.emissions();
            for i in 0..t {
                eb[i] = f(i, 0);
                for (k, &l) in labels.iter().enumerate() {
                    e[i * labels.len() + k] = f(i, l as usize);
                }
            }
        };
        // An emission 800 below the step's largest: e^{−800} underflows f64.
        fill(&mut scan, 8, &|i, c| if i == 3 && c == 2 { -800.0 } else { -1.0 - (c as f64) * 0.1 });
        assert_eq!(scan.forward_linear(), None);
        // −∞ is an impossible emission, not an underflow; 300 below is still a normal number.
        fill(&mut scan, 8, &|i, c| {
            if i == 3 && c == 2 {
                f64::NEG_INFINITY
            } else if i == 5 && c == 1 {
                -300.0
            } else {
                -1.0
            }
        });
        let linear = scan.forward_linear().expect("no underflow");
        assert!((linear - scan.forward()).abs() < 1e-12 * linear.abs());
        // A NaN emission takes the log space (which gives PyTorch's NaN).
        fill(&mut scan, 8, &|i, c| if i == 2 && c == 1 { f64::NAN } else { -1.0 });
        assert_eq!(scan.forward_linear(), None);
        // Cells whose probabilities part by e^{−8} a step from the likeliest: over 200 steps
        // they near underflow (the log space still has them), over 50 they do not.
        fill(&mut scan, 200, &|_, c| if c == 1 { -0.01 } else { -8.0 });
        assert!(scan.forward().is_finite());
        assert_eq!(scan.forward_linear(), None);
        fill(&mut scan, 50, &|_, c| if c == 1 { -0.01 } else { -8.0 });
        let (log, linear) = (scan.forward(), scan.forward_linear().expect("no underflow"));
        assert!((linear - log).abs() < 1e-12 * log.abs(), "{linear} vs {log}");
    }
}
