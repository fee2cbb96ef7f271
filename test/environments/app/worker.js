// A module worker: sets its handler synchronously (nothing suspends its evaluation), so a
// message posted right after `new Worker()` is received; the handler awaits init().
import { init, mseLoss } from "losskit";

const ready = init();
self.onmessage = async (e) => {
  try {
    await ready;
    self.postMessage({ mse: mseLoss(Float32Array.from(e.data.input), Float32Array.from(e.data.target)) });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
