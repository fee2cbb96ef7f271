// Bundler compatibility: Vite builds a page that imports "losskit" with no configuration of
// paths or wasm plugins; the .wasm must be emitted as an asset and the built page must work
// in a real browser.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { chromium } from "playwright-core";
import { build } from "vite";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const outDir = join(root, "target/bundler-test");
const executablePath = process.env.LOSSKIT_CHROMIUM ?? "/usr/bin/chromium";

describe("bundlers", () => {
  it("Vite bundles losskit, emits the .wasm, and the page runs", async () => {
    await build({
      root: join(__dirname, "bundler"),
      logLevel: "silent",
      // The package under test is this repository: point its name at it as an install would.
      resolve: { alias: { losskit: root } },
      build: { outDir, emptyOutDir: true, target: "es2022" },
    });
    const assets = readdirSync(join(outDir, "assets"));
    expect(assets.some((f) => f.endsWith(".wasm"))).toBe(true);
    if (!existsSync(executablePath)) return console.warn("bundled page not run: no Chromium");

    const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
    const server = createServer((req, res) => {
      const file = join(outDir, new URL(req.url ?? "/", "http://x").pathname.replace(/^\/+$/, "index.html"));
      if (!file.startsWith(outDir) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 20_000 });
      const r = await page.evaluate(() => (window as unknown as { __result: { simd: boolean; huber: number } }).__result);
      expect(r.simd).toBe(true);
      expect(r.huber).toBe(0.125 + 2.5); // ½·0.5² + 1·(3 − ½)
    } finally {
      await browser.close();
      server.close();
    }
  });
});
