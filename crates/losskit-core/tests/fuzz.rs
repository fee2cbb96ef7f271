//! The stable-Rust fuzz driver: seeded random calls of every core entry point through the
//! shared harness (`fuzz_harness`), asserting that each returns `Ok` or a `LossError` and
//! writes nothing out of bounds. A short run is part of `cargo test`; `scripts/fuzz.sh` runs
//! the ignored long one for a fixed budget (LOSSKIT_FUZZ_SECONDS, LOSSKIT_FUZZ_SEED) and
//! prints its figures. A failure names the seed and case that reproduce it.

mod fuzz_harness;

use fuzz_harness::{run, Outcome, Rng};
use losskit_core::force_scalar_kernels;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Runs cases from `seed` until `budget` is spent or `max` cases ran; returns the outcomes' counts.
fn drive(seed: u64, budget: Duration, max: u64) -> (u64, BTreeMap<String, u64>) {
    let start = Instant::now();
    let mut counts = BTreeMap::new();
    let mut n = 0u64;
    while n < max && start.elapsed() < budget {
        // Each case has its own generator, so a failing case replays alone from (seed, n).
        let case_seed = seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        force_scalar_kernels(n % 7 == 3);
        let outcome = std::panic::catch_unwind(|| run(&mut Rng(case_seed)));
        force_scalar_kernels(false);
        match outcome {
            Ok(Outcome::Ok) => *counts.entry("ok".to_string()).or_insert(0) += 1,
            Ok(Outcome::Err(code)) => *counts.entry(code.as_str().to_string()).or_insert(0) += 1,
            Err(e) => {
                let msg =
                    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                let _ = std::panic::take_hook(); // the quiet hook of fuzz_budget, if any
                panic!("case {n} (seed {seed}, case seed {case_seed:#x}) panicked: {msg}");
            }
        }
        n += 1;
    }
    (n, counts)
}

#[test]
fn fuzz_smoke() {
    let (n, counts) = drive(0x5eed, Duration::from_secs(20), 3000);
    assert!(n >= 100, "only {n} cases ran");
    assert!(counts.get("ok").copied().unwrap_or(0) > 0, "no call succeeded: {counts:?}");
}

#[test]
#[ignore = "long: run by scripts/fuzz.sh"]
fn fuzz_budget() {
    let seconds: u64 = std::env::var("LOSSKIT_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = std::env::var("LOSSKIT_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x10ff_c0de);
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let (n, counts) = drive(seed, Duration::from_secs(seconds), u64::MAX);
    let _ = std::panic::take_hook();
    let secs = start.elapsed().as_secs_f64();
    println!("fuzz: {n} cases in {secs:.1} s ({:.0}/s), seed {seed}, no panic, no write out of bounds", n as f64 / secs);
    for (k, v) in &counts {
        println!("  {k:16} {v}");
    }
}

/// Replays one case: `LOSSKIT_FUZZ_REPLAY=0x… cargo test -p losskit-core --test fuzz fuzz_replay -- --ignored`.
#[test]
#[ignore = "replays the case named by LOSSKIT_FUZZ_REPLAY"]
fn fuzz_replay() {
    let seed = std::env::var("LOSSKIT_FUZZ_REPLAY").expect("LOSSKIT_FUZZ_REPLAY=<case seed>");
    let seed = u64::from_str_radix(seed.trim_start_matches("0x"), 16).expect("a hex case seed");
    println!("{:?}", run(&mut Rng(seed)));
}
