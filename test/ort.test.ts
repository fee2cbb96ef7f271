// onnxruntime's tensors (the real onnxruntime-web package, its wasm backend in Node) into
// losskit through fromOrt: a session's outputs as loss inputs, int64 labels as class
// indices, gradients back as ort.Tensors. Expected values are closed forms.
import * as ort from "onnxruntime-web";
import { beforeAll, describe, expect, it } from "vitest";
import { losskit } from "./helpers";
import { sigmoidModel } from "./ort-model";

const { fromOrt, binaryCrossEntropy, crossEntropy, mseLoss } = losskit;
let sigmoid: ort.InferenceSession;
let identity: ort.InferenceSession;

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  sigmoid = await ort.InferenceSession.create(sigmoidModel("Sigmoid"));
  identity = await ort.InferenceSession.create(sigmoidModel("Identity"));
});

describe("onnxruntime tensors", () => {
  it("a session's output into binaryCrossEntropy, the gradient back as an ort.Tensor", async () => {
    const x = Float32Array.of(-2, -0.5, 0, 0.5, 2, 3);
    const { y } = await sigmoid.run({ x: new ort.Tensor("float32", x, [3, 2]) });
    const target = new ort.Tensor("float32", Float32Array.of(0, 1, 1, 0, 1, 1), [3, 2]);
    const p = fromOrt(y);
    expect(p.shape).toEqual([3, 2]);
    expect(p.data).toBe(y.data); // shared, not copied
    const { loss, grads } = binaryCrossEntropy.withGrad(p, fromOrt(target));
    // −mean(t ln σ(x) + (1 − t) ln(1 − σ(x))) = mean(softplus(x) − t·x); ∂/∂p = (p − t)/(p(1 − p))/N
    const t = target.data as Float32Array;
    const expected = Array.from(x, (v, i) => Math.log1p(Math.exp(v)) - t[i] * v).reduce((a, b) => a + b) / 6;
    expect(loss).toBeCloseTo(expected, 5);
    const back = new ort.Tensor("float32", grads.input.data as Float32Array, grads.input.shape);
    expect(back.dims).toEqual([3, 2]);
    const pd = y.data as Float32Array;
    (back.data as Float32Array).forEach((g, i) => expect(g).toBeCloseTo((pd[i] - t[i]) / (pd[i] * (1 - pd[i])) / 6, 4));
  });

  it("int64 labels (ONNX's label type) as class indices for crossEntropy", async () => {
    const { y: logits } = await identity.run({ x: new ort.Tensor("float32", Float32Array.of(0, 0, 0, 1, 2, 3), [2, 3]) });
    const labels = new ort.Tensor("int64", BigInt64Array.of(1n, 2n), [2]);
    const idx = fromOrt(labels);
    expect(idx.data).toBeInstanceOf(Int32Array);
    // row 1: uniform → ln 3; row 2: logsumexp(1, 2, 3) − 3
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(crossEntropy(fromOrt(logits), idx)).toBeCloseTo((Math.log(3) + lse - 3) / 2, 6);
    expect(crossEntropy(fromOrt(logits), fromOrt(new ort.Tensor("int32", Int32Array.of(1, 2), [2])))).toBeCloseTo((Math.log(3) + lse - 3) / 2, 6);
  });

  it("float64 tensors stay f64", () => {
    const a = new ort.Tensor("float64", Float64Array.of(1, 2, 4), [3]);
    const b = new ort.Tensor("float64", Float64Array.of(1, 0, 1), [3]);
    const { loss, grads } = mseLoss.withGrad(fromOrt(a), fromOrt(b));
    expect(loss).toBe(13 / 3);
    expect(grads.input.data).toBeInstanceOf(Float64Array);
  });

  it("what does not fit is a LossError", () => {
    expect(() => fromOrt(new ort.Tensor("int64", BigInt64Array.of(2n ** 40n), [1]))).toThrow(expect.objectContaining({ code: "INVALID_TARGET" }));
    expect(() => fromOrt(new ort.Tensor("uint8", Uint8Array.of(1), [1]))).toThrow(expect.objectContaining({ code: "DTYPE_MISMATCH" }));
    expect(() => fromOrt({} as ort.Tensor)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => crossEntropy(fromOrt(new ort.Tensor("float32", new Float32Array(6), [2, 3])), fromOrt(new ort.Tensor("int64", BigInt64Array.of(0n, 3n), [2])))).toThrow(
      expect.objectContaining({ code: "INVALID_TARGET" }),
    );
  });
});
