//! Regression family exports. Pointer arguments are addresses in linear memory (0 = absent);
//! `n` is the element count of input and target. Outputs: `out` receives the unreduced loss
//! (reduction 'none'), `grad_output` is the upstream gradient for 'none', and `grad_*` receive
//! the gradients. Each returns the reduced loss (0 for 'none').
// Pointer-based exports take one argument per buffer and option.
#![allow(clippy::too_many_arguments)]

use crate::error::{reduction, to_js, JsResult};
use crate::memory::{opt_slice, outs, slice};
use losskit_core::{self as core, Out, Real};

/// Signature shared by L1 and MSE.
type WeightedFn<T> = fn(&[T], &[T], Option<&[T]>, core::Reduction, Out<'_, T>) -> core::Result<T>;

fn weighted<T: Real>(
    f: WeightedFn<T>,
    input: usize,
    target: usize,
    n: usize,
    weight: usize,
    red: u32,
    out: usize,
    grad_output: usize,
    grad_input: usize,
    grad_target: usize,
) -> JsResult<f64> {
    // SAFETY: the TypeScript layer allocates every pointer for `n` elements.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        f(slice(input, n), slice(target, n), opt_slice(weight, n), reduction(red)?, o).map(Real::to_f64).map_err(to_js)
    }
}

dtype_exports!(l1_loss_f32, l1_loss_f64 = fn l1(input: usize, target: usize, n: usize, weight: usize, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    weighted(core::l1_loss::<T>, input, target, n, weight, red, out, grad_output, grad_input, grad_target)
});

dtype_exports!(mse_loss_f32, mse_loss_f64 = fn mse(input: usize, target: usize, n: usize, weight: usize, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    weighted(core::mse_loss::<T>, input, target, n, weight, red, out, grad_output, grad_input, grad_target)
});

dtype_exports!(smooth_l1_loss_f32, smooth_l1_loss_f64 = fn smooth_l1(input: usize, target: usize, n: usize, beta: f64, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    // SAFETY: as in `weighted`.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::smooth_l1_loss::<T>(slice(input, n), slice(target, n), beta, reduction(red)?, o).map(Real::to_f64).map_err(to_js)
    }
});

dtype_exports!(huber_loss_f32, huber_loss_f64 = fn huber(input: usize, target: usize, n: usize, weight: usize, delta: f64, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    // SAFETY: as in `weighted`.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::huber_loss::<T>(slice(input, n), slice(target, n), opt_slice(weight, n), delta, reduction(red)?, o)
            .map(Real::to_f64)
            .map_err(to_js)
    }
});

dtype_exports!(rmse_loss_f32, rmse_loss_f64 = fn rmse(input: usize, target: usize, n: usize, weight: usize, grad_input: usize, grad_target: usize) {
    // SAFETY: as in `weighted`.
    unsafe {
        let o = outs(0, 0, 0, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::rmse_loss::<T>(slice(input, n), slice(target, n), opt_slice(weight, n), o).map(Real::to_f64).map_err(to_js)
    }
});

dtype_exports!(mae_loss_f32, mae_loss_f64 = fn mae(input: usize, target: usize, n: usize, weight: usize, grad_input: usize, grad_target: usize) {
    // SAFETY: as in `weighted`.
    unsafe {
        let o = outs(0, 0, 0, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::mae_loss::<T>(slice(input, n), slice(target, n), opt_slice(weight, n), o).map(Real::to_f64).map_err(to_js)
    }
});

dtype_exports!(poisson_nll_loss_f32, poisson_nll_loss_f64 = fn poisson(input: usize, target: usize, n: usize, log_input: bool, full: bool, eps: f64, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize) {
    // SAFETY: as in `weighted`.
    unsafe {
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (0, 0)]);
        core::poisson_nll_loss::<T>(slice(input, n), slice(target, n), log_input, full, eps, reduction(red)?, o)
            .map(Real::to_f64)
            .map_err(to_js)
    }
});

// `var` is a tensor at `var` with shape `var_shape` when `var_is_tensor`, else the number `var_scalar`.
dtype_exports!(gaussian_nll_loss_f32, gaussian_nll_loss_f64 = fn gaussian(input: usize, target: usize, shape: Vec<u32>, var: usize, var_is_tensor: bool, var_shape: Vec<u32>, var_scalar: f64, full: bool, eps: f64, red: u32, out: usize, grad_output: usize, grad_input: usize, grad_target: usize, grad_var: usize) {
    let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    let var_shape: Vec<usize> = var_shape.iter().map(|&d| d as usize).collect();
    let n: usize = shape.iter().product();
    let var_len: usize = var_shape.iter().product();
    // SAFETY: as in `weighted`; var and its gradient have `var_len` elements.
    unsafe {
        let v = match var_is_tensor {
            false => core::Var::Scalar(var_scalar),
            true => core::Var::Tensor { data: slice(var, var_len), shape: &var_shape },
        };
        let o = outs(out, n, grad_output, [(grad_input, n), (grad_target, n), (grad_var, var_len)]);
        core::gaussian_nll_loss::<T>(slice(input, n), slice(target, n), v, &shape, full, eps, reduction(red)?, o)
            .map(Real::to_f64)
            .map_err(to_js)
    }
});
