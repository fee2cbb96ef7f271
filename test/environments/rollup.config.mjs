// The Rollup environment: exactly the README's configuration (node-resolve with the browser
// condition); the test copies losskit_wasm_bg.wasm beside the bundle as the README says.
import { nodeResolve } from "@rollup/plugin-node-resolve";

export default { input: "app/main-rollup.js", output: { dir: "out-rollup", format: "es" }, plugins: [nodeResolve({ browser: true })] };
