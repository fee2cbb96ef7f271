//! Reduction (PyTorch's `reduction=`): the [`Reducer`] is its one owner, and [`Sum`] the
//! accurate summation every engine accumulates into.

use crate::error::{check_option, Result};
use crate::real::Real;

/// How the unreduced loss is reduced (PyTorch's `reduction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// No reduction: the unreduced loss, in PyTorch's output shape.
    None,
    /// The mean; what it divides by is each loss's rule (count, Σ weights, kept targets).
    #[default]
    Mean,
    /// The sum.
    Sum,
    /// `kl_div` only: the sum divided by the batch size (`input.size(0)`).
    BatchMean,
}

impl Reduction {
    /// The reduction of a wire code: 0 none, 1 mean, 2 sum, 3 batchmean (what the
    /// TypeScript layer passes); `None` for any other code.
    pub fn from_code(code: u32) -> Option<Reduction> {
        [Reduction::None, Reduction::Mean, Reduction::Sum, Reduction::BatchMean].get(code as usize).copied()
    }
    /// PyTorch's name.
    pub const fn name(self) -> &'static str {
        match self {
            Reduction::None => "none",
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
            Reduction::BatchMean => "batchmean",
        }
    }
}

/// The single owner of reduction: checks that the loss has the reduction, knows what
/// 'mean' and 'batchmean' divide by, gives the gradient's scale and finishes the sum.
#[derive(Debug, Clone, Copy)]
pub struct Reducer {
    reduction: Reduction,
    denominator: f64,
}

impl Reducer {
    /// A reducer for `func`. `batch` is what 'batchmean' divides by, for the losses that
    /// have it (`kl_div`); every other loss rejects 'batchmean' here. 'mean' divides by the
    /// element count until [`mean_over`](Self::mean_over) says otherwise.
    pub fn new(func: &'static str, reduction: Reduction, batch: Option<usize>) -> Result<Reducer> {
        check_option(reduction != Reduction::BatchMean || batch.is_some(), func, "reduction", || {
            "must be 'none', 'mean' or 'sum' but is 'batchmean'".to_string()
        })?;
        let denominator = match reduction {
            Reduction::BatchMean => batch.unwrap_or(1) as f64,
            _ => 1.0,
        };
        Ok(Reducer { reduction, denominator })
    }
    /// Sets what 'mean' divides by (ignored by the other reductions).
    pub fn mean_over(mut self, denominator: f64) -> Reducer {
        if self.reduction == Reduction::Mean {
            self.denominator = denominator;
        }
        self
    }
    /// The reduction.
    pub fn reduction(&self) -> Reduction {
        self.reduction
    }
    /// `true` for 'none': the unreduced output and `grad_output` are used.
    pub fn is_none(&self) -> bool {
        self.reduction == Reduction::None
    }
    /// ∂(reduced loss)/∂ℓᵢ for every element: 1/denominator ('mean', 'batchmean'), else 1.
    pub fn grad_scale<T: Real>(&self) -> T {
        T::from_f64(1.0 / self.denominator)
    }
    /// `factor` × [`grad_scale`](Self::grad_scale), formed in f64 and rounded once (PyTorch's
    /// `2. / numel` for MSE).
    pub fn grad_scale_times<T: Real>(&self, factor: f64) -> T {
        T::from_f64(factor / self.denominator)
    }
    /// The reduced loss from the sum of the unreduced ones (zero for 'none').
    pub fn finish<T: Real>(&self, total: f64) -> T {
        match self.reduction {
            Reduction::None => T::ZERO,
            Reduction::Sum => T::from_f64(total),
            Reduction::Mean | Reduction::BatchMean => T::from_f64(total / self.denominator),
        }
    }
}

/// Compensated (Neumaier) summation in f64: f32 losses are accumulated in f64 blocks and
/// f64 losses keep a running error term, so a mean over 10⁷ elements stays within 1e-5
/// relative in f32 (docs/API.md, Accuracy), where a naive f32 sum stalls once the total
/// dwarfs each term.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

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
    fn reducer_owns_the_denominators() {
        let mean = Reducer::new("f", Reduction::Mean, None).unwrap().mean_over(4.0);
        assert_eq!(mean.finish::<f64>(10.0), 2.5);
        assert_eq!(mean.grad_scale::<f64>(), 0.25);
        let sum = Reducer::new("f", Reduction::Sum, None).unwrap().mean_over(4.0);
        assert_eq!((sum.finish::<f64>(10.0), sum.grad_scale::<f64>()), (10.0, 1.0));
        let batch = Reducer::new("f", Reduction::BatchMean, Some(5)).unwrap().mean_over(4.0);
        assert_eq!(batch.finish::<f64>(10.0), 2.0);
        let e = Reducer::new("f", Reduction::BatchMean, None).unwrap_err();
        assert_eq!((e.code(), e.arg()), (ErrorCode::InvalidOption, Some("reduction")));
        assert_eq!(Reduction::from_code(3), Some(Reduction::BatchMean));
        assert_eq!(Reduction::from_code(4), None);
    }
}
