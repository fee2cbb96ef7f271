//! Shapes and broadcasting, shared by every family.

use crate::error::{ErrorCode, LossError, Result};
use crate::real::Real;
use crate::reduction::Sum;

/// Number of elements of a shape.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Formats a shape as PyTorch prints it: `[4, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// For every element of a tensor of shape `full`, the flat index of the element of a
/// broadcast operand of shape `part` that it reads (NumPy rules: `part` aligned to the
/// right, each of its dims equal to `full`'s or 1).
pub fn broadcast_map(func: &str, arg: &str, full: &[usize], part: &[usize]) -> Result<Vec<usize>> {
    let bad = || {
        LossError::new(
            ErrorCode::ShapeMismatch,
            format!("{func}: {arg} of shape {} cannot be broadcast to shape {}", fmt_shape(part), fmt_shape(full)),
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
    let n = numel(full);
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
}
