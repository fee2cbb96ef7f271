// diceLoss beyond the fixtures: closed forms computed here, MONAI's output shapes, the
// one-channel cases MONAI only warns about, and bad input (a LossError naming the argument).
import { describe, expect, it } from "vitest";
import { expectLossError, losskit } from "./helpers";

const { diceLoss, LossError } = losskit;
const f64 = (...v: number[]) => Float64Array.from(v);
const t = (data: Float32Array | Float64Array | Int32Array | number[], shape: number[]) => ({ data, shape });

/** MONAI's f for one (n, c) row, written out: 1 − (2Σtp + nr)/(Σt + Σp + dr), or Jaccard's 2(Σt + Σp − Σtp). */
function diceRow(p: number[], y: number[], { nr = 1e-5, dr = 1e-5, jaccard = false, squared = false } = {}) {
  const i = p.reduce((s, v, k) => s + v * y[k], 0);
  const g = y.reduce((s, v) => s + (squared ? v * v : v), 0);
  const q = p.reduce((s, v) => s + (squared ? v * v : v), 0);
  return 1 - (2 * i + nr) / ((jaccard ? 2 * (g + q - i) : g + q) + dr);
}

// (N, C, D) = (2, 2, 3)
const X = [0.9, 0.2, 0.1, 0.1, 0.8, 0.7, 0.3, 0.6, 0.5, 0.4, 0.2, 0.9];
const Y = [1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1];
const row = (a: number[], n: number, c: number) => a.slice((n * 2 + c) * 3, (n * 2 + c + 1) * 3);

describe("diceLoss: closed forms", () => {
  it("per item and channel, every reduction, Jaccard and squared", () => {
    for (const opts of [{}, { jaccard: true }, { squaredPred: true }, { smoothNr: 0, smoothDr: 1 }] as const) {
      const o = { nr: "smoothNr" in opts ? opts.smoothNr : 1e-5, dr: "smoothDr" in opts ? opts.smoothDr : 1e-5, jaccard: "jaccard" in opts, squared: "squaredPred" in opts };
      const want = [0, 1].flatMap((n) => [0, 1].map((c) => diceRow(row(X, n, c), row(Y, n, c), o)));
      const none = diceLoss(t(f64(...X), [2, 2, 3]), t(f64(...Y), [2, 2, 3]), { ...opts, reduction: "none" });
      expect(none.shape).toEqual([2, 2, 1]);
      Array.from(none.data).forEach((v, k) => expect(v).toBeCloseTo(want[k], 14));
      expect(diceLoss(t(f64(...X), [2, 2, 3]), t(f64(...Y), [2, 2, 3]), opts)).toBeCloseTo(want.reduce((a, b) => a + b) / 4, 14);
      expect(diceLoss(t(f64(...X), [2, 2, 3]), t(f64(...Y), [2, 2, 3]), { ...opts, reduction: "sum" })).toBeCloseTo(want.reduce((a, b) => a + b), 14);
    }
  });
  it("batch sums over the items; includeBackground: false drops channel 0; class indices equal their one-hot", () => {
    const x = t(f64(...X), [2, 2, 3]);
    const batch = diceLoss(x, t(f64(...Y), [2, 2, 3]), { batch: true, reduction: "none" });
    expect(batch.shape).toEqual([2, 1]);
    for (const c of [0, 1]) expect(batch.data[c]).toBeCloseTo(diceRow([...row(X, 0, c), ...row(X, 1, c)], [...row(Y, 0, c), ...row(Y, 1, c)]), 14);
    const fg = diceLoss(x, t(f64(...Y), [2, 2, 3]), { includeBackground: false, reduction: "none" });
    expect(fg.shape).toEqual([2, 1, 1]);
    expect(fg.data[1]).toBeCloseTo(diceRow(row(X, 1, 1), row(Y, 1, 1)), 14);
    const labels = [0, 1, 1, 1, 0, 1]; // the argmax of Y per position: Y is their one-hot
    const viaIndex = diceLoss.withGrad(x, t(Int32Array.from(labels), [2, 1, 3]), { toOnehotY: true, softmax: true, reduction: "none" });
    const viaOneHot = diceLoss.withGrad(x, t(f64(...Y), [2, 2, 3]), { softmax: true, reduction: "none" });
    expect(Array.from(viaIndex.loss.data)).toEqual(Array.from(viaOneHot.loss.data));
    expect(Array.from(viaIndex.grads.input.data)).toEqual(Array.from(viaOneHot.grads.input.data));
    // A number[] of integers is read as class indices when toOnehotY is true.
    expect(diceLoss(x, t(labels, [2, 1, 3]), { toOnehotY: true })).toBe(diceLoss(x, t(f64(...Y), [2, 2, 3])));
    // 3-D spatial input: 'none' keeps one 1 per spatial dim, as MONAI.
    expect(diceLoss(t(new Float32Array(24).fill(0.5), [1, 2, 3, 2, 2]), t(new Float32Array(24), [1, 2, 3, 2, 2]), { reduction: "none", batch: true }).shape).toEqual([2, 1, 1, 1]);
  });
  it("the softmax gradient sums to 0 over the channels at every position", () => {
    const { grads } = diceLoss.withGrad(t(f64(...X.map((v) => 4 * v - 2)), [2, 2, 3]), t(f64(...Y), [2, 2, 3]), { softmax: true, includeBackground: false });
    for (let n = 0; n < 2; n++) for (let j = 0; j < 3; j++) expect(grads.input.data[n * 6 + j] + grads.input.data[n * 6 + 3 + j]).toBeCloseTo(0, 15);
  });
  it("one channel: softmax, toOnehotY and includeBackground: false are ignored, as MONAI", () => {
    const x = t(f64(0.2, 0.7, 0.4, 0.9), [2, 1, 2]);
    const y = t(f64(0, 1, 1, 1), [2, 1, 2]);
    const plain = diceLoss(x, y, { reduction: "none" });
    expect(Array.from(diceLoss(x, y, { softmax: true, reduction: "none" }).data)).toEqual(Array.from(plain.data));
    expect(Array.from(diceLoss(x, y, { includeBackground: false, reduction: "none" }).data)).toEqual(Array.from(plain.data));
    // The indices are the target's values (MONAI skips the one-hot): 2 counts as 2.
    expect(diceLoss(x, t(Int32Array.of(0, 1, 1, 1), [2, 1, 2]), { toOnehotY: true })).toBe(diceLoss(x, y));
    expect(diceLoss(x, t(Int32Array.of(0, 2, 1, 1), [2, 1, 2]), { toOnehotY: true })).toBe(diceLoss(x, t(f64(0, 2, 1, 1), [2, 1, 2])));
  });
  it("empty inputs: 'mean' of nothing is NaN, 'sum' 0; empty rows give 1 − nr/dr", () => {
    expect(diceLoss(t(new Float32Array(0), [0, 3, 4]), t(new Float32Array(0), [0, 3, 4]))).toBeNaN();
    expect(diceLoss(t(new Float32Array(0), [0, 3, 4]), t(new Float32Array(0), [0, 3, 4]), { reduction: "sum" })).toBe(0);
    expect(diceLoss(t(new Float64Array(0), [2, 3, 0]), t(new Float64Array(0), [2, 3, 0]), { smoothNr: 0 })).toBe(1);
  });
});

describe("diceLoss: bad input gets a LossError", () => {
  const x = t(f64(...X), [2, 2, 3]);
  const y = t(f64(...Y), [2, 2, 3]);
  const labels = t(Int32Array.of(0, 1, 1, 1, 0, 1), [2, 1, 3]);
  it("shapes", () => {
    expectLossError(() => diceLoss(x, t(f64(...Y), [2, 3, 2])), "SHAPE_MISMATCH", "diceLoss: target", "[2, 3, 2]", "[2, 2, 3]");
    expectLossError(() => diceLoss(x, t(f64(...Y.slice(0, 6)), [2, 1, 3])), "SHAPE_MISMATCH", "target");
    expectLossError(() => diceLoss(x, t(Int32Array.of(0, 1, 1, 1, 0, 1), [2, 3]), { toOnehotY: true }), "SHAPE_MISMATCH", "target", "[2, 1, 3]");
    expectLossError(() => diceLoss(x, t(new Int32Array(12), [2, 2, 3]), { toOnehotY: true }), "SHAPE_MISMATCH", "target", "[2, 1, 3]");
    expectLossError(() => diceLoss(t(f64(1, 2, 3, 4), [2, 2]), t(f64(1, 0, 0, 1), [2, 2])), "SHAPE_MISMATCH", "input", "at least one spatial dim");
    expectLossError(() => diceLoss(f64(1, 2), f64(1, 0)), "SHAPE_MISMATCH", "input");
    expectLossError(() => diceLoss.withGrad(x, y, { reduction: "none", gradOutput: f64(1, 2, 3, 4, 5) }), "SHAPE_MISMATCH", "gradOutput");
    expectLossError(() => diceLoss.withGrad(x, y, { reduction: "none", gradOutput: t(f64(1, 2, 3, 4), [2, 2]) }), "SHAPE_MISMATCH", "gradOutput");
  });
  it("class indices: out of range, and the dtype that toOnehotY asks for", () => {
    expectLossError(() => diceLoss(x, t(Int32Array.of(0, 1, 2, 1, 0, 1), [2, 1, 3]), { toOnehotY: true }), "INVALID_TARGET", "target", "[2] = 2", "[0, 2)");
    expectLossError(() => diceLoss(x, t(Int32Array.of(0, 1, -1, 1, 0, 1), [2, 1, 3]), { toOnehotY: true }), "INVALID_TARGET", "target");
    expectLossError(() => diceLoss(x, t([0, 1, 0.5, 1, 0, 1], [2, 1, 3]), { toOnehotY: true }), "INVALID_TARGET", "target");
    // No channels: any index is out of range (MONAI's scatter_ raises); without indices there is nothing to check.
    expectLossError(() => diceLoss(t(new Float32Array(0), [1, 0, 2]), t(Int32Array.of(0, 0), [1, 1, 2]), { toOnehotY: true }), "INVALID_TARGET", "[0, 0)");
    expect(diceLoss(t(new Float32Array(0), [0, 0, 2]), t(new Int32Array(0), [0, 1, 2]), { toOnehotY: true, reduction: "sum" })).toBe(0);
    expectLossError(() => diceLoss(x, labels), "DTYPE_MISMATCH", "target");
    expectLossError(() => diceLoss(x, y, { toOnehotY: true }), "DTYPE_MISMATCH", "target");
  });
  it("options", () => {
    expectLossError(() => diceLoss(x, y, { sigmoid: true, softmax: true }), "INVALID_OPTION", "softmax", "sigmoid");
    expectLossError(() => diceLoss(x, y, { reduction: "batchmean" as never }), "INVALID_OPTION", "reduction");
    expectLossError(() => diceLoss(x, y, { smoothNr: NaN }), "INVALID_OPTION", "smoothNr");
    expectLossError(() => diceLoss(x, y, { batch: 1 as never }), "INVALID_OPTION", "batch");
    expectLossError(() => diceLoss(x, y, { weight: f64(1, 1) } as never), "INVALID_OPTION", "unknown option 'weight'");
    expectLossError(() => diceLoss(x, y, { other_act: 1 } as never), "INVALID_OPTION", "unknown option");
    expectLossError(() => diceLoss.withGrad(x, y, { wrt: ["target" as never] }), "INVALID_OPTION", "wrt");
    expect(diceLoss(x, y)).toBeTypeOf("number"); // still works
  });
});
