// Class indices above 2^24 do not fit an f32: the losses over classes must compare them
// exactly (C = 2^24 + 2, target 2^24 + 1; before, class 2^24 also matched the target).
// Expected values are exact closed forms: with uniform probabilities 1/C the categorical
// loss is ln C; with equal logits and γ = 0 the focal gradient is 1/C − [c = y].
import { describe, expect, it } from "vitest";
import { losskit } from "./helpers";

const { categoricalCrossEntropy, focalLoss, crossEntropy } = losskit;
const C = 2 ** 24 + 2;
const y = Int32Array.of(2 ** 24 + 1);

describe("more than 2^24 classes in f32", () => {
  it("categoricalCrossEntropy counts the target once", () => {
    const p = new Float32Array(C).fill(1 / C);
    expect(categoricalCrossEntropy({ data: p, shape: [1, C] }, y)).toBeCloseTo(Math.log(C), 4);
  });
  it("focalLoss and crossEntropy put −1 at the target only", () => {
    const x = new Float32Array(C);
    for (const run of [() => focalLoss.withGrad({ data: x, shape: [1, C] }, y, { gamma: 0 }), () => crossEntropy.withGrad({ data: x, shape: [1, C] }, y)]) {
      const g = run().grads.input.data;
      expect(g[2 ** 24 + 1]).toBeCloseTo(1 / C - 1, 5);
      expect(g[2 ** 24]).toBeCloseTo(1 / C, 9);
      expect(g[0]).toBeCloseTo(1 / C, 9);
    }
  });
});
