// Browser and bundler entry, with no top-level await: importing it loads nothing, and
// `await init()` (once) fetches and instantiates the .wasm; a loss called before that throws
// NOT_INITIALIZED. Without an argument, init() finds the .wasm beside this file through
// `new URL("./losskit_wasm_bg.wasm", import.meta.url)`, which Vite, webpack 5, Rollup and
// Parcel recognise and emit as an asset; evaluated only inside init(), so a bundle whose
// `import.meta` is empty (an IIFE, esbuild) still loads when given the URL or bytes.
import loadGlue, * as glue from "../../generated/losskit_wasm.js";
import { installBackend, setLoader } from "../backend.js";

setLoader(async (input) => {
  const exports = await loadGlue({ module_or_path: input ?? new URL("./losskit_wasm_bg.wasm", import.meta.url) });
  installBackend(glue, exports.memory);
});

export * from "../index.js";
