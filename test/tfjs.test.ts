// losskit/tfjs with the real TensorFlow.js (tfjs-core + the CPU backend, tfjs-layers for
// model.compile): gradients against tfjs's own losses where tfjs has them, and real models
// trained with losskit losses to a measured loss and accuracy.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { tfjsLoss, tfjsLosses } from "../dist/tfjs.mjs";
import { losskit } from "./helpers";

/** A seeded generator (mulberry32), so every run trains on the same data. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(7);
const uniform = (shape: number[], lo = -2, hi = 2) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * rand()), shape);

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 2e-5) {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(y[i])));
}

/** Loss value and gradient wrt the prediction of f(pred). */
function valueAndGrad(f: (p: tf.Tensor) => tf.Tensor, pred: tf.Tensor) {
  const { value, grad } = tf.valueAndGrad(f as (p: tf.Tensor) => tf.Scalar)(pred);
  return { value: value.dataSync()[0], grad };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("losskit/tfjs against tfjs's own losses", () => {
  const pred = uniform([7, 5]);
  const target = uniform([7, 5]);
  const cases: [string, (p: tf.Tensor) => tf.Tensor, (p: tf.Tensor) => tf.Tensor][] = [
    ["mseLoss / meanSquaredError", (p) => tfjsLoss("mseLoss")(p, target), (p) => tf.losses.meanSquaredError(target, p)],
    ["l1Loss / absoluteDifference", (p) => tfjsLoss("l1Loss")(p, target), (p) => tf.losses.absoluteDifference(target, p)],
    ["huberLoss δ=0.7 / huberLoss", (p) => tfjsLoss("huberLoss", { delta: 0.7 })(p, target), (p) => tf.losses.huberLoss(target, p, undefined, 0.7)],
  ];
  const labels01 = tf.tensor(Array.from({ length: 35 }, () => (rand() < 0.5 ? 0 : 1)), [7, 5]);
  cases.push(
    ["binaryCrossEntropyWithLogits / sigmoidCrossEntropy", (p) => tfjsLoss("binaryCrossEntropyWithLogits")(p, labels01), (p) => tf.losses.sigmoidCrossEntropy(labels01, p)],
    // tfjs's hinge loss maps {0, 1} labels to ±1 itself.
    ["hingeLoss / hingeLoss", (p) => tfjsLoss("hingeLoss")(p, tf.sub(tf.mul(labels01, 2), 1)), (p) => tf.losses.hingeLoss(labels01, p)],
  );
  const classes = tf.tensor1d([0, 4, 2, 2, 1, 3, 0], "int32");
  const onehot = tf.oneHot(classes, 5);
  cases.push(
    ["crossEntropy (int32 indices, labelSmoothing 0.1) / softmaxCrossEntropy", (p) => tfjsLoss("crossEntropy", { labelSmoothing: 0.1 })(p, classes), (p) => tf.losses.softmaxCrossEntropy(onehot, p, undefined, 0.1)],
    ["crossEntropy (one-hot probabilities) / softmaxCrossEntropy", (p) => tfjsLosses.crossEntropy()(p, onehot), (p) => tf.losses.softmaxCrossEntropy(onehot, p)],
  );
  for (const [name, ours, theirs] of cases) {
    it(name, () => {
      const a = valueAndGrad(ours, pred);
      const b = valueAndGrad(theirs, pred);
      expect(a.value).toBeGreaterThan(0);
      expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(2e-5 * Math.abs(b.value));
      expectClose(a.grad, b.grad);
    });
  }

  it("reduction 'none' returns the per-element loss and takes tfjs's upstream gradient", () => {
    const w = uniform([7, 5]);
    const f = (p: tf.Tensor) => tf.sum(tf.mul(tfjsLoss("mseLoss", { reduction: "none" })(p, target), w));
    const g = (p: tf.Tensor) => tf.sum(tf.mul(tf.square(tf.sub(p, target)), w));
    const a = valueAndGrad(f, pred);
    const b = valueAndGrad(g, pred);
    expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(1e-4 * Math.abs(b.value));
    expectClose(a.grad, b.grad);
    expect(tfjsLoss("mseLoss", { reduction: "none" })(pred, target).shape).toEqual([7, 5]);
  });

  it("differentiates every float argument losskit does (target, anchor/positive/negative, …)", () => {
    const [ga, gb] = tf.grads((p: tf.Tensor, t: tf.Tensor) => tfjsLoss("mseLoss")(p, t) as tf.Scalar)([pred, target]);
    expectClose(ga, tf.neg(gb)); // ∂/∂target = −∂/∂input
    const [a, p, n] = [uniform([4, 3]), uniform([4, 3]), uniform([4, 3])];
    const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tfjsLosses.tripletMarginLoss({ margin: 2 })(x, y, z) as tf.Scalar)([a, p, n]);
    const direct = losskit.tripletMarginLoss.withGrad(
      { data: a.dataSync() as Float32Array, shape: [4, 3] },
      { data: p.dataSync() as Float32Array, shape: [4, 3] },
      { data: n.dataSync() as Float32Array, shape: [4, 3] },
      { margin: 2 },
    );
    expectClose(grads[0], tf.tensor(direct.grads.anchor.data, [4, 3]), 1e-6);
    expectClose(grads[2], tf.tensor(direct.grads.negative.data, [4, 3]), 1e-6);
  });

  it("every loss of the table has a tfjs factory, and errors stay LossErrors", () => {
    expect(Object.keys(tfjsLosses).sort()).toEqual(losskit.losses.map((l) => l.name).sort());
    expect(() => tfjsLoss("noSuchLoss")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => tfjsLoss("mseLoss")(tf.zeros([3]), tf.zeros([4]))).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => tfjsLoss("crossEntropy")(tf.zeros([2, 3]), tf.tensor1d([0, 1.5]))).toThrow(expect.objectContaining({ code: "INVALID_TARGET" }));
    // Keras-style sparse labels (N, 1) are squeezed to (N).
    const logits = uniform([4, 3]);
    const idx = tf.tensor2d([[0], [2], [1], [1]], [4, 1], "int32");
    expect(tfjsLoss("crossEntropy")(logits, idx).dataSync()[0]).toBeCloseTo(losskit.crossEntropy({ data: logits.dataSync() as Float32Array, shape: [4, 3] }, Int32Array.of(0, 2, 1, 1)), 6);
    expect(() => tfjsLoss("tripletMarginLoss").layers(tf.zeros([2]), tf.zeros([2]))).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("the core package never imports tfjs; tfjs-core is an optional peer dependency", () => {
    const root = join(__dirname, "..");
    for (const f of ["dist/node.mjs", "dist/node.cjs", "dist/browser.mjs"]) expect(readFileSync(join(root, f), "utf8")).not.toContain("@tensorflow");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.peerDependenciesMeta["@tensorflow/tfjs-core"].optional).toBe(true);
    expect(pkg.dependencies?.["@tensorflow/tfjs-core"]).toBeUndefined();
    expect(pkg.exports["./tfjs"].import.default).toBe("./dist/tfjs.mjs");
    expect(pkg.exports["./tfjs"].require.types).toBe("./dist/tfjs.d.cts");
  });
});

/** Three Gaussian blobs in 2-D, with int32 labels. */
function blobs(n: number) {
  const r = rng(11);
  const centers = [[-2, 0], [2, 0], [0, 2.5]];
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    xs.push(centers[c][0] + 0.6 * g(), centers[c][1] + 0.6 * g());
    ys.push(c);
  }
  return { x: tf.tensor2d(xs, [n, 2]), y: tf.tensor1d(ys, "int32") };
}

function accuracy(logits: tf.Tensor, y: tf.Tensor) {
  const hit = tf.equal(tf.argMax(logits, 1), tf.cast(tf.reshape(y, [-1]), "int32"));
  return tf.mean(tf.cast(hit, "float32")).dataSync()[0];
}

describe("training real tfjs models with losskit losses", () => {
  // tfjs-layers checks that targets have the output's shape (it relaxes that only for its own
  // sparse loss), so fit gets one-hot labels (int32, read as probabilities).
  it("model.compile({ loss }) + fit: crossEntropy with one-hot int32 labels", async () => {
    const { x, y } = blobs(240);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [2], units: 8, activation: "tanh", kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: tfjsLoss("crossEntropy").layers });
    const before = (model.evaluate(x, tf.oneHot(y, 3), { batchSize: 240 }) as tf.Scalar).dataSync()[0];
    const h = await model.fit(x, tf.oneHot(y, 3), { epochs: 40, batchSize: 32, shuffle: false, verbose: 0 });
    const history = h.history.loss as number[];
    expect(before).toBeGreaterThan(0.7); // near ln 3 before training
    expect(history.at(-1)!).toBeLessThan(0.15);
    expect(history.at(-1)!).toBeLessThan(before / 5);
    expect(accuracy(model.predict(x) as tf.Tensor, y)).toBeGreaterThan(0.95);
    // The loss fit reports is losskit's crossEntropy of the model's output.
    const direct = losskit.crossEntropy({ data: (model.predict(x) as tf.Tensor).dataSync() as Float32Array, shape: [240, 3] }, y.dataSync() as Int32Array);
    const evaluated = (model.evaluate(x, tf.oneHot(y, 3), { batchSize: 240 }) as tf.Scalar).dataSync()[0];
    expect(Math.abs(evaluated - direct)).toBeLessThan(1e-5);
  });

  it("optimizer.minimize in a custom loop: focalLoss on a linear softmax model", () => {
    const { x, y } = blobs(150);
    const W = tf.variable(tf.zeros([2, 3]));
    const b = tf.variable(tf.zeros([3]));
    const loss = tfjsLosses.focalLoss({ gamma: 2 });
    const opt = tf.train.sgd(0.5);
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      const l = opt.minimize(() => loss(tf.add(tf.matMul(x, W), b), y) as tf.Scalar, true)!;
      losses.push(l.dataSync()[0]);
      l.dispose();
    }
    expect(losses[0]).toBeCloseTo(Math.log(3) * (2 / 3) ** 2, 5); // uniform start: p = 1/3, (1 − p)^γ · ln 3
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 10);
    expect(accuracy(tf.add(tf.matMul(x, W), b), y)).toBeGreaterThan(0.95);
  });
});

describe("losskit/tfjs by package name", () => {
  it("ESM import and CommonJS require resolve through the exports map", () => {
    const root = join(__dirname, "..");
    const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim();
    const code = (load: string) =>
      `${load}; require("@tensorflow/tfjs-backend-cpu"); const tf = require("@tensorflow/tfjs-core");` +
      `console.log(m.tfjsLoss("mseLoss")(tf.tensor1d([1, 2, 4]), tf.tensor1d([1, 0, 1])).dataSync()[0].toFixed(4), typeof m.tfjsLosses.crossEntropy)`;
    expect(run(["-e", code('const m = require("losskit/tfjs")')])).toBe("4.3333 function");
    expect(run(["--input-type=module", "-e", `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); ${code('const m = await import("losskit/tfjs")')}`])).toBe("4.3333 function");
  });
});
