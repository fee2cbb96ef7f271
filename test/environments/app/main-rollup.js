// The page of the Rollup environment: Rollup leaves `new URL("./losskit_wasm_bg.wasm",
// import.meta.url)` as it is, so the README says to copy the .wasm beside the bundle.
import { pageChecks, report } from "./checks.js";

report(pageChecks());
