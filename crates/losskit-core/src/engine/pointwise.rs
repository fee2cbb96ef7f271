//! Element-wise losses: ℓ(x, y, p) for every element, in one fused pass.
//!
//! A loss supplies ℓ and its partial derivatives for one [`Lane`]; [`run`] does the rest:
//! shape checks, optional element weights, the unreduced output, the reduction, and the
//! gradients scaled by the reduction (or by the upstream `grad_output` for 'none').

use super::{drive, Out, Step};
use crate::error::{ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduce::{Reducer, Sum};
use crate::shape::Tensor;

/// An element-wise loss: ℓ and its partials for one lane of elements.
pub(crate) trait Pointwise<T: Real> {
    /// `[ℓ, ∂ℓ/∂x, ∂ℓ/∂y, ∂ℓ/∂p]` for inputs `x`, targets `y` and the loss's per-element
    /// parameter `p` (zero when the loss has none).
    fn eval<L: Lane<Elem = T>>(&self, x: L, y: L, p: L) -> [L; 4];
    /// `true` for a loss that always takes its per-element parameter (margin ranking's
    /// labels): its lean loops read `p` instead of passing zero.
    const LEAN_PARAM: bool = false;
    /// A constant factor of every partial that `eval` leaves out, applied as PyTorch does:
    /// folded into the reduction's scale without weights (MSE's (2/N)·d), else multiplied
    /// into the partials ahead of the weights, the upstream gradient or 1/Σw ((2d)·w/Σw).
    /// Keeps 2·d from overflowing where d·(2/N) does not, and 2/Σw where 1/Σw does not.
    const GRAD_FACTOR: f64 = 1.0;
    /// `true` for an arithmetic-light loss (a few adds, multiplies and selects per element,
    /// no transcendental): its lean loops run on four vectors at a time ([`Sweep::WIDE`](super::Sweep::WIDE)).
    const LIGHT: bool = false;
}

/// What 'mean' divides by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MeanOver {
    /// The number of elements (PyTorch's default, and Huber even with weights).
    Count,
    /// The sum of the element weights when weights are given (PyTorch's L1 and MSE).
    WeightSum,
}

/// The arguments of an element-wise loss.
pub(crate) struct Args<'a, T> {
    pub input: Tensor<'a, T>,
    pub target: Tensor<'a, T>,
    /// A per-element parameter of the loss (Gaussian NLL's variance, BCE's pos_weight),
    /// already expanded to the input's length; differentiable as gradient slot 2.
    pub param: Option<&'a [T]>,
    /// Element weights (PyTorch's `weight=`), already expanded to the input's length.
    pub weight: Option<&'a [T]>,
}

/// What a pass writes, fixed per compiled loop so the hot loops test nothing per element:
/// the loss only, or with the input's gradient, or with the input's and the target's
/// (the common calls: no weights, no per-element parameter unless the loss always takes one,
/// a reduced loss); anything else takes the general loop, which resolves each optional
/// buffer per lane.
const LOSS_ONLY: u8 = 0;
const GRAD_INPUT: u8 = 1;
const GRAD_BOTH: u8 = 2;
const GENERAL: u8 = 3;

/// The common calls: raw pointers to buffers whose lengths were checked once per call.
struct Lean<'s, T, P, const MODE: u8> {
    loss: &'s P,
    x: *const T,
    y: *const T,
    /// The per-element parameter, read only when `P::LEAN_PARAM`.
    p: *const T,
    gx: *mut T,
    gy: *mut T,
    scale: T,
}

impl<T: Real, P: Pointwise<T>, const MODE: u8> Step<T> for Lean<'_, T, P, MODE> {
    const WIDE: bool = P::LIGHT;
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, i: usize) -> L {
        // SAFETY: `run` checked that input, target, the parameter (read when
        // `P::LEAN_PARAM`, which the lean modes require to be given) and the gradients
        // written in this MODE hold `n` elements, and the driver keeps `i + L::WIDTH <= n`.
        // Loads precede the stores of the same elements, so a gradient written over its
        // own input is right.
        unsafe {
            let p = if P::LEAN_PARAM { L::load_ptr(self.p.add(i)) } else { L::zero() };
            let [l, dx, dy, _] = self.loss.eval(L::load_ptr(self.x.add(i)), L::load_ptr(self.y.add(i)), p);
            if MODE == GRAD_INPUT || MODE == GRAD_BOTH {
                let g = L::splat(self.scale);
                (dx * g).store_ptr(self.gx.add(i));
                if MODE == GRAD_BOTH {
                    (dy * g).store_ptr(self.gy.add(i));
                }
            }
            l
        }
    }
}

/// Every other call: weights, the per-element parameter, the unreduced output, the
/// upstream gradient, any subset of gradients.
struct General<'s, T, P, const GRAD: bool> {
    loss: &'s P,
    args: &'s Args<'s, T>,
    unreduced: Option<&'s mut [T]>,
    grad_output: Option<&'s [T]>,
    scale: T,
    /// [`Pointwise::GRAD_FACTOR`] where it is not in `scale`, applied to the partials first.
    factor: T,
    grads: [Option<&'s mut [T]>; 3],
}

impl<T: Real, P: Pointwise<T>, const GRAD: bool> Step<T> for General<'_, T, P, GRAD> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, i: usize) -> L {
        let a = self.args;
        let p = match a.param {
            Some(v) => L::load(&v[i..]),
            None => L::zero(),
        };
        let [mut l, mut dx, mut dy, mut dp] = self.loss.eval(L::load(&a.input.data[i..]), L::load(&a.target.data[i..]), p);
        if let Some(w) = a.weight {
            let w = L::load(&w[i..]);
            l = l * w;
            if GRAD {
                dx = dx * w;
                dy = dy * w;
                dp = dp * w;
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
            let f = L::splat(self.factor);
            for (slot, d) in self.grads.iter_mut().zip([dx, dy, dp]) {
                if let Some(s) = slot.as_deref_mut() {
                    (d * f * g).store(&mut s[i..]);
                }
            }
        }
        l
    }
}

/// Runs an element-wise loss: checks shapes and outputs, then one fused pass. Returns the
/// reduced loss (zero for 'none', whose values go to `out.loss`).
pub(crate) fn run<T: Real, P: Pointwise<T>>(
    func: &'static str,
    loss: &P,
    args: &Args<'_, T>,
    reducer: Reducer,
    mean_over: MeanOver,
    out: Out<'_, T>,
) -> Result<T> {
    args.input.check(func, "input")?;
    args.target.check(func, "target")?;
    args.target.check_same_shape(func, "target", args.input.shape(), "input")?;
    let n = args.input.len();
    let shape = args.input.shape();
    for (name, extra) in [("weight", args.weight), ("param", args.param)] {
        if let Some(e) = extra.filter(|e| e.len() != n) {
            return Err(LossError::new(ErrorCode::ShapeMismatch, func, Some(name), format!("has {} elements but input has {n}", e.len())));
        }
    }
    // A third gradient slot only where the loss has a per-element parameter to differentiate.
    let slots = [("input", n), ("target", n), ("param", args.param.map_or(0, <[T]>::len))];
    out.check(func, reducer.is_none(), shape, &slots[..if args.param.is_some() { 3 } else { 2 }])?;
    let reducer = match (mean_over, args.weight) {
        (MeanOver::WeightSum, Some(w)) => reducer.mean_over(Sum::of(w)),
        _ => reducer.mean_over(n as f64),
    };
    let Out { loss: unreduced, grad_output, mut grads } = out;
    let none = reducer.is_none();
    // The factor goes with the scale only for a reduced loss without weights (see GRAD_FACTOR).
    let fold = !reducer.is_none() && args.weight.is_none();
    let scale = if fold { reducer.grad_scale_times(P::GRAD_FACTOR) } else { reducer.grad_scale() };
    let factor = T::from_f64(if fold { 1.0 } else { P::GRAD_FACTOR });
    let lean = args.weight.is_none() && args.param.is_some() == P::LEAN_PARAM && !none;
    let mode = match (lean, &grads) {
        (true, [None, None, None]) => LOSS_ONLY,
        (true, [Some(_), None, None]) => GRAD_INPUT,
        (true, [Some(_), Some(_), None]) => GRAD_BOTH,
        _ => GENERAL,
    };
    let (x, y) = (args.input.data.as_ptr(), args.target.data.as_ptr());
    let p = args.param.map_or(core::ptr::null(), <[T]>::as_ptr);
    let [gx, gy] = [0, 1].map(|k| grads[k].as_deref_mut().map_or(core::ptr::null_mut(), <[T]>::as_mut_ptr));
    let total = match mode {
        LOSS_ONLY => drive(&mut Lean::<T, P, LOSS_ONLY> { loss, x, y, p, gx, gy, scale }, n),
        GRAD_INPUT => drive(&mut Lean::<T, P, GRAD_INPUT> { loss, x, y, p, gx, gy, scale }, n),
        GRAD_BOTH => drive(&mut Lean::<T, P, GRAD_BOTH> { loss, x, y, p, gx, gy, scale }, n),
        _ => {
            let unreduced = if none { unreduced } else { None };
            let grad_output = if none { grad_output.map(|g| g.data) } else { None };
            if grads.iter().any(Option::is_some) {
                drive(&mut General::<T, P, true> { loss, args, unreduced, grad_output, scale, factor, grads }, n)
            } else {
                drive(&mut General::<T, P, false> { loss, args, unreduced, grad_output, scale, factor, grads }, n)
            }
        }
    };
    Ok(reducer.finish(total))
}
