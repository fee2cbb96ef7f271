//! Analytic gradients of the embedding family against central finite differences, in f64,
//! for every differentiable argument under each reduction ('none' with a random upstream
//! gradient g, checked as the gradient of Σ gᵢℓᵢ), through the SIMD kernels and the scalar
//! twins, for D ∈ {1, 3, 129} (a scalar tail only, a lane and a tail, many lanes) as (N, D)
//! and as (D). The data keeps every difference, hinge and swap comparison away from its
//! kink, so the finite differences see a smooth function.

mod common;

use common::{assert_finite_differences_at, evaluate, Lcg, Run};
use losskit_core::*;

const REDUCTIONS: &[Reduction] = &[Reduction::Mean, Reduction::Sum, Reduction::None];
const DIMS: &[usize] = &[1, 3, 129];

/// Every element of short rows; of long rows (D > 8) the first and last lanes and every
/// 16th element between (finite differences cost (elements)² operations).
fn probe(d: usize) -> impl Fn(usize) -> bool {
    move |i| {
        let j = i % d.max(1);
        d <= 8 || j < 4 || j + 4 >= d || j.is_multiple_of(16)
    }
}

fn check(name: &str, d: usize, out_shape: &[usize], args: Vec<Vec<f64>>, f: &Run) {
    let g = Lcg(7).vec(out_shape.iter().product(), -1.0, 1.0);
    for scalar in [false, true] {
        force_scalar_kernels(scalar);
        for &reduction in REDUCTIONS {
            let (_, grads) = evaluate(f, &args, out_shape, reduction, &g);
            assert!(grads.iter().flatten().any(|&v| v != 0.0), "{name}: every gradient is 0, nothing is checked");
            assert_finite_differences_at(&format!("{name} {reduction:?} scalar={scalar}"), &args, &grads, probe(d), |a| {
                evaluate(f, a, out_shape, reduction, &g).0
            });
        }
    }
    force_scalar_kernels(false);
}

/// `x` plus offsets of magnitude in [lo, hi] with random signs: differences away from 0.
fn offset(rng: &mut Lcg, x: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    x.iter().map(|&v| v + if rng.next() < 0.5 { -1.0 } else { 1.0 } * (lo + (hi - lo) * rng.next())).collect()
}

/// ‖x − y + ε‖_p per row (the test's own reference, to place the margin).
fn dist(x: &[f64], y: &[f64], d: usize, p: f64, eps: f64) -> Vec<f64> {
    x.chunks(d)
        .zip(y.chunks(d))
        .map(|(x, y)| {
            let e = x.iter().zip(y).map(|(u, v)| (u - v + eps).abs());
            if p.is_infinite() {
                e.fold(0.0, f64::max)
            } else {
                e.map(|v| v.powf(p)).sum::<f64>().powf(1.0 / p)
            }
        })
        .collect()
}

/// The shapes of one D: (N, D) with output (N), and (D) with a 0-dim output.
fn layouts(d: usize) -> [(Vec<usize>, Vec<usize>); 2] {
    let n = if d > 8 { 2 } else { 6 };
    [(vec![n, d], vec![n]), (vec![d], vec![])]
}

#[test]
fn triplet_margin_gradients() {
    let mut rng = Lcg(3);
    let eps = 1e-6;
    for &d in DIMS {
        for (shape, out_shape) in layouts(d) {
            let len: usize = shape.iter().product();
            let a = rng.vec(len, -1.0, 1.0);
            let pos = offset(&mut rng, &a, 0.1, 0.6);
            let neg = offset(&mut rng, &a, 0.2, 1.0);
            for p in [1.0, 2.0, 3.0, 1.5, 0.7, f64::INFINITY] {
                for swap in [false, true] {
                    // The margin puts the hinge between the rows' d(a, n) − d(a, p), so some rows
                    // are active and some not, none near the kink.
                    let dap = dist(&a, &pos, d, p, eps);
                    let mut neg_d = dist(&a, &neg, d, p, eps);
                    if swap {
                        let dpn = dist(&pos, &neg, d, p, eps);
                        neg_d.iter_mut().zip(dpn).for_each(|(n, s)| *n = n.min(s));
                    }
                    let mut gaps: Vec<f64> = neg_d.iter().zip(&dap).map(|(n, a)| n - a).collect();
                    gaps.sort_by(f64::total_cmp);
                    let margin = gaps[gaps.len() / 2].max(0.0) + 0.05;
                    let shape = &shape[..];
                    let f = move |x: &[Vec<f64>], r, o: Out<'_, f64>| {
                        let opts = TripletMarginOptions { margin, p, eps, swap, reduction: r };
                        triplet_margin_loss(Tensor::new(&x[0], shape), Tensor::new(&x[1], shape), Tensor::new(&x[2], shape), &opts, o)
                    };
                    check(&format!("triplet {shape:?} p {p} swap {swap}"), d, &out_shape, vec![a.clone(), pos.clone(), neg.clone()], &f);
                }
            }
        }
    }
}

#[test]
fn cosine_embedding_gradients() {
    let mut rng = Lcg(5);
    for &d in DIMS {
        for (shape, out_shape) in layouts(d) {
            let len: usize = shape.iter().product();
            let rows = len / d;
            let x1 = rng.vec(len, -1.0, 1.0);
            // x2 correlated with x1 so cosines of both signs, mostly positive.
            let x2: Vec<f64> = x1.iter().map(|&v| 0.6 * v + rng.next() * 2.0 - 1.0).collect();
            // Labels: +1 and −1 alternating, and one row with a label that is neither (no loss).
            let mut y: Vec<f64> = (0..rows).map(|r| if r % 2 == 0 { 1.0 } else { -1.0 }).collect();
            if rows > 2 {
                y[2] = 0.0;
            }
            for margin in [-0.3, 0.0, 0.1] {
                let (y, shape, os) = (y.clone(), &shape[..], out_shape.clone());
                let f = move |x: &[Vec<f64>], r, o: Out<'_, f64>| {
                    let opts = CosineEmbeddingOptions { margin, reduction: r };
                    cosine_embedding_loss(Tensor::new(&x[0], shape), Tensor::new(&x[1], shape), Tensor::new(&y, &os), &opts, o)
                };
                check(&format!("cosine {shape:?} margin {margin}"), d, &out_shape, vec![x1.clone(), x2.clone()], &f);
            }
        }
    }
}

#[test]
fn embedding_gradients_of_zero_vectors_are_finite() {
    // cos of a zero vector is 0 through the 1e-12 terms; its gradient x₂/√(ε|x₂|²) is finite.
    let (x1, x2, y) = ([0.0f64, 0.0, 0.0], [1.0f64, 2.0, 2.0], [1.0f64]);
    let (mut g1, mut g2) = ([0.0; 3], [0.0; 3]);
    let out = Out { grads: [Some(&mut g1[..]), Some(&mut g2[..]), None], ..Out::default() };
    let opts = CosineEmbeddingOptions::default();
    let l = cosine_embedding_loss(Tensor::new(&x1, &[1, 3]), Tensor::new(&x2, &[1, 3]), Tensor::flat(&y), &opts, out).unwrap();
    assert_eq!(l, 1.0);
    let den = ((1e-12f32 as f64) * (9.0 + 1e-12f32 as f64)).sqrt();
    for j in 0..3 {
        assert!((g1[j] + x2[j] / den).abs() <= 1e-9 * (x2[j] / den).abs(), "{g1:?}");
        assert_eq!(g2[j], 0.0);
    }
}
