// A TensorFlow.js model trained with a losskit loss through losskit/tfjs: a small dense
// network on two interleaved half-moons, compiled with losskit's sigmoid focal loss
// (torchvision's, which tfjs does not have) and fitted by tfjs-layers. Needs
// @tensorflow/tfjs-core, @tensorflow/tfjs-backend-cpu and @tensorflow/tfjs-layers.
// Run: node examples/tfjs-model.mjs
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { tfjsLosses } from "losskit/tfjs";

await tf.setBackend("cpu");
let seed = 3;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

// Two half-moons with noise: labels 0/1 as floats of the output's shape (n, 1).
const n = 256;
const xs = [];
const ys = [];
for (let i = 0; i < n; i++) {
  const label = i % 2;
  const t = Math.PI * rand();
  xs.push(label ? 1 - Math.cos(t) : Math.cos(t), label ? 0.5 - Math.sin(t) : Math.sin(t));
  xs[xs.length - 2] += 0.1 * (rand() - 0.5);
  xs[xs.length - 1] += 0.1 * (rand() - 0.5);
  ys.push(label);
}
const x = tf.tensor2d(xs, [n, 2]);
const y = tf.tensor2d(ys, [n, 1]);

const init = (s) => tfl.initializers.glorotUniform({ seed: s });
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [2], units: 16, activation: "tanh", kernelInitializer: init(1) }),
    tfl.layers.dense({ units: 16, activation: "tanh", kernelInitializer: init(2) }),
    tfl.layers.dense({ units: 1, kernelInitializer: init(3) }), // a logit
  ],
});
// sigmoidFocalLoss reduces with 'none' by default (as torchvision): ask for the mean.
const focal = tfjsLosses.sigmoidFocalLoss({ gamma: 2, alpha: 0.25, reduction: "mean" });
model.compile({ optimizer: tf.train.adam(0.01), loss: focal.layers });

const evaluate = () => (model.evaluate(x, y, { batchSize: n })).dataSync()[0];
const accuracy = () => {
  const p = model.predict(x).dataSync();
  return p.reduce((hits, z, i) => hits + ((z > 0 ? 1 : 0) === ys[i] ? 1 : 0), 0) / n;
};
console.log(`before  focal loss ${evaluate().toExponential(2)}  accuracy ${(100 * accuracy()).toFixed(1)}%`);
for (let round = 1; round <= 4; round++) {
  await model.fit(x, y, { epochs: 10, batchSize: 32, shuffle: false, verbose: 0 });
  console.log(`epoch ${String(10 * round).padStart(3)}  focal loss ${evaluate().toExponential(2)}  accuracy ${(100 * accuracy()).toFixed(1)}%`);
}
