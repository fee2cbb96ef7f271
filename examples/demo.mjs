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
const pred = Float32Array.of(0.5, -1.2, 3.3, 0.0, 2.1, -0.4, 1.7);
const target = Float32Array.of(0.0, -1.0, 2.0, 0.5, 2.0, 0.3, -0.2);
const counts = Float32Array.of(0, 1, 3, 0, 2, 1, 4);
const variance = Float32Array.of(0.5, 1, 2, 0.1, 1, 0.3, 4);
const samples = [
  ["l1Loss", () => L.l1Loss.withGrad(pred, target)],
  ["mseLoss", () => L.mseLoss.withGrad(pred, target)],
  ["smoothL1Loss (beta 0.5)", () => L.smoothL1Loss.withGrad(pred, target, { beta: 0.5 })],
  ["huberLoss (delta 1)", () => L.huberLoss.withGrad(pred, target, { delta: 1 })],
  ["rmseLoss", () => L.rmseLoss.withGrad(pred, target)],
  ["maeLoss", () => L.maeLoss.withGrad(pred, target)],
  ["poissonNllLoss", () => L.poissonNllLoss.withGrad(pred, counts, { full: true })],
  ["gaussianNllLoss", () => L.gaussianNllLoss.withGrad(pred, target, variance)],
];
if (L.crossEntropy) {
  const logits = { data: Float32Array.of(2, 0.5, -1, 0.1, 0.2, 3, -2, 4, 0.3), shape: [3, 3] };
  const labels = Int32Array.of(0, 2, 1);
  const probs = Float32Array.of(0.9, 0.2, 0.7, 0.4, 0.05, 0.6, 0.5);
  const bits = Float32Array.of(1, 0, 1, 0, 0, 1, 1);
  // log-softmax of each row of logits, for nllLoss (which takes log-probabilities)
  const logProbs = Float32Array.from(logits.data, (v, i) => {
    const row = logits.data.slice(i - (i % 3), i - (i % 3) + 3);
    return v - Math.log(row.reduce((s, r) => s + Math.exp(r), 0));
  });
  const q = Float32Array.of(0.1, 0.2, 0.3, 0.1, 0.1, 0.1, 0.1); // a distribution
  const r = Float32Array.of(0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1); // another one
  samples.push(
    ["crossEntropy", () => L.crossEntropy.withGrad(logits, labels)],
    ["crossEntropy (labelSmoothing 0.1)", () => L.crossEntropy.withGrad(logits, labels, { labelSmoothing: 0.1 })],
    ["nllLoss (log-softmax in)", () => L.nllLoss.withGrad({ data: logProbs, shape: [3, 3] }, labels)],
    ["focalLoss (gamma 2)", () => L.focalLoss.withGrad(logits, labels)],
    ["binaryCrossEntropy", () => L.binaryCrossEntropy.withGrad(probs, bits)],
    ["binaryCrossEntropyWithLogits", () => L.binaryCrossEntropyWithLogits.withGrad(pred, bits)],
    ["sigmoidFocalLoss (sum)", () => L.sigmoidFocalLoss.withGrad(pred, bits, { reduction: "sum" })],
    ["klDiv (sum: KL(q ‖ r))", () => L.klDiv.withGrad(Float32Array.from(r, Math.log), q, { reduction: "sum" })],
  );
}
console.log("loss".padEnd(36), "value".padStart(12), "  |grad input|");
for (const [name, run] of samples) {
  const { loss, grads } = run();
  console.log(name.padEnd(36), fmt(loss).padStart(12), " ", norm(grads.input));
}

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
