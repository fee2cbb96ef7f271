// Prepared calls (`loss.prepare`, `loss.withGrad.prepare`, ts/src/small.ts `prepareCall`): a
// call bound once to its tensors (wasm tensors or typed arrays) and options, run many times on
// the tensors' current contents. Every fixture case a prepared call can take runs through it,
// with wasm tensors and with typed arrays, and must give PyTorch's numbers; the rest checks
// what binding means (new contents, memory growth, disposal, nothing allocated, typed arrays
// larger than the staging area) and the errors of what cannot be prepared.
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

/** A fixture tensor as `{ data, shape }` of a typed array (f32/f64 per the case, Int32Array for indices). */
function typedTensor(t: FixtureTensor, dtype: "float32" | "float64") {
  const data = t.dtype === "int32" ? Int32Array.from(t.data.map(num)) : dtype === "float32" ? Float32Array.from(t.data.map(num)) : Float64Array.from(t.data.map(num));
  return { data, shape: [...t.shape] };
}

/** A case a prepared call takes: a reduced loss, no tensor options. */
function preparable(c: FixtureCase): boolean {
  // (softmaxCrossEntropy is crossEntropy under another name, not a row of the table)
  const info = L.losses.find((l: { name: string }) => l.name === (c.loss === "softmaxCrossEntropy" ? "crossEntropy" : c.loss));
  if ((c.options?.reduction ?? info.options.reduction) === "none" || c.gradOutput) return false;
  return !Object.values(c.options ?? {}).some((v) => v !== null && typeof v === "object");
}

for (const kind of ["wasm tensors", "typed arrays"] as const) {
  describe(`prepared calls on ${kind} match PyTorch on every fixture case they take`, () => {
    for (const { family, cases } of fixtureFamilies()) {
      const mine = cases.filter(preparable);
      it(`${family}: ${mine.length} cases, forward and withGrad, each run twice`, () => {
        expect(mine.length).toBeGreaterThan(0);
        for (const c of mine) {
          const made: WasmTensor[] = [];
          const keep = (w: WasmTensor) => (made.push(w), w);
          const float = c.dtype === "float32" ? "f32" : "f64";
          // Wasm tensors, or `{ data, shape }` typed arrays with typed-array gradient destinations.
          const args = Object.values(c.args).map((a) =>
            typeof a === "number" ? a : kind === "wasm tensors" ? keep(wasmTensor(a, c.dtype)) : typedTensor(a, c.dtype),
          );
          const opts = { ...(c.options ?? {}) } as Record<string, unknown>;
          const names = Object.keys(c.grads ?? {});
          const into: Record<string, { data: Float32Array | Float64Array } | Float32Array | Float64Array> = {};
          const intoData = (name: string) => { const d = into[name]; return "data" in d ? d.data : d; };
          for (const name of names) {
            const len = c.args[name].data.length;
            into[name] = kind === "wasm tensors" ? keep(tensor(c.args[name].shape, float)) : float === "f32" ? new Float32Array(len) : new Float64Array(len);
          }
          const tol = rtol(c.dtype);
          const fwd = L[c.loss].prepare(...args, opts);
          const step = L[c.loss].withGrad.prepare(...args, { ...opts, wrt: names, into });
          for (let round = 0; round < 2; round++) {
            assertClose(`${c.name} prepared loss`, [fwd()], c.output.data, tol);
            assertClose(`${c.name} prepared withGrad loss`, [step()], c.output.data, tol);
            for (const name of names) {
              const arg = c.args[name];
              let got: ArrayLike<number> = intoData(name);
              if (c.project === "logSoftmax") got = projectLogSoftmax(arg.data.map(num), got, arg.shape.at(-1)!);
              assertClose(`${c.name} prepared grad ${name}`, got, c.grads![name].data, tol);
            }
            for (const name of names) intoData(name).fill(NaN); // the second round must write them again
          }
          for (const w of made) w.dispose();
        }
      });
    }
  });
}

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

  it("copies typed arrays in and gradients out at each call (mse, closed form)", () => {
    const x = Float64Array.of(1, 2, 3);
    const y = { data: Float64Array.of(0, 0, 0), shape: [3] };
    const gx = new Float64Array(3);
    const gy = tensor([3], "f64"); // a wasm tensor destination beside a typed array
    const step = mseLoss.withGrad.prepare(x, y, { into: { input: gx, target: gy } });
    expect(step()).toBe(14 / 3);
    expect(Array.from(gx)).toEqual([2 / 3, 4 / 3, 2]);
    expect(Array.from(gy.data)).toEqual([-2 / 3, -4 / 3, -2]);
    x.set([0, 0, 3]);
    y.data.set([0, 1, 0]);
    expect(step()).toBe(10 / 3);
    expect(Array.from(gx)).toEqual([0, -2 / 3, 2]);
    expect(Array.from(gy.data)).toEqual([-0, 2 / 3, -2]); // −(2/N)·0, as PyTorch negates the input's gradient
    // Class indices from an Int32Array: crossEntropy of logits [0, ln 3] with class 1.
    const t = Int32Array.of(1);
    const ce = crossEntropy.prepare({ data: Float32Array.of(0, Math.log(3)), shape: [1, 2] }, t);
    expect(ce()).toBeCloseTo(-Math.log(0.75), 6);
    t[0] = 0;
    expect(ce()).toBeCloseTo(-Math.log(0.25), 6);
    gy.dispose();
  });

  it("runs typed arrays larger than the staging area through the general path, with the same results", () => {
    const n = 50_000; // 3 × 200 KB: more than the 64 KiB area
    const x = new Float32Array(n).fill(2);
    const y = new Float32Array(n);
    const g = new Float32Array(n);
    const step = mseLoss.withGrad.prepare(x, y, { wrt: ["input"], into: { input: g } });
    expect(step()).toBe(4);
    expect(g[0]).toBeCloseTo(4 / n, 9); // (f32: within a few ulp of 8e-5)
    expect(g[n - 1]).toBeCloseTo(4 / n, 9);
    x.fill(1);
    expect(step()).toBe(1);
    expect(g[n - 1]).toBeCloseTo(2 / n, 9);
    const before = memoryStats().allocatedBytes;
    step();
    expect(memoryStats().allocatedBytes).toBe(before); // its wasm scratch is released within the call
  });

  it("keeps working after memory grows between calls, with typed arrays", () => {
    const x = Float32Array.of(3, 1);
    const g = new Float32Array(2);
    const step = mseLoss.withGrad.prepare(x, Float32Array.of(1, 1), { wrt: ["input"], into: { input: g } });
    const big = tensor([1 << 22], "f64"); // 32 MiB: wasm memory grows, old views detach
    expect(step()).toBe(2);
    expect(Array.from(g)).toEqual([2, 0]);
    big.dispose();
  });

  it("refuses a typed array whose buffer was detached after prepare, and keeps working", () => {
    const x = Float32Array.of(3, 1);
    const y = Float32Array.of(1, 1);
    const g = new Float32Array(2);
    const step = mseLoss.withGrad.prepare(x, y, { wrt: ["input"], into: { input: g } });
    const other = mseLoss.withGrad.prepare(Float32Array.of(2), Float32Array.of(0), { wrt: ["input"], into: { input: new Float32Array(1) } });
    structuredClone(x.buffer, { transfer: [x.buffer] }); // x is now detached: length 0
    expectLossError(() => step(), "INVALID_ARGUMENT", "mseLoss.withGrad.prepare", "input", "detached");
    expect(other()).toBe(4);
    const h = Float32Array.of(5);
    const fwd = mseLoss.withGrad.prepare(Float32Array.of(1), Float32Array.of(0), { wrt: ["input"], into: { input: h } });
    structuredClone(h.buffer, { transfer: [h.buffer] });
    expectLossError(() => fwd(), "INVALID_ARGUMENT", "into.input", "detached");
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
    expectLossError(() => mseLoss.prepare([1, 2] as never, y), "INVALID_ARGUMENT", "mseLoss.prepare", "input", "typed array");
    expectLossError(() => mseLoss.prepare(x, y, { reduction: "none" }), "INVALID_OPTION", "reduction 'none'");
    expectLossError(() => mseLoss.prepare(x, y, { weight: y }), "INVALID_OPTION", "weight");
    expectLossError(() => mseLoss.withGrad.prepare(x, y), "INVALID_OPTION", "into");
    expectLossError(() => mseLoss.withGrad.prepare(Float32Array.of(1, 2), y, { wrt: ["input"] }), "INVALID_OPTION", "into.input");
    expectLossError(() => mseLoss.withGrad.prepare(Float32Array.of(1, 2), y, { wrt: ["input"], into: { input: new Float32Array(3) } }), "SHAPE_MISMATCH", "into.input");
    expectLossError(() => mseLoss.withGrad.prepare(x, y, { into: { input: g } }), "INVALID_OPTION", "into.target");
    expectLossError(() => mseLoss.prepare(x, y64), "DTYPE_MISMATCH", "mseLoss");
    expectLossError(() => L.sigmoidFocalLoss.prepare(x, y), "INVALID_OPTION", "reduction 'none'"); // (its default)
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
