// Builds the app with webpack 5 and no configuration beyond entry and output (webpack emits
// the .wasm and the worker from their `new URL(..., import.meta.url)` by itself).
// `node webpack.mjs <appDir> <outDir>`
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import webpack from "webpack";

const [appDir, outDir] = process.argv.slice(2);
const stats = await new Promise((resolve, reject) =>
  webpack({ mode: "production", entry: join(appDir, "main.js"), output: { path: outDir, filename: "main.js", clean: true } }, (err, s) => (err ? reject(err) : resolve(s))),
);
if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
writeFileSync(join(outDir, "index.html"), '<!doctype html><meta charset="utf-8"><script src="./main.js"></script>\n');
