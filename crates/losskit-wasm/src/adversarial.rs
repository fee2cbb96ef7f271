//! Adversarial family exports (crates/losskit-core/src/losses/adversarial.rs): the GAN
//! losses. Tensor arguments are descriptor addresses; `mode_code` is the index of the mode's
//! name in `GanMode::ALL` (the TypeScript spec's list), `reduction_code` a wire code.

use crate::error::reduction;
use crate::memory::required;
use losskit_core::{self as core, ErrorCode, GanMode, LossError};

/// The mode of a wire code.
fn mode(func: &'static str, code: u32) -> core::Result<GanMode> {
    GanMode::from_code(code).ok_or_else(|| LossError::new(ErrorCode::InvalidOption, func, Some("mode"), format!("code {code} is not one of 0..=4")))
}

export!(gan_discriminator_loss_f32, gan_discriminator_loss_f64 = fn gan_discriminator_loss(real_logits: usize, fake_logits: usize, mode_code: u32, reduction_code: u32) grads[grad_real_logits => real_logits, grad_fake_logits => fake_logits] |out| {
    let opts = core::GanOptions { mode: mode("gan_discriminator_loss", mode_code)?, reduction: reduction(reduction_code)? };
    core::gan_discriminator_loss::<T>(required(real_logits), required(fake_logits), &opts, out)
});

export!(gan_generator_loss_f32, gan_generator_loss_f64 = fn gan_generator_loss(fake_logits: usize, mode_code: u32, reduction_code: u32) grads[grad_fake_logits => fake_logits] |out| {
    let opts = core::GanOptions { mode: mode("gan_generator_loss", mode_code)?, reduction: reduction(reduction_code)? };
    core::gan_generator_loss::<T>(required(fake_logits), &opts, out)
});
