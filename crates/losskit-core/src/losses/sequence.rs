//! Sequence losses: connectionist temporal classification.
//!
//! | function | ℓ per sequence | PyTorch |
//! |---|---|---|
//! | [`ctc_loss`] | −ln Σ_{paths π collapsing to the target} Π_t p_t(π_t) | `F.ctc_loss` |
//!
//! The forward–backward recursion runs on the scan engine (`engine/scan.rs`), one sequence
//! at a time, each step's lattice positions vectorized: α and β in probabilities rescaled at
//! every step, or in log space for a sequence where a value nears underflow. The gradient
//! with respect to the log-probabilities is the exact one, ∂ℓ/∂lp_t(c) = −γ_t(c), the
//! posterior occupancy of class c at step t (PyTorch returns exp(lp) − γ, which equals it
//! only after the log_softmax backward; docs/API.md §6). With `from_logits` the
//! log_softmax is fused in and the gradient with respect to the logits is
//! softmax_t(c)·Σ_c′ γ_t(c′) − γ_t(c), autograd's through log_softmax then ctc_loss.

use crate::engine::scan::Scan;
use crate::engine::{simd_body, Out};
use crate::error::{check_option, ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduce::{Reducer, Reduction, Sum};
use crate::shape::{fmt_shape, try_filled, try_vec, Tensor};

/// Sequence lengths: one integer per batch element (an i32 tensor of shape (N); () or (1)
/// for an unbatched input), or one number for an unbatched input (checked to be an integer).
#[derive(Debug, Clone, Copy)]
pub enum Lengths<'a> {
    /// An i32 tensor of lengths.
    Each(Tensor<'a, i32>),
    /// One length, for an unbatched (T, C) input.
    One(f64),
}

/// Options of [`ctc_loss`].
#[derive(Debug, Clone, Copy)]
pub struct CtcOptions {
    /// The blank class, in [0, C). Default 0.
    pub blank: i64,
    /// Default 'mean': each sequence's loss divided by max(target length, 1), then averaged.
    pub reduction: Reduction,
    /// An infinite loss (no alignment exists) becomes 0, and its gradient 0. Default false.
    pub zero_infinity: bool,
    /// `log_probs` holds raw logits; log_softmax over C is applied first, and the gradient
    /// is with respect to the logits. Default false.
    pub from_logits: bool,
}
impl Default for CtcOptions {
    fn default() -> Self {
        CtcOptions { blank: 0, reduction: Reduction::Mean, zero_infinity: false, from_logits: false }
    }
}

const F: &str = "ctc_loss";

fn shape_error(arg: &'static str, detail: String) -> LossError {
    LossError::new(ErrorCode::ShapeMismatch, F, Some(arg), detail)
}

/// The lengths of `n` sequences, each in [0, max] (`what` names the bound in messages).
fn read_lengths(arg: &'static str, l: &Lengths<'_>, n: usize, batched: bool, max: usize, what: &str) -> Result<Vec<usize>> {
    let mut out = try_vec(F, arg, n)?;
    match l {
        Lengths::One(v) => {
            if batched {
                return Err(shape_error(arg, format!("must be an Int32 tensor of shape [{n}] for a batched input, not one number")));
            }
            if v.fract() != 0.0 || !v.is_finite() {
                return Err(LossError::new(ErrorCode::InvalidTarget, F, Some(arg), format!("must be an integer but is {v}")));
            }
            out.push(check_length(arg, *v, 0, max, what)?);
        }
        Lengths::Each(t) => {
            t.check(F, arg)?;
            let ok = if batched { t.shape() == [n] } else { t.shape().is_empty() || t.shape() == [1] };
            if !ok {
                let want = if batched { format!("[{n}] (one per batch element)") } else { "[] or [1] (one sequence)".to_string() };
                return Err(shape_error(arg, format!("has shape {} but must have shape {want}", fmt_shape(t.shape()))));
            }
            for (i, &v) in t.data.iter().enumerate() {
                out.push(check_length(arg, v as f64, i, max, what)?);
            }
        }
    }
    Ok(out)
}

fn check_length(arg: &'static str, v: f64, i: usize, max: usize, what: &str) -> Result<usize> {
    if v < 0.0 || v > max as f64 {
        return Err(shape_error(arg, format!("[{i}] is {v} but must be in [0, {max}] ({what})")));
    }
    Ok(v as usize)
}

/// Connectionist temporal classification loss (`F.ctc_loss`).
///
/// - `log_probs`: (T, N, C) log-probabilities (or logits with `from_logits`), or (T, C)
///   for one sequence.
/// - `targets`: i32 labels, padded (N, S) — sequence n is row n's first targetLength[n]
///   entries — or concatenated 1-D (the sum of the target lengths); for one sequence (S)
///   holding exactly its labels, or (1, S) padded (PyTorch's rules).
///   Used labels must be in [0, C) and not `blank`; padding is not read.
/// - `input_lengths` (each ≤ T), `target_lengths` (each ≤ S for padded targets).
///
/// The loss of a sequence is −ln p(target), +∞ when no alignment fits (with
/// `zero_infinity`: 0, gradient 0). 'mean' divides each by max(target length, 1) and
/// averages over N. `out.grads[0]`: the gradient with respect to `log_probs`: −γ scaled (or
/// the logits' with `from_logits`), 0 at steps t ≥ the input length; NaN for an infinite
/// loss without `zero_infinity`, as PyTorch. The lattice is scanned in f64 for both dtypes
/// (see `engine/scan.rs`); results are rounded to the input's type once.
pub fn ctc_loss<T: Real>(
    log_probs: Tensor<'_, T>,
    targets: Tensor<'_, i32>,
    input_lengths: Lengths<'_>,
    target_lengths: Lengths<'_>,
    opts: &CtcOptions,
    out: Out<'_, T>,
) -> Result<T> {
    let reducer = Reducer::new(F, opts.reduction, None)?;
    log_probs.check(F, "log_probs")?;
    let (steps, n, c, batched) = match *log_probs.shape() {
        [t, n, c] => (t, n, c, true),
        [t, c] => (t, 1, c, false),
        _ => {
            return Err(shape_error(
                "log_probs",
                format!("must have shape (T, N, C) or (T, C) but has shape {}", fmt_shape(log_probs.shape())),
            ))
        }
    };
    let blank = opts.blank;
    check_option(blank >= 0 && (blank as u64) < c as u64, F, "blank", || format!("must be in [0, {c}) (the classes) but is {blank}"))?;
    let blank = blank as usize;
    let il = read_lengths("input_lengths", &input_lengths, n, batched, steps, "the input's T")?;

    // Targets: padded (N, S) / (S), or concatenated (Σ target lengths).
    targets.check(F, "targets")?;
    let padded = match *targets.shape() {
        [rows, s] => {
            if rows != n {
                return Err(shape_error("targets", format!("has {rows} rows but log_probs has N = {n}")));
            }
            Some(s)
        }
        [_] => None,
        ref shape => {
            let want = if batched { "(N, S) padded or (sum of target lengths) concatenated" } else { "(S) or (1, S)" };
            return Err(shape_error("targets", format!("must have shape {want} but has shape {}", fmt_shape(shape))));
        }
    };
    let max_tl = padded.unwrap_or(targets.len());
    let what = if padded.is_some() { "the targets' padded length S" } else { "the concatenated targets' length" };
    let tl = read_lengths("target_lengths", &target_lengths, n, batched, max_tl, what)?;
    // Where each sequence's labels start.
    let mut starts = try_vec(F, "targets", n)?;
    let mut next = 0usize;
    for (i, &len) in tl.iter().enumerate() {
        starts.push(match padded {
            Some(s) => i * s,
            None => next,
        });
        next += len; // each ≤ targets.len(): no overflow before the check below
        if padded.is_none() && next > targets.len() {
            break;
        }
    }
    if padded.is_none() && (next != targets.len() || starts.len() != n) {
        let sum: u128 = tl.iter().map(|&l| l as u128).sum();
        return Err(shape_error("target_lengths", format!("sum to {sum} but the concatenated targets have {} labels", targets.len())));
    }
    for (i, (&start, &len)) in starts.iter().zip(&tl).enumerate() {
        for (j, &label) in targets.data[start..start + len].iter().enumerate() {
            if label < 0 || label as usize >= c || label as usize == blank {
                let at = if padded.is_some() { format!("[{i}, {j}]") } else { format!("[{}]", start + j) };
                return Err(LossError::new(
                    ErrorCode::InvalidTarget,
                    F,
                    Some("targets"),
                    format!("{at} is {label} but labels must be in [0, {c}) and not the blank ({blank})"),
                ));
            }
        }
    }

    let none = reducer.is_none();
    let out_shape: &[usize] = if batched { &[n][..] } else { &[] };
    let out_shape = out_shape.to_vec();
    out.check(F, none, &out_shape, &[("log_probs", log_probs.len())])?;
    let mean = reducer.reduction() == Reduction::Mean;
    let reducer = reducer.mean_over(n as f64);
    let Out { loss: mut unreduced, grad_output, grads: [grad, _, _] } = out;
    let grad_output = grad_output.map(|g| g.data);

    // The scan runs in f64 for both dtypes: an f32 lattice rounds each step's values at
    // ~1e-7 of their size, which compounds to ~1e-4 in the occupancies at T = 1000.
    // With `from_logits` the log_softmax over C is fused in, into an f64 temporary.
    let logits_lp = if opts.from_logits { Some(log_softmax_rows(log_probs.data, c)?) } else { None };
    let lp = |i: usize| match &logits_lp {
        Some(l) => l[i],
        None => log_probs.data[i].to_f64(),
    };
    let mut grad = grad;
    if let Some(g) = grad.as_deref_mut() {
        g.fill(T::ZERO);
    }
    let mut class_gamma = if grad.is_some() { try_filled(F, "log_probs", c, 0.0)? } else { Vec::new() };
    let mut scan = Scan::<f64>::new(F);
    let mut total = Sum::default();
    let mut linear_below = usize::MAX;
    for b in 0..n {
        let (steps_b, labels) = (il[b], &targets.data[starts[b]..starts[b] + tl[b]]);
        scan.prepare(steps_b, labels)?;
        let (eb, e) = scan.emissions();
        let s = labels.len();
        for t in 0..steps_b {
            let row = (t * n + b) * c;
            eb[t] = lp(row + blank);
            for (k, &l) in labels.iter().enumerate() {
                e[t * s + k] = lp(row + l as usize);
            }
        }
        // Probabilities first (no exp or ln per cell); log space where they near underflow.
        // After a sequence of T steps needed log space, those of T steps or more go straight
        // there (long sequences part their paths' probabilities beyond f64's range).
        let linear = if steps_b < linear_below { scan.forward_linear() } else { None };
        if linear.is_none() {
            linear_below = linear_below.min(steps_b);
        }
        let log_p = linear.unwrap_or_else(|| scan.forward());
        let mut loss = -log_p;
        let impossible = loss == f64::INFINITY;
        if impossible && opts.zero_infinity {
            loss = 0.0;
        }
        if let Some(u) = unreduced.as_deref_mut().filter(|_| none) {
            u[b] = T::from_f64(loss);
        }
        let weight = if mean { 1.0 / tl[b].max(1) as f64 } else { 1.0 };
        total.add(loss * weight);
        let Some(g) = grad.as_deref_mut() else { continue };
        if impossible {
            // No path: +∞ with zero_infinity's zero gradient, or PyTorch's NaN (exp(−∞ + ∞))
            // at every step of the sequence.
            if !opts.zero_infinity {
                for t in 0..steps_b {
                    g[(t * n + b) * c..(t * n + b + 1) * c].fill(T::from_f64(f64::NAN));
                }
            }
            continue;
        }
        // ∂(reduced loss)/∂ℓ_b: the upstream gradient ('none'), or 1/(N·max(tl, 1)) ('mean'), 1 ('sum').
        let scale = match grad_output {
            Some(go) if none => go[b].to_f64(),
            _ if none => 1.0,
            _ => reducer.grad_scale_times::<f64>(weight),
        };
        let mut step = |t: usize, gamma_blank: f64, gamma_labels: &[f64]| {
            // γ_t per class: the blank positions' sum, and each label position added to its
            // class (a class repeated in the target collects every position), in f64.
            class_gamma.fill(0.0);
            class_gamma[blank] = gamma_blank;
            for (&l, &y) in labels.iter().zip(gamma_labels) {
                class_gamma[l as usize] += y;
            }
            let at = (t * n + b) * c;
            let row = &mut g[at..at + c];
            match &logits_lp {
                // ∂/∂x_c = scale·(softmax_c·Σγ − γ_c), softmax = exp(log_softmax).
                Some(lp) => logits_grad_row(&lp[at..at + c], &class_gamma, scale, row),
                // ∂/∂lp_c = −scale·γ_c (0 − …, so that a class no path uses gets +0).
                None => {
                    for (r, &y) in row.iter_mut().zip(&class_gamma) {
                        *r = T::from_f64(0.0 - scale * y);
                    }
                }
            }
        };
        if linear.is_none() || !scan.backward_linear(&mut step) {
            // (Every step's row is written again.)
            linear_below = linear_below.min(steps_b);
            let log_p = if linear.is_some() { scan.forward() } else { log_p };
            scan.backward(log_p, &mut step);
        }
    }
    Ok(reducer.finish(total.value()))
}

/// log_softmax of each row of `c` contiguous logits, x − max − ln Σ exp(x − max), in f64
/// (a fallibly allocated temporary of the input's size).
fn log_softmax_rows<T: Real>(x: &[T], c: usize) -> Result<Vec<f64>> {
    let mut out = try_vec(F, "log_probs", x.len())?;
    out.extend(x.iter().map(|v| v.to_f64()));
    if c == 0 {
        return Ok(out);
    }
    let body = simd_body::<f64>(c);
    for row in out.chunks_exact_mut(c) {
        let mut m = row[0];
        for &v in row.iter() {
            if v > m || v.is_nan() {
                m = v;
            }
        }
        // A row without a finite max (all −∞, or +∞ somewhere) is shifted by 0, and the
        // arithmetic gives PyTorch's NaN / −∞.
        let m = if m.is_finite() { m } else { 0.0 };
        type V = <f64 as Real>::Vector;
        let mut acc = V::zero();
        let mut j = 0;
        while j < body {
            acc += (V::load(&row[j..]) - V::splat(m)).exp();
            j += <V as Lane>::WIDTH;
        }
        let mut sum = acc.sum_f64();
        for &v in &row[body..] {
            sum += Lane::exp(v - m);
        }
        let shift = m + sum.ln();
        row.iter_mut().for_each(|v| *v -= shift);
    }
    Ok(out)
}

/// One row of the logits' gradient: scale·(exp(lp_c)·Σγ − γ_c), formed in f64.
fn logits_grad_row<T: Real>(lp: &[f64], gamma: &[f64], scale: f64, row: &mut [T]) {
    let total = Sum::of(gamma);
    let c = row.len();
    type V = <f64 as Real>::Vector;
    let body = simd_body::<f64>(c);
    let (tv, sv) = (V::splat(total), V::splat(scale));
    let mut j = 0;
    while j < body {
        let v = (V::load(&lp[j..]).exp() * tv - V::load(&gamma[j..])) * sv;
        for (r, &x) in row[j..].iter_mut().zip(v.to_lanes().as_ref()) {
            *r = T::from_f64(x);
        }
        j += <V as Lane>::WIDTH;
    }
    for j in body..c {
        row[j] = T::from_f64((Lane::exp(lp[j]) * total - gamma[j]) * scale);
    }
}
