//! Tensors (data with a shape) and broadcasting, shared by every family.

use crate::error::{ErrorCode, LossError, Result};
use crate::real::Real;
use crate::reduce::Sum;

/// A read-only row-major tensor: flat data and its shape (`[]` for a scalar).
#[derive(Debug, Clone, Copy)]
pub struct Tensor<'a, T> {
    /// The values, row-major.
    pub data: &'a [T],
    shape: Dims<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Dims<'a> {
    /// A 1-D tensor of the data's length.
    Flat([usize; 1]),
    Of(&'a [usize]),
}

impl<'a, T> Tensor<'a, T> {
    /// `data` with `shape` (checked by the loss that receives it: `data.len()` must be the
    /// shape's element count).
    pub fn new(data: &'a [T], shape: &'a [usize]) -> Self {
        Tensor { data, shape: Dims::Of(shape) }
    }
    /// `data` as a 1-D tensor.
    pub fn flat(data: &'a [T]) -> Self {
        Tensor { data, shape: Dims::Flat([data.len()]) }
    }
    /// The shape.
    pub fn shape(&self) -> &[usize] {
        match &self.shape {
            Dims::Flat(d) => d,
            Dims::Of(s) => s,
        }
    }
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }
    /// `true` when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// Fails with `SHAPE_MISMATCH` unless the data has exactly the shape's element count.
    /// (Inlined, its errors built out of line: a check every call makes costs a few
    /// instructions, not a call and a `Result` in memory.)
    #[inline]
    pub(crate) fn check(&self, func: &'static str, arg: &'static str) -> Result<()> {
        let want = numel(func, arg, self.shape())?;
        if self.data.len() != want {
            return Err(self.count_mismatch(func, arg, want));
        }
        Ok(())
    }
    #[cold]
    #[inline(never)]
    fn count_mismatch(&self, func: &'static str, arg: &'static str, want: usize) -> LossError {
        let detail = format!("has {} elements but its shape {} needs {want}", self.data.len(), fmt_shape(self.shape()));
        LossError::new(ErrorCode::ShapeMismatch, func, Some(arg), detail)
    }
    /// Fails with `SHAPE_MISMATCH` unless this tensor (argument `arg`) has `other`'s shape.
    #[inline]
    pub(crate) fn check_same_shape(&self, func: &'static str, arg: &'static str, other: &[usize], other_name: &str) -> Result<()> {
        let mine = self.shape();
        // Dimension by dimension: shapes are short, and a slice compare calls memcmp.
        if mine.len() != other.len() || mine.iter().zip(other).any(|(a, b)| a != b) {
            return Err(shape_mismatch(func, arg, mine, other, other_name));
        }
        Ok(())
    }
}

#[cold]
#[inline(never)]
fn shape_mismatch(func: &'static str, arg: &'static str, mine: &[usize], other: &[usize], other_name: &str) -> LossError {
    let detail = format!("has shape {} but {other_name} has shape {}; they must be equal", fmt_shape(mine), fmt_shape(other));
    LossError::new(ErrorCode::ShapeMismatch, func, Some(arg), detail)
}

/// Number of elements of a shape, or `SHAPE_MISMATCH` when it overflows `usize` (the
/// address space: 32 bits in wasm).
#[inline]
pub fn numel(func: &'static str, arg: &'static str, shape: &[usize]) -> Result<usize> {
    match shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) {
        Some(n) => Ok(n),
        None => Err(too_many(func, arg, shape)),
    }
}

#[cold]
#[inline(never)]
fn too_many(func: &'static str, arg: &'static str, shape: &[usize]) -> LossError {
    LossError::new(
        ErrorCode::ShapeMismatch,
        func,
        Some(arg),
        format!("has shape {} with more elements than memory can hold", fmt_shape(shape)),
    )
}

/// Formats a shape as PyTorch prints it: `[4, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// An empty vector with room for `n` elements, or `OUT_OF_MEMORY` about `arg` when the
/// allocation fails. Every temporary whose size follows the data goes through here (or
/// [`try_filled`]), so running out of memory is a returned error, never an abort: wasm
/// traps on an infallible allocation that fails, leaving the module's counters wrong.
pub fn try_vec<T>(func: &'static str, arg: &'static str, n: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| out_of_memory(func, arg, n, core::mem::size_of::<T>()))?;
    Ok(v)
}

/// `n` copies of `value` in a fallibly allocated vector (see [`try_vec`]).
pub fn try_filled<T: Copy>(func: &'static str, arg: &'static str, n: usize, value: T) -> Result<Vec<T>> {
    let mut v = try_vec(func, arg, n)?;
    v.resize(n, value);
    Ok(v)
}

/// The `OUT_OF_MEMORY` error for a temporary of `n` elements of `size` bytes.
fn out_of_memory(func: &'static str, arg: &'static str, n: usize, size: usize) -> LossError {
    let bytes = (n as u128) * (size as u128);
    LossError::new(
        ErrorCode::OutOfMemory,
        func,
        Some(arg),
        format!("needs a temporary of {n} elements ({bytes} bytes) and memory cannot hold it"),
    )
}

/// How an operand of shape `part` is read by every element of a tensor of shape `full`
/// (NumPy rules: `part` aligned to the right, each of its dims equal to `full`'s or 1).
/// Walks the full shape like an odometer, so no index map of the full length is built.
#[derive(Debug, Clone)]
pub struct Broadcast {
    full: Vec<usize>,
    /// Stride in `part` of each full dim (0 where `part` broadcasts).
    strides: Vec<usize>,
    len: usize,
}

impl Broadcast {
    /// The broadcast of `part` to `full`, or `SHAPE_MISMATCH` about `arg`.
    pub fn new(func: &'static str, arg: &'static str, full: &[usize], part: &[usize]) -> Result<Broadcast> {
        let bad = || {
            LossError::new(
                ErrorCode::ShapeMismatch,
                func,
                Some(arg),
                format!("of shape {} cannot be broadcast to shape {}", fmt_shape(part), fmt_shape(full)),
            )
        };
        if part.len() > full.len() {
            return Err(bad());
        }
        let lead = full.len() - part.len();
        let mut strides = vec![0usize; full.len()];
        let mut stride = 1usize;
        for d in (0..part.len()).rev() {
            let (p, f) = (part[d], full[lead + d]);
            if p != f && p != 1 {
                return Err(bad());
            }
            strides[lead + d] = if p == 1 { 0 } else { stride };
            // `part` is a checked tensor's shape, so its element count fits usize.
            stride = stride.saturating_mul(p);
        }
        let len = numel(func, arg, full)?;
        Ok(Broadcast { full: full.to_vec(), strides, len })
    }

    /// Element count of the full shape.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when the full shape has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Calls `f(j)` for every element of the full shape in row-major order, `j` being the
    /// flat index of the element of `part` it reads.
    pub fn for_each(&self, mut f: impl FnMut(usize)) {
        if self.len == 0 {
            return;
        }
        let rank = self.full.len();
        let mut idx = vec![0usize; rank];
        let mut at = 0usize;
        for _ in 0..self.len {
            f(at);
            for d in (0..rank).rev() {
                idx[d] += 1;
                at += self.strides[d];
                if idx[d] < self.full[d] {
                    break;
                }
                at -= self.strides[d] * idx[d];
                idx[d] = 0;
            }
        }
    }

    /// `src` (of shape `part`) expanded to the full shape, in a fallibly allocated vector.
    pub fn expand<T: Copy>(&self, func: &'static str, arg: &'static str, src: &[T]) -> Result<Vec<T>> {
        let mut out = try_vec(func, arg, self.len)?;
        self.for_each(|j| out.push(src[j]));
        Ok(out)
    }

    /// The adjoint of [`expand`](Self::expand): sums a full-shape gradient back onto the
    /// broadcast operand (`dst`, of shape `part`), each sum compensated in f64.
    pub fn sum_to<T: Real>(&self, func: &'static str, arg: &'static str, full: &[T], dst: &mut [T]) -> Result<()> {
        let mut acc = try_filled(func, arg, dst.len(), Sum::default())?;
        let mut k = 0;
        self.for_each(|j| {
            acc[j].add(full[k].to_f64());
            k += 1;
        });
        for (d, a) in dst.iter_mut().zip(acc) {
            *d = T::from_f64(a.value());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_rows_and_columns() {
        let map = |full: &[usize], part: &[usize]| {
            let b = Broadcast::new("f", "w", full, part).unwrap();
            let mut m = vec![];
            b.for_each(|j| m.push(j));
            m
        };
        assert_eq!(map(&[2, 3], &[3]), vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(map(&[2, 3], &[2, 1]), vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(map(&[2, 2], &[]), vec![0, 0, 0, 0]);
        assert_eq!(map(&[0, 3], &[3]), Vec::<usize>::new());
        assert_eq!(Broadcast::new("f", "w", &[2, 1, 2], &[3, 1]).unwrap_err().code(), ErrorCode::ShapeMismatch);
        let b = Broadcast::new("f", "w", &[2, 3], &[3]).unwrap();
        assert_eq!(b.expand("f", "w", &[1.0, 2.0, 3.0]).unwrap(), vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
        let mut dst = [0.0f64; 3];
        b.sum_to("f", "w", &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut dst).unwrap();
        assert_eq!(dst, [5.0, 7.0, 9.0]);
    }

    #[test]
    fn failed_allocations_are_errors() {
        // More than the address space: the allocator refuses, and the error says so.
        let e = try_vec::<u64>("f", "var", usize::MAX / 4).unwrap_err();
        assert_eq!((e.code(), e.arg()), (ErrorCode::OutOfMemory, Some("var")));
        assert!(try_filled("f", "w", 3, 1.5f32).unwrap() == vec![1.5; 3]);
    }

    #[test]
    fn element_counts_are_checked() {
        assert_eq!(numel("f", "x", &[usize::MAX, 2]).unwrap_err().code(), ErrorCode::ShapeMismatch);
        let t = Tensor::new(&[1.0f32, 2.0, 3.0], &[2, 2]);
        let e = t.check("f", "input").unwrap_err();
        assert_eq!(e.arg(), Some("input"));
        assert!(e.detail().contains("[2, 2]"), "{e}");
        assert!(Tensor::flat(&[1.0f32, 2.0]).check("f", "input").is_ok());
    }
}
