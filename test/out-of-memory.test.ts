// Running out of wasm memory for real (wasm32 has 4 GiB): a tensor, a call's staging and the
// core's own temporaries (a broadcast weight, a scalar var expanded to the input's length)
// that cannot be allocated are OUT_OF_MEMORY LossErrors, not traps or RangeErrors; the
// allocation counter counts only what was allocated; afterwards the module keeps working and
// nothing stays allocated. Linear memory cannot shrink, so its size stays where growth left it.
// Fills 2 GiB of wasm memory for a few seconds; LOSSKIT_SKIP_OOM=1 skips it.
import { describe, expect, it } from "vitest";
import { losskit } from "./helpers";

const { tensor, memoryStats, mseLoss, binaryCrossEntropyWithLogits, gaussianNllLoss, LossError } = losskit;

function expectOutOfMemory(label: string, fn: () => unknown) {
  const before = memoryStats().allocatedBytes;
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `${label}: throws a LossError`).toBeInstanceOf(LossError);
  expect((caught as InstanceType<typeof LossError>).code, `${label}: ${(caught as Error).message}`).toBe("OUT_OF_MEMORY");
  expect(memoryStats().allocatedBytes, `${label}: nothing stays allocated`).toBe(before);
  expect(mseLoss(Float64Array.of(1, 2), Float64Array.of(0, 0)), `${label}: the module still works`).toBe(2.5);
}

describe.skipIf(process.env.LOSSKIT_SKIP_OOM === "1")("out of wasm memory", () => {
  it("tensors, staging and the core's temporaries fail as OUT_OF_MEMORY, and nothing leaks", () => {
    const base = memoryStats().allocatedBytes;
    // 2 GiB less 64 bytes, the largest one allocation: a second one cannot fit in wasm32's 4 GiB.
    const a = tensor([2 ** 29 - 16], "f32");
    try {
      expect(memoryStats().allocatedBytes).toBe(base + a.length * 4);
      // A tensor wasm memory cannot grow for (the counter must not keep its size).
      expectOutOfMemory("a second 2 GiB tensor", () => tensor([2 ** 29 - 16], "f32"));
      expectOutOfMemory("a 2 GiB f64 tensor", () => tensor([2 ** 28 - 8], "f64"));
      // A call whose staging cannot be allocated (lazily zeroed JS memory: nothing is touched).
      const big = new Float32Array(2 ** 29 - 16);
      expectOutOfMemory("mseLoss of a 2 GiB typed array", () => mseLoss(big, big));
      // The core's temporaries: the input stays where it is (a wasm tensor), the weight is
      // broadcast to its 2 GiB, and var is expanded to it.
      expectOutOfMemory("binaryCrossEntropyWithLogits with a broadcast weight", () => binaryCrossEntropyWithLogits(a, a, { weight: Float32Array.of(1) }));
      expectOutOfMemory("binaryCrossEntropyWithLogits with a broadcast posWeight", () => binaryCrossEntropyWithLogits(a, a, { posWeight: Float32Array.of(2) }));
      expectOutOfMemory("gaussianNllLoss with a scalar var", () => gaussianNllLoss(a, a, 0.5));
      const wide = { data: a, shape: [4, 2 ** 27 - 4] } as never;
      expectOutOfMemory("gaussianNllLoss with a broadcast var", () => gaussianNllLoss(wide, wide, { data: Float32Array.of(1, 2, 3, 4), shape: [4, 1] }));
    } finally {
      a.dispose();
    }
    expect(memoryStats().allocatedBytes).toBe(base);
    // With the memory free again, the same kind of call succeeds.
    const c = tensor([2 ** 20], "f32");
    expect(binaryCrossEntropyWithLogits(c, c, { weight: Float32Array.of(1) })).toBeCloseTo(Math.LN2, 6);
    c.dispose();
    expect(memoryStats().allocatedBytes).toBe(base);
  });
});
