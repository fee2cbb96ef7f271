//! Analytic gradients of the box losses (IoU, GIoU, DIoU) and the GAN losses against central
//! finite differences in f64, through the SIMD kernels and the scalar twins, for N = 1, 5, 33
//! (a tail only, lanes and a tail). The data stays away from kinks (no shared edges, overlaps
//! clearly positive or negative, hinge arguments away from 0). CIoU is left out: its α is held
//! constant for the gradient (torchvision's `no_grad`), so its gradient is not the derivative
//! of its value; the torchvision fixtures check it.

mod common;

use common::{assert_finite_differences, Lcg};
use losskit_core::*;

/// N random boxes, corners in [0, 4)², sides in [0.3, 3): a mix of overlapping and disjoint pairs.
fn boxes(rng: &mut Lcg, n: usize) -> Vec<f64> {
    (0..n)
        .flat_map(|_| {
            let (x, y) = (4.0 * rng.next(), 4.0 * rng.next());
            [x, y, x + 0.3 + 2.7 * rng.next(), y + 0.3 + 2.7 * rng.next()]
        })
        .collect()
}

type BoxLoss = fn(Tensor<'_, f64>, Tensor<'_, f64>, &BoxIouOptions, Out<'_, f64>) -> Result<f64>;

#[test]
fn box_losses_match_finite_differences() {
    let losses: [(&str, BoxLoss); 3] =
        [("iou", box_iou_loss), ("giou", generalized_box_iou_loss), ("diou", distance_box_iou_loss)];
    let mut rng = Lcg(17);
    let mut checked = 0;
    for scalar in [false, true] {
        force_scalar_kernels(scalar);
        for n in [1usize, 5, 33] {
            let (b1, b2) = (boxes(&mut rng, n), boxes(&mut rng, n));
            // Keep every pair off the kinks: no coordinate of one set within 1e-3 of the other's.
            if b1.iter().zip(&b2).any(|(a, b)| (a - b).abs() < 1e-3) {
                continue;
            }
            let shape = [n, 4];
            for (name, f) in losses {
                for reduction in [Reduction::Mean, Reduction::Sum] {
                    let o = BoxIouOptions { reduction, eps: 1e-7 };
                    let value = |a: &[Vec<f64>]| f(Tensor::new(&a[0], &shape), Tensor::new(&a[1], &shape), &o, Out::value()).unwrap();
                    let (mut g1, mut g2) = (vec![0.0; 4 * n], vec![0.0; 4 * n]);
                    let out = Out { grads: [Some(&mut g1[..]), Some(&mut g2[..]), None], ..Out::default() };
                    f(Tensor::new(&b1, &shape), Tensor::new(&b2, &shape), &o, out).unwrap();
                    assert_finite_differences(&format!("{name} n={n} {reduction:?} scalar={scalar}"), &[b1.clone(), b2.clone()], &[g1, g2], value);
                    checked += 1;
                }
            }
        }
    }
    force_scalar_kernels(false);
    assert_eq!(checked, 36, "every size was checked");
}

#[test]
fn gan_losses_match_finite_differences() {
    let mut rng = Lcg(5);
    for scalar in [false, true] {
        force_scalar_kernels(scalar);
        for (nr, nf) in [(1usize, 1usize), (5, 5), (33, 7)] {
            // Logits in ±[0.2, 6], never within 0.2 of the hinge's kinks at ±1.
            let logit = |rng: &mut Lcg| {
                let v = 0.2 + 5.8 * rng.next();
                let v = if (v - 1.0).abs() < 0.2 { v + 0.5 } else { v };
                if rng.next() < 0.5 { -v } else { v }
            };
            let real: Vec<f64> = (0..nr).map(|_| logit(&mut rng)).collect();
            let fake: Vec<f64> = (0..nf).map(|_| logit(&mut rng)).collect();
            for mode in GanMode::ALL {
                for reduction in [Reduction::Mean, Reduction::Sum] {
                    let o = GanOptions { mode, reduction };
                    let what = format!("{} {reduction:?} {nr}/{nf} scalar={scalar}", mode.name());
                    let (mut gr, mut gf) = (vec![0.0; nr], vec![0.0; nf]);
                    let out = Out { grads: [Some(&mut gr[..]), Some(&mut gf[..]), None], ..Out::default() };
                    gan_discriminator_loss(Tensor::flat(&real), Tensor::flat(&fake), &o, out).unwrap();
                    let d = |a: &[Vec<f64>]| gan_discriminator_loss(Tensor::flat(&a[0]), Tensor::flat(&a[1]), &o, Out::value()).unwrap();
                    assert_finite_differences(&format!("D {what}"), &[real.clone(), fake.clone()], &[gr, gf], d);
                    let mut gg = vec![0.0; nf];
                    gan_generator_loss(Tensor::flat(&fake), &o, Out { grads: [Some(&mut gg[..]), None, None], ..Out::default() }).unwrap();
                    let g = |a: &[Vec<f64>]| gan_generator_loss(Tensor::flat(&a[0]), &o, Out::value()).unwrap();
                    assert_finite_differences(&format!("G {what}"), std::slice::from_ref(&fake), &[gg], g);
                }
            }
        }
    }
    force_scalar_kernels(false);
}
