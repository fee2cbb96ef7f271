// @ts-check
// Builds the loss explorer (npm run explorer): explorer/ (page, script, styles) and the
// package's browser entry with its .wasm → explorer-dist/, a static site to serve as it is
// (ES modules need http(s), not file://). Builds the package first if dist/ is missing.
//   node scripts/build-explorer.mjs               build
//   node scripts/build-explorer.mjs --serve       build, then serve it on http://127.0.0.1:8080/
//   node scripts/build-explorer.mjs --screenshot  build, then write docs/explorer.png (Chromium)
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "explorer-dist");
if (!existsSync(join(root, "dist/browser.mjs"))) execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { stdio: "inherit" });

rmSync(out, { recursive: true, force: true });
cpSync(join(root, "explorer"), out, { recursive: true });
mkdirSync(join(out, "losskit"));
for (const f of ["browser.mjs", "losskit_wasm_bg.wasm"]) copyFileSync(join(root, "dist", f), join(out, "losskit", f));
console.log(`explorer built: ${out}`);

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".map": "application/json" };
/** Serves explorer-dist on a port (0: any free one); resolves to the server. */
function serve(port) {
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
    if (path === "" || path.endsWith("/")) path += "index.html";
    const file = join(out, path);
    if (!file.startsWith(out) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[/** @type {keyof TYPES} */ (extname(file))] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

if (process.argv.includes("--serve")) {
  await serve(8080);
  console.log("serving on http://127.0.0.1:8080/ (Ctrl-C to stop)");
}
if (process.argv.includes("--screenshot")) {
  const { chromium } = await import("playwright-core");
  const server = /** @type {import("node:http").Server} */ (await serve(0));
  const port = /** @type {import("node:net").AddressInfo} */ (server.address()).port;
  const browser = await chromium.launch({ executablePath: process.env.LOSSKIT_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
  await page.goto(`http://127.0.0.1:${port}/?loss=huberLoss`);
  await page.waitForFunction(() => "explorer" in window);
  await page.screenshot({ path: join(root, "docs/explorer.png") });
  await browser.close();
  server.close();
  console.log("wrote docs/explorer.png");
}
