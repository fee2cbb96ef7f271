// losskit against PyTorch on one thread, interleaved: the rows the issues set PyTorch goals on
// (BCE, BCE with logits and cross-entropy; CTC; the box, Dice and GAN losses), each measured
// in rounds that alternate losskit (wasm tensors, this process) and PyTorch (a
// `torch_bench.py --serve` worker on the same case), the order flipping every round, so both
// see the same CPU speeds. `npm run bench` runs PyTorch after the JS part instead (its ratios
// are cross-process); this is the judge for the PyTorch goals.
//   npm run bench:vs-torch     (builds, then node --expose-gc bench/vs-torch.mjs; needs python3 + torch)
// Env: ROUNDS (default 7), BUDGET_MS per measurement (default 150), ONLY=crossEntropy,ctcLoss.
// Prints a table (best round medians, their ratio, and the median of the per-round ratios)
// and writes bench/results/vs-torch-latest.json.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as L from "../dist/node.mjs";
import { CASES } from "./cases.mjs";
import { MORE_CASES } from "./cases-more.mjs";
import { fmtRatio, fmtTime, gitRevision, lineWorker, measure, median, table } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const BUDGET = Number(process.env.BUDGET_MS ?? 150);
const ONLY = process.env.ONLY?.split(",");
const log = (...a) => console.error(...a);

/** The goal rows: [loss, row n, goal (losskit ÷ PyTorch 1T at most), issue]. */
const GOALS = [
  ["binaryCrossEntropyWithLogits", 1e6, 1, 7],
  ["binaryCrossEntropy", 1e6, 1, 7],
  ["crossEntropy", 512 * 1000, 1, 7],
  ["crossEntropy", 65536 * 10, 1, 7],
  ["crossEntropy", 4096 * 32000, 1, 7],
  ["ctcLoss", 200 * 16 * 32, 0.5, 10],
  ["ctcLoss", 1000 * 8 * 100, 1, 10],
  ["boxIouLoss", 1e6, 1, 11],
  ["generalizedBoxIouLoss", 1e6, 1, 11],
  ["distanceBoxIouLoss", 1e6, 1, 11],
  ["completeBoxIouLoss", 1e6, 1, 11],
  ["diceLoss", 8 * 4 * 128 * 128, 1, 11],
  ["ganDiscriminatorLoss", 1e6, 1, 11],
  ["ganGeneratorLoss", 1e6, 1, 11],
].filter(([name]) => !ONLY || ONLY.includes(name));

// The PyTorch worker: one JSON request line, one JSON answer line (its first line, unasked: ready).
const py = lineWorker("python3", [path.join(here, "torch_bench.py"), "--serve"]);
const ask = async (q) => JSON.parse(await py.ask(q && JSON.stringify(q)));
const ready = await Promise.race([ask(undefined), new Promise((r) => py.child.once("exit", () => r({ error: "python3 bench/torch_bench.py --serve exited (is torch installed?)" })))]);
if (ready.error) {
  log(ready.error);
  process.exit(1);
}

const t0 = performance.now();
const load0 = os.loadavg();
const rows = [];
const skipped = [];
for (const [name, n, goal, issue] of GOALS) {
  const entry = [...CASES, ...MORE_CASES].find((e) => e.name === name);
  const row = entry?.rows.find((r) => r.n === n && r.dtype === "f32");
  if (!row) throw new Error(`no bench row ${name} n=${n}`);
  const s = entry.setup(L, row.n, "f32", row);
  const shape = s.shape ?? [n];
  // A loss whose PyTorch side is missing (the box losses need torchvision) is reported, not run.
  const probe = await ask({ name, shape, mode: "fwd", threads: 1, budgetMs: 0 });
  if (probe.error) {
    log(`${name}: no PyTorch measurement (${probe.error})`);
    skipped.push(`${name}: ${probe.error.startsWith("KeyError") ? "not in this PyTorch install (torchvision missing?)" : probe.error}`);
    s.dispose?.();
    continue;
  }
  for (const [mode, torchMode] of [["loss", "fwd"], ["grad", "grad"]]) {
    const fn = s.zc[mode];
    const q = { name, shape, mode: torchMode, threads: 1, budgetMs: n > 2e7 ? 0 : BUDGET };
    const lk = [];
    const pt = [];
    let pytorch;
    log(`${name} ${shape.join("×")} ${torchMode} …`);
    for (let r = 0; r < ROUNDS; r++) {
      const mine = () => lk.push(measure(fn, { budgetMs: q.budgetMs, warm: r > 0 }).s);
      const theirs = async () => {
        const a = await ask(q);
        if (a.error) throw new Error(`PyTorch ${name}: ${a.error}`);
        pytorch = a.pytorch;
        pt.push(a.s);
      };
      if (r % 2 === 0) {
        mine();
        await theirs();
      } else {
        await theirs();
        mine();
      }
    }
    const paired = median(lk.map((t, i) => t / pt[i]));
    const ratio = Math.min(...lk) / Math.min(...pt);
    rows.push({ name, shape, mode: torchMode, issue, goal, pytorch, losskit: Math.min(...lk), torch1: Math.min(...pt), ratio, paired, rounds: { losskit: lk, torch1: pt } });
  }
  s.dispose?.();
}
py.close();

const verdict = (r) => (Math.max(r.ratio, r.paired) <= r.goal ? "PASS" : Math.min(r.ratio, r.paired) <= r.goal ? "borderline" : "MISS");
const out = [
  `## losskit ÷ PyTorch (1 thread), interleaved — ${new Date().toISOString()}`,
  "",
  `${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}, PyTorch ${ready.torch}; load average ${load0.map((v) => v.toFixed(2)).join(" ")} at start, ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" ")} at end. ${ROUNDS} rounds alternating losskit (wasm tensors) and PyTorch (the order flipping each round); best round medians and the median of the per-round ratios. This machine class switches between two CPU speeds ~1.8× apart: only the ratios mean anything. Goal: losskit ÷ PyTorch at most the goal column (fwd+grad is the goal's mode; fwd is shown too).`,
  "",
  table(
    ["case", "mode", "losskit", "PyTorch 1T", "÷ (best)", "÷ (paired)", "goal", "issue", ""],
    rows.map((r) => [`${r.name} ${r.shape.join("×")}`, r.mode === "grad" ? "fwd+grad" : "fwd", fmtTime(r.losskit), fmtTime(r.torch1), fmtRatio(r.ratio), fmtRatio(r.paired), `≤ ${r.goal}×`, `#${r.issue}`, r.mode === "grad" ? verdict(r) : ""]),
  ),
  "",
  ...(skipped.length ? [`Not measured: ${skipped.join("; ")}.`, ""] : []),
  `${((performance.now() - t0) / 1e3).toFixed(0)} s.`,
];
console.log(out.join("\n"));
fs.mkdirSync(path.join(here, "results"), { recursive: true });
const git = gitRevision(path.join(here, ".."));
fs.writeFileSync(path.join(here, "results/vs-torch-latest.json"), JSON.stringify({ timestamp: new Date().toISOString(), git, loadavg: [load0, os.loadavg()], torch: ready, rounds: ROUNDS, budgetMs: BUDGET, rows, skipped }, null, 1));
