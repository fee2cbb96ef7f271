//! Box regression losses on xyxy boxes (torchvision.ops semantics).
//!
//! | function | ℓ per box pair | torchvision |
//! |---|---|---|
//! | [`box_iou_loss`] | 1 − IoU | — (docs/API.md §2) |
//! | [`generalized_box_iou_loss`] | 1 − IoU + (C − U)/(C + ε) | `ops.generalized_box_iou_loss` |
//! | [`distance_box_iou_loss`] | 1 − IoU + ρ²/(c² + ε) | `ops.distance_box_iou_loss` |
//! | [`complete_box_iou_loss`] | DIoU loss + α·v | `ops.complete_box_iou_loss` |
//!
//! with I the intersection area (0 unless both overlaps are positive, as torchvision's mask),
//! U = area₁ + area₂ − I, IoU = I/(U + ε), C the smallest enclosing box's area, c² its squared
//! diagonal, ρ² the squared distance of the centres, v = (4/π²)(atan(w₂/h₂) − atan(w₁/h₁))² and
//! α = v/(1 − IoU + v + ε) (a constant for the gradient, torchvision's `no_grad`). CIoU's DIoU part
//! uses ε = 1e-7 whatever `eps` is (torchvision calls `_diou_iou_loss` without it).
//!
//! Boxes are (N, 4) or (4) — one loss per box pair, a 0-dim output for (4). Each step of the
//! engine's `drive` loads `L::WIDTH` box pairs as structure-of-arrays lanes (coordinate c of
//! every box in one lane: `Lane::load_records4`, a 4×4 transpose for f32x4), evaluates the loss
//! and its eight partials in closed form, and stores the gradients back into the xyxy layout
//! (the inverse transpose). Gradient slots: [boxes1, boxes2].
//!
//! Autograd's choices are kept: `max`/`min` ties (identical edges) split the gradient half and
//! half, and a box pair without a positive overlap sends nothing through the intersection.

use crate::engine::{drive, Out, Step};
use crate::error::{ErrorCode, LossError, Result};
use crate::real::{Lane, Real};
use crate::reduce::{Reducer, Reduction};
use crate::shape::{fmt_shape, Tensor};

/// Which box loss a kernel computes (a const parameter: the branches compile away).
const IOU: u8 = 0;
const GIOU: u8 = 1;
const DIOU: u8 = 2;
const CIOU: u8 = 3;

/// The ε of CIoU's DIoU part (torchvision's default, not the `eps` option).
const CIOU_DIOU_EPS: f64 = 1e-7;

/// The part of ∂max(a, b) that goes to `a`: 1 if a > b, ½ on a tie, 0 if a < b (autograd's).
#[inline(always)]
fn max_share<L: Lane>(a: L, b: L) -> L {
    L::select(a.lt_mask(b), L::zero(), L::select(a.eq_mask(b), L::splat(L::Elem::from_f64(0.5)), L::one()))
}

/// The part of ∂min(a, b) that goes to `a`: 1 if a < b, ½ on a tie, 0 if a > b.
#[inline(always)]
fn min_share<L: Lane>(a: L, b: L) -> L {
    L::select(a.gt_mask(b), L::zero(), L::select(a.eq_mask(b), L::splat(L::Elem::from_f64(0.5)), L::one()))
}

/// atan(t) for |t| ≤ 0.66: t + t·z·P(z)/Q(z), z = t² (Cephes' rational approximation, within
/// 2 ulp of f64 libm over [0, 1] after the reduction in [`aspect`]; the unit test holds it).
#[inline(always)]
fn atan_small<L: Lane>(t: L) -> L {
    let c = |v: f64| L::splat(L::Elem::from_f64(v));
    let z = t * t;
    let p = (((c(-0.8750608600031904) * z + c(-16.157537187333652)) * z + c(-75.00855792314705)) * z
        + c(-122.88666844901361))
        * z
        + c(-64.85021904942025);
    let q = ((((z + c(24.858464901423062)) * z + c(165.02700983169885)) * z + c(432.88106049129027)) * z
        + c(485.3903996359137))
        * z
        + c(194.5506571482614);
    t + t * z * p / q
}

/// The aspect angle θ = atan(w/h) of a box of width w ≥ 0 and height h ≥ 0, with ∂θ/∂w =
/// h/(w² + h²) and ∂θ/∂h = −w/(w² + h²). Computed as atan2 from r = min/max ∈ [0, 1], so a
/// zero height gives θ = π/2 with the finite ∂θ/∂h = −1/w (torchvision divides w/0 = ∞ and
/// gets a NaN gradient: docs/API.md §6), and a point box (w = h = 0) θ = atan2(0, 0) = 0 with
/// zero gradients (torchvision: 0/0, a NaN loss).
#[inline(always)]
fn aspect<L: Lane>(w: L, h: L) -> (L, L, L) {
    let c = |v: f64| L::splat(L::Elem::from_f64(v));
    let (zero, one) = (L::zero(), L::one());
    let wide = w.gt_mask(h);
    let (big, small) = (L::select(wide, w, h), L::select(wide, h, w));
    let some = big.gt_mask(zero);
    let r = L::select(some, small / big, zero);
    // atan(r) = π/4 + atan((r − 1)/(r + 1)) above tan(π/8), so the rational sees |t| ≤ 0.4143.
    let upper = r.gt_mask(c(0.414_213_562_373_095_03));
    let t = L::select(upper, (r - one) / (r + one), r);
    let a = L::select(upper, c(core::f64::consts::FRAC_PI_4), zero) + atan_small(t);
    let theta = L::select(wide, c(core::f64::consts::FRAC_PI_2) - a, a);
    // w² + h² = big²(1 + r²), formed without squaring big (finite for any finite box).
    let inv = L::select(some, one / (big * (one + r * r)), zero);
    let d_w = L::select(wide, r, one) * inv;
    let d_h = -(L::select(wide, one, r) * inv);
    (theta, d_w, d_h)
}

/// The loss of `L::WIDTH` box pairs (`a` = boxes1's x1, y1, x2, y2 lanes, `b` = boxes2's) and,
/// when `GRAD`, its partials w.r.t. the eight coordinates. Forward in torchvision's order.
#[inline(always)]
fn eval<L: Lane, const K: u8, const GRAD: bool>(a: [L; 4], b: [L; 4], eps: L) -> (L, [L; 8]) {
    let (zero, one, two) = (L::zero(), L::one(), L::splat(L::Elem::from_f64(2.0)));
    let half = L::splat(L::Elem::from_f64(0.5));
    let [x1, y1, x2, y2] = a;
    let [u1, v1, u2, v2] = b;
    let (w1, h1, w2, h2) = (x2 - x1, y2 - y1, u2 - u1, v2 - v1);
    // Intersection (torchvision's _loss_inter_union): counted only where both overlaps are > 0.
    let (xk1, yk1, xk2, yk2) = (x1.max_nan(u1), y1.max_nan(v1), x2.min_nan(u2), y2.min_nan(v2));
    let (iw, ih) = (xk2 - xk1, yk2 - yk1);
    let overlap = L::select(yk2.gt_mask(yk1), xk2.gt_mask(xk1), zero);
    let inter = L::select(overlap, iw * ih, zero);
    let union = w1 * h1 + w2 * h2 - inter;
    let iou_eps = if K == CIOU { L::splat(L::Elem::from_f64(CIOU_DIOU_EPS)) } else { eps };
    let ue = union + iou_eps;
    let iou = inter / ue;
    let mut loss = one - iou;
    // Smallest enclosing box.
    let (cw, ch) = (x2.max_nan(u2) - x1.min_nan(u1), y2.max_nan(v2) - y1.min_nan(v1));
    let (mut area_c_e, mut penalty) = (one, zero);
    let (mut diag, mut dist, mut dx, mut dy) = (one, zero, zero, zero);
    let mut alpha = zero;
    let (mut g_t1, mut g_t2) = (zero, zero);
    let (mut t1, mut t2) = ((zero, zero, zero), (zero, zero, zero));
    if K == GIOU {
        // 1 − (IoU − (C − U)/(C + ε))
        area_c_e = cw * ch + eps;
        penalty = (cw * ch - union) / area_c_e;
        loss = one - (iou - penalty);
    }
    if K == DIOU || K == CIOU {
        // + ρ²/(c² + ε), ρ the distance of the centres ((x1 + x2)/2, …).
        diag = cw * cw + ch * ch + iou_eps;
        dx = (x2 + x1) * half - (u1 + u2) * half;
        dy = (y2 + y1) * half - (v1 + v2) * half;
        dist = dx * dx + dy * dy;
        loss = loss + dist / diag;
    }
    if K == CIOU {
        // + α·v, v = (4/π²)(θ₂ − θ₁)², α = v/(1 − IoU + v + ε) held constant.
        t1 = aspect(w1, h1);
        t2 = aspect(w2, h2);
        let k = L::splat(L::Elem::from_f64(4.0 / (core::f64::consts::PI * core::f64::consts::PI)));
        let d_theta = t2.0 - t1.0;
        let v = k * (d_theta * d_theta);
        alpha = v / (one - iou + v + eps);
        loss = loss + alpha * v;
        // ∂(αv)/∂θ₂ = α·2k(θ₂ − θ₁) = −∂/∂θ₁.
        g_t2 = alpha * two * k * d_theta;
        g_t1 = -g_t2;
    }
    let _ = alpha;
    if !GRAD {
        return (loss, [zero; 8]);
    }
    // Adjoints, from ℓ = 1 − I/(U + ε) + …: ∂ℓ/∂U = I/(U + ε)² (+ GIoU's −1/(C + ε)),
    // ∂ℓ/∂I = −1/(U + ε) − ∂ℓ/∂U (U = area₁ + area₂ − I), ∂ℓ/∂areaₖ = ∂ℓ/∂U.
    let mut g_union = iou / ue;
    let (mut g_cw, mut g_ch) = (zero, zero);
    if K == GIOU {
        g_union = g_union - one / area_c_e;
        // ∂/∂C of (C − U)/(C + ε) = (1 − penalty)/(C + ε)
        let g_c = (one - penalty) / area_c_e;
        g_cw = g_c * ch;
        g_ch = g_c * cw;
    }
    let (mut g_dx, mut g_dy) = (zero, zero);
    if K == DIOU || K == CIOU {
        // ∂/∂c² = −ρ²/(c²)², ∂/∂ρ² = 1/c²; c² = cw² + ch², ρ² = dx² + dy² (dx = centre difference).
        let g_diag = -(dist / diag) / diag;
        g_cw = g_diag * two * cw;
        g_ch = g_diag * two * ch;
        let g_dist = one / diag;
        g_dx = g_dist * dx; // 2·dx·½: each of x1, x2 moves the centre by half
        g_dy = g_dist * dy;
    }
    let g_inter = -(one / ue) - g_union;
    let g_iw = L::select(overlap, g_inter * ih, zero);
    let g_ih = L::select(overlap, g_inter * iw, zero);
    // areaₖ = wₖ·hₖ, plus CIoU's aspect angles θ(w, h).
    let mut g_w1 = g_union * h1;
    let mut g_h1 = g_union * w1;
    let mut g_w2 = g_union * h2;
    let mut g_h2 = g_union * w2;
    if K == CIOU {
        g_w1 = g_w1 + g_t1 * t1.1;
        g_h1 = g_h1 + g_t1 * t1.2;
        g_w2 = g_w2 + g_t2 * t2.1;
        g_h2 = g_h2 + g_t2 * t2.2;
    }
    // Each coordinate: its width/height, the intersection's max/min edges (ties split), the
    // enclosing box's min/max edges, and the centre distance.
    let gx1 = -g_w1 - g_iw * max_share(x1, u1) - g_cw * min_share(x1, u1) + g_dx;
    let gy1 = -g_h1 - g_ih * max_share(y1, v1) - g_ch * min_share(y1, v1) + g_dy;
    let gx2 = g_w1 + g_iw * min_share(x2, u2) + g_cw * max_share(x2, u2) + g_dx;
    let gy2 = g_h1 + g_ih * min_share(y2, v2) + g_ch * max_share(y2, v2) + g_dy;
    let gu1 = -g_w2 - g_iw * max_share(u1, x1) - g_cw * min_share(u1, x1) - g_dx;
    let gv1 = -g_h2 - g_ih * max_share(v1, y1) - g_ch * min_share(v1, y1) - g_dy;
    let gu2 = g_w2 + g_iw * min_share(u2, x2) + g_cw * max_share(u2, x2) - g_dx;
    let gv2 = g_h2 + g_ih * min_share(v2, y2) + g_ch * max_share(v2, y2) - g_dy;
    (loss, [gx1, gy1, gx2, gy2, gu1, gv1, gu2, gv2])
}

/// One engine step over `L::WIDTH` box pairs, on raw pointers whose lengths `run` checked
/// (4N coordinates per box set and gradient, N losses and upstream gradients).
struct BoxStep<T, const K: u8, const GRAD: bool> {
    b1: *const T,
    b2: *const T,
    eps: T,
    /// The unreduced output ('none'), or null.
    unreduced: *mut T,
    /// The upstream gradient ('none'), or null for the reduction's scale.
    grad_output: *const T,
    scale: T,
    g1: *mut T,
    g2: *mut T,
}

impl<T: Real, const K: u8, const GRAD: bool> Step<T> for BoxStep<T, K, GRAD> {
    #[inline(always)]
    fn step<L: Lane<Elem = T>>(&mut self, i: usize) -> L {
        // SAFETY: the driver keeps i + L::WIDTH ≤ N, and `run` checked every buffer's length
        // (4N for boxes and their gradients, N for the output and the upstream gradient).
        unsafe {
            // Structure of arrays: lane k of coordinate c is box i + k's.
            let a = L::load_records4(self.b1.add(4 * i));
            let b = L::load_records4(self.b2.add(4 * i));
            let (loss, partials) = eval::<L, K, GRAD>(a, b, L::splat(self.eps));
            if !self.unreduced.is_null() {
                loss.store_ptr(self.unreduced.add(i));
            }
            if GRAD {
                let g = if self.grad_output.is_null() { L::splat(self.scale) } else { L::load_ptr(self.grad_output.add(i)) };
                for (set, dest) in [(0, self.g1), (4, self.g2)] {
                    if dest.is_null() {
                        continue;
                    }
                    L::store_records4(core::array::from_fn(|c| partials[set + c] * g), dest.add(4 * i));
                }
            }
            loss
        }
    }
}

/// Options of the box IoU losses.
#[derive(Debug, Clone, Copy)]
pub struct BoxIouOptions {
    /// Default 'none' (torchvision's).
    pub reduction: Reduction,
    /// Added to the union (and the enclosing area or diagonal) against division by zero. Default 1e-7.
    pub eps: f64,
}
impl Default for BoxIouOptions {
    fn default() -> Self {
        BoxIouOptions { reduction: Reduction::None, eps: 1e-7 }
    }
}

/// The box count of a (N, 4) or (4) box set, and the unreduced output's shape ((N) or ()).
fn box_rows<T>(func: &'static str, arg: &'static str, t: &Tensor<'_, T>) -> Result<(usize, Vec<usize>)> {
    t.check(func, arg)?;
    match *t.shape() {
        [4] => Ok((1, vec![])),
        [n, 4] => Ok((n, vec![n])),
        _ => Err(LossError::new(
            ErrorCode::ShapeMismatch,
            func,
            Some(arg),
            format!("must have shape (N, 4) or (4) — xyxy boxes — but has shape {}", fmt_shape(t.shape())),
        )),
    }
}

/// `INVALID_INPUT` unless every box has x2 ≥ x1 and y2 ≥ y1 (NaN passes: it flows through the
/// arithmetic). A branch-free fold, the offending box looked up only on failure.
fn check_xyxy<T: Real>(func: &'static str, arg: &'static str, boxes: &[T]) -> Result<()> {
    let bad = boxes.chunks_exact(4).fold(false, |acc, b| acc | (b[2] < b[0]) | (b[3] < b[1]));
    if !bad {
        return Ok(());
    }
    let (i, b) = boxes.chunks_exact(4).enumerate().find(|(_, b)| b[2] < b[0] || b[3] < b[1]).expect("a bad box");
    let which = if b[2] < b[0] { "x2 < x1" } else { "y2 < y1" };
    Err(LossError::new(
        ErrorCode::InvalidInput,
        func,
        Some(arg),
        format!(
            "[{i}] = ({:?}, {:?}, {:?}, {:?}) has {which}; boxes must be (x1, y1, x2, y2) with x2 ≥ x1 and y2 ≥ y1",
            b[0], b[1], b[2], b[3]
        ),
    ))
}

/// Checks the arguments and runs the box kernel `K`.
fn run<T: Real, const K: u8>(func: &'static str, boxes1: Tensor<'_, T>, boxes2: Tensor<'_, T>, opts: &BoxIouOptions, out: Out<'_, T>) -> Result<T> {
    let reducer = Reducer::new(func, opts.reduction, None)?;
    let (n, out_shape) = box_rows(func, "boxes1", &boxes1)?;
    boxes2.check(func, "boxes2")?;
    boxes2.check_same_shape(func, "boxes2", boxes1.shape(), "boxes1")?;
    check_xyxy(func, "boxes1", boxes1.data)?;
    check_xyxy(func, "boxes2", boxes2.data)?;
    let len = boxes1.len();
    out.check(func, reducer.is_none(), &out_shape, &[("boxes1", len), ("boxes2", len)])?;
    // torchvision's 'mean' of no boxes is 0 (0.0 * loss.sum()), not NaN.
    let reducer = reducer.mean_over(n.max(1) as f64);
    let none = reducer.is_none();
    let Out { loss, grad_output, grads: [g1, g2, _] } = out;
    let unreduced = if none { loss.map_or(core::ptr::null_mut(), <[T]>::as_mut_ptr) } else { core::ptr::null_mut() };
    let grad_output = if none { grad_output.map_or(core::ptr::null(), |g| g.data.as_ptr()) } else { core::ptr::null() };
    let grad = g1.is_some() || g2.is_some();
    let [g1, g2] = [g1, g2].map(|g| g.map_or(core::ptr::null_mut(), <[T]>::as_mut_ptr));
    let (b1, b2, eps, scale) = (boxes1.data.as_ptr(), boxes2.data.as_ptr(), T::from_f64(opts.eps), reducer.grad_scale());
    let total = if grad {
        drive(&mut BoxStep::<T, K, true> { b1, b2, eps, unreduced, grad_output, scale, g1, g2 }, n)
    } else {
        drive(&mut BoxStep::<T, K, false> { b1, b2, eps, unreduced, grad_output, scale, g1, g2 }, n)
    };
    Ok(reducer.finish(total))
}

/// IoU loss: 1 − I/(U + ε) per box pair, with torchvision's intersection and union (as in
/// `generalized_box_iou_loss`). torchvision has no plain IoU loss (docs/API.md §2).
///
/// `boxes1` and `boxes2` are xyxy boxes of one shape, (N, 4) or (4) (the output is (N) or
/// 0-dim); every box needs x2 ≥ x1 and y2 ≥ y1 (`INVALID_INPUT`). 'mean' of no boxes is 0.
/// Gradients: `out.grads` = [boxes1, boxes2].
pub fn box_iou_loss<T: Real>(boxes1: Tensor<'_, T>, boxes2: Tensor<'_, T>, opts: &BoxIouOptions, out: Out<'_, T>) -> Result<T> {
    run::<T, IOU>("box_iou_loss", boxes1, boxes2, opts, out)
}

/// Generalized IoU loss (`torchvision.ops.generalized_box_iou_loss`): 1 − IoU + (C − U)/(C + ε),
/// C the smallest enclosing box's area. Arguments as [`box_iou_loss`].
pub fn generalized_box_iou_loss<T: Real>(boxes1: Tensor<'_, T>, boxes2: Tensor<'_, T>, opts: &BoxIouOptions, out: Out<'_, T>) -> Result<T> {
    run::<T, GIOU>("generalized_box_iou_loss", boxes1, boxes2, opts, out)
}

/// Distance IoU loss (`torchvision.ops.distance_box_iou_loss`): 1 − IoU + ρ²/(c² + ε), ρ the
/// distance of the centres and c the enclosing box's diagonal. Arguments as [`box_iou_loss`].
pub fn distance_box_iou_loss<T: Real>(boxes1: Tensor<'_, T>, boxes2: Tensor<'_, T>, opts: &BoxIouOptions, out: Out<'_, T>) -> Result<T> {
    run::<T, DIOU>("distance_box_iou_loss", boxes1, boxes2, opts, out)
}

/// Complete IoU loss (`torchvision.ops.complete_box_iou_loss`): the DIoU loss (with ε = 1e-7, as
/// torchvision) + α·v, v = (4/π²)(atan(w₂/h₂) − atan(w₁/h₁))², α = v/(1 − IoU + v + eps) held
/// constant for the gradient. A zero-height box has the angle π/2 with a finite gradient, a
/// point box the angle 0 (torchvision: NaN; docs/API.md §6). Arguments as [`box_iou_loss`].
pub fn complete_box_iou_loss<T: Real>(boxes1: Tensor<'_, T>, boxes2: Tensor<'_, T>, opts: &BoxIouOptions, out: Out<'_, T>) -> Result<T> {
    run::<T, CIOU>("complete_box_iou_loss", boxes1, boxes2, opts, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_angle_matches_atan() {
        let mut worst = 0.0f64;
        for i in 0..=2000 {
            for (w, h) in [(i as f64 / 1000.0, 1.0), (1.0, i as f64 / 1000.0), (i as f64 * 37.0, 3.0)] {
                let (t, dw, dh) = aspect::<f64>(w, h);
                let want = (w / h).atan();
                worst = worst.max((t - want).abs() / want.abs().max(1e-300));
                let s = w * w + h * h;
                assert!((dw - h / s).abs() <= 1e-15 * (h / s).abs().max(1e-300) + 1e-300, "{w} {h}");
                assert!((dh + w / s).abs() <= 1e-15 * (w / s).abs() + 1e-300, "{w} {h}");
            }
        }
        assert!(worst < 5e-16, "atan relative error {worst:e}");
        assert_eq!(aspect::<f64>(2.0, 0.0), (core::f64::consts::FRAC_PI_2, 0.0, -0.5));
        assert_eq!(aspect::<f32>(0.0, 0.0), (0.0, 0.0, 0.0));
    }
}
