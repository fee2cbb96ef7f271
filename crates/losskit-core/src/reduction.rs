//! Reductions (PyTorch's `reduction=`), accurate summation, and the output slots every
//! loss call writes into.

use crate::error::{ErrorCode, LossError, Result};
use crate::real::Real;
use std::cell::Cell;

/// How the unreduced loss is reduced (PyTorch's `reduction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    /// No reduction: the unreduced loss, in PyTorch's output shape.
    None,
    /// The mean; what it divides by is each loss's rule (count, Σ weights, batch size).
    Mean,
    /// The sum.
    Sum,
    /// `kl_div` only: the sum divided by the batch size (`input.size(0)`).
    BatchMean,
}

impl Reduction {
    /// Parses PyTorch's reduction string.
    pub fn parse(func: &str, s: &str) -> Result<Self> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            "batchmean" => Ok(Reduction::BatchMean),
            _ => Err(LossError::new(ErrorCode::InvalidOption, format!("{func}: reduction must be 'none', 'mean' or 'sum' but is '{s}'"))),
        }
    }

    /// Fails unless this loss accepts the reduction (only `kl_div` accepts `BatchMean`).
    pub fn check_plain(self, func: &str) -> Result<()> {
        if self == Reduction::BatchMean {
            return Err(LossError::new(
                ErrorCode::InvalidOption,
                format!("{func}: reduction must be 'none', 'mean' or 'sum' but is 'batchmean'"),
            ));
        }
        Ok(())
    }
}

/// Where a loss call writes its results. Slices are flattened row-major.
pub struct Out<'a, T> {
    /// The unreduced loss; required when the reduction is [`Reduction::None`].
    pub loss: Option<&'a mut [T]>,
    /// Upstream gradient ∂L/∂loss, same shape as the unreduced loss, used with
    /// [`Reduction::None`] (ones when absent); ignored by the other reductions.
    pub grad_output: Option<&'a [T]>,
    /// Gradients of the (reduced) loss with respect to the differentiable arguments, in the
    /// order of the function's signature (for example `input`, `target`, `var`). A slot left
    /// `None` is not computed.
    pub grads: [Option<&'a mut [T]>; 3],
}

impl<'a, T> Default for Out<'a, T> {
    fn default() -> Self {
        Out { loss: None, grad_output: None, grads: [None, None, None] }
    }
}

impl<'a, T: Real> Out<'a, T> {
    /// Only the reduced value, no gradients.
    pub fn value() -> Self {
        Self::default()
    }
    /// Checks the slots' lengths against the unreduced loss length and each argument's length.
    pub(crate) fn check(&self, func: &str, reduction: Reduction, unreduced_len: usize, arg_lens: &[(&str, usize)]) -> Result<()> {
        if reduction == Reduction::None {
            match &self.loss {
                Some(l) => crate::error::check_len(func, "output", l.len(), unreduced_len, "the unreduced loss")?,
                None => return Err(LossError::new(ErrorCode::InvalidOption, format!("{func}: reduction 'none' needs an output buffer"))),
            }
            if let Some(g) = self.grad_output {
                crate::error::check_len(func, "gradOutput", g.len(), unreduced_len, "the shape of the unreduced loss")?;
            }
        }
        for (slot, (name, len)) in self.grads.iter().zip(arg_lens) {
            if let Some(g) = slot {
                crate::error::check_len(func, &format!("grad of {name}"), g.len(), *len, &format!("the shape of {name}"))?;
            }
        }
        Ok(())
    }
}

/// Compensated (Neumaier) summation in f64: f32 losses are accumulated in f64 blocks and
/// f64 losses keep a running error term, so a mean over 10⁷ elements stays within the
/// accuracy API.md promises (1e-5 relative in f32, ~1e-10 in f64) where a naive f32 sum
/// stalls once the total dwarfs each term.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    /// Adds `x`.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }
    /// The total. Once the running sum is ±∞ or NaN the compensation is meaningless
    /// (∞ − ∞), so the sum itself is the answer, as a plain sum would give.
    #[inline]
    pub fn value(&self) -> f64 {
        if self.sum.is_finite() {
            self.sum + self.compensation
        } else {
            self.sum
        }
    }
    /// Accurate sum of a slice.
    pub fn of<T: Real>(xs: &[T]) -> f64 {
        let mut s = Sum::default();
        for &x in xs {
            s.add(x.to_f64());
        }
        s.value()
    }
}

thread_local! {
    static SCALAR_ONLY: Cell<bool> = const { Cell::new(false) };
}

/// Routes every kernel on this thread through its scalar twin instead of SIMD (for tests
/// and benchmarks that compare the two). Per thread, so parallel tests do not interfere.
pub fn force_scalar_kernels(on: bool) {
    SCALAR_ONLY.with(|c| c.set(on));
}

/// `true` when [`force_scalar_kernels`] is on for this thread.
#[inline]
pub fn scalar_kernels_forced() -> bool {
    SCALAR_ONLY.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_recovers_what_naive_loses() {
        let mut s = Sum::default();
        s.add(1e16);
        for _ in 0..1000 {
            s.add(1.0);
        }
        s.add(-1e16);
        assert_eq!(s.value(), 1000.0);
    }

    #[test]
    fn infinities_survive_compensation() {
        let mut s = Sum::default();
        s.add(1.0);
        s.add(f64::INFINITY);
        s.add(2.0);
        assert_eq!(s.value(), f64::INFINITY);
        s.add(f64::NEG_INFINITY);
        assert!(s.value().is_nan());
    }

    #[test]
    fn parse_reduction() {
        assert_eq!(Reduction::parse("f", "sum").unwrap(), Reduction::Sum);
        let e = Reduction::parse("mse_loss", "avg").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidOption);
        assert!(e.message().contains("'avg'"));
    }
}
