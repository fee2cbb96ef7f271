// Wasm-resident tensors: zero-copy inputs and gradient destinations, dispose / using /
// FinalizationRegistry, views that survive memory growth; results keep the input dtype.
import { describe, expect, it } from "vitest";
import { losskit } from "./helpers";

const { tensor, tensorFrom, mseLoss, l1Loss, huberLoss, memoryStats, WasmTensor, setScalarKernels } = losskit;

describe("wasm tensors", () => {
  it("are filled in place and passed without copying; gradients land in them", () => {
    const x = tensor([2, 3], "f32");
    const y = tensorFrom(Float32Array.of(0, 0, 0, 1, 1, 1), [2, 3]);
    const g = tensor([2, 3], "f32");
    x.data.set([1, 2, 3, 4, 5, 6]);
    const { loss, grads } = mseLoss.withGrad(x, y, { into: { input: g }, wrt: ["input"] });
    // (1+4+9+9+16+25)/6 and 2(x − y)/6, by hand
    expect(loss).toBeCloseTo(64 / 6, 5);
    expect(grads.input).toBe(g);
    [2, 4, 6, 6, 8, 10].forEach((v, i) => expect(g.data[i]).toBeCloseTo(v / 6, 6));
    expect(grads.target).toBeUndefined();
    for (const t of [x, y, g]) t.dispose();
  });

  it("typed-array gradient destinations are filled in place", () => {
    const dest = new Float64Array(3);
    const { grads } = l1Loss.withGrad(Float64Array.of(1, -1, 0), Float64Array.of(0, 0, 0), { into: { input: dest }, reduction: "sum" });
    expect(grads.input.data).toBe(dest);
    expect(Array.from(dest)).toEqual([1, -1, 0]);
  });

  it("views stay valid after wasm memory grows", () => {
    const t = tensorFrom(Float32Array.of(1, 2, 3));
    const before = memoryStats().memoryBytes;
    const big = tensor([8 * 1024 * 1024], "f32"); // 32 MiB forces memory.grow
    expect(memoryStats().memoryBytes).toBeGreaterThan(before);
    expect(Array.from(t.data)).toEqual([1, 2, 3]); // re-derived view over the new buffer
    t.data[0] = 5;
    expect(l1Loss(t, Float32Array.of(0, 0, 0), { reduction: "sum" })).toBe(10);
    big.dispose();
    t.dispose();
  });

  it("dispose frees memory, is idempotent, and `using` disposes", () => {
    const base = memoryStats().allocatedBytes;
    {
      using t = tensor([1000], "f64");
      expect(t).toBeInstanceOf(WasmTensor);
      expect(memoryStats().allocatedBytes).toBe(base + 8000);
    }
    expect(memoryStats().allocatedBytes).toBe(base);
    const u = tensor([10], "i32");
    u.dispose();
    u.dispose();
    expect(u.disposed).toBe(true);
    expect(memoryStats().allocatedBytes).toBe(base);
  });

  it("results keep the input dtype, f64 is computed in f64", () => {
    const a = 1 + 2 ** -40; // not representable in f32
    const r64 = mseLoss(Float64Array.of(a), Float64Array.of(1), { reduction: "sum" });
    expect(r64).toBe((a - 1) ** 2);
    const r32 = mseLoss(Float32Array.of(a), Float32Array.of(1), { reduction: "sum" });
    expect(r32).toBe(0); // a rounds to 1 in f32
    const none = huberLoss(Float32Array.of(1, 5), Float32Array.of(0, 0), { reduction: "none" });
    expect(none.data).toBeInstanceOf(Float32Array);
    expect(none.shape).toEqual([2]);
    // number[] adapts to the typed argument's dtype, and is f64 on its own
    expect(mseLoss.withGrad([1, 2], Float32Array.of(0, 0)).grads.input.data).toBeInstanceOf(Float32Array);
    expect(mseLoss.withGrad([1, 2], [0, 0]).grads.input.data).toBeInstanceOf(Float64Array);
  });

  it("large results copied out of wasm memory are whole arrays of their own, every element written", () => {
    // ≥ 4096 elements: in Node the result's buffer comes without a zero fill (Buffer.allocUnsafeSlow)
    for (const [A, n] of [[Float32Array, 5001], [Float64Array, 4099]] as const) {
      const x = new A(n).map((_, i) => Math.sin(i));
      const y = new A(n).map((_, i) => Math.cos(i) / 2);
      const { grads } = mseLoss.withGrad(x, y, { reduction: "sum" });
      const none = l1Loss(x, y, { reduction: "none" });
      for (const r of [grads.input.data, grads.target.data, none.data]) {
        expect(r).toBeInstanceOf(A);
        expect([r.length, r.byteOffset, r.buffer.byteLength]).toEqual([n, 0, n * A.BYTES_PER_ELEMENT]);
      }
      // by hand: ∂/∂x Σ(x − y)² = 2(x − y), ∂/∂y = −2(x − y); |x − y| per element, in the dtype
      for (let i = 0; i < n; i++) {
        const d = A.of(A.of(x[i])[0] - y[i])[0];
        expect(grads.input.data[i]).toBe(A.of(2 * d)[0]);
        expect(grads.target.data[i]).toBe(A.of(-2 * d)[0]);
        expect(none.data[i]).toBe(Math.abs(d));
      }
    }
  });

  it("SIMD and scalar twin agree inside wasm", () => {
    const n = 1027;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const y = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
    const simd = huberLoss.withGrad(x, y, { delta: 0.3 });
    setScalarKernels(true);
    const scalar = huberLoss.withGrad(x, y, { delta: 0.3 });
    setScalarKernels(false);
    expect(Math.abs(simd.loss - scalar.loss)).toBeLessThan(1e-6 * Math.abs(scalar.loss));
    expect(Array.from(simd.grads.input.data)).toEqual(Array.from(scalar.grads.input.data));
  });
});
