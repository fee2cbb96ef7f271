// losskit vs PyTorch (1 thread) on diceLoss at (8, 4, 128, 128) f32, forward + the input's
// gradient, in interleaved rounds (the order alternating), each round giving each one's median
// per call; prints the medians of round medians, the best rounds and the paired ratios, for
// three MONAI configurations: no activation (float one-hot target), sigmoid, and softmax with
// class indices (toOnehotY; PyTorch builds the one-hot in each call, as MONAI).
//   node --expose-gc bench/torch-dice.mjs        (after node scripts/build.mjs; needs python3 + torch)
// Env: ROUNDS (default 7), BUDGET_MS per measurement (default 300).
// PyTorch runs in a worker (bench/torch_dice.py) on the same data, written as raw files.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as L from "../dist/node.mjs";
import { diceData } from "./cases.mjs";
import { fmtRatio, fmtTime, lineWorker, measure, median, table } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const BUDGET = Number(process.env.BUDGET_MS ?? 300);
const [N, C, H, W] = [8, 4, 128, 128];
const log = (...a) => console.error(...a);

const { x, labels } = diceData(N, C, H, W);
const prefix = path.join(os.tmpdir(), `losskit-torch-dice-${process.pid}`);
fs.writeFileSync(`${prefix}.x`, Buffer.from(x.buffer));
fs.writeFileSync(`${prefix}.y`, Buffer.from(labels.buffer));
const onehot = new Float32Array(x.length);
for (let n = 0; n < N; n++) for (let j = 0; j < H * W; j++) onehot[(n * C + labels[n * H * W + j]) * H * W + j] = 1;

/** A PyTorch worker for one variant: `ask(line)` resolves with its answer line. */
const worker = (variant) => lineWorker("python3", [path.join(here, "torch_dice.py"), prefix, N, C, H, W, variant]);

const shape = [N, C, H, W];
const tx = L.tensorFrom(x, shape);
const tTarget = L.tensorFrom(onehot, shape);
const tLabels = L.tensorFrom(labels, [N, 1, H, W]);
const grad = L.tensor(shape, "f32");
const load0 = os.loadavg();
const rows = [];
for (const [variant, opts, target] of [
  ["plain", {}, tTarget],
  ["sigmoid", { sigmoid: true }, tTarget],
  ["softmax-onehot", { softmax: true, toOnehotY: true }, tLabels],
]) {
  const torch = worker(variant);
  const torchValue = Number(await torch.ask("value"));
  const lkValue = L.diceLoss(tx, target, opts);
  log(`${variant}: PyTorch ${torchValue}, losskit ${lkValue} (rel ${(Math.abs(lkValue - torchValue) / Math.abs(torchValue)).toExponential(1)})`);
  const lk = () => L.diceLoss.withGrad(tx, target, { ...opts, into: { input: grad } }).loss;
  const rounds = { torch: [], lk: [] };
  globalThis.gc?.();
  for (let r = 0; r < ROUNDS; r++) {
    for (const who of r % 2 ? ["lk", "torch"] : ["torch", "lk"]) {
      if (who === "torch") rounds.torch.push(Number(await torch.ask(`time ${BUDGET}`)));
      else rounds.lk.push(measure(lk, { budgetMs: BUDGET, gc: false }).s);
    }
    log(`  round ${r + 1}: PyTorch ${fmtTime(rounds.torch.at(-1))}, losskit ${fmtTime(rounds.lk.at(-1))}`);
  }
  torch.close();
  rows.push([
    `diceLoss ${shape.join("×")} f32, ${variant}`,
    fmtTime(median(rounds.torch)),
    fmtTime(median(rounds.lk)),
    fmtRatio(median(rounds.torch.map((t, i) => t / rounds.lk[i]))),
    `${fmtTime(Math.min(...rounds.torch))} / ${fmtTime(Math.min(...rounds.lk))}`,
  ]);
}
for (const t of [tx, tTarget, tLabels, grad]) t.dispose();
for (const f of ["x", "y"]) fs.rmSync(`${prefix}.${f}`);
const load1 = os.loadavg();
console.log(`## diceLoss: losskit vs PyTorch (1 thread), forward + the input's gradient — ${new Date().toISOString()}\n`);
console.log(`${os.cpus()[0]?.model} (${os.cpus().length} cores), Node ${process.version}; ${ROUNDS} interleaved rounds, ${BUDGET} ms per measurement.\n`);
console.log(table(["case", "PyTorch", "losskit zero-copy", "PyTorch ÷ losskit, paired per round", "best round: PyTorch / losskit"], rows));
console.log(`\nMedian of round medians; ratio > 1× means losskit is faster. Load average (1/5/15 min): ${load0.map((v) => v.toFixed(2)).join(" ")} at start, ${load1.map((v) => v.toFixed(2)).join(" ")} at end.`);
