//! diceLoss's analytic input gradient against central finite differences, in f64, through
//! the SIMD kernels and the scalar twins: every activation (none, sigmoid, softmax), with
//! and without squaredPred, jaccard, batch and includeBackground, for float and class-index
//! targets, under each reduction ('none' with a random upstream gradient g, checked as the
//! gradient of Σ gᵢfᵢ), on spatial sizes 1, 5 and 11 (a scalar tail only, lanes and a tail).

mod common;

use common::{assert_finite_differences, Lcg};
use losskit_core::*;

#[test]
fn dice_gradients_match_finite_differences() {
    let mut rng = Lcg(7);
    let mut checked = 0;
    for d in [1usize, 5, 11] {
        let (n, c) = (2usize, 3usize);
        let shape = [n, c, d];
        let len = n * c * d;
        let labels = rng.ints(n * d, c);
        let soft: Vec<f64> = rng.vec(len, 0.0, 1.0);
        for variant in 0..12 {
            let opts = DiceOptions {
                sigmoid: variant % 3 == 1,
                softmax: variant % 3 == 2,
                squared_pred: variant % 2 == 1,
                jaccard: variant % 4 >= 2,
                include_background: variant % 5 != 0,
                batch: variant % 6 >= 3,
                to_onehot_y: variant % 4 == 1,
                smooth_nr: if variant % 7 == 0 { 0.0 } else { 0.3 },
                smooth_dr: 0.2,
                reduction: [Reduction::Mean, Reduction::Sum, Reduction::None][variant % 3],
            };
            let activated = opts.sigmoid || opts.softmax;
            let x: Vec<f64> = rng.vec(len, if activated { -2.0 } else { 0.05 }, if activated { 2.0 } else { 0.95 });
            let kept = if opts.include_background { c } else { c - 1 };
            let out_len = if opts.batch { kept } else { n * kept };
            let g: Vec<f64> = rng.vec(out_len, -1.0, 1.0);
            let none = opts.reduction == Reduction::None;
            let out_shape = if opts.batch { vec![kept, 1] } else { vec![n, kept, 1] };
            let lshape = [n, 1, d];
            let call = |x: &[f64], grad: Option<&mut [f64]>| -> f64 {
                let target =
                    if opts.to_onehot_y { Target::Index(Tensor::new(&labels, &lshape)) } else { Target::Prob(Tensor::new(&soft, &shape)) };
                let mut unreduced = vec![0.0; out_len];
                let out = Out {
                    loss: none.then_some(&mut unreduced[..]),
                    grad_output: none.then_some(Tensor::new(&g, &out_shape)),
                    grads: [grad, None, None],
                };
                let v = dice_loss(Tensor::new(x, &shape), target, &opts, out).unwrap();
                if none {
                    unreduced.iter().zip(&g).map(|(l, g)| l * g).sum()
                } else {
                    v
                }
            };
            for scalar in [false, true] {
                force_scalar_kernels(scalar);
                let mut gx = vec![0.0; len];
                call(&x, Some(&mut gx));
                assert_finite_differences(
                    &format!("dice d={d} variant {variant} {opts:?} scalar={scalar}"),
                    std::slice::from_ref(&x),
                    &[gx],
                    |a| call(&a[0], None),
                );
                checked += 1;
            }
            force_scalar_kernels(false);
        }
    }
    assert_eq!(checked, 72);
}
