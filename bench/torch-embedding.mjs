// losskit vs PyTorch (1 thread) on the embedding losses at (4096, 256) f32: forward and the
// gradients of every differentiable input, in interleaved rounds (PyTorch and losskit, the order
// alternating; losskit zero-copy, then the copy path), each round giving each one's median per
// call; prints the medians of round medians, the best rounds, and the paired ratios.
//   node --expose-gc bench/torch-embedding.mjs        (after node scripts/build.mjs; needs python3 + torch)
// Env: ROUNDS (default 7), BUDGET_MS per measurement (default 300).
// PyTorch runs in a worker (bench/torch_embedding.py) on the same data, written as raw float32 files.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as L from "../dist/node.mjs";
import { embeddingData } from "./cases.mjs";
import { fmtRatio, fmtTime, lineWorker, measure, median, table } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const BUDGET = Number(process.env.BUDGET_MS ?? 300);
const [N, D] = [4096, 256];
const log = (...a) => console.error(...a);

/** A PyTorch worker: `ask(line)` sends one request and resolves with its answer line. */
const worker = (prefix, kind) => lineWorker("python3", [path.join(here, "torch_embedding.py"), prefix, kind, N, D]);

const load0 = os.loadavg();
const rows = [];
for (const [name, kind] of [
  ["tripletMarginLoss", "triplet"],
  ["cosineEmbeddingLoss", "cosine"],
]) {
  const { args, target } = embeddingData(kind, N, D);
  const all = [...args, ...(target ? [target] : [])];
  const prefix = path.join(os.tmpdir(), `losskit-torch-bench-${process.pid}`);
  all.forEach((a, k) => fs.writeFileSync(`${prefix}.${k}`, Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  const torch = worker(prefix, kind);

  const fn = L[name];
  const names = L.losses.find((l) => l.name === name).differentiable;
  const shape = [N, D];
  const inputs = [...args.map((data) => ({ data, shape })), ...(target ? [target] : [])];
  const tensors = args.map((data) => L.tensorFrom(data, shape));
  const tTarget = target ? L.tensorFrom(target, [N]) : undefined;
  const grads = names.map(() => L.tensor(shape, "f32"));
  const zArgs = [...tensors, ...(tTarget ? [tTarget] : [])];
  const into = { into: Object.fromEntries(names.map((k, i) => [k, grads[i]])) };

  const torchValue = Number(await torch.ask("value"));
  const lkValue = fn(...inputs);
  log(`${name}: PyTorch ${torchValue}, losskit ${lkValue} (rel ${(Math.abs(lkValue - torchValue) / Math.abs(torchValue)).toExponential(1)})`);

  // Two phases of interleaved rounds: PyTorch against losskit zero-copy, then against the copy
  // path. The copy path allocates ~12 MB of typed arrays per call, and V8's collection of them
  // slows whatever runs next (measured: zero-copy 2-3x slower right after copy-path calls), so
  // the two losskit paths are not interleaved with each other.
  const lk = {
    zc: () => fn.withGrad(...zArgs, into).loss,
    copy: () => fn.withGrad(...inputs).loss,
  };
  const rounds = { torch: { zc: [], copy: [] }, zc: [], copy: [] };
  for (const path of ["zc", "copy"]) {
    globalThis.gc?.();
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? ["lk", "torch"] : ["torch", "lk"];
      for (const who of order) {
        if (who === "torch") rounds.torch[path].push(Number(await torch.ask(`time ${BUDGET}`)));
        else rounds[path].push(measure(lk[path], { budgetMs: BUDGET, gc: false }).s);
      }
      log(`  ${path} round ${r + 1}: PyTorch ${fmtTime(rounds.torch[path].at(-1))}, losskit ${fmtTime(rounds[path].at(-1))}`);
    }
  }
  torch.close();
  for (const t of [...tensors, ...grads]) t.dispose();
  tTarget?.dispose();
  all.forEach((_, k) => fs.rmSync(`${prefix}.${k}`));
  // paired per round: PyTorch's time ÷ losskit's within the same round; and medians of round medians
  const paired = (path) => median(rounds.torch[path].map((t, i) => t / rounds[path][i]));
  const torchAll = [...rounds.torch.zc, ...rounds.torch.copy];
  rows.push([
    `${name} ${N}×${D} f32`,
    fmtTime(median(torchAll)),
    fmtTime(median(rounds.zc)),
    fmtTime(median(rounds.copy)),
    `${fmtRatio(paired("zc"))} (${fmtRatio(paired("copy"))})`,
    `${fmtTime(Math.min(...torchAll))} / ${fmtTime(Math.min(...rounds.zc))} / ${fmtTime(Math.min(...rounds.copy))}`,
  ]);
}
const load1 = os.loadavg();
console.log(`## losskit vs PyTorch (1 thread), forward + all input gradients — ${new Date().toISOString()}\n`);
console.log(`${os.cpus()[0]?.model} (${os.cpus().length} cores), Node ${process.version}; ${ROUNDS} interleaved rounds, ${BUDGET} ms per measurement.\n`);
console.log(
  table(["case", "PyTorch", "losskit zero-copy", "losskit copy", "PyTorch ÷ losskit zc (copy), paired per round", "best round: PyTorch / zc / copy"], rows),
);
console.log(`\nMedian of round medians; ratio > 1× means losskit is faster. Load average (1/5/15 min): ${load0.map((v) => v.toFixed(2)).join(" ")} at start, ${load1.map((v) => v.toFixed(2)).join(" ")} at end.`);
