// Streaming bandwidth of this machine at a given working-set size (bytes touched), from
// several memory-bound reference loops; each reported as bytes touched / median time.
//   js-sum      tight JS loop summing a Float32Array (read)
//   js-set      TypedArray.prototype.set, half → other half (read + write = ws bytes)
//   js-copyWithin  copyWithin, same traffic as js-set
//   wasm-sum    wasm SIMD sum, 4 × f32x4 accumulators (read)
//   wasm-copy   wasm memory.copy (read + write)
//   wasm-sub    wasm SIMD g = x − y (2 reads + 1 write: a pointwise loss+grad's pattern)
// `best` (the max): the fastest this machine streamed that many bytes.
// Not part of run.mjs any more (its per-case probe, probe.mjs, streams each case's own bytes);
// stand-alone: `node bench/bandwidth.mjs [bytes …]` (default 8e6 and 2^30) prints GB/s.
import { pathToFileURL } from "node:url";
import { measure } from "./harness.mjs";
import { streamKernels } from "./stream-kernels.mjs";

const PAGE = 65536;

export function bandwidthAt(wsBytes, { budgetMs = 60, full = true } = {}) {
  const ws = Math.max(192, Math.floor(wsBytes / 192) * 192); // divisible by 64 (sum), 2×32 (copy) and 3×32 (sub)
  const k = streamKernels();
  const need = Math.ceil((ws + 1024) / PAGE);
  const have = k.mem.buffer.byteLength / PAGE;
  if (need > have) k.mem.grow(need - have);
  new Uint8Array(k.mem.buffer, 0, ws).fill(1); // touch every page
  const o = { budgetMs, minSamples: 3, targetMs: 2, warmupMs: 10 };
  const bw = (bytes, fn) => bytes / measure(fn, o).s / 1e9; // GB/s
  const r = {};
  r["wasm-sum"] = bw(ws, () => k.sum(0, ws));
  r["wasm-copy"] = bw(ws, () => k.copy(ws / 2, 0, ws / 2));
  r["wasm-sub"] = bw(ws, () => k.sub(0, ws / 3, (2 * ws) / 3, ws / 3));
  const a = new Float32Array(ws / 4);
  a.fill(1);
  const half = ws / 8;
  const lo = a.subarray(0, half);
  r["js-set"] = bw(ws, () => a.set(lo, half));
  if (full) {
    r["js-copyWithin"] = bw(ws, () => a.copyWithin(half, 0, half));
    r["js-sum"] = bw(ws, () => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i];
      return s;
    });
  }
  r.best = Math.max(...Object.values(r));
  r.bytes = ws;
  return r;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number);
  for (const ws of sizes.length ? sizes : [8e6, 2 ** 30]) {
    const r = bandwidthAt(ws);
    console.log(`${(r.bytes / 1e6).toFixed(1)} MB: ${Object.entries(r).filter(([k]) => k !== "bytes").map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")} GB/s`);
  }
}
