// Timing: warm up, pick a batch size so one sample lasts ~targetMs, take samples until the
// time budget is spent (at least minSamples), report the median time per call.
const now = () => performance.now();
let sink = 0; // results are accumulated here so no call can be optimized away

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

/** Median seconds per call of fn, plus sample count and the spread (p25–p75). */
export function measure(fn, { budgetMs = 200, minSamples = 5, maxSamples = 200, targetMs = 2, warmupMs = 25 } = {}) {
  globalThis.gc?.();
  let calls = 0;
  const w0 = now();
  consume(fn());
  calls++;
  const first = now() - w0;
  // slow calls (tfjs-cpu at 1e7 takes seconds): one warm-up call, three samples
  const slow = first > budgetMs / 3;
  if (slow) minSamples = 3;
  while (!slow && (calls < 2 || (now() - w0 < warmupMs && calls < 10000))) {
    consume(fn());
    calls++;
  }
  const per = (now() - w0) / calls;
  const batch = Math.max(1, Math.min(100000, Math.round(targetMs / Math.max(per, 1e-6))));
  const samples = [];
  const t0 = now();
  while (samples.length < minSamples || (now() - t0 < budgetMs && samples.length < maxSamples)) {
    const a = now();
    for (let i = 0; i < batch; i++) consume(fn());
    samples.push((now() - a) / batch / 1e3);
  }
  const s = [...samples].sort((p, q) => p - q);
  return { s: median(s), p25: s[Math.floor(s.length / 4)], p75: s[Math.floor((3 * s.length) / 4)], samples: s.length, batch };
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
  const e = Math.log10(n);
  return Number.isInteger(e) ? `1e${e}` : String(n);
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => (i < 2 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join(" | ")} |`;
  return [line(header), `|${w.map((x, i) => (i < 2 ? ":" : "-") + "-".repeat(x) + (i < 2 ? "-" : ":")).join("|")}|`, ...rows.map(line)].join("\n");
}
