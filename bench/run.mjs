// losskit benchmark: `npm run bench` (builds, then `node --expose-gc bench/run.mjs`).
// Options (env): BENCH_ROUNDS (interleaved rounds, default 5), BENCH_BUDGET_MS (time budget per
//                measurement in each round, default 40), BENCH_ONLY=mseLoss,l1Loss (subset of
//                cases), BENCH_NO_TF=1 (skip tfjs).
//                With any of these set, results go to bench/results/partial.json, not latest.json.
// See bench/README.md for what is measured and how to read the output.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as L from "../dist/node.mjs";
import { bandwidthAt } from "./bandwidth.mjs";
import { CASES } from "./cases.mjs";
import { fmtN, fmtRatio, fmtTime, interleave, sinkValue, table } from "./harness.mjs";
import { loadTf } from "./tfjs.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BUDGET = Number(process.env.BENCH_BUDGET_MS ?? 40);
const ONLY = process.env.BENCH_ONLY?.split(",");
const T0 = performance.now();
const load0 = os.loadavg();
const SPEED_NOTE =
  "This machine class switches between two CPU speeds ~1.8× apart for seconds at a time: absolute times move by up to 2× between runs, only same-run ratios count.";
const log = (...a) => console.error(...a); // progress on stderr, tables on stdout

if (!globalThis.gc) log("note: run with --expose-gc for steadier numbers (npm run bench does)");

// ---------- setup ----------
const simd = L.simdEnabled();
log(`losskit simd128: ${simd}`);
let tf = null;
let tfInfo = { skipped: true };
if (!process.env.BENCH_NO_TF) {
  try {
    ({ tf, info: tfInfo } = await loadTf());
    log(`tfjs ${tfInfo.version}: wasm ${JSON.stringify(tfInfo.wasm)}, cpu ${JSON.stringify(tfInfo.cpu)}`);
  } catch (e) {
    tfInfo = { error: String(e?.message ?? e) };
    log(`tfjs unavailable: ${tfInfo.error}`);
  }
}
const BACKENDS = tf ? ["wasm", "cpu"].filter((b) => tfInfo[b]?.ok) : [];

// ---------- memory bandwidth ----------
log("measuring streaming bandwidth (1 GiB working set, beyond the L3)…");
const dram = bandwidthAt(2 ** 30, { budgetMs: 300 });
const bwCache = new Map();
function bandwidth(ws) {
  if (!bwCache.has(ws)) bwCache.set(ws, bandwidthAt(ws, { budgetMs: 60 }));
  return bwCache.get(ws);
}

// ---------- checks ----------
const failures = []; // losskit wrong (vs the f64-accumulated JS reference): exit code 1
const tfNotes = []; // tfjs off the reference where losskit is on it: reported, not a failure
const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
function checkLoss(label, what, got, ref, tol = 1e-4, sink = failures) {
  const r = rel(got, ref);
  if (!(r <= tol)) sink.push(`${label}: ${what} loss ${got} vs ${ref} (rel ${r.toExponential(2)} > ${tol})`);
  return r;
}
function checkGrad(label, what, got, ref, tol = 1e-4, sink = failures) {
  if (!got || got.length !== ref.length) {
    sink.push(`${label}: ${what} gradient missing or wrong length`);
    return NaN;
  }
  let scale = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    err = Math.max(err, Math.abs(got[i] - ref[i]));
  }
  const r = err / Math.max(scale, 1e-30);
  if (!(r <= tol)) sink.push(`${label}: ${what} gradient max|Δ|/max|g| = ${r.toExponential(2)} > ${tol}`);
  return r;
}

// ---------- run ----------
const results = [];
const skipped = [];

for (const c of CASES) {
  if (ONLY && !ONLY.includes(c.name)) continue;
  if (!c.available(L)) {
    skipped.push(c.name);
    log(`skip ${c.name}: not exported by losskit yet`);
    continue;
  }
  for (const { n, dtype } of c.rows) {
    let inst;
    try {
      inst = c.setup(L, n, dtype);
    } catch (e) {
      failures.push(`${c.name} n=${n} ${dtype}: setup failed: ${e?.message ?? e}`);
      log(`! ${c.name} n=${n}: setup failed: ${e?.message ?? e}`);
      continue;
    }
    const label = inst.label;
    log(`${label} …`);
    const row = { case: c.name, tfjs: c.tfName, n, dtype, shape: inst.shape ?? [n], bytes: inst.bytes, checks: {}, loss: {}, grad: {} };

    // correctness first: every engine against the f64-accumulated plain-JS reference,
    // and losskit against each tfjs backend directly
    const safe = (f) => {
      try {
        return f();
      } catch (e) {
        failures.push(`${label}: ${e?.message ?? e}`);
        return NaN;
      }
    };
    const ref = inst.js.loss();
    const refG = inst.js.grad();
    void refG;
    const jsGrad = Float64Array.from(inst.gradOf.js());
    const lkLoss = safe(inst.lk.loss);
    row.checks.lkCopy = checkLoss(label, "losskit copy", lkLoss, ref);
    row.checks.lkZc = checkLoss(label, "losskit zero-copy", safe(inst.zc.loss), ref);
    row.checks.lkCopyGrad = checkLoss(label, "losskit copy withGrad", safe(inst.lk.grad), ref);
    row.checks.lkCopyGradVec = checkGrad(label, "losskit copy", inst.gradOf.lk(), jsGrad);
    row.checks.lkZcGrad = checkLoss(label, "losskit zero-copy withGrad", safe(inst.zc.grad), ref);
    row.checks.lkZcGradVec = checkGrad(label, "losskit zero-copy", inst.gradOf.zc(), jsGrad);
    L.setScalarKernels(true);
    row.checks.lkScalar = checkLoss(label, "losskit scalar twin", safe(inst.zc.loss), ref);
    row.checks.lkScalarGrad = checkLoss(label, "losskit scalar twin withGrad", safe(inst.zc.grad), ref);
    L.setScalarKernels(false);

    // tfjs closures per backend (input tensors created once, outside the timing), and their checks
    const tfRuns = [];
    for (const b of BACKENDS) {
      const key = b === "wasm" ? "tfWasm" : "tfCpu";
      await tf.setBackend(b);
      let t;
      try {
        t = inst.tf(tf);
      } catch (e) {
        row.loss[key] = row.grad[key] = { error: String(e?.message ?? e) };
        continue;
      }
      if (!t) continue; // e.g. f64: tfjs computes in float32 only
      tfRuns.push({ b, key, t });
      const v = safe(t.loss);
      row.checks[key] = checkLoss(label, `tfjs-${b}`, v, ref, 1e-4, []);
      // the brief's assertion: losskit and tfjs agree to 1e-4. When they don't, the f64
      // reference decides who is off; losskit being off is a failure, tfjs being off a note.
      row.checks[`lkVs${key}`] = rel(lkLoss, v);
      if (!(row.checks[`lkVs${key}`] <= 1e-4)) {
        const note = `${label}: losskit ${lkLoss} vs tfjs-${b} ${v} differ by rel ${row.checks[`lkVs${key}`].toExponential(2)}; vs the f64 reference ${ref}: losskit rel ${row.checks.lkCopy.toExponential(2)}, tfjs-${b} rel ${row.checks[key].toExponential(2)}`;
        (row.checks.lkCopy <= 1e-4 && !(row.checks[key] <= 1e-4) ? tfNotes : failures).push(note);
      }
      row.checks[`${key}Grad`] = checkLoss(label, `tfjs-${b} valueAndGrad`, safe(t.grad), ref, 1e-4, []);
      row.checks[`${key}GradVec`] = checkGrad(label, `tfjs-${b}`, t.gradOf(), jsGrad, 1e-4, tfNotes);
    }

    // timing: every implementation once per round, ROUNDS rounds, best round median each
    const tensorsBefore = tf?.memory().numTensors;
    try {
      for (const mode of ["loss", "grad"]) {
        const scalar = (on) => () => L.setScalarKernels(on);
        const entries = [
          { key: "lkCopy", fn: inst.lk[mode] },
          { key: "lkZc", fn: inst.zc[mode] },
          { key: "lkScalar", fn: inst.zc[mode], enter: scalar(true), exit: scalar(false) },
          { key: "js", fn: inst.js[mode] },
          ...tfRuns.map(({ b, key, t }) => ({ key, fn: t[mode], enter: () => tf.setBackend(b) })),
        ];
        Object.assign(row[mode], await interleave(entries, { rounds: ROUNDS, budgetMs: BUDGET }));
      }
      const leaked = tf ? tf.memory().numTensors - tensorsBefore : 0;
      if (leaked !== 0) failures.push(`${label}: tfjs leaked ${leaked} tensors during the timing`);
    } finally {
      for (const { t } of tfRuns) t.dispose();
    }
    inst.dispose();

    // memory bound: bytes the op must touch / best streaming bandwidth at that working set
    for (const mode of ["loss", "grad"]) {
      const { read, write } = inst.bytes[mode];
      const bw = bandwidth(read + write);
      row[mode].bound = { s: (read + write) / (bw.best * 1e9), gbps: bw.best };
    }
    results.push(row);
    log(`  done (${((performance.now() - T0) / 1e3).toFixed(0)} s)`);
  }
}

// ---------- report ----------
const med = (m) => m?.s;
const ratio = (a, b) => (med(a) && med(b) ? med(a) / med(b) : undefined);
const both = (zc, copy) => `${fmtRatio(zc)} (${fmtRatio(copy)})`;
const timeRows = [];
const ratioRows = [];
for (const r of results) {
  const name = `${r.case} ${fmtN(r.n)} ${r.dtype}`;
  for (const mode of ["loss", "grad"]) {
    const m = r[mode];
    const modeName = mode === "loss" ? "loss" : "loss+grad";
    const cell = (v) => (v?.error ? "error" : fmtTime(v?.s));
    timeRows.push([name, modeName, cell(m.lkCopy), cell(m.lkZc), cell(m.lkScalar), cell(m.tfWasm), cell(m.tfCpu), cell(m.js), fmtTime(m.bound.s)]);
    m.ratios = {
      simdSpeedup: ratio(m.lkScalar, m.lkZc),
      vsTfWasm: { zc: ratio(m.tfWasm, m.lkZc), copy: ratio(m.tfWasm, m.lkCopy) },
      vsTfCpu: { zc: ratio(m.tfCpu, m.lkZc), copy: ratio(m.tfCpu, m.lkCopy) },
      vsJs: { zc: ratio(m.js, m.lkZc), copy: ratio(m.js, m.lkCopy) },
      pctOfBound: { zc: 100 * (ratio(m.bound, m.lkZc) ?? NaN), copy: 100 * (ratio(m.bound, m.lkCopy) ?? NaN) },
    };
    const q = m.ratios;
    const pct = (v) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 1 : 0)}%` : "—");
    ratioRows.push([
      name,
      modeName,
      fmtRatio(q.simdSpeedup),
      both(q.vsTfWasm.zc, q.vsTfWasm.copy),
      both(q.vsTfCpu.zc, q.vsTfCpu.copy),
      both(q.vsJs.zc, q.vsJs.copy),
      `${pct(q.pctOfBound.zc)} (${pct(q.pctOfBound.copy)})`,
    ]);
  }
}

const machine = {
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  v8: process.versions.v8,
};
const date = new Date().toISOString();
const bwRows = [...[...bwCache.values()].sort((a, b) => a.bytes - b.bytes), dram].map((b) => [
  b.bytes >= 2 ** 30 ? "1 GiB" : b.bytes >= 1e6 ? `${(b.bytes / 1e6).toFixed(1)} MB` : `${(b.bytes / 1e3).toFixed(1)} kB`,
  ...["wasm-sum", "wasm-copy", "wasm-sub", "js-set", "js-copyWithin", "js-sum", "best"].map((k) => (b[k] ? b[k].toFixed(1) : "—")),
]);

const tfNote = tf
  ? `tfjs-core ${tfInfo.version}; wasm backend: ${tfInfo.wasm?.ok ? `simd ${tfInfo.wasm.simd}, threads ${tfInfo.wasm.threads}` : `unavailable (${tfInfo.wasm?.error})`}; cpu backend: ${tfInfo.cpu?.ok ? "ok" : "unavailable"}`
  : `tfjs not run (${tfInfo.error ?? "BENCH_NO_TF"})`;
const out = [];
out.push(`## losskit bench — ${date}`);
out.push("");
out.push(`${machine.cpu} (${machine.cores} cores), ${machine.platform}, Node ${machine.node}; losskit simd128 ${simd}; ${tfNote}.`);
out.push(`Best of ${ROUNDS} interleaved rounds (each implementation of a case measured once per round) of the median per call; budget ${BUDGET} ms per measurement. losskit/JS/tfjs all single-threaded.`);
out.push(SPEED_NOTE);
out.push("");
out.push("### Time per call (median)");
out.push("");
out.push(table(["case", "mode", "losskit copy", "losskit zero-copy", "scalar twin (zc)", "tfjs-wasm", "tfjs-cpu", "plain JS", "memory bound"], timeRows));
out.push("");
out.push("### Ratios (same run). Speedup = other ÷ losskit zero-copy (in parentheses: ÷ losskit copy path); >1× means losskit is faster");
out.push("");
out.push(table(["case", "mode", "SIMD vs scalar", "vs tfjs-wasm", "vs tfjs-cpu", "vs plain JS", "% of memory bound"], ratioRows));
out.push("");
out.push("### Streaming bandwidth, GB/s (bytes touched ÷ median time), by working set");
out.push("");
out.push(table(["working set", "wasm-sum", "wasm-copy", "wasm-sub", "js-set", "js-copyWithin", "js-sum", "best"], bwRows));
if (skipped.length) out.push("", `Skipped (not exported by losskit yet): ${skipped.join(", ")}.`);
out.push("");
out.push(
  failures.length
    ? `### CHECK FAILURES\n\n${failures.map((f) => `- ${f}`).join("\n")}`
    : "Correctness: every losskit loss (copy, zero-copy, scalar twin; loss and withGrad) within 1e-4 relative of the f64-accumulated plain-JS reference, input gradients within 1e-4 of max|g|.",
);
if (tfNotes.length) out.push("", `### tfjs accuracy notes (losskit within 1e-4 of the f64 reference, tfjs not)\n\n${tfNotes.map((f) => `- ${f}`).join("\n")}`);
else if (BACKENDS.length) out.push("losskit and every tfjs backend agree within 1e-4 relative on every case.");
const total = (performance.now() - T0) / 1e3;
const load1 = os.loadavg();
const la = (l) => l.map((v) => v.toFixed(2)).join(" ");
out.push("", `Total bench time ${total.toFixed(0)} s. Load average (1/5/15 min): ${la(load0)} at start, ${la(load1)} at end.`);
console.log(out.join("\n"));

fs.mkdirSync(path.join(here, "results"), { recursive: true });
const json = {
  timestamp: date,
  machine,
  losskit: { simd },
  tfjs: tfInfo,
  rounds: ROUNDS,
  budgetMs: BUDGET,
  loadavg: { start: load0, end: load1 },
  units: { time: "seconds per call (best round median)", bandwidth: "GB/s", bytes: "bytes the operation must touch" },
  bandwidth: { dram, byWorkingSet: [...bwCache.values()] },
  results,
  skipped,
  failures,
  tfNotes,
  totalSeconds: total,
  _sink: sinkValue(),
};
// a partial run (BENCH_ONLY / BENCH_NO_TF / other budget) must not overwrite the full results
const partial = ONLY || process.env.BENCH_NO_TF || process.env.BENCH_BUDGET_MS || process.env.BENCH_ROUNDS;
const file = partial ? "partial.json" : "latest.json";
fs.writeFileSync(path.join(here, "results", file), JSON.stringify(json, null, 2));
log(`wrote bench/results/${file}`);
if (failures.length) process.exitCode = 1;
