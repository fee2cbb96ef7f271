// losskit benchmark: `npm run bench` (builds, then `node --expose-gc bench/run.mjs`).
//
// One process, interleaved rounds: for each case (loss × size) and mode (fwd, fwd+grad w.r.t. the
// input) losskit zero-copy, losskit copy, the memory-bound probe (probe.mjs), a plain JS loop and
// TensorFlow.js wasm are each measured once per round, each keeping its best round median (the
// rows of the µs goals, mseLoss at n ≤ 10², run a second time at the end, keeping the better). Then
// bench/torch_bench.py (PyTorch, 1 and 2 threads) runs in a child process when
// `python3 -c "import torch"` works, and its times join the table (cross-process ratios).
//
// Options (env):
//   BENCH_ONLY=mseLoss,klDiv   only these losses          BENCH_SIZES=1e6,4e6   only these n (N·C for rows)
//   BENCH_MAX_N=1e7            skip larger cases (e.g. crossEntropy 4096×32000)
//   BENCH_ROUNDS, BENCH_BUDGET_MS   override the per-size rounds / per-measurement budget (ms)
//   BENCH_NO_TF=1 (skip TF.js)   BENCH_TF_CPU=1 (add tfjs-cpu: slow)   BENCH_TF_MAX_N (5e7: TF.js wasm
//   runs out of memory at 4096×32000)   BENCH_SCALAR=1 (add losskit's scalar twins)
//   BENCH_NO_TORCH=1 (skip PyTorch)
// Any of these except BENCH_TF_CPU / BENCH_SCALAR makes the run partial: it writes
// bench/results/partial.json and leaves latest.json alone. See bench/README.md.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as L from "../dist/node.mjs";
import { CASES } from "./cases.mjs";
import { MORE_CASES } from "./cases-more.mjs";
import { fmtN, fmtRatio, fmtTime, gitRevision, interleave, sinkValue, table } from "./harness.mjs";
import { probeFor } from "./probe.mjs";
import { loadTf } from "./tfjs.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const list = (v) => v?.split(",").map((s) => s.trim()).filter(Boolean);
const ONLY = list(env.BENCH_ONLY);
const SIZES = list(env.BENCH_SIZES)?.map(Number);
const MAX_N = Number(env.BENCH_MAX_N ?? Infinity);
const TF_MAX_N = Number(env.BENCH_TF_MAX_N ?? 5e7);
const T0 = performance.now();
const load0 = os.loadavg();
const SPEED_NOTE =
  "This machine class switches between two CPU speeds ~1.8× apart for seconds at a time (and shares its 2 cores with other builds): absolute times move by up to 2× between runs; only same-run ratios count.";
const log = (...a) => console.error(...a); // progress on stderr, the report on stdout
const elapsed = () => `${((performance.now() - T0) / 1e3).toFixed(0)} s`;

if (!globalThis.gc) log("note: run with --expose-gc for steadier numbers (npm run bench does)");

/**
 * Rounds and per-measurement budget (ms) by size; fewer rounds at large n. Budget 0: one call per
 * round. `slowRounds`: the cap for plain JS and the copy path (seconds per call at 4096×32000).
 * `torch`: the same for torch_bench.py (1 and 2 threads, each measured every round).
 */
function plan(n) {
  const [rounds, budgetMs, slowRounds] = n <= 1e2 ? [7, 15] : n <= 1e3 ? [5, 15] : n <= 1e5 ? [5, 20] : n <= 2e6 ? [5, 30] : n <= 2e7 ? [3, 40] : [2, 0, 1];
  const torch = n <= 1e3 ? [3, 10] : n <= 1e5 ? [3, 15] : n <= 2e6 ? [3, 20] : n <= 2e7 ? [2, 30] : [1, 0];
  return {
    rounds: Number(env.BENCH_ROUNDS ?? rounds),
    budgetMs: Number(env.BENCH_BUDGET_MS ?? budgetMs),
    slowRounds: env.BENCH_ROUNDS ? undefined : slowRounds,
    torch: { rounds: Number(env.BENCH_ROUNDS ?? torch[0]), budgetMs: Number(env.BENCH_BUDGET_MS ?? torch[1]) },
  };
}

// ---------- setup ----------
// provenance: dist/ is rebuilt by others while this runs; what was loaded is what was read now
const git = gitRevision(path.join(here, ".."));
const dist = (() => {
  const f = path.join(here, "../dist/losskit_wasm_bg.wasm");
  try {
    return { wasmSha256: createHash("sha256").update(fs.readFileSync(f)).digest("hex").slice(0, 16), wasmMtime: fs.statSync(f).mtime.toISOString() };
  } catch {
    return {};
  }
})();
const simd = L.simdEnabled();
log(`losskit simd128: ${simd}`);
let tf = null;
let tfInfo = { skipped: "BENCH_NO_TF" };
if (!env.BENCH_NO_TF) {
  try {
    ({ tf, info: tfInfo } = await loadTf());
    log(`tfjs ${tfInfo.version}: wasm ${JSON.stringify(tfInfo.wasm)}, cpu ${JSON.stringify(tfInfo.cpu)}`);
  } catch (e) {
    tfInfo = { error: String(e?.message ?? e) };
    log(`tfjs unavailable: ${tfInfo.error}`);
  }
}
const BACKENDS = tf ? ["wasm", ...(env.BENCH_TF_CPU ? ["cpu"] : [])].filter((b) => tfInfo[b]?.ok) : [];
const TF_KEY = { wasm: "tfWasm", cpu: "tfCpu" };

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

// ---------- the work list ----------
const skipped = [];
const work = [];
const seen = new Set();
for (const c of [...CASES, ...MORE_CASES]) {
  if (ONLY && !ONLY.includes(c.name)) continue;
  if (!c.available(L)) {
    if (!skipped.includes(c.name)) skipped.push(c.name);
    continue;
  }
  for (const row of c.rows) {
    const id = `${c.name}|${row.n}|${row.dtype}|${row.classes ?? ""}`;
    if (seen.has(id)) continue; // the same row from cases.mjs and cases-more.mjs: once
    seen.add(id);
    if ((SIZES && !SIZES.includes(row.n)) || row.n > MAX_N) continue;
    work.push({ c, row, index: work.length });
  }
}
// the huge rows (crossEntropy 4096×32000) run last: they grow every wasm memory to GBs
const order = [...work].sort((a, b) => (a.row.n > 2e7) - (b.row.n > 2e7) || a.index - b.index);
// The rows of the goals in µs (mseLoss at n ≤ 10²: a call's fixed cost) run a second time at the
// end, each implementation keeping its better result of the two: measured within ~2 s, such a
// row can catch the machine's slow speed (1.8×) throughout, where the ratio goals cancel it.
order.push(...work.filter(({ c, row }) => c.name === "mseLoss" && row.n <= 1e2 && row.dtype === "f32").map((w) => ({ ...w, again: true })));

/** Merges a row's second measurement into its first: per mode and implementation the better (faster) best round, every round kept. */
function keepBetter(first, second) {
  for (const mode of ["fwd", "grad"]) {
    for (const [key, m] of Object.entries(second[mode])) {
      const prev = first[mode][key];
      if (m.error) continue;
      if (!prev || prev.error || m.s < prev.s) first[mode][key] = { ...m, rounds: [...(prev?.rounds ?? []), ...m.rounds] };
      else prev.rounds = [...prev.rounds, ...m.rounds];
    }
  }
  first.plan = { ...first.plan, passes: 2 };
}

// ---------- run ----------
const results = [];
for (const { c, row, index, again } of order) {
  const { n, dtype } = row;
  const p = plan(n);
  let inst;
  try {
    inst = c.setup(L, n, dtype, row);
  } catch (e) {
    failures.push(`${c.name} n=${n} ${dtype}: setup failed: ${e?.message ?? e}`);
    log(`! ${c.name} n=${n}: setup failed: ${e?.message ?? e}`);
    continue;
  }
  const shape = inst.shape ?? [n];
  const label = `${c.name} ${shape.length >= 2 ? shape.join("×") : fmtN(n)}${dtype === "f32" ? "" : ` ${dtype}`}`;
  log(`${label} … (${elapsed()})`);
  // elements: the input's (a box is 4), what the copy path's extra time per element divides by
  const r = { index, case: c.name, label, tfjs: c.tfName, n, elements: inst.elements ?? n, dtype, shape, bytes: inst.bytes, plan: p, checks: {}, fwd: {}, grad: {} };

  // correctness first: every engine against the f64-accumulated plain-JS reference, and losskit
  // against tfjs directly. This also calls every closure once before the timing (warm).
  const safe = (f) => {
    try {
      return f();
    } catch (e) {
      failures.push(`${label}: ${e?.message ?? e}`);
      return NaN;
    }
  };
  const ref = inst.js.loss();
  inst.js.grad();
  const jsGrad = inst.gradOf.js(); // every later js.grad call writes the same values
  const lkLoss = safe(inst.lk.loss);
  r.checks.lkCopy = checkLoss(label, "losskit copy", lkLoss, ref);
  r.checks.lkZc = checkLoss(label, "losskit zero-copy", safe(inst.zc.loss), ref);
  r.checks.lkCopyGrad = checkLoss(label, "losskit copy withGrad", safe(inst.lk.grad), ref);
  r.checks.lkCopyGradVec = checkGrad(label, "losskit copy", inst.gradOf.lk(), jsGrad);
  r.checks.lkZcGrad = checkLoss(label, "losskit zero-copy withGrad", safe(inst.zc.grad), ref);
  r.checks.lkZcGradVec = checkGrad(label, "losskit zero-copy", inst.gradOf.zc(), jsGrad);
  // Prepared calls are timed where a call's fixed cost matters (n ≤ 10³).
  const prep = n <= 1e3 ? inst.prep : undefined;
  if (prep) {
    r.checks.lkPrep = checkLoss(label, "losskit prepared", safe(prep.loss), ref);
    r.checks.lkPrepGrad = checkLoss(label, "losskit prepared withGrad", safe(prep.grad), ref);
    r.checks.lkPrepGradVec = checkGrad(label, "losskit prepared", inst.gradOf.zc(), jsGrad);
  }
  const prepCopy = n <= 1e3 ? inst.prepCopy : undefined;
  if (prepCopy) {
    r.checks.lkPrepCopy = checkLoss(label, "losskit prepared (typed arrays)", safe(prepCopy.loss), ref);
    r.checks.lkPrepCopyGrad = checkLoss(label, "losskit prepared withGrad (typed arrays)", safe(prepCopy.grad), ref);
    r.checks.lkPrepCopyGradVec = checkGrad(label, "losskit prepared (typed arrays)", inst.gradOf.prepCopy(), jsGrad);
  }
  if (env.BENCH_SCALAR || n <= 2e6) {
    L.setScalarKernels(true);
    r.checks.lkScalar = checkLoss(label, "losskit scalar twin", safe(inst.zc.loss), ref);
    r.checks.lkScalarGrad = checkLoss(label, "losskit scalar twin withGrad", safe(inst.zc.grad), ref);
    L.setScalarKernels(false);
  }

  const tfRuns = [];
  for (const b of n <= TF_MAX_N ? BACKENDS : []) {
    const key = TF_KEY[b];
    await tf.setBackend(b);
    let t;
    try {
      t = inst.tf(tf);
    } catch (e) {
      r.fwd[key] = r.grad[key] = { error: String(e?.message ?? e) };
      continue;
    }
    if (!t) continue; // e.g. f64: tfjs computes in float32 only
    tfRuns.push({ b, key, t });
    const v = safe(t.loss);
    r.checks[key] = checkLoss(label, `tfjs-${b}`, v, ref, 1e-4, []);
    r.checks[`lkVs${key}`] = rel(lkLoss, v);
    if (!(r.checks[`lkVs${key}`] <= 1e-4)) {
      const note = `${label}: losskit ${lkLoss} vs tfjs-${b} ${v} differ by rel ${r.checks[`lkVs${key}`].toExponential(2)}; vs the f64 reference ${ref}: losskit rel ${r.checks.lkCopy.toExponential(2)}, tfjs-${b} rel ${r.checks[key].toExponential(2)}`;
      (r.checks.lkCopy <= 1e-4 && !(r.checks[key] <= 1e-4) ? tfNotes : failures).push(note);
    }
    r.checks[`${key}Grad`] = checkLoss(label, `tfjs-${b} valueAndGrad`, safe(t.grad), ref, 1e-4, []);
    r.checks[`${key}GradVec`] = checkGrad(label, `tfjs-${b}`, t.gradOf(), jsGrad, 1e-4, tfNotes);
  }
  if (n > TF_MAX_N && BACKENDS.length) r.tfSkipped = `n > BENCH_TF_MAX_N (${TF_MAX_N}): TF.js wasm runs out of memory at this size`;

  // timing: every implementation once per round, best round median each
  const tensorsBefore = tf?.memory().numTensors;
  try {
    for (const mode of ["fwd", "grad"]) {
      const m = mode === "fwd" ? "loss" : "grad";
      const probe = probeFor(inst.bytes[m]);
      probe.fn(); // warm (checks warmed the others)
      const scalar = (on) => () => L.setScalarKernels(on);
      const entries = [
        { key: "lkZc", fn: inst.zc[m] },
        ...(prep ? [{ key: "lkPrep", fn: prep[m] }] : []),
        ...(prepCopy ? [{ key: "lkPrepCopy", fn: prepCopy[m] }] : []),
        { key: "lkCopy", fn: inst.lk[m], maxRounds: p.slowRounds },
        { key: "probe", fn: probe.fn },
        { key: "js", fn: inst.js[m], maxRounds: p.slowRounds },
        ...tfRuns.map(({ b, key, t }) => ({ key, fn: t[m], enter: () => tf.setBackend(b) })),
        ...(env.BENCH_SCALAR ? [{ key: "lkScalar", fn: inst.zc[m], enter: scalar(true), exit: scalar(false) }] : []),
      ];
      Object.assign(r[mode], await interleave(entries, { rounds: p.rounds, budgetMs: p.budgetMs, warm: true }));
      r[mode].probe.kernels = probe.kernels;
    }
    const leaked = tf ? tf.memory().numTensors - tensorsBefore : 0;
    if (leaked !== 0) failures.push(`${label}: tfjs leaked ${leaked} tensors during the timing`);
  } finally {
    for (const { t } of tfRuns) t.dispose();
  }
  inst.dispose();
  const first = again ? results.find((x) => x.index === index) : undefined;
  if (first) keepBetter(first, r);
  else results.push(r);
}
results.sort((a, b) => a.index - b.index);
const load1 = os.loadavg();
const jsSeconds = (performance.now() - T0) / 1e3;
log(`JS part done (${elapsed()})`);

// ---------- PyTorch (child process) ----------
const torchKey = (r) => `${r.case}|${r.shape.join("x")}`;
function runTorch() {
  if (env.BENCH_NO_TORCH) return { skipped: "BENCH_NO_TORCH" };
  if (!results.length) return { skipped: "no cases" };
  const probe = spawnSync("python3", ["-c", "import torch"], { stdio: "ignore" });
  if (probe.status !== 0) return { skipped: `python3 -c "import torch" failed${probe.error ? ` (${probe.error.code})` : ""}` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "losskit-torch-"));
  const casesFile = path.join(dir, "cases.json");
  const outFile = path.join(dir, "results.json");
  const cases = results.filter((r) => r.dtype === "f32").map((r) => ({ key: torchKey(r), name: r.case, shape: r.shape, n: r.n, ...r.plan.torch }));
  fs.writeFileSync(casesFile, JSON.stringify({ cases }));
  log("PyTorch (bench/torch_bench.py, a separate process) …");
  const t = performance.now();
  const res = spawnSync("python3", [path.join(here, "torch_bench.py"), "--cases", casesFile, "--out", outFile], { stdio: ["ignore", 2, 2], timeout: 15 * 60e3 });
  try {
    if (res.status !== 0) return { error: `torch_bench.py exited with ${res.status ?? res.signal ?? res.error?.message}` };
    return { ...JSON.parse(fs.readFileSync(outFile, "utf8")), wallSeconds: (performance.now() - t) / 1e3 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const torch = runTorch();
const load2 = os.loadavg();
if (torch.skipped || torch.error) log(`PyTorch: ${torch.skipped ?? torch.error}`);
for (const r of results) {
  const t = r.dtype === "f32" ? torch.results?.[torchKey(r)] : undefined;
  for (const mode of ["fwd", "grad"]) {
    if (t?.[mode]) {
      r[mode].torch1 = t[mode].t1;
      r[mode].torch2 = t[mode].t2;
    } else if (t?.error && !t.error.startsWith("no PyTorch counterpart")) r[mode].torch1 = r[mode].torch2 = { error: t.error };
  }
  if (t?.pytorch) r.pytorch = t.pytorch;
}

// ---------- ratios ----------
const s = (m) => (m && !m.error && Number.isFinite(m.s) ? m.s : undefined);
const div = (a, b) => (s(a) && s(b) ? s(a) / s(b) : undefined);
for (const r of results)
  for (const mode of ["fwd", "grad"]) {
    const m = r[mode];
    m.ratios = {
      lkOverProbe: div(m.lkZc, m.probe),
      lkOverTorch1: div(m.lkZc, m.torch1),
      lkOverTorch2: div(m.lkZc, m.torch2),
      tfWasmOverLk: div(m.tfWasm, m.lkZc),
      tfCpuOverLk: div(m.tfCpu, m.lkZc),
      jsOverLk: div(m.js, m.lkZc),
      jsOverLkCopy: div(m.js, m.lkCopy),
      jsOverLkPrep: div(m.js, m.lkPrep),
      jsOverLkPrepCopy: div(m.js, m.lkPrepCopy),
      scalarOverLk: div(m.lkScalar, m.lkZc),
      copyMinusZcNsPerElement: s(m.lkCopy) && s(m.lkZc) ? ((s(m.lkCopy) - s(m.lkZc)) / r.elements) * 1e9 : undefined,
    };
  }

// ---------- goals ----------
const find = (name, n) => results.find((r) => r.case === name && r.n === n && r.dtype === "f32");
const findShape = (name, N, C) => results.find((r) => r.case === name && r.shape[0] === N && r.shape[1] === C);
const goals = [];
const MODE = { fwd: "fwd", grad: "fwd+grad" };
/** value: measured number or undefined; ok(v) → boolean; show(v) → string */
function goal(what, r, mode, value, target, ok, show = fmtRatio) {
  const missing = !r ? "not run" : value === undefined ? "not measured" : null;
  goals.push({ goal: what, case: r?.label ?? "—", mode: MODE[mode], measured: missing ?? show(value), value, target, result: missing ? "n/a" : ok(value) ? "PASS" : "MISS" });
}
const R = (r, mode, k) => r?.[mode].ratios[k];
for (const name of ["mseLoss", "l1Loss", "huberLoss", "smoothL1Loss"]) {
  const r = find(name, 1e6);
  goal("losskit ÷ probe", r, "grad", R(r, "grad", "lkOverProbe"), "≤ 1.5×", (v) => v <= 1.5);
  goal("losskit ÷ probe", r, "fwd", R(r, "fwd", "lkOverProbe"), "≤ 1.2×", (v) => v <= 1.2);
  for (const mode of ["fwd", "grad"]) {
    goal("losskit ÷ PyTorch-2T (faster)", r, mode, R(r, mode, "lkOverTorch2"), "< 1×", (v) => v < 1);
    if (s(r?.[mode].torch2) > s(r?.[mode].torch1)) goals.at(-1).measured += " †";
  }
  for (const mode of ["fwd", "grad"]) goal("TF.js-wasm ÷ losskit", r, mode, R(r, mode, "tfWasmOverLk"), "≥ 20×", (v) => v >= 20);
}
for (const name of ["binaryCrossEntropyWithLogits", "binaryCrossEntropy"]) {
  const r = find(name, 1e6);
  goal("losskit ÷ PyTorch-1T", r, "grad", R(r, "grad", "lkOverTorch1"), "≤ 1.0×", (v) => v <= 1);
}
for (const [N, C] of [[512, 1000], [65536, 10], [4096, 32000]]) {
  const r = findShape("crossEntropy", N, C);
  goal("losskit ÷ PyTorch-1T", r, "grad", R(r, "grad", "lkOverTorch1"), "≤ 1.0×", (v) => v <= 1);
}
{
  const us = (v) => `${(v * 1e6).toFixed(3)} µs`;
  const r1 = find("mseLoss", 1);
  goal("call overhead, zero-copy", r1, "grad", s(r1?.grad.lkZc), "≤ 0.3 µs", (v) => v <= 0.3e-6, us);
  goal("call overhead, typed arrays (copy)", r1, "grad", s(r1?.grad.lkCopy), "≤ 0.6 µs", (v) => v <= 0.6e-6, us);
  goal("call overhead, zero-copy prepared (withGrad.prepare)", r1, "grad", s(r1?.grad.lkPrep), "≤ 0.3 µs", (v) => v <= 0.3e-6, us);
  goal("call overhead, typed arrays prepared (withGrad.prepare)", r1, "grad", s(r1?.grad.lkPrepCopy), "≤ 0.6 µs", (v) => v <= 0.6e-6, us);
  const r100 = find("mseLoss", 100);
  goal("plain JS ÷ losskit zero-copy", r100, "grad", R(r100, "grad", "jsOverLk"), "≥ 1.0×", (v) => v >= 1);
  goal("plain JS ÷ losskit copy", r100, "grad", R(r100, "grad", "jsOverLkCopy"), "≥ 1.0×", (v) => v >= 1);
  goal("plain JS ÷ losskit zero-copy prepared", r100, "grad", R(r100, "grad", "jsOverLkPrep"), "≥ 1.0×", (v) => v >= 1);
  goal("plain JS ÷ losskit typed arrays prepared", r100, "grad", R(r100, "grad", "jsOverLkPrepCopy"), "≥ 1.0×", (v) => v >= 1);
}
for (const mode of ["fwd", "grad"]) {
  const rows = results.filter((r) => r.n === 1e6 && r.dtype === "f32" && R(r, mode, "copyMinusZcNsPerElement") !== undefined);
  const worst = rows.reduce((w, r) => (!w || R(r, mode, "copyMinusZcNsPerElement") > R(w, mode, "copyMinusZcNsPerElement") ? r : w), null);
  const misses = rows.filter((r) => !(R(r, mode, "copyMinusZcNsPerElement") <= 1));
  const v = worst ? R(worst, mode, "copyMinusZcNsPerElement") : undefined;
  goals.push({
    goal: "copy − zero-copy, every case at n = 1e6 (the worst)",
    case: worst?.label ?? "—",
    mode: MODE[mode],
    measured: v === undefined ? "not measured" : `${v.toFixed(2)} ns/el`,
    value: v,
    target: "≤ 1.0 ns/el",
    result: v === undefined ? "n/a" : misses.length ? `MISS (${rows.length - misses.length} of ${rows.length} pass)` : `PASS (${rows.length} of ${rows.length})`,
    over: misses.map((r) => `${r.case} ${R(r, mode, "copyMinusZcNsPerElement").toFixed(2)}`),
  });
}

// ---------- report ----------
const machine = {
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  v8: process.versions.v8,
};
const date = new Date().toISOString();
const ns = (v) => (v === undefined ? "—" : `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(Math.abs(v) < 10 ? 2 : 1)}`);
const cell = (m, f) => (m?.error ? "error" : f());
const tableRows = results.flatMap((r) =>
  ["fwd", "grad"].map((mode) => {
    const m = r[mode];
    const q = m.ratios;
    return [
      r.label,
      MODE[mode],
      cell(m.lkZc, () => fmtTime(s(m.lkZc))),
      fmtRatio(q.lkOverProbe),
      cell(m.torch1, () => fmtRatio(q.lkOverTorch1)),
      cell(m.torch2, () => fmtRatio(q.lkOverTorch2)),
      r.tfSkipped ? "skipped" : cell(m.tfWasm, () => fmtRatio(q.tfWasmOverLk)),
      fmtRatio(q.jsOverLk),
      ns(q.copyMinusZcNsPerElement),
      ...(BACKENDS.includes("cpu") ? [r.tfSkipped ? "skipped" : cell(m.tfCpu, () => fmtRatio(q.tfCpuOverLk))] : []),
      ...(env.BENCH_SCALAR ? [cell(m.lkScalar, () => fmtRatio(q.scalarOverLk))] : []),
    ];
  }),
);
const la = (l) => l.map((v) => v.toFixed(2)).join(" ");
const tfNote = tf
  ? `TF.js ${tfInfo.version} wasm (simd ${tfInfo.wasm?.simd}, threads ${tfInfo.wasm?.threads})${BACKENDS.includes("cpu") ? " and cpu" : ""}`
  : `TF.js not run (${tfInfo.error ?? tfInfo.skipped})`;
const torchNote = torch.info
  ? `PyTorch ${torch.info.torch} (Python ${torch.info.python}, CPU capability ${torch.info.cpuCapability ?? "?"})`
  : `PyTorch not run (${torch.skipped ?? torch.error})`;
const pct = (rs) => rs.map((r) => `${r.rounds}×${r.budgetMs ? `${r.budgetMs} ms` : "1 call"}${r.slowRounds ? ` (plain JS and copy: ${r.slowRounds})` : ""}`).join(", ");
const out = [];
out.push(`## losskit bench — ${date} (${git}; dist wasm ${dist.wasmSha256 ?? "?"} built ${dist.wasmMtime ?? "?"})`);
out.push("");
out.push(`${machine.cpu} (${machine.cores} cores), ${machine.platform}, Node ${machine.node}; losskit simd128 ${simd}; ${tfNote}; ${torchNote}.`);
out.push(
  `Time = best of interleaved rounds of the median per call (rounds × budget per measurement: n ≤ 1e2 ${pct([plan(1e2)])}, ≤ 1e3 ${pct([plan(1e3)])}, ≤ 1e5 ${pct([plan(1e5)])}, ≤ 2e6 ${pct([plan(1e6)])}, ≤ 2e7 ${pct([plan(4e6)])}, above ${pct([plan(1e8)])}; mseLoss at n ≤ 1e2 in two passes, the second at the end, keeping the better). f32; fwd+grad = loss and the gradient w.r.t. the input only (every implementation).`,
);
out.push(SPEED_NOTE);
out.push(`Load average (1/5/15 min): ${la(load0)} at start, ${la(load1)} after the JS part, ${la(load2)} after PyTorch.`);
out.push("");
out.push(
  table(
    [
      ...["case", "mode", "losskit zero-copy", "÷ probe", "÷ PyTorch-1T", "÷ PyTorch-2T", "TF.js-wasm ÷ losskit", "plain JS ÷ losskit", "copy − zero-copy ns/el"],
      ...(BACKENDS.includes("cpu") ? ["tfjs-cpu ÷ losskit"] : []),
      ...(env.BENCH_SCALAR ? ["scalar twin ÷ SIMD"] : []),
    ],
    tableRows,
  ),
);
out.push("");
out.push(
  "losskit = zero-copy path (wasm tensors, gradient `into` a wasm tensor). ÷ columns: losskit's time ÷ the other's (< 1× = losskit faster); TF.js and plain JS: their time ÷ losskit's (> 1× = losskit faster); copy − zero-copy: the typed-array path's extra time per element. " +
    "probe = a wasm SIMD loop streaming the same bytes (reads input + target, fwd+grad also writes the gradient). " +
    "**Same process, interleaved rounds**: losskit, probe, TF.js, plain JS. **Cross-process**: the PyTorch columns — torch_bench.py runs after the JS part in its own process (1 and 2 threads interleaved there), so a CPU-speed or load change between the two parts shifts those ratios.",
);
const tfSkipped = results.filter((r) => r.tfSkipped);
if (tfSkipped.length) out.push("", `TF.js skipped at ${tfSkipped.map((r) => r.label).join(", ")}: its wasm heap runs out of memory there ("memory access out of bounds"); BENCH_TF_MAX_N raises the limit.`);
out.push("");
out.push("### Goals");
out.push("");
out.push(table(["goal", "case", "mode", "measured", "target", "result"], goals.map((g) => [g.goal, g.case, g.mode, g.measured, g.target, g.result])));
const tally = (k) => goals.filter((g) => g.result.startsWith(k)).length;
out.push("");
for (const g of goals.filter((g) => g.over?.length)) out.push("", `Copy path over 1.0 ns/el at 1e6, ${g.mode} (ns/el): ${g.over.join(", ")}.`);
const t2 = results.flatMap((r) => ["fwd", "grad"].filter((m) => s(r[m].torch1) && s(r[m].torch2)).map((m) => s(r[m].torch2) / s(r[m].torch1)));
if (t2.length)
  out.push(
    "",
    `† = PyTorch-2T slower than PyTorch-1T in that row. Over all rows, PyTorch-2T ÷ 1T is ${fmtRatio(Math.min(...t2))}–${fmtRatio(Math.max(...t2))} (median ${fmtRatio([...t2].sort((a, b) => a - b)[t2.length >> 1])}; > 1 in ${t2.filter((v) => v > 1).length} of ${t2.length}): with the 2 cores shared, its second thread waits for a core.`,
  );
out.push("");
out.push(
  `${tally("PASS")} PASS, ${tally("MISS")} MISS, ${tally("n/a")} n/a. PyTorch ratios are cross-process (see above), and PyTorch-2T competes for the 2 cores with whatever else runs (its times swing most with load); absolute µs targets depend on which CPU speed the best round caught.`,
);
const covered = new Set(results.map((r) => r.case));
const missing = (L.losses ?? []).map((l) => l.name).filter((name) => !covered.has(name));
if (missing.length && !ONLY && !SIZES) out.push("", `Exported but not benchmarked (no entry in cases.mjs / cases-more.mjs): ${missing.join(", ")}.`);
if (skipped.length) out.push("", `Skipped (not exported by losskit): ${skipped.join(", ")}.`);
out.push("");
out.push(
  failures.length
    ? `### CHECK FAILURES\n\n${failures.map((f) => `- ${f}`).join("\n")}`
    : "Correctness: every losskit loss (copy, zero-copy, scalar twin ≤ 2e6; fwd and withGrad) within 1e-4 relative of the f64-accumulated plain-JS reference, input gradients within 1e-4 of max|g|.",
);
if (tfNotes.length) out.push("", `### tfjs accuracy notes (losskit within 1e-4 of the f64 reference, tfjs not)\n\n${tfNotes.map((f) => `- ${f}`).join("\n")}`);
const total = (performance.now() - T0) / 1e3;
out.push("", `Total bench time ${total.toFixed(0)} s (JS ${jsSeconds.toFixed(0)} s, PyTorch ${torch.wallSeconds ? torch.wallSeconds.toFixed(0) : "—"} s).`);
console.log(out.join("\n"));

fs.mkdirSync(path.join(here, "results"), { recursive: true });
const json = {
  timestamp: date,
  git,
  dist,
  machine,
  speedNote: SPEED_NOTE,
  loadavg: { start: load0, afterJs: load1, end: load2 },
  losskit: { simd },
  tfjs: tfInfo,
  torch: torch.info ?? { skipped: torch.skipped, error: torch.error },
  env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("BENCH_"))),
  units: {
    time: "seconds per call (best round median); p25/p75 of that round; rounds = every round's median",
    bytes: "bytes the operation must touch (probe streams these)",
    ratios: "lkOver*: losskit zero-copy ÷ other; *OverLk: other ÷ losskit zero-copy; copyMinusZcNsPerElement: (copy − zero-copy) / n in ns",
    crossProcess: "torch1/torch2 come from bench/torch_bench.py, run after the JS part in another process",
  },
  results,
  goals,
  skipped,
  notBenchmarked: missing,
  failures,
  tfNotes,
  totalSeconds: total,
  jsSeconds,
  torchSeconds: torch.wallSeconds,
  _sink: sinkValue(),
};
// a partial run must not overwrite the full results
const partial = ONLY || SIZES || env.BENCH_MAX_N || env.BENCH_NO_TF || env.BENCH_NO_TORCH || env.BENCH_BUDGET_MS || env.BENCH_ROUNDS || env.BENCH_TF_MAX_N;
const file = partial ? "partial.json" : "latest.json";
fs.writeFileSync(path.join(here, "results", file), JSON.stringify(json, null, 1));
log(`wrote bench/results/${file}`);
if (failures.length) process.exitCode = 1;
