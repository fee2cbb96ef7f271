// The browser pages in real Chromium (playwright-core, as test/browser.test.ts): the
// examples/browser page trains a model live and plots its loss curve; the loss explorer
// (built by `npm run explorer` into explorer-dist/) renders every loss of the table and its
// gradient, and its sliders change the curves. Pages are served from the repository's root.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { losskit } from "./helpers";

const root = join(__dirname, "..");
const executablePath = process.env.LOSSKIT_CHROMIUM ?? "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".map": "application/json", ".json": "application/json" };
const hasBrowser = existsSync(executablePath);
if (!hasBrowser) console.warn(`browser pages test skipped: no Chromium at ${executablePath} (set LOSSKIT_CHROMIUM)`);

let server: Server;
let browser: Browser;
let origin: string;

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(origin + path);
  return { page, errors };
}

describe.runIf(hasBrowser)("browser pages", () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      let path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
      if (path === "" || path.endsWith("/")) path += "index.html";
      const file = join(root, path);
      if (!file.startsWith(root) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    execFileSync(process.execPath, [join(root, "scripts/build-explorer.mjs")], { stdio: "ignore" });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  it("examples/browser trains a model live and plots the falling loss", async () => {
    const { page, errors } = await open("examples/browser/");
    await page.waitForFunction(() => (window as any).__training?.done || (window as any).__training?.error, undefined, { timeout: 60_000 });
    const t = await page.evaluate(() => (window as any).__training);
    expect(t.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(t.steps).toBe(600);
    expect(t.losses[0]).toBeGreaterThan(0.9); // about ln 3 from the small initial weights
    expect(t.losses.at(-1)).toBeLessThan(t.losses[0] / 3);
    expect(t.accuracy).toBeGreaterThan(0.8);
    const points = await page.locator("#curve polyline").getAttribute("points");
    expect(points!.trim().split(" ").length).toBe(600);
    expect(await page.locator("#status").textContent()).toMatch(/^step 600\/600 {2}loss [\d.]+ {2}accuracy [\d.]+%$/);
    await page.close();
  });

  it("the loss explorer renders every loss of the table with its gradient", async () => {
    const { page, errors } = await open("explorer-dist/");
    await page.waitForFunction(() => "explorer" in window, undefined, { timeout: 20_000 });
    const names: string[] = await page.evaluate(() => (window as any).explorer.names);
    expect(names).toEqual(losskit.losses.map((l) => l.name));
    expect(await page.locator("nav button").count()).toBe(names.length);
    const known = new Set(["regression", "classification", "margin", "embedding"]);
    for (const info of losskit.losses) {
      await page.click(`nav button[data-name="${info.name}"]`);
      const s = await page.evaluate(() => (window as any).explorer.state());
      const note = (await page.locator("#note").textContent()) ?? "";
      expect(s.name).toBe(info.name);
      // A loss that fits no 1-D slice (a new family's shapes) must say why; the families the explorer knows all plot.
      if (known.has(info.family)) expect(s.finite, `${info.name}: ${note}`).toBeGreaterThanOrEqual(200);
      else expect(s.finite > 0 || note.length > 0, info.name).toBe(true);
      if (s.finite > 0) {
        expect(s.grad.filter(Number.isFinite).length, `${info.name} gradient`).toBeGreaterThan(0);
        expect((await page.locator("#loss path.curve").getAttribute("d"))!.length).toBeGreaterThan(100);
      }
      // Every option the table lists as a number, integer or bool has a control.
      for (const [k, kind] of Object.entries(info.optionKinds)) {
        if (kind === "number" || kind === "integer" || kind === "bool") expect(await page.locator(`[data-control="${k}"] input`).count(), `${info.name}.${k}`).toBe(1);
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a slider changes the curve: huberLoss's delta, and the values are Huber's", async () => {
    const { page } = await open("explorer-dist/?loss=huberLoss");
    await page.waitForFunction(() => "explorer" in window, undefined, { timeout: 20_000 });
    const before = await page.locator("#loss path.curve").getAttribute("d");
    await page.locator('[data-control="delta"] input').fill("0.3");
    const after = await page.locator("#loss path.curve").getAttribute("d");
    expect(after).not.toBe(before);
    expect(await page.locator('[data-control="delta"] output').textContent()).toBe("0.3");
    const s = await page.evaluate(() => (window as any).explorer.state());
    const t = 1; // the target slider's default
    s.xs.forEach((x: number, k: number) => {
      const d = x - t;
      const loss = Math.abs(d) < 0.3 ? 0.5 * d * d : 0.3 * (Math.abs(d) - 0.15);
      const grad = Math.abs(d) < 0.3 ? d : 0.3 * Math.sign(d);
      expect(s.loss[k]).toBeCloseTo(loss, 5);
      expect(s.grad[k]).toBeCloseTo(grad, 5);
    });
    // The target slider moves the minimum.
    await page.locator('[data-control="target"] input').fill("-1");
    const moved = await page.evaluate(() => (window as any).explorer.state());
    const argmin = moved.xs[moved.loss.indexOf(Math.min(...moved.loss))];
    expect(argmin).toBeCloseTo(-1, 1);
    await page.close();
  });
});
