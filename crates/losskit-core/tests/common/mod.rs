//! Shared by the integration tests: reading the PyTorch fixtures in `test/fixtures/` (the
//! same files vitest reads) and comparing with tolerances.
#![allow(dead_code)]

use losskit_core::{Real, Reduction};
use serde_json::Value;
use std::path::PathBuf;

/// A tensor from a fixture: flat data (f64, exact for f32 values) and shape.
#[derive(Debug, Clone)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

impl Tensor {
    pub fn from_json(v: &Value) -> Tensor {
        let shape = v["shape"].as_array().expect("shape").iter().map(|d| d.as_u64().unwrap() as usize).collect();
        let data = v["data"].as_array().expect("data").iter().map(number).collect();
        Tensor { shape, data }
    }
    pub fn cast<T: Real>(&self) -> Vec<T> {
        self.data.iter().map(|&x| T::from_f64(x)).collect()
    }
}

/// A fixture's reduction (PyTorch's name).
pub fn reduction(name: &str) -> Reduction {
    match name {
        "none" => Reduction::None,
        "mean" => Reduction::Mean,
        "sum" => Reduction::Sum,
        "batchmean" => Reduction::BatchMean,
        other => panic!("unknown reduction {other}"),
    }
}

/// A JSON number, or "nan" / "inf" / "-inf".
pub fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            other => panic!("bad number {other}"),
        },
        other => panic!("bad number {other}"),
    }
}

/// The cases of `test/fixtures/<family>.json`.
pub fn fixture_cases(family: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../test/fixtures/{family}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).expect("fixture JSON");
    json["cases"].as_array().expect("cases").clone()
}

/// The cases of `test/fixtures/<family>.json` and of `test/fixtures/extremes.json` (the
/// ends of the float range, every family in one file) whose loss is one of `losses`.
pub fn family_cases(family: &str, losses: &[&str]) -> Vec<Value> {
    let mut cases = fixture_cases(family);
    cases.extend(fixture_cases("extremes").into_iter().filter(|c| losses.contains(&c["loss"].as_str().unwrap_or(""))));
    cases
}

/// Relative tolerance per dtype: the accuracy promise of docs/API.md.
pub fn rtol(dtype: &str) -> f64 {
    if dtype == "float32" {
        1e-5
    } else {
        1e-10
    }
}

/// Asserts `got` ≈ `expected` element-wise: |g − e| ≤ rtol·(|e| + 0.1·max|expected|).
/// The second term is a floor for entries far smaller than their tensor: such entries come
/// from cancellation (a gradient p·a − b with p·a ≈ b), whose rounding error scales with the
/// magnitudes that cancel, not with the result; PyTorch's own f32 result can be 4e-5
/// relative off the exact value there. NaN must meet NaN and infinities must match exactly.
pub fn assert_close(what: &str, got: &[f64], expected: &[f64], rtol: f64) {
    assert_eq!(got.len(), expected.len(), "{what}: length");
    let scale = expected.iter().filter(|x| x.is_finite()).fold(0.0f64, |m, x| m.max(x.abs()));
    for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
        let ok = if e.is_nan() {
            g.is_nan()
        } else if e.is_infinite() {
            g == e
        } else {
            (g - e).abs() <= rtol * (e.abs() + scale * 0.1) || (g - e).abs() <= f64::MIN_POSITIVE
        };
        assert!(ok, "{what}[{i}]: got {g:e}, expected {e:e} (rtol {rtol:e})");
    }
}

/// What a loss call produced for a fixture case: the output (one value when reduced) and
/// the gradients by argument name.
pub struct Outcome {
    pub output: Vec<f64>,
    pub grads: Vec<(String, Vec<f64>)>,
}

/// Asserts an outcome against the case's PyTorch output and gradients; `path` names the
/// kernel path (SIMD or scalar twin) in failure messages.
pub fn check(case: &Value, o: Outcome, path: &str) {
    let name = format!("{} [{path}]", case["name"].as_str().unwrap());
    let tol = rtol(case["dtype"].as_str().unwrap());
    assert_close(&format!("{name} output"), &o.output, &Tensor::from_json(&case["output"]).data, tol);
    for (n, g) in o.grads {
        assert_close(&format!("{name} grad {n}"), &g, &Tensor::from_json(&case["grads"][&n]).data, tol);
    }
}

/// A small deterministic generator for test data (no dependency needed for a few hundred numbers).
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn vec(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| lo + (hi - lo) * self.next()).collect()
    }
    pub fn ints(&mut self, n: usize, hi: usize) -> Vec<i32> {
        (0..n).map(|_| ((self.next() * hi as f64) as i32).min(hi as i32 - 1)).collect()
    }
}

/// A loss call over its differentiable arguments (gradient slots in order) with a reduction.
pub type Run<'a> = dyn Fn(&[Vec<f64>], Reduction, losskit_core::Out<'_, f64>) -> losskit_core::Result<f64> + 'a;

/// The objective of a gradient check and its analytic gradients: the reduced loss, or
/// Σ gᵢℓᵢ for 'none' (`g`, an upstream gradient of the unreduced loss's shape `out_shape`).
pub fn evaluate(f: &Run, args: &[Vec<f64>], out_shape: &[usize], reduction: Reduction, g: &[f64]) -> (f64, Vec<Vec<f64>>) {
    let mut grads: Vec<Vec<f64>> = args.iter().map(|a| vec![0.0; a.len()]).collect();
    let mut unreduced = vec![0.0; out_shape.iter().product()];
    let none = reduction == Reduction::None;
    let mut slots = grads.iter_mut();
    let out = losskit_core::Out {
        loss: none.then_some(&mut unreduced[..]),
        grad_output: none.then_some(losskit_core::Tensor::new(g, out_shape)),
        grads: [slots.next().map(|v| &mut v[..]), slots.next().map(|v| &mut v[..]), slots.next().map(|v| &mut v[..])],
    };
    let value = f(args, reduction, out).unwrap();
    let objective = if none { unreduced.iter().zip(g).map(|(l, g)| l * g).sum() } else { value };
    (objective, grads)
}

/// Asserts analytic gradients `grads` (one per argument in `args`) against central finite
/// differences of `objective`: |fd − g| ≤ 1e-6·(1 + |fd|), with step 1e-6·max(|x|, 1).
pub fn assert_finite_differences(what: &str, args: &[Vec<f64>], grads: &[Vec<f64>], objective: impl Fn(&[Vec<f64>]) -> f64) {
    assert_finite_differences_at(what, args, grads, |_| true, objective);
}

/// [`assert_finite_differences`] at the elements `probe(i)` selects (each difference costs
/// two evaluations: long inputs check a sample).
pub fn assert_finite_differences_at(
    what: &str,
    args: &[Vec<f64>],
    grads: &[Vec<f64>],
    probe: impl Fn(usize) -> bool,
    objective: impl Fn(&[Vec<f64>]) -> f64,
) {
    for (a, grad) in grads.iter().enumerate() {
        for i in (0..args[a].len()).filter(|&i| probe(i)) {
            let h = 1e-6 * args[a][i].abs().max(1.0);
            let (mut plus, mut minus) = (args.to_vec(), args.to_vec());
            plus[a][i] += h;
            minus[a][i] -= h;
            let fd = (objective(&plus) - objective(&minus)) / (2.0 * h);
            assert!(
                (fd - grad[i]).abs() <= 1e-6 * (1.0 + fd.abs()),
                "{what} arg {a} [{i}]: analytic {} vs finite difference {fd}",
                grad[i]
            );
        }
    }
}

/// Runs every case through the SIMD kernels and through their scalar twins (`run32` for
/// float32 cases, `run64` for float64) and checks each outcome against PyTorch's; every
/// failing run is collected (quietly) and reported together.
pub fn check_cases_simd_and_scalar(cases: &[Value], run32: fn(&Value) -> Outcome, run64: fn(&Value) -> Outcome) {
    assert!(cases.len() > 100, "expected a full fixture set, got {}", cases.len());
    let mut failures = Vec::new();
    std::panic::set_hook(Box::new(|_| {}));
    for case in cases {
        for scalar in [false, true] {
            losskit_core::force_scalar_kernels(scalar);
            let path = if scalar { "scalar twin" } else { "simd" };
            let r = std::panic::catch_unwind(|| {
                let o = if case["dtype"] == "float32" { run32(case) } else { run64(case) };
                check(case, o, path);
            });
            if let Err(e) = r {
                failures.push(e.downcast_ref::<String>().cloned().unwrap_or_else(|| format!("{e:?}")));
            }
        }
    }
    losskit_core::force_scalar_kernels(false);
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "{} of {} runs failed:\n{}", failures.len(), cases.len() * 2, failures.join("\n"));
}
