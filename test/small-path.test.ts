// The small-call path (ts/src/small.ts) and the general one (spec.ts `execute`) give the same
// numbers: every loss of the table is called once on each path (`setSmallCalls`), and the
// values and gradients must agree bit for bit. Values are also checked against
// closed forms, and the small path must allocate nothing that outlives the call.
import { describe, expect, it } from "vitest";
import { losskit } from "./helpers";

const { losses, mseLoss, crossEntropy, gaussianNllLoss, memoryStats, tensorFrom, setSmallCalls } = losskit;

type AnyLoss = ((...a: unknown[]) => unknown) & { withGrad: (...a: unknown[]) => { loss: number; grads: Record<string, { data: ArrayLike<number>; shape: readonly number[] }> } };

/** Small, valid arguments for a loss of the table (rows of 3 classes; input values in (0, 1), which every loss accepts; labels ±1; indices in range). */
function sampleArgs(name: string, kinds: readonly string[], F: Float32ArrayConstructor | Float64ArrayConstructor): unknown[] {
  const input = { data: F.of(0.3, 0.15, 0.8, 0.1, 0.5, 0.35), shape: [2, 3] };
  // ctcLoss: log-probabilities of T = 2 steps, N = 1, C = 3, the label sequence [1, 2].
  if (name === "ctcLoss") return [{ data: input.data.map(Math.log), shape: [2, 1, 3] }, Int32Array.of(1, 2), Int32Array.of(2), Int32Array.of(2)];
  // diceLoss: one image of 2 channels × 3 pixels and a float target.
  if (name === "diceLoss") return [{ data: input.data, shape: [1, 2, 3] }, { data: F.of(1, 0, 1, 0, 1, 0), shape: [1, 2, 3] }];
  return kinds.map((kind, i) => {
    if (kind === "boxes") return { data: i === 0 ? F.of(0, 0, 1, 1, 0.5, 0.5, 2, 3) : F.of(0.2, 0.1, 1.5, 1, 0, 0.5, 2, 2), shape: [2, 4] };
    if (i === 0) return input;
    switch (kind) {
      case "index":
      case "class":
        return Int32Array.of(2, 0);
      case "multilabel":
        return { data: Int32Array.of(1, -1, 0, 0, 2, -1), shape: [2, 3] };
      case "rowSign":
        return F.of(1, -1);
      case "sign":
        return { data: F.of(1, -1, 1, -1, -1, 1), shape: [2, 3] };
      default:
        // Probabilities in (0, 1) suit every float target (BCE's, KL's, …), positive for variances.
        return { data: F.of(0.2, 0.7, 0.4, 0.9, 0.1, 0.6), shape: [2, 3] };
    }
  });
}

describe("the small-call path", () => {
  for (const info of losses) {
    for (const F of [Float32Array, Float64Array]) {
      it(`${info.name} (${F.name}) agrees with the general path`, () => {
        const fn = (losskit as unknown as Record<string, AnyLoss>)[info.name];
        const args = sampleArgs(info.name, info.args.map((a) => a.kind), F);
        // Reduced (a loss whose default is 'none' is asked for 'mean'): the small path's calls.
        const opts = info.reductions.length > 0 ? { reduction: "mean" } : {};
        const small = fn.withGrad(...args, opts);
        const names = Object.keys(small.grads);
        setSmallCalls(false);
        let general: ReturnType<AnyLoss["withGrad"]>;
        let generalWrt: ReturnType<AnyLoss["withGrad"]>;
        try {
          general = fn.withGrad(...args, opts);
          generalWrt = fn.withGrad(...args, { ...opts, wrt: names.slice(0, 1) });
        } finally {
          setSmallCalls(true);
        }
        // `wrt` on the small path: only the gradients asked for.
        const smallWrt = fn.withGrad(...args, { ...opts, wrt: names.slice(0, 1) });
        expect(Object.keys(smallWrt.grads)).toEqual(names.slice(0, 1));
        expect(Array.from(smallWrt.grads[names[0]].data)).toEqual(Array.from(generalWrt.grads[names[0]].data));
        expect(Object.is(small.loss, general.loss) || small.loss === general.loss).toBe(true);
        expect(Number.isFinite(small.loss)).toBe(true);
        for (const n of names) {
          expect(small.grads[n].data).toBeInstanceOf(F);
          expect(Array.from(small.grads[n].data)).toEqual(Array.from(general.grads[n].data));
          expect(small.grads[n].shape).toEqual(general.grads[n].shape);
        }
        expect(fn(...args, opts)).toBe(small.loss);
      });
    }
  }

  it("matches closed forms and allocates nothing that outlives the call", () => {
    const before = memoryStats().allocatedBytes;
    // mse: mean((x − y)²) and 2(x − y)/n
    const { loss, grads } = mseLoss.withGrad(Float64Array.of(1, 2, 4), Float64Array.of(0, 0, 1));
    expect(loss).toBe((1 + 4 + 9) / 3);
    expect(Array.from(grads.input.data)).toEqual([2 / 3, 4 / 3, 2]);
    expect(Array.from(grads.target.data)).toEqual([-2 / 3, -4 / 3, -2]);
    // cross-entropy of one row with uniform logits: ln 3, gradient softmax − onehot
    const ce = crossEntropy.withGrad({ data: Float64Array.of(0, 0, 0), shape: [1, 3] }, Int32Array.of(1));
    expect(ce.loss).toBeCloseTo(Math.log(3), 14);
    [1 / 3, -2 / 3, 1 / 3].forEach((v, i) => expect(ce.grads.input.data[i]).toBeCloseTo(v, 14));
    expect(ce.grads.input.shape).toEqual([1, 3]);
    // a number for a tensor (gaussianNll's variance): ½(ln 1 + (x − y)²/1), mean over 2
    expect(gaussianNllLoss(Float64Array.of(1, 3), Float64Array.of(0, 0), 1)).toBe(2.5);
    // wasm tensors (described in place) and a number-free call
    const x = tensorFrom(Float32Array.of(3, -1));
    const y = tensorFrom(Float32Array.of(1, 1));
    expect(mseLoss(x, y, { reduction: "sum" })).toBe(8);
    x.dispose();
    y.dispose();
    expect(memoryStats().allocatedBytes).toBe(before);
  });

  it("writes gradients in place into wasm tensors given in `into`, and leaves overlaps to the general path's errors", () => {
    const x = tensorFrom(Float32Array.of(1, 2, 4));
    const y = tensorFrom(Float32Array.of(0, 0, 1));
    const gx = losskit.tensor([3], "f32");
    const gy = losskit.tensor([3], "f32");
    const short = losskit.tensor([2], "f32");
    const wide = losskit.tensor([3], "f64");
    const before = memoryStats().allocatedBytes;
    const r = mseLoss.withGrad(x, y, { wrt: ["input"], into: { input: gx } });
    expect(r.loss).toBeCloseTo(14 / 3, 6);
    expect(r.grads.input).toBe(gx);
    expect(Array.from(gx.data)).toEqual([2 / 3, 4 / 3, 2].map(Math.fround));
    expect(Object.keys(r.grads)).toEqual(["input"]);
    const both = mseLoss.withGrad(x, y, { into: { input: gx, target: gy } });
    expect(both.grads.target).toBe(gy);
    expect(Array.from(gy.data)).toEqual([-2 / 3, -4 / 3, -2].map(Math.fround));
    // Forward calls after a gradient call leave the tensors that received its gradients alone.
    gx.data.fill(7);
    gy.data.fill(7);
    expect(mseLoss(x, y)).toBeCloseTo(14 / 3, 6);
    expect(mseLoss(x, y, { reduction: "sum" })).toBeCloseTo(14, 5);
    expect([...gx.data, ...gy.data]).toEqual(Array(6).fill(7));
    // Exactly over its own input: allowed for an element-wise loss (each element is read before it is written).
    const self = mseLoss.withGrad(x, y, { wrt: ["input"], into: { input: x } });
    expect(self.grads.input).toBe(x);
    expect(Array.from(x.data)).toEqual([2 / 3, 4 / 3, 2].map(Math.fround));
    // The same destination for both gradients: the general path's INVALID_ARGUMENT.
    expect(() => mseLoss.withGrad(x, y, { into: { input: gx, target: gx } })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    // A typed-array destination, a wrong length, a wrong dtype: the general path (filled, or its errors).
    const dest = new Float32Array(3);
    expect(mseLoss.withGrad(Float32Array.of(1, 2, 4), Float32Array.of(0, 0, 1), { wrt: ["input"], into: { input: dest } }).grads.input.data).toBe(dest);
    expect(() => mseLoss.withGrad(x, y, { into: { input: short } })).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => mseLoss.withGrad(x, y, { into: { input: wide } })).toThrow(expect.objectContaining({ code: "DTYPE_MISMATCH" }));
    expect(memoryStats().allocatedBytes).toBe(before); // nothing left behind by any of these calls
    for (const t of [x, y, gx, gy, short, wide]) t.dispose();
  });

  it("fills typed arrays given in `into` as the general path does, and leaves shared buffers to it", () => {
    const x = Float64Array.of(0.5, -1, 3, 2.25, 7);
    const y = Float64Array.of(1, 1, -2, 2, 0);
    const run = (small: boolean) => {
      setSmallCalls(small);
      try {
        const gi = new Float64Array(5).fill(NaN);
        const gt = new Float64Array(5).fill(NaN);
        // A counting getter tells the paths apart: the small path reads `into` once; a call
        // it hands on is read again by the general path.
        let reads = 0;
        const opts = {
          get into() {
            reads++;
            return { input: gi, target: gt };
          },
        };
        const r = crossEntropy.withGrad({ data: x, shape: [1, 5] }, { data: y.map((v) => Math.abs(v) / 13.25), shape: [1, 5] }, opts);
        if (small) expect(reads).toBe(1);
        expect(r.grads.input.data).toBe(gi);
        expect(r.grads.target.data).toBe(gt);
        expect(r.grads.input.shape).toEqual([1, 5]);
        return [r.loss, Array.from(gi), Array.from(gt)];
      } finally {
        setSmallCalls(true);
      }
    };
    const small = run(true);
    expect(small).toEqual(run(false)); // bit for bit
    // The closed form of the input gradient with soft targets (one row, 'mean'): p·Σy − y.
    const p = Array.from(x, Math.exp);
    const z = p.reduce((a, b) => a + b, 0);
    const target = Array.from(y, (v) => Math.abs(v) / 13.25);
    const ty = target.reduce((a, b) => a + b, 0);
    (small[1] as number[]).forEach((g, c) => expect(g).toBeCloseTo((p[c] / z) * ty - target[c], 12));
    // A destination sharing an input's buffer (here: the input itself, which the general
    // path allows for an element-wise loss) and two destinations sharing one buffer.
    const xs = Float32Array.of(1, 2, 4);
    const r = mseLoss.withGrad(xs, Float32Array.of(0, 0, 1), { wrt: ["input"], into: { input: xs } });
    expect(r.grads.input.data).toBe(xs);
    expect(Array.from(xs)).toEqual([2 / 3, 4 / 3, 2].map(Math.fround));
    const shared = new Float32Array(6);
    expect(() => mseLoss.withGrad(Float32Array.of(1, 2, 4), Float32Array.of(0, 0, 1), { into: { input: shared.subarray(0, 3), target: shared.subarray(2, 5) } })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });

  it("hands calls beyond the staging area to the general path", () => {
    const n = 70_000; // 2 × 280 KB of f32 input plus gradients: more than the 64 KiB area
    const x = new Float32Array(n).fill(1);
    const y = new Float32Array(n);
    const { loss, grads } = mseLoss.withGrad(x, y, { reduction: "sum" });
    expect(loss).toBe(n);
    expect(grads.input.data[n - 1]).toBe(2);
  });

  it("reports errors as the general path does", () => {
    expect(() => mseLoss(Float32Array.of(1, 2), Float32Array.of(1, 2, 3))).toThrow(/target has shape \[3\] but input has shape \[2\]/);
    expect(() => mseLoss(Float32Array.of(1), Float64Array.of(1))).toThrow(expect.objectContaining({ code: "DTYPE_MISMATCH" }));
    expect(() => mseLoss(Float32Array.of(1), Float32Array.of(1), { reduction: "avg" as "mean" })).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });
});
