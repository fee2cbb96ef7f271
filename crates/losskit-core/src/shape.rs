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
    pub(crate) fn check(&self, func: &'static str, arg: &'static str) -> Result<()> {
        let want = numel(func, arg, self.shape())?;
        if self.data.len() != want {
            return Err(LossError::new(
                ErrorCode::ShapeMismatch,
                func,
                Some(arg),
                format!("has {} elements but its shape {} needs {want}", self.data.len(), fmt_shape(self.shape())),
            ));
        }
        Ok(())
    }
    /// Fails with `SHAPE_MISMATCH` unless this tensor (argument `arg`) has `other`'s shape.
    pub(crate) fn check_same_shape(&self, func: &'static str, arg: &'static str, other: &[usize], other_name: &str) -> Result<()> {
        if self.shape() != other {
            return Err(LossError::new(
                ErrorCode::ShapeMismatch,
                func,
                Some(arg),
                format!("has shape {} but {other_name} has shape {}; they must be equal", fmt_shape(self.shape()), fmt_shape(other)),
            ));
        }
        Ok(())
    }
}

/// Number of elements of a shape, or `SHAPE_MISMATCH` when it overflows `usize` (the
/// address space: 32 bits in wasm).
pub fn numel(func: &'static str, arg: &'static str, shape: &[usize]) -> Result<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).ok_or_else(|| {
        LossError::new(
            ErrorCode::ShapeMismatch,
            func,
            Some(arg),
            format!("has shape {} with more elements than memory can hold", fmt_shape(shape)),
        )
    })
}

/// Formats a shape as PyTorch prints it: `[4, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// For every element of a tensor of shape `full`, the flat index of the element of a
/// broadcast operand of shape `part` that it reads (NumPy rules: `part` aligned to the
/// right, each of its dims equal to `full`'s or 1).
pub fn broadcast_map(func: &'static str, arg: &'static str, full: &[usize], part: &[usize]) -> Result<Vec<usize>> {
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
    // Stride of each full dim inside `part` (0 where `part` broadcasts).
    let mut strides = vec![0usize; full.len()];
    let mut stride = 1;
    for d in (0..part.len()).rev() {
        let (p, f) = (part[d], full[lead + d]);
        if p != f && p != 1 {
            return Err(bad());
        }
        strides[lead + d] = if p == 1 { 0 } else { stride };
        stride *= p;
    }
    let n = full.iter().product();
    let mut map = Vec::with_capacity(n);
    let mut idx = vec![0usize; full.len()];
    let mut at = 0usize;
    for _ in 0..n {
        map.push(at);
        // Increment the multi-index like an odometer, updating the flat offset in `part`.
        for d in (0..full.len()).rev() {
            idx[d] += 1;
            at += strides[d];
            if idx[d] < full[d] {
                break;
            }
            at -= strides[d] * idx[d];
            idx[d] = 0;
        }
    }
    Ok(map)
}

/// `src` read through a broadcast map: the operand expanded to the full shape.
pub fn expand<T: Copy>(src: &[T], map: &[usize]) -> Vec<T> {
    map.iter().map(|&j| src[j]).collect()
}

/// The adjoint of [`expand`]: sums a full-shape gradient back onto the broadcast operand.
pub fn sum_to<T: Real>(full: &[T], map: &[usize], dst: &mut [T]) {
    let mut acc = vec![Sum::default(); dst.len()];
    for (&g, &j) in full.iter().zip(map) {
        acc[j].add(g.to_f64());
    }
    for (d, a) in dst.iter_mut().zip(acc) {
        *d = T::from_f64(a.value());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_rows_and_columns() {
        assert_eq!(broadcast_map("f", "w", &[2, 3], &[3]).unwrap(), vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(broadcast_map("f", "w", &[2, 3], &[2, 1]).unwrap(), vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(broadcast_map("f", "w", &[2, 2], &[]).unwrap(), vec![0, 0, 0, 0]);
        assert_eq!(broadcast_map("f", "w", &[2, 1, 2], &[3, 1]).unwrap_err().code(), ErrorCode::ShapeMismatch);
        let mut dst = [0.0f64; 3];
        sum_to(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[0, 1, 2, 0, 1, 2], &mut dst);
        assert_eq!(dst, [5.0, 7.0, 9.0]);
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
