//! Regression family exports (crates/losskit-core/src/losses/regression.rs). Tensor
//! arguments are descriptor addresses (0 = absent), `reduction` a wire code.

use crate::error::reduction;
use crate::memory::{required, tensor};
use losskit_core::{self as core, Var};

export!(l1_loss_f32, l1_loss_f64 = fn l1_loss(input: usize, target: usize, weight: usize, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::WeightedOptions { weight: tensor(weight), reduction: reduction(reduction_code)? };
    core::l1_loss::<T>(required(input), required(target), &opts, out)
});

export!(mse_loss_f32, mse_loss_f64 = fn mse_loss(input: usize, target: usize, weight: usize, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::WeightedOptions { weight: tensor(weight), reduction: reduction(reduction_code)? };
    core::mse_loss::<T>(required(input), required(target), &opts, out)
});

export!(smooth_l1_loss_f32, smooth_l1_loss_f64 = fn smooth_l1_loss(input: usize, target: usize, beta: f64, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::SmoothL1Options { beta, reduction: reduction(reduction_code)? };
    core::smooth_l1_loss::<T>(required(input), required(target), &opts, out)
});

export!(huber_loss_f32, huber_loss_f64 = fn huber_loss(input: usize, target: usize, weight: usize, delta: f64, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::HuberOptions { delta, weight: tensor(weight), reduction: reduction(reduction_code)? };
    core::huber_loss::<T>(required(input), required(target), &opts, out)
});

export!(rmse_loss_f32, rmse_loss_f64 = fn rmse_loss(input: usize, target: usize, weight: usize) grads[grad_input => input, grad_target => target] |out| {
    core::rmse_loss::<T>(required(input), required(target), &core::MeanOptions { weight: tensor(weight) }, out)
});

export!(mae_loss_f32, mae_loss_f64 = fn mae_loss(input: usize, target: usize, weight: usize) grads[grad_input => input, grad_target => target] |out| {
    core::mae_loss::<T>(required(input), required(target), &core::MeanOptions { weight: tensor(weight) }, out)
});

export!(poisson_nll_loss_f32, poisson_nll_loss_f64 = fn poisson_nll_loss(input: usize, target: usize, log_input: bool, full: bool, eps: f64, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::PoissonNllOptions { log_input, full, eps, reduction: reduction(reduction_code)? };
    core::poisson_nll_loss::<T>(required(input), required(target), &opts, out)
});

// `var` is a tensor descriptor, or 0 for the number `var_scalar`.
export!(gaussian_nll_loss_f32, gaussian_nll_loss_f64 = fn gaussian_nll_loss(input: usize, target: usize, var: usize, var_scalar: f64, full: bool, eps: f64, reduction_code: u32) grads[grad_input => input, grad_target => target, grad_var => var] |out| {
    let v = tensor(var).map_or(Var::Scalar(var_scalar), Var::Tensor);
    let opts = core::GaussianNllOptions { full, eps, reduction: reduction(reduction_code)? };
    core::gaussian_nll_loss::<T>(required(input), required(target), v, &opts, out)
});
