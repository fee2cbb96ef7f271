// losskit as a user installs it, in every environment the README names: the package is packed
// (`npm pack`), unpacked into a scratch project (target/environments/) whose tools are pinned
// in test/environments/package.json and installed here once (npm, cached by the lockfile), and
// each environment builds or serves test/environments/app; the result runs in the real
// Chromium of the browser test (or in Node). Where a tool needs configuration, the files here
// hold exactly the README's ("Bundlers, workers and CSP").
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const source = join(__dirname, "environments");
const env = join(root, "target/environments");
const executablePath = process.env.LOSSKIT_CHROMIUM ?? "/usr/bin/chromium";
const hasBrowser = existsSync(executablePath);
if (!hasBrowser) console.warn(`environment tests in the browser skipped: no Chromium at ${executablePath} (set LOSSKIT_CHROMIUM)`);

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".map": "application/json" };

function run(cmd: string, args: string[], cwd = env): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
}
const node = (args: string[], cwd = env) => run(process.execPath, args, cwd);
const bin = (name: string) => join(env, "node_modules/.bin", name);

/** The tools (once per lockfile), the packed package unpacked as node_modules/losskit, and a fresh copy of the apps. */
function prepare(): void {
  mkdirSync(env, { recursive: true });
  const lock = readFileSync(join(source, "package-lock.json"), "utf8");
  const stamp = join(env, "node_modules/.losskit-env-stamp");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lock) {
    copyFileSync(join(source, "package.json"), join(env, "package.json"));
    writeFileSync(join(env, "package-lock.json"), lock);
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"]);
    writeFileSync(stamp, lock);
  }
  for (const f of readdirSync(env)) if (f.endsWith(".tgz") || f.startsWith("out-")) rmSync(join(env, f), { recursive: true, force: true });
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", env], root)) as { filename: string }[];
  const pkg = join(env, "node_modules/losskit");
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(pkg, { recursive: true });
  run("tar", ["xzf", join(env, packed[0].filename), "-C", pkg, "--strip-components=1"]);
  for (const f of readdirSync(source)) if (!f.startsWith("package")) cpSync(join(source, f), join(env, f), { recursive: true });
}

/** Serves `dir` over http on a free port. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
    let file = join(dir, path);
    if (existsSync(file) && !extname(file)) file = join(file, "index.html");
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

let browser: Browser | undefined;

/** Opens `url` in Chromium and returns what the page left in window.__result. */
async function visit(url: string): Promise<Record<string, unknown>> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 30_000 });
    return await page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result);
  } catch (e) {
    throw new Error(`${url}: ${String(e)}; page errors: ${errors.join(" | ")}`);
  } finally {
    await page.close();
  }
}

async function visitDir(dir: string, path = ""): Promise<Record<string, unknown>> {
  const { url, server } = await serve(dir);
  try {
    return await visit(url + path);
  } finally {
    server.close();
  }
}

/** The numbers of test/environments/app/checks.js (PyTorch's: 13/3, ln 2) and, where present, the workers'. */
function expectChecks(r: Record<string, unknown>, workers: string[] = []): void {
  expect(r.error).toBeUndefined();
  expect(r.beforeInit).toBe("NOT_INITIALIZED");
  expect(r.beforeInitMessage).toMatch(/await init\(\)/);
  expect(r.simd).toBe(true);
  expect(r.mse as number).toBeCloseTo(13 / 3, 6);
  expect(r.gradIsF32).toBe(true);
  expect(r.ce as number).toBeCloseTo(Math.LN2, 12);
  expect(r.errorCode).toBe("SHAPE_MISMATCH");
  for (const w of workers) expect(r[w], w).toEqual({ mse: 4 });
}

beforeAll(async () => {
  prepare();
  if (hasBrowser) {
    browser = await chromium.launch({
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

const VITES = ["vite5", "vite6", "vite7", "vite8"] as const;

describe.runIf(hasBrowser)("Vite", () => {
  for (const vite of VITES) {
    it(`${vite} build: the page and a module worker`, async () => {
      const out = join(env, `out-${vite}`);
      node(["vite.mjs", vite, "build", join(env, "app"), out]);
      expect(readdirSync(join(out, "assets")).some((f) => f.endsWith(".wasm"))).toBe(true);
      expectChecks(await visitDir(out), ["worker"]);
    });

    it(`${vite} dev server: the page and a module worker`, async () => {
      const child: ChildProcess = spawn(process.execPath, ["vite.mjs", vite, "dev", join(env, "app")], { cwd: env, stdio: ["ignore", "pipe", "pipe"] });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = "";
          let err = "";
          child.stdout!.on("data", (d) => {
            out += d;
            const m = /\{"url":"([^"]+)"\}/.exec(out);
            if (m) resolve(m[1]);
          });
          child.stderr!.on("data", (d) => (err += d));
          child.on("exit", (code) => reject(new Error(`vite dev exited (${code}): ${err}`)));
        });
        expectChecks(await visit(url), ["worker"]);
      } finally {
        child.kill();
      }
    });
  }
});

describe.runIf(hasBrowser)("webpack, Rollup, esbuild for the browser", () => {
  it("webpack 5 (no configuration): the page and a module worker", async () => {
    const out = join(env, "out-webpack");
    node(["webpack.mjs", join(env, "app"), out]);
    expect(readdirSync(out).some((f) => f.endsWith(".wasm"))).toBe(true);
    expectChecks(await visitDir(out), ["worker"]);
  });

  it("Rollup with node-resolve, the .wasm copied beside the bundle", async () => {
    run(bin("rollup"), ["-c", "rollup.config.mjs", "--silent"]);
    const out = join(env, "out-rollup");
    copyFileSync(join(env, "node_modules/losskit/dist/losskit_wasm_bg.wasm"), join(out, "losskit_wasm_bg.wasm"));
    writeFileSync(join(out, "index.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="./main-rollup.js"></script>\n');
    expectChecks(await visitDir(out));
  });

  for (const format of ["esm", "iife"] as const) {
    it(`esbuild --format=${format} --loader:.wasm=file`, async () => {
      const out = join(env, `out-esbuild-${format}`);
      run(bin("esbuild"), ["app/main-esbuild.js", "--bundle", `--format=${format}`, "--loader:.wasm=file", `--outdir=${out}`, "--log-level=error"]);
      const script = format === "esm" ? '<script type="module" src="./main-esbuild.js"></script>' : '<script src="./main-esbuild.js"></script>';
      writeFileSync(join(out, "index.html"), `<!doctype html><meta charset="utf-8">${script}\n`);
      expectChecks(await visitDir(out));
    });
  }
});

describe.runIf(hasBrowser)("no bundler", () => {
  it("a plain <script type=module> with an import map, a module worker and a classic worker (importScripts of the IIFE)", async () => {
    expectChecks(await visitDir(env, "plain/index.html"), ["worker", "classicWorker"]);
  });
});

describe("Node", () => {
  const expected = { mse: 4, simd: true, code: "SHAPE_MISMATCH" };
  it("ESM import of the installed package", () => {
    expect(JSON.parse(node(["node/app.mjs"]))).toEqual(expected);
  });
  it("CommonJS require of the installed package", () => {
    expect(JSON.parse(node(["node/app.cjs"]))).toEqual(expected);
  });
  for (const format of ["esm", "cjs"] as const) {
    it(`esbuild --platform=node --format=${format} (no configuration), run from the project`, () => {
      const out = join(env, `out-esbuild-node.${format === "esm" ? "mjs" : "cjs"}`);
      run(bin("esbuild"), [`node/app.${format === "esm" ? "mjs" : "cjs"}`, "--bundle", "--platform=node", `--format=${format}`, `--outfile=${out}`, "--log-level=error"]);
      expect(JSON.parse(node([out]))).toEqual(expected);
    });
  }
});
