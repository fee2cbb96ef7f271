//! Analytic gradients of the margin family against central finite differences, in f64,
//! for every differentiable argument under each reduction ('none' with a random upstream
//! gradient g, checked as the gradient of Σ gᵢℓᵢ), through the SIMD kernels and the scalar
//! twins. Data stay away from the kinks (z = 0), where the derivative is one-sided and the
//! fixtures pin PyTorch's choice instead. Also: bad input and edge values.

mod common;

use common::{assert_finite_differences, evaluate, Lcg, Run};
use losskit_core::*;

fn check(name: &str, out_shape: &[usize], args: Vec<Vec<f64>>, f: &Run) {
    let g = Lcg(7).vec(out_shape.iter().product(), -1.0, 1.0);
    for scalar in [false, true] {
        force_scalar_kernels(scalar);
        for reduction in [Reduction::Mean, Reduction::Sum, Reduction::None] {
            let (_, grads) = evaluate(f, &args, out_shape, reduction, &g);
            assert_finite_differences(&format!("{name} {reduction:?} scalar={scalar}"), &args, &grads, |a| {
                evaluate(f, a, out_shape, reduction, &g).0
            });
        }
    }
    force_scalar_kernels(false);
}

/// Random ±1 labels.
fn signs(rng: &mut Lcg, n: usize) -> Vec<f64> {
    (0..n).map(|_| if rng.next() < 0.5 { -1.0 } else { 1.0 }).collect()
}

/// Element-wise shapes: empty, lengths that leave a scalar tail, and 2-D.
const SHAPES: &[&[usize]] = &[&[0], &[1], &[7], &[33], &[4, 3]];

#[test]
fn elementwise_gradients() {
    let mut rng = Lcg(21);
    for &shape in SHAPES {
        let n: usize = shape.iter().product();
        let x1 = rng.vec(n, -3.0, 3.0);
        let x2 = rng.vec(n, -3.0, 3.0);
        let y = signs(&mut rng, n);
        for margin in [0.0, 0.7] {
            let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
                margin_ranking_loss(
                    Tensor::new(&a[0], shape),
                    Tensor::new(&a[1], shape),
                    Tensor::new(&y, shape),
                    &MarginRankingOptions { margin, reduction: r },
                    o,
                )
            };
            check(&format!("margin ranking {shape:?} margin {margin}"), shape, vec![x1.clone(), x2.clone()], &f);
        }
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            hinge_loss(Tensor::new(&a[0], shape), Tensor::new(&y, shape), &HingeOptions { margin: 1.5, reduction: r }, o)
        };
        check(&format!("hinge {shape:?}"), shape, vec![x1.clone()], &f);
        // Labels other than ±1 too (both terms apply).
        let labels: Vec<f64> = (0..n).map(|i| [1.0, -1.0, 0.0, 0.5][i % 4]).collect();
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            let opts = HingeEmbeddingOptions { margin: 1.25, reduction: r };
            hinge_embedding_loss(Tensor::new(&a[0], shape), Tensor::new(&labels, shape), &opts, o)
        };
        check(&format!("hinge embedding {shape:?}"), shape, vec![x1.clone()], &f);
        let wide = rng.vec(n, -40.0, 40.0);
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            soft_margin_loss(Tensor::new(&a[0], shape), Tensor::new(&y, shape), &SoftMarginOptions { reduction: r }, o)
        };
        check(&format!("soft margin {shape:?}"), shape, vec![x1.clone()], &f);
        check(&format!("soft margin wide {shape:?}"), shape, vec![wide], &f);
    }
}

/// The hinge's target gradient is −input where the hinge is active: labels must stay ±1,
/// so it is checked against that formula rather than by perturbing the labels.
#[test]
fn hinge_target_gradient() {
    let x = [0.3, -2.0, 1.5, 0.9, -0.1];
    let y = [1.0, -1.0, 1.0, -1.0, -1.0];
    let mut gx = [0.0; 5];
    let mut gy = [0.0; 5];
    let out = Out { grads: [Some(&mut gx[..]), Some(&mut gy[..]), None], ..Out::default() };
    let opts = HingeOptions { margin: 1.0, reduction: Reduction::Sum };
    let v = hinge_loss(Tensor::flat(&x), Tensor::flat(&y), &opts, out).unwrap();
    let z: Vec<f64> = x.iter().zip(&y).map(|(x, y)| 1.0 - x * y).collect();
    assert!((v - z.iter().map(|z| z.max(0.0)).sum::<f64>()).abs() < 1e-15);
    for i in 0..5 {
        let on = if z[i] > 0.0 { 1.0 } else { 0.0 };
        assert_eq!((gx[i], gy[i]), (-y[i] * on, -x[i] * on), "[{i}]");
    }
}

#[test]
fn margin_ranking_broadcast_gradients() {
    let mut rng = Lcg(4);
    let (s1, s2, st, full): (&[usize], &[usize], &[usize], &[usize]) = (&[3, 1], &[1, 5], &[3, 5], &[3, 5]);
    let x1 = rng.vec(3, -2.0, 2.0);
    let x2 = rng.vec(5, -2.0, 2.0);
    let y = signs(&mut rng, 15);
    let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
        let opts = MarginRankingOptions { margin: 0.3, reduction: r };
        margin_ranking_loss(Tensor::new(&a[0], s1), Tensor::new(&a[1], s2), Tensor::new(&y, st), &opts, o)
    };
    check("margin ranking broadcast", full, vec![x1.clone(), x2.clone()], &f);
    // A (1, 1) target broadcast too, and the values agree with the expanded call.
    let t = [-1.0];
    let small = MarginRankingOptions { margin: 0.3, reduction: Reduction::Sum };
    let v = margin_ranking_loss(Tensor::new(&x1, s1), Tensor::new(&x2, s2), Tensor::new(&t, &[1, 1]), &small, Out::value()).unwrap();
    let want: f64 = (0..15).map(|i| (x1[i / 5] - x2[i % 5] + 0.3f64).max(0.0)).sum();
    assert!((v - want).abs() < 1e-12, "{v} vs {want}");
}

/// (C) and (N, C) inputs with C below, at and above the lane widths.
const ROWS: &[&[usize]] = &[&[5], &[1, 1], &[4, 3], &[3, 9], &[2, 33], &[0, 4]];

fn out_shape_of(shape: &[usize]) -> Vec<usize> {
    if shape.len() == 1 {
        vec![]
    } else {
        vec![shape[0]]
    }
}

#[test]
fn multi_margin_gradients() {
    let mut rng = Lcg(12);
    for &shape in ROWS {
        let (n, c) = if shape.len() == 1 { (1, shape[0]) } else { (shape[0], shape[1]) };
        let os = &out_shape_of(shape)[..];
        let x = rng.vec(n * c, -2.0, 2.0);
        let t = rng.ints(n, c);
        let w = rng.vec(c, 0.2, 2.0);
        for p in [1, 2] {
            for (margin, weighted) in [(1.0, false), (0.6, true)] {
                let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
                    let opts = MultiMarginOptions { p, margin, weight: weighted.then_some(Tensor::flat(&w)), reduction: r };
                    multi_margin_loss(Tensor::new(&a[0], shape), Tensor::new(&t, os), &opts, o)
                };
                check(&format!("multi margin {shape:?} p {p} margin {margin} w {weighted}"), os, vec![x.clone()], &f);
            }
        }
    }
}

#[test]
fn multilabel_gradients() {
    let mut rng = Lcg(13);
    for &shape in ROWS {
        let (n, c) = if shape.len() == 1 { (1, shape[0]) } else { (shape[0], shape[1]) };
        let os = &out_shape_of(shape)[..];
        let x = rng.vec(n * c, -2.0, 2.0);
        // Per row: a few labels (a duplicate in the first row), -1, then entries ignored.
        let mut t = vec![-1i32; n * c];
        for r in 0..n {
            let k = rng.ints(1, c + 1)[0] as usize;
            for i in 0..k {
                t[r * c + i] = rng.ints(1, c)[0];
            }
            if k + 1 < c {
                t[r * c + k + 1] = rng.ints(1, c)[0];
            }
        }
        if c >= 3 && n > 0 {
            t[..3].copy_from_slice(&[0, 0, -1]);
        }
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            multilabel_margin_loss(Tensor::new(&a[0], shape), Tensor::new(&t, shape), &MultilabelMarginOptions { reduction: r }, o)
        };
        check(&format!("multilabel margin {shape:?}"), os, vec![x.clone()], &f);
        let y = rng.vec(n * c, 0.0, 1.0);
        let w = rng.vec(c, 0.2, 2.0);
        let wide = rng.vec(n * c, -30.0, 30.0);
        for weighted in [false, true] {
            let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
                let opts = MultilabelSoftMarginOptions { weight: weighted.then_some(Tensor::flat(&w)), reduction: r };
                multilabel_soft_margin_loss(Tensor::new(&a[0], shape), Tensor::new(&a[1], shape), &opts, o)
            };
            check(&format!("multilabel soft margin {shape:?} w {weighted}"), os, vec![x.clone(), y.clone()], &f);
            check(&format!("multilabel soft margin wide {shape:?} w {weighted}"), os, vec![wide.clone(), y.clone()], &f);
        }
    }
}

/// SIMD and scalar twin agree closely on large f32 rows.
#[test]
fn simd_and_scalar_twin_agree_on_large_rows() {
    let mut rng = Lcg(3);
    let (n, c) = (6usize, 1001usize);
    let x: Vec<f32> = rng.vec(n * c, -3.0, 3.0).into_iter().map(|v| v as f32).collect();
    let y: Vec<f32> = rng.vec(n * c, 0.0, 1.0).into_iter().map(|v| v.round() as f32).collect();
    let t = rng.ints(n, c);
    let run = |scalar: bool| {
        force_scalar_kernels(scalar);
        let shape = [n, c];
        let (mut g1, mut g2) = (vec![0f32; n * c], vec![0f32; n * c]);
        let out = Out { grads: [Some(&mut g1[..]), None, None], ..Out::default() };
        let opts = MultiMarginOptions { p: 2, ..Default::default() };
        let a = multi_margin_loss(Tensor::new(&x, &shape), Tensor::flat(&t), &opts, out).unwrap();
        let out = Out { grads: [Some(&mut g2[..]), None, None], ..Out::default() };
        let b = multilabel_soft_margin_loss(Tensor::new(&x, &shape), Tensor::new(&y, &shape), &Default::default(), out).unwrap();
        force_scalar_kernels(false);
        ([a, b], [g1, g2])
    };
    let (va, ga) = run(false);
    let (vb, gb) = run(true);
    for k in 0..2 {
        assert!((va[k] - vb[k]).abs() <= 1e-6 * va[k].abs(), "{k}: {} vs {}", va[k], vb[k]);
        for (u, v) in ga[k].iter().zip(&gb[k]) {
            assert!((u - v).abs() <= 1e-6 * (u.abs() + 1e-6), "{k}: {u} vs {v}");
        }
    }
}

fn code<T: std::fmt::Debug>(r: Result<T>) -> (ErrorCode, Option<&'static str>) {
    let e = r.unwrap_err();
    (e.code(), e.arg())
}

#[test]
fn errors_and_edge_values() {
    let x = [0.5f64, -0.2, 0.3, 1.0, 2.0, -1.0];
    let v = Out::<f64>::value;
    let shape: &[usize] = &[2, 3];
    // Labels: hinge needs ±1; soft margin and margin ranking take any value, as PyTorch.
    let half = [1.0, -1.0, 0.5, 1.0, 1.0, -1.0];
    let e = hinge_loss(Tensor::flat(&x), Tensor::flat(&half), &HingeOptions::default(), v());
    assert_eq!(code(e), (ErrorCode::InvalidTarget, Some("target")));
    let e = hinge_loss(Tensor::flat(&x), Tensor::flat(&[1.0, f64::NAN, 1.0, 1.0, 1.0, 1.0]), &HingeOptions::default(), v());
    assert_eq!(code(e), (ErrorCode::InvalidTarget, Some("target")));
    assert!(soft_margin_loss(Tensor::flat(&x), Tensor::flat(&half), &SoftMarginOptions::default(), v()).is_ok());
    let opts = MarginRankingOptions::default();
    assert!(margin_ranking_loss(Tensor::flat(&x), Tensor::flat(&x), Tensor::flat(&half), &opts, v()).is_ok());
    // Shapes: same rank for margin ranking, broadcastable dims; no broadcasting elsewhere.
    let e = margin_ranking_loss(Tensor::new(&x, shape), Tensor::flat(&x), Tensor::new(&x, shape), &opts, v());
    assert_eq!(code(e), (ErrorCode::ShapeMismatch, Some("input2")));
    let e = margin_ranking_loss(Tensor::new(&x, shape), Tensor::new(&x, &[3, 2]), Tensor::new(&x, shape), &opts, v());
    assert_eq!(code(e).0, ErrorCode::ShapeMismatch);
    let e = soft_margin_loss(Tensor::new(&x, shape), Tensor::flat(&x[..3]), &SoftMarginOptions::default(), v());
    assert_eq!(code(e), (ErrorCode::ShapeMismatch, Some("target")));
    // multi margin: p, target range and shape, weight shape, input rank and C = 0.
    let t = [0, 2];
    let mm = |p: i64, w: Option<Tensor<'_, f64>>, t: Tensor<'_, i32>, x: Tensor<'_, f64>| {
        multi_margin_loss(x, t, &MultiMarginOptions { p, weight: w, ..Default::default() }, Out::value())
    };
    assert_eq!(code(mm(3, None, Tensor::flat(&t), Tensor::new(&x, shape))), (ErrorCode::InvalidOption, Some("p")));
    assert_eq!(code(mm(0, None, Tensor::flat(&t), Tensor::new(&x, shape))), (ErrorCode::InvalidOption, Some("p")));
    assert_eq!(code(mm(1, None, Tensor::flat(&[0, 3]), Tensor::new(&x, shape))), (ErrorCode::InvalidTarget, Some("target")));
    assert_eq!(code(mm(1, None, Tensor::flat(&[0, -1]), Tensor::new(&x, shape))), (ErrorCode::InvalidTarget, Some("target")));
    assert_eq!(code(mm(1, None, Tensor::flat(&[0, 1, 2]), Tensor::new(&x, shape))), (ErrorCode::ShapeMismatch, Some("target")));
    let w = [1.0, 2.0];
    assert_eq!(code(mm(1, Some(Tensor::flat(&w)), Tensor::flat(&t), Tensor::new(&x, shape))), (ErrorCode::ShapeMismatch, Some("weight")));
    assert_eq!(code(mm(1, None, Tensor::flat(&t), Tensor::new(&x, &[2, 3, 1]))), (ErrorCode::ShapeMismatch, Some("input")));
    assert_eq!(code(mm(1, None, Tensor::flat(&t), Tensor::new(&[], &[2, 0]))), (ErrorCode::ShapeMismatch, Some("input")));
    assert_eq!(code(mm(1, None, Tensor::new(&[0], &[]), Tensor::new(&x[..1], &[]))), (ErrorCode::ShapeMismatch, Some("input")));
    // A shape whose element count overflows is a shape error, not a panic.
    assert_eq!(code(mm(1, None, Tensor::flat(&t), Tensor::new(&x, &[usize::MAX, 2]))).0, ErrorCode::ShapeMismatch);
    // multilabel margin: entries after the first -1 are still range-checked.
    let ml = |t: &[i32]| {
        multilabel_margin_loss(Tensor::new(&x, shape), Tensor::new(t, shape), &MultilabelMarginOptions::default(), Out::value())
    };
    assert!(ml(&[0, -1, 2, 1, 1, -1]).is_ok());
    assert_eq!(code(ml(&[0, -1, -2, 1, 1, -1])), (ErrorCode::InvalidTarget, Some("target")));
    assert_eq!(code(ml(&[0, -1, 3, 1, 1, -1])), (ErrorCode::InvalidTarget, Some("target")));
    let e = multilabel_margin_loss(Tensor::new(&x, shape), Tensor::flat(&[0, 1, 2]), &MultilabelMarginOptions::default(), Out::value());
    assert_eq!(code(e), (ErrorCode::ShapeMismatch, Some("target")));
    // multilabel soft margin: weight of C entries, target of the input's shape.
    let msm = |w: Option<Tensor<'_, f64>>, y: Tensor<'_, f64>| {
        multilabel_soft_margin_loss(
            Tensor::new(&x, shape),
            y,
            &MultilabelSoftMarginOptions { weight: w, ..Default::default() },
            Out::value(),
        )
    };
    assert_eq!(code(msm(Some(Tensor::flat(&w)), Tensor::new(&x, shape))), (ErrorCode::ShapeMismatch, Some("weight")));
    assert_eq!(code(msm(None, Tensor::flat(&x[..3]))), (ErrorCode::ShapeMismatch, Some("target")));

    // N = 0: 'mean' is NaN (a mean over nothing), 'sum' 0; PyTorch's value is undefined there.
    let empty: [f64; 0] = [];
    for r in [Reduction::Mean, Reduction::Sum] {
        let a = multi_margin_loss(
            Tensor::new(&empty, &[0, 4]),
            Tensor::new(&[], &[0]),
            &MultiMarginOptions { reduction: r, ..Default::default() },
            Out::value(),
        )
        .unwrap();
        let b = multilabel_margin_loss(
            Tensor::new(&empty, &[0, 4]),
            Tensor::new(&[], &[0, 4]),
            &MultilabelMarginOptions { reduction: r },
            Out::value(),
        )
        .unwrap();
        if r == Reduction::Mean {
            assert!(a.is_nan() && b.is_nan());
        } else {
            assert_eq!((a, b), (0.0, 0.0));
        }
    }
    // Soft margin far past f32's exp overflow: finite, the true value.
    let mut g = [0f32; 2];
    let out = Out { grads: [Some(&mut g[..]), None, None], ..Out::default() };
    let s =
        soft_margin_loss(Tensor::flat(&[-200f32, 200.0]), Tensor::flat(&[1.0, 1.0]), &SoftMarginOptions { reduction: Reduction::Sum }, out)
            .unwrap();
    assert_eq!(s, 200.0);
    assert_eq!(g, [-1.0, -0.0]);
    // A duplicated label counts twice; a NaN at a multi-margin row's target drops the row.
    let one = |t: &[i32]| {
        multilabel_margin_loss(
            Tensor::flat(&[0.0, 0.5]),
            Tensor::flat(t),
            &MultilabelMarginOptions { reduction: Reduction::Sum },
            Out::value(),
        )
        .unwrap()
    };
    assert_eq!(one(&[0, 0]), 2.0 * one(&[0, -1]));
    let mut g = [9.0f64; 3];
    let out = Out { grads: [Some(&mut g[..]), None, None], ..Out::default() };
    let opts = MultiMarginOptions { reduction: Reduction::Sum, ..Default::default() };
    assert_eq!(multi_margin_loss(Tensor::flat(&[0.0, f64::NAN, 1.0]), Tensor::new(&[1], &[]), &opts, out).unwrap(), 0.0);
    assert_eq!(g, [0.0; 3]);
}
