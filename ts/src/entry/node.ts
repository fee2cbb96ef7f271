// Node entry (ESM and CommonJS): loads the .wasm synchronously at import, so every function
// is ready as soon as `import`/`require` returns and `init()` resolves at once. The .wasm is
// looked for beside this file, then as the installed package seen from the working directory
// (a bundle made with esbuild --platform=node lives elsewhere than the package). If neither
// exists the import still succeeds: `init(bytes | path | URL | WebAssembly.Module)` loads it,
// and a loss called before throws NOT_INITIALIZED.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import loadGlue, * as glue from "../../generated/losskit_wasm.js";
import { type InitInput, installBackend, setLoader } from "../backend.js";

const WASM = "losskit_wasm_bg.wasm";

/** Where the .wasm may be: beside this file, or the installed package's (resolved from the working directory). */
function candidates(): string[] {
  const found: string[] = [];
  try {
    found.push(fileURLToPath(new URL(`./${WASM}`, import.meta.url)));
  } catch {
    // import.meta.url is empty or __filename undefined in some bundles
  }
  try {
    found.push(createRequire(join(process.cwd(), "noop.js")).resolve(`losskit/${WASM}`));
  } catch {
    // not installed where the process runs
  }
  return found;
}

function loadSync(bytes: BufferSource | WebAssembly.Module): void {
  installBackend(glue, glue.initSync({ module: bytes }).memory);
}

const path = candidates().find((p) => existsSync(p));
if (path !== undefined) loadSync(readFileSync(path));

/** A path or file: URL is read from disk; bytes and modules load synchronously; anything else (http URL, Response) goes through wasm-bindgen. */
setLoader(async (input) => {
  const given: InitInput | undefined = await input;
  if (given === undefined) {
    throw new Error(`losskit: ${WASM} was not found (looked beside the package and in ${process.cwd()}/node_modules): pass its path, URL or bytes to init()`);
  }
  const isFile = (s: string) => s.startsWith("file:") || !/^[a-z][a-z0-9+.-]*:/i.test(s);
  if (typeof given === "string" && isFile(given)) return loadSync(readFileSync(given.startsWith("file:") ? fileURLToPath(given) : given));
  if (given instanceof URL && given.protocol === "file:") return loadSync(readFileSync(given));
  if (given instanceof WebAssembly.Module || ArrayBuffer.isView(given) || given instanceof ArrayBuffer) return loadSync(given);
  const exports = await loadGlue({ module_or_path: given });
  installBackend(glue, exports.memory);
});

export * from "../index.js";
