// One rollup pass per entry point. The wasm-bindgen glue (ts/generated) is bundled in; the
// .wasm itself is copied beside the bundles by scripts/build.mjs, and each entry finds it
// with `new URL("./losskit_wasm_bg.wasm", import.meta.url)` (rollup rewrites import.meta.url
// for the CommonJS output), so users never configure a path.
// No source maps: the package ships dist/ alone, where a map's `sources` (ts/src) would not
// resolve; the bundles are unminified, readable JS.
import typescript from "@rollup/plugin-typescript";
import { dirname, join } from "node:path";
import { dts } from "rollup-plugin-dts";

const ts = () => typescript({ tsconfig: "./tsconfig.json", noEmit: false, declaration: false, outDir: "dist" });
const external = [/^node:/];

// In the IIFE (classic workers, plain scripts) import.meta.url is the script's own URL when a
// page runs it and the worker's URL in a worker (where no API tells an imported script its URL).
const iifeScriptUrl = {
  name: "iife-script-url",
  resolveImportMeta(prop, { format }) {
    if (format === "iife" && prop === "url") return "losskitScriptUrl";
    return null;
  },
};
const iifeIntro =
  'var losskitScriptUrl = typeof document !== "undefined" && document.currentScript ? document.currentScript.src : typeof location !== "undefined" ? location.href : "";';

const isCore = (id) => /[\\/]ts[\\/]src[\\/]index\.(js|ts)$/.test(id);
/** The adapter's imports of the core resolve to the external package name. */
const coreByName = () => ({
  name: "core-by-name",
  resolveId: (id, importer) => (importer !== undefined && id.startsWith(".") && isCore(join(dirname(importer), id)) ? { id: "losskit", external: true } : null),
});
const adapterExternal = [/^@tensorflow\//];

export default [
  {
    input: "ts/src/entry/node.ts",
    external,
    plugins: [ts()],
    // CommonJS only: dist/node.mjs re-exports it (written by scripts/build.mjs).
    output: { file: "dist/node.cjs", format: "cjs", exports: "named" },
  },
  {
    input: "ts/src/entry/browser.ts",
    external,
    plugins: [ts(), iifeScriptUrl],
    output: [
      { file: "dist/browser.mjs", format: "es" },
      // For classic workers (importScripts) and plain <script> tags: the same entry as a global `losskit`.
      { file: "dist/browser.iife.js", format: "iife", name: "losskit", intro: iifeIntro },
    ],
  },
  // losskit/tfjs: tfjs-core and the core stay external; the source's `../index.js` (the core's
  // types) becomes `import "losskit"`, so the adapter shares the one loaded wasm instance.
  {
    input: "ts/src/adapters/tfjs.ts",
    external: adapterExternal,
    plugins: [coreByName(), ts()],
    output: [
      { file: "dist/tfjs.mjs", format: "es" },
      { file: "dist/tfjs.cjs", format: "cjs", exports: "named" },
    ],
  },
  {
    input: "ts/src/adapters/tfjs.ts",
    external: adapterExternal,
    plugins: [coreByName(), dts()],
    output: { file: "dist/tfjs.d.ts", format: "es" },
  },
  {
    input: "ts/src/index.ts",
    plugins: [dts()],
    output: { file: "dist/losskit.d.ts", format: "es" },
  },
];
