//! GAN losses on logits (docs/API.md §2: PyTorch has no such functions).
//!
//! | mode | discriminator, per real logit r / fake logit f | generator, per fake logit f |
//! |---|---|---|
//! | minimax | softplus(−r) + softplus(f) (BCE with logits vs 1 and 0) | −softplus(f) = ln(1 − σ(f)) |
//! | nonsaturating | as minimax | softplus(−f) (BCE with logits vs 1) |
//! | lsgan | ½(r − 1)² + ½f² | ½(f − 1)² |
//! | hinge | relu(1 − r) + relu(1 + f) | −f |
//! | wasserstein | −r + f | −f |
//!
//! The softplus forms are the stable ones (max(x, 0) + ln(1 + e^{−|x|})), finite for any logit.
//! Each term is element-wise, so every loss runs on the pointwise engine: the discriminator's
//! real and fake logits may differ in length, so its 'mean' / 'sum' is two reductions — one
//! sweep over each tensor — added (mean over the real logits + mean over the fake ones; one
//! sweep over the pairs when the counts are equal);
//! its 'none' pairs them element by element (real and fake of one shape, as the common
//! PyTorch implementations' `real_loss + fake_loss`). Gradient slots: discriminator
//! [real_logits, fake_logits], generator [fake_logits].

use crate::engine::pointwise::{self, Args, MeanOver, Pointwise};
use crate::engine::Out;
use crate::error::{ErrorCode, LossError, Result};
use crate::real::{Lane, Logistic, Real};
use crate::reduce::{Reducer, Reduction};
use crate::shape::Tensor;

/// The GAN objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GanMode {
    /// The original GAN (Goodfellow et al.): D by binary cross-entropy, G minimizing ln(1 − σ(f)) (saturating).
    Minimax,
    /// D as minimax; G by binary cross-entropy against 1, −ln σ(f) (the default: what GANs train with).
    #[default]
    NonSaturating,
    /// Least squares GAN (Mao et al.), targets 1 for real and 0 for fake.
    Lsgan,
    /// Hinge loss (Lim & Ye; SAGAN, BigGAN).
    Hinge,
    /// Wasserstein GAN critic (Arjovsky et al.), without its weight clipping or gradient penalty.
    Wasserstein,
}

impl GanMode {
    /// The modes in wire-code order (what the TypeScript layer passes: the index of its name).
    pub const ALL: [GanMode; 5] = [GanMode::Minimax, GanMode::NonSaturating, GanMode::Lsgan, GanMode::Hinge, GanMode::Wasserstein];
    /// The mode of a wire code, or `None`.
    pub fn from_code(code: u32) -> Option<GanMode> {
        Self::ALL.get(code as usize).copied()
    }
    /// The option's value: `"minimax"`, `"nonsaturating"`, ….
    pub const fn name(self) -> &'static str {
        match self {
            GanMode::Minimax => "minimax",
            GanMode::NonSaturating => "nonsaturating",
            GanMode::Lsgan => "lsgan",
            GanMode::Hinge => "hinge",
            GanMode::Wasserstein => "wasserstein",
        }
    }
}

/// Which term a kernel computes.
const REAL: u8 = 0;
const FAKE: u8 = 1;
const GEN: u8 = 2;

/// One term ℓ(x) and dℓ/dx of mode `M` (the index in [`GanMode::ALL`]) for side `S`.
#[inline(always)]
fn term<L: Lane, const M: u8, const S: u8>(x: L) -> (L, L) {
    let (zero, one) = (L::zero(), L::one());
    let half = L::splat(L::Elem::from_f64(0.5));
    match (M, S) {
        // BCE with logits vs 1: softplus(−x), ∂ = −σ(−x) (no cancellation at large x).
        (0 | 1, REAL) | (1, GEN) => {
            let s = Logistic::of(x);
            (s.softplus_neg(), -s.sigmoid_neg())
        }
        // BCE with logits vs 0: softplus(x), ∂ = σ(x).
        (0 | 1, FAKE) => {
            let s = Logistic::of(x);
            (s.softplus(), s.sigmoid())
        }
        // ln(1 − σ(x)) = −softplus(x), ∂ = −σ(x).
        (0, GEN) => {
            let s = Logistic::of(x);
            (-s.softplus(), -s.sigmoid())
        }
        (2, REAL) | (2, GEN) => {
            let d = x - one;
            (half * d * d, d)
        }
        (2, FAKE) => (half * x * x, x),
        // relu(1 ∓ x): NaN propagates; the gradient passes unless the argument is ≤ 0
        // (PyTorch's threshold backward, which also passes it at NaN).
        (3, REAL) => {
            let u = one - x;
            (u.max_nan(zero), L::select(u.le_mask(zero), zero, -one))
        }
        (3, FAKE) => {
            let u = one + x;
            (u.max_nan(zero), L::select(u.le_mask(zero), zero, one))
        }
        (3 | 4, GEN) | (4, REAL) => (-x, -one),
        _ => (x, one), // (4, FAKE)
    }
}

/// One side's terms as an element-wise loss of its logits x (the engine's target slot is x
/// again, unread by the kernel).
struct Side<const M: u8, const S: u8>;
impl<T: Real, const M: u8, const S: u8> Pointwise<T> for Side<M, S> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, _: L, _: L) -> [L; 4] {
        let (l, d) = term::<L, M, S>(x);
        [l, d, L::zero(), L::zero()]
    }
}

/// The discriminator's terms paired element by element ('none'): ℓ = ℓ_real(x) + ℓ_fake(y).
struct Pair<const M: u8>;
impl<T: Real, const M: u8> Pointwise<T> for Pair<M> {
    #[inline(always)]
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, _: L) -> [L; 4] {
        let (lr, dr) = term::<L, M, REAL>(x);
        let (lf, df) = term::<L, M, FAKE>(y);
        [lr + lf, dr, df, L::zero()]
    }
}

/// Options of [`gan_discriminator_loss`] and [`gan_generator_loss`].
#[derive(Debug, Clone, Copy)]
pub struct GanOptions {
    /// Default [`GanMode::NonSaturating`].
    pub mode: GanMode,
    /// Default 'mean' (each tensor's own mean; the discriminator adds the two).
    pub reduction: Reduction,
}
impl Default for GanOptions {
    fn default() -> Self {
        GanOptions { mode: GanMode::NonSaturating, reduction: Reduction::Mean }
    }
}

/// One side's reduced terms: a sweep of the pointwise engine over `logits`.
fn side<T: Real, const M: u8, const S: u8>(func: &'static str, logits: Tensor<'_, T>, reducer: Reducer, grad: Option<&mut [T]>) -> Result<T> {
    let out = Out { loss: None, grad_output: None, grads: [grad, None, None] };
    pointwise::run(func, &Side::<M, S>, &Args { input: logits, target: logits, param: None, weight: None }, reducer, MeanOver::Count, out)
}

/// The discriminator loss of mode `M`.
fn discriminator<T: Real, const M: u8>(func: &'static str, real: Tensor<'_, T>, fake: Tensor<'_, T>, reducer: Reducer, out: Out<'_, T>) -> Result<T> {
    real.check(func, "real_logits")?;
    fake.check(func, "fake_logits")?;
    let Out { loss, grad_output, grads: [gr, gf, extra] } = out;
    if extra.is_some() {
        return Err(LossError::new(ErrorCode::InvalidOption, func, None, "has no differentiable argument number 2"));
    }
    if reducer.is_none() {
        fake.check_same_shape(func, "fake_logits", real.shape(), "the real logits (reduction 'none' pairs them element by element)")?;
        let out = Out { loss, grad_output, grads: [gr, gf, None] };
        return pointwise::run(func, &Pair::<M>, &Args { input: real, target: fake, param: None, weight: None }, reducer, MeanOver::Count, out);
    }
    if real.len() == fake.len() {
        // One pass over the pairs: with equal counts, mean(ℓ_real) + mean(ℓ_fake) = mean(ℓ_real + ℓ_fake),
        // and each gradient is written after both inputs at its index were read (a gradient may
        // be written over either input).
        let out = Out { loss: None, grad_output: None, grads: [gr, gf, None] };
        let args = Args { input: Tensor::flat(real.data), target: Tensor::flat(fake.data), param: None, weight: None };
        return pointwise::run(func, &Pair::<M>, &args, reducer, MeanOver::Count, out);
    }
    let r = side::<T, M, REAL>(func, real, reducer, gr)?;
    let f = side::<T, M, FAKE>(func, fake, reducer, gf)?;
    Ok(r + f)
}

/// GAN discriminator loss on logits: mean over the real logits of the real term plus mean over
/// the fake logits of the fake term (the table of this module; docs/API.md §2). 'sum' adds the
/// two sums; 'none' needs real and fake of one shape and gives ℓ_real + ℓ_fake element by
/// element. The tensors may have any shape and, reduced, different lengths; the mean of an
/// empty tensor is NaN (PyTorch's). Gradients: `out.grads` = [real_logits, fake_logits].
pub fn gan_discriminator_loss<T: Real>(real_logits: Tensor<'_, T>, fake_logits: Tensor<'_, T>, opts: &GanOptions, out: Out<'_, T>) -> Result<T> {
    const F: &str = "gan_discriminator_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    match opts.mode {
        GanMode::Minimax => discriminator::<T, 0>(F, real_logits, fake_logits, reducer, out),
        GanMode::NonSaturating => discriminator::<T, 1>(F, real_logits, fake_logits, reducer, out),
        GanMode::Lsgan => discriminator::<T, 2>(F, real_logits, fake_logits, reducer, out),
        GanMode::Hinge => discriminator::<T, 3>(F, real_logits, fake_logits, reducer, out),
        GanMode::Wasserstein => discriminator::<T, 4>(F, real_logits, fake_logits, reducer, out),
    }
}

/// GAN generator loss on the fake logits (the table of this module): 'mean' (default) and 'sum'
/// reduce, 'none' gives the term of each element. Gradient: `out.grads` = [fake_logits].
pub fn gan_generator_loss<T: Real>(fake_logits: Tensor<'_, T>, opts: &GanOptions, out: Out<'_, T>) -> Result<T> {
    const F: &str = "gan_generator_loss";
    let reducer = Reducer::new(F, opts.reduction, None)?;
    fake_logits.check(F, "fake_logits")?;
    let Out { loss, grad_output, grads: [g, extra1, extra2] } = out;
    if let Some(k) = [extra1.is_some(), extra2.is_some()].iter().position(|&e| e) {
        return Err(LossError::new(ErrorCode::InvalidOption, F, None, format!("has no differentiable argument number {}", k + 1)));
    }
    let out = Out { loss, grad_output, grads: [g, None, None] };
    let args = Args { input: fake_logits, target: fake_logits, param: None, weight: None };
    match opts.mode {
        GanMode::Minimax => pointwise::run(F, &Side::<0, GEN>, &args, reducer, MeanOver::Count, out),
        GanMode::NonSaturating => pointwise::run(F, &Side::<1, GEN>, &args, reducer, MeanOver::Count, out),
        GanMode::Lsgan => pointwise::run(F, &Side::<2, GEN>, &args, reducer, MeanOver::Count, out),
        GanMode::Hinge => pointwise::run(F, &Side::<3, GEN>, &args, reducer, MeanOver::Count, out),
        GanMode::Wasserstein => pointwise::run(F, &Side::<4, GEN>, &args, reducer, MeanOver::Count, out),
    }
}
