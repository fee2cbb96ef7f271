// Soak test (`npm run soak`): 10^6 mixed calls in the main thread — every loss of the table,
// f32 and f64, typed arrays, wasm tensors, views of them and number[], plain and withGrad,
// gradients into typed arrays and wasm tensors, tensors made and disposed, and one call in
// five a bad one that must throw a LossError — while 4 worker threads, each with its own
// instance of the module, run the same mix. Every 1000th call is checked against a value
// computed once at the start. Reports wasm memory (allocated bytes, linear memory) and the
// process's RSS at the start and the end, and fails if anything stays allocated.
// Usage: node --expose-gc scripts/soak.mjs [calls=1000000] [workers=4]
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const L = await import(new URL("../dist/node.mjs", import.meta.url).href);
const { losses, LossError, memoryStats, tensor, tensorFrom } = L;

/** A small deterministic generator. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const byClass = (info) => info.args.some((a) => a.kind === "index" || a.kind === "class");

/** One valid call's arguments and options for `info`, in containers drawn by `r`. */
function makeCall(info, r, owned) {
  const dt = r() < 0.5 ? "f32" : "f64";
  const A = dt === "f32" ? Float32Array : Float64Array;
  const n = 1 + Math.floor(r() * 40);
  const c = 2 + Math.floor(r() * 5);
  const values = (len, lo, hi) => A.from({ length: len }, () => lo + (hi - lo) * r());
  const container = (data, shape) => {
    const k = r();
    if (k < 0.25) {
      const t = tensorFrom(data, shape);
      owned.push(t);
      return t;
    }
    if (k < 0.35) {
      const t = tensorFrom(data, shape);
      owned.push(t);
      return { data: t.data, shape };
    }
    if (k < 0.45 && shape.length === 1 && !(data instanceof Int32Array)) return Array.from(data);
    return { data, shape };
  };
  const args = [];
  const opts = {};
  if (byClass(info)) {
    const probs = info.name === "categoricalCrossEntropy";
    args.push(container(probs ? values(n * c, 0.01, 1) : values(n * c, -3, 3), [n, c]));
    args.push(container(Int32Array.from({ length: n }, () => Math.floor(r() * c)), [n]));
  } else {
    const unit = ["binaryCrossEntropy"].includes(info.name);
    args.push(container(unit ? values(n, 0.01, 0.99) : values(n, -3, 3), [n]));
    args.push(container(values(n, 0, 1), [n]));
    if (info.args.length === 3) args.push(r() < 0.5 ? 0.5 + r() : container(values(n, 0.1, 2), [n]));
  }
  if (info.reductions.length) opts.reduction = ["mean", "sum", "none"][Math.floor(r() * 3)];
  return { args, opts, dt, A };
}

/** A bad call: one of the documented errors, chosen by `r`. */
function badCall(info, r, owned) {
  const fn = L[info.name];
  const k = Math.floor(r() * 8);
  const good = makeCall(info, r, owned);
  switch (k) {
    case 0:
      return () => fn(good.args[0], "abc");
    case 1:
      return () => fn(...good.args, { reduction: "avg" });
    case 2:
      return () => fn(...good.args, { nope: 1 });
    case 3:
      return () => fn({ data: new Float32Array(3), shape: [2, 2] }, good.args[1]);
    case 4: {
      const t = tensor([4], "f32");
      t.dispose();
      return () => fn(t, good.args[1]);
    }
    case 5:
      return () => fn(...good.args, {}, {});
    case 6:
      return () => tensor([2 ** 30 + 2], "f32");
    default:
      return () => fn(...good.args, { reduction: 1n });
  }
}

/** Runs `calls` mixed calls; returns counts. Throws on a wrong value, an error that is not a LossError, or a leak. */
function soak(calls, seed) {
  const r = rng(seed);
  const table = losses.filter((l) => l.family === "regression" || l.family === "classification");
  const probeX = Float64Array.from({ length: 37 }, (_, i) => Math.sin(i));
  const probeY = Float64Array.from({ length: 37 }, (_, i) => Math.cos(i));
  const expected = L.huberLoss.withGrad(probeX, probeY, { delta: 0.4 });
  const start = memoryStats();
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < calls; i++) {
    const info = table[i % table.length];
    const fn = L[info.name];
    const owned = [];
    try {
      if (r() < 0.2) {
        try {
          badCall(info, r, owned)();
          throw new Error(`${info.name}: a bad call returned a value`);
        } catch (e) {
          if (!(e instanceof LossError)) throw e;
          failed++;
        }
      } else {
        const { args, opts, A } = makeCall(info, r, owned);
        if (r() < 0.5) {
          fn(...args, opts);
        } else {
          const into = {};
          // (a number[] input takes the others' dtype, or f64: no destination then)
          if (r() < 0.3 && !Array.isArray(args[0])) {
            const len = args[0].length ?? args[0].data.length;
            if (r() < 0.5) into.input = new A(len);
            else {
              const t = tensor([len], A === Float32Array ? "f32" : "f64");
              owned.push(t);
              into.input = t;
            }
          }
          fn.withGrad(...args, { ...opts, into });
        }
        ok++;
      }
    } finally {
      for (const t of owned) t.dispose();
    }
    if (i % 1000 === 999) {
      const again = L.huberLoss.withGrad(probeX, probeY, { delta: 0.4 });
      if (again.loss !== expected.loss || again.grads.input.data.some((v, j) => v !== expected.grads.input.data[j])) {
        throw new Error(`call ${i}: a known value changed (${again.loss} vs ${expected.loss})`);
      }
    }
  }
  const end = memoryStats();
  if (end.allocatedBytes !== start.allocatedBytes) throw new Error(`leak: ${end.allocatedBytes - start.allocatedBytes} bytes stay allocated`);
  return { ok, failed, start, end };
}

const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const show = (s) => `allocated ${s.allocatedBytes} B, linear memory ${mb(s.memoryBytes)}`;

if (!isMainThread) {
  const result = soak(workerData.calls, workerData.seed);
  parentPort.postMessage(result);
} else {
  const calls = Number(process.argv[2] ?? 1_000_000);
  const workers = Number(process.argv[3] ?? 4);
  const perWorker = Math.ceil(calls / 4);
  const t0 = performance.now();
  const rss0 = process.memoryUsage().rss;
  console.log(`soak: ${calls} calls in the main thread, ${workers} workers × ${perWorker}`);
  console.log(`start  main: ${show(memoryStats())}, rss ${mb(rss0)}`);
  const pending = Array.from({ length: workers }, (_, w) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(here, { workerData: { calls: perWorker, seed: 1000 + w } });
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => code !== 0 && reject(new Error(`worker ${w} exited with ${code}`)));
    }),
  );
  const main = soak(calls, 42);
  const results = await Promise.all(pending);
  const secs = (performance.now() - t0) / 1000;
  console.log(`end    main: ${show(main.end)} (start ${show(main.start)}); ${main.ok} calls returned, ${main.failed} bad ones threw a LossError`);
  results.forEach((w, i) => console.log(`worker ${i}: start ${show(w.start)}; end ${show(w.end)}; ${w.ok} returned, ${w.failed} LossErrors`));
  globalThis.gc?.();
  console.log(`rss ${mb(rss0)} → ${mb(process.memoryUsage().rss)}; ${(calls + perWorker * workers).toLocaleString("en")} calls in ${secs.toFixed(1)} s; nothing leaked`);
}
