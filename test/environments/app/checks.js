// What every environment checks in the page (or worker) once losskit is bundled: a loss
// before init() is NOT_INITIALIZED, init() (given `wasm` or finding the .wasm itself) loads
// it, and losses return PyTorch's numbers as f32 with the SIMD build.
import { LossError, crossEntropy, init, mseLoss, simdEnabled } from "losskit";

export async function pageChecks(wasm) {
  const out = {};
  try {
    mseLoss(new Float32Array(1), new Float32Array(1));
    out.beforeInit = "no error";
  } catch (e) {
    out.beforeInit = e instanceof LossError ? e.code : String(e);
    out.beforeInitMessage = e.message;
  }
  await Promise.all([init(wasm), init(wasm)]);
  out.simd = simdEnabled();
  const r = mseLoss.withGrad(new Float32Array([1, 2, 4]), new Float32Array([1, 0, 1]));
  out.mse = r.loss; // ((1−1)² + (2−0)² + (4−1)²)/3 = 13/3
  out.gradIsF32 = r.grads.input.data instanceof Float32Array;
  out.ce = crossEntropy({ data: new Float64Array(4), shape: [2, 2] }, new Int32Array([0, 1])); // ln 2
  try {
    mseLoss(new Float32Array(2), new Float32Array(3));
  } catch (e) {
    out.errorCode = e instanceof LossError ? e.code : String(e);
  }
  return out;
}

/** Reports to the test: window.__result, read by Chromium through playwright. */
export function report(promise) {
  promise.then(
    (r) => (window.__result = r),
    (e) => (window.__result = { error: String((e && e.stack) || e) }),
  );
}
