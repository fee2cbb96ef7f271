// A module worker without a bundler (import maps do not reach workers: the path is spelled out).
import { init, mseLoss } from "/node_modules/losskit/dist/browser.mjs";

const ready = init();
self.onmessage = async (e) => {
  try {
    await ready;
    self.postMessage({ mse: mseLoss(Float32Array.from(e.data.input), Float32Array.from(e.data.target)) });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
