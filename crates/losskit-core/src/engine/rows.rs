//! Losses over a class axis (cross-entropy, NLL, categorical cross-entropy, focal).
//!
//! An input of shape (C), (N, C) or (N, C, d1, …, dk) is seen as (N, C, inner) with
//! inner = d1·…·dk (N = 1 for (C)). A *row* is one (n, j) pair, numbered r = n·inner + j —
//! the numbering of the unreduced output and of a class-index target — and holds the C
//! values x[n, :, j] at `offset(r) + c·inner`.
//!
//! The engine drives a [`RowKernel`] over *tiles* of one lane width: lane k of a tile is
//! row r + k. When a tile's rows lie inside one n, class c of all its lanes is one
//! contiguous vector load (the contiguous spatial dimension is the vectorized one);
//! otherwise (an (N, C) input, inner = 1) the lanes are gathered at stride C. The kernel
//! computes the tile's per-row losses and writes its gradients; [`run`] stores the
//! unreduced output and accumulates the reduction.

use super::{drive, simd_body, Step};
use crate::error::{ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduce::{Reducer, Sum};
use crate::shape::{fmt_shape, numel, Tensor};

/// The (N, C, inner) view of an input over classes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rows {
    /// Number of classes.
    pub c: usize,
    /// Product of the trailing dims d1…dk (1 when there are none).
    pub inner: usize,
    /// Number of rows: N·inner.
    pub count: usize,
}

impl Rows {
    /// The row view of `input` ((C), (N, C) or (N, C, d1, …)), and the unreduced output's
    /// shape: `[]` for (C), else (N, d1, …).
    pub fn of<T>(func: &'static str, input: &Tensor<'_, T>) -> Result<(Rows, Vec<usize>)> {
        input.check(func, "input")?;
        let len = input.len();
        Ok(match input.shape() {
            [] => {
                return Err(LossError::new(
                    ErrorCode::ShapeMismatch,
                    func,
                    Some("input"),
                    "must have shape (C), (N, C) or (N, C, d1, ...) but is 0-dimensional",
                ))
            }
            &[c] => (Rows { c, inner: 1, count: 1 }, vec![]),
            &[n, c, ref rest @ ..] => {
                let mut out = vec![n];
                out.extend_from_slice(rest);
                // N·C·inner = len was checked, so N·inner = len / C cannot overflow; with C = 0
                // the rows hold no classes and N·inner (even inner) may exceed usize.
                let inner = numel(func, "input", rest)?;
                let count = match len.checked_div(c) {
                    Some(count) => count,
                    None => numel(func, "input", &out)?,
                };
                (Rows { c, inner, count }, out)
            }
        })
    }

    /// Flat index of class 0 of row `r`.
    #[inline(always)]
    pub fn offset(&self, r: usize) -> usize {
        (r / self.inner) * self.c * self.inner + r % self.inner
    }
}

/// A class-index target after checking: the indices and what 'mean' divides by.
pub(crate) struct Classes<'a> {
    pub target: &'a [i32],
    /// `ignore_index`, or `None` when every index must be a class.
    pub ignore: Option<i64>,
    /// Σ weight[target] over the non-ignored targets (their count without weights).
    pub kept_weight: f64,
    /// `true` when every class index is below 2^CLASS_SPLIT: [`Picked::is`] then compares
    /// the low part alone.
    few: bool,
}

impl<'a> Classes<'a> {
    /// Checks class-index targets: the unreduced output's shape, and each index in [0, C)
    /// or equal to `ignore`.
    pub fn check<T: Real>(
        func: &'static str,
        target: Tensor<'a, i32>,
        rows: &Rows,
        out_shape: &[usize],
        ignore: Option<i64>,
        weight: Option<&[T]>,
    ) -> Result<Classes<'a>> {
        target.check(func, "target")?;
        target.check_same_shape(func, "target", out_shape, "the input's rows (input shape without the class dim)")?;
        let mut total = Sum::default();
        for (i, &t) in target.data.iter().enumerate() {
            if Some(t as i64) == ignore {
                continue;
            }
            if t < 0 || t as usize >= rows.c {
                return Err(LossError::new(
                    ErrorCode::InvalidTarget,
                    func,
                    Some("target"),
                    format!("[{i}] = {t} is out of bounds: class indices must be in [0, {})", rows.c),
                ));
            }
            total.add(weight.map_or(1.0, |w| w[t as usize].to_f64()));
        }
        Ok(Classes { target: target.data, ignore, kept_weight: total.value(), few: rows.c <= 1 << CLASS_SPLIT })
    }
}

/// Fails with `SHAPE_MISMATCH` unless a per-class option has C entries.
pub(crate) fn check_per_class<T>(func: &'static str, arg: &'static str, t: Option<Tensor<'_, T>>, rows: &Rows) -> Result<()> {
    match t {
        Some(t) if t.shape() != [rows.c] => Err(LossError::new(
            ErrorCode::ShapeMismatch,
            func,
            Some(arg),
            format!("must have shape [{}] (one per class) but has shape {}", rows.c, fmt_shape(t.shape())),
        )),
        Some(t) => t.check(func, arg),
        None => Ok(()),
    }
}

/// A group of rows processed together, one per lane.
pub(crate) struct Tile<L: Lane> {
    /// The first row.
    pub r: usize,
    /// Flat index of class 0 of each lane's row.
    pub offs: L::Indices,
    /// Distance between consecutive classes.
    pub inner: usize,
    contiguous: bool,
}

impl<L: Lane> Tile<L> {
    #[inline(always)]
    fn new(rows: &Rows, r: usize) -> Self {
        let mut offs = L::Indices::default();
        if rows.inner == 1 {
            // (N, C): rows follow each other, C apart (no division per lane).
            for (k, o) in offs.as_mut().iter_mut().enumerate() {
                *o = (r + k) * rows.c;
            }
            return Tile { r, offs, inner: 1, contiguous: L::WIDTH == 1 };
        }
        for (k, o) in offs.as_mut().iter_mut().enumerate() {
            *o = rows.offset(r + k);
        }
        Tile { r, offs, inner: rows.inner, contiguous: r % rows.inner + L::WIDTH <= rows.inner }
    }

    /// Class `c` of every lane's row.
    #[inline(always)]
    pub fn load(&self, s: &[L::Elem], c: usize) -> L {
        let add = c * self.inner;
        if self.contiguous {
            L::load(&s[self.offs.as_ref()[0] + add..])
        } else {
            self.check(s.len(), add);
            // SAFETY: `check` bounds every lane's index by `s.len()`.
            unsafe { L::gather_ptr(s.as_ptr(), self.offs.as_ref(), add) }
        }
    }

    /// Writes class `c` of every lane's row.
    #[inline(always)]
    pub fn store(&self, v: L, s: &mut [L::Elem], c: usize) {
        let add = c * self.inner;
        if self.contiguous {
            v.store(&mut s[self.offs.as_ref()[0] + add..]);
        } else {
            self.check(s.len(), add);
            // SAFETY: as `load`.
            unsafe { v.scatter_ptr(s.as_mut_ptr(), self.offs.as_ref(), add) }
        }
    }

    /// Panics unless every lane's `offs[k] + add` is below `len`: one compare for a gather
    /// or scatter instead of one per lane (a tile's offsets grow with k; the largest is the
    /// last lane's).
    #[inline(always)]
    fn check(&self, len: usize, add: usize) {
        let offs = self.offs.as_ref();
        debug_assert!(offs.windows(2).all(|w| w[0] <= w[1]));
        assert!(offs[L::WIDTH - 1] + add < len, "tile index out of range");
    }

    /// The class-index targets of the tile's rows.
    #[inline(always)]
    pub fn pick(&self, classes: &Classes<'_>) -> Picked<L> {
        let mut at = L::Indices::default();
        let mut kept = L::Indices::default();
        for k in 0..L::WIDTH {
            let t = classes.target[self.r + k];
            if Some(t as i64) != classes.ignore {
                kept.as_mut()[k] = 1;
                at.as_mut()[k] = t as usize;
            }
        }
        // A class index is compared as two parts of at most 2^19, exact in f32 (a class
        // index above 2^24 does not fit an f32: it would equal its neighbours); −1 marks an
        // ignored row, so it never equals a class.
        let part = |f: fn(usize) -> usize| {
            L::from_fn(
                |k| if kept.as_ref()[k] == 1 { <L::Elem as Real>::from_f64(f(at.as_ref()[k]) as f64) } else { -<L::Elem as Real>::ONE },
            )
        };
        let (class_hi, class_lo) = (part(|c| c >> CLASS_SPLIT), part(|c| c & ((1 << CLASS_SPLIT) - 1)));
        // A mask must come from a comparison (all-ones bits per vector element).
        Picked { keep: class_hi.ge_mask(L::zero()), class_hi, class_lo, at, kept, few: classes.few }
    }
}

/// Low bits of a class index compared apart from the high ones (see [`Tile::pick`]).
const CLASS_SPLIT: usize = 12;

/// Class-index targets of a tile (already validated by [`Classes::check`]).
pub(crate) struct Picked<L: Lane> {
    /// Mask of the rows whose target is not ignored.
    pub keep: L,
    /// The target class >> CLASS_SPLIT and its low bits, as floats (−1 for ignored rows).
    class_hi: L,
    class_lo: L,
    /// Every class is below 2^CLASS_SPLIT (its high part 0).
    few: bool,
    /// The target class per lane (0 for ignored rows).
    pub at: L::Indices,
    /// 1 where the lane's row is kept, 0 where it is ignored.
    pub kept: L::Indices,
}

impl<L: Lane> Picked<L> {
    /// Mask of the lanes whose target is class `c`.
    #[inline(always)]
    pub fn is(&self, c: usize) -> L {
        let lo = self.class_lo.eq_mask(L::splat(<L::Elem as Real>::from_f64((c & ((1 << CLASS_SPLIT) - 1)) as f64)));
        if self.few {
            return lo; // (an ignored row's −1 equals no class)
        }
        let hi = self.class_hi.eq_mask(L::splat(<L::Elem as Real>::from_f64((c >> CLASS_SPLIT) as f64)));
        L::select(hi, lo, L::zero())
    }
    /// `x[row, target]` per lane (x at class 0 for ignored rows).
    #[inline(always)]
    pub fn gather(&self, tile: &Tile<L>, x: &[L::Elem]) -> L {
        L::from_fn(|k| x[tile.offs.as_ref()[k] + self.at.as_ref()[k] * tile.inner])
    }
    /// `w[target]` per lane, ones without `w`.
    #[inline(always)]
    pub fn weight(&self, w: Option<&[L::Elem]>) -> L {
        match w {
            Some(w) => L::from_fn(|k| w[self.at.as_ref()[k]]),
            None => L::one(),
        }
    }
}

/// A loss over classes, one tile of rows at a time.
pub(crate) trait RowKernel<T: Real> {
    /// The tile's per-row losses; with `GRAD`, also writes the gradients of Σ_rows g·ℓ
    /// (`g` = the upstream gradient or the reduction's scale, per row).
    fn tile<L: Lane<Elem = T>, const GRAD: bool>(&mut self, t: &Tile<L>, g: L) -> L;
}

struct Pass<'s, T, K, const GRAD: bool> {
    kernel: &'s mut K,
    rows: &'s Rows,
    unreduced: Option<&'s mut [T]>,
    grad_output: Option<&'s [T]>,
    scale: T,
}

impl<T: Real, K: RowKernel<T>, const GRAD: bool> Step<T> for Pass<'_, T, K, GRAD> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, r: usize) -> L {
        let tile = Tile::<L>::new(self.rows, r);
        let g = match self.grad_output {
            Some(g) => L::load(&g[r..]),
            None => L::splat(self.scale),
        };
        let l = self.kernel.tile::<L, GRAD>(&tile, g);
        if let Some(out) = self.unreduced.as_deref_mut() {
            l.store(&mut out[r..]);
        }
        l
    }
}

/// Runs a row kernel over every row, after the loss's checks (targets, per-class options
/// and `Out::check`): stores the unreduced loss for 'none', passes each row its gradient
/// factor (`grad_output` for 'none', else the reduction's scale) and returns the reduced loss.
pub(crate) fn run<T: Real, K: RowKernel<T>>(
    kernel: &mut K,
    rows: &Rows,
    reducer: Reducer,
    unreduced: Option<&mut [T]>,
    grad_output: Option<Tensor<'_, T>>,
    grad: bool,
) -> T {
    let none = reducer.is_none();
    let unreduced = if none { unreduced } else { None };
    let grad_output = if none { grad_output.map(|g| g.data) } else { None };
    let scale = reducer.grad_scale();
    let total = if grad {
        drive(&mut Pass::<T, K, true> { kernel, rows, unreduced, grad_output, scale }, rows.count)
    } else {
        drive(&mut Pass::<T, K, false> { kernel, rows, unreduced, grad_output, scale }, rows.count)
    };
    reducer.finish(total)
}

/// A loss over classes that also runs one contiguous row at a time (an (N, C) or (C)
/// input: inner = 1), vectorized across the classes with the helpers below.
pub(crate) trait ContiguousRow<T: Real> {
    /// Row `r`'s loss (its classes at `r·C..`); with `GRAD`, writes the gradient of g·ℓ.
    fn row<const GRAD: bool>(&mut self, r: usize, g: T) -> T;
}

/// Runs a [`ContiguousRow`] kernel over every row of an input with inner = 1: the classes
/// of a row are contiguous, so SIMD runs across them (no gathers), row after row.
pub(crate) fn run_contiguous<T: Real, K: ContiguousRow<T>>(
    kernel: &mut K,
    rows: &Rows,
    reducer: Reducer,
    unreduced: Option<&mut [T]>,
    grad_output: Option<Tensor<'_, T>>,
    grad: bool,
) -> T {
    debug_assert_eq!(rows.inner, 1);
    each_row(rows.count, reducer, unreduced, grad_output, |r, g| if grad { kernel.row::<true>(r, g) } else { kernel.row::<false>(r, g) })
}

/// The loop over rows of the losses computed a row at a time: row r's loss is `row(r, g)`
/// with g its gradient factor (the upstream gradient for 'none', else the reduction's
/// scale); stores it for 'none' and returns the reduced loss.
pub(crate) fn each_row<T: Real>(
    count: usize,
    reducer: Reducer,
    unreduced: Option<&mut [T]>,
    grad_output: Option<Tensor<'_, T>>,
    mut row: impl FnMut(usize, T) -> T,
) -> T {
    let none = reducer.is_none();
    let scale = reducer.grad_scale();
    let mut unreduced = if none { unreduced } else { None };
    let grad_output = if none { grad_output.map(|g| g.data) } else { None };
    let mut total = Sum::default();
    for r in 0..count {
        let l = row(r, grad_output.map_or(scale, |g| g[r]));
        if let Some(u) = unreduced.as_deref_mut() {
            u[r] = l;
        }
        total.add(l.to_f64());
    }
    reducer.finish(total.value())
}

/// The classes of one contiguous row split for lanes: the SIMD lane over `0..body`, the
/// scalar lane over `body..len` (all scalar for the scalar twin).
#[inline(always)]
pub(crate) fn row_split<T: Real>(len: usize) -> usize {
    simd_body::<T>(len)
}

/// The maximum of `x[start..end]` in lanes of `L` (NaN is left to the exponentials to propagate).
#[inline(always)]
pub(crate) fn max_range<L: Lane>(x: &[L::Elem], start: usize, end: usize) -> L::Elem {
    // Four running maxima: one compare-select chain per lane bound the loop. The maximum
    // does not depend on the order.
    let mut m = [L::splat(<L::Elem as Real>::from_f64(f64::NEG_INFINITY)); 4];
    let quads = x[start..end].chunks_exact(4 * L::WIDTH);
    let rest = quads.remainder();
    for q in quads {
        for (m, v) in m.iter_mut().zip(q.chunks_exact(L::WIDTH)) {
            let v = L::load(v);
            *m = m.max_nan(v);
        }
    }
    for v in rest.chunks_exact(L::WIDTH) {
        let v = L::load(v);
        m[0] = m[0].max_nan(v);
    }
    let mut best = <L::Elem as Real>::from_f64(f64::NEG_INFINITY);
    for v in m {
        for &v in v.to_lanes().as_ref() {
            if v > best {
                best = v;
            }
        }
    }
    best
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
        self.carry = L::select(carry.eq_mask(carry), carry, L::zero());
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
        let x = [0.0f64; 24];
        let (r, out) = Rows::of("f", &Tensor::new(&x, &[2, 3, 4])).unwrap();
        assert_eq!((r.c, r.inner, r.count), (3, 4, 8));
        assert_eq!(out, vec![2, 4]);
        assert_eq!(r.offset(5), 12 + 1);
        let (r, out) = Rows::of("f", &Tensor::new(&x[..5], &[5])).unwrap();
        assert_eq!((r.c, r.inner, r.count), (5, 1, 1));
        assert!(out.is_empty());
        assert_eq!(Rows::of("f", &Tensor::new(&x[..1], &[])).unwrap_err().code(), ErrorCode::ShapeMismatch);
        assert_eq!(Rows::of("f", &Tensor::new(&x[..5], &[2, 3])).unwrap_err().code(), ErrorCode::ShapeMismatch);
    }
}
