//! Margin family exports (crates/losskit-core/src/losses/margin.rs). Tensor arguments are
//! descriptor addresses (0 = absent); class indices and label lists are i32; `reduction`
//! is a wire code.

use crate::error::reduction;
use crate::memory::{required, tensor};
use losskit_core as core;

export!(margin_ranking_loss_f32, margin_ranking_loss_f64 = fn margin_ranking_loss(input1: usize, input2: usize, target: usize, margin: f64, reduction_code: u32) grads[grad_input1 => input1, grad_input2 => input2] |out| {
    let opts = core::MarginRankingOptions { margin, reduction: reduction(reduction_code)? };
    core::margin_ranking_loss::<T>(required(input1), required(input2), required(target), &opts, out)
});

export!(hinge_loss_f32, hinge_loss_f64 = fn hinge_loss(input: usize, target: usize, margin: f64, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::HingeOptions { margin, reduction: reduction(reduction_code)? };
    core::hinge_loss::<T>(required(input), required(target), &opts, out)
});

export!(hinge_embedding_loss_f32, hinge_embedding_loss_f64 = fn hinge_embedding_loss(input: usize, target: usize, margin: f64, reduction_code: u32) grads[grad_input => input] |out| {
    let opts = core::HingeEmbeddingOptions { margin, reduction: reduction(reduction_code)? };
    core::hinge_embedding_loss::<T>(required(input), required(target), &opts, out)
});

export!(soft_margin_loss_f32, soft_margin_loss_f64 = fn soft_margin_loss(input: usize, target: usize, reduction_code: u32) grads[grad_input => input] |out| {
    core::soft_margin_loss::<T>(required(input), required(target), &core::SoftMarginOptions { reduction: reduction(reduction_code)? }, out)
});

export!(multilabel_margin_loss_f32, multilabel_margin_loss_f64 = fn multilabel_margin_loss(input: usize, target: usize, reduction_code: u32) grads[grad_input => input] |out| {
    core::multilabel_margin_loss::<T>(required(input), required(target), &core::MultilabelMarginOptions { reduction: reduction(reduction_code)? }, out)
});

export!(multilabel_soft_margin_loss_f32, multilabel_soft_margin_loss_f64 = fn multilabel_soft_margin_loss(input: usize, target: usize, weight: usize, reduction_code: u32) grads[grad_input => input, grad_target => target] |out| {
    let opts = core::MultilabelSoftMarginOptions { weight: tensor(weight), reduction: reduction(reduction_code)? };
    core::multilabel_soft_margin_loss::<T>(required(input), required(target), &opts, out)
});

// `p` arrives as a JS number (an integer, checked by the TypeScript layer); the core
// rejects anything but 1 and 2.
export!(multi_margin_loss_f32, multi_margin_loss_f64 = fn multi_margin_loss(input: usize, target: usize, p: f64, margin: f64, weight: usize, reduction_code: u32) grads[grad_input => input] |out| {
    let opts = core::MultiMarginOptions { p: p as i64, margin, weight: tensor(weight), reduction: reduction(reduction_code)? };
    core::multi_margin_loss::<T>(required(input), required(target), &opts, out)
});
