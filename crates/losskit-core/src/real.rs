//! The numeric abstraction every kernel is written against.
//!
//! A kernel is written **once**, generic over [`Lane`]: a lane is either one scalar
//! (`f32`, `f64`) or one SIMD vector of them (`wide::f32x4`, `wide::f64x2`). The kernel
//! drivers run the SIMD lane over the body of a slice and the scalar lane over the tail;
//! the *scalar twin* of every kernel is the same code run with the scalar lane over the
//! whole slice. `wide` lowers the vectors to wasm `simd128` on wasm32 and to SSE on
//! x86_64, so the SIMD path is exercised by native `cargo test` as well.
//!
//! [`Real`] is the element type (`f32` or `f64`) and names its vector lane.

use core::fmt::Debug;
use core::ops::{Add, Div, Mul, Neg, Sub};
use wide::{f32x4, f64x2};

/// One lane of computation: a scalar or a SIMD vector of [`Real`] elements.
///
/// Comparisons return a same-typed mask (all-ones / all-zeros bits per element for
/// vectors, `1`/`0` for scalars) consumed by [`Lane::select`]; NaN compares false, so a
/// `select` written as `select(a < b, .., ..)` sends NaN to the second branch, where the
/// arithmetic propagates it, as PyTorch does.
pub trait Lane:
    Copy + Debug + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self>
{
    /// The element type.
    type Elem: Real;
    /// One `usize` per element (`[usize; WIDTH]`): per-lane indices and flags.
    type Indices: Copy + Default + AsRef<[usize]> + AsMut<[usize]>;
    /// The lane's elements as an array (`[Elem; WIDTH]`).
    type Array: Copy + AsRef<[Self::Elem]>;
    /// Number of elements in a lane.
    const WIDTH: usize;
    /// The lane whose element `k` is `f(k)`.
    fn from_fn(f: impl FnMut(usize) -> Self::Elem) -> Self;
    /// The lane's elements.
    fn to_lanes(self) -> Self::Array;
    /// All elements equal to `v`.
    fn splat(v: Self::Elem) -> Self;
    /// `|x|`
    fn abs(self) -> Self;
    /// `√x`
    fn sqrt(self) -> Self;
    /// `eˣ`
    fn exp(self) -> Self;
    /// `ln x`
    fn ln(self) -> Self;
    /// `ln(1 + x)`, accurate for small `x`.
    fn ln_1p(self) -> Self;
    /// All-ones mask (a vector) or 1 (a scalar) where `self < other`, for [`Lane::select`].
    fn lt_mask(self, other: Self) -> Self;
    /// Mask where `self <= other`.
    fn le_mask(self, other: Self) -> Self;
    /// Mask where `self > other`.
    fn gt_mask(self, other: Self) -> Self;
    /// Mask where `self >= other`.
    fn ge_mask(self, other: Self) -> Self;
    /// Mask where `self == other` (false for NaN: `x.eq_mask(x)` is the not-NaN mask).
    fn eq_mask(self, other: Self) -> Self;
    /// Element-wise `if mask { a } else { b }`.
    fn select(mask: Self, a: Self, b: Self) -> Self;
    /// Loads `WIDTH` elements from the front of `s` (panics if `s` is shorter: an internal bug).
    fn load(s: &[Self::Elem]) -> Self;
    /// Stores `WIDTH` elements into the front of `s`.
    fn store(self, s: &mut [Self::Elem]);
    /// Loads `WIDTH` elements at `p`, unchecked (the hot loops, whose lengths are checked once per call).
    ///
    /// # Safety
    /// `p` is valid for reading `WIDTH` elements (no alignment needed).
    unsafe fn load_ptr(p: *const Self::Elem) -> Self;
    /// Stores `WIDTH` elements at `p`, unchecked.
    ///
    /// # Safety
    /// `p` is valid for writing `WIDTH` elements (no alignment needed).
    unsafe fn store_ptr(self, p: *mut Self::Elem);
    /// Sum of the lane's elements, widened to f64.
    fn sum_f64(self) -> f64;
    /// `xᵉ` (libm `pow`, element by element).
    fn powf(self, e: Self) -> Self;
    /// Loads element `k` from `s[idx[k] + add]` (a gather, for strided rows).
    fn gather(s: &[Self::Elem], idx: &[usize], add: usize) -> Self;
    /// Stores element `k` into `s[idx[k] + add]` (a scatter).
    fn scatter(self, s: &mut [Self::Elem], idx: &[usize], add: usize);

    /// Zero.
    #[inline(always)]
    fn zero() -> Self {
        Self::splat(Self::Elem::ZERO)
    }
    /// One.
    #[inline(always)]
    fn one() -> Self {
        Self::splat(Self::Elem::ONE)
    }
    /// `max(self, other)` that propagates NaN from `self` (PyTorch's `clamp_min`).
    #[inline(always)]
    fn max_nan(self, other: Self) -> Self {
        Self::select(self.lt_mask(other), other, self)
    }
    /// `min(self, other)` that propagates NaN from `self` (PyTorch's `clamp_max`).
    #[inline(always)]
    fn min_nan(self, other: Self) -> Self {
        Self::select(self.gt_mask(other), other, self)
    }
    /// `sign(x)` ∈ {−1, 0, 1}, with 0 for 0 and for NaN (what PyTorch's `abs` backward uses).
    #[inline(always)]
    fn signum0(self) -> Self {
        let z = Self::zero();
        Self::select(self.gt_mask(z), Self::one(), Self::select(self.lt_mask(z), -Self::one(), z))
    }
    /// Numerically stable `ln(1 + eˣ)`: `max(x, 0) + ln(1 + e^{−|x|})`.
    #[inline(always)]
    fn softplus(self) -> Self {
        let z = Self::zero();
        Self::select(self.gt_mask(z), self, z) + (-self.abs()).exp().ln_1p()
    }
    /// Stable logistic `σ(x) = 1 / (1 + e^{−x})`, never overflowing for large |x|.
    #[inline(always)]
    fn sigmoid(self) -> Self {
        // e = e^{−|x|} ∈ (0, 1]; σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0.
        let e = (-self.abs()).exp();
        let r = Self::one() / (Self::one() + e);
        Self::select(self.ge_mask(Self::zero()), r, e * r)
    }
}

/// A floating-point element type: `f32` or `f64`.
pub trait Real: Lane<Elem = Self> + PartialOrd + Default + Send + Sync + 'static {
    /// The SIMD lane of this element type.
    type Vector: Lane<Elem = Self>;
    /// 0
    const ZERO: Self;
    /// 1
    const ONE: Self;
    /// Name used in messages and by the TypeScript layer: `"f32"` or `"f64"`.
    const NAME: &'static str;
    /// Converts from f64 (rounding to nearest for f32).
    fn from_f64(v: f64) -> Self;
    /// Widens to f64 (exact).
    fn to_f64(self) -> f64;
    /// `true` if the value is NaN.
    fn is_nan(self) -> bool;
}

macro_rules! scalar_lane {
    ($t:ty) => {
        impl Lane for $t {
            type Elem = $t;
            type Indices = [usize; 1];
            type Array = [$t; 1];
            const WIDTH: usize = 1;
            #[inline(always)]
            fn from_fn(mut f: impl FnMut(usize) -> $t) -> Self {
                f(0)
            }
            #[inline(always)]
            fn to_lanes(self) -> [$t; 1] {
                [self]
            }
            #[inline(always)]
            fn splat(v: $t) -> Self {
                v
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                <$t>::ln_1p(self)
            }
            #[inline(always)]
            fn lt_mask(self, o: Self) -> Self {
                (self < o) as u8 as $t
            }
            #[inline(always)]
            fn le_mask(self, o: Self) -> Self {
                (self <= o) as u8 as $t
            }
            #[inline(always)]
            fn gt_mask(self, o: Self) -> Self {
                (self > o) as u8 as $t
            }
            #[inline(always)]
            fn ge_mask(self, o: Self) -> Self {
                (self >= o) as u8 as $t
            }
            #[inline(always)]
            fn eq_mask(self, o: Self) -> Self {
                (self == o) as u8 as $t
            }
            #[inline(always)]
            fn select(m: Self, a: Self, b: Self) -> Self {
                if m != 0.0 {
                    a
                } else {
                    b
                }
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                s[0]
            }
            #[inline(always)]
            fn store(self, s: &mut [$t]) {
                s[0] = self;
            }
            #[inline(always)]
            unsafe fn load_ptr(p: *const $t) -> Self {
                *p
            }
            #[inline(always)]
            unsafe fn store_ptr(self, p: *mut $t) {
                *p = self;
            }
            #[inline(always)]
            fn sum_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                <$t>::powf(self, e)
            }
            #[inline(always)]
            fn gather(s: &[$t], idx: &[usize], add: usize) -> Self {
                s[idx[0] + add]
            }
            #[inline(always)]
            fn scatter(self, s: &mut [$t], idx: &[usize], add: usize) {
                s[idx[0] + add] = self;
            }
        }
    };
}
scalar_lane!(f32);
scalar_lane!(f64);

macro_rules! vector_lane {
    ($v:ty, $t:ty, $w:expr) => {
        impl Lane for $v {
            type Elem = $t;
            type Indices = [usize; $w];
            type Array = [$t; $w];
            const WIDTH: usize = $w;
            #[inline(always)]
            fn from_fn(f: impl FnMut(usize) -> $t) -> Self {
                <$v>::new(core::array::from_fn(f))
            }
            #[inline(always)]
            fn to_lanes(self) -> [$t; $w] {
                self.to_array()
            }
            #[inline(always)]
            fn splat(v: $t) -> Self {
                <$v>::splat(v)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$v>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$v>::sqrt(self)
            }
            // Transcendentals go through the scalar libm, lane by lane, so SIMD and scalar
            // twins agree bit for bit; the arithmetic around them stays vector.
            #[inline(always)]
            fn exp(self) -> Self {
                <$v>::new(self.to_array().map(<$t>::exp))
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$v>::new(self.to_array().map(<$t>::ln))
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                <$v>::new(self.to_array().map(<$t>::ln_1p))
            }
            #[inline(always)]
            fn lt_mask(self, o: Self) -> Self {
                self.simd_lt(o)
            }
            #[inline(always)]
            fn le_mask(self, o: Self) -> Self {
                self.simd_le(o)
            }
            #[inline(always)]
            fn gt_mask(self, o: Self) -> Self {
                self.simd_gt(o)
            }
            #[inline(always)]
            fn ge_mask(self, o: Self) -> Self {
                self.simd_ge(o)
            }
            #[inline(always)]
            fn eq_mask(self, o: Self) -> Self {
                self.simd_eq(o)
            }
            #[inline(always)]
            fn select(m: Self, a: Self, b: Self) -> Self {
                m.select(a, b)
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                let a: [$t; $w] = s[..$w].try_into().expect("slice shorter than a lane");
                <$v>::new(a)
            }
            #[inline(always)]
            fn store(self, s: &mut [$t]) {
                s[..$w].copy_from_slice(&self.to_array());
            }
            #[inline(always)]
            unsafe fn load_ptr(p: *const $t) -> Self {
                core::ptr::read_unaligned(p as *const $v)
            }
            #[inline(always)]
            unsafe fn store_ptr(self, p: *mut $t) {
                core::ptr::write_unaligned(p as *mut $v, self)
            }
            #[inline(always)]
            fn sum_f64(self) -> f64 {
                self.to_array().iter().map(|&e| e as f64).sum()
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                let (a, b) = (self.to_array(), e.to_array());
                <$v>::new(core::array::from_fn(|k| a[k].powf(b[k])))
            }
            #[inline(always)]
            fn gather(s: &[$t], idx: &[usize], add: usize) -> Self {
                <$v>::new(core::array::from_fn(|k| s[idx[k] + add]))
            }
            #[inline(always)]
            fn scatter(self, s: &mut [$t], idx: &[usize], add: usize) {
                for (k, v) in self.to_array().into_iter().enumerate() {
                    s[idx[k] + add] = v;
                }
            }
        }
    };
}
vector_lane!(f32x4, f32, 4);
vector_lane!(f64x2, f64, 2);

macro_rules! real {
    ($t:ty, $v:ty, $name:expr) => {
        impl Real for $t {
            type Vector = $v;
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAME: &'static str = $name;
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
        }
    };
}
real!(f32, f32x4, "f32");
real!(f64, f64x2, "f64");

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes_agree<T: Real>(xs: &[T]) {
        for chunk in xs.chunks_exact(<T::Vector as Lane>::WIDTH) {
            let v = T::Vector::load(chunk);
            let mut out = vec![T::ZERO; chunk.len()];
            (v.softplus() + v.sigmoid() * v.signum0() - v.abs().sqrt()).store(&mut out);
            for (o, &x) in out.iter().zip(chunk) {
                let s = x.softplus() + x.sigmoid() * x.signum0() - x.abs().sqrt();
                assert!(o.to_f64() == s.to_f64() || (o.is_nan() && s.is_nan()), "{o:?} vs {s:?} at {x:?}");
            }
        }
    }

    #[test]
    fn vector_and_scalar_lanes_agree() {
        let xs: Vec<f64> = vec![-1e4, -30.0, -1.0, -0.0, 0.0, 0.5, 3.0, 50.0, f64::NAN, f64::INFINITY, -2.5, 1e-9];
        lanes_agree(&xs);
        lanes_agree(&xs.iter().map(|&x| x as f32).collect::<Vec<_>>());
    }

    #[test]
    fn softplus_and_sigmoid_are_stable() {
        assert_eq!(1e4f32.softplus(), 1e4);
        assert_eq!((-1e4f32).softplus(), 0.0);
        assert_eq!((-1e4f64).sigmoid(), 0.0);
        assert_eq!(1e4f64.sigmoid(), 1.0);
        assert!((0.0f64.softplus() - std::f64::consts::LN_2).abs() < 1e-16);
        assert_eq!(f32::NAN.signum0(), 0.0);
        assert_eq!(0.0f32.signum0(), 0.0);
    }
}
