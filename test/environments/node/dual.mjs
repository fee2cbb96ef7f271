// `import` and `require` of losskit in one process: one module, so one wasm instance, one
// LossError class, and a wasm tensor made through one works through the other.
import { createRequire } from "node:module";
import * as esm from "losskit";

const cjs = createRequire(import.meta.url)("losskit");
const out = { sameFunction: esm.mseLoss === cjs.mseLoss, sameLossError: esm.LossError === cjs.LossError, sameTensorClass: esm.WasmTensor === cjs.WasmTensor };
const t = esm.tensor([2], "f32");
t.data.set([3, 1]);
out.esmTensorInCjs = cjs.mseLoss(t, Float32Array.of(1, 1)); // (2² + 0²)/2 = 2
const labels = esm.tensorFrom(new Int32Array([1]));
out.esmIndicesInCjs = cjs.crossEntropy({ data: Float64Array.of(0, 0), shape: [1, 2] }, labels); // ln 2
try {
  cjs.mseLoss(t, Float32Array.of(1));
} catch (e) {
  out.cjsErrorIsEsmLossError = e instanceof esm.LossError;
  out.code = e.code;
}
const before = esm.memoryStats().allocatedBytes;
t.dispose();
labels.dispose();
out.freedThroughCjsStats = before - cjs.memoryStats().allocatedBytes > 0;
console.log(JSON.stringify(out));
