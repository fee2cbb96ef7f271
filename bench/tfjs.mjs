// Loads TensorFlow.js (core + cpu + wasm backends) in Node, with gradients.
//
// Two problems solved here:
//  1. The CJS node bundle of @tensorflow/tfjs-core (what the backends require) contains no
//     gradient definitions (those come with the umbrella @tensorflow/tfjs package, not
//     installed), so tf.grad fails with "gradient function not found for RealDiv". We import
//     tfjs-core's ESM dist/register_all_gradients.js; its extensionless imports need the
//     resolve hook in esm-extensionless-hook.mjs. Gradient and kernel registries and the
//     engine are kept on globalThis, so they land in the engine the CJS bundle uses.
//  2. tfjs-backend-wasm in Node needs setWasmPaths pointing at its dist/ directory (a plain
//     file path with a trailing slash works: the node bundle reads it with fs).
import { createRequire, register } from "node:module";
import path from "node:path";

export async function loadTf() {
  register("./esm-extensionless-hook.mjs", import.meta.url);
  const require = createRequire(import.meta.url);
  const tf = require("@tensorflow/tfjs-core");
  require("@tensorflow/tfjs-backend-cpu");
  const tfw = require("@tensorflow/tfjs-backend-wasm");
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
  tfw.setWasmPaths(dist);
  const info = { version: tf.version_core, wasm: null, cpu: null };
  for (const b of ["wasm", "cpu"]) {
    try {
      const ok = await tf.setBackend(b);
      await tf.ready();
      info[b] = ok ? { ok: true } : { ok: false, error: "setBackend returned false" };
      if (ok && b === "wasm") {
        info.wasm.simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
        info.wasm.threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
        info.wasm.threadsCount = typeof tfw.getThreadsCount === "function" ? tfw.getThreadsCount() : undefined;
      }
    } catch (e) {
      info[b] = { ok: false, error: String(e?.message ?? e) };
    }
  }
  return { tf, info };
}
