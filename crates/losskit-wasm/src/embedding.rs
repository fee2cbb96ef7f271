//! Embedding family exports (crates/losskit-core/src/losses/embedding.rs). Tensor
//! arguments are descriptor addresses, `reduction` a wire code.

use crate::error::reduction;
use crate::memory::required;
use losskit_core as core;

export!(triplet_margin_loss_f32, triplet_margin_loss_f64 = fn triplet_margin_loss(anchor: usize, positive: usize, negative: usize, margin: f64, p: f64, eps: f64, swap: bool, reduction_code: u32) grads[grad_anchor => anchor, grad_positive => positive, grad_negative => negative] |out| {
    let opts = core::TripletMarginOptions { margin, p, eps, swap, reduction: reduction(reduction_code)? };
    core::triplet_margin_loss::<T>(required(anchor), required(positive), required(negative), &opts, out)
});

export!(cosine_embedding_loss_f32, cosine_embedding_loss_f64 = fn cosine_embedding_loss(input1: usize, input2: usize, target: usize, margin: f64, reduction_code: u32) grads[grad_input1 => input1, grad_input2 => input2] |out| {
    let opts = core::CosineEmbeddingOptions { margin, reduction: reduction(reduction_code)? };
    core::cosine_embedding_loss::<T>(required(input1), required(input2), required(target), &opts, out)
});
