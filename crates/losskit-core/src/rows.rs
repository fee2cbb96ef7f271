//! The row engine behind the losses over classes (cross-entropy, NLL, categorical
//! cross-entropy, focal).
//!
//! An input of shape (C), (N, C) or (N, C, d1, …, dk) is seen as (N, C, inner) with
//! inner = d1·…·dk (N = 1 for (C)). A *row* is one (n, j) pair, numbered r = n·inner + j —
//! the numbering of the unreduced output and of a class-index target — and holds the C
//! values x[n, :, j] at `offset(r) + c·inner`.
//!
//! The engine runs a [`RowKernel`] over *tiles* of one lane width: lane k of a tile is row
//! r + k. When a tile's rows lie inside one n, class c of all its lanes is one contiguous
//! vector load (the contiguous spatial dimension is the vectorized one); otherwise (an
//! (N, C) input, inner = 1) the lanes are gathered at stride C. Leftover rows run on the
//! scalar lane, and with [`force_scalar_kernels`](crate::force_scalar_kernels) every row
//! does (the scalar twin). The kernel computes the tile's per-row losses and writes its
//! gradients; the engine stores the unreduced output and accumulates the reduction with
//! [`Sum`].

use crate::error::{check_len, ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduction::{scalar_kernels_forced, Sum};
use crate::shape::{fmt_shape, numel};

/// Upper bound of a lane width (f32x4 is 4).
pub(crate) const MAX_LANES: usize = 8;

/// Tiles summed in the element type before moving to the f64 compensated sum.
const BLOCK: usize = 16;

/// The (N, C, inner) view of an input over classes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rows {
    /// Batch size (1 for a (C) input).
    pub n: usize,
    /// Number of classes.
    pub c: usize,
    /// Product of the trailing dims d1…dk (1 when there are none).
    pub inner: usize,
}

impl Rows {
    /// The row view of `shape` ((C), (N, C) or (N, C, d1, …)), checking that `len` matches
    /// it; also returns the unreduced output's shape: `[]` for (C), else (N, d1, …).
    pub fn from_shape(func: &str, shape: &[usize], len: usize) -> Result<(Rows, Vec<usize>)> {
        if shape.is_empty() {
            return Err(LossError::new(
                ErrorCode::ShapeMismatch,
                format!("{func}: input must have shape (C), (N, C) or (N, C, d1, ...) but is 0-dimensional"),
            ));
        }
        check_len(func, "input", len, numel(shape), &format!("shape {}", fmt_shape(shape)))?;
        Ok(match shape {
            [c] => (Rows { n: 1, c: *c, inner: 1 }, vec![]),
            [n, c, rest @ ..] => {
                let mut out = vec![*n];
                out.extend_from_slice(rest);
                (Rows { n: *n, c: *c, inner: numel(rest) }, out)
            }
            [] => unreachable!(),
        })
    }

    /// Number of rows (= elements of the unreduced output).
    #[inline]
    pub fn count(&self) -> usize {
        self.n * self.inner
    }

    /// Flat index of class 0 of row `r`.
    #[inline(always)]
    pub fn offset(&self, r: usize) -> usize {
        (r / self.inner) * self.c * self.inner + r % self.inner
    }
}

/// Checks class-index targets (each in [0, C) or equal to `ignore`) and returns what
/// 'mean' divides by: Σ weight[target] over the non-ignored targets (their count without
/// weights).
pub(crate) fn check_targets<T: Real>(func: &str, target: &[i32], classes: usize, ignore: Option<i64>, weight: Option<&[T]>) -> Result<f64> {
    let mut total = Sum::default();
    for (i, &t) in target.iter().enumerate() {
        if Some(t as i64) == ignore {
            continue;
        }
        if t < 0 || t as usize >= classes {
            return Err(LossError::new(
                ErrorCode::InvalidTarget,
                format!("{func}: target[{i}] = {t} is out of bounds: class indices must be in [0, {classes})"),
            ));
        }
        total.add(weight.map_or(1.0, |w| w[t as usize].to_f64()));
    }
    Ok(total.value())
}

/// A group of rows processed together, one per lane.
pub(crate) struct Tile {
    /// The first row.
    pub r: usize,
    /// Flat index of class 0 of each lane's row.
    pub offs: [usize; MAX_LANES],
    /// Lanes in this tile (the lane type's width).
    pub width: usize,
    /// Distance between consecutive classes.
    pub inner: usize,
    contiguous: bool,
}

impl Tile {
    fn new(rows: &Rows, r: usize, width: usize) -> Tile {
        let mut offs = [0; MAX_LANES];
        for (k, o) in offs.iter_mut().enumerate().take(width) {
            *o = rows.offset(r + k);
        }
        Tile { r, offs, width, inner: rows.inner, contiguous: r % rows.inner + width <= rows.inner }
    }

    /// Class `c` of every lane's row.
    #[inline(always)]
    pub fn load<L: Lane>(&self, s: &[L::Elem], c: usize) -> L {
        let add = c * self.inner;
        if self.contiguous {
            L::load(&s[self.offs[0] + add..])
        } else {
            L::gather(s, &self.offs, add)
        }
    }

    /// Writes class `c` of every lane's row.
    #[inline(always)]
    pub fn store<L: Lane>(&self, v: L, s: &mut [L::Elem], c: usize) {
        let add = c * self.inner;
        if self.contiguous {
            v.store(&mut s[self.offs[0] + add..]);
        } else {
            v.scatter(s, &self.offs, add);
        }
    }

    /// A lane of per-row values `f(k)`, k = lane.
    #[inline(always)]
    pub fn lanes<L: Lane>(&self, f: impl Fn(usize) -> L::Elem) -> L {
        let mut a = [<L::Elem as Real>::ZERO; MAX_LANES];
        for (k, v) in a.iter_mut().enumerate().take(self.width) {
            *v = f(k);
        }
        L::load(&a)
    }

    /// The lane's values as an array (for per-row scalar work).
    #[inline(always)]
    pub fn split<L: Lane>(&self, v: L) -> [L::Elem; MAX_LANES] {
        let mut a = [<L::Elem as Real>::ZERO; MAX_LANES];
        v.store(&mut a);
        a
    }

    /// The class-index targets of the tile's rows.
    #[inline(always)]
    pub fn pick<L: Lane>(&self, target: &[i32], ignore: Option<i64>) -> Picked<L> {
        let mut at = [0usize; MAX_LANES];
        let mut kept = [false; MAX_LANES];
        for k in 0..self.width {
            let t = target[self.r + k];
            if Some(t as i64) != ignore {
                kept[k] = true;
                at[k] = t as usize;
            }
        }
        let class: L = self.lanes(|k| if kept[k] { <L::Elem as Real>::from_f64(at[k] as f64) } else { -<L::Elem as Real>::ONE });
        // A mask must come from a comparison (all-ones bits per vector element).
        Picked { keep: class.ge(L::zero()), class, at, kept }
    }
}

/// Class-index targets of a tile (already validated by [`check_targets`]).
pub(crate) struct Picked<L> {
    /// Mask of the rows whose target is not ignored.
    pub keep: L,
    /// The target class as a float, −1 for ignored rows (so it never equals a class).
    pub class: L,
    /// The target class per lane (0 for ignored rows).
    pub at: [usize; MAX_LANES],
    /// Whether each lane's row is kept.
    pub kept: [bool; MAX_LANES],
}

impl<L: Lane> Picked<L> {
    /// Mask of the lanes whose target is class `c`.
    #[inline(always)]
    pub fn is(&self, c: usize) -> L {
        self.class.eq(L::splat(<L::Elem as Real>::from_f64(c as f64)))
    }
    /// `x[row, target]` per lane (x at class 0 for ignored rows).
    #[inline(always)]
    pub fn gather(&self, tile: &Tile, x: &[L::Elem]) -> L {
        tile.lanes(|k| x[tile.offs[k] + self.at[k] * tile.inner])
    }
    /// `w[target]` per lane, ones without `w`.
    #[inline(always)]
    pub fn weight(&self, tile: &Tile, w: Option<&[L::Elem]>) -> L {
        match w {
            Some(w) => tile.lanes(|k| w[self.at[k]]),
            None => L::one(),
        }
    }
}

/// A loss over classes, one tile of rows at a time.
pub(crate) trait RowKernel<T: Real> {
    /// The tile's per-row losses; with `GRAD`, also writes the gradients of Σ_rows g·ℓ
    /// (`g` = the upstream gradient or the reduction's scale, per row).
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile, g: L) -> L;
}

/// Runs a row kernel over every row: stores the unreduced loss (when `unreduced` is
/// given), passes each row's gradient factor (`grad_output` or `scale`) and returns Σℓ.
pub(crate) fn run_rows<T: Real, K: RowKernel<T>>(
    kernel: &mut K,
    rows: &Rows,
    unreduced: Option<&mut [T]>,
    grad_output: Option<&[T]>,
    scale: T,
    grad: bool,
) -> f64 {
    let mut pass = RowPass { kernel, rows, unreduced, grad_output, scale, total: Sum::default() };
    let count = rows.count();
    let body = if scalar_kernels_forced() { 0 } else { count - count % <T::Vector as Lane>::WIDTH };
    if grad {
        pass.run::<T::Vector, true>(0, body);
        pass.run::<T, true>(body, count);
    } else {
        pass.run::<T::Vector, false>(0, body);
        pass.run::<T, false>(body, count);
    }
    pass.total.value()
}

struct RowPass<'s, T, K> {
    kernel: &'s mut K,
    rows: &'s Rows,
    unreduced: Option<&'s mut [T]>,
    grad_output: Option<&'s [T]>,
    scale: T,
    total: Sum,
}

impl<T: Real, K: RowKernel<T>> RowPass<'_, T, K> {
    #[inline(always)]
    fn run<L: Lane<Elem = T>, const GRAD: bool>(&mut self, start: usize, end: usize) {
        let w = L::WIDTH;
        let mut r = start;
        while r < end {
            let stop = (r + BLOCK * w).min(end);
            let mut acc = L::zero();
            while r < stop {
                let tile = Tile::new(self.rows, r, w);
                let g = match self.grad_output {
                    Some(g) => L::load(&g[r..]),
                    None => L::splat(self.scale),
                };
                let l = self.kernel.tile::<L, GRAD>(&tile, g);
                if let Some(out) = self.unreduced.as_deref_mut() {
                    l.store(&mut out[r..]);
                }
                acc = acc + l;
                r += w;
            }
            self.total.add(acc.sum_f64());
        }
    }
}

/// Compensated (Kahan) accumulation in a lane, for sums over classes: a row of 1001
/// classes in f32 keeps its sum to about one rounding.
#[derive(Clone, Copy)]
pub(crate) struct LaneSum<L> {
    sum: L,
    carry: L,
}

impl<L: Lane> LaneSum<L> {
    #[inline(always)]
    pub fn new() -> Self {
        LaneSum { sum: L::zero(), carry: L::zero() }
    }
    #[inline(always)]
    pub fn add(&mut self, x: L) {
        let y = x - self.carry;
        let t = self.sum + y;
        let carry = (t - self.sum) - y;
        // An infinite term makes the carry ∞ − ∞: drop it and let the sum carry the ∞.
        self.carry = L::select(carry.eq(carry), carry, L::zero());
        self.sum = t;
    }
    #[inline(always)]
    pub fn value(&self) -> L {
        self.sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_offsets_and_shapes() {
        let (r, out) = Rows::from_shape("f", &[2, 3, 4], 24).unwrap();
        assert_eq!((r.n, r.c, r.inner, r.count()), (2, 3, 4, 8));
        assert_eq!(out, vec![2, 4]);
        assert_eq!(r.offset(5), 12 + 1);
        let (r, out) = Rows::from_shape("f", &[5], 5).unwrap();
        assert_eq!((r.n, r.c, r.inner), (1, 5, 1));
        assert!(out.is_empty());
        assert_eq!(Rows::from_shape("f", &[], 1).unwrap_err().code(), ErrorCode::ShapeMismatch);
        assert_eq!(Rows::from_shape("f", &[2, 3], 5).unwrap_err().code(), ErrorCode::ShapeMismatch);
    }
}
