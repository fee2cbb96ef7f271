// A/B benchmark of two builds of losskit in one process:
//   node --expose-gc bench/compare.mjs <dirA> <dirB>      (each dir holds a built dist/node.mjs)
// e.g. A = a worktree of the baseline commit, B = this checkout. Every (case, mode, path) is
// measured in interleaved rounds, A and B alternating batch by batch within each round
// (bench/harness.mjs `alternate`), so the CPU's speed changes hit A and B alike. Reports B/A
// ratios (< 1: B faster) — of the best round medians, and paired (median of per-pair ratios) —
// and writes bench/results/compare-latest.json.
// Env: COMPARE_ROUNDS (7), COMPARE_BUDGET_MS (per round and build, 30), COMPARE_ONLY=mseLoss,klDiv.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { rng as xorshift } from "./rng.mjs";
import { alternate, fmtN, fmtTime, gitRevision, median, sinkValue, table } from "./harness.mjs";

const [dirA, dirB] = process.argv.slice(2).map((d) => path.resolve(d ?? ""));
if (process.argv.length < 4) {
  console.error("usage: node --expose-gc bench/compare.mjs <dirA> <dirB>");
  process.exit(2);
}
const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 7);
const BUDGET = Number(process.env.COMPARE_BUDGET_MS ?? 30);
const ONLY = process.env.COMPARE_ONLY?.split(",");
const here = path.dirname(fileURLToPath(import.meta.url));
const log = (...a) => console.error(...a);
if (!globalThis.gc) log("note: run with --expose-gc for steadier numbers");

const T0 = performance.now();
const load0 = os.loadavg();
const builds = {};
for (const [key, dir] of [["A", dirA], ["B", dirB]]) {
  // the query makes A and B separate module instances (own wasm memory) even for the same dir
  const L = await import(`${pathToFileURL(path.join(dir, "dist/node.mjs")).href}?build=${key}`);
  L.setScalarKernels(false);
  builds[key] = { L, dir, rev: gitRevision(dir), simd: L.simdEnabled?.() };
}

// ---------- data (deterministic) ----------
const rng = (seed) => xorshift(seed).u;
const normal = (u) => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
const ARRAY = { f32: Float32Array, f64: Float64Array, i32: Int32Array };
const fill = (A, n, f) => {
  const a = new A(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
};

/** (input, target) for an elementwise loss, in the value range the loss expects. */
function pointwiseData(name, n, dtype) {
  const u = rng(n + 7);
  const A = ARRAY[dtype];
  switch (name) {
    case "binaryCrossEntropy": // probabilities and soft targets in (0, 1)
      return [fill(A, n, () => 0.01 + 0.98 * u()), fill(A, n, () => u())];
    case "binaryCrossEntropyWithLogits":
      return [fill(A, n, () => 2 * normal(u)), fill(A, n, () => (u() < 0.5 ? 0 : 1))];
    case "klDiv": // log-probabilities, probabilities
      return [fill(A, n, () => Math.log((0.5 + u()) / n)), fill(A, n, () => (0.5 + u()) / n)];
    default: {
      const y = fill(A, n, () => normal(u));
      return [fill(A, n, (i) => y[i] + 1.5 * normal(u)), y]; // |x − y| on both sides of 1
    }
  }
}

/** Logits (or log-probabilities for nllLoss) [N, C] and Int32 class indices [N]. */
function classData(name, N, C) {
  const u = rng(N * C + 11);
  const x = fill(Float32Array, N * C, () => 2 * normal(u));
  if (name === "nllLoss")
    for (let r = 0; r < N; r++) {
      const row = x.subarray(r * C, (r + 1) * C);
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      for (let j = 0; j < C; j++) row[j] -= lse;
    }
  return [x, fill(Int32Array, N, () => Math.floor(u() * C))];
}

const POINTWISE = ["mseLoss", "l1Loss", "huberLoss", "smoothL1Loss", "binaryCrossEntropyWithLogits", "binaryCrossEntropy", "klDiv"];
const CASES = [
  ...POINTWISE.flatMap((name) => [1e2, 1e3, 1e6].map((n) => ({ name, n, dtype: "f32", shape: [n] }))),
  { name: "mseLoss", n: 1e6, dtype: "f64", shape: [1e6] },
  { name: "crossEntropy", n: 512 * 1000, dtype: "f32", shape: [512, 1000] },
  { name: "crossEntropy", n: 65536 * 10, dtype: "f32", shape: [65536, 10] },
  { name: "nllLoss", n: 65536 * 10, dtype: "f32", shape: [65536, 10] },
].filter((c) => !ONLY || ONLY.includes(c.name));

/** Closures of one build for one case: { copy: {loss, grad}, tensor: {loss, grad}, gradOf, dispose }. */
function closures(L, c, [x, t]) {
  const fn = L[c.name];
  const classes = c.shape.length === 2;
  const input = classes ? { data: x, shape: c.shape } : x;
  const tensorOf = (a, shape, dtype) => {
    const w = L.tensor(shape, dtype);
    w.data.set(a);
    return w;
  };
  const tx = tensorOf(x, c.shape, c.dtype);
  const tt = classes ? tensorOf(t, [c.shape[0]], "i32") : tensorOf(t, c.shape, c.dtype);
  const tg = L.tensor(c.shape, c.dtype);
  const into = { wrt: ["input"], into: { input: tg } };
  let copyGrad;
  return {
    copy: {
      loss: () => fn(input, t),
      grad: () => {
        const r = fn.withGrad(input, t, { wrt: ["input"] });
        copyGrad = r.grads.input.data;
        return r.loss;
      },
    },
    tensor: { loss: () => fn(tx, tt), grad: () => fn.withGrad(tx, tt, into).loss },
    gradOf: { copy: () => copyGrad, tensor: () => tg.data },
    dispose: () => [tx, tt, tg].forEach((w) => w.dispose()),
  };
}

// ---------- run ----------
const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
function gradDiff(a, b) {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return a.length === b.length ? err / Math.max(scale, 1e-300) : Infinity;
}
const mismatches = [];
const rows = [];
for (const c of CASES) {
  const label = `${c.name} ${c.shape.length === 2 ? `(${c.shape.join(",")})` : fmtN(c.n)} ${c.dtype}`;
  if (!builds.A.L[c.name] || !builds.B.L[c.name]) {
    log(`skip ${label}: not exported by both builds`);
    continue;
  }
  log(`${label} …`);
  const data = c.shape.length === 2 ? classData(c.name, ...c.shape) : pointwiseData(c.name, c.n, c.dtype);
  const cl = { A: closures(builds.A.L, c, data), B: closures(builds.B.L, c, data) };
  for (const mode of ["loss", "grad"])
    for (const p of ["copy", "tensor"]) {
      try {
        // same results first: loss to 1e-6 relative, input gradient to 1e-6 of max|g|
        const lossA = cl.A[p][mode]();
        const lossB = cl.B[p][mode]();
        const check = { lossA, lossB, rel: rel(lossA, lossB) };
        if (mode === "grad") check.grad = gradDiff(cl.A.gradOf[p](), cl.B.gradOf[p]());
        if (!(check.rel <= 1e-6) || !((check.grad ?? 0) <= 1e-6))
          mismatches.push(`${label} ${mode} ${p}: A ${lossA} vs B ${lossB} (rel ${check.rel.toExponential(2)})${check.grad != null ? `, grad max|Δ|/max|g| ${check.grad.toExponential(2)}` : ""}`);
        const { a: A, b: B, paired } = alternate(cl.A[p][mode], cl.B[p][mode], { rounds: ROUNDS, budgetMs: BUDGET });
        rows.push({ case: c.name, shape: c.shape, dtype: c.dtype, label, mode, path: p, ratio: B.s / A.s, paired, A, B, check });
      } catch (e) {
        mismatches.push(`${label} ${mode} ${p}: threw ${e?.message ?? e}`);
      }
    }
  cl.A.dispose();
  cl.B.dispose();
}
const load1 = os.loadavg();

// ---------- report ----------
const fr = (r) => (Number.isFinite(r) ? r.toFixed(3) : "—");
function spread(key) {
  const v = rows.map((r) => r[key]).filter(Number.isFinite).sort((a, b) => a - b);
  const geomean = Math.exp(v.reduce((s, r) => s + Math.log(r), 0) / v.length);
  return { geomean, median: median(v), min: v[0], max: v.at(-1), rows: v.length };
}
const summary = { best: spread("ratio"), paired: spread("paired") };
const fs1 = (x) => `geometric mean ${fr(x.geomean)}, median ${fr(x.median)}, range ${fr(x.min)}–${fr(x.max)}`;
const la = (l) => l.map((v) => v.toFixed(2)).join(" ");
const cpu = os.cpus()[0]?.model;
const out = [
  `## losskit A/B — ${new Date().toISOString()}`,
  "",
  `A: ${dirA} (${builds.A.rev}, simd ${builds.A.simd})  `,
  `B: ${dirB} (${builds.B.rev}, simd ${builds.B.simd})  `,
  `${cpu} (${os.cpus().length} cores), Node ${process.version}; load average 1/5/15 min: ${la(load0)} at start, ${la(load1)} at end.  `,
  `${ROUNDS} rounds, A and B alternating ~1 ms batches for ~${2 * BUDGET} ms per round; time = best round median per call. This machine class switches`,
  "between two CPU speeds ~1.8× apart for seconds at a time: only the same-run ratios mean anything.",
  "",
  table(
    ["case", "mode", "path", "B/A", "B/A paired", "A", "B"],
    rows.map((r) => [r.label, r.mode === "grad" ? "loss+grad" : "loss", r.path, fr(r.ratio), fr(r.paired), fmtTime(r.A.s), fmtTime(r.B.s)]),
  ),
  "",
  "B/A = B's best round median ÷ A's (< 1: B faster); paired = median over all batch pairs of B's time ÷ A's (the steadier one).",
  `B/A over ${summary.best.rows} rows: ${fs1(summary.best)}. Paired: ${fs1(summary.paired)}.`,
  "",
  mismatches.length ? `### A and B DISAGREE\n\n${mismatches.map((m) => `- ${m}`).join("\n")}` : "A and B agree on every loss (1e-6 relative) and input gradient (1e-6 of max|g|).",
];
const total = (performance.now() - T0) / 1e3;
out.push("", `Total time ${total.toFixed(0)} s.`);
console.log(out.join("\n"));

fs.mkdirSync(path.join(here, "results"), { recursive: true });
const json = {
  timestamp: new Date().toISOString(),
  machine: { cpu, cores: os.cpus().length, platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version },
  loadavg: { start: load0, end: load1 },
  A: { dir: dirA, rev: builds.A.rev, simd: builds.A.simd },
  B: { dir: dirB, rev: builds.B.rev, simd: builds.B.simd },
  rounds: ROUNDS,
  budgetMsPerRound: BUDGET,
  units: { time: "seconds per call (best round median)", ratio: "B ÷ A" },
  summary,
  rows,
  mismatches,
  totalSeconds: total,
  _sink: sinkValue(),
};
fs.writeFileSync(path.join(here, "results", "compare-latest.json"), JSON.stringify(json, null, 2));
log("wrote bench/results/compare-latest.json");
if (mismatches.length) process.exitCode = 1;
