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
use wide::{f32x4, f64x2, i32x4};

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
    /// `|x|` as `x` with its sign bits cleared by `abs_mask`, a splat of
    /// [`opaque`]`(`[`Real::ABS_MASK`]`)` built once before a loop. V8 compiles wasm's
    /// `f32x4.abs` to an `and` with a constant in memory, a third load per vector in a loop
    /// over two inputs; an `and` with a register loads nothing (LLVM turns an `and` with a
    /// literal mask back into `abs`, hence the opaque mask).
    #[inline(always)]
    fn abs_with(self, abs_mask: Self) -> Self {
        let _ = abs_mask;
        self.abs()
    }
    /// `√x`
    fn sqrt(self) -> Self;
    /// `eˣ`
    fn exp(self) -> Self;
    /// `ln x`
    fn ln(self) -> Self;
    /// `ln(1 + x)`, accurate for small `x`.
    fn ln_1p(self) -> Self;
    /// `eˣ` for x ≤ 0 (softmax's e^{x − max}, the logistic's e^{−|x|}): in f32 a leaner
    /// polynomial than [`exp`](Lane::exp) (≤ 2 ulp, results below the smallest normal are
    /// 0, NaN propagates); in f64 the same as `exp`.
    fn exp_le0(self) -> Self;
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
    /// `WIDTH` i32 (class indices) at `p` as floats, unchecked: one conversion instruction
    /// per vector; exact for |i| ≤ 2²⁴ in f32, for every i32 in f64.
    ///
    /// # Safety
    /// `p` is valid for reading `WIDTH` i32 (no alignment needed).
    unsafe fn load_i32_ptr(p: *const i32) -> Self;
    /// Sum of the lane's elements, widened to f64.
    fn sum_f64(self) -> f64;
    /// Per-lane f64 running sums ([`Lane::add_f64`]).
    type Sums64: Copy;
    /// Per-lane f64 sums, all zero.
    fn sums64() -> Self::Sums64;
    /// Adds each element, widened to f64 (exact), to its lane's running sum: a sum in f64
    /// whose SIMD and scalar twins differ only in f64 rounding, without a horizontal sum
    /// per vector (four dependent adds, which bound a loop).
    fn add_f64(self, sums: Self::Sums64) -> Self::Sums64;
    /// The total of the per-lane sums.
    fn total64(sums: Self::Sums64) -> f64;
    /// Each lane's sum, rounded to the element type (the per-row sums of a tile of rows).
    fn lanes64(sums: Self::Sums64) -> Self;
    /// `xᵉ` (libm `pow`, element by element).
    fn powf(self, e: Self) -> Self;
    /// Loads element `k` from `p + idx[k] + add` (a gather, for strided rows), unchecked.
    ///
    /// # Safety
    /// `p` is valid for reading every `p + idx[k] + add`, k < WIDTH.
    unsafe fn gather_ptr(p: *const Self::Elem, idx: &[usize], add: usize) -> Self;
    /// Stores element `k` at `p + idx[k] + add` (a scatter), unchecked.
    ///
    /// # Safety
    /// `p` is valid for writing every `p + idx[k] + add`, k < WIDTH.
    unsafe fn scatter_ptr(self, p: *mut Self::Elem, idx: &[usize], add: usize);
    /// Loads `WIDTH` records of 4 consecutive elements at `p` as structure of arrays: lane c
    /// holds field c of every record (xyxy boxes; a 4×4 transpose for f32x4).
    ///
    /// # Safety
    /// `p` is valid for reading `4·WIDTH` elements.
    unsafe fn load_records4(p: *const Self::Elem) -> [Self; 4];
    /// Stores 4 lanes as `WIDTH` records of 4 consecutive elements at `p` (the inverse of
    /// [`load_records4`](Lane::load_records4)).
    ///
    /// # Safety
    /// `p` is valid for writing `4·WIDTH` elements.
    unsafe fn store_records4(v: [Self; 4], p: *mut Self::Elem);

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
    /// `v` where `mask` (a compare's result) is set, else 0.
    #[inline(always)]
    fn masked(mask: Self, v: Self) -> Self {
        Self::select(mask, v, Self::zero())
    }
    /// 1 where `mask` (a compare's result) is set, else 0: an indicator [·].
    #[inline(always)]
    fn indicator(mask: Self) -> Self {
        Self::masked(mask, Self::one())
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
    /// `sign(x)` ∈ {−1, 0, 1}, with 0 for 0 and for NaN (what PyTorch's `abs` backward uses):
    /// [x > 0] − [x < 0].
    #[inline(always)]
    fn signum0(self) -> Self {
        self.signum0_with(Self::one())
    }
    /// [`signum0`](Lane::signum0) with its 1 given: a loop's kernel passes a splat of
    /// [`opaque`]`(1)`, built once before the loop.
    #[inline(always)]
    fn signum0_with(self, one: Self) -> Self {
        let z = Self::zero();
        Self::masked(self.gt_mask(z), one) - Self::masked(self.lt_mask(z), one)
    }
    /// Numerically stable `ln(1 + eˣ)`: `max(x, 0) + ln(1 + e^{−|x|})`.
    #[inline(always)]
    fn softplus(self) -> Self {
        Logistic::of(self).softplus()
    }
    /// Stable logistic `σ(x) = 1 / (1 + e^{−x})`, never overflowing for large |x|.
    #[inline(always)]
    fn sigmoid(self) -> Self {
        Logistic::of(self).sigmoid()
    }
}

/// `ln(1 + e)` for e ∈ [0, 1] (NaN stays NaN), cheaper than a general `ln_1p`: with
/// s = e/(2 + e) ∈ [0, 1/3], ln(1 + e) = 2·atanh(s) = 2s·Σ_k s^{2k}/(2k + 1), and the
/// series' terms shrink by at least 9× each, so 8 terms reach f32's precision and 17 f64's
/// (no exponent split, no special cases; a relative error of a few ulp, measured in the tests).
#[inline(always)]
pub fn ln_1p_unit<L: Lane>(e: L) -> L {
    let terms = if <L::Elem as Real>::DIGITS <= 24 { 8 } else { 17 };
    let s = e / (L::splat(<L::Elem as Real>::from_f64(2.0)) + e);
    let s2 = s * s;
    // q = Σ_{k≥1} s^{2k−2}/(2k + 1); the leading term 2s is added last, exactly as computed.
    // By Estrin's scheme (`pairs`): a dependency chain of ⌈log₂ n⌉ multiply-adds where
    // Horner's rule has n − 1; that chain, one after another, bounded the loops calling this
    // (a sampling profile put their time on its multiply-adds).
    let c = |k: usize| L::splat(<L::Elem as Real>::from_f64(1.0 / (2 * k + 3) as f64));
    let t2 = s2 * s2;
    let t4 = t2 * t2;
    let q = if terms == 8 {
        let p: [L; 7] = core::array::from_fn(c);
        pairs::<L, 2, 1>(pairs::<L, 4, 2>(pairs::<L, 7, 4>(p, s2), t2), t4)[0]
    } else {
        let p: [L; 16] = core::array::from_fn(c);
        pairs::<L, 2, 1>(pairs::<L, 4, 2>(pairs::<L, 8, 4>(pairs::<L, 16, 8>(p, s2), t2), t4), t4 * t4)[0]
    };
    let s2x = s + s;
    s2x + s2x * s2 * q
}

/// One step of Estrin's scheme: the terms pᵢ of a polynomial in t paired as p₂ᵢ + p₂ᵢ₊₁·t
/// (the last alone when N is odd), M = ⌈N/2⌉ terms of the polynomial in t².
#[inline(always)]
fn pairs<L: Lane, const N: usize, const M: usize>(p: [L; N], t: L) -> [L; M] {
    debug_assert_eq!(M, N.div_ceil(2));
    core::array::from_fn(|i| if 2 * i + 1 < N { p[2 * i] + p[2 * i + 1] * t } else { p[2 * i] })
}

/// The logistic functions of one x, sharing their single transcendental pair: e = e^{−|x|}
/// and ln(1 + e), from which softplus(±x) and σ(±x) follow without overflow for any |x|.
#[derive(Clone, Copy)]
pub struct Logistic<L> {
    x: L,
    e: L,
    log1p_e: L,
}

impl<L: Lane> Logistic<L> {
    /// Computes e^{−|x|} and ln(1 + e^{−|x|}) once.
    #[inline(always)]
    pub fn of(x: L) -> Self {
        let e = (-x.abs()).exp_le0();
        Logistic { x, e, log1p_e: ln_1p_unit(e) }
    }
    /// `ln(1 + eˣ) = max(x, 0) + ln(1 + e^{−|x|})`.
    #[inline(always)]
    pub fn softplus(&self) -> L {
        let z = L::zero();
        L::select(self.x.gt_mask(z), self.x, z) + self.log1p_e
    }
    /// `ln(1 + e^{−x}) = max(−x, 0) + ln(1 + e^{−|x|})` (= −ln σ(x)).
    #[inline(always)]
    pub fn softplus_neg(&self) -> L {
        let z = L::zero();
        L::select(self.x.lt_mask(z), -self.x, z) + self.log1p_e
    }
    /// Binary cross-entropy on the logit x: `(1 − y)·x + lw·softplus(−x)` with
    /// lw = 1 + (pw − 1)·y and `pw_y` = pw·y (lw = 1, pw_y = y without pos_weight), written as
    /// `lw·ln(1 + e^{−|x|}) + ((1 − y)·x if x > 0 else −pw·y·x)`: for y ∈ [0, 1] both terms
    /// are ≥ 0, so nothing cancels (PyTorch's f32 form loses digits where x < 0: 0.8 % at
    /// x = −10, y = 0; 0 at x = −20).
    #[inline(always)]
    pub fn bce(&self, y: L, lw: L, pw_y: L) -> L {
        let linear = L::select(self.x.gt_mask(L::zero()), (L::one() - y) * self.x, -(pw_y * self.x));
        lw * self.log1p_e + linear
    }
    /// `σ(x)`: 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0.
    #[inline(always)]
    pub fn sigmoid(&self) -> L {
        let r = L::one() / (L::one() + self.e);
        L::select(self.x.ge_mask(L::zero()), r, self.e * r)
    }
    /// `σ(−x) = 1 − σ(x)` without the cancellation of `1 − σ(x)`: e/(1 + e) for x ≥ 0 and
    /// 1/(1 + e) for x < 0.
    #[inline(always)]
    pub fn sigmoid_neg(&self) -> L {
        let r = L::one() / (L::one() + self.e);
        L::select(self.x.ge_mask(L::zero()), self.e * r, r)
    }
    /// `∂bce/∂x = (pw·y + 1 − y)·σ(x) − pw·y`, written `(1 − y)·σ(x) − pw·y·σ(−x)` so that
    /// nothing cancels at y ∈ {0, 1} (σ(10) − 1 is 0.05 % off in f32; −σ(−10) is exact).
    #[inline(always)]
    pub fn bce_grad(&self, y: L, pw_y: L) -> L {
        (L::one() - y) * self.sigmoid() - pw_y * self.sigmoid_neg()
    }
}

/// `x`, opaque to the compiler: a kernel's constant kept in its struct as `opaque(c)` and
/// splatted in `eval` becomes one splat before the loop, where the literal `c` would be a
/// vector constant that V8 rebuilds at every iteration (a hoisted 0.5 made a wat copy of
/// Huber's forward loop ~4 % faster). For constants of the vector polynomials, which would
/// hold too many registers, see `konst` (a load per use).
#[inline(always)]
pub(crate) fn opaque<T: Real>(x: T) -> T {
    core::hint::black_box(x)
}

/// A floating-point element type: `f32` or `f64`.
pub trait Real: Lane<Elem = Self> + PartialOrd + Default + Send + Sync + 'static {
    /// The SIMD lane of this element type.
    type Vector: Lane<Elem = Self>;
    /// Four of those vectors in lockstep ([`Quad`]): the body lane of arithmetic-light loops.
    type Wide: Lane<Elem = Self>;
    /// 0
    const ZERO: Self;
    /// 1
    const ONE: Self;
    /// Every bit but the sign's (a NaN's pattern): `x & ABS_MASK` is |x| ([`Lane::abs_with`]).
    const ABS_MASK: Self;
    /// Name used in messages and by the TypeScript layer: `"f32"` or `"f64"`.
    const NAME: &'static str;
    /// Bits of the significand (24 or 53).
    const DIGITS: u32;
    /// Converts from f64 (rounding to nearest for f32).
    fn from_f64(v: f64) -> Self;
    /// Widens to f64 (exact).
    fn to_f64(self) -> f64;
    /// `true` if the value is NaN.
    fn is_nan(self) -> bool;
}

macro_rules! scalar_lane {
    ($t:ty, $v:ty) => {
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
            // The scalar lane evaluates the vector lane's polynomials on lane 0, so a
            // kernel's scalar twin and its SIMD body agree bit for bit.
            #[inline(always)]
            fn exp(self) -> Self {
                <$v as Lane>::exp(<$v>::splat(self)).to_array()[0]
            }
            #[inline(always)]
            fn exp_le0(self) -> Self {
                <$v as Lane>::exp_le0(<$v>::splat(self)).to_array()[0]
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$v as Lane>::ln(<$v>::splat(self)).to_array()[0]
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                <$v as Lane>::ln_1p(<$v>::splat(self)).to_array()[0]
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
            unsafe fn load_i32_ptr(p: *const i32) -> Self {
                *p as $t
            }
            #[inline(always)]
            fn sum_f64(self) -> f64 {
                self as f64
            }
            type Sums64 = f64;
            #[inline(always)]
            fn sums64() -> f64 {
                0.0
            }
            #[inline(always)]
            fn add_f64(self, sums: f64) -> f64 {
                sums + self as f64
            }
            #[inline(always)]
            fn total64(sums: f64) -> f64 {
                sums
            }
            #[inline(always)]
            fn lanes64(sums: f64) -> Self {
                sums as $t
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                <$t>::powf(self, e)
            }
            #[inline(always)]
            unsafe fn gather_ptr(p: *const $t, idx: &[usize], add: usize) -> Self {
                *p.add(*idx.get_unchecked(0) + add)
            }
            #[inline(always)]
            unsafe fn scatter_ptr(self, p: *mut $t, idx: &[usize], add: usize) {
                *p.add(*idx.get_unchecked(0) + add) = self;
            }
            #[inline(always)]
            unsafe fn load_records4(p: *const $t) -> [Self; 4] {
                [*p, *p.add(1), *p.add(2), *p.add(3)]
            }
            #[inline(always)]
            unsafe fn store_records4(v: [Self; 4], p: *mut $t) {
                for (c, x) in v.into_iter().enumerate() {
                    *p.add(c) = x;
                }
            }
        }
    };
}
scalar_lane!(f32, f32x4);
scalar_lane!(f64, f64x2);

macro_rules! vector_lane {
    ($v:ty, $t:ty, $w:expr, $sums:ty) => {
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
            // The vector polynomials (`transcendental`: f32 losskit's own, f64 `wide`'s;
            // measured within 2 ulp of the correctly rounded result over their whole range:
            // tests below), inlined into the kernels: called out of line (v128 then goes
            // through memory) BCE ran 2× slower, for a module half the size.
            #[inline(always)]
            fn exp(self) -> Self {
                transcendental::exp(self)
            }
            #[inline(always)]
            fn exp_le0(self) -> Self {
                transcendental::Vector::exp_le0(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                transcendental::ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                transcendental::ln_1p(self)
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
            // wasm's pmax/pmin are exactly these selects (self < other ? other : self), one
            // instruction each where the compare and bitselect take four.
            #[inline(always)]
            fn max_nan(self, o: Self) -> Self {
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                return self.fast_max(o);
                #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
                return <Self as Lane>::select(<Self as Lane>::lt_mask(self, o), o, self);
            }
            #[inline(always)]
            fn min_nan(self, o: Self) -> Self {
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                return self.fast_min(o);
                #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
                return <Self as Lane>::select(<Self as Lane>::gt_mask(self, o), o, self);
            }
            // The mask and'ed with v, where a select takes three instructions.
            #[inline(always)]
            fn masked(m: Self, v: Self) -> Self {
                m & v
            }
            #[inline(always)]
            fn abs_with(self, abs_mask: Self) -> Self {
                self & abs_mask
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
            unsafe fn load_i32_ptr(p: *const i32) -> Self {
                <$v as Records4>::load_i32(p)
            }
            #[inline(always)]
            fn sum_f64(self) -> f64 {
                self.to_array().iter().map(|&e| e as f64).sum()
            }
            type Sums64 = $sums;
            #[inline(always)]
            fn sums64() -> Self::Sums64 {
                <$v as Widen>::ZERO
            }
            #[inline(always)]
            fn add_f64(self, sums: Self::Sums64) -> Self::Sums64 {
                <$v as Widen>::add(self, sums)
            }
            #[inline(always)]
            fn total64(sums: Self::Sums64) -> f64 {
                <$v as Widen>::total(sums)
            }
            #[inline(always)]
            fn lanes64(sums: Self::Sums64) -> Self {
                <$v as Widen>::lanes(sums)
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                let (a, b) = (self.to_array(), e.to_array());
                <$v>::new(core::array::from_fn(|k| a[k].powf(b[k])))
            }
            #[inline(always)]
            unsafe fn gather_ptr(p: *const $t, idx: &[usize], add: usize) -> Self {
                <$v>::new(core::array::from_fn(|k| *p.add(*idx.get_unchecked(k) + add)))
            }
            #[inline(always)]
            unsafe fn scatter_ptr(self, p: *mut $t, idx: &[usize], add: usize) {
                for (k, v) in self.to_array().into_iter().enumerate() {
                    *p.add(*idx.get_unchecked(k) + add) = v;
                }
            }
            #[inline(always)]
            unsafe fn load_records4(p: *const $t) -> [Self; 4] {
                <$v as Records4>::load(p)
            }
            #[inline(always)]
            unsafe fn store_records4(v: [Self; 4], p: *mut $t) {
                <$v as Records4>::store(v, p)
            }
        }
    };
}
/// The vector transcendentals of each vector type.
mod transcendental {
    use super::{pairs, Lane};
    use wide::{f32x4, f64x2};

    /// Which vector types have them.
    pub trait Vector: Copy {
        fn exp(self) -> Self;
        fn exp_le0(self) -> Self;
        fn ln(self) -> Self;
        fn ln_1p(self) -> Self;
    }

    macro_rules! impl_vector {
        ($v:ty, $t:ty, $exp:expr, $exp_le0:expr, $ln:expr, $ln_1p:expr) => {
            impl Vector for $v {
                #[inline(always)]
                fn exp(self) -> Self {
                    $exp(self)
                }
                #[inline(always)]
                fn exp_le0(self) -> Self {
                    $exp_le0(self)
                }
                // Both ln's map subnormal inputs to −∞: those lanes are scaled by 2^k into the
                // normal range (a negative one then gives NaN) and corrected by −k·ln 2 (ln_1p
                // only takes ln of 1 + x, never subnormal).
                #[inline(always)]
                fn ln(self) -> Self {
                    // Subnormals of either sign: a negative one must give NaN, not −∞.
                    let tiny = self.abs().simd_lt(<$v>::splat(<$t>::MIN_POSITIVE)) & self.simd_ne(<$v>::ZERO);
                    if !tiny.any() {
                        return $ln(self);
                    }
                    let k = <$t>::MANTISSA_DIGITS as $t;
                    let scaled = tiny.select(self * <$v>::splat((2.0 as $t).powf(k)), self);
                    $ln(scaled) - tiny.select(<$v>::splat(k * core::f64::consts::LN_2 as $t), <$v>::ZERO)
                }
                #[inline(always)]
                fn ln_1p(self) -> Self {
                    $ln_1p(self)
                }
            }
        };
    }
    impl_vector!(f32x4, f32, exp_f32, exp_le0_f32, ln_f32, ln_1p_f32);
    impl_vector!(f64x2, f64, f64x2::exp, f64x2::exp, f64x2::ln, f64x2::ln_1p);

    /// ln x in f32, Cephes's logf as `wide`'s (x = f·2ᵉ with f ∈ [√½, √2), ln(1 + t) for
    /// t = f − 1 by its degree-8 polynomial, e·ln 2 in two parts) with the polynomial by
    /// Estrin's scheme (a chain of 4 multiply-adds, not 8). Subnormal x gives −∞ (the caller,
    /// `Vector::ln`, scales them); 0 gives −∞, x < 0 NaN, +∞ itself, fixed up only in a vector
    /// that holds one of them.
    #[inline(always)]
    fn ln_f32(x: f32x4) -> f32x4 {
        use wide::{bytemuck::cast, u32x4};
        let c = |i: usize| konst(&LN[i]);
        let bits = cast::<_, u32x4>(x);
        // f ∈ [0.5, 1) from the mantissa bits; e from the exponent bits, as a float (or'ed
        // into 2²³'s mantissa: the conversion without a conversion instruction)
        let f: f32x4 = cast((bits & u32x4::splat(0x007F_FFFF)) | u32x4::splat(0x3F00_0000));
        let e = cast::<_, f32x4>((bits >> 23) | cast::<_, u32x4>(c(13))) - c(14);
        let up = f.simd_gt(c(0)); // f > √½: keep f, e + 1; else 2f, e
        let t = up.select(f, f + f) - c(15);
        let fe = up.select(e + c(15), e);
        let t2 = t * t;
        let t4 = t2 * t2;
        let p = pairs::<f32x4, 9, 5>([1, 2, 3, 4, 5, 6, 7, 8, 9].map(c), t);
        let p = pairs::<f32x4, 2, 1>(pairs::<f32x4, 3, 2>(pairs::<f32x4, 5, 3>(p, t2), t4), t4 * t4)[0];
        let r = t2 * t * p + fe * c(11);
        let r = r + (t - c(12) * t2);
        let r = fe * c(10) + r;
        let normal = x.simd_ge(f32x4::splat(f32::MIN_POSITIVE)) & x.simd_lt(f32x4::splat(f32::INFINITY));
        if normal.all() {
            return r;
        }
        // 0 → −∞ (also the subnormals the caller did not scale), +∞ → +∞, x < 0 or NaN → NaN
        let r = x.simd_lt(f32x4::splat(f32::MIN_POSITIVE)).select(f32x4::splat(f32::NEG_INFINITY), r);
        let r = x.simd_eq(f32x4::splat(f32::INFINITY)).select(x, r);
        (x.simd_lt(f32x4::ZERO) | x.simd_ne(x)).select(f32x4::splat(f32::NAN), r)
    }
    /// ln_f32's constants: √½, Cephes's logf polynomial P0…P8, ln 2 in two parts (hi, lo),
    /// ½, 2²³, 2²³ + 127, 1.
    static LN: [f32x4; 16] = [
        s4(core::f32::consts::FRAC_1_SQRT_2),
        s4(0.333_333_3),
        s4(-0.249_999_94),
        s4(0.200_007_14),
        s4(-0.166_680_57),
        s4(0.142_493_23),
        s4(-0.124_201_41),
        s4(0.116_769_984),
        s4(-0.115_146_1),
        s4(0.070_376_836),
        s4(0.693_359_4),
        s4(-2.121_944_4e-4),
        s4(0.5),
        s4(8_388_608.0),
        s4(8_388_608.0 + 127.0),
        s4(1.0),
    ];

    /// ln(1 + x) in f32: x·ln u/(u − 1) for u = 1 + x (musl's and `wide`'s identity, exact
    /// where 1 + x rounds), x itself where u rounds to 1, ln u where u overflows.
    #[inline(always)]
    fn ln_1p_f32(x: f32x4) -> f32x4 {
        let one = f32x4::splat(1.0);
        let u = x + one;
        let ln_u = ln_f32(u);
        let r = u.simd_eq(one).select(x, x * (ln_u / (u - one)));
        u.simd_eq(f32x4::splat(f32::INFINITY)).select(ln_u, r)
    }

    /// eˣ for x ≤ 0 in f32: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite, ln 2 in two parts),
    /// e^r from Cephes's expf polynomial (≤ 2 ulp), 2ⁿ built in the exponent bits. It skips
    /// `wide`'s handling of overflow, infinities and subnormal results, which x ≤ 0 does not
    /// need. n is rounded by the magic-number trick: adding M = 1.5·2²³ + 127 leaves
    /// round(x·log₂e) + 127 in the low mantissa bits of k (so k − M is n, and k's bits shifted
    /// left by 23 are 2ⁿ), where `round` and a float→int conversion cost several times more in
    /// wasm. Below −87.34 (e^x < 2⁻¹²⁶) the result is 0 (the garbage computed there, even NaN
    /// for −∞, is replaced); NaN propagates.
    #[inline(always)]
    fn exp_le0_f32(x: f32x4) -> f32x4 {
        let tiny = x.simd_lt(konst(&EXP_LE0[0]));
        let (k, e) = exp_parts(x);
        let scale: f32x4 = wide::bytemuck::cast(wide::bytemuck::cast::<_, wide::i32x4>(k) << 23);
        tiny.select(f32x4::ZERO, e * scale)
    }

    /// eˣ in f32 for every x, as [`exp_le0_f32`] with 2ⁿ applied in two halves, 2^⌊n/2⌋ and
    /// 2^(n − ⌊n/2⌋), each a normal number for x clamped to [−104, 89] (n ∈ [−150, 128]): the
    /// last multiply rounds into the subnormals (gradual underflow) or overflows to ∞, as
    /// eˣ does; below −103.97 the result is 0. NaN propagates through the clamp. `wide`'s exp
    /// (a rounding instruction, a float→int conversion and masks for every special case) cost
    /// the losses calling it ~2× (Poisson NLL's forward).
    #[inline(always)]
    fn exp_f32(x: f32x4) -> f32x4 {
        use wide::{bytemuck::cast, i32x4};
        let x = Lane::min_nan(Lane::max_nan(x, konst(&EXP_RANGE[0])), konst(&EXP_RANGE[1]));
        let (k, e) = exp_parts(x);
        // k's bits are M's plus n (k and M lie in one binade whose ulp is 1)
        let n = cast::<_, i32x4>(k) - cast::<_, i32x4>(konst(&EXP_LE0[2]));
        let half = n >> 1;
        let bias = i32x4::splat(127);
        let (s1, s2): (f32x4, f32x4) = (cast((half + bias) << 23), cast((n - half + bias) << 23));
        e * s1 * s2
    }
    /// exp_f32's clamp of x: [−104, 89] (e⁻¹⁰⁴ rounds to 0, e⁸⁹ overflows).
    static EXP_RANGE: [f32x4; 2] = [s4(-104.0), s4(89.0)];

    /// The shared part of the exponentials: k = x·log₂e + M (n = round(x·log₂e) in its low
    /// bits) and e^r for r = x − n·ln 2.
    #[inline(always)]
    fn exp_parts(x: f32x4) -> (f32x4, f32x4) {
        let c = |i: usize| konst(&EXP_LE0[i]);
        let k = x * c(1) + c(2); // MAGIC
        let n = k - c(2);
        let r = x - n * c(3);
        let r = r - n * c(4);
        // The polynomial by Estrin's scheme (`pairs`): a chain of 3 multiply-adds, not 5.
        let r2 = r * r;
        let p = pairs::<f32x4, 2, 1>(pairs::<f32x4, 3, 2>(pairs::<f32x4, 6, 3>([10, 9, 8, 7, 6, 5].map(c), r), r2), r2 * r2)[0];
        (k, p * r2 + r + c(11))
    }
    const fn s4(v: f32) -> f32x4 {
        f32x4::new([v; 4])
    }
    /// exp_le0's constants: the x ≤ −87.34 cut, log₂e, the magic number M = 1.5·2²³ + 127,
    /// ln 2 in two parts, Cephes's polynomial, 1.
    static EXP_LE0: [f32x4; 12] = [
        s4(-87.336_54),
        s4(core::f32::consts::LOG2_E),
        s4(12_582_912.0 + 127.0),
        s4(0.693_359_4),
        s4(-2.121_944_4e-4),
        s4(1.987_569_1e-4),
        s4(1.398_199_9e-3),
        s4(8.333_452e-3),
        s4(4.166_579_6e-2),
        s4(0.166_666_65),
        s4(0.5),
        s4(1.0),
    ];
    /// A vector constant as a load the compiler keeps: a literal vector constant is rebuilt
    /// by the wasm engine (3 instructions on x86-64) at each use inside a loop, a load is one.
    #[inline(always)]
    fn konst(v: &'static f32x4) -> f32x4 {
        // SAFETY: a valid, aligned static.
        unsafe { core::ptr::read_volatile(v) }
    }

    #[inline(always)]
    pub fn exp<V: Vector>(v: V) -> V {
        v.exp()
    }
    #[inline(always)]
    pub fn ln<V: Vector>(v: V) -> V {
        v.ln()
    }
    #[inline(always)]
    pub fn ln_1p<V: Vector>(v: V) -> V {
        v.ln_1p()
    }
}

/// Per-lane f64 sums of a vector ([`Lane::add_f64`]): f32x4 widens into two f64x2 (wasm's
/// `f64x2.promote_low_f32x4`, where extracting and converting lane by lane cost twice the
/// exponentials of a softmax row), f64x2 adds as it is.
trait Widen: Sized {
    type Sums: Copy;
    const ZERO: Self::Sums;
    fn add(self, sums: Self::Sums) -> Self::Sums;
    fn total(sums: Self::Sums) -> f64;
    fn lanes(sums: Self::Sums) -> Self;
}

impl Widen for f32x4 {
    type Sums = [f64x2; 2];
    const ZERO: Self::Sums = [f64x2::ZERO; 2];
    #[inline(always)]
    fn add(self, [lo, hi]: Self::Sums) -> Self::Sums {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::{f64x2_promote_low_f32x4, i64x2_shuffle, v128};
            // SAFETY: wide's vectors are 16-byte `v128` wrappers on wasm32 with simd128.
            let v: v128 = unsafe { core::mem::transmute(self) };
            let (l, h) = (f64x2_promote_low_f32x4(v), f64x2_promote_low_f32x4(i64x2_shuffle::<1, 1>(v, v)));
            let (l, h): (f64x2, f64x2) = unsafe { (core::mem::transmute(l), core::mem::transmute(h)) };
            [lo + l, hi + h]
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            let a = self.to_array();
            [lo + f64x2::new([a[0] as f64, a[1] as f64]), hi + f64x2::new([a[2] as f64, a[3] as f64])]
        }
    }
    #[inline(always)]
    fn total([lo, hi]: Self::Sums) -> f64 {
        let (l, h) = (lo.to_array(), hi.to_array());
        l[0] + l[1] + h[0] + h[1]
    }
    #[inline(always)]
    fn lanes([lo, hi]: Self::Sums) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::{f32x4_demote_f64x2_zero, i64x2_shuffle, v128};
            // SAFETY: as `add`. Two demotions (each fills lanes 0, 1) and one shuffle.
            let (l, h): (v128, v128) = unsafe { (core::mem::transmute(lo), core::mem::transmute(hi)) };
            let v = i64x2_shuffle::<0, 2>(f32x4_demote_f64x2_zero(l), f32x4_demote_f64x2_zero(h));
            unsafe { core::mem::transmute(v) }
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            let (l, h) = (lo.to_array(), hi.to_array());
            f32x4::new([l[0] as f32, l[1] as f32, h[0] as f32, h[1] as f32])
        }
    }
}

impl Widen for f64x2 {
    type Sums = f64x2;
    const ZERO: Self::Sums = f64x2::ZERO;
    #[inline(always)]
    fn add(self, sums: f64x2) -> f64x2 {
        sums + self
    }
    #[inline(always)]
    fn total(sums: f64x2) -> f64 {
        let a = sums.to_array();
        a[0] + a[1]
    }
    #[inline(always)]
    fn lanes(sums: f64x2) -> Self {
        sums
    }
}

/// Records of 4 fields ↔ 4 lanes, by each vector type's transposes; and i32 → lane, by its
/// conversion instruction (the other load that differs between the two vector types).
trait Records4: Sized {
    type Elem;
    unsafe fn load(p: *const Self::Elem) -> [Self; 4];
    unsafe fn store(v: [Self; 4], p: *mut Self::Elem);
    unsafe fn load_i32(p: *const i32) -> Self;
}

impl Records4 for f32x4 {
    type Elem = f32;
    // f32x4.convert_i32x4_s
    #[inline(always)]
    unsafe fn load_i32(p: *const i32) -> Self {
        f32x4::from_i32x4(core::ptr::read_unaligned(p as *const i32x4))
    }
    // 4 records = 4 vectors, one 4×4 transpose (unpack shuffles on simd128).
    #[inline(always)]
    unsafe fn load(p: *const f32) -> [Self; 4] {
        let r = |k: usize| core::ptr::read_unaligned(p.add(4 * k) as *const f32x4);
        f32x4::transpose([r(0), r(1), r(2), r(3)])
    }
    #[inline(always)]
    unsafe fn store(v: [Self; 4], p: *mut f32) {
        for (k, r) in f32x4::transpose(v).into_iter().enumerate() {
            core::ptr::write_unaligned(p.add(4 * k) as *mut f32x4, r);
        }
    }
}

impl Records4 for f64x2 {
    type Elem = f64;
    // Two i32 (a 16-byte load could pass the buffer's end), f64x2.convert_low_i32x4_s.
    #[inline(always)]
    unsafe fn load_i32(p: *const i32) -> Self {
        f64x2::from_i32x4_lower2(i32x4::new([*p, *p.add(1), 0, 0]))
    }
    // 2 records = 4 vectors [r0.f0 r0.f1] [r0.f2 r0.f3] [r1.f0 r1.f1] [r1.f2 r1.f3]: two 2×2 transposes.
    #[inline(always)]
    unsafe fn load(p: *const f64) -> [Self; 4] {
        let r = |k: usize| core::ptr::read_unaligned(p.add(2 * k) as *const f64x2);
        let [f0, f1] = f64x2::transpose([r(0), r(2)]);
        let [f2, f3] = f64x2::transpose([r(1), r(3)]);
        [f0, f1, f2, f3]
    }
    #[inline(always)]
    unsafe fn store(v: [Self; 4], p: *mut f64) {
        let [a, c] = f64x2::transpose([v[0], v[1]]);
        let [b, d] = f64x2::transpose([v[2], v[3]]);
        for (k, r) in [a, b, c, d].into_iter().enumerate() {
            core::ptr::write_unaligned(p.add(2 * k) as *mut f64x2, r);
        }
    }
}

vector_lane!(f32x4, f32, 4, [f64x2; 2]);
vector_lane!(f64x2, f64, 2, f64x2);

/// Four SIMD vectors worked in lockstep: the lane of the engine's arithmetic-light loops,
/// which then carry four independent sums and a quarter of the loop overhead. Every
/// operation is the vector's, element by element, so results are bit-identical to the
/// vector and scalar lanes.
#[derive(Clone, Copy, Debug)]
pub struct Quad<V>(pub [V; 4]);

impl<V: Copy> Quad<V> {
    #[inline(always)]
    fn map(self, f: impl Fn(V) -> V) -> Self {
        let [a, b, c, d] = self.0;
        Quad([f(a), f(b), f(c), f(d)])
    }
    #[inline(always)]
    fn zip(self, o: Self, f: impl Fn(V, V) -> V) -> Self {
        let ([a, b, c, d], [e, g, h, k]) = (self.0, o.0);
        Quad([f(a, e), f(b, g), f(c, h), f(d, k)])
    }
}

macro_rules! quad_op {
    ($tr:ident, $f:ident) => {
        impl<V: Lane> $tr for Quad<V> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, o: Self) -> Self {
                self.zip(o, V::$f)
            }
        }
    };
}
quad_op!(Add, add);
quad_op!(Sub, sub);
quad_op!(Mul, mul);
quad_op!(Div, div);

impl<V: Lane> Neg for Quad<V> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(V::neg)
    }
}

macro_rules! quad_lane {
    ($v:ty, $t:ty, $w:expr, $sums:ty) => {
        impl Lane for Quad<$v> {
            type Elem = $t;
            type Indices = [usize; 4 * $w];
            type Array = [$t; 4 * $w];
            const WIDTH: usize = 4 * $w;
            #[inline(always)]
            fn from_fn(mut f: impl FnMut(usize) -> $t) -> Self {
                let a: [$t; 4 * $w] = core::array::from_fn(|k| f(k));
                Self::load(&a)
            }
            #[inline(always)]
            fn to_lanes(self) -> [$t; 4 * $w] {
                let mut a = [0.0; 4 * $w];
                self.store(&mut a);
                a
            }
            #[inline(always)]
            fn splat(v: $t) -> Self {
                Quad([<$v>::splat(v); 4])
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.map(<$v as Lane>::abs)
            }
            #[inline(always)]
            fn max_nan(self, o: Self) -> Self {
                self.zip(o, <$v as Lane>::max_nan)
            }
            #[inline(always)]
            fn min_nan(self, o: Self) -> Self {
                self.zip(o, <$v as Lane>::min_nan)
            }
            #[inline(always)]
            fn masked(m: Self, v: Self) -> Self {
                m.zip(v, <$v as Lane>::masked)
            }
            #[inline(always)]
            fn abs_with(self, abs_mask: Self) -> Self {
                self.zip(abs_mask, <$v as Lane>::abs_with)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                self.map(<$v as Lane>::sqrt)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                self.map(<$v as Lane>::exp)
            }
            #[inline(always)]
            fn exp_le0(self) -> Self {
                self.map(<$v as Lane>::exp_le0)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                self.map(<$v as Lane>::ln)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                self.map(<$v as Lane>::ln_1p)
            }
            #[inline(always)]
            fn lt_mask(self, o: Self) -> Self {
                self.zip(o, <$v as Lane>::lt_mask)
            }
            #[inline(always)]
            fn le_mask(self, o: Self) -> Self {
                self.zip(o, <$v as Lane>::le_mask)
            }
            #[inline(always)]
            fn gt_mask(self, o: Self) -> Self {
                self.zip(o, <$v as Lane>::gt_mask)
            }
            #[inline(always)]
            fn ge_mask(self, o: Self) -> Self {
                self.zip(o, <$v as Lane>::ge_mask)
            }
            #[inline(always)]
            fn eq_mask(self, o: Self) -> Self {
                self.zip(o, <$v as Lane>::eq_mask)
            }
            #[inline(always)]
            fn select(m: Self, a: Self, b: Self) -> Self {
                Quad(core::array::from_fn(|k| <$v as Lane>::select(m.0[k], a.0[k], b.0[k])))
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                Quad(core::array::from_fn(|k| <$v as Lane>::load(&s[k * $w..])))
            }
            #[inline(always)]
            fn store(self, s: &mut [$t]) {
                for (k, v) in self.0.into_iter().enumerate() {
                    v.store(&mut s[k * $w..]);
                }
            }
            #[inline(always)]
            unsafe fn load_ptr(p: *const $t) -> Self {
                Quad(core::array::from_fn(|k| <$v as Lane>::load_ptr(p.add(k * $w))))
            }
            #[inline(always)]
            unsafe fn store_ptr(self, p: *mut $t) {
                for (k, v) in self.0.into_iter().enumerate() {
                    v.store_ptr(p.add(k * $w));
                }
            }
            #[inline(always)]
            unsafe fn load_i32_ptr(p: *const i32) -> Self {
                Quad(core::array::from_fn(|k| <$v as Lane>::load_i32_ptr(p.add(k * $w))))
            }
            #[inline(always)]
            fn sum_f64(self) -> f64 {
                // Same order as the vector lanes one after another.
                self.0.iter().map(|v| v.sum_f64()).sum()
            }
            type Sums64 = [$sums; 4];
            #[inline(always)]
            fn sums64() -> Self::Sums64 {
                [<$v as Widen>::ZERO; 4]
            }
            #[inline(always)]
            fn add_f64(self, sums: Self::Sums64) -> Self::Sums64 {
                core::array::from_fn(|k| <$v as Widen>::add(self.0[k], sums[k]))
            }
            #[inline(always)]
            fn total64(sums: Self::Sums64) -> f64 {
                sums.iter().map(|&s| <$v as Widen>::total(s)).sum()
            }
            #[inline(always)]
            fn lanes64(sums: Self::Sums64) -> Self {
                Quad(sums.map(<$v as Widen>::lanes))
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                self.zip(e, <$v as Lane>::powf)
            }
            #[inline(always)]
            unsafe fn gather_ptr(p: *const $t, idx: &[usize], add: usize) -> Self {
                Quad(core::array::from_fn(|k| <$v as Lane>::gather_ptr(p, idx.get_unchecked(k * $w..), add)))
            }
            #[inline(always)]
            unsafe fn scatter_ptr(self, p: *mut $t, idx: &[usize], add: usize) {
                for (k, v) in self.0.into_iter().enumerate() {
                    v.scatter_ptr(p, idx.get_unchecked(k * $w..), add);
                }
            }
            #[inline(always)]
            unsafe fn load_records4(p: *const $t) -> [Self; 4] {
                // Each vector takes the next $w records (4·$w elements).
                let parts: [[$v; 4]; 4] = core::array::from_fn(|k| <$v as Lane>::load_records4(p.add(k * 4 * $w)));
                core::array::from_fn(|c| Quad(core::array::from_fn(|k| parts[k][c])))
            }
            #[inline(always)]
            unsafe fn store_records4(v: [Self; 4], p: *mut $t) {
                for k in 0..4 {
                    <$v as Lane>::store_records4(core::array::from_fn(|c| v[c].0[k]), p.add(k * 4 * $w));
                }
            }
        }
    };
}
quad_lane!(f32x4, f32, 4, [f64x2; 2]);
quad_lane!(f64x2, f64, 2, f64x2);

macro_rules! real {
    ($t:ty, $v:ty, $name:expr) => {
        impl Real for $t {
            type Vector = $v;
            type Wide = Quad<$v>;
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const ABS_MASK: Self = <$t>::from_bits(<$t>::MAX.to_bits() | <$t>::INFINITY.to_bits() | 1);
            const NAME: &'static str = $name;
            const DIGITS: u32 = <$t>::MANTISSA_DIGITS;
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

    /// i32 → lane: every lane type converts as the scalar `as` does (rounding to nearest above
    /// 2²⁴ in f32), and reads only its WIDTH values.
    #[test]
    fn class_indices_load_as_floats() {
        fn check<L: Lane>(xs: &[i32]) {
            for i in 0..=xs.len() - L::WIDTH {
                // SAFETY: i + WIDTH ≤ len.
                let v = unsafe { L::load_i32_ptr(xs.as_ptr().add(i)) }.to_lanes();
                for (k, &e) in v.as_ref().iter().enumerate() {
                    assert_eq!(e.to_f64(), L::Elem::from_f64(xs[i + k] as f64).to_f64(), "lane {k} at {i}");
                }
            }
        }
        let xs = [0, 1, -1, 7, 16_777_217, i32::MAX, i32::MIN, 3, 2, 123_456_789, -5, 9, 4, 6, 8, 10, 11, 12, 13, 14, 15, 16];
        check::<f32>(&xs);
        check::<f32x4>(&xs);
        check::<Quad<f32x4>>(&xs);
        check::<f64>(&xs);
        check::<f64x2>(&xs);
        check::<Quad<f64x2>>(&xs);
    }

    #[test]
    fn vector_and_scalar_lanes_agree() {
        let xs: Vec<f64> = vec![-1e4, -30.0, -1.0, -0.0, 0.0, 0.5, 3.0, 50.0, f64::NAN, f64::INFINITY, -2.5, 1e-9];
        lanes_agree(&xs);
        lanes_agree(&xs.iter().map(|&x| x as f32).collect::<Vec<_>>());
    }

    /// `exp_le0` in f32 against libm's f64 exp rounded to f32: within 2 ulp over
    /// [−87.33, 0] (a dense sweep and the ends), 0 below the smallest normal and for −∞, NaN
    /// for NaN; the scalar lane equal to the vector lane; in f64 the same as `exp`.
    #[test]
    fn exp_le0_is_within_two_ulp() {
        let mut worst = (0u64, 0.0f32);
        let mut xs: Vec<f32> = (0..=2_000_000).map(|i| -87.33 * i as f32 / 2_000_000.0).collect();
        xs.extend([0.0, -0.0, -1e-30, -1e-7, -87.336, -0.346_573_6, -0.346_573_5]);
        for chunk in xs.chunks(4) {
            let mut a = [0.0f32; 4];
            a[..chunk.len()].copy_from_slice(chunk);
            let v = f32x4::new(a).exp_le0().to_array();
            for (k, &x) in chunk.iter().enumerate() {
                let want = (x as f64).exp() as f32;
                let u = ulps32(v[k], want);
                if u > worst.0 {
                    worst = (u, x);
                }
                assert_eq!(x.exp_le0().to_bits(), v[k].to_bits(), "scalar lane at {x}");
            }
        }
        println!("f32x4 exp_le0: max {} ulp (at {})", worst.0, worst.1);
        assert!(worst.0 <= 2, "exp_le0: {} ulp at {}", worst.0, worst.1);
        for x in [-87.4f32, -100.0, -1e30, f32::NEG_INFINITY] {
            assert_eq!(x.exp_le0(), 0.0, "{x}");
        }
        assert!(f32::NAN.exp_le0().is_nan());
        for x in [0.0f64, -1.0, -700.0, -745.0, f64::NEG_INFINITY] {
            assert_eq!(x.exp_le0().to_bits(), Lane::exp(x).to_bits());
        }
        assert!(f64::NAN.exp_le0().is_nan());
    }

    #[test]
    fn records_of_four_load_and_store_as_lanes() {
        fn check<T: Real>() {
            let w = <T::Vector as Lane>::WIDTH;
            let data: Vec<T> = (0..4 * w).map(|i| T::from_f64(i as f64)).collect();
            // SAFETY: 4·WIDTH elements on both sides.
            let lanes = unsafe { T::Vector::load_records4(data.as_ptr()) };
            for (c, lane) in lanes.iter().enumerate() {
                for (k, v) in lane.to_lanes().as_ref().iter().enumerate() {
                    assert_eq!(v.to_f64(), (4 * k + c) as f64);
                }
            }
            let mut back = vec![T::ZERO; 4 * w];
            unsafe { T::Vector::store_records4(lanes, back.as_mut_ptr()) };
            assert!(back.iter().zip(&data).all(|(a, b)| a.to_f64() == b.to_f64()));
            let one = unsafe { T::load_records4(data.as_ptr()) };
            assert_eq!(one.map(|v| v.to_f64()), [0.0, 1.0, 2.0, 3.0]);
        }
        check::<f32>();
        check::<f64>();
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

    /// The mask forms (`abs_with`, `signum0_with`) give the bits of `abs` and `signum0` in every
    /// lane type, at the signed zeros, the infinities, NaN, subnormals and the extremes.
    #[test]
    fn mask_forms_match_abs_and_signum0() {
        fn check<T: Real>(xs: &[T]) {
            for &x in xs {
                let want = (x.abs(), x.signum0());
                let v = T::Vector::splat(x);
                let w = T::Wide::splat(x);
                let (m, one) = (opaque(T::ABS_MASK), opaque(T::ONE));
                let lanes = [
                    (v.abs_with(T::Vector::splat(m)).to_lanes().as_ref()[0], v.signum0_with(T::Vector::splat(one)).to_lanes().as_ref()[0]),
                    (w.abs_with(T::Wide::splat(m)).to_lanes().as_ref()[0], w.signum0_with(T::Wide::splat(one)).to_lanes().as_ref()[0]),
                    (x.abs_with(m), x.signum0_with(one)),
                ];
                for (a, s) in lanes {
                    assert!(a.to_f64().to_bits() == want.0.to_f64().to_bits() || (a.is_nan() && want.0.is_nan()), "abs {}", x.to_f64());
                    assert_eq!(s.to_f64().to_bits(), want.1.to_f64().to_bits(), "signum0 {}", x.to_f64());
                }
            }
        }
        let f = [0.0, -0.0, 1.5, -1.5, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, -f32::NAN, f32::MIN_POSITIVE / 4.0, -f32::MAX, f32::MAX];
        check::<f32>(&f);
        check::<f64>(&f.map(f64::from));
    }

    /// Distance in units in the last place between two finite floats of one type (bits
    /// mapped to a monotonic integer line).
    fn ulps32(a: f32, b: f32) -> u64 {
        let key = |x: f32| if x.to_bits() >> 31 == 1 { -((x.to_bits() & 0x7fff_ffff) as i64) } else { x.to_bits() as i64 };
        key(a).abs_diff(key(b))
    }
    fn ulps64(a: f64, b: f64) -> u64 {
        let key = |x: f64| if x.to_bits() >> 63 == 1 { -((x.to_bits() & 0x7fff_ffff_ffff_ffff) as i128) } else { x.to_bits() as i128 };
        key(a).abs_diff(key(b)) as u64
    }

    /// Max ulp error of the vector exp / ln / ln_1p over a sweep of each function's domain:
    /// f32 against the f64 libm result rounded to f32 (correctly rounded up to rare ties),
    /// f64 against libm. Printed with `cargo test -- --nocapture`; the bounds are asserted.
    #[test]
    #[allow(clippy::type_complexity)]
    fn vector_transcendentals_are_within_two_ulp() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        type F32 = fn(f32x4) -> f32x4;
        type F64 = fn(f64x2) -> f64x2;
        let cases32: [(&str, F32, fn(f64) -> f64, f32, f32, u64); 4] = [
            ("exp", |v| Lane::exp(v), f64::exp, -103.9, 88.72, 2),
            ("ln", |v| Lane::ln(v), f64::ln, 1e-44, 3e38, 2),
            ("ln_1p", |v| Lane::ln_1p(v), f64::ln_1p, -0.999_999, 3e38, 3),
            ("ln_1p_unit", ln_1p_unit, f64::ln_1p, 0.0, 1.0, 2),
        ];
        for (name, f, reference, lo, hi, bound) in cases32 {
            let mut worst = 0;
            for i in 0..400_000u64 {
                // Half the points uniform in [lo, hi], half log-spaced in magnitude.
                let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                let x = if i % 2 == 0 {
                    lo as f64 + (hi as f64 - lo as f64) * u
                } else {
                    (lo as f64).abs().max(1e-30).ln().mul_add(1.0 - u, (hi as f64).ln() * u).exp()
                } as f32;
                if !(x >= lo && x <= hi) {
                    continue;
                }
                let got = f(f32x4::splat(x)).to_array()[0];
                let want = reference(x as f64) as f32;
                if want.is_finite() {
                    worst = worst.max(ulps32(got, want));
                }
            }
            println!("f32x4 {name}: max {worst} ulp");
            assert!(worst <= bound, "f32x4 {name}: {worst} ulp");
        }
        let cases64: [(&str, F64, fn(f64) -> f64, f64, f64, u64); 4] = [
            ("exp", |v| Lane::exp(v), f64::exp, -745.0, 709.7, 2),
            ("ln", |v| Lane::ln(v), f64::ln, 1e-320, 1e308, 2),
            ("ln_1p", |v| Lane::ln_1p(v), f64::ln_1p, -0.999_999_999, 1e308, 3),
            ("ln_1p_unit", ln_1p_unit, f64::ln_1p, 0.0, 1.0, 2),
        ];
        for (name, f, reference, lo, hi, bound) in cases64 {
            let mut worst = 0;
            for i in 0..400_000u64 {
                let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                let x = if i % 2 == 0 { lo + (hi - lo) * u } else { lo.abs().max(1e-300).ln().mul_add(1.0 - u, hi.ln() * u).exp() };
                if !(x >= lo && x <= hi) {
                    continue;
                }
                let want = reference(x);
                if want.is_finite() && want.abs() >= f64::MIN_POSITIVE {
                    worst = worst.max(ulps64(f(f64x2::splat(x)).to_array()[0], want));
                }
            }
            println!("f64x2 {name}: max {worst} ulp (against libm)");
            assert!(worst <= bound, "f64x2 {name}: {worst} ulp");
        }
        // The subnormal path of ln, and the edges.
        assert!((Lane::ln(f32x4::splat(1e-40)).to_array()[0] - (1e-40f64).ln() as f32).abs() < 1e-4);
        assert_eq!(Lane::ln(f32x4::splat(0.0)).to_array()[0], f32::NEG_INFINITY);
        assert!(Lane::ln(f32x4::splat(-1.0)).to_array()[0].is_nan());
        assert!(Lane::ln(f32x4::splat(-1e-40)).to_array()[0].is_nan());
        assert!(Lane::ln(f64x2::splat(-5e-324)).to_array()[0].is_nan());
        assert!(<f64 as Lane>::ln(-5e-324).is_nan());
        assert_eq!(Lane::ln(f64x2::splat(-0.0)).to_array()[0], f64::NEG_INFINITY);
        assert_eq!(ln_1p_unit(f32x4::splat(0.0)).to_array()[0], 0.0);
        assert!(ulps64(ln_1p_unit(f64x2::splat(1.0)).to_array()[0], core::f64::consts::LN_2) <= 2);
        assert!(ln_1p_unit(f32x4::splat(f32::NAN)).to_array()[0].is_nan());
        // ln's and ln_1p's edges (f32: losskit's own)
        let (ln32, ln1p32) = (|x: f32| Lane::ln(f32x4::splat(x)).to_array()[0], |x: f32| Lane::ln_1p(f32x4::splat(x)).to_array()[0]);
        assert_eq!([ln32(1.0), ln32(f32::INFINITY), ln32(-0.0)], [0.0, f32::INFINITY, f32::NEG_INFINITY]);
        assert!(ln32(f32::NAN).is_nan() && ln32(f32::NEG_INFINITY).is_nan() && ln32(-f32::MIN_POSITIVE).is_nan());
        assert!(ulps32(ln32(f32::MAX), (f32::MAX as f64).ln() as f32) <= 1 && ulps32(ln32(f32::MIN_POSITIVE), -87.336_54) <= 1);
        assert_eq!([ln1p32(0.0), ln1p32(-1.0), ln1p32(f32::INFINITY), ln1p32(1e-30)], [0.0, f32::NEG_INFINITY, f32::INFINITY, 1e-30]);
        assert!(ln1p32(-1.5).is_nan() && ln1p32(f32::NAN).is_nan());
        assert_eq!(ln1p32(-0.0).to_bits(), (-0.0f32).to_bits());
        // exp's edges: overflow, underflow (gradual, then 0), infinities, NaN
        let exp32 = |x: f32| Lane::exp(f32x4::splat(x)).to_array()[0];
        for (x, want) in [(-200.0, 0.0), (-104.0, 0.0), (f32::NEG_INFINITY, 0.0), (0.0, 1.0), (-0.0, 1.0), (89.0, f32::INFINITY)] {
            assert_eq!(exp32(x), want, "exp({x})");
        }
        assert_eq!(exp32(100.0), f32::INFINITY);
        assert_eq!(exp32(f32::INFINITY), f32::INFINITY);
        assert!(exp32(f32::NAN).is_nan() && exp32(-f32::NAN).is_nan());
        assert!(exp32(88.72).is_finite() && exp32(88.73) == f32::INFINITY);
        for x in [-87.5f32, -95.0, -100.0, -103.2] {
            // subnormal results, within an ulp of the subnormal spacing
            assert!(ulps32(exp32(x), (x as f64).exp() as f32) <= 1, "exp({x}) = {:e}", exp32(x));
        }
    }
}
