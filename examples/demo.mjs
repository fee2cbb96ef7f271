// losskit demo: every loss on sample data, then tiny models trained in Node with losskit's
// gradients, printing the loss as it falls. Run with `npm run demo` (it sets up and builds
// what it needs first).
import * as L from "losskit";

const fmt = (v) => (typeof v === "number" ? v.toPrecision(6) : `tensor[${v.shape}]`);
const norm = (t) => Math.sqrt(t.data.reduce((s, v) => s + v * v, 0)).toPrecision(4);

// A small deterministic generator, so every run prints the same numbers.
let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

console.log(`losskit demo — wasm SIMD: ${L.simdEnabled()}\n`);

// ---------------------------------------------------------------- every loss, sample data
// Driven by the loss table (`L.losses`, one spec per loss), so a new loss shows up here by
// itself: float arguments get a 2×3 tensor of values in (0, 1) (valid probabilities,
// counts, variances and logits alike), ±1 labels a 2×3 tensor of signs (or one per row),
// class indices one label per row, multi-label targets each row's labels ended by −1, box
// arguments two xyxy boxes.
const unit = () => ({ data: Float32Array.from({ length: 6 }, () => 0.05 + 0.9 * rand()), shape: [2, 3] });
// Two xyxy boxes (x2 ≥ x1, y2 ≥ y1), overlapping their counterparts' in part.
const boxes = () => {
  const b = [];
  for (let i = 0; i < 2; i++) {
    const x = 2 * rand();
    const y = 2 * rand();
    b.push(x, y, x + 0.5 + 2 * rand(), y + 0.5 + 2 * rand());
  }
  return { data: Float32Array.from(b), shape: [2, 4] };
};
const signs = () => ({ data: Float32Array.from({ length: 6 }, () => (rand() < 0.5 ? -1 : 1)), shape: [2, 3] });
const sampleArg = (kind) =>
  kind === "index" || kind === "class"
    ? Int32Array.of(0, 2)
    : kind === "sign"
      ? signs()
      : kind === "rowSign"
        ? Float32Array.of(1, -1)
        : kind === "multilabel"
          ? { data: Int32Array.of(2, 0, -1, 1, -1, 0), shape: [2, 3] }
          : kind === "boxes"
            ? boxes()
          : kind === "lengths"
            ? 2 // sequence lengths (ctcLoss: the 2×3 sample is T = 2 steps of C = 3 classes, labels [0, 2])
            : unit();
// Segmentation (diceLoss): one image of 2 channels × 3 pixels, probabilities and one-hot labels.
const segmentationArgs = () => [
  { data: unit().data, shape: [1, 2, 3] },
  { data: Float32Array.of(1, 0, 1, 0, 1, 0), shape: [1, 2, 3] },
];
for (const f of [...new Set(L.losses.map((l) => l.family))]) {
  console.log(`${f}: ${L.losses.filter((l) => l.family === f).map((l) => l.name).join(", ")}`);
}
console.log();
console.log("loss on a 2×3 sample".padEnd(36), "value".padStart(12), "  |grad of the first argument|");
for (const { name, family, args, options, differentiable } of L.losses) {
  const opts = { ...("reduction" in options ? { reduction: "mean" } : {}), ...(name === "ctcLoss" ? { blank: 1, fromLogits: true } : {}) };
  const sample = family === "segmentation" ? segmentationArgs() : args.map((a) => sampleArg(a.kind));
  const { loss, grads } = L[name].withGrad(...sample, opts);
  console.log(name.padEnd(36), fmt(loss).padStart(12), " ", norm(grads[differentiable[0]]));
}
console.log();

// ---------------------------------------------------------------- training: linear regression
// y = 3x − 2 + noise, fitted with Huber loss; losskit gives ∂L/∂pred, the chain rule the rest.
console.log("\nTraining y = w·x + b on y = 3x − 2 + noise with huberLoss, plain gradient descent:");
const n = 256;
const x = Float32Array.from({ length: n }, () => rand() * 4 - 2);
const y = Float32Array.from(x, (v) => 3 * v - 2 + 0.3 * gauss());
let w = 0;
let b = 0;
const p = L.tensor([n], "f32"); // predictions live in wasm memory: no copies per step
const gradPred = L.tensor([n], "f32");
for (let step = 0; step <= 120; step++) {
  const pd = p.data;
  for (let i = 0; i < n; i++) pd[i] = w * x[i] + b;
  const { loss } = L.huberLoss.withGrad(p, y, { into: { input: gradPred }, wrt: ["input"] });
  let gw = 0;
  let gb = 0;
  const g = gradPred.data;
  for (let i = 0; i < n; i++) {
    gw += g[i] * x[i];
    gb += g[i];
  }
  w -= 0.05 * gw;
  b -= 0.05 * gb;
  if (step % 15 === 0) console.log(`  step ${String(step).padStart(3)}  loss ${loss.toFixed(6)}  w ${w.toFixed(4)}  b ${b.toFixed(4)}`);
}
p.dispose();
gradPred.dispose();

// ---------------------------------------------------------------- training: softmax classifier
if (L.crossEntropy) {
  console.log("\nTraining a softmax classifier on 3 Gaussian blobs with crossEntropy:");
  const m = 300;
  const C = 3;
  const centers = [[2, 0], [-1, 1.7], [-1, -1.7]];
  const feats = new Float32Array(m * 2);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const c = i % C;
    labels[i] = c;
    feats[2 * i] = centers[c][0] + 0.8 * gauss();
    feats[2 * i + 1] = centers[c][1] + 0.8 * gauss();
  }
  const W = new Float32Array(2 * C); // logits = feats · W + bias
  const bias = new Float32Array(C);
  const logits = new Float32Array(m * C);
  for (let step = 0; step <= 100; step++) {
    for (let i = 0; i < m; i++)
      for (let c = 0; c < C; c++) logits[i * C + c] = feats[2 * i] * W[c] + feats[2 * i + 1] * W[C + c] + bias[c];
    const { loss, grads } = L.crossEntropy.withGrad({ data: logits, shape: [m, C] }, labels, { wrt: ["input"] });
    const g = grads.input.data;
    const gW = new Float32Array(2 * C);
    const gB = new Float32Array(C);
    let correct = 0;
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let c = 0; c < C; c++) {
        gW[c] += feats[2 * i] * g[i * C + c];
        gW[C + c] += feats[2 * i + 1] * g[i * C + c];
        gB[c] += g[i * C + c];
        if (logits[i * C + c] > logits[i * C + best]) best = c;
      }
      if (best === labels[i]) correct++;
    }
    for (let k = 0; k < W.length; k++) W[k] -= 0.05 * gW[k];
    for (let c = 0; c < C; c++) bias[c] -= 0.05 * gB[c];
    if (step % 20 === 0) console.log(`  step ${String(step).padStart(3)}  loss ${loss.toFixed(6)}  accuracy ${(correct / m).toFixed(3)}`);
  }
}

// ---------------------------------------------------------------- training: CTC alignment
// Free logits (T = 12 steps × C = 5 classes, class 0 the blank) learn to emit the label
// sequence [1, 2, 2, 3] — the repeated 2 needs a blank between — by plain gradient descent on
// ctcLoss with fromLogits (losskit fuses the log_softmax; grads.logProbs is ∂loss/∂logits).
{
  console.log("\nTraining free logits (T = 12, C = 5) to emit [1, 2, 2, 3] with ctcLoss (fromLogits), plain gradient descent:");
  const T = 12;
  const C = 5;
  const target = Int32Array.of(1, 2, 2, 3);
  const logits = Float32Array.from({ length: T * C }, () => 0.1 * gauss());
  // Greedy decode: the best class per step, repeats merged, blanks dropped.
  const decode = () => {
    const out = [];
    let prev = -1;
    for (let t = 0; t < T; t++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (logits[t * C + c] > logits[t * C + best]) best = c;
      if (best !== prev && best !== 0) out.push(best);
      prev = best;
    }
    return out;
  };
  for (let step = 0; step <= 60; step++) {
    const { loss, grads } = L.ctcLoss.withGrad({ data: logits, shape: [T, C] }, target, T, target.length, { fromLogits: true, reduction: "sum" });
    // (The loss and the decode of the same logits, before this step's update.)
    if (step % 10 === 0) console.log(`  step ${String(step).padStart(3)}  loss ${loss.toFixed(6)}  greedy decode [${decode()}]`);
    const g = grads.logProbs.data;
    for (let i = 0; i < logits.length; i++) logits[i] -= 1.0 * g[i];
  }
  const decoded = decode();
  const ok = decoded.length === target.length && decoded.every((v, i) => v === target[i]);
  console.log(`  decoded [${decoded}] ${ok ? "matches" : "does NOT match"} the target [${Array.from(target)}]`);
  if (!ok) process.exitCode = 1;
}
