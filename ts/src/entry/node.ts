// Node entry (ESM and CommonJS): loads the .wasm beside this file synchronously, so every
// function is ready as soon as `import`/`require` returns.
import { readFileSync } from "node:fs";
import * as glue from "../../generated/losskit_wasm.js";
import { installBackend } from "../backend.js";

const exports = glue.initSync({ module: readFileSync(new URL("./losskit_wasm_bg.wasm", import.meta.url)) });
installBackend(glue, exports.memory);

export * from "../index.js";
