// One rollup pass per entry point. The wasm-bindgen glue (ts/generated) is bundled in; the
// .wasm itself is copied beside the bundles by scripts/build.mjs, and each entry finds it
// with `new URL("./losskit_wasm_bg.wasm", import.meta.url)` (rollup rewrites import.meta.url
// for the CommonJS output), so users never configure a path.
import typescript from "@rollup/plugin-typescript";
import { dts } from "rollup-plugin-dts";

const ts = () => typescript({ tsconfig: "./tsconfig.json", noEmit: false, declaration: false, outDir: "dist" });
const external = [/^node:/];

export default [
  {
    input: "ts/src/entry/node.ts",
    external,
    plugins: [ts()],
    output: [
      { file: "dist/node.mjs", format: "es", sourcemap: true },
      { file: "dist/node.cjs", format: "cjs", sourcemap: true, exports: "named" },
    ],
  },
  {
    input: "ts/src/entry/browser.ts",
    external,
    plugins: [ts()],
    output: { file: "dist/browser.mjs", format: "es", sourcemap: true },
  },
  // losskit/tfjs: imports the core by name (one wasm instance) and tfjs-core, both external.
  {
    input: "ts/src/adapters/tfjs.ts",
    external: ["losskit", /^@tensorflow\//],
    plugins: [ts()],
    output: [
      { file: "dist/tfjs.mjs", format: "es", sourcemap: true },
      { file: "dist/tfjs.cjs", format: "cjs", sourcemap: true, exports: "named" },
    ],
  },
  {
    input: "ts/src/adapters/tfjs.ts",
    external: ["losskit", /^@tensorflow\//],
    plugins: [dts()],
    output: { file: "dist/tfjs.d.ts", format: "es" },
  },
  {
    input: "ts/src/index.ts",
    plugins: [dts()],
    output: { file: "dist/losskit.d.ts", format: "es" },
  },
];
