//! Classification family exports (crates/losskit-core/src/losses/classification.rs).
//! Tensor arguments are descriptor addresses (0 = absent); class indices are i32;
//! `reduction` is a wire code.

use crate::error::reduction;
use crate::memory::{required, tensor};
use losskit_core::{self as core, Target};

/// A class target: i32 indices, or float probabilities of the input's shape.
///
/// # Safety
/// As `memory::tensor`, for the named element type.
pub(crate) unsafe fn class_target<'a, T>(desc: usize, is_index: bool) -> Target<'a, T> {
    if is_index {
        Target::Index(required(desc))
    } else {
        Target::Prob(required(desc))
    }
}

export!(cross_entropy_f32, cross_entropy_f64 = fn cross_entropy(input: usize, target: usize, target_is_index: bool, weight: usize, ignore_index: f64, label_smoothing: f64, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::CrossEntropyOptions { weight: tensor(weight), ignore_index: ignore_index as i64, label_smoothing, reduction: reduction(reduction_code)? };
    core::cross_entropy::<T>(required(input), class_target(target, target_is_index), &opts, out)
});

export!(nll_loss_f32, nll_loss_f64 = fn nll_loss(input: usize, target: usize, weight: usize, ignore_index: f64, reduction_code: u32) grads[grad_input => input] |out| {
    let opts = core::NllOptions { weight: tensor(weight), ignore_index: ignore_index as i64, reduction: reduction(reduction_code)? };
    core::nll_loss::<T>(required(input), required(target), &opts, out)
});

export!(categorical_cross_entropy_f32, categorical_cross_entropy_f64 = fn categorical_cross_entropy(input: usize, target: usize, target_is_index: bool, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::CategoricalOptions { reduction: reduction(reduction_code)? };
    core::categorical_cross_entropy::<T>(required(input), class_target(target, target_is_index), &opts, out)
});

export!(focal_loss_f32, focal_loss_f64 = fn focal_loss(input: usize, target: usize, gamma: f64, alpha: usize, reduction_code: u32) grads[grad_input => input] |out| {
    let opts = core::FocalOptions { gamma, alpha: tensor(alpha), reduction: reduction(reduction_code)? };
    core::focal_loss::<T>(required(input), required(target), &opts, out)
});

export!(binary_cross_entropy_f32, binary_cross_entropy_f64 = fn binary_cross_entropy(input: usize, target: usize, weight: usize, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::BceOptions { weight: tensor(weight), reduction: reduction(reduction_code)? };
    core::binary_cross_entropy::<T>(required(input), required(target), &opts, out)
});

export!(binary_cross_entropy_with_logits_f32, binary_cross_entropy_with_logits_f64 = fn binary_cross_entropy_with_logits(input: usize, target: usize, weight: usize, pos_weight: usize, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::BceWithLogitsOptions { weight: tensor(weight), pos_weight: tensor(pos_weight), reduction: reduction(reduction_code)? };
    core::binary_cross_entropy_with_logits::<T>(required(input), required(target), &opts, out)
});

export!(kl_div_f32, kl_div_f64 = fn kl_div(input: usize, target: usize, log_target: bool, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    core::kl_div::<T>(required(input), required(target), &core::KlDivOptions { log_target, reduction: reduction(reduction_code)? }, out)
});

export!(sigmoid_focal_loss_f32, sigmoid_focal_loss_f64 = fn sigmoid_focal_loss(input: usize, target: usize, alpha: f64, gamma: f64, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::SigmoidFocalOptions { alpha, gamma, reduction: reduction(reduction_code)? };
    core::sigmoid_focal_loss::<T>(required(input), required(target), &opts, out)
});
