// A softmax classifier in plain Node: logits = X·W + b over 3 classes, trained with
// crossEntropy (class indices as an Int32Array, label smoothing 0.05) by minibatch gradient
// descent. losskit returns ∂loss/∂logits for the (batch, classes) tensor; ∂W = Xᵀ·G and
// ∂b = Σ rows of G. Run: node examples/softmax-classifier.mjs
import { crossEntropy } from "losskit";

let seed = 7;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

// Three blobs in 2-D.
const D = 2, C = 3, n = 300, batch = 50;
const centers = [[-2, -1], [2, -1], [0, 2]];
const X = new Float32Array(n * D);
const labels = new Int32Array(n);
for (let i = 0; i < n; i++) {
  const c = (labels[i] = i % C);
  X[i * D] = centers[c][0] + 0.9 * gauss();
  X[i * D + 1] = centers[c][1] + 0.9 * gauss();
}

const W = new Float32Array(D * C);
const b = new Float32Array(C);
const lr = 0.5;

/** logits = X[rows]·W + b, as a (rows, C) tensor. */
function forward(from, rows) {
  const z = new Float32Array(rows * C);
  for (let i = 0; i < rows; i++) for (let c = 0; c < C; c++) {
    let s = b[c];
    for (let d = 0; d < D; d++) s += X[(from + i) * D + d] * W[d * C + c];
    z[i * C + c] = s;
  }
  return { data: z, shape: [rows, C] };
}
function accuracy() {
  const z = forward(0, n).data;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (z[i * C + c] > z[i * C + best]) best = c;
    if (best === labels[i]) hits++;
  }
  return hits / n;
}

console.log(`before     loss ${crossEntropy(forward(0, n), labels, { labelSmoothing: 0.05 }).toFixed(4)}  accuracy ${(100 * accuracy()).toFixed(1)}%`);
for (let epoch = 1; epoch <= 30; epoch++) {
  let total = 0;
  for (let from = 0; from < n; from += batch) {
    const logits = forward(from, batch);
    const target = labels.subarray(from, from + batch);
    const { loss, grads } = crossEntropy.withGrad(logits, target, { labelSmoothing: 0.05 });
    const G = grads.input.data; // (softmax − smoothed one-hot)/batch
    for (let i = 0; i < batch; i++) for (let c = 0; c < C; c++) {
      const g = G[i * C + c];
      b[c] -= lr * g;
      for (let d = 0; d < D; d++) W[d * C + c] -= lr * g * X[(from + i) * D + d];
    }
    total += loss;
  }
  if (epoch === 1 || epoch % 10 === 0) console.log(`epoch ${String(epoch).padStart(2)}   loss ${(total / (n / batch)).toFixed(4)}  accuracy ${(100 * accuracy()).toFixed(1)}%`);
}
const full = crossEntropy(forward(0, n), labels);
console.log(`final cross-entropy (no smoothing) ${full.toFixed(4)}`);
