// The package as installed: `import "losskit"` and `require("losskit")` through the exports
// map in real Node processes (self-reference by name), with the .wasm found without any path.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim();

describe("packaging", () => {
  it("ESM import by package name", () => {
    const out = node(["--input-type=module", "-e", 'import { mseLoss, simdEnabled } from "losskit"; console.log(mseLoss(Float32Array.of(3), Float32Array.of(1)), simdEnabled())']);
    expect(out).toBe("4 true");
  });
  it("CommonJS require by package name", () => {
    const out = node(["-e", 'const { l1Loss, LossError } = require("losskit"); console.log(l1Loss([1, -2], [0, 0], { reduction: "sum" }), typeof LossError)']);
    expect(out).toBe("3 function");
  });
  it("import and require share one module (no dual-package hazard)", () => {
    const script = 'import * as esm from "losskit"; import { createRequire } from "node:module"; const cjs = createRequire(import.meta.url)("losskit"); console.log(esm.mseLoss === cjs.mseLoss, esm.LossError === cjs.LossError)';
    expect(node(["--input-type=module", "-e", script])).toBe("true true");
  });
  it("works from another directory (no cwd-relative paths)", () => {
    const out = execFileSync(process.execPath, ["-e", `console.log(require(${JSON.stringify(join(root, "dist/node.cjs"))}).maeLoss([2], [0]))`], { cwd: "/", encoding: "utf8" }).trim();
    expect(out).toBe("2");
  });
  it("the tarball: licences, changelog, CommonJS types, no source maps (their sources are not shipped)", () => {
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: root, encoding: "utf8" })) as { files: { path: string }[] }[];
    const files = packed.files.map((f) => f.path);
    for (const f of ["LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md", "README.md", "dist/losskit.d.ts", "dist/losskit.d.cts", "dist/browser.iife.js", "dist/tfjs.mjs", "dist/tfjs.cjs", "dist/tfjs.d.ts", "dist/tfjs.d.cts"]) expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    for (const f of files.filter((f) => /\.(c|m)?js$/.test(f))) expect(readFileSync(join(root, f), "utf8"), f).not.toMatch(/sourceMappingURL/);
  });
  it("the browser entry: NOT_INITIALIZED before init(); init() takes bytes or a module, is idempotent, and may be retried after a failure", () => {
    const script = `
      import * as L from "./dist/browser.mjs";
      import { readFileSync } from "node:fs";
      const codes = [];
      for (const f of [() => L.mseLoss([1], [2]), () => L.tensor([2]), () => L.memoryStats()]) {
        try { f(); codes.push("no error"); } catch (e) { codes.push(e instanceof L.LossError ? e.code + (/await init\\(\\)/.test(e.message) ? "+hint" : "") : String(e)); }
      }
      const failed = await L.init(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])).then(() => "resolved", () => "rejected");
      const bytes = readFileSync("./dist/losskit_wasm_bg.wasm");
      const first = L.init(new WebAssembly.Module(bytes));
      const again = L.init(bytes);
      await Promise.all([first, again]);
      console.log(JSON.stringify({ codes, failed, mse: L.mseLoss(Float32Array.of(3), Float32Array.of(1)), later: await L.init().then(() => "resolved") }));`;
    expect(JSON.parse(node(["--input-type=module", "-e", script]))).toEqual({
      codes: ["NOT_INITIALIZED+hint", "NOT_INITIALIZED+hint", "NOT_INITIALIZED+hint"],
      failed: "rejected",
      mse: 4,
      later: "resolved",
    });
  });
});
