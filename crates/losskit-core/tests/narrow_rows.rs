//! The softmax losses on (N, C) inputs of narrow rows (C = 1..33): the SIMD tiles load and
//! store their classes as transposed squares when C ≥ the lane width (lane-by-lane gathers
//! below it, and the contiguous row path from 32 classes). Every shape is checked against
//! a plain f64 reference written here (loss and input gradient, 'none' with an upstream
//! gradient, weights, ignored rows and label smoothing), through the SIMD kernels and the
//! scalar twins, in f32 and f64; rows of N not a multiple of the lane width end in a
//! scalar tail. Non-finite logits are checked against the scalar twin (the class-by-class
//! path), value for value.

mod common;

use common::Lcg;
use losskit_core::*;

const ROWS: [usize; 6] = [1, 3, 4, 5, 9, 14];
const IGNORE: i64 = -7;

/// Options of one cross-entropy case.
#[derive(Clone, Copy)]
struct Case {
    weighted: bool,
    smoothing: f64,
    ignore: bool,
}

const CASES: [Case; 4] = [
    Case { weighted: false, smoothing: 0.0, ignore: false },
    Case { weighted: true, smoothing: 0.0, ignore: true },
    Case { weighted: false, smoothing: 0.2, ignore: true },
    Case { weighted: true, smoothing: 0.1, ignore: false },
];

/// Inputs of one (N, C) case: logits in (−6, 6), targets (some ignored), weights, upstream gradient.
struct Data {
    n: usize,
    c: usize,
    x: Vec<f64>,
    t: Vec<i32>,
    w: Option<Vec<f64>>,
    g: Vec<f64>,
}

fn data(rng: &mut Lcg, n: usize, c: usize, case: Case) -> Data {
    let x = rng.vec(n * c, -6.0, 6.0);
    let mut t = rng.ints(n, c);
    if case.ignore {
        for (i, t) in t.iter_mut().enumerate() {
            if i % 3 == 1 {
                *t = IGNORE as i32;
            }
        }
    }
    let w = case.weighted.then(|| rng.vec(c, 0.25, 2.0));
    let g = rng.vec(n, -1.5, 1.5);
    Data { n, c, x, t, w, g }
}

/// log softmax of one row, in f64 (max-shifted).
fn log_softmax(row: &[f64]) -> Vec<f64> {
    let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
    row.iter().map(|v| v - lse).collect()
}

/// Cross-entropy per row and the gradient of Σ g_r ℓ_r:
/// ℓ = (1 − ε)(−w_y log p_y) + (ε/C) Σ_c −w_c log p_c;
/// ∂ℓ/∂x_c = (1 − ε) w_y (p_c − [c = y]) + (ε/C)(W p_c − w_c), W = Σ w.
fn ce_reference(d: &Data, eps: f64) -> (Vec<f64>, Vec<f64>) {
    let (n, c) = (d.n, d.c);
    let w = |k: usize| d.w.as_ref().map_or(1.0, |w| w[k]);
    let big_w: f64 = (0..c).map(w).sum();
    let mut loss = vec![0.0; n];
    let mut grad = vec![0.0; n * c];
    for r in 0..n {
        if d.t[r] as i64 == IGNORE {
            continue;
        }
        let y = d.t[r] as usize;
        let lp = log_softmax(&d.x[r * c..(r + 1) * c]);
        let smooth: f64 = (0..c).map(|k| -w(k) * lp[k]).sum();
        loss[r] = (1.0 - eps) * -w(y) * lp[y] + eps / c as f64 * smooth;
        for k in 0..c {
            let p = lp[k].exp();
            let hit = if k == y { 1.0 } else { 0.0 };
            grad[r * c + k] = d.g[r] * ((1.0 - eps) * w(y) * (p - hit) + eps / c as f64 * (big_w * p - w(k)));
        }
    }
    (loss, grad)
}

/// Cross-entropy with reduction 'none' and `grad_output`, in T; the gradient buffer starts
/// as NaN so that an entry left unwritten shows.
fn ce_run<T: Real>(d: &Data, case: Case, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let cast = |v: &[f64]| v.iter().map(|&v| T::from_f64(v)).collect::<Vec<T>>();
    let (x, w, g) = (cast(x), d.w.as_deref().map(cast), cast(&d.g));
    let (shape, rows) = ([d.n, d.c], [d.n]);
    let mut loss = vec![T::ZERO; d.n];
    let mut gx = vec![T::from_f64(f64::NAN); d.n * d.c];
    let opts = CrossEntropyOptions {
        weight: w.as_deref().map(Tensor::flat),
        ignore_index: IGNORE,
        label_smoothing: case.smoothing,
        reduction: Reduction::None,
    };
    let out = Out { loss: Some(&mut loss), grad_output: Some(Tensor::new(&g, &rows)), grads: [Some(&mut gx), None, None] };
    cross_entropy(Tensor::new(&x, &shape), Target::Index(Tensor::new(&d.t, &rows)), &opts, out).expect("valid inputs");
    (loss.iter().map(|v| v.to_f64()).collect(), gx.iter().map(|v| v.to_f64()).collect())
}

fn assert_near(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&a, &b)) in got.iter().zip(want).enumerate() {
        assert!((a - b).abs() <= tol * (1.0 + b.abs()), "{what}[{i}]: got {a}, expected {b}");
    }
}

/// Equal values, NaN matching NaN (the SIMD path against the scalar twin): exactly for the
/// tiles (C < 32: their SIMD and scalar lanes compute alike), within `tol` for the rows of
/// 32 classes and more, whose SIMD body sums in another order.
fn assert_same(what: &str, simd: &[f64], scalar: &[f64], tol: f64) {
    assert_eq!(simd.len(), scalar.len(), "{what}: length");
    for (i, (&a, &b)) in simd.iter().zip(scalar).enumerate() {
        let same = a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * (1.0 + b.abs());
        assert!(same, "{what}[{i}]: SIMD {a}, scalar twin {b}");
    }
}

fn each_lane_path(mut f: impl FnMut(&str)) {
    for (scalar, name) in [(false, "simd"), (true, "scalar")] {
        force_scalar_kernels(scalar);
        f(name);
    }
    force_scalar_kernels(false);
}

#[test]
fn cross_entropy_narrow_rows_match_reference() {
    let mut rng = Lcg(0x5eed_0001);
    for c in 1..=33 {
        for n in ROWS {
            for case in CASES {
                let d = data(&mut rng, n, c, case);
                let (loss, grad) = ce_reference(&d, case.smoothing);
                each_lane_path(|path| {
                    let what = format!("C = {c}, N = {n}, ε = {}, weights {}, {path}", case.smoothing, case.weighted);
                    let (l32, g32) = ce_run::<f32>(&d, case, &d.x);
                    assert_near(&format!("{what} f32 loss"), &l32, &loss, 2e-5);
                    assert_near(&format!("{what} f32 grad"), &g32, &grad, 2e-5);
                    let (l64, g64) = ce_run::<f64>(&d, case, &d.x);
                    assert_near(&format!("{what} f64 loss"), &l64, &loss, 1e-12);
                    assert_near(&format!("{what} f64 grad"), &g64, &grad, 1e-12);
                });
            }
        }
    }
}

#[test]
fn cross_entropy_narrow_rows_non_finite_as_scalar_twin() {
    let mut rng = Lcg(0x5eed_0002);
    for c in 1..=33 {
        for n in ROWS {
            let case = CASES[2];
            let d = data(&mut rng, n, c, case);
            // NaN, +∞ and −∞ logits in different rows and classes (the last class too: the
            // overlapping last square).
            let mut x = d.x.clone();
            let spots = [(0, c - 1, f64::NAN), (n / 2, c / 2, f64::INFINITY), (n - 1, 0, f64::NEG_INFINITY), (n - 1, c - 1, f64::INFINITY)];
            for (r, k, v) in spots {
                x[r * c + k] = v;
            }
            let mut results = vec![];
            each_lane_path(|_| results.push((ce_run::<f32>(&d, case, &x), ce_run::<f64>(&d, case, &x))));
            let what = format!("C = {c}, N = {n}");
            let [(simd32, simd64), (scalar32, scalar64)] = [results[0].clone(), results[1].clone()];
            let (tol32, tol64) = if c < 32 { (0.0, 0.0) } else { (1e-6, 1e-14) };
            assert_same(&format!("{what} f32 loss"), &simd32.0, &scalar32.0, tol32);
            assert_same(&format!("{what} f32 grad"), &simd32.1, &scalar32.1, tol32);
            assert_same(&format!("{what} f64 loss"), &simd64.0, &scalar64.0, tol64);
            assert_same(&format!("{what} f64 grad"), &simd64.1, &scalar64.1, tol64);
            // Independently: a row with a NaN logit has a NaN loss (unless ignored); the
            // finite rows keep the reference's values.
            let (loss, _) = ce_reference(&d, case.smoothing);
            for r in 0..n {
                let row = &x[r * c..(r + 1) * c];
                if d.t[r] as i64 == IGNORE {
                    assert_eq!(simd32.0[r], 0.0, "{what}: ignored row {r}");
                } else if row.iter().any(|v| v.is_nan()) {
                    assert!(simd32.0[r].is_nan() && simd64.0[r].is_nan(), "{what}: NaN row {r}");
                } else if row.iter().all(|v| v.is_finite()) {
                    assert_near(&format!("{what} row {r}"), &[simd64.0[r]], &[loss[r]], 1e-12);
                }
            }
        }
    }
}

/// Cross-entropy against probabilities (smoothed y(1 − ε) + ε/C, weights): the loss and
/// both gradients against the reference ℓ = −Σ_c w_c ỹ_c log p_c,
/// ∂ℓ/∂x_c = p_c Σ_k w_k ỹ_k − w_c ỹ_c, ∂ℓ/∂y_c = −(1 − ε) w_c log p_c.
#[test]
fn cross_entropy_probability_targets_narrow_rows() {
    let mut rng = Lcg(0x5eed_0003);
    for c in 1..=33 {
        for n in ROWS {
            for (weighted, eps) in [(false, 0.0), (true, 0.15)] {
                let x = rng.vec(n * c, -6.0, 6.0);
                let y = rng.vec(n * c, 0.0, 1.0);
                let w = weighted.then(|| rng.vec(c, 0.25, 2.0));
                let g = rng.vec(n, -1.5, 1.5);
                let wk = |k: usize| w.as_ref().map_or(1.0, |w| w[k]);
                let (mut loss, mut gx, mut gy) = (vec![0.0; n], vec![0.0; n * c], vec![0.0; n * c]);
                for r in 0..n {
                    let lp = log_softmax(&x[r * c..(r + 1) * c]);
                    let ys: Vec<f64> = (0..c).map(|k| y[r * c + k] * (1.0 - eps) + eps / c as f64).collect();
                    let total: f64 = (0..c).map(|k| wk(k) * ys[k]).sum();
                    loss[r] = (0..c).map(|k| -wk(k) * ys[k] * lp[k]).sum();
                    for k in 0..c {
                        gx[r * c + k] = g[r] * (lp[k].exp() * total - wk(k) * ys[k]);
                        gy[r * c + k] = g[r] * -(1.0 - eps) * wk(k) * lp[k];
                    }
                }
                each_lane_path(|path| {
                    let what = format!("C = {c}, N = {n}, ε = {eps}, {path}");
                    check_prob::<f32>(&what, [n, c], [&x, &y, &g], w.as_deref(), eps, [&loss, &gx, &gy], 2e-5);
                    check_prob::<f64>(&what, [n, c], [&x, &y, &g], w.as_deref(), eps, [&loss, &gx, &gy], 1e-12);
                });
            }
        }
    }
}

fn check_prob<T: Real>(what: &str, shape: [usize; 2], [x, y, g]: [&[f64]; 3], w: Option<&[f64]>, eps: f64, want: [&[f64]; 3], tol: f64) {
    let cast = |v: &[f64]| v.iter().map(|&v| T::from_f64(v)).collect::<Vec<T>>();
    let (x, y, g, w) = (cast(x), cast(y), cast(g), w.map(cast));
    let rows = [shape[0]];
    let mut loss = vec![T::ZERO; shape[0]];
    let (mut gx, mut gy) = (vec![T::from_f64(f64::NAN); x.len()], vec![T::from_f64(f64::NAN); x.len()]);
    let opts = CrossEntropyOptions {
        weight: w.as_deref().map(Tensor::flat),
        label_smoothing: eps,
        reduction: Reduction::None,
        ..Default::default()
    };
    let out = Out { loss: Some(&mut loss), grad_output: Some(Tensor::new(&g, &rows)), grads: [Some(&mut gx), Some(&mut gy), None] };
    cross_entropy(Tensor::new(&x, &shape), Target::Prob(Tensor::new(&y, &shape)), &opts, out).expect("valid inputs");
    let f = |v: &[T]| v.iter().map(|v| v.to_f64()).collect::<Vec<f64>>();
    let name = std::any::type_name::<T>();
    assert_near(&format!("{what} {name} loss"), &f(&loss), want[0], tol);
    assert_near(&format!("{what} {name} grad input"), &f(&gx), want[1], tol);
    assert_near(&format!("{what} {name} grad target"), &f(&gy), want[2], tol);
}

/// Focal loss ℓ = −α_y (1 − p)^γ ln p (p = p_y) and its gradient
/// ∂ℓ/∂x_c = −α_y [(1 − p)^γ − γ p ln p (1 − p)^{γ−1}] ([c = y] − p_c), with ignored rows.
#[test]
fn focal_loss_narrow_rows() {
    let mut rng = Lcg(0x5eed_0004);
    for c in 1..=33 {
        for n in ROWS {
            let d = data(&mut rng, n, c, Case { weighted: true, smoothing: 0.0, ignore: false });
            let gamma = 1.5;
            let a = |k: usize| d.w.as_ref().map_or(1.0, |w| w[k]);
            let (mut loss, mut grad) = (vec![0.0; n], vec![0.0; n * c]);
            for r in 0..n {
                let y = d.t[r] as usize;
                let lp = log_softmax(&d.x[r * c..(r + 1) * c]);
                let p = lp[y].exp();
                loss[r] = -a(y) * (1.0 - p).powf(gamma) * lp[y];
                let f = -a(y) * ((1.0 - p).powf(gamma) - gamma * p * lp[y] * (1.0 - p).powf(gamma - 1.0));
                for k in 0..c {
                    let hit = if k == y { 1.0 } else { 0.0 };
                    grad[r * c + k] = d.g[r] * f * (hit - lp[k].exp());
                }
            }
            each_lane_path(|path| {
                let what = format!("C = {c}, N = {n}, {path}");
                check_focal::<f32>(&what, &d, gamma, [&loss, &grad], 2e-5);
                check_focal::<f64>(&what, &d, gamma, [&loss, &grad], 1e-11);
            });
        }
    }
}

fn check_focal<T: Real>(what: &str, d: &Data, gamma: f64, want: [&[f64]; 2], tol: f64) {
    let cast = |v: &[f64]| v.iter().map(|&v| T::from_f64(v)).collect::<Vec<T>>();
    let (x, g, alpha) = (cast(&d.x), cast(&d.g), d.w.as_deref().map(cast));
    let (shape, rows) = ([d.n, d.c], [d.n]);
    let mut loss = vec![T::ZERO; d.n];
    let mut gx = vec![T::from_f64(f64::NAN); x.len()];
    let opts = FocalOptions { gamma, alpha: alpha.as_deref().map(Tensor::flat), reduction: Reduction::None };
    let out = Out { loss: Some(&mut loss), grad_output: Some(Tensor::new(&g, &rows)), grads: [Some(&mut gx), None, None] };
    focal_loss(Tensor::new(&x, &shape), Tensor::new(&d.t, &rows), &opts, out).expect("valid inputs");
    let f = |v: &[T]| v.iter().map(|v| v.to_f64()).collect::<Vec<f64>>();
    let name = std::any::type_name::<T>();
    assert_near(&format!("{what} {name} loss"), &f(&loss), want[0], tol);
    assert_near(&format!("{what} {name} grad"), &f(&gx), want[1], tol);
}
