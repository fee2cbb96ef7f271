//! The fuzz harness: one input (a stream of numbers) becomes one call of one of the core's
//! entry points, with arbitrary shapes (ranks 0–4, zero and huge dims), data lengths that may
//! not fit them, class indices, options (NaN, negative, infinite, every reduction) and output
//! slots of any length. The call must return `Ok` or a `LossError`, never panic, and write
//! nothing outside its output slots (each lies between guard elements that are checked).
//!
//! Shared by the seeded stable driver (`tests/fuzz.rs`, run by `scripts/fuzz.sh`) and the
//! libFuzzer target (`fuzz/fuzz_targets/entry_points.rs`, `cargo fuzz`, nightly), which adds
//! AddressSanitizer for reads out of bounds.
#![allow(dead_code)]

use losskit_core::*;

/// Where the numbers come from.
pub trait Source {
    fn next_u32(&mut self) -> u32;
}

/// libFuzzer's bytes, four at a time (zeros once they run out).
pub struct Bytes<'a>(pub &'a [u8]);
impl Source for Bytes<'_> {
    fn next_u32(&mut self) -> u32 {
        let n = self.0.len().min(4);
        let mut b = [0u8; 4];
        b[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        u32::from_le_bytes(b)
    }
}

/// A seeded xorshift generator (the stable driver).
pub struct Rng(pub u64);
impl Source for Rng {
    fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
}

/// What a call gave, for the driver's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Err(ErrorCode),
}

const GUARD: usize = 8;
const SENTINEL: f64 = 1234.5;
/// Data is made only up to this many elements (a shape may describe more: a length mismatch).
const MAX_DATA: usize = 4096;

struct G<'s, S: Source>(&'s mut S);

impl<S: Source> G<'_, S> {
    fn pick(&mut self, n: u32) -> u32 {
        self.0.next_u32() % n.max(1)
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.pick(100) < percent
    }
    fn dim(&mut self) -> usize {
        match self.pick(20) {
            0 => 0,
            1 => 1 << 20,
            2 => usize::MAX / 3,
            3 => 33,
            _ => self.pick(7) as usize,
        }
    }
    fn shape(&mut self, min_rank: u32) -> Vec<usize> {
        let rank = min_rank + self.pick(5 - min_rank);
        (0..rank).map(|_| self.dim()).collect()
    }
    fn value(&mut self) -> f64 {
        match self.pick(24) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 0.0,
            4 => -0.0,
            5 => 1e300,
            6 => -3e38,
            7 => 5e-324,
            8 => 1e-45,
            9 => 17.0,
            10 => -40.0,
            11 => 1.0,
            _ => (self.0.next_u32() as f64 / u32::MAX as f64 - 0.5) * 20.0,
        }
    }
    /// A length: the shape's element count most of the time (when it is small), else any.
    fn length(&mut self, shape: &[usize]) -> usize {
        let numel = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        match numel {
            Some(n) if n <= MAX_DATA && self.chance(85) => n,
            _ => self.pick(9) as usize,
        }
    }
    fn data<T: Real>(&mut self, len: usize) -> Vec<T> {
        (0..len).map(|_| T::from_f64(self.value())).collect()
    }
    fn tensor<T: Real>(&mut self, like: Option<&[usize]>) -> (Vec<T>, Vec<usize>) {
        let shape = match like {
            Some(s) if self.chance(75) => s.to_vec(),
            _ => self.shape(0),
        };
        let len = self.length(&shape);
        (self.data(len), shape)
    }
    fn indices(&mut self, shape: &[usize], classes: usize) -> Vec<i32> {
        let len = self.length(shape);
        (0..len)
            .map(|_| match self.pick(12) {
                0 => -100,
                1 => -1,
                2 => i32::MAX,
                3 => i32::MIN,
                4 => classes as i32,
                _ => self.pick(classes.max(1) as u32) as i32,
            })
            .collect()
    }
    /// Mostly 'none', 'mean' and 'sum'; 'batchmean' (only klDiv has it) a tenth of the time.
    fn reduction(&mut self) -> Reduction {
        if self.chance(10) {
            Reduction::BatchMean
        } else {
            Reduction::from_code(self.pick(3)).unwrap_or(Reduction::Mean)
        }
    }
    fn option(&mut self) -> f64 {
        if self.chance(70) {
            [0.0, 0.5, 1.0, 2.0, 1e-8][self.pick(5) as usize]
        } else {
            self.value()
        }
    }
}

/// An output slot of `len` elements between guard elements.
struct Slot<T> {
    buf: Vec<T>,
}
impl<T: Real> Slot<T> {
    fn new(len: usize) -> Self {
        Slot { buf: vec![T::from_f64(SENTINEL); len + 2 * GUARD] }
    }
    fn inner(&mut self) -> &mut [T] {
        let n = self.buf.len();
        &mut self.buf[GUARD..n - GUARD]
    }
    fn guards_intact(&self) -> bool {
        let n = self.buf.len();
        self.buf[..GUARD].iter().chain(&self.buf[n - GUARD..]).all(|v| v.to_f64() == SENTINEL)
    }
}

/// Makes one call from `src` and checks it; panics (the fuzz finding) if a guard was overwritten.
pub fn run(src: &mut impl Source) -> Outcome {
    let mut g = G(src);
    if g.chance(50) {
        call::<f32>(&mut g)
    } else {
        call::<f64>(&mut g)
    }
}

fn call<T: Real>(g: &mut G<'_, impl Source>) -> Outcome {
    let loss_kind = g.pick(23);
    let class_loss = matches!(loss_kind, 8..=11);
    // The box losses (16..=19) take (N, 4) boxes: mostly that shape, so their kernels run.
    let box_loss = matches!(loss_kind, 16..=19);
    let (mut x, xs) = if box_loss && g.chance(70) {
        let s = vec![g.dim(), 4];
        g.tensor::<T>(Some(&s))
    } else {
        g.tensor::<T>(None)
    };
    if box_loss && g.chance(60) {
        valid_boxes(&mut x);
    }
    let input = Tensor::new(&x, &xs);
    // The shape the unreduced output has when the input is valid.
    let rows_shape: Vec<usize> = if xs.len() <= 1 { vec![] } else { std::iter::once(xs[0]).chain(xs[2..].iter().copied()).collect() };
    let classes = if xs.len() == 1 { xs[0] } else { xs.get(1).copied().unwrap_or(0) };
    let out_shape = if class_loss { rows_shape.clone() } else { xs.clone() };
    let rows_like = g.chance(50) && class_loss;
    let (mut y, ys) = g.tensor::<T>(Some(if rows_like { &rows_shape } else { &xs }));
    if box_loss && g.chance(60) {
        valid_boxes(&mut y);
    }
    let target = Tensor::new(&y, &ys);
    let idx_shape = if g.chance(80) { rows_shape.clone() } else { g.shape(0) };
    let idx = g.indices(&idx_shape, classes);
    let index_target = Tensor::new(&idx, &idx_shape);
    let per_class: Vec<usize> = vec![classes];
    let (w, ws) = g.tensor::<T>(Some(if class_loss { &per_class } else { &xs }));
    let weight = if g.chance(30) { Some(Tensor::new(&w, &ws)) } else { None };
    let (p, ps) = g.tensor::<T>(Some(&xs));
    let param = if g.chance(30) { Some(Tensor::new(&p, &ps)) } else { None };
    let reduction = g.reduction();
    let (go, gos) = g.tensor::<T>(Some(&out_shape));
    let grad_output = if g.chance(40) { Some(Tensor::new(&go, &gos)) } else { None };
    let out_len = |g: &mut G<'_, _>, want: Option<usize>| match want {
        Some(n) if n <= MAX_DATA && g.chance(85) => n,
        _ => g.pick(9) as usize,
    };
    let numel = |s: &[usize]| s.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    let want_out = out_len(g, numel(&out_shape));
    let mut loss_slot = Slot::<T>::new(want_out);
    let lens = [x.len(), y.len(), p.len()];
    let mut grad_slots: Vec<Slot<T>> = lens.iter().map(|&n| Slot::new(out_len(g, Some(n)))).collect();
    let use_loss = g.chance(90);
    let use_grads: Vec<bool> = (0..3).map(|_| g.chance(50)).collect();
    let opts = [g.option(), g.option(), g.option()];
    let flags = [g.chance(50), g.chance(50)];

    let result = {
        let [s0, s1, s2] = &mut grad_slots[..] else { unreachable!() };
        let grads = [use_grads[0].then(|| s0.inner()), use_grads[1].then(|| s1.inner()), use_grads[2].then(|| s2.inner())];
        let out = Out { loss: use_loss.then(|| loss_slot.inner()), grad_output, grads };
        match loss_kind {
            0 => l1_loss(input, target, &WeightedOptions { weight, reduction }, out),
            1 => mse_loss(input, target, &WeightedOptions { weight, reduction }, out),
            2 => smooth_l1_loss(input, target, &SmoothL1Options { beta: opts[0], reduction }, out),
            3 => huber_loss(input, target, &HuberOptions { delta: opts[0], weight, reduction }, out),
            4 => rmse_loss(input, target, &MeanOptions { weight }, out),
            5 => mae_loss(input, target, &MeanOptions { weight }, out),
            6 => poisson_nll_loss(input, target, &PoissonNllOptions { log_input: flags[0], full: flags[1], eps: opts[0], reduction }, out),
            7 => {
                let var = match param {
                    Some(t) => Var::Tensor(t),
                    None => Var::Scalar(opts[1]),
                };
                gaussian_nll_loss(input, target, var, &GaussianNllOptions { full: flags[0], eps: opts[0], reduction }, out)
            }
            8 => {
                let t = if flags[0] { Target::Index(index_target) } else { Target::Prob(target) };
                let ignore_index = if g.chance(50) { -100 } else { g.pick(8) as i64 - 2 };
                cross_entropy(input, t, &CrossEntropyOptions { weight, ignore_index, label_smoothing: opts[0], reduction }, out)
            }
            9 => nll_loss(input, index_target, &NllOptions { weight, ignore_index: -100, reduction }, out),
            10 => {
                let t = if flags[0] { Target::Index(index_target) } else { Target::Prob(target) };
                categorical_cross_entropy(input, t, &CategoricalOptions { reduction }, out)
            }
            11 => focal_loss(input, index_target, &FocalOptions { gamma: opts[0], alpha: weight, reduction }, out),
            12 => binary_cross_entropy(input, target, &BceOptions { weight, reduction }, out),
            13 => binary_cross_entropy_with_logits(input, target, &BceWithLogitsOptions { weight, pos_weight: param, reduction }, out),
            14 => kl_div(input, target, &KlDivOptions { log_target: flags[0], reduction }, out),
            15 => sigmoid_focal_loss(input, target, &SigmoidFocalOptions { alpha: opts[0], gamma: opts[1], reduction }, out),
            16 => box_iou_loss(input, target, &BoxIouOptions { eps: opts[0], reduction }, out),
            17 => generalized_box_iou_loss(input, target, &BoxIouOptions { eps: opts[0], reduction }, out),
            18 => distance_box_iou_loss(input, target, &BoxIouOptions { eps: opts[0], reduction }, out),
            19 => complete_box_iou_loss(input, target, &BoxIouOptions { eps: opts[0], reduction }, out),
            20 => {
                let mode = GanMode::ALL[g.pick(5) as usize];
                gan_discriminator_loss(input, target, &GanOptions { mode, reduction }, out)
            }
            21 => gan_generator_loss(input, &GanOptions { mode: GanMode::ALL[g.pick(5) as usize], reduction }, out),
            _ => {
                // Dice: class indices mostly of the shape (N, 1, d1, …) they need.
                let mut lshape = xs.clone();
                if let Some(c) = lshape.get_mut(1) {
                    *c = 1;
                }
                let lshape = if g.chance(80) { lshape } else { g.shape(0) };
                let labels = g.indices(&lshape, classes);
                let t = if flags[0] { Target::Index(Tensor::new(&labels, &lshape)) } else { Target::Prob(target) };
                let opts = DiceOptions {
                    sigmoid: g.chance(30),
                    softmax: g.chance(40),
                    squared_pred: g.chance(50),
                    jaccard: g.chance(50),
                    smooth_nr: opts[0],
                    smooth_dr: opts[1],
                    include_background: g.chance(50),
                    batch: g.chance(50),
                    to_onehot_y: if g.chance(90) { flags[0] } else { !flags[0] },
                    reduction,
                };
                dice_loss(input, t, &opts, out)
            }
        }
    };
    assert!(loss_slot.guards_intact(), "loss {loss_kind}: the unreduced output was written out of bounds");
    for (k, s) in grad_slots.iter().enumerate() {
        assert!(s.guards_intact(), "loss {loss_kind}: gradient slot {k} was written out of bounds");
    }
    match result {
        Ok(_) => Outcome::Ok,
        Err(e) => Outcome::Err(e.code()),
    }
}

/// Orders each (x1, y1, x2, y2) so that x2 ≥ x1 and y2 ≥ y1 (the box losses' domain; NaN stays).
fn valid_boxes<T: Real>(b: &mut [T]) {
    for c in b.chunks_exact_mut(4) {
        for k in 0..2 {
            if c[k + 2] < c[k] {
                c.swap(k, k + 2);
            }
        }
    }
}
