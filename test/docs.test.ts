// `npm run docs` (TypeDoc, typedoc.json) builds the reference: a page per loss with its
// formula, shapes, options, gradients and example, docs/API.md and ARCHITECTURE.md as
// documents, and no link that leaves the site.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { losskit } from "./helpers";

const root = join(__dirname, "..");
const out = mkdtempSync(join(tmpdir(), "losskit-docs-"));

beforeAll(() => {
  execFileSync(join(root, "node_modules/.bin/typedoc"), ["--out", out, "--treatWarningsAsErrors"], { cwd: root, stdio: "pipe", timeout: 240_000 });
}, 240_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("npm run docs", () => {
  it("a page per loss with its reference sections and example", () => {
    for (const info of losskit.losses) {
      const page = join(out, "variables", `losskit.${info.name}.html`);
      expect(existsSync(page), info.name).toBe(true);
      const html = readFileSync(page, "utf8");
      for (const s of ["Shapes:", "Options:", "Gradients:", "Example"]) expect(html, `${info.name}: ${s}`).toContain(s);
      if (info.pytorch) expect(html).toContain(info.pytorch.replace(/^torchvision\.ops\./, ""));
    }
    expect(existsSync(join(out, "modules", "losskit_tfjs.html"))).toBe(true);
    expect(existsSync(join(out, "documents", "API.html"))).toBe(true);
  });

  it("no link leaves the site", () => {
    for (const file of walk(out).filter((f) => f.endsWith(".html"))) {
      expect(readFileSync(file, "utf8").match(/(?:href|src)="(?:https?:)?\/\/[^"]*"/g), file).toBeNull();
    }
  });
});
