//! f32 reductions over 10⁷ elements stay within the 1e-5 relative accuracy of docs/API.md. The
//! expected values are exact closed forms, not our own output: with xᵢ = (i mod 1000)/1024
//! and yᵢ = 0, every (xᵢ − yᵢ)² = k²/2²⁰ is exact in f32, so
//! mean = Σ_{k<1000} k² / (1000·2²⁰) = 332 833 500 / (1000·2²⁰), and
//! L1 mean = Σ_{k<1000} k / (1000·1024) = 499 500 / (1000·1024).
//! A naive f32 running sum misses these by far more than 1e-5 (it stalls near 2²⁴·ulp).

use losskit_core::*;

const N: usize = 10_000_000;

fn data() -> (Vec<f32>, Vec<f32>) {
    ((0..N).map(|i| (i % 1000) as f32 / 1024.0).collect(), vec![0.0; N])
}

#[test]
fn f32_mean_over_ten_million_elements_is_accurate() {
    let (x, y) = data();
    let mse_expected = 332_833_500.0 / (1000.0 * 1048576.0);
    let l1_expected = 499_500.0 / (1000.0 * 1024.0);
    for scalar in [false, true] {
        force_scalar_kernels(scalar);
        let (xt, yt) = (Tensor::flat(&x), Tensor::flat(&y));
        let opts = |reduction| WeightedOptions { weight: None, reduction };
        let mse = mse_loss(xt, yt, &opts(Reduction::Mean), Out::value()).unwrap() as f64;
        let l1 = l1_loss(xt, yt, &opts(Reduction::Mean), Out::value()).unwrap() as f64;
        let sum = mse_loss(xt, yt, &opts(Reduction::Sum), Out::value()).unwrap() as f64;
        assert!((mse - mse_expected).abs() <= 1e-6 * mse_expected, "mse {mse} vs {mse_expected}");
        assert!((l1 - l1_expected).abs() <= 1e-6 * l1_expected, "l1 {l1} vs {l1_expected}");
        assert!((sum - mse_expected * N as f64).abs() <= 1e-6 * mse_expected * N as f64, "sum {sum}");
    }
    force_scalar_kernels(false);
    // The naive f32 sum this guards against really is wrong here.
    let naive: f32 = x.iter().map(|v| v * v).sum::<f32>() / N as f32;
    assert!(((naive as f64) - mse_expected).abs() > 1e-5 * mse_expected);
}
