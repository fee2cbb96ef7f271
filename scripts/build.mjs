// @ts-check
// Builds the npm package into dist/:
//   cargo   crates/losskit-wasm → wasm32 (simd128 via .cargo/config.toml), release profile
//   bindgen wasm-bindgen --target web → ts/generated/ (ESM glue + .d.ts, the TS layer's contract)
//   opt     wasm-opt -O3, Dice's functions kept out of its inlining (binaryen from npm: Debian's is too old)
//   rollup  ts/ → dist/node.cjs (+ its ESM face dist/node.mjs), dist/browser.mjs, dist/browser.iife.js,
//           dist/losskit.d.ts
//   size    raw / gzip / brotli size of the .wasm
// Usage: node scripts/build.mjs [step ...]   (default: all steps in order)
// The Rust toolchain for wasm32 is the one scripts/setup.sh recorded in .toolchain/env.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasmOut = join(root, "target/wasm32-unknown-unknown/release/losskit_wasm.wasm");
const generated = join(root, "ts/generated");
const bg = join(generated, "losskit_wasm_bg.wasm");
const bin = (name) => join(root, "node_modules/.bin", name);

/** @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} [env] */
function run(cmd, args, env = process.env) {
  execFileSync(cmd, args, { cwd: root, stdio: "inherit", env });
}

function toolchainEnv() {
  const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
  const file = join(root, ".toolchain/env");
  if (!existsSync(file)) throw new Error("no .toolchain/env: run `npm run setup` (scripts/setup.sh) first");
  const m = /RUST_WASM_TOOLCHAIN=(\S*)/.exec(readFileSync(file, "utf8"));
  if (m && m[1]) env.RUSTUP_TOOLCHAIN = m[1];
  return env;
}

/**
 * dist/node.mjs: the ESM face of dist/node.cjs, naming each of its exports, so that `import`
 * and `require` in one process share one module (one wasm instance, one LossError class).
 */
function writeNodeEsm() {
  const names = Object.keys(createRequire(import.meta.url)(join(root, "dist/node.cjs"))).filter((n) => n !== "__esModule");
  const lines = [
    "// The ESM face of ./node.cjs (written by scripts/build.mjs): import and require share one",
    "// module, so one wasm instance and one LossError class serve both.",
    'import cjs from "./node.cjs";',
    "",
    `export const { ${names.join(", ")} } = cjs;`,
    "",
  ];
  writeFileSync(join(root, "dist/node.mjs"), lines.join("\n"));
}

const steps = {
  cargo() {
    run("cargo", ["build", "-q", "-p", "losskit-wasm", "--release", "--target", "wasm32-unknown-unknown"], toolchainEnv());
  },
  bindgen() {
    mkdirSync(generated, { recursive: true });
    run("wasm-bindgen", ["--target", "web", "--typescript", "--out-dir", generated, wasmOut], toolchainEnv());
  },
  opt() {
    // The features Rust's wasm32 target emits by default, plus simd128.
    const features = ["simd", "bulk-memory", "nontrapping-float-to-int", "sign-ext", "mutable-globals", "reference-types", "multivalue"];
    // Dice's passes stay functions of their own: binaryen inlines every function that has one
    // caller, which merged all of Dice's kernel instances into one ~450 KB export that V8's
    // optimizing compiler runs ~1.5× slower than the same code split up (measured A/B). Only
    // there: other losses (CTC ~15 %) lose when nothing is inlined.
    // --low-memory-unused: binaryen may fold `load(p + C)` into `load offset=C (p)`, which differs only
    // where p + C wraps past 4 GiB to an address below 1 KiB; Rust places its stack's bottom there,
    // reached only by a stack overflow. The module is 6 KiB smaller; the light losses moved −7…+3 % (noise).
    run(bin("wasm-opt"), ["--no-inline=*segmentation*", "--low-memory-unused", "-O3", ...features.map((f) => `--enable-${f}`), bg, "-o", bg]);
  },
  rollup() {
    // Source maps of earlier builds (none are made now) must not reach the package.
    for (const f of existsSync(join(root, "dist")) ? readdirSync(join(root, "dist")) : []) if (f.endsWith(".map")) rmSync(join(root, "dist", f));
    run(bin("rollup"), ["-c", "rollup.config.mjs", "--silent"]);
    copyFileSync(bg, join(root, "dist/losskit_wasm_bg.wasm"));
    writeNodeEsm();
    // The same declarations for CommonJS consumers (require resolves node.cjs; TypeScript wants .d.cts there).
    copyFileSync(join(root, "dist/losskit.d.ts"), join(root, "dist/losskit.d.cts"));
    copyFileSync(join(root, "dist/tfjs.d.ts"), join(root, "dist/tfjs.d.cts"));
  },
  size() {
    const bytes = readFileSync(bg);
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`losskit_wasm_bg.wasm: ${kib(statSync(bg).size)} raw, ${kib(gzipSync(bytes).length)} gzip, ${kib(brotliCompressSync(bytes).length)} brotli`);
  },
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(steps)) {
  const step = steps[/** @type {keyof typeof steps} */ (name)];
  if (!step) throw new Error(`unknown step ${name}; steps: ${Object.keys(steps).join(", ")}`);
  step();
}
