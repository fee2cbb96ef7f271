// Node entry, built as CommonJS only (dist/node.cjs); dist/node.mjs is an ESM face that
// re-exports it (scripts/build.mjs), so `import` and `require` in one process share one wasm
// instance, one LossError class and one WasmTensor brand (no dual-package hazard).
//
// The .wasm loads synchronously at require, so every function is ready as soon as
// `import`/`require` returns and `init()` resolves at once. It is looked for beside this file,
// then as the installed package seen from the working directory (a bundle made with esbuild
// --platform=node lives elsewhere than the package). If neither exists the import still
// succeeds: `init(bytes | path | URL | WebAssembly.Module)` loads it, and a loss called before
// throws NOT_INITIALIZED.
import loadGlue, * as glue from "../../generated/losskit_wasm.js";
import { type InitInput, installBackend, setLoader } from "../backend.js";
import { setResultBuffer } from "../tensor.js";

// Node's modules through process.getBuiltinModule (Node ≥ 20.16) where it exists: a bundle
// that turns this CommonJS into ESM (esbuild --format=esm) has no working `require`.
function builtin<T>(id: string): T {
  return (process.getBuiltinModule?.(id) ?? require(id)) as T;
}
const fs = builtin<typeof import("node:fs")>("node:fs");
const path = builtin<typeof import("node:path")>("node:path");
const url = builtin<typeof import("node:url")>("node:url");
const { createRequire } = builtin<typeof import("node:module")>("node:module");
const { Buffer } = builtin<typeof import("node:buffer")>("node:buffer");

// Results copied out of wasm memory go into buffers Node does not zero-fill (each is filled
// entirely at once): the zero fill cost the copy path ~0.2 ns per element of a gradient at 10⁶.
// An unpooled Buffer's ArrayBuffer is its own, of exactly `bytes`.
setResultBuffer((bytes) => Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer);

const WASM = "losskit_wasm_bg.wasm";

/** Where the .wasm may be: beside this file, or the installed package's (resolved from the working directory). */
function candidates(): string[] {
  const found: string[] = [];
  if (typeof __dirname === "string") found.push(path.join(__dirname, WASM));
  try {
    found.push(createRequire(path.join(process.cwd(), "noop.js")).resolve(`losskit/${WASM}`));
  } catch {
    // not installed where the process runs
  }
  return found;
}

function loadSync(bytes: BufferSource | WebAssembly.Module): void {
  installBackend(glue, glue.initSync({ module: bytes }).memory);
}

const wasmPath = candidates().find((p) => fs.existsSync(p));
if (wasmPath !== undefined) loadSync(fs.readFileSync(wasmPath));

/** A path or file: URL is read from disk; bytes and modules load synchronously; anything else (http URL, Response) goes through wasm-bindgen. */
setLoader(async (input) => {
  const given: InitInput | undefined = await input;
  if (given === undefined) {
    throw new Error(`losskit: ${WASM} was not found (looked beside the package and in ${process.cwd()}/node_modules): pass its path, URL or bytes to init()`);
  }
  const isFile = (s: string) => s.startsWith("file:") || !/^[a-z][a-z0-9+.-]*:/i.test(s);
  if (typeof given === "string" && isFile(given)) return loadSync(fs.readFileSync(given.startsWith("file:") ? url.fileURLToPath(given) : given));
  if (given instanceof URL && given.protocol === "file:") return loadSync(fs.readFileSync(given));
  if (given instanceof WebAssembly.Module || ArrayBuffer.isView(given) || given instanceof ArrayBuffer) return loadSync(given);
  const exports = await loadGlue({ module_or_path: given });
  installBackend(glue, exports.memory);
});

export * from "../index.js";
