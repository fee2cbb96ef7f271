//! Classification family exports. Pointer arguments are addresses in linear memory (0 =
//! absent); `shape` is the input's shape; class indices are i32. Lengths of optional
//! tensors (`weight_len`, `target_len`, ...) are passed so the core checks them. Outputs:
//! `out` receives the unreduced loss (reduction 'none'), `grad_output` is the upstream
//! gradient for 'none', `grad_*` receive the gradients. Each returns the reduced loss (0
//! for 'none').
// Pointer-based exports take one argument per buffer and option.
#![allow(clippy::too_many_arguments)]

use crate::error::{reduction, to_js};
use crate::memory::{opt_slice, outs, slice};
use losskit_core::{self as core, Real, Shaped, Target};

fn dims(shape: &[u32]) -> Vec<usize> {
    shape.iter().map(|&d| d as usize).collect()
}

/// Rows of an input over classes: the unreduced loss's length.
fn rows(shape: &[usize]) -> usize {
    match shape {
        [] | [_] => 1,
        [n, _, rest @ ..] => n * rest.iter().product::<usize>(),
    }
}

/// The target: i32 indices or float probabilities.
///
/// # Safety
/// `ptr` is valid for `len` elements of the named type.
unsafe fn target<'a, T>(ptr: usize, len: usize, is_index: bool) -> Target<'a, T> {
    if is_index {
        Target::Index(slice(ptr, len))
    } else {
        Target::Prob(slice(ptr, len))
    }
}

dtype_exports!(cross_entropy_f32, cross_entropy_f64 = fn cross_entropy(input: usize, shape: Vec<u32>, target_ptr: usize, target_len: usize, target_is_index: bool, weight: usize, weight_len: usize, ignore_index: f64, label_smoothing: f64, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    let shape = dims(&shape);
    let n: usize = shape.iter().product();
    // SAFETY: the TypeScript layer allocates every pointer for the lengths given.
    unsafe {
        let o = outs(out, rows(&shape), grad_output, [(grad_input, n), (grad_target, target_len), (0, 0)]);
        let t = target::<T>(target_ptr, target_len, target_is_index);
        core::cross_entropy::<T>(
            slice(input, n),
            &shape,
            t,
            opt_slice(weight, weight_len),
            ignore_index as i64,
            label_smoothing,
            reduction(red)?,
            o,
        )
        .map(Real::to_f64)
        .map_err(to_js)
    }
});

dtype_exports!(nll_loss_f32, nll_loss_f64 = fn nll(input: usize, shape: Vec<u32>, target_ptr: usize, target_len: usize, weight: usize, weight_len: usize, ignore_index: f64, red: u32, out: usize, grad_output: usize, grad_input: usize) {
    let shape = dims(&shape);
    let n: usize = shape.iter().product();
    // SAFETY: as in `cross_entropy`.
    unsafe {
        let o = outs(out, rows(&shape), grad_output, [(grad_input, n), (0, 0), (0, 0)]);
        core::nll_loss::<T>(
            slice(input, n),
            &shape,
            slice(target_ptr, target_len),
            opt_slice(weight, weight_len),
            ignore_index as i64,
            reduction(red)?,
            o,
        )
        .map(Real::to_f64)
        .map_err(to_js)
    }
});

dtype_exports!(categorical_cross_entropy_f32, categorical_cross_entropy_f64 = fn categorical(input: usize, shape: Vec<u32>, target_ptr: usize, target_len: usize, target_is_index: bool, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    let shape = dims(&shape);
    let n: usize = shape.iter().product();
    // SAFETY: as in `cross_entropy`.
    unsafe {
        let o = outs(out, rows(&shape), grad_output, [(grad_input, n), (grad_target, target_len), (0, 0)]);
        let t = target::<T>(target_ptr, target_len, target_is_index);
        core::categorical_cross_entropy::<T>(slice(input, n), &shape, t, reduction(red)?, o).map(Real::to_f64).map_err(to_js)
    }
});

dtype_exports!(focal_loss_f32, focal_loss_f64 = fn focal(input: usize, shape: Vec<u32>, target_ptr: usize, target_len: usize, gamma: f64, alpha: usize, alpha_len: usize, red: u32, out: usize, grad_output: usize, grad_input: usize) {
    let shape = dims(&shape);
    let n: usize = shape.iter().product();
    // SAFETY: as in `cross_entropy`.
    unsafe {
        let o = outs(out, rows(&shape), grad_output, [(grad_input, n), (0, 0), (0, 0)]);
        core::focal_loss::<T>(
            slice(input, n),
            &shape,
            slice(target_ptr, target_len),
            gamma,
            opt_slice(alpha, alpha_len),
            reduction(red)?,
            o,
        )
        .map(Real::to_f64)
        .map_err(to_js)
    }
});

/// A broadcast operand from a pointer and its shape (None for a null pointer).
///
/// # Safety
/// `ptr` is 0 or valid for the shape's element count.
unsafe fn shaped<'a, T>(ptr: usize, shape: &'a [usize]) -> Option<Shaped<'a, T>> {
    opt_slice(ptr, shape.iter().product()).map(|data| Shaped { data, shape })
}

dtype_exports!(binary_cross_entropy_f32, binary_cross_entropy_f64 = fn bce(input: usize, target: usize, shape: Vec<u32>, weight: usize, weight_shape: Vec<u32>, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    let (shape, wshape) = (dims(&shape), dims(&weight_shape));
    let n: usize = shape.iter().product();
    // SAFETY: as in `cross_entropy`.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::binary_cross_entropy::<T>(slice(input, n), slice(target, n), &shape, shaped(weight, &wshape), reduction(red)?, o)
            .map(Real::to_f64)
            .map_err(to_js)
    }
});

dtype_exports!(binary_cross_entropy_with_logits_f32, binary_cross_entropy_with_logits_f64 = fn bce_logits(input: usize, target: usize, shape: Vec<u32>, weight: usize, weight_shape: Vec<u32>, pos_weight: usize, pos_weight_shape: Vec<u32>, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    let (shape, wshape, pshape) = (dims(&shape), dims(&weight_shape), dims(&pos_weight_shape));
    let n: usize = shape.iter().product();
    // SAFETY: as in `cross_entropy`.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::binary_cross_entropy_with_logits::<T>(
            slice(input, n),
            slice(target, n),
            &shape,
            shaped(weight, &wshape),
            shaped(pos_weight, &pshape),
            reduction(red)?,
            o,
        )
        .map(Real::to_f64)
        .map_err(to_js)
    }
});

dtype_exports!(kl_div_f32, kl_div_f64 = fn kl(input: usize, target: usize, shape: Vec<u32>, log_target: bool, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    let shape = dims(&shape);
    let n: usize = shape.iter().product();
    // SAFETY: as in `cross_entropy`.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::kl_div::<T>(slice(input, n), slice(target, n), &shape, log_target, reduction(red)?, o).map(Real::to_f64).map_err(to_js)
    }
});

dtype_exports!(sigmoid_focal_loss_f32, sigmoid_focal_loss_f64 = fn sigmoid_focal(input: usize, target: usize, n: usize, alpha: f64, gamma: f64, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    // SAFETY: as in `cross_entropy`.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::sigmoid_focal_loss::<T>(slice(input, n), slice(target, n), alpha, gamma, reduction(red)?, o).map(Real::to_f64).map_err(to_js)
    }
});
