// The page of the esbuild environments. esbuild does not emit assets referenced by
// `new URL(..., import.meta.url)`, so the README's line for esbuild: import the .wasm with
// `--loader:.wasm=file` and hand its URL to init().
import wasmUrl from "losskit/losskit_wasm_bg.wasm";
import { pageChecks, report } from "./checks.js";

report(pageChecks(wasmUrl));
