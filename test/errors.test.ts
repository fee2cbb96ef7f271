// Bad input: a LossError with a stable code and a message naming the argument; never a wasm
// trap; the module keeps working and leaks nothing, even after 10,000 failing calls.
import { describe, expect, it } from "vitest";
import { L, expectLossError, losskit } from "./helpers";

const { LossError, mseLoss, l1Loss, huberLoss, smoothL1Loss, gaussianNllLoss, poissonNllLoss, rmseLoss, tensor, memoryStats } = losskit;
const f32 = (...v: number[]) => Float32Array.from(v);

describe("bad input gets a LossError", () => {
  it("ctcLoss: lengths, targets, N and blank", () => {
    const { ctcLoss } = losskit;
    const lp = { data: new Float32Array(4 * 2 * 3).fill(Math.log(1 / 3)), shape: [4, 2, 3] };
    const padded = { data: Int32Array.of(1, 2, 2, 1), shape: [2, 2] };
    const i32 = (...v: number[]) => Int32Array.from(v);
    expectLossError(() => ctcLoss(lp, padded, i32(5, 4), i32(2, 2)), "SHAPE_MISMATCH", "ctcLoss", "inputLengths", "5");
    expectLossError(() => ctcLoss(lp, padded, i32(-1, 4), i32(2, 2)), "SHAPE_MISMATCH", "inputLengths");
    expectLossError(() => ctcLoss(lp, padded, i32(4, 4), i32(3, 2)), "SHAPE_MISMATCH", "targetLengths");
    expectLossError(() => ctcLoss(lp, padded, i32(4, 4), i32(2, -1)), "SHAPE_MISMATCH", "targetLengths");
    expectLossError(() => ctcLoss(lp, i32(1, 2, 1), i32(4, 4), i32(2, 2)), "SHAPE_MISMATCH", "targetLengths", "sum");
    expectLossError(() => ctcLoss(lp, { data: i32(1, 0, 2, 1), shape: [2, 2] }, i32(4, 4), i32(2, 2)), "INVALID_TARGET", "targets", "blank");
    expectLossError(() => ctcLoss(lp, { data: i32(1, 3, 2, 1), shape: [2, 2] }, i32(4, 4), i32(2, 2)), "INVALID_TARGET", "targets");
    expectLossError(() => ctcLoss(lp, { data: i32(1, -2, 2, 1), shape: [2, 2] }, i32(4, 4), i32(2, 2)), "INVALID_TARGET", "targets");
    expectLossError(() => ctcLoss(lp, padded, i32(4), i32(2, 2)), "SHAPE_MISMATCH", "inputLengths");
    expectLossError(() => ctcLoss(lp, { data: i32(1, 2), shape: [1, 2] }, i32(4, 4), i32(2, 2)), "SHAPE_MISMATCH", "targets", "rows");
    expectLossError(() => ctcLoss(lp, padded, 4, i32(2, 2)), "SHAPE_MISMATCH", "inputLengths");
    expectLossError(() => ctcLoss(lp, padded, i32(4, 4), i32(2, 2), { blank: 3 }), "INVALID_OPTION", "blank");
    expectLossError(() => ctcLoss(lp, padded, i32(4, 4), i32(2, 2), { blank: 0.5 }), "INVALID_OPTION", "blank");
    expectLossError(() => ctcLoss(lp, padded, [4, 4.5], i32(2, 2)), "INVALID_TARGET", "inputLengths");
    const one = { data: new Float64Array(4 * 3).fill(Math.log(1 / 3)), shape: [4, 3] };
    expectLossError(() => ctcLoss(one, i32(1, 2), 2.5, 2), "INVALID_TARGET", "inputLengths", "integer");
    expectLossError(() => ctcLoss(one, i32(1, 2), 4, NaN), "INVALID_TARGET", "targetLengths");
    expectLossError(() => ctcLoss(one, i32(1, 2), 5, 2), "SHAPE_MISMATCH", "inputLengths");
    // the module keeps working: a valid call after the errors
    // 15 of the 3^4 equally likely paths collapse to [1, 2] (0*1+0*2+0* in 4 steps); sum: −ln(15/81)
    expect(ctcLoss(one, i32(1, 2), 4, 2, { reduction: "sum" })).toBeCloseTo(-Math.log(15 / 81), 12);
  });
  it("mismatched shapes name both arguments", () => {
    expectLossError(() => mseLoss(f32(1, 2, 3), f32(1, 2)), "SHAPE_MISMATCH", "mseLoss", "target", "input", "[2]", "[3]");
    expectLossError(() => l1Loss({ data: f32(1, 2, 3, 4), shape: [2, 2] }, { data: f32(1, 2, 3, 4), shape: [4] }), "SHAPE_MISMATCH");
    expectLossError(() => mseLoss(f32(1, 2), f32(1, 2), { weight: f32(1) }), "SHAPE_MISMATCH", "weight");
    expectLossError(() => mseLoss({ data: f32(1, 2, 3), shape: [2, 2] }, f32(1, 2, 3)), "SHAPE_MISMATCH", "input.data", "[2,2]");
  });
  it("mixing dtypes or giving integer data", () => {
    expectLossError(() => mseLoss(f32(1, 2), Float64Array.of(1, 2)), "DTYPE_MISMATCH", "f64", "f32");
    expectLossError(() => mseLoss(Int32Array.of(1, 2), f32(1, 2)), "DTYPE_MISMATCH", "input", "Int32Array");
    expectLossError(() => mseLoss.withGrad(f32(1, 2), f32(1, 2), { reduction: "none", gradOutput: Float64Array.of(1, 1) }), "DTYPE_MISMATCH", "gradOutput");
  });
  it("non-typed-array inputs", () => {
    expectLossError(() => mseLoss("abc" as never, f32(1)), "INVALID_ARGUMENT", "input", "string");
    expectLossError(() => mseLoss(f32(1), null as never), "INVALID_ARGUMENT", "target", "null");
    expectLossError(() => mseLoss(f32(1), { data: [1, "x"], shape: [2] } as never), "INVALID_ARGUMENT", "target");
    expectLossError(() => mseLoss(f32(1), { data: f32(1), shape: [-1] } as never), "INVALID_ARGUMENT", "target.shape");
  });
  it("invalid options", () => {
    expectLossError(() => mseLoss(f32(1), f32(1), { reduction: "avg" as never }), "INVALID_OPTION", "reduction", "avg");
    expectLossError(() => smoothL1Loss(f32(1), f32(1), { beta: -1 }), "INVALID_OPTION", "beta", "-1");
    expectLossError(() => huberLoss(f32(1), f32(1), { delta: 0 }), "INVALID_OPTION", "delta");
    expectLossError(() => poissonNllLoss(f32(1), f32(1), { full: "yes" as never }), "INVALID_OPTION", "full");
    expectLossError(() => mseLoss(f32(1), f32(1), { reduce: "sum" } as never), "INVALID_OPTION", "unknown option 'reduce'");
    expectLossError(() => mseLoss(f32(1), f32(1), { gradOutput: f32(1) } as never), "INVALID_OPTION", "withGrad");
    expectLossError(() => mseLoss.withGrad(f32(1), f32(1), { gradOutput: f32(1) }), "INVALID_OPTION", "gradOutput", "'none'");
    expectLossError(() => mseLoss.withGrad(f32(1), f32(1), { wrt: ["weight" as never] }), "INVALID_OPTION", "wrt");
  });
  it("domain errors raised where PyTorch raises", () => {
    expectLossError(() => gaussianNllLoss(f32(1, 2), f32(1, 2), f32(1, -1)), "INVALID_INPUT", "gaussianNllLoss", "var");
    expectLossError(() => gaussianNllLoss(f32(1, 2), f32(1, 2), -0.5), "INVALID_INPUT", "var");
    expectLossError(() => gaussianNllLoss({ data: f32(1, 2, 3, 4), shape: [2, 2] }, { data: f32(1, 2, 3, 4), shape: [2, 2] }, f32(1, 2, 3)), "SHAPE_MISMATCH", "var");
  });
  it("classification: targets, weights, smoothing and shapes", () => {
    const { crossEntropy, nllLoss, binaryCrossEntropy, focalLoss, klDiv } = losskit;
    const logits = { data: new Float32Array(6), shape: [2, 3] };
    expectLossError(() => crossEntropy(logits, Int32Array.of(0, 3)), "INVALID_TARGET", "3");
    expectLossError(() => nllLoss(logits, Int32Array.of(-1, 0)), "INVALID_TARGET");
    expect(crossEntropy(logits, Int32Array.of(-100, 0))).toBeCloseTo(Math.log(3), 6); // ignoreIndex is not out of range
    expectLossError(() => crossEntropy(logits, Float32Array.of(0, 1)), "SHAPE_MISMATCH", "target"); // probabilities of the wrong shape
    expectLossError(() => crossEntropy(logits, Int32Array.of(0, 1), { weight: Float32Array.of(1, 1) }), "SHAPE_MISMATCH", "weight");
    expectLossError(() => crossEntropy(logits, Int32Array.of(0, 1), { labelSmoothing: 1.5 }), "INVALID_OPTION", "labelSmoothing");
    expectLossError(() => crossEntropy(logits, Int32Array.of(0, 1), { labelSmoothing: -0.1 }), "INVALID_OPTION", "labelSmoothing");
    expectLossError(() => nllLoss(logits, Float32Array.of(0, 1)), "DTYPE_MISMATCH", "target");
    expectLossError(() => focalLoss(logits, Int32Array.of(0, 1), { gamma: -1 }), "INVALID_OPTION", "gamma");
    expectLossError(() => binaryCrossEntropy(f32(0.5, 1.5), f32(1, 0)), "INVALID_INPUT", "between 0 and 1");
    expectLossError(() => klDiv(f32(0, 0), f32(1, 0), { reduction: "avg" as never }), "INVALID_OPTION", "reduction");
  });
  it("disposed tensors", () => {
    const t = tensor([2], "f32");
    t.dispose();
    t.dispose(); // idempotent
    expectLossError(() => mseLoss(t, f32(1, 2)), "DISPOSED", "input");
    expectLossError(() => t.data, "DISPOSED");
    const g = tensor([2], "f32");
    g.dispose();
    expectLossError(() => mseLoss.withGrad(f32(1, 2), f32(1, 2), { into: { input: g } }), "DISPOSED");
  });
  it("NaN and Inf in data propagate, as in PyTorch (not errors)", () => {
    expect(mseLoss(f32(NaN, 1), f32(0, 1))).toBeNaN();
    expect(l1Loss(f32(Infinity), f32(0))).toBe(Infinity);
  });
});

describe("after errors the module works and nothing leaked", () => {
  it("10,000 failing calls leave wasm memory and allocations unchanged", () => {
    const x = new Float32Array(1000).fill(1);
    const y = new Float32Array(1000).fill(0.5);
    const expected = mseLoss(x, y); // warm up: memory may grow once for the scratch buffers
    const bad = new Float32Array(999);
    const var2 = Float32Array.of(1, 2, 3);
    const before = memoryStats();
    let failures = 0;
    for (let i = 0; i < 10_000; i++) {
      const kind = i % 4;
      try {
        if (kind === 0) mseLoss(x, bad); // rejected in TypeScript
        else if (kind === 1) mseLoss.withGrad(x, y, { reduction: "none", gradOutput: bad }); // rejected after staging
        else if (kind === 2) gaussianNllLoss.withGrad({ data: x, shape: [10, 100] }, { data: y, shape: [10, 100] }, var2); // rejected in wasm
        else rmseLoss.withGrad(x, y, { weight: Float64Array.of(1) }); // dtype
      } catch (e) {
        expect(e).toBeInstanceOf(LossError);
        failures++;
      }
    }
    expect(failures).toBe(10_000);
    const after = memoryStats();
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
    expect(after.memoryBytes).toBe(before.memoryBytes);
    expect(mseLoss(x, y)).toBe(expected);
    expect(L.simdEnabled()).toBe(true);
  });
});

describe("margin losses: labels, targets, options and shapes", () => {
  const { hingeLoss, softMarginLoss, hingeEmbeddingLoss, marginRankingLoss, multiMarginLoss, multilabelMarginLoss, multilabelSoftMarginLoss } = losskit;
  const x23 = { data: f32(0.5, -0.2, 0.3, 1, 2, -1), shape: [2, 3] };
  const i32 = (shape: number[], ...v: number[]) => ({ data: Int32Array.from(v), shape });
  it("hingeLoss needs labels ±1; softMarginLoss and hingeEmbeddingLoss take any label, as PyTorch", () => {
    expectLossError(() => hingeLoss(f32(1, 2), f32(1, 0.5)), "INVALID_TARGET", "hingeLoss", "target", "0.5");
    expectLossError(() => hingeLoss(f32(1, 2), f32(1, NaN)), "INVALID_TARGET", "target");
    expect(softMarginLoss(f32(1, 2), f32(1, 0.5))).toBeCloseTo((Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(-1))) / 2, 6);
    expect(hingeEmbeddingLoss(f32(0.25), f32(0), { reduction: "sum" })).toBeCloseTo(1, 6); // both terms: 0.75 + 0.25
    expectLossError(() => softMarginLoss(x23, f32(1, -1, 1)), "SHAPE_MISMATCH", "target"); // no broadcasting
  });
  it("marginRankingLoss: one rank, then PyTorch's broadcasting", () => {
    expectLossError(() => marginRankingLoss(x23, f32(1, 2, 3), x23), "SHAPE_MISMATCH", "input2", "dimensions");
    expectLossError(() => marginRankingLoss(x23, { data: f32(1, 2), shape: [1, 2] }, x23), "SHAPE_MISMATCH", "input2");
    const a = { data: f32(1, 2, 3), shape: [3, 1] };
    const b = { data: f32(0, 1, 2, 3), shape: [1, 4] };
    const y = { data: new Float32Array(12).fill(-1), shape: [3, 4] };
    const { loss, grads } = marginRankingLoss.withGrad(a, b, y, { reduction: "none" });
    expect(loss.shape).toEqual([3, 4]);
    expect(Array.from(loss.data)).toEqual([1, 0, 0, 0, 2, 1, 0, 0, 3, 2, 1, 0]); // max(0, a − b)
    expect(grads.input1.shape).toEqual([3, 1]);
    expect(Array.from(grads.input1.data)).toEqual([1, 2, 3]);
    expect(Array.from(grads.input2.data)).toEqual([-3, -2, -1, 0]);
    expectLossError(() => marginRankingLoss.withGrad(a, b, y, { wrt: ["target" as never] }), "INVALID_OPTION", "wrt");
  });
  it("multiMarginLoss: p, class indices, weight and input shapes", () => {
    const t = Int32Array.of(0, 2);
    expectLossError(() => multiMarginLoss(x23, t, { p: 3 }), "INVALID_OPTION", "multiMarginLoss", "p", "1 or 2");
    expectLossError(() => multiMarginLoss(x23, t, { p: 1.5 }), "INVALID_OPTION", "p");
    expectLossError(() => multiMarginLoss(x23, Int32Array.of(0, 3)), "INVALID_TARGET", "target", "3");
    expectLossError(() => multiMarginLoss(x23, Int32Array.of(0, 1, 2)), "SHAPE_MISMATCH", "target");
    expectLossError(() => multiMarginLoss(x23, f32(0, 2)), "DTYPE_MISMATCH", "target");
    expectLossError(() => multiMarginLoss(x23, t, { weight: f32(1, 1) }), "SHAPE_MISMATCH", "weight");
    expectLossError(() => multiMarginLoss({ data: f32(1, 2, 3, 4, 5, 6), shape: [1, 2, 3] }, Int32Array.of(0)), "SHAPE_MISMATCH", "input");
    expectLossError(() => multiMarginLoss({ data: f32(), shape: [2, 0] }, t), "SHAPE_MISMATCH", "input");
    expectLossError(() => multiMarginLoss({ data: f32(1), shape: [] }, i32([], 0)), "SHAPE_MISMATCH", "input");
    expect(multiMarginLoss(f32(0.5, -0.2, 0.3), i32([], 0), { reduction: "none" }).shape).toEqual([]);
  });
  it("multilabelMarginLoss: label lists end at −1, every entry in [−1, C − 1]", () => {
    expect(multilabelMarginLoss(x23, i32([2, 3], 0, -1, 2, 1, 1, -1))).toBeGreaterThan(0);
    expectLossError(() => multilabelMarginLoss(x23, i32([2, 3], 0, -1, -2, 1, 1, -1)), "INVALID_TARGET", "multilabelMarginLoss", "target", "-2");
    expectLossError(() => multilabelMarginLoss(x23, i32([2, 3], 0, -1, 3, 1, 1, -1)), "INVALID_TARGET", "target");
    expectLossError(() => multilabelMarginLoss(x23, Int32Array.of(0, 1)), "SHAPE_MISMATCH", "target");
    expectLossError(() => multilabelMarginLoss(x23, { data: f32(0, 1, 2, 0, 1, 2), shape: [2, 3] }), "DTYPE_MISMATCH", "target");
    expect(multilabelMarginLoss({ data: f32(), shape: [0, 4] }, i32([0, 4]))).toBeNaN(); // a mean over no rows
    expect(multilabelMarginLoss({ data: f32(), shape: [0, 4] }, i32([0, 4]), { reduction: "sum" })).toBe(0);
  });
  it("multilabelSoftMarginLoss: weight (C), target of the input's shape", () => {
    const y = { data: f32(1, 0, 1, 0, 0, 1), shape: [2, 3] };
    expectLossError(() => multilabelSoftMarginLoss(x23, y, { weight: f32(1, 2) }), "SHAPE_MISMATCH", "weight");
    expectLossError(() => multilabelSoftMarginLoss(x23, f32(1, 0, 1)), "SHAPE_MISMATCH", "target");
    expectLossError(() => multilabelSoftMarginLoss({ data: f32(1, 2, 3, 4), shape: [1, 2, 2] }, { data: f32(1, 0, 1, 0), shape: [1, 2, 2] }), "SHAPE_MISMATCH", "input");
    expect(multilabelSoftMarginLoss.withGrad(x23, y).grads.target.shape).toEqual([2, 3]);
  });
});

describe("embedding: bad input gets a LossError", () => {
  const { tripletMarginLoss, cosineEmbeddingLoss } = losskit;
  const rows = (n: number, d: number, fill = 0.5) => ({ data: new Float32Array(n * d).fill(fill), shape: [n, d] });
  const a = rows(2, 3, 0.1);
  const p = rows(2, 3, 0.2);
  const n = rows(2, 3, 0.9);
  it("tripletMarginLoss: shapes", () => {
    expectLossError(() => tripletMarginLoss(a, rows(3, 3), n), "SHAPE_MISMATCH", "tripletMarginLoss", "positive", "[3, 3]", "[2, 3]");
    expectLossError(() => tripletMarginLoss(a, p, rows(2, 4)), "SHAPE_MISMATCH", "negative", "[2, 4]");
    expectLossError(() => tripletMarginLoss(f32(1, 2, 3), p, n), "SHAPE_MISMATCH", "positive"); // (D) against (N, D): no broadcasting
    const cube = { data: new Float32Array(8), shape: [2, 2, 2] };
    expectLossError(() => tripletMarginLoss(cube, cube, cube), "SHAPE_MISMATCH", "anchor", "(N, D) or (D)");
    expectLossError(() => tripletMarginLoss({ data: f32(1), shape: [] }, { data: f32(1), shape: [] }, { data: f32(1), shape: [] }), "SHAPE_MISMATCH", "anchor");
    expectLossError(() => tripletMarginLoss.withGrad(a, p, n, { reduction: "none", gradOutput: f32(1, 2, 3) }), "SHAPE_MISMATCH", "gradOutput");
    expectLossError(() => tripletMarginLoss(rows(2, 0), rows(2, 0), rows(2, 0), { p: Infinity }), "SHAPE_MISMATCH", "anchor");
  });
  it("tripletMarginLoss: options (margin ≤ 0 and p ≤ 0 are rejected)", () => {
    expectLossError(() => tripletMarginLoss(a, p, n, { margin: 0 }), "INVALID_OPTION", "margin", "greater than 0");
    expectLossError(() => tripletMarginLoss(a, p, n, { margin: -1 }), "INVALID_OPTION", "margin", "-1");
    expectLossError(() => tripletMarginLoss(a, p, n, { p: 0 }), "INVALID_OPTION", "tripletMarginLoss: p", "greater than 0");
    expectLossError(() => tripletMarginLoss(a, p, n, { p: -2 }), "INVALID_OPTION", "-2");
    expectLossError(() => tripletMarginLoss(a, p, n, { margin: NaN }), "INVALID_OPTION", "margin");
    expectLossError(() => tripletMarginLoss(a, p, n, { swap: 1 as never }), "INVALID_OPTION", "swap");
    expectLossError(() => tripletMarginLoss(a, p, n, { weight: f32(1) } as never), "INVALID_OPTION", "unknown option 'weight'");
    expectLossError(() => tripletMarginLoss(a, p, n, { reduction: "batchmean" as never }), "INVALID_OPTION", "reduction");
    expectLossError(() => tripletMarginLoss.withGrad(a, p, n, { wrt: ["input" as never] }), "INVALID_OPTION", "wrt");
    expectLossError(() => tripletMarginLoss(a, p, { data: new Float64Array(6), shape: [2, 3] }), "DTYPE_MISMATCH", "negative");
  });
  it("cosineEmbeddingLoss: shapes, targets and dtypes", () => {
    const y = f32(1, -1);
    expectLossError(() => cosineEmbeddingLoss(a, rows(2, 4), y), "SHAPE_MISMATCH", "cosineEmbeddingLoss", "input2", "[2, 4]");
    expectLossError(() => cosineEmbeddingLoss(a, p, f32(1, -1, 1)), "SHAPE_MISMATCH", "target", "[3]", "[2]");
    expectLossError(() => cosineEmbeddingLoss(a, p, { data: f32(1, -1), shape: [2, 1] }), "SHAPE_MISMATCH", "target");
    expectLossError(() => cosineEmbeddingLoss(f32(1, 2), f32(3, 4), f32(1)), "SHAPE_MISMATCH", "target", "[]"); // (D) takes a 0-dim target
    const cube = { data: new Float32Array(8), shape: [2, 2, 2] };
    expectLossError(() => cosineEmbeddingLoss(cube, cube, { data: new Float32Array(4), shape: [2, 2] }), "SHAPE_MISMATCH", "input1", "(N, D) or (D)");
    expectLossError(() => cosineEmbeddingLoss(a, p, Int32Array.of(1, -1)), "DTYPE_MISMATCH", "target");
    expectLossError(() => cosineEmbeddingLoss(a, p, Float64Array.of(1, -1)), "DTYPE_MISMATCH", "target");
    expectLossError(() => cosineEmbeddingLoss.withGrad(a, p, y, { wrt: ["target" as never] }), "INVALID_OPTION", "wrt");
    expectLossError(() => cosineEmbeddingLoss(a, p, y, { margin: "0.5" as never }), "INVALID_OPTION", "margin");
    expectLossError(() => cosineEmbeddingLoss(a, p, y, { p: 2 } as never), "INVALID_OPTION", "unknown option 'p'");
  });
  it("what PyTorch accepts is not an error: labels other than ±1 (no loss), empty batches, zero vectors", () => {
    expect(cosineEmbeddingLoss(a, n, f32(0, 2), { reduction: "sum" })).toBe(0);
    const { loss, grads } = cosineEmbeddingLoss.withGrad(rows(2, 3, 0), p, f32(1, -1), { reduction: "none" });
    expect(Array.from(loss.data)).toEqual([1, 0]);
    expect(Array.from(grads.input1.data).every(Number.isFinite)).toBe(true);
    expect(tripletMarginLoss(rows(0, 3), rows(0, 3), rows(0, 3))).toBeNaN();
    expect(tripletMarginLoss(rows(0, 3), rows(0, 3), rows(0, 3), { reduction: "sum" })).toBe(0);
    expect(tripletMarginLoss(rows(0, 3), rows(0, 3), rows(0, 3), { reduction: "none" }).shape).toEqual([0]);
    expect(cosineEmbeddingLoss(rows(0, 3), rows(0, 3), new Float32Array(0))).toBeNaN();
    expect(tripletMarginLoss.withGrad(f32(0, 0), f32(1, 0), f32(0, 3), { reduction: "none" }).loss.shape).toEqual([]);
  });
});

describe("class indices given as floats", () => {
  it("a Float32Array where indices belong is DTYPE_MISMATCH suggesting an Int32Array", () => {
    const input = { data: new Float32Array(4), shape: [2, 2] };
    expectLossError(() => L.nllLoss(input, f32(0, 1) as never), "DTYPE_MISMATCH", "target", "Float32Array(2)", "Int32Array.from(target)");
    expectLossError(() => L.multiMarginLoss(input, { data: f32(0, 1), shape: [2] } as never), "DTYPE_MISMATCH", "Int32Array.from(target.data)");
  });
});

describe("detection and adversarial: bad input gets a LossError", () => {
  const { boxIouLoss, generalizedBoxIouLoss, distanceBoxIouLoss, completeBoxIouLoss, ganDiscriminatorLoss, ganGeneratorLoss } = losskit;
  const boxes = (...v: number[]) => ({ data: f32(...v), shape: [v.length / 4, 4] });
  it("boxes not 4 wide, or of different shapes", () => {
    for (const fn of [boxIouLoss, generalizedBoxIouLoss, distanceBoxIouLoss, completeBoxIouLoss]) {
      expectLossError(() => fn({ data: f32(0, 0, 1, 1, 2, 2), shape: [2, 3] }, { data: f32(0, 0, 1, 1, 2, 2), shape: [2, 3] }), "SHAPE_MISMATCH", "boxes1", "(N, 4)");
      expectLossError(() => fn(f32(0, 0, 1, 1, 2), f32(0, 0, 1, 1, 2)), "SHAPE_MISMATCH", "boxes1");
      expectLossError(() => fn(boxes(0, 0, 1, 1, 0, 0, 2, 2), boxes(0, 0, 1, 1)), "SHAPE_MISMATCH", "boxes2", "[1, 4]", "[2, 4]");
    }
  });
  it("x2 < x1 or y2 < y1 in either box set is INVALID_INPUT, naming the box", () => {
    expectLossError(() => generalizedBoxIouLoss(boxes(0, 0, 1, 1, 3, 0, 2, 1), boxes(0, 0, 1, 1, 0, 0, 1, 1)), "INVALID_INPUT", "boxes1", "[1]", "x2 < x1");
    expectLossError(() => completeBoxIouLoss(boxes(0, 0, 1, 1), boxes(0, 2, 1, 1)), "INVALID_INPUT", "boxes2", "[0]", "y2 < y1");
    // Zero-width and zero-height boxes are valid; NaN flows through.
    expect(completeBoxIouLoss(boxes(0, 0, 2, 0), boxes(0, 0, 1, 1), { reduction: "sum" })).toBeCloseTo(1.1500, 4);
    expect(boxIouLoss(boxes(NaN, 0, 1, 1), boxes(0, 0, 1, 1), { reduction: "sum" })).toBeNaN();
  });
  it("an unknown GAN mode is INVALID_OPTION naming mode and the modes", () => {
    expectLossError(() => ganGeneratorLoss(f32(1, 2), { mode: "vanilla" as never }), "INVALID_OPTION", "ganGeneratorLoss", "mode", "'minimax'", "'wasserstein'", "vanilla");
    expectLossError(() => ganDiscriminatorLoss(f32(1), f32(2), { mode: 3 as never }), "INVALID_OPTION", "mode");
  });
  it("'none' pairs real and fake logits: they need one shape", () => {
    expectLossError(() => ganDiscriminatorLoss(f32(1, 2, 3), f32(1, 2), { reduction: "none" }), "SHAPE_MISMATCH", "fakeLogits", "real logits");
    expect(ganDiscriminatorLoss(f32(1, 2, 3), f32(1, 2), { mode: "wasserstein" })).toBeCloseTo(1.5 - 2, 6);
  });
  it("logits of ±1e4 give finite losses and gradients in every mode", () => {
    for (const mode of ["minimax", "nonsaturating", "lsgan", "hinge", "wasserstein"] as const) {
      const d = ganDiscriminatorLoss.withGrad(f32(1e4, -1e4), f32(-1e4, 1e4), { mode });
      const g = ganGeneratorLoss.withGrad(f32(1e4, -1e4), { mode });
      for (const v of [d.loss, g.loss, ...d.grads.realLogits.data, ...d.grads.fakeLogits.data, ...g.grads.fakeLogits.data]) expect(Number.isFinite(v), `${mode}: ${v}`).toBe(true);
    }
  });
});
