//! Reductions along the contiguous last axis, vectorized along it.
//!
//! An input of shape (N, D) is N rows of D contiguous elements. For each row an
//! [`AlongKernel`] folds the row into up to [`SUMS`] sums (the SIMD lane over the body of D,
//! the scalar lane over the tail, flushed to f64 every [`BLOCK`](super::BLOCK) lanes, by the engine's `sweep`), turns them into the
//! row's loss and its gradient factors, then writes the gradients along the row in a
//! second sweep. Triplet and cosine-embedding distances have this shape. Dice's per-(n, c)
//! sums over the spatial axis do too, but its gradient needs every row's sums first (with
//! `batch`, or through a softmax over the channels), so it runs the engine's sweep per row
//! and its own gradient pass, with this module's unchecked [`at`] and [`put`].

use super::{simd_body, sweep, Sweep};
use crate::real::{Lane, Real};
use crate::reduce::{Reducer, Sum};

/// How many sums a kernel may fold a row into (cosine: x·y, |x|², |y|²; Dice: Σpt, Σp, Σt).
pub(crate) const SUMS: usize = 4;

/// A loss that reduces each row of (N, D) along D.
pub(crate) trait AlongKernel<T: Real> {
    /// Adds elements `j..j + L::WIDTH` of row `r` to the lane accumulators.
    fn fold<L: Lane<Elem = T>>(&self, r: usize, j: usize, acc: &mut [L; SUMS]);
    /// The row's loss from its sums; keeps what [`apply`](Self::apply) needs, with the
    /// row's gradient factor `g` (upstream gradient or the reduction's scale).
    fn finish(&mut self, r: usize, sums: [f64; SUMS], g: T) -> T;
    /// Writes the gradients of elements `j..j + L::WIDTH` of row `r`.
    fn apply<L: Lane<Elem = T>>(&mut self, r: usize, j: usize);
}

/// Runs `k` over `n` rows of length `d`: the unreduced loss goes to `unreduced` for
/// 'none' (one per row), and gradients are written when `grad`. Returns the reduced loss.
pub(crate) fn run<T: Real, K: AlongKernel<T>>(
    k: &mut K,
    n: usize,
    d: usize,
    reducer: Reducer,
    mut unreduced: Option<&mut [T]>,
    grad_output: Option<&[T]>,
    grad: bool,
) -> T {
    let none = reducer.is_none();
    let scale = reducer.grad_scale();
    let body = simd_body::<T>(d);
    let mut total = Sum::default();
    for r in 0..n {
        let sums = sweep(&mut Fold { k: &*k, r }, d);
        let g = match grad_output {
            Some(g) if none => g[r],
            _ => scale,
        };
        let l = k.finish(r, sums, g);
        if let Some(u) = unreduced.as_deref_mut().filter(|_| none) {
            u[r] = l;
        }
        total.add(l.to_f64());
        if grad {
            let mut j = 0;
            while j < body {
                k.apply::<T::Vector>(r, j);
                j += <T::Vector as Lane>::WIDTH;
            }
            for j in body..d {
                k.apply::<T>(r, j);
            }
        }
    }
    reducer.finish(total.value())
}

/// Element `i` of a row as a lane, unchecked, for the hot loops of the kernels on this
/// engine (embedding distances, Dice) and of the scan (CTC). Their contract: `i + L::WIDTH ≤
/// len`, every index inside a row of a buffer whose length was checked (N·D elements here)
/// or fixed (the scan's rows, sized in its `prepare`) once per call; debug builds assert it.
#[inline(always)]
pub(crate) fn at<L: Lane>(s: &[L::Elem], i: usize) -> L {
    debug_assert!(i + L::WIDTH <= s.len());
    // SAFETY: callers only ask for whole lanes inside rows of checked or sized buffers.
    unsafe { L::load_ptr(s.as_ptr().add(i)) }
}

/// Elements `i..i + L::WIDTH` of an i32 row (class indices) as a float lane (the contract of
/// [`at`]; exact as [`Lane::load_i32_ptr`]).
#[inline(always)]
pub(crate) fn at_i32<L: Lane>(s: &[i32], i: usize) -> L {
    debug_assert!(i + L::WIDTH <= s.len());
    // SAFETY: as `at`.
    unsafe { L::load_i32_ptr(s.as_ptr().add(i)) }
}

/// Stores a lane at element `i` (the contract of [`at`]).
#[inline(always)]
pub(crate) fn put<L: Lane>(v: L, s: &mut [L::Elem], i: usize) {
    debug_assert!(i + L::WIDTH <= s.len());
    // SAFETY: as `at`.
    unsafe { v.store_ptr(s.as_mut_ptr().add(i)) }
}

/// Row `r` of an [`AlongKernel`] as a [`Sweep`] over its D elements.
struct Fold<'a, K> {
    k: &'a K,
    r: usize,
}

impl<T: Real, K: AlongKernel<T>> Sweep<T, SUMS> for Fold<'_, K> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, j: usize, acc: &mut [L; SUMS]) {
        self.k.fold(self.r, j, acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::force_scalar_kernels;
    use crate::reduce::Reduction;

    /// ℓ_r = Σ_j (x_rj − y_rj)², ∂ℓ/∂x = 2(x − y)·g: the simplest distance along D.
    struct SquaredDistance<'a> {
        x: &'a [f64],
        y: &'a [f64],
        d: usize,
        g: f64,
        gx: &'a mut [f64],
    }
    impl AlongKernel<f64> for SquaredDistance<'_> {
        fn fold<L: Lane<Elem = f64>>(&self, r: usize, j: usize, acc: &mut [L; SUMS]) {
            let i = r * self.d + j;
            let diff = L::load(&self.x[i..]) - L::load(&self.y[i..]);
            acc[0] = acc[0] + diff * diff;
        }
        fn finish(&mut self, _: usize, sums: [f64; SUMS], g: f64) -> f64 {
            self.g = g;
            sums[0]
        }
        fn apply<L: Lane<Elem = f64>>(&mut self, r: usize, j: usize) {
            let i = r * self.d + j;
            let diff = L::load(&self.x[i..]) - L::load(&self.y[i..]);
            (diff * L::splat(2.0 * self.g)).store(&mut self.gx[i..]);
        }
    }

    #[test]
    fn squared_distance_along_rows_simd_and_scalar() {
        for d in [1, 3, 129] {
            let n = 5;
            let x: Vec<f64> = (0..n * d).map(|i| (i as f64 * 0.37).sin()).collect();
            let y: Vec<f64> = (0..n * d).map(|i| (i as f64 * 0.11).cos()).collect();
            let want: Vec<f64> = (0..n).map(|r| (0..d).map(|j| (x[r * d + j] - y[r * d + j]).powi(2)).sum()).collect();
            for scalar in [false, true] {
                force_scalar_kernels(scalar);
                let mut gx = vec![0.0; n * d];
                let mut rows = vec![0.0; n];
                let mut k = SquaredDistance { x: &x, y: &y, d, g: 0.0, gx: &mut gx };
                let none = Reducer::new("t", Reduction::None, None).unwrap();
                run(&mut k, n, d, none, Some(&mut rows), Some(&[1.0, 2.0, 3.0, 4.0, 5.0]), true);
                for r in 0..n {
                    assert!((rows[r] - want[r]).abs() < 1e-12, "d={d} row {r}");
                    for j in 0..d {
                        let i = r * d + j;
                        assert!((gx[i] - 2.0 * (x[i] - y[i]) * (r + 1) as f64).abs() < 1e-12);
                    }
                }
                let mean = Reducer::new("t", Reduction::Mean, None).unwrap().mean_over(n as f64);
                let mut k = SquaredDistance { x: &x, y: &y, d, g: 0.0, gx: &mut gx };
                let v = run(&mut k, n, d, mean, None, None, false);
                assert!((v - want.iter().sum::<f64>() / n as f64).abs() < 1e-12);
            }
            force_scalar_kernels(false);
        }
    }
}
