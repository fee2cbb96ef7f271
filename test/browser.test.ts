// The browser bundle in a real browser (Debian's Chromium, driven by playwright-core): the
// page imports dist/browser.mjs from a local server; `await init()` fetches the .wasm beside it
// by itself (`new URL(..., import.meta.url)`), and the page runs losses there.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const executablePath = process.env.LOSSKIT_CHROMIUM ?? "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".map": "application/json" };

// scripts/setup.sh installs Chromium where apt exists (CI does); elsewhere say so loudly.
const hasBrowser = existsSync(executablePath);
if (!hasBrowser) console.warn(`browser test skipped: no Chromium at ${executablePath} (set LOSSKIT_CHROMIUM)`);

describe.runIf(hasBrowser)("in a real browser", () => {
  let server: Server;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
      const file = join(root, path);
      if (!file.startsWith(root) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/test/browser/index.html`;
    browser = await chromium.launch({
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  it("loads the wasm without configuration and computes PyTorch's numbers", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 20_000 });
    const r = await page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result);
    expect(r.error).toBeUndefined();
    expect(r.beforeInit).toBe("NOT_INITIALIZED");
    expect(r.simd).toBe(true);
    expect(r.mse as number).toBeCloseTo(13 / 3, 6); // ((1−1)² + (2−0)² + (4−1)²)/3
    (r.mseGrad as number[]).forEach((g, i) => expect(g).toBeCloseTo([0, 4 / 3, 2][i], 6)); // 2(x − y)/3
    expect(r.gradIsF32).toBe(true);
    expect(r.l1Sum).toBe(6);
    expect(r.errorCode).toBe("SHAPE_MISMATCH");
    expect(r.allocatedAfter).toBe(r.allocatedBefore); // the tensor was freed by `using`
    if ("ce" in r) expect(r.ce as number).toBeCloseTo(Math.LN2, 12); // uniform logits over 2 classes
    await page.close();
  });
});
