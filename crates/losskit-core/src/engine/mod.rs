//! The engine: the one driver every loss runs on, and its shapes of work.
//!
//! A loss supplies only its math, as a kernel over one [`Lane`] (a SIMD vector or a
//! scalar); the engine owns everything else, once:
//! - [`sweep`]: the loop. The SIMD lane runs over the body, the scalar lane over the tail,
//!   and each block of [`BLOCK`] lanes is summed in the element type, then moved to f64
//!   compensated [`Sum`]s (which bound the f32 rounding of each block). [`drive`] is the
//!   sweep whose one sum is the items' losses; `rows::each_row` is the loop over rows that
//!   owns the unreduced output and the reduction for the row-at-a-time losses.
//! - the scalar-twin switch ([`force_scalar_kernels`]): every item runs on the scalar lane,
//!   the same kernel source, so tests can compare SIMD against scalar.
//! - [`Out`]: where the unreduced loss and the gradients go; [`Reducer`](crate::Reducer)
//!   decides what the reduction divides by.
//!
//! Shapes of work (one module each; each `run` owns its preamble: shape checks, outputs,
//! targets):
//! - [`pointwise`]: ℓ(x, y, p) element by element (regression, BCE, KL, sigmoid focal);
//! - [`rows`]: a row of C classes at stride `inner` per item, softmax-like (cross-entropy,
//!   NLL, focal);
//! - [`along`]: a reduction along the contiguous last axis of (N, D), vectorized along D
//!   (embedding distances; per-(n, c) spatial sums for Dice are the same shape).
//!
//! - [`scan`]: an alignment lattice scanned forward and backward in log space, each step's
//!   positions vectorized (CTC).
//!
//! Global statistics (Dice's sums ahead of its gradient) are two passes: a [`sweep`] over
//! each (n, c) row for the sums, then the gradient pass (losses/segmentation.rs).

pub(crate) mod along;
pub(crate) mod pointwise;
pub(crate) mod rows;
pub(crate) mod scan;

use crate::error::{ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduce::Sum;
use crate::shape::{fmt_shape, Tensor};
use std::cell::Cell;

/// Lanes summed in the element type before moving to the f64 compensated sum.
pub(crate) const BLOCK: usize = 64;

thread_local! {
    static SCALAR_ONLY: Cell<bool> = const { Cell::new(false) };
}

/// Routes every kernel on this thread through its scalar twin instead of SIMD (for tests
/// and benchmarks that compare the two). Per thread, so parallel tests do not interfere.
pub fn force_scalar_kernels(on: bool) {
    SCALAR_ONLY.with(|c| c.set(on));
}

/// How many of `count` items the SIMD lane of `T` takes: all whole vectors, or none when
/// the scalar twin is forced. The rest is the scalar tail.
#[inline]
pub(crate) fn simd_body<T: Real>(count: usize) -> usize {
    if SCALAR_ONLY.with(Cell::get) {
        0
    } else {
        count - count % <T::Vector as Lane>::WIDTH
    }
}

/// Work on `L::WIDTH` consecutive items from `j`, adding to `K` lane sums.
pub(crate) trait Sweep<T: Real, const K: usize> {
    /// Run the body on [`Real::Wide`] lanes (four vectors, four independent sums) ahead of
    /// the vector lane: for arithmetic-light steps, where one accumulator's add latency
    /// and the loop's overhead, not the arithmetic, bound the loop (MSE's forward 1.6×
    /// faster). Heavy steps gain nothing from it (the CPU already overlaps their long
    /// chains) and would only grow the module.
    const WIDE: bool = false;
    fn step<L: Lane<Elem = T>>(&mut self, j: usize, acc: &mut [L; K]);
}

/// The one loop of the engine: runs `s` over items `0..count` — the SIMD lane over the
/// body, the scalar lane over the tail (all scalar for the scalar twin) — summing each
/// block of [`BLOCK`] lanes in the element type, then into compensated f64 sums, which it
/// returns.
#[inline(always)]
pub(crate) fn sweep<T: Real, const K: usize, S: Sweep<T, K>>(s: &mut S, count: usize) -> [f64; K] {
    let mut sums = [Sum::default(); K];
    let body = simd_body::<T>(count);
    let wide = if S::WIDE { body - body % <T::Wide as Lane>::WIDTH } else { 0 };
    if S::WIDE {
        blocks::<T::Wide, K, S>(s, 0, wide, &mut sums);
    }
    blocks::<T::Vector, K, S>(s, wide, body, &mut sums);
    blocks::<T, K, S>(s, body, count, &mut sums);
    sums.map(|s| s.value())
}

#[inline(always)]
fn blocks<L: Lane, const K: usize, S: Sweep<L::Elem, K>>(s: &mut S, start: usize, end: usize, sums: &mut [Sum; K]) {
    let mut j = start;
    while j < end {
        let stop = (j + BLOCK * L::WIDTH).min(end);
        let mut acc = [L::zero(); K];
        while j < stop {
            s.step::<L>(j, &mut acc);
            j += L::WIDTH;
        }
        for (t, a) in sums.iter_mut().zip(acc) {
            t.add(a.sum_f64());
        }
    }
}

/// Work on `L::WIDTH` consecutive items starting at `i`, returning their losses.
pub(crate) trait Step<T: Real> {
    /// See [`Sweep::WIDE`].
    const WIDE: bool = false;
    fn step<L: Lane<Elem = T>>(&mut self, i: usize) -> L;
}

/// Runs `k` over items `0..count` through [`sweep`] and returns the accurate sum of every
/// item's loss.
#[inline(always)]
pub(crate) fn drive<T: Real, K: Step<T>>(k: &mut K, count: usize) -> f64 {
    let [total] = sweep(&mut Losses(k), count);
    total
}

/// A [`Step`] as a one-sum [`Sweep`]: its losses are the sum.
struct Losses<'a, K>(&'a mut K);

impl<T: Real, K: Step<T>> Sweep<T, 1> for Losses<'_, K> {
    const WIDE: bool = K::WIDE;
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, j: usize, acc: &mut [L; 1]) {
        acc[0] = acc[0] + self.0.step::<L>(j);
    }
}

/// Where a loss call writes its results. Slices are row-major.
pub struct Out<'a, T> {
    /// The unreduced loss, in the loss's output shape; required for 'none'.
    pub loss: Option<&'a mut [T]>,
    /// Upstream gradient ∂L/∂loss in the output shape, used with 'none' (ones when
    /// absent); ignored by the other reductions.
    pub grad_output: Option<Tensor<'a, T>>,
    /// Gradients of the (reduced) loss w.r.t. the differentiable arguments, in the order
    /// of the function's signature (e.g. `input`, `target`, `var`), each of its argument's
    /// length. A slot left `None` is not computed.
    pub grads: [Option<&'a mut [T]>; 3],
}

impl<T> Default for Out<'_, T> {
    fn default() -> Self {
        Out { loss: None, grad_output: None, grads: [None, None, None] }
    }
}

impl<'a, T: Real> Out<'a, T> {
    /// Only the reduced value, no gradients.
    pub fn value() -> Self {
        Self::default()
    }
    /// Checks the slots: for 'none' the unreduced output (of `out_shape`) must be given and
    /// `grad_output` have that shape; each gradient the length of its argument
    /// (`args[k]` = name and length of gradient slot k).
    /// (Inlined, its errors built out of line, as `Tensor::check`.)
    #[inline]
    pub(crate) fn check(&self, func: &'static str, none: bool, out_shape: &[usize], args: &[(&'static str, usize)]) -> Result<()> {
        if none {
            let want: usize = out_shape.iter().product();
            match &self.loss {
                Some(l) if l.len() == want => {}
                other => return Err(output_error(func, other.as_ref().map(|l| l.len()), out_shape)),
            }
            if let Some(g) = &self.grad_output {
                g.check(func, "grad_output")?;
                g.check_same_shape(func, "grad_output", out_shape, "the unreduced loss")?;
            }
        }
        for (k, slot) in self.grads.iter().enumerate() {
            // A slot must have its argument's length (and an argument at all).
            if let Some(g) = slot {
                if args.get(k).is_none_or(|&(_, len)| g.len() != len) {
                    return Err(grad_slot_error(func, k, g.len(), args));
                }
            }
        }
        Ok(())
    }
}

/// The error of an unreduced output of `len` elements (`None`: not given) for `out_shape`.
#[cold]
#[inline(never)]
fn output_error(func: &'static str, len: Option<usize>, out_shape: &[usize]) -> LossError {
    match len {
        Some(len) => LossError::new(
            ErrorCode::ShapeMismatch,
            func,
            Some("output"),
            format!("has {len} elements but the unreduced loss has shape {}", fmt_shape(out_shape)),
        ),
        None => LossError::new(ErrorCode::InvalidOption, func, Some("reduction"), "'none' needs an output buffer"),
    }
}

/// The error of gradient slot `k` holding `len` elements: not its argument's length, or no
/// differentiable argument at `k`.
#[cold]
#[inline(never)]
fn grad_slot_error(func: &'static str, k: usize, len: usize, args: &[(&'static str, usize)]) -> LossError {
    match args.get(k) {
        Some(&(name, want)) => LossError::new(
            ErrorCode::ShapeMismatch,
            func,
            Some(name),
            format!("gradient buffer has {len} elements but the argument has {want}"),
        ),
        None => LossError::new(ErrorCode::InvalidOption, func, None, format!("has no differentiable argument number {k}")),
    }
}
