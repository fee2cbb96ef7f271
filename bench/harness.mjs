// Timing: warm up, pick a batch size so one sample lasts ~targetMs, take samples until the
// time budget is spent (at least minSamples), report the median time per call.
import { execFileSync, spawn } from "node:child_process";
import readline from "node:readline";
const now = () => performance.now();
let sink = 0; // results are accumulated here so no call can be optimized away

/** The commit checked out in `dir` as `git describe --always --dirty --tags` gives it (a results file's provenance), "?" outside git. */
export function gitRevision(dir) {
  try {
    return execFileSync("git", ["-C", dir, "describe", "--always", "--dirty", "--tags"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "?";
  }
}

/**
 * A child process that answers each request line with one line (the PyTorch workers):
 * `ask(line)` writes `line` (nothing when it is undefined: the next line the child prints
 * unasked, such as a greeting) and resolves with the child's next line; `close()` ends its
 * stdin; `child` is the process.
 */
export function lineWorker(command, args) {
  const child = spawn(command, args.map(String), { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (l) => waiting.shift()?.(l));
  return {
    child,
    ask: (line) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        if (line !== undefined) child.stdin.write(`${line}\n`);
      }),
    close: () => child.stdin.end(),
  };
}

export function consume(v) {
  sink += typeof v === "number" ? v : v?.length ?? 1;
}
export function sinkValue() {
  return sink;
}

export function median(a) {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median seconds per call of fn, plus sample count and the spread (p25–p75).
 * A call slower than a third of the budget is "slow" (tfjs-cpu at 1e7 takes seconds): no batching,
 * one warm-up call, then slowSamples samples; with `warm` (fn already warmed up by an earlier
 * round) the first call is itself a sample. `gc`: run gc() first (with --expose-gc) — note that
 * losskit's µs-scale calls then run 3–5× slower for 50–90 ms (measured; plain JS loops do not).
 */
export function measure(fn, { budgetMs = 200, minSamples = 5, maxSamples = 200, targetMs = 2, warmupMs = 25, slowSamples = 3, warm = false, gc = true } = {}) {
  if (gc) globalThis.gc?.();
  let calls = 0;
  const w0 = now();
  consume(fn());
  calls++;
  const first = now() - w0;
  const slow = first > budgetMs / 3;
  const samples = slow && warm ? [first / 1e3] : [];
  if (slow) minSamples = slowSamples;
  while (!slow && (calls < 2 || (now() - w0 < warmupMs && calls < 10000))) {
    consume(fn());
    calls++;
  }
  const per = (now() - w0) / calls;
  const batch = slow ? 1 : Math.max(1, Math.min(100000, Math.round(targetMs / Math.max(per, 1e-6))));
  const t0 = now();
  while (samples.length < minSamples || (!slow && now() - t0 < budgetMs && samples.length < maxSamples)) {
    const a = now();
    for (let i = 0; i < batch; i++) consume(fn());
    samples.push((now() - a) / batch / 1e3);
  }
  const s = [...samples].sort((p, q) => p - q);
  return { s: median(s), p25: s[Math.floor(s.length / 4)], p75: s[Math.floor((3 * s.length) / 4)], samples: s.length, batch };
}

/**
 * Interleaved rounds, for a machine whose CPU speed changes under the measurement: each round
 * measures every entry once (the starting entry rotates, so two entries run A B, B A, A B, …),
 * and each entry keeps its best (lowest) round median. A speed change then hits all entries
 * alike instead of whichever happened to be measured during it.
 * entries: [{ key, fn, enter?, exit?, maxRounds? }] — enter/exit (may be async) run around each
 * measurement, e.g. switching the tfjs backend or losskit's scalar kernels; maxRounds caps how
 * many rounds measure that entry (for seconds-long calls).
 * gc() runs once, before the first round (see `measure`: right after it losskit's short calls
 * are slow for ~90 ms; the first round absorbs that and the best-of-rounds drops it).
 * `warm`: every fn has already been called (e.g. by correctness checks), so a slow call (longer
 * than budgetMs/3) is timed from round 0 on without a warm-up call; with budgetMs = 0 each round
 * then times exactly one call.
 * Returns { [key]: best measurement + `rounds` (every round's median, in round order) | { error } }.
 */
export async function interleave(entries, { rounds = 5, budgetMs = 40, warm = false } = {}) {
  const out = {};
  globalThis.gc?.();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[(i + r) % entries.length];
      if (out[e.key]?.error || out[e.key]?.rounds.length >= (e.maxRounds ?? Infinity)) continue;
      let m;
      try {
        await e.enter?.();
        m = measure(e.fn, { budgetMs, warmupMs: r ? 5 : 25, slowSamples: 1, warm: warm || r > 0, gc: false });
      } catch (err) {
        out[e.key] = { error: String(err?.message ?? err) };
        continue;
      } finally {
        await e.exit?.();
      }
      const prev = out[e.key];
      out[e.key] = !prev || m.s < prev.s ? { ...m, rounds: prev?.rounds ?? [] } : prev;
      out[e.key].rounds.push(m.s);
    }
  }
  return out;
}

/**
 * A/B timing of two functions, for the same kind of machine: `rounds` rounds; in each, fa and fb
 * alternate batch by batch (~batchMs per batch, the order flipping every pair) for ~2·budgetMs,
 * giving one median per function per round. Returns each one's best round median (`s`) and round
 * medians (`rounds`), and `paired`: the median over all pairs (after round 0) of fb's time ÷ fa's —
 * the estimate least disturbed by speed changes and other load, as the two ran within a batch of
 * each other. gc() runs once, before round 0 (see `measure`).
 */
export function alternate(fa, fb, { rounds = 7, budgetMs = 30, batchMs = 1 } = {}) {
  const fns = [fa, fb];
  const out = fns.map(() => ({ s: Infinity, rounds: [] }));
  const ratios = [];
  const run = (f, n) => {
    const t = now();
    for (let i = 0; i < n; i++) consume(f());
    return (now() - t) / n / 1e3;
  };
  globalThis.gc?.(); // once: see `measure`
  for (let r = 0; r < rounds; r++) {
    // warm up (longer in the first round) and size the batches
    const batch = fns.map((f) => {
      const t = now();
      let calls = 0;
      do {
        consume(f());
        calls++;
      } while (now() - t < (r ? batchMs : 20) || (r === 0 && calls < 2));
      return Math.max(1, Math.min(100000, Math.round((batchMs * calls) / (now() - t))));
    });
    const times = [[], []];
    const t0 = now();
    for (let k = 0; k < 3 || now() - t0 < 2 * budgetMs; k++) {
      for (const i of k & 1 ? [1, 0] : [0, 1]) times[i].push(run(fns[i], batch[i]));
      if (r > 0 || rounds === 1) ratios.push(times[1][k] / times[0][k]); // round 0 still warms up
    }
    times.forEach((t, i) => {
      const m = median(t);
      out[i].rounds.push(m);
      out[i].s = Math.min(out[i].s, m);
    });
  }
  return { a: out[0], b: out[1], paired: median(ratios) };
}

/** Seconds → short human string. */
export function fmtTime(sec) {
  if (sec == null || !Number.isFinite(sec)) return "—";
  const us = sec * 1e6;
  if (us < 10) return `${us.toFixed(2)}µs`;
  if (us < 100) return `${us.toFixed(1)}µs`;
  if (us < 1000) return `${us.toFixed(0)}µs`;
  if (us < 1e4) return `${(us / 1e3).toFixed(2)}ms`;
  if (us < 1e5) return `${(us / 1e3).toFixed(1)}ms`;
  return `${(us / 1e3).toFixed(0)}ms`;
}

export function fmtRatio(r) {
  if (r == null || !Number.isFinite(r)) return "—";
  if (r >= 100) return `${r.toFixed(0)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

export function fmtN(n) {
  if (n < 10) return String(n);
  const e = Math.floor(Math.log10(n));
  const m = n / 10 ** e;
  return Number.isInteger(m) ? `${m === 1 ? "" : m}e${e}`.replace(/^e/, "1e") : String(n);
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => (i < 2 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(" | ")} |`;
  return [line(header), `|${w.map((x, i) => (i < 2 ? ":" : "-") + "-".repeat(x) + (i < 2 ? "-" : ":")).join("|")}|`, ...rows.map(line)].join("\n");
}
