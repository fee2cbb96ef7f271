// Node CommonJS: synchronous at require (no init() needed), init() resolves at once.
const { LossError, init, mseLoss, simdEnabled } = require("losskit");

let code;
try {
  mseLoss(new Float32Array(2), new Float32Array(3));
} catch (e) {
  code = e instanceof LossError ? e.code : String(e);
}
init().then(() => console.log(JSON.stringify({ mse: mseLoss(Float32Array.of(3), Float32Array.of(1)), simd: simdEnabled(), code })));
