// A classic worker: importScripts the IIFE build (global `losskit`) and give init() the .wasm's
// URL (in a worker the IIFE cannot know its own URL; it would look beside the worker script).
importScripts("/node_modules/losskit/dist/browser.iife.js");

const ready = losskit.init("/node_modules/losskit/dist/losskit_wasm_bg.wasm");
self.onmessage = async (e) => {
  try {
    await ready;
    self.postMessage({ mse: losskit.mseLoss(Float32Array.from(e.data.input), Float32Array.from(e.data.target)) });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
