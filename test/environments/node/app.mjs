// Node ESM: synchronous at import (no init() needed), init() resolves at once.
import { LossError, init, mseLoss, simdEnabled } from "losskit";

await init();
let code;
try {
  mseLoss(new Float32Array(2), new Float32Array(3));
} catch (e) {
  code = e instanceof LossError ? e.code : String(e);
}
console.log(JSON.stringify({ mse: mseLoss(Float32Array.of(3), Float32Array.of(1)), simd: simdEnabled(), code }));
