// The page of the esbuild environments. esbuild does not emit assets referenced by
// `new URL(..., import.meta.url)`, so the README's lines for esbuild: import the .wasm with
// `--loader:.wasm=file` (its URL) or `--loader:.wasm=binary` (its bytes, inlined) and hand it
// to init().
import wasmUrl from "losskit/losskit_wasm_bg.wasm";
import { pageChecks, report } from "./checks.js";

report(pageChecks(wasmUrl));
