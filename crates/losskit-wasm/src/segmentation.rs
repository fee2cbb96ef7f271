//! Segmentation family exports (crates/losskit-core/src/losses/segmentation.rs). Tensor
//! arguments are descriptor addresses; the target is i32 class indices or float data (as
//! the TypeScript layer staged it, by `toOnehotY`); `reduction` is a wire code.

use crate::classification::class_target;
use crate::error::reduction;
use crate::memory::required;
use losskit_core as core;

export!(dice_loss_f32, dice_loss_f64 = fn dice_loss(input: usize, target: usize, target_is_index: bool, sigmoid: bool, softmax: bool, squared_pred: bool, jaccard: bool, smooth_nr: f64, smooth_dr: f64, include_background: bool, batch: bool, to_onehot_y: bool, reduction_code: u32) grads[grad_input => input] |out| {
    let opts = core::DiceOptions { sigmoid, softmax, squared_pred, jaccard, smooth_nr, smooth_dr, include_background, batch, to_onehot_y, reduction: reduction(reduction_code)? };
    core::dice_loss::<T>(required(input), class_target(target, target_is_index), &opts, out)
});
