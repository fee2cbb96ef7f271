// The benchmark table: one entry per loss. Adding a loss = adding one entry below
// (pointwise(...) for element-wise losses of (input, target), or a custom entry with the
// same shape as pointwise()/classification() return).
//
// An entry: { name, available(L), rows: [{ n, dtype }], setup(L, n, dtype, row) → instance }.
// (more entries, in the same format: cases-more.mjs; run.mjs runs both lists.)
// An instance provides closures that each return the loss value (so results can be checked
// and consumed):
//   lk.loss / lk.grad   losskit, copy path (typed arrays in, grads returned as a new array)
//   zc.loss / zc.grad   losskit, zero-copy (wasm tensors in, grads `into` a wasm tensor)
//   js.loss / js.grad   hand-written loop (grads into a preallocated array)
//   tf(tf)              TensorFlow.js closures for the current backend, or null (e.g. f64)
//   gradOf.{lk,zc,js}() the gradient produced by the last grad call (for the checks)
//   bytes.{loss,grad}   { read, write }: bytes the operation itself must touch
//   dispose()
// Optional: pointwise({ data }) generates (input, target, ...more float args) in the loss's
// domain; classification({ prep }) turns the logits into log-probabilities / probabilities;
// a classification row may carry its own `classes` (C).

const SIZES = [1e2, 1e3, 1e5, 1e6, 4e6];

// Deterministic data (xorshift + Box–Muller) so every run sees the same inputs.
function rng(seed) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}

const ARRAY = { f32: Float32Array, f64: Float64Array };

/** (input, target) with |x − y| on both sides of 1 (huber/smooth-L1 branches). */
function regressionData(r, n, A) {
  const x = new A(n);
  const y = new A(n);
  for (let i = 0; i < n; i++) {
    y[i] = r.normal();
    x[i] = y[i] + 1.5 * r.normal();
  }
  return [x, y];
}

/**
 * Element-wise loss of (input, target, ...more): losskit `name`, tfjs
 * `tfLoss(tf)(labels, predictions, ...more tensors)`, js.loss(x, y, n, ...more) / js.grad(x, y, g, n, ...more).
 * `data(r, n, A)` → [x, y, ...more] typed arrays (default: regressionData).
 */
export function pointwise({ name, tfName, tfLoss, js, opts = {}, data = regressionData, rows = SIZES.map((n) => ({ n, dtype: "f32" })) }) {
  return {
    name,
    tfName,
    available: (L) => typeof L[name] === "function",
    rows,
    setup(L, n, dtype) {
      const A = ARRAY[dtype];
      const b = A.BYTES_PER_ELEMENT;
      const [x, y, ...more] = data(rng(n + 7), n, A);
      const fn = L[name];
      const gOpts = { ...opts, wrt: ["input"] };
      const tx = L.tensor([n], dtype);
      const ty = L.tensor([n], dtype);
      const tg = L.tensor([n], dtype);
      const tm = more.map((a) => {
        const t = L.tensor([n], dtype);
        t.data.set(a);
        return t;
      });
      tx.data.set(x);
      ty.data.set(y);
      const zOpts = { ...opts, wrt: ["input"], into: { input: tg } };
      const jg = new A(n);
      let lkGrad;
      return {
        label: `${name} n=${n} ${dtype}`,
        n,
        dtype,
        bytes: { loss: { read: (2 + more.length) * n * b, write: 0 }, grad: { read: (2 + more.length) * n * b, write: n * b } },
        lk: {
          loss: () => fn(x, y, ...more, opts),
          grad: () => {
            const res = fn.withGrad(x, y, ...more, gOpts);
            lkGrad = res.grads.input.data;
            return res.loss;
          },
        },
        zc: {
          loss: () => fn(tx, ty, ...tm, opts),
          grad: () => fn.withGrad(tx, ty, ...tm, zOpts).loss,
        },
        js: { loss: () => js.loss(x, y, n, ...more), grad: () => js.grad(x, y, jg, n, ...more) },
        gradOf: { lk: () => lkGrad, zc: () => tg.data, js: () => jg },
        tf(tf) {
          if (dtype !== "f32" || !tfLoss) return null;
          const p = tf.tensor1d(x);
          const l = tf.tensor1d(y);
          return tfClosures(tf, tfLoss(tf), l, p, more.map((a) => tf.tensor1d(a)));
        },
        dispose() {
          tx.dispose();
          ty.dispose();
          tg.dispose();
          tm.forEach((t) => t.dispose());
        },
      };
    },
  };
}

/** TensorFlow.js loss-only and loss+grad (valueAndGrad wrt predictions) closures. */
function tfClosures(tf, loss, labels, pred, more = []) {
  const f = (p) => loss(labels, p, ...more);
  const vg = tf.valueAndGrad(f);
  let grad;
  return {
    loss() {
      const t = tf.tidy(() => f(pred));
      const v = t.dataSync()[0];
      t.dispose();
      return v;
    },
    grad() {
      const [v, g] = tf.tidy(() => {
        const r = vg(pred);
        return [r.value, r.grad];
      });
      const lv = v.dataSync()[0];
      grad = g.dataSync(); // gradient materialized as a JS typed array, like losskit's copy path
      v.dispose();
      g.dispose();
      return lv;
    },
    gradOf: () => grad,
    dispose() {
      labels.dispose();
      pred.dispose();
      more.forEach((t) => t.dispose());
    },
  };
}

/**
 * A classification loss over logits [N, C] (n = N·C elements).
 * kind 'index': target = class indices (Int32Array [N]); tfjs gets one-hot labels.
 * kind 'binary': target = {0,1} floats of the logits' shape.
 * prep(x, N, C): optional, rewrites the logits in place (e.g. into log-probabilities for nllLoss).
 * A row's `classes` overrides the entry's.
 */
export function classification({ name, tfName, tfLoss, js, kind, classes = 10, prep, opts = {}, rows = SIZES.map((n) => ({ n, dtype: "f32" })) }) {
  return {
    name,
    tfName,
    available: (L) => typeof L[name] === "function",
    rows,
    setup(L, n, dtype, row) {
      const A = ARRAY[dtype];
      const b = A.BYTES_PER_ELEMENT;
      const C = kind === "index" ? (row?.classes ?? classes) : 1;
      const N = Math.floor(n / C);
      const shape = kind === "index" ? [N, C] : [n];
      const r = rng(n + 11);
      const x = new A(n);
      const m = Math.min(n, 1 << 22); // beyond 4M logits repeat them: saves seconds of Math.log at 4096×32000
      for (let i = 0; i < m; i++) x[i] = 2 * r.normal();
      for (let i = m; i < n; i += m) x.copyWithin(i, 0, Math.min(m, n - i));
      prep?.(x, N, C);
      let t; // losskit target
      let labels; // tfjs labels (float, logits' shape)
      if (kind === "index") {
        t = new Int32Array(N);
        labels = new Float32Array(n);
        for (let i = 0; i < N; i++) {
          t[i] = Math.floor(r.u() * C);
          labels[i * C + t[i]] = 1;
        }
      } else {
        t = new A(n);
        for (let i = 0; i < n; i++) t[i] = r.u() < 0.5 ? 0 : 1;
        labels = Float32Array.from(t);
      }
      const fn = L[name];
      const input = { data: x, shape };
      const target = kind === "index" ? { data: t, shape: [N] } : { data: t, shape };
      const tx = L.tensor(shape, dtype);
      tx.data.set(x);
      const tt = kind === "index" ? L.tensor([N], "i32") : L.tensor(shape, dtype);
      tt.data.set(t);
      const tg = L.tensor(shape, dtype);
      const gOpts = { ...opts, wrt: ["input"] };
      const zOpts = { ...opts, wrt: ["input"], into: { input: tg } };
      const jg = new A(n);
      let lkGrad;
      const tRead = kind === "index" ? N * 4 : n * b;
      return {
        label: `${name} n=${n} ${dtype}`,
        n,
        dtype,
        shape,
        bytes: { loss: { read: n * b + tRead, write: 0 }, grad: { read: n * b + tRead, write: n * b } },
        lk: {
          loss: () => fn(input, target, opts),
          grad: () => {
            const res = fn.withGrad(input, target, gOpts);
            lkGrad = res.grads.input.data;
            return res.loss;
          },
        },
        zc: {
          loss: () => fn(tx, tt, opts),
          grad: () => fn.withGrad(tx, tt, zOpts).loss,
        },
        js: { loss: () => js.loss(x, t, N, C, n), grad: () => js.grad(x, t, jg, N, C, n) },
        gradOf: { lk: () => lkGrad, zc: () => tg.data, js: () => jg },
        tf(tf) {
          if (dtype !== "f32" || !tfLoss) return null;
          const p = kind === "index" ? tf.tensor2d(x, [N, C]) : tf.tensor1d(x);
          const l = kind === "index" ? tf.tensor2d(labels, [N, C]) : tf.tensor1d(labels);
          return tfClosures(tf, tfLoss(tf), l, p);
        },
        dispose() {
          tx.dispose();
          tt.dispose();
          tg.dispose();
        },
      };
    },
  };
}

// ---- hand-written loops, as a user would write them (f64 accumulation: JS numbers) ----

const mseJs = {
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - y[i];
      s += d * d;
    }
    return s / n;
  },
  grad(x, y, g, n) {
    let s = 0;
    const c = 2 / n;
    for (let i = 0; i < n; i++) {
      const d = x[i] - y[i];
      s += d * d;
      g[i] = c * d;
    }
    return s / n;
  },
};

const l1Js = {
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(x[i] - y[i]);
    return s / n;
  },
  grad(x, y, g, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const d = x[i] - y[i];
      s += Math.abs(d);
      g[i] = d > 0 ? c : d < 0 ? -c : 0;
    }
    return s / n;
  },
};

const huberJs = {
  // delta = 1
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - y[i];
      const a = Math.abs(d);
      s += a < 1 ? 0.5 * d * d : a - 0.5;
    }
    return s / n;
  },
  grad(x, y, g, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const d = x[i] - y[i];
      const a = Math.abs(d);
      s += a < 1 ? 0.5 * d * d : a - 0.5;
      g[i] = c * (d > 1 ? 1 : d < -1 ? -1 : d);
    }
    return s / n;
  },
};

const crossEntropyJs = {
  loss(x, t, N, C) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      const o = r * C;
      let m = -Infinity;
      for (let j = 0; j < C; j++) if (x[o + j] > m) m = x[o + j];
      let z = 0;
      for (let j = 0; j < C; j++) z += Math.exp(x[o + j] - m);
      s += m + Math.log(z) - x[o + t[r]];
    }
    return s / N;
  },
  grad(x, t, g, N, C) {
    let s = 0;
    const c = 1 / N;
    for (let r = 0; r < N; r++) {
      const o = r * C;
      let m = -Infinity;
      for (let j = 0; j < C; j++) if (x[o + j] > m) m = x[o + j];
      let z = 0;
      for (let j = 0; j < C; j++) {
        const e = Math.exp(x[o + j] - m);
        g[o + j] = e;
        z += e;
      }
      s += m + Math.log(z) - x[o + t[r]];
      const k = c / z;
      for (let j = 0; j < C; j++) g[o + j] *= k;
      g[o + t[r]] -= c;
    }
    return s / N;
  },
};

const bceLogitsJs = {
  loss(x, y, _N, _C, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      s += Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return s / n;
  },
  grad(x, y, g, _N, _C, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const e = Math.exp(-Math.abs(v));
      s += Math.max(v, 0) - v * y[i] + Math.log1p(e);
      const sig = v >= 0 ? 1 / (1 + e) : e / (1 + e);
      g[i] = c * (sig - y[i]);
    }
    return s / n;
  },
};

// ---- the table ----

export const CASES = [
  pointwise({
    name: "mseLoss",
    tfName: "losses.meanSquaredError",
    tfLoss: (tf) => tf.losses.meanSquaredError,
    js: mseJs,
    rows: [1, ...SIZES].map((n) => ({ n, dtype: "f32" })), // n = 1: call overhead
  }),
  pointwise({ name: "l1Loss", tfName: "losses.absoluteDifference", tfLoss: (tf) => tf.losses.absoluteDifference, js: l1Js }),
  pointwise({ name: "huberLoss", tfName: "losses.huberLoss (δ=1)", tfLoss: (tf) => tf.losses.huberLoss, js: huberJs }),
  // Classification: run as soon as losskit exports them (skipped while L.crossEntropy etc. are undefined).
  classification({
    name: "crossEntropy",
    tfName: "losses.softmaxCrossEntropy (one-hot)",
    tfLoss: (tf) => tf.losses.softmaxCrossEntropy,
    js: crossEntropyJs,
    kind: "index",
    classes: 10,
    rows: [[512, 1000], [65536, 10], [4096, 32000]].map(([N, C]) => ({ n: N * C, dtype: "f32", classes: C })),
  }),
  classification({
    name: "binaryCrossEntropyWithLogits",
    tfName: "losses.sigmoidCrossEntropy",
    tfLoss: (tf) => tf.losses.sigmoidCrossEntropy,
    js: bceLogitsJs,
    kind: "binary",
  }),
];
