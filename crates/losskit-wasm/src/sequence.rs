//! Sequence family exports (crates/losskit-core/src/losses/sequence.rs). Tensor arguments
//! are descriptor addresses; targets and length tensors are i32. A length given as a plain
//! number (the unbatched form) arrives as `input_length` / `target_length` with its
//! descriptor 0; `reduction` is a wire code.

use crate::error::reduction;
use crate::memory::{required, tensor};
use losskit_core::{self as core, Lengths};

/// Lengths from a descriptor (an i32 tensor), or the number when the descriptor is 0.
///
/// # Safety
/// As `memory::tensor`.
unsafe fn lengths<'a>(desc: usize, number: f64) -> Lengths<'a> {
    match tensor::<i32>(desc) {
        Some(t) => Lengths::Each(t),
        None => Lengths::One(number),
    }
}

export!(ctc_loss_f32, ctc_loss_f64 = fn ctc_loss(log_probs: usize, targets: usize, input_lengths: usize, input_length: f64, target_lengths: usize, target_length: f64, blank: f64, zero_infinity: bool, from_logits: bool, reduction_code: u32) grads[grad_log_probs => log_probs] |out| {
    // `blank` is a safe integer (the TypeScript layer checks it); the core checks its range.
    let opts = core::CtcOptions { blank: blank as i64, zero_infinity, from_logits, reduction: reduction(reduction_code)? };
    core::ctc_loss::<T>(required(log_probs), required(targets), lengths(input_lengths, input_length), lengths(target_lengths, target_length), &opts, out)
});
