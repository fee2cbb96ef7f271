//! The fused engine behind every element-wise loss.
//!
//! A loss supplies ℓ(x, y, v) and its partial derivatives for one [`Lane`]; the engine does
//! the rest in **one pass**: optional element weights, the unreduced output, accurate
//! accumulation for 'mean'/'sum', and the gradients scaled by the reduction (or by the
//! upstream `grad_output` for 'none'). The body of each slice runs on SIMD vectors, the
//! tail on scalars; with [`force_scalar_kernels`](crate::force_scalar_kernels) the whole
//! slice runs on scalars (the scalar twin).

use crate::error::{check_len, Result};
use crate::real::{Lane, Real};
use crate::reduction::{scalar_kernels_forced, Out, Reduction, Sum};

/// An element-wise loss: ℓ and its partials for one lane of elements.
pub(crate) trait Pointwise<T: Real> {
    /// `[ℓ, ∂ℓ/∂x, ∂ℓ/∂y, ∂ℓ/∂v]` for inputs `x`, targets `y` and the optional third argument
    /// `v` (zero when the loss has none).
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, v: L) -> [L; 4];
}

/// What 'mean' divides by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MeanOver {
    /// The number of elements (PyTorch's default, and Huber even with weights).
    Count,
    /// The sum of the element weights when weights are given (PyTorch's L1 and MSE).
    WeightSum,
    /// A count the loss gives (`kl_div`'s 'batchmean': the batch size).
    Fixed(usize),
}

/// The arguments of an element-wise loss, all of one length.
pub(crate) struct Args<'a, T> {
    pub input: &'a [T],
    pub target: &'a [T],
    /// Third argument (Gaussian NLL's variance), already expanded to the input's length.
    pub third: Option<&'a [T]>,
    /// Element weights (PyTorch's `weight=`), already expanded to the input's length.
    pub weight: Option<&'a [T]>,
}

/// Lane-size accumulation blocks: 16 lanes are summed in the element type, then moved to
/// the f64 compensated sum, which bounds the f32 rounding error of each block.
const BLOCK: usize = 16;

struct Pass<'s, T, P> {
    loss: &'s P,
    args: &'s Args<'s, T>,
    unreduced: Option<&'s mut [T]>,
    grad_output: Option<&'s [T]>,
    scale: T,
    grads: [Option<&'s mut [T]>; 3],
}

impl<'s, T: Real, P: Pointwise<T>> Pass<'s, T, P> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>, const GRAD: bool>(&mut self, i: usize) -> L {
        let a = self.args;
        let v = match a.third {
            Some(v) => L::load(&v[i..]),
            None => L::zero(),
        };
        let [mut l, mut dx, mut dy, mut dv] = self.loss.eval(L::load(&a.input[i..]), L::load(&a.target[i..]), v);
        if let Some(w) = a.weight {
            let w = L::load(&w[i..]);
            l = l * w;
            if GRAD {
                dx = dx * w;
                dy = dy * w;
                dv = dv * w;
            }
        }
        if let Some(out) = self.unreduced.as_deref_mut() {
            l.store(&mut out[i..]);
        }
        if GRAD {
            let g = match self.grad_output {
                Some(g) => L::load(&g[i..]),
                None => L::splat(self.scale),
            };
            for (slot, d) in self.grads.iter_mut().zip([dx, dy, dv]) {
                if let Some(s) = slot.as_deref_mut() {
                    (d * g).store(&mut s[i..]);
                }
            }
        }
        l
    }

    /// Runs lanes of type `L` over `start..end` (a multiple of the lane width long) and
    /// returns the accumulated loss.
    #[inline(always)]
    fn run<L: Lane<Elem = T>, const GRAD: bool>(&mut self, start: usize, end: usize, total: &mut Sum) {
        let w = L::WIDTH;
        let mut i = start;
        while i < end {
            let stop = (i + BLOCK * w).min(end);
            let mut acc = L::zero();
            while i < stop {
                acc = acc + self.step::<L, GRAD>(i);
                i += w;
            }
            total.add(acc.sum_f64());
        }
    }

    fn all<const GRAD: bool>(&mut self, n: usize) -> f64 {
        let mut total = Sum::default();
        let body = if scalar_kernels_forced() { 0 } else { n - n % <T::Vector as Lane>::WIDTH };
        self.run::<T::Vector, GRAD>(0, body, &mut total);
        self.run::<T, GRAD>(body, n, &mut total);
        total.value()
    }
}

/// Runs an element-wise loss: checks lengths, then one fused pass. Returns the reduced
/// loss (zero for [`Reduction::None`], whose values go to `out.loss`).
pub(crate) fn run<T: Real, P: Pointwise<T>>(
    func: &str,
    loss: &P,
    args: &Args<'_, T>,
    reduction: Reduction,
    mean_over: MeanOver,
    out: Out<'_, T>,
) -> Result<T> {
    reduction.check_plain(func)?;
    let n = args.input.len();
    check_len(func, "target", args.target.len(), n, "the shape of input")?;
    if let Some(w) = args.weight {
        check_len(func, "weight", w.len(), n, "the shape of input")?;
    }
    if let Some(v) = args.third {
        check_len(func, "var", v.len(), n, "the shape of input")?;
    }
    out.check(func, reduction, n, &[("input", n), ("target", n), ("var", n)])?;

    let denominator = match (reduction, mean_over, args.weight) {
        (Reduction::Mean, MeanOver::WeightSum, Some(w)) => Sum::of(w),
        (Reduction::Mean, MeanOver::Fixed(count), _) => count as f64,
        (Reduction::Mean, _, _) => n as f64,
        _ => 1.0,
    };
    let Out { loss: unreduced, grad_output, grads } = out;
    let want_grads = grads.iter().any(Option::is_some);
    let mut pass = Pass {
        loss,
        args,
        unreduced: if reduction == Reduction::None { unreduced } else { None },
        grad_output: if reduction == Reduction::None { grad_output } else { None },
        scale: T::from_f64(1.0 / denominator),
        grads,
    };
    let total = if want_grads { pass.all::<true>(n) } else { pass.all::<false>(n) };
    Ok(match reduction {
        Reduction::None => T::ZERO,
        _ => T::from_f64(total / denominator),
    })
}
