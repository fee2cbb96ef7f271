//! Kernel calls on fixed inputs, for `valgrind --tool=callgrind`, which counts instructions
//! repeatably whatever the machine is doing (wall-clock time on these machines is not):
//! `cargo build --release --example kernel_count -p losskit-core`, then
//! `valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/kernel_count ce 65536 10 5`.
//! Cases: `mse N`, `huber N`, `bce_logits N`, `ce N C` (forward + input gradient, f32,
//! reduction 'mean'); the last argument repeats the call (default 1). The difference between
//! the totals of two repeat counts, divided by theirs, is the kernel's own count. With the
//! environment variable NOGRAD set, the forward pass alone.
use losskit_core::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map(String::as_str).unwrap_or("ce");
    let num = |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let n = num(2, 65536);
    let (c, reps) = if case == "ce" { (num(3, 10), num(4, 1)) } else { (1, num(3, 1)) };
    // Deterministic values in (−4, 4) (a small LCG: no dependency for this).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
    };
    let x: Vec<f32> = (0..n * c).map(|_| next()).collect();
    let y: Vec<f32> = (0..n).map(|_| (next() + 4.0) / 8.0).collect();
    let t: Vec<i32> = (0..n).map(|i| (i % c) as i32).collect();
    let mut gx = vec![0f32; n * c];
    let (shape, rows) = ([n, c], [n]);
    let forward_only = std::env::var_os("NOGRAD").is_some();
    let mut loss = 0.0;
    for _ in 0..reps {
        let out = if forward_only { Out::default() } else { Out { grads: [Some(&mut gx), None, None], ..Out::default() } };
        let (input, target) = (Tensor::flat(&x), Tensor::flat(&y));
        loss = match case {
            "ce" => cross_entropy(Tensor::new(&x, &shape), Target::Index(Tensor::new(&t, &rows)), &CrossEntropyOptions::default(), out),
            "mse" => mse_loss(input, target, &WeightedOptions::default(), out),
            "huber" => huber_loss(input, target, &HuberOptions::default(), out),
            "bce_logits" => binary_cross_entropy_with_logits(input, target, &BceWithLogitsOptions::default(), out),
            other => panic!("unknown case {other}"),
        }
        .expect("valid inputs");
    }
    println!("{case}: {loss}");
}
