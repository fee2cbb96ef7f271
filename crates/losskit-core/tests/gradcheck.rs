//! Analytic gradients against central finite differences, in f64, for every regression
//! loss and every differentiable argument, under each reduction ('none' with a random
//! upstream gradient g, checked as the gradient of Σ gᵢℓᵢ). Inputs stay away from kinks
//! (|x − y| = beta, delta), where a finite difference is meaningless.

mod common;

use common::{assert_finite_differences, evaluate, Lcg, Run};
use losskit_core::*;

/// A loss call: (input, target, third argument: weight or var, reduction, out).
type Loss3 = fn(&[f64], &[f64], &[f64], Reduction, Out<'_, f64>) -> Result<f64>;

/// Checks the gradients of `f` w.r.t. each of `args` (input, target[, third]); a third
/// argument not among them is `third`.
fn check(name: &str, f: Loss3, args: Vec<Vec<f64>>, third: &[f64]) {
    let run: &Run = &|a, reduction, out| f(&a[0], &a[1], a.get(2).map_or(third, |v| &v[..]), reduction, out);
    let shape = [args[0].len()];
    let g = Lcg(7).vec(args[0].len(), -1.0, 1.0);
    for reduction in [Reduction::Mean, Reduction::Sum, Reduction::None] {
        let (_, grads) = evaluate(run, &args, &shape, reduction, &g);
        assert_finite_differences(&format!("{name} {reduction:?}"), &args, &grads, |a| evaluate(run, a, &shape, reduction, &g).0);
    }
}

#[test]
fn regression_gradients_match_finite_differences() {
    let mut rng = Lcg(42);
    let n = 13; // odd: exercises the SIMD body and the scalar tail
    let x = rng.vec(n, -2.0, 2.0);
    let y = rng.vec(n, -2.0, 2.0);
    let w = rng.vec(n, 0.1, 2.0);
    let rate = rng.vec(n, 0.5, 3.0);
    let counts: Vec<f64> = (0..n).map(|i| (i % 5) as f64 + 0.5).collect();
    let var = rng.vec(n, 0.2, 2.0);

    check(
        "l1",
        |x, y, w, r, o| l1_loss(Tensor::flat(x), Tensor::flat(y), &WeightedOptions { weight: Some(Tensor::flat(w)), reduction: r }, o),
        vec![x.clone(), y.clone()],
        &w,
    );
    check(
        "mse",
        |x, y, w, r, o| mse_loss(Tensor::flat(x), Tensor::flat(y), &WeightedOptions { weight: Some(Tensor::flat(w)), reduction: r }, o),
        vec![x.clone(), y.clone()],
        &w,
    );
    check(
        "smooth_l1",
        |x, y, _, r, o| smooth_l1_loss(Tensor::flat(x), Tensor::flat(y), &SmoothL1Options { beta: 0.7, reduction: r }, o),
        vec![x.clone(), y.clone()],
        &w,
    );
    check(
        "huber",
        |x, y, w, r, o| {
            huber_loss(Tensor::flat(x), Tensor::flat(y), &HuberOptions { weight: Some(Tensor::flat(w)), delta: 0.8, reduction: r }, o)
        },
        vec![x.clone(), y.clone()],
        &w,
    );
    check(
        "poisson log_input full",
        |x, y, _, r, o| {
            poisson_nll_loss(
                Tensor::flat(x),
                Tensor::flat(y),
                &PoissonNllOptions { log_input: true, full: true, eps: 1e-8, reduction: r },
                o,
            )
        },
        vec![x.clone(), counts.clone()],
        &w,
    );
    check(
        "poisson",
        |x, y, _, r, o| {
            poisson_nll_loss(
                Tensor::flat(x),
                Tensor::flat(y),
                &PoissonNllOptions { log_input: false, full: false, eps: 1e-8, reduction: r },
                o,
            )
        },
        vec![rate.clone(), counts.clone()],
        &w,
    );
    check(
        "gaussian",
        |x, y, v, r, o| {
            gaussian_nll_loss(
                Tensor::flat(x),
                Tensor::flat(y),
                Var::Tensor(Tensor::flat(v)),
                &GaussianNllOptions { full: true, eps: 1e-6, reduction: r },
                o,
            )
        },
        vec![x.clone(), y.clone(), var.clone()],
        &[],
    );
    check(
        "gaussian var per row",
        |x, y, v, r, o| {
            let opts = GaussianNllOptions { full: false, eps: 1e-6, reduction: r };
            let o = Out { grad_output: o.grad_output.map(|g| Tensor::new(g.data, &[3, 4])), ..o };
            gaussian_nll_loss(Tensor::new(x, &[3, 4]), Tensor::new(y, &[3, 4]), Var::Tensor(Tensor::new(&v[..3], &[3])), &opts, o)
        },
        vec![x[..12].to_vec(), y[..12].to_vec(), var[..3].to_vec()],
        &[],
    );
}

#[test]
fn rmse_gradient_matches_finite_differences_and_is_zero_at_zero_error() {
    let mut rng = Lcg(3);
    let (x, y) = (rng.vec(9, -1.0, 1.0), rng.vec(9, -1.0, 1.0));
    let rmse = |x: &[f64], gx: &mut [f64]| {
        rmse_loss(Tensor::flat(x), Tensor::flat(&y), &MeanOptions::default(), Out { grads: [Some(gx), None, None], ..Out::default() })
            .unwrap()
    };
    let mut g = vec![0.0; 9];
    rmse(&x, &mut g);
    for i in 0..9 {
        let (mut p, mut m) = (x.clone(), x.clone());
        p[i] += 1e-6;
        m[i] -= 1e-6;
        let fd = (rmse(&p, &mut [0.0; 9]) - rmse(&m, &mut [0.0; 9])) / 2e-6;
        assert!((fd - g[i]).abs() < 1e-7, "{fd} vs {}", g[i]);
    }
    let mut g = vec![1.0; 9];
    assert_eq!(rmse(&y, &mut g), 0.0);
    assert!(g.iter().all(|&v| v == 0.0), "{g:?}");
}
