//! Kernel calls on fixed inputs, for `valgrind --tool=callgrind`, which counts instructions
//! repeatably whatever the machine is doing (wall-clock time on these machines is not):
//! `cargo build --release --example kernel_count -p losskit-core`, then
//! `valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/kernel_count ce 65536 10 5`.
//! Cases: `mse N`, `huber N`, `bce_logits N`, `ce N C`, `ce3 N C D` (input (N, C, D)), `ctc N` (T = 200, C = 32, S = 40;
//! forward + input gradient, f32, reduction 'mean'); the last argument repeats the call (default 1). The difference between
//! the totals of two repeat counts, divided by theirs, is the kernel's own count. With the
//! environment variable NOGRAD set, the forward pass alone.
use losskit_core::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map(String::as_str).unwrap_or("ce");
    let num = |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let n = num(2, 65536);
    let (c, reps) = match case {
        "ce" => (num(3, 10), num(4, 1)),
        "ce3" => (num(3, 10) * num(4, 1024), num(5, 1)), // n·d rows of C classes at stride d
        "ctc" => (200 * 32, num(3, 1)), // n sequences of T = 200 steps over C = 32 classes
        _ => (1, num(3, 1)),
    };
    // Deterministic values in (−4, 4) (a small LCG: no dependency for this).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((state >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
    };
    let x: Vec<f32> = (0..n * c).map(|_| next()).collect();
    let y: Vec<f32> = (0..n).map(|_| (next() + 4.0) / 8.0).collect();
    let (classes3, d3) = (num(3, 10), num(4, 1024));
    let t: Vec<i32> = match case {
        "ce3" => (0..n * d3).map(|i| (i % classes3) as i32).collect(),
        _ => (0..n).map(|i| (i % c) as i32).collect(),
    };
    let mut gx = vec![0f32; n * c];
    let (shape, rows) = ([n, c], [n]);
    let (shape3, rows3) = ([n, classes3, d3], [n, d3]);
    // ctc: (T, N, C) log-probabilities (log_softmax of the logits), labels in [1, C), full lengths.
    let (t_len, classes, s_len) = (200usize, 32usize, 40usize);
    let mut lp = x.clone();
    for row in lp.chunks_mut(classes) {
        let m = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let z: f32 = row.iter().map(|v| (v - m).exp()).sum::<f32>().ln() + m;
        row.iter_mut().for_each(|v| *v -= z);
    }
    let labels: Vec<i32> = (0..n * s_len).map(|i| 1 + (i * 7 % (classes - 1)) as i32).collect();
    let (in_lens, tg_lens) = (vec![t_len as i32; n], vec![s_len as i32; n]);
    let (lp_shape, tg_shape, len_shape) = ([t_len, n, classes], [n, s_len], [n]);
    let forward_only = std::env::var_os("NOGRAD").is_some();
    // Cross-entropy's options as runtime values, as the wasm build gets them from JS: the
    // compile-time defaults would let LLVM fold the smoothing and weight branches away (and
    // whether it does depends on how many call sites the kernel has).
    let ce_options = std::hint::black_box(CrossEntropyOptions::default());
    let mut loss = 0.0;
    for _ in 0..reps {
        let out = if forward_only { Out::default() } else { Out { grads: [Some(&mut gx), None, None], ..Out::default() } };
        let (input, target) = (Tensor::flat(&x), Tensor::flat(&y));
        loss = match case {
            "ce" => cross_entropy(Tensor::new(&x, &shape), Target::Index(Tensor::new(&t, &rows)), &ce_options, out),
            "ce3" => cross_entropy(Tensor::new(&x, &shape3), Target::Index(Tensor::new(&t, &rows3)), &ce_options, out),
            "mse" => mse_loss(input, target, &WeightedOptions::default(), out),
            "huber" => huber_loss(input, target, &HuberOptions::default(), out),
            "bce_logits" => binary_cross_entropy_with_logits(input, target, &BceWithLogitsOptions::default(), out),
            "ctc" => ctc_loss(
                Tensor::new(&lp, &lp_shape),
                Tensor::new(&labels, &tg_shape),
                Lengths::Each(Tensor::new(&in_lens, &len_shape)),
                Lengths::Each(Tensor::new(&tg_lens, &len_shape)),
                &CtcOptions::default(),
                out,
            ),
            other => panic!("unknown case {other}"),
        }
        .expect("valid inputs");
    }
    println!("{case}: {loss}");
}
