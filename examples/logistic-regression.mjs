// Logistic regression in plain Node: p(y = 1 | x) = σ(w·x + b), trained by full-batch gradient
// descent. losskit gives the loss and ∂loss/∂logit (binaryCrossEntropyWithLogits, stable for
// any logit); the chain rule through w·x + b is two sums. Run: node examples/logistic-regression.mjs
import { binaryCrossEntropyWithLogits } from "losskit";

// A seeded generator (so every run prints the same numbers) and two Gaussian blobs in 2-D.
let seed = 42;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const n = 200;
const x = new Float32Array(n * 2);
const y = new Float32Array(n);
for (let i = 0; i < n; i++) {
  y[i] = i % 2;
  x[2 * i] = (y[i] ? 1 : -1) + gauss();
  x[2 * i + 1] = (y[i] ? 0.5 : -0.5) + gauss();
}

const w = [0, 0];
let b = 0;
const lr = 0.5;
const logits = new Float32Array(n);
const accuracy = () => logits.reduce((hits, z, i) => hits + ((z > 0 ? 1 : 0) === y[i] ? 1 : 0), 0) / n;

for (let epoch = 0; epoch <= 200; epoch++) {
  for (let i = 0; i < n; i++) logits[i] = w[0] * x[2 * i] + w[1] * x[2 * i + 1] + b;
  const { loss, grads } = binaryCrossEntropyWithLogits.withGrad(logits, y); // 'mean' over the batch
  const g = grads.input.data; // (σ(z) − y)/n
  let gw0 = 0, gw1 = 0, gb = 0;
  for (let i = 0; i < n; i++) {
    gw0 += g[i] * x[2 * i];
    gw1 += g[i] * x[2 * i + 1];
    gb += g[i];
  }
  w[0] -= lr * gw0;
  w[1] -= lr * gw1;
  b -= lr * gb;
  if (epoch % 50 === 0) console.log(`epoch ${String(epoch).padStart(3)}  loss ${loss.toFixed(4)}  accuracy ${(100 * accuracy()).toFixed(1)}%`);
}
console.log(`w = [${w.map((v) => v.toFixed(3))}], b = ${b.toFixed(3)}`);
