// Prepared calls (`loss.prepare`, `loss.withGrad.prepare`, ts/src/small.ts `prepareCall`): a
// call bound once to wasm tensors and options, run many times on the tensors' current
// contents. Every fixture case a prepared call can take runs through it and must give
// PyTorch's numbers; the rest checks what binding means (new contents, memory growth,
// disposal, nothing allocated) and the errors of what cannot be prepared.
import { describe, expect, it } from "vitest";
import { L, assertClose, expectLossError, fixtureFamilies, num, projectLogSoftmax, rtol } from "./helpers";
import type { FixtureCase, FixtureTensor } from "./helpers";

const { mseLoss, crossEntropy, huberLoss, memoryStats, tensor, tensorFrom } = L;

type WasmTensor = { data: Float32Array | Float64Array | Int32Array; shape: number[]; dispose(): void };

/** A wasm tensor holding a fixture tensor (f32/f64 per the case, i32 for indices). */
function wasmTensor(t: FixtureTensor, dtype: "float32" | "float64"): WasmTensor {
  const d = t.dtype === "int32" ? "i32" : dtype === "float32" ? "f32" : "f64";
  const w = tensor(t.shape, d) as WasmTensor;
  w.data.set(t.data.map(num));
  return w;
}

/** A case a prepared call takes: a reduced loss, no tensor options, non-empty tensors. */
function preparable(c: FixtureCase): boolean {
  // (softmaxCrossEntropy is crossEntropy under another name, not a row of the table)
  const info = L.losses.find((l: { name: string }) => l.name === (c.loss === "softmaxCrossEntropy" ? "crossEntropy" : c.loss));
  if ((c.options?.reduction ?? info.options.reduction) === "none" || c.gradOutput) return false;
  if (Object.values(c.options ?? {}).some((v) => v !== null && typeof v === "object")) return false;
  return Object.values(c.args).every((a) => typeof a === "number" || a.data.length > 0);
}

describe("prepared calls match PyTorch on every fixture case they take", () => {
  for (const { family, cases } of fixtureFamilies()) {
    const mine = cases.filter(preparable);
    it(`${family}: ${mine.length} cases, forward and withGrad, each run twice`, () => {
      expect(mine.length).toBeGreaterThan(0);
      for (const c of mine) {
        const made: WasmTensor[] = [];
        const keep = (w: WasmTensor) => (made.push(w), w);
        const args = Object.values(c.args).map((a) => (typeof a === "number" ? a : keep(wasmTensor(a, c.dtype))));
        const opts = { ...(c.options ?? {}) } as Record<string, unknown>;
        const names = Object.keys(c.grads ?? {});
        const into: Record<string, WasmTensor> = {};
        for (const name of names) into[name] = keep(tensor(c.args[name].shape, c.dtype === "float32" ? "f32" : "f64"));
        const tol = rtol(c.dtype);
        const fwd = L[c.loss].prepare(...args, opts);
        const step = L[c.loss].withGrad.prepare(...args, { ...opts, wrt: names, into });
        for (let round = 0; round < 2; round++) {
          assertClose(`${c.name} prepared loss`, [fwd()], c.output.data, tol);
          assertClose(`${c.name} prepared withGrad loss`, [step()], c.output.data, tol);
          for (const name of names) {
            const arg = c.args[name];
            let got: ArrayLike<number> = into[name].data;
            if (c.project === "logSoftmax") got = projectLogSoftmax(arg.data.map(num), got, arg.shape.at(-1)!);
            assertClose(`${c.name} prepared grad ${name}`, got, c.grads![name].data, tol);
          }
          for (const name of names) into[name].data.fill(NaN); // the second round must write them again
        }
        for (const w of made) w.dispose();
      }
    });
  }
});

describe("a prepared call", () => {
  it("reads the tensors' current contents at each call (mse, closed form)", () => {
    const x = tensorFrom(Float64Array.of(1, 2, 3));
    const y = tensorFrom(Float64Array.of(0, 0, 0));
    const g = tensor([3], "f64");
    const step = mseLoss.withGrad.prepare(x, y, { wrt: ["input"], into: { input: g } });
    expect(step()).toBe(14 / 3);
    expect(Array.from(g.data)).toEqual([2 / 3, 4 / 3, 2]);
    x.data.set([0, 0, 3]);
    y.data.set([0, 1, 0]);
    expect(step()).toBe(10 / 3);
    expect(Array.from(g.data)).toEqual([0, -2 / 3, 2]);
    const sum = mseLoss.prepare(x, y, { reduction: "sum" });
    expect(sum()).toBe(10);
    for (const t of [x, y, g]) t.dispose();
  });

  it("binds its options: huber's delta and the reduction, as given at prepare", () => {
    const x = tensorFrom(Float32Array.of(3, 0.5));
    const y = tensorFrom(Float32Array.of(0, 0));
    const g = tensor([2], "f32");
    const opts = { delta: 2, reduction: "sum" as const, wrt: ["input" as const], into: { input: g } };
    const step = huberLoss.withGrad.prepare(x, y, opts);
    opts.delta = 1; // later changes to the options object do not reach the prepared call
    // δ = 2: |3| > 2 → 2·(3 − 1) = 4; |0.5| ≤ 2 → 0.125.
    expect(step()).toBe(4.125);
    expect(Array.from(g.data)).toEqual([2, 0.5]);
    for (const t of [x, y, g]) t.dispose();
  });

  it("takes class-index targets and keeps working after memory grows", () => {
    // crossEntropy of logits [0, ln 3] with class 1: −ln(3/4); gradient softmax − onehot.
    const x = tensorFrom(Float64Array.of(0, Math.log(3)), [1, 2]);
    const t = tensorFrom(Int32Array.of(1));
    const g = tensor([1, 2], "f64");
    const step = crossEntropy.withGrad.prepare(x, t, { into: { input: g } });
    const before = memoryStats().memoryBytes;
    const big = tensor([1 << 22], "f64"); // 32 MiB: wasm memory grows, old views detach
    expect(memoryStats().memoryBytes).toBeGreaterThan(before);
    for (let k = 0; k < 2; k++) {
      expect(step()).toBeCloseTo(-Math.log(0.75), 14);
      expect(g.data[0]).toBeCloseTo(0.25, 14);
      expect(g.data[1]).toBeCloseTo(-0.25, 14);
    }
    for (const w of [x, t, g, big]) w.dispose();
  });

  it("allocates nothing in wasm memory per call", () => {
    const x = tensorFrom(Float32Array.of(1, 2, 3, 4, 5));
    const y = tensor([5], "f32");
    const g = tensor([5], "f32");
    const step = mseLoss.withGrad.prepare(x, y, { wrt: ["input"], into: { input: g } });
    const before = memoryStats().allocatedBytes;
    for (let i = 0; i < 1000; i++) step();
    expect(memoryStats().allocatedBytes).toBe(before);
    for (const t of [x, y, g]) t.dispose();
  });

  it("reports the core's errors at each call, and the module keeps working", () => {
    const x = tensorFrom(Float32Array.of(0.2, 0.7));
    const y = tensorFrom(Float32Array.of(1, 0));
    const bad = tensorFrom(Float32Array.of(1, 2)); // BCE's target must lie in [0, 1]
    const ok = L.binaryCrossEntropy.prepare(x, y);
    const fails = L.binaryCrossEntropy.prepare(x, bad);
    expectLossError(() => fails(), "INVALID_TARGET", "binaryCrossEntropy");
    expect(ok()).toBeCloseTo(-(Math.log(0.2) + Math.log(0.3)) / 2, 6);
    const short = tensorFrom(Float32Array.of(1));
    expectLossError(() => mseLoss.prepare(x, short)(), "SHAPE_MISMATCH", "mseLoss");
    expect(mseLoss.prepare(x, y)()).toBeCloseTo((0.64 + 0.49) / 2, 6);
    for (const t of [x, y, bad, short]) t.dispose();
  });

  it("throws DISPOSED once one of its tensors was disposed", () => {
    const x = tensorFrom(Float32Array.of(1));
    const y = tensorFrom(Float32Array.of(0));
    const g = tensor([1], "f32");
    const step = mseLoss.withGrad.prepare(x, y, { wrt: ["input"], into: { input: g } });
    expect(step()).toBe(1);
    g.dispose();
    expectLossError(() => step(), "DISPOSED", "mseLoss.withGrad.prepare");
    x.dispose();
    y.dispose();
  });

  it("rejects what it cannot bind, naming it", () => {
    const x = tensorFrom(Float32Array.of(1, 2));
    const y = tensorFrom(Float32Array.of(0, 0));
    const g = tensor([2], "f32");
    const y64 = tensorFrom(Float64Array.of(0, 0));
    expectLossError(() => mseLoss.prepare(Float32Array.of(1, 2), y), "INVALID_ARGUMENT", "mseLoss.prepare", "input", "wasm tensor");
    expectLossError(() => mseLoss.prepare(x, y, { reduction: "none" }), "INVALID_OPTION", "reduction 'none'");
    expectLossError(() => mseLoss.prepare(x, y, { weight: y }), "INVALID_OPTION", "weight");
    expectLossError(() => mseLoss.withGrad.prepare(x, y), "INVALID_OPTION", "into");
    expectLossError(() => mseLoss.withGrad.prepare(x, y, { wrt: ["input"], into: { input: new Float32Array(2) } }), "INVALID_OPTION", "into.input");
    expectLossError(() => mseLoss.withGrad.prepare(x, y, { into: { input: g } }), "INVALID_OPTION", "into.target");
    expectLossError(() => mseLoss.prepare(x, y64), "DTYPE_MISMATCH", "mseLoss");
    expectLossError(() => L.sigmoidFocalLoss.prepare(x, y), "INVALID_ARGUMENT", "cannot be prepared");
    // ctcLoss (prepared through the general path): its gradient too must go into a wasm tensor.
    const lp = tensorFrom(Float32Array.from([0.3, 0.15, 0.55, 0.1, 0.5, 0.4], Math.log), [2, 3]); // (T, C): unbatched, lengths as numbers
    const labels = tensorFrom(Int32Array.of(1, 2));
    expectLossError(() => L.ctcLoss.withGrad.prepare(lp, labels, 2, 2, {}), "INVALID_OPTION", "into.logProbs");
    for (const t of [x, y, g, y64, lp, labels]) t.dispose();
  });

  it("prepares a forward call right after another loss's call with gradients", () => {
    const x = tensorFrom(Float64Array.of(3));
    const y = tensorFrom(Float64Array.of(1));
    expect(mseLoss(x, y)).toBe(4); // a forward call: mse's gradient slots are left clear
    L.l1Loss.withGrad(Float64Array.of(1), Float64Array.of(0)); // another loss's gradients staged in the area
    expect(mseLoss.prepare(x, y)()).toBe(4);
    for (const t of [x, y]) t.dispose();
  });
});
