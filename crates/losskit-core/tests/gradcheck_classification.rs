//! Analytic gradients of the classification family against central finite differences,
//! in f64, for every differentiable argument under each reduction ('none' with a random
//! upstream gradient g, checked as the gradient of Σ gᵢℓᵢ), through the SIMD kernels and
//! the scalar twins, over layouts that exercise contiguous tiles, gathered tiles and
//! scalar tails: (C), (N, C), (N, C, d) with d below and above the lane width.

mod common;

use common::{assert_finite_differences, evaluate, Lcg, Run};
use losskit_core::*;

/// Rows of probabilities over dim 1 of `shape`.
fn probs(rng: &mut Lcg, shape: &[usize]) -> Vec<f64> {
    let (n, c, inner) = layout(shape);
    let mut v = rng.vec(n * c * inner, 0.05, 1.0);
    for b in 0..n {
        for j in 0..inner {
            let s: f64 = (0..c).map(|k| v[b * c * inner + k * inner + j]).sum();
            (0..c).for_each(|k| v[b * c * inner + k * inner + j] /= s);
        }
    }
    v
}

fn layout(shape: &[usize]) -> (usize, usize, usize) {
    match shape {
        [c] => (1, *c, 1),
        [n, c, rest @ ..] => (*n, *c, rest.iter().product()),
        _ => unreachable!(),
    }
}

fn check(name: &str, out_shape: &[usize], reductions: &[Reduction], args: Vec<Vec<f64>>, f: &Run) {
    let g = Lcg(7).vec(out_shape.iter().product(), -1.0, 1.0);
    for scalar in [false, true] {
        force_scalar_kernels(scalar);
        for &reduction in reductions {
            let (_, grads) = evaluate(f, &args, out_shape, reduction, &g);
            assert_finite_differences(&format!("{name} {reduction:?} scalar={scalar}"), &args, &grads, |a| {
                evaluate(f, a, out_shape, reduction, &g).0
            });
        }
    }
    force_scalar_kernels(false);
}

const SHAPES: &[&[usize]] = &[&[7], &[5, 3], &[9, 1], &[2, 3, 6], &[3, 4, 2], &[2, 7, 5], &[0, 3]];
const PLAIN: &[Reduction] = &[Reduction::Mean, Reduction::Sum, Reduction::None];

fn rows_of(shape: &[usize]) -> usize {
    let (n, _, inner) = layout(shape);
    n * inner
}

/// The unreduced output's shape: [] for (C), else (N, d1, …).
fn out_shape_of(shape: &[usize]) -> Vec<usize> {
    match shape {
        [_] => vec![],
        [n, _, rest @ ..] => [&[*n][..], rest].concat(),
        _ => unreachable!(),
    }
}

#[test]
fn cross_entropy_gradients() {
    let mut rng = Lcg(11);
    for &shape in SHAPES {
        let (_, c, _) = layout(shape);
        let len: usize = shape.iter().product();
        let rows = rows_of(shape);
        let os = &out_shape_of(shape)[..];
        let x = rng.vec(len, -3.0, 3.0);
        let mut t = rng.ints(rows, c);
        if rows > 2 {
            t[1] = -100; // ignored
        }
        let w = rng.vec(c, 0.2, 2.0);
        for eps in [0.0, 0.3] {
            for weighted in [false, true] {
                let (t, w) = (&t, &w);
                let f = move |a: &[Vec<f64>], r, o: Out<'_, f64>| {
                    let opts = CrossEntropyOptions {
                        weight: weighted.then_some(Tensor::flat(&w[..])),
                        label_smoothing: eps,
                        reduction: r,
                        ..Default::default()
                    };
                    cross_entropy(Tensor::new(&a[0], shape), Target::Index(Tensor::new(t, os)), &opts, o)
                };
                check(&format!("ce index {shape:?} eps {eps} w {weighted}"), os, PLAIN, vec![x.clone()], &f);
            }
            let y = probs(&mut rng, shape);
            let w2 = w.clone();
            let f = move |a: &[Vec<f64>], r, o: Out<'_, f64>| {
                let opts =
                    CrossEntropyOptions { weight: Some(Tensor::flat(&w2)), label_smoothing: eps, reduction: r, ..Default::default() };
                cross_entropy(Tensor::new(&a[0], shape), Target::Prob(Tensor::new(&a[1], shape)), &opts, o)
            };
            check(&format!("ce prob {shape:?} eps {eps}"), os, PLAIN, vec![x.clone(), y], &f);
        }
    }
}

#[test]
fn nll_focal_categorical_gradients() {
    let mut rng = Lcg(5);
    for &shape in SHAPES {
        let (_, c, _) = layout(shape);
        let len: usize = shape.iter().product();
        let rows = rows_of(shape);
        let os = &out_shape_of(shape)[..];
        let x = rng.vec(len, -3.0, 3.0);
        let mut t = rng.ints(rows, c);
        let w = rng.vec(c, 0.2, 2.0);
        let t_ref = &t.clone();
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            focal_loss(
                Tensor::new(&a[0], shape),
                Tensor::new(t_ref, os),
                &FocalOptions { gamma: 2.0, alpha: Some(Tensor::flat(&w)), reduction: r },
                o,
            )
        };
        check(&format!("focal {shape:?}"), os, PLAIN, vec![x.clone()], &f);
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            focal_loss(Tensor::new(&a[0], shape), Tensor::new(t_ref, os), &FocalOptions { gamma: 0.5, alpha: None, reduction: r }, o)
        };
        check(&format!("focal γ=0.5 {shape:?}"), os, PLAIN, vec![x.clone()], &f);
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            focal_loss(Tensor::new(&a[0], shape), Tensor::new(t_ref, os), &FocalOptions { gamma: 0.0, alpha: None, reduction: r }, o)
        };
        check(&format!("focal γ=0 {shape:?}"), os, PLAIN, vec![x.clone()], &f);
        let p = probs(&mut rng, shape);
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            categorical_cross_entropy(
                Tensor::new(&a[0], shape),
                Target::Index(Tensor::new(t_ref, os)),
                &CategoricalOptions { reduction: r },
                o,
            )
        };
        check(&format!("categorical index {shape:?}"), os, PLAIN, vec![p.clone()], &f);
        let y = probs(&mut rng, shape);
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            categorical_cross_entropy(
                Tensor::new(&a[0], shape),
                Target::Prob(Tensor::new(&a[1], shape)),
                &CategoricalOptions { reduction: r },
                o,
            )
        };
        check(&format!("categorical prob {shape:?}"), os, PLAIN, vec![p.clone(), y], &f);
        if rows > 2 {
            t[2] = c as i32 - 1;
            t[0] = -7;
        }
        let t_ref = &t;
        let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            let opts = NllOptions { weight: Some(Tensor::flat(&w)), ignore_index: -7, reduction: r };
            nll_loss(Tensor::new(&a[0], shape), Tensor::new(t_ref, os), &opts, o)
        };
        check(&format!("nll {shape:?}"), os, PLAIN, vec![x.clone()], &f);
    }
}

/// `a` with the shape (3, 5) of the element-wise checks.
fn t(a: &[f64]) -> Tensor<'_, f64> {
    Tensor::new(a, &[3, 5])
}

#[test]
fn elementwise_gradients() {
    let mut rng = Lcg(9);
    let shape = [3usize, 5];
    let n = 15;
    let p = rng.vec(n, 0.05, 0.95);
    let y = rng.vec(n, 0.0, 1.0);
    let x = rng.vec(n, -4.0, 4.0);
    let w = rng.vec(5, 0.2, 2.0);
    let pw = rng.vec(5, 0.5, 3.0);
    let ws = Tensor::new(&w[..], &[5]);
    let pws = Tensor::new(&pw[..], &[5]);
    let f =
        |a: &[Vec<f64>], r, o: Out<'_, f64>| binary_cross_entropy(t(&a[0]), t(&a[1]), &BceOptions { weight: Some(ws), reduction: r }, o);
    check("bce", &shape, PLAIN, vec![p.clone(), y.clone()], &f);
    let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
        binary_cross_entropy_with_logits(
            t(&a[0]),
            t(&a[1]),
            &BceWithLogitsOptions { weight: Some(ws), pos_weight: Some(pws), reduction: r },
            o,
        )
    };
    check("bce logits pos_weight", &shape, PLAIN, vec![x.clone(), y.clone()], &f);
    let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| {
        binary_cross_entropy_with_logits(t(&a[0]), t(&a[1]), &BceWithLogitsOptions { reduction: r, ..Default::default() }, o)
    };
    check("bce logits", &shape, PLAIN, vec![x.clone(), y.clone()], &f);
    let all = &[Reduction::Mean, Reduction::Sum, Reduction::None, Reduction::BatchMean];
    let lp = rng.vec(n, -3.0, -0.1);
    let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| kl_div(t(&a[0]), t(&a[1]), &KlDivOptions { log_target: false, reduction: r }, o);
    check("kl", &shape, all, vec![lp.clone(), p.clone()], &f);
    let f = |a: &[Vec<f64>], r, o: Out<'_, f64>| kl_div(t(&a[0]), t(&a[1]), &KlDivOptions { log_target: true, reduction: r }, o);
    check("kl log target", &shape, all, vec![lp.clone(), x.clone()], &f);
    for (alpha, gamma) in [(0.25, 2.0), (-1.0, 1.5), (0.6, 0.0)] {
        let f = move |a: &[Vec<f64>], r, o: Out<'_, f64>| {
            sigmoid_focal_loss(t(&a[0]), t(&a[1]), &SigmoidFocalOptions { alpha, gamma, reduction: r }, o)
        };
        check(&format!("sigmoid focal α={alpha} γ={gamma}"), &shape, PLAIN, vec![x.clone(), y.clone()], &f);
    }
}

/// SIMD and scalar twin agree closely on a big row layout with 1001 classes.
#[test]
fn simd_and_scalar_twin_agree_on_large_rows() {
    let mut rng = Lcg(3);
    for shape in [[6usize, 1001].to_vec(), vec![2, 7, 9]] {
        let len: usize = shape.iter().product();
        let (_, c, _) = layout(&shape);
        let x: Vec<f32> = rng.vec(len, -20.0, 20.0).into_iter().map(|v| v as f32).collect();
        let t = rng.ints(rows_of(&shape), c);
        let run = |scalar: bool| {
            force_scalar_kernels(scalar);
            let mut g = vec![0f32; len];
            let os = out_shape_of(&shape);
            let opts = CrossEntropyOptions { label_smoothing: 0.1, ..Default::default() };
            let out = Out { grads: [Some(&mut g), None, None], ..Out::default() };
            let v = cross_entropy(Tensor::new(&x, &shape), Target::Index(Tensor::new(&t, &os)), &opts, out).unwrap();
            force_scalar_kernels(false);
            (v, g)
        };
        let (a, ga) = run(false);
        let (b, gb) = run(true);
        assert!((a - b).abs() <= 1e-6 * a.abs(), "{a} vs {b}");
        for (u, v) in ga.iter().zip(&gb) {
            assert!((u - v).abs() <= 1e-6 * (u.abs() + 1e-6), "{u} vs {v}");
        }
    }
}

#[test]
fn errors_and_edge_values() {
    let x = [0.5f64, 0.2, 0.3];
    let xt = Tensor::flat(&x);
    let mean = |r| CrossEntropyOptions { reduction: r, ..Default::default() };
    let e = binary_cross_entropy(Tensor::flat(&[1.5]), Tensor::flat(&[1.0]), &BceOptions::default(), Out::value()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = cross_entropy(xt, Target::Prob(xt), &CrossEntropyOptions { ignore_index: 0, ..Default::default() }, Out::value()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidOption);
    let opts = CrossEntropyOptions { weight: Some(Tensor::flat(&[1.0, 2.0])), ..Default::default() };
    let e = cross_entropy(xt, Target::Index(Tensor::new(&[0], &[])), &opts, Out::value()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ShapeMismatch);
    let e = cross_entropy(xt, Target::Prob(Tensor::flat(&x[..2])), &mean(Reduction::Mean), Out::value()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ShapeMismatch);
    let e = nll_loss(
        Tensor::new(&x, &[1, 3]),
        Tensor::flat(&[3]),
        &NllOptions { reduction: Reduction::Sum, ..Default::default() },
        Out::value(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidTarget);
    let e = cross_entropy(xt, Target::Index(Tensor::new(&[0], &[])), &mean(Reduction::BatchMean), Out::value()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidOption);
    // Large logits: finite loss and gradient.
    let mut g = [0f32; 3];
    let v = binary_cross_entropy_with_logits(
        Tensor::flat(&[1e4f32, -1e4, 0.0]),
        Tensor::flat(&[0.0, 1.0, 1.0]),
        &BceWithLogitsOptions { reduction: Reduction::Sum, ..Default::default() },
        Out { grads: [Some(&mut g), None, None], ..Out::default() },
    )
    .unwrap();
    assert_eq!(v, 2e4 + std::f32::consts::LN_2);
    assert_eq!(g, [1.0, -1.0, -0.5]);
    // kl batchmean of a 0-dim input is the sum.
    let kl = |r| {
        kl_div(Tensor::new(&[-1.0f64], &[]), Tensor::new(&[0.5], &[]), &KlDivOptions { log_target: false, reduction: r }, Out::value())
            .unwrap()
    };
    assert_eq!(kl(Reduction::BatchMean), kl(Reduction::Sum));
    // BCE at p = 0, y = 1: the log clamp gives 100.
    assert_eq!(binary_cross_entropy(Tensor::flat(&[0.0f64]), Tensor::flat(&[1.0]), &BceOptions::default(), Out::value()).unwrap(), 100.0);
}
