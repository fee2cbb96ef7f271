// Browser and bundler entry: fetches the .wasm beside this file with top-level await.
// Bundlers (Vite, webpack 5, Rollup, esbuild, Parcel) recognise `new URL(..., import.meta.url)`
// and emit the .wasm as an asset, so no path needs configuring.
import init, * as glue from "../../generated/losskit_wasm.js";
import { installBackend } from "../backend.js";

const exports = await init({ module_or_path: new URL("./losskit_wasm_bg.wasm", import.meta.url) });
installBackend(glue, exports.memory);

export * from "../index.js";
