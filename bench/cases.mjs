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

import { ctc } from "./ctc.mjs";
import { rng } from "./rng.mjs";

const SIZES = [1e2, 1e3, 1e5, 1e6, 4e6];

// Deterministic data (xorshift + Box–Muller) so every run sees the same inputs.

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

/** (input ~ N(0, 1.5²), target = labels ±1), for the margin losses. */
function signData(r, n, A) {
  const x = new A(n);
  const y = new A(n);
  for (let i = 0; i < n; i++) {
    y[i] = r.u() < 0.5 ? -1 : 1;
    x[i] = 1.5 * r.normal();
  }
  return [x, y];
}

/**
 * Element-wise loss of (input, target, ...more): losskit `name`, tfjs
 * `tfLoss(tf)(labels, predictions, ...more tensors)`, js.loss(x, y, n, ...more) / js.grad(x, y, g, n, ...more).
 * `data(r, n, A)` → [x, y, ...more] typed arrays (default: regressionData; `signs`: signData, labels ±1).
 * `tfLabels(y)` maps losskit's target to tfjs's labels, once, outside the timing
 * (tf.losses.hingeLoss takes {0, 1}).
 */
export function pointwise({ name, tfName, tfLoss, tfLabels, js, signs = false, opts = {}, data = signs ? signData : regressionData, rows = SIZES.map((n) => ({ n, dtype: "f32" })) }) {
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
      const pg = new A(n);
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
        // Prepared calls (`prepare`): the same wasm tensors and options, bound once (none
        // where the options cannot be bound, e.g. a tensor option).
        prep: (() => {
          try {
            return { loss: fn.prepare(tx, ty, ...tm, opts), grad: fn.withGrad.prepare(tx, ty, ...tm, zOpts) };
          } catch {
            return undefined;
          }
        })(),
        // The same on the typed arrays (copied in at each call, the gradient copied out into `pg`).
        prepCopy: (() => {
          try {
            return { loss: fn.prepare(x, y, ...more, opts), grad: fn.withGrad.prepare(x, y, ...more, { ...gOpts, into: { input: pg } }) };
          } catch {
            return undefined;
          }
        })(),
        js: { loss: () => js.loss(x, y, n, ...more), grad: () => js.grad(x, y, jg, n, ...more) },
        gradOf: { lk: () => lkGrad, zc: () => tg.data, prepCopy: () => pg, js: () => jg },
        tf(tf) {
          if (dtype !== "f32" || !tfLoss) return null;
          const p = tf.tensor1d(x);
          const l = tf.tensor1d(tfLabels ? tfLabels(y) : y);
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
 * kind 'binary': target = {0,1} floats of the logits' shape [n].
 * kind 'multilabel': logits [N, C], target = {0,1} floats of that shape.
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
      const C = kind === "binary" ? 1 : (row?.classes ?? classes);
      const N = Math.floor(n / C);
      const shape = kind === "binary" ? [n] : [N, C];
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
      const pg = new A(n);
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
        gradOf: { lk: () => lkGrad, zc: () => tg.data, prepCopy: () => pg, js: () => jg },
        tf(tf) {
          if (dtype !== "f32" || !tfLoss) return null;
          const p = kind === "binary" ? tf.tensor1d(x) : tf.tensor2d(x, [N, C]);
          const l = kind === "binary" ? tf.tensor1d(labels) : tf.tensor2d(labels, [N, C]);
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

/** marginRankingLoss(input1, input2, target ±1) of n elements; loss+grad is ∂/∂input1 (no tfjs counterpart). */
export function ranking({ name, js, opts = {}, rows = SIZES.map((n) => ({ n, dtype: "f32" })) }) {
  return {
    name,
    tfName: null,
    available: (L) => typeof L[name] === "function",
    rows,
    setup(L, n, dtype) {
      const A = ARRAY[dtype];
      const b = A.BYTES_PER_ELEMENT;
      const r = rng(n + 13);
      const [x1, x2, y] = [new A(n), new A(n), new A(n)];
      for (let i = 0; i < n; i++) {
        x1[i] = r.normal();
        x2[i] = r.normal();
        y[i] = r.u() < 0.5 ? -1 : 1;
      }
      const fn = L[name];
      const [t1, t2, ty, tg] = [0, 1, 2, 3].map(() => L.tensor([n], dtype));
      t1.data.set(x1);
      t2.data.set(x2);
      ty.data.set(y);
      const gOpts = { ...opts, wrt: ["input1"] };
      const zOpts = { ...opts, wrt: ["input1"], into: { input1: tg } };
      const jg = new A(n);
      const pg = new A(n);
      let lkGrad;
      return {
        label: `${name} n=${n} ${dtype}`,
        n,
        dtype,
        bytes: { loss: { read: 3 * n * b, write: 0 }, grad: { read: 3 * n * b, write: n * b } },
        lk: {
          loss: () => fn(x1, x2, y, opts),
          grad: () => {
            const res = fn.withGrad(x1, x2, y, gOpts);
            lkGrad = res.grads.input1.data;
            return res.loss;
          },
        },
        zc: { loss: () => fn(t1, t2, ty, opts), grad: () => fn.withGrad(t1, t2, ty, zOpts).loss },
        js: { loss: () => js.loss(x1, x2, y, n), grad: () => js.grad(x1, x2, y, jg, n) },
        gradOf: { lk: () => lkGrad, zc: () => tg.data, prepCopy: () => pg, js: () => jg },
        tf: () => null,
        dispose() {
          for (const t of [t1, t2, ty, tg]) t.dispose();
        },
      };
    },
  };
}

/**
 * The data of an embedding case: (N, D) rows. `triplet`: anchor ~ N(0, 1), positive and
 * negative = anchor + N(0, 1), so most rows' hinges are active (the full gradient work).
 * `cosine`: input1 ~ N(0, 1), input2 = 0.6·input1 + N(0, 1), every label +1 (so TF.js's
 * cosineDistance on L2-normalized rows is the same function, gradients included).
 * Also used by bench/torch-embedding.mjs, which hands the same arrays to PyTorch.
 */
export function embeddingData(kind, N, D, A = Float32Array) {
  const r = rng(N * D + 13);
  const len = N * D;
  const x = new A(len);
  const y = new A(len);
  const z = new A(len);
  for (let i = 0; i < len; i++) {
    x[i] = r.normal();
    if (kind === "triplet") {
      y[i] = x[i] + r.normal();
      z[i] = x[i] + r.normal();
    } else {
      y[i] = 0.6 * x[i] + r.normal();
    }
  }
  return kind === "triplet" ? { args: [x, y, z] } : { args: [x, y], target: new A(N).fill(1) };
}

/**
 * An embedding loss over (N, D) rows, forward and the gradients of every differentiable input
 * (n = N·D elements per input). `tfLoss(tf)` gives TF.js closures (x1, x2) → loss, or none.
 */
export function embedding({ name, kind, tfName, tfLoss, js, N = 4096, D = 256 }) {
  return {
    name,
    tfName,
    available: (L) => typeof L[name] === "function",
    rows: [{ n: N * D, dtype: "f32" }],
    setup(L, n, dtype) {
      const A = ARRAY[dtype];
      const b = A.BYTES_PER_ELEMENT;
      const shape = [N, D];
      const { args, target } = embeddingData(kind, N, D, A);
      const names = L.losses.find((l) => l.name === name).differentiable;
      const fn = L[name];
      const inputs = [...args.map((data) => ({ data, shape })), ...(target ? [target] : [])];
      const tensors = args.map((data) => {
        const t = L.tensor(shape, dtype);
        t.data.set(data);
        return t;
      });
      let tTarget;
      if (target) {
        tTarget = L.tensor([N], dtype);
        tTarget.data.set(target);
      }
      const zArgs = [...tensors, ...(tTarget ? [tTarget] : [])];
      const grads = names.map(() => L.tensor(shape, dtype));
      const zOpts = { into: Object.fromEntries(names.map((k, i) => [k, grads[i]])) };
      const jg = names.map(() => new A(n));
      let lkGrad;
      const rows = target ? N * b : 0;
      return {
        label: `${name} ${N}×${D} ${dtype}`,
        n,
        dtype,
        shape,
        bytes: { loss: { read: args.length * n * b + rows, write: 0 }, grad: { read: args.length * n * b + rows, write: names.length * n * b } },
        lk: {
          loss: () => fn(...inputs),
          grad: () => {
            const res = fn.withGrad(...inputs);
            lkGrad = res.grads[names[0]].data;
            return res.loss;
          },
        },
        zc: { loss: () => fn(...zArgs), grad: () => fn.withGrad(...zArgs, zOpts).loss },
        js: { loss: () => js.loss(args, target, N, D), grad: () => js.grad(args, target, jg, N, D) },
        // the checks compare the first differentiable argument's gradient
        gradOf: { lk: () => lkGrad, zc: () => grads[0].data, js: () => jg[0] },
        tf(tf) {
          if (dtype !== "f32" || !tfLoss) return null;
          const ts = args.map((a) => tf.tensor2d(a, shape));
          const f = tfLoss(tf);
          const vg = tf.valueAndGrads(f);
          let grad;
          return {
            loss() {
              const t = tf.tidy(() => f(...ts));
              const v = t.dataSync()[0];
              t.dispose();
              return v;
            },
            grad() {
              const { value, grads: g } = tf.tidy(() => vg(ts));
              const v = value.dataSync()[0];
              grad = g[0].dataSync();
              for (const t of g.slice(1)) t.dataSync(); // every gradient materialized, like losskit's
              value.dispose();
              for (const t of g) t.dispose();
              return v;
            },
            gradOf: () => grad,
            dispose() {
              for (const t of ts) t.dispose();
            },
          };
        },
        dispose() {
          for (const t of [...tensors, ...grads]) t.dispose();
          tTarget?.dispose();
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

// margin 0: max(0, −y(x₁ − x₂)); ∂/∂x₁ = −y where active
const marginRankingJs = {
  loss(x1, x2, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.max(0, -y[i] * (x1[i] - x2[i]));
    return s / n;
  },
  grad(x1, x2, y, g, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const z = -y[i] * (x1[i] - x2[i]);
      s += Math.max(0, z);
      g[i] = z > 0 ? -c * y[i] : 0;
    }
    return s / n;
  },
};

// margin 1: max(0, 1 − y·x); ∂/∂x = −y where active
const hingeJs = {
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.max(0, 1 - y[i] * x[i]);
    return s / n;
  },
  grad(x, y, g, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const z = 1 - y[i] * x[i];
      s += Math.max(0, z);
      g[i] = z > 0 ? -c * y[i] : 0;
    }
    return s / n;
  },
};

// ln(1 + e^t), t = −y·x, as a stable softplus; ∂/∂x = −y·σ(t)
const softMarginJs = {
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const t = -y[i] * x[i];
      s += Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
    }
    return s / n;
  },
  grad(x, y, g, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const t = -y[i] * x[i];
      const e = Math.exp(-Math.abs(t));
      s += Math.max(t, 0) + Math.log1p(e);
      g[i] = -c * y[i] * (t >= 0 ? 1 / (1 + e) : e / (1 + e));
    }
    return s / n;
  },
};

// p = 1, margin = 1: per row Σ_{i≠y} max(0, 1 − x_y + x_i) / C, mean over rows
const multiMarginJs = {
  loss(x, t, N, C) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      const o = r * C;
      const b = 1 - x[o + t[r]];
      let row = 0;
      for (let i = 0; i < C; i++) if (i !== t[r]) row += Math.max(0, b + x[o + i]);
      s += row / C;
    }
    return s / N;
  },
  grad(x, t, g, N, C) {
    let s = 0;
    const c = 1 / (N * C);
    for (let r = 0; r < N; r++) {
      const o = r * C;
      const b = 1 - x[o + t[r]];
      let row = 0;
      let active = 0;
      for (let i = 0; i < C; i++) {
        const z = b + x[o + i];
        if (i !== t[r] && z > 0) {
          row += z;
          active++;
          g[o + i] = c;
        } else g[o + i] = 0;
      }
      g[o + t[r]] = -c * active;
      s += row / C;
    }
    return s / N;
  },
};

// per row −Σ_c [y ln σ(x) + (1 − y) ln σ(−x)] / C, mean over rows (= mean BCE with logits)
const multilabelSoftMarginJs = {
  loss: (x, y, N, C, n) => bceLogitsJs.loss(x, y, N, C, n),
  grad: (x, y, g, N, C, n) => bceLogitsJs.grad(x, y, g, N, C, n),
};

// triplet: margin 1, p = 2, eps 1e-6, no swap, 'mean'
const tripletJs = {
  loss([a, p, n], _t, N, D) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      let sp = 0;
      let sn = 0;
      for (let i = r * D; i < (r + 1) * D; i++) {
        const u = a[i] - p[i] + 1e-6;
        const v = a[i] - n[i] + 1e-6;
        sp += u * u;
        sn += v * v;
      }
      s += Math.max(1 + Math.sqrt(sp) - Math.sqrt(sn), 0);
    }
    return s / N;
  },
  grad([a, p, n], _t, [ga, gp, gn], N, D) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      let sp = 0;
      let sn = 0;
      for (let i = r * D; i < (r + 1) * D; i++) {
        const u = a[i] - p[i] + 1e-6;
        const v = a[i] - n[i] + 1e-6;
        sp += u * u;
        sn += v * v;
      }
      const dp = Math.sqrt(sp);
      const dn = Math.sqrt(sn);
      const h = 1 + dp - dn;
      const on = h > 0;
      s += on ? h : 0;
      const cp = on && dp > 0 ? 1 / N / dp : 0;
      const cn = on && dn > 0 ? 1 / N / dn : 0;
      for (let i = r * D; i < (r + 1) * D; i++) {
        const u = (a[i] - p[i] + 1e-6) * cp;
        const v = (a[i] - n[i] + 1e-6) * cn;
        ga[i] = u - v;
        gp[i] = -u;
        gn[i] = v;
      }
    }
    return s / N;
  },
};

// cosine embedding: margin 0, 'mean'
const cosineJs = {
  loss([x, y], t, N, D) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      let xy = 0;
      let xx = 0;
      let yy = 0;
      for (let i = r * D; i < (r + 1) * D; i++) {
        xy += x[i] * y[i];
        xx += x[i] * x[i];
        yy += y[i] * y[i];
      }
      const cos = xy / Math.sqrt((xx + 1e-12) * (yy + 1e-12));
      s += t[r] === 1 ? 1 - cos : t[r] === -1 ? Math.max(cos, 0) : 0;
    }
    return s / N;
  },
  grad([x, y], t, [gx, gy], N, D) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      let xy = 0;
      let xx = 0;
      let yy = 0;
      for (let i = r * D; i < (r + 1) * D; i++) {
        xy += x[i] * y[i];
        xx += x[i] * x[i];
        yy += y[i] * y[i];
      }
      const m1 = xx + 1e-12;
      const m2 = yy + 1e-12;
      const den = Math.sqrt(m1 * m2);
      const cos = xy / den;
      let k = 0;
      if (t[r] === 1) {
        s += 1 - cos;
        k = -1 / N;
      } else if (t[r] === -1 && cos > 0) {
        s += cos;
        k = 1 / N;
      }
      const a = k / den;
      const b1 = (k * cos) / m1;
      const b2 = (k * cos) / m2;
      for (let i = r * D; i < (r + 1) * D; i++) {
        gx[i] = a * y[i] - b1 * x[i];
        gy[i] = a * x[i] - b2 * y[i];
      }
    }
    return s / N;
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
  // Margin family.
  ranking({ name: "marginRankingLoss", js: marginRankingJs, rows: [{ n: 1e6, dtype: "f32" }] }),
  pointwise({
    name: "hingeLoss",
    tfName: "losses.hingeLoss (labels {0,1})",
    tfLoss: (tf) => tf.losses.hingeLoss,
    tfLabels: (y) => Float32Array.from(y, (v) => (v + 1) / 2), // tfjs maps {0, 1} to ±1 itself: max(0, 1 − (2l − 1)·x), mean
    js: hingeJs,
    signs: true,
    rows: [{ n: 1e6, dtype: "f32" }],
  }),
  pointwise({ name: "softMarginLoss", js: softMarginJs, signs: true, rows: [{ n: 1e6, dtype: "f32" }] }),
  classification({ name: "multiMarginLoss", js: multiMarginJs, kind: "index", classes: 1000, rows: [{ n: 512e3, dtype: "f32" }] }),
  classification({
    name: "multilabelSoftMarginLoss",
    tfName: "losses.sigmoidCrossEntropy [N, C] (the same mean)",
    tfLoss: (tf) => tf.losses.sigmoidCrossEntropy,
    js: multilabelSoftMarginJs,
    kind: "multilabel",
    classes: 1000,
    rows: [{ n: 512e3, dtype: "f32" }],
  }),
  // Embedding (4096, 256), forward + the gradients of every input. TF.js has no triplet loss.
  embedding({ name: "tripletMarginLoss", kind: "triplet", tfName: null, js: tripletJs }),
  embedding({
    name: "cosineEmbeddingLoss",
    kind: "cosine",
    tfName: "losses.cosineDistance on L2-normalized rows (targets +1)",
    // 1 − cos(x1, x2) per row, mean over rows; the normalization is part of the graph, so
    // tf.valueAndGrads gives the gradients of both inputs, like losskit's.
    tfLoss: (tf) => (x1, x2) => {
      const unit = (x) => tf.div(x, tf.norm(x, "euclidean", 1, true));
      return tf.losses.cosineDistance(unit(x2), unit(x1), 1);
    },
    js: cosineJs,
  }),
  // Sequence: CTC at (T, N, C, S), 'mean', forward + the gradient w.r.t. logProbs (bench/ctc.mjs).
  ctc({ shapes: [[200, 16, 32, 40], [1000, 8, 100, 200]] }),
];

// ---- segmentation: diceLoss (MONAI's DiceLoss(softmax=True, to_onehot_y=True)), forward + ∂input ----

/** Logits ~ N(0, 2²) of shape (N, C, H, W) and class indices (N, 1, H, W), each position's label drawn at random. */
export function diceData(N, C, H, W, A = Float32Array) {
  const r = rng(N * C * H * W + 11);
  const x = new A(N * C * H * W);
  for (let i = 0; i < x.length; i++) x[i] = 2 * r.normal();
  const labels = new Int32Array(N * H * W);
  for (let i = 0; i < labels.length; i++) labels[i] = Math.min(C - 1, Math.floor(r.u() * C));
  return { x, labels };
}

// softmax over C, one-hot labels, per (n, c): f = 1 − (2I + 1e-5)/(G + P + 1e-5); 'mean' over N·C; f64 sums
const diceJs = {
  softmax(x, p, N, C, D) {
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < D; j++) {
        let m = -Infinity;
        for (let c = 0; c < C; c++) m = Math.max(m, x[(n * C + c) * D + j]);
        let s = 0;
        for (let c = 0; c < C; c++) s += p[(n * C + c) * D + j] = Math.exp(x[(n * C + c) * D + j] - m);
        for (let c = 0; c < C; c++) p[(n * C + c) * D + j] /= s;
      }
    }
  },
  sums(p, y, N, C, D) {
    const s = [];
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        let i = 0;
        let g = 0;
        let q = 0;
        for (let j = 0; j < D; j++) {
          const t = y[n * D + j] === c ? 1 : 0;
          const v = p[(n * C + c) * D + j];
          i += t * v;
          g += t;
          q += v;
        }
        s.push([i, g, q]);
      }
    }
    return s;
  },
  loss(x, y, N, C, D, p) {
    this.softmax(x, p, N, C, D);
    return this.sums(p, y, N, C, D).reduce((a, [i, g, q]) => a + 1 - (2 * i + 1e-5) / (g + q + 1e-5), 0) / (N * C);
  },
  grad(x, y, gx, N, C, D) {
    this.softmax(x, gx, N, C, D);
    const s = this.sums(gx, y, N, C, D);
    const k = s.map(([i, g, q]) => {
      const a = 2 * i + 1e-5;
      const b = g + q + 1e-5;
      return [-2 / b / (N * C), a / (b * b) / (N * C)];
    });
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < D; j++) {
        let dot = 0;
        for (let c = 0; c < C; c++) {
          const [ki, kp] = k[n * C + c];
          const p = gx[(n * C + c) * D + j];
          dot += p * (ki * (y[n * D + j] === c ? 1 : 0) + kp);
        }
        for (let c = 0; c < C; c++) {
          const [ki, kp] = k[n * C + c];
          const i = (n * C + c) * D + j;
          gx[i] *= ki * (y[n * D + j] === c ? 1 : 0) + kp - dot;
        }
      }
    }
    return s.reduce((a, [i, g, q]) => a + 1 - (2 * i + 1e-5) / (g + q + 1e-5), 0) / (N * C);
  },
};

function dice({ N, C, H, W }) {
  return {
    name: "diceLoss",
    tfName: null,
    available: (L) => typeof L.diceLoss === "function",
    rows: [{ n: N * C * H * W, dtype: "f32" }],
    setup(L, n, dtype) {
      const A = ARRAY[dtype];
      const b = A.BYTES_PER_ELEMENT;
      const shape = [N, C, H, W];
      const D = H * W;
      const { x, labels } = diceData(N, C, H, W, A);
      const opts = { softmax: true, toOnehotY: true };
      const input = { data: x, shape };
      const target = { data: labels, shape: [N, 1, H, W] };
      const tx = L.tensor(shape, dtype);
      tx.data.set(x);
      const ty = L.tensor([N, 1, H, W], "i32");
      ty.data.set(labels);
      const tg = L.tensor(shape, dtype);
      const zOpts = { ...opts, into: { input: tg } };
      const p = new Float64Array(n);
      const jg = new Float64Array(n);
      let lkGrad;
      const read = n * b + labels.length * 4;
      return {
        label: `diceLoss ${shape.join("×")} (softmax, toOnehotY) ${dtype}`,
        n,
        dtype,
        shape,
        bytes: { loss: { read, write: 0 }, grad: { read, write: n * b } },
        lk: {
          loss: () => L.diceLoss(input, target, opts),
          grad: () => {
            const res = L.diceLoss.withGrad(input, target, opts);
            lkGrad = res.grads.input.data;
            return res.loss;
          },
        },
        zc: { loss: () => L.diceLoss(tx, ty, opts), grad: () => L.diceLoss.withGrad(tx, ty, zOpts).loss },
        js: { loss: () => diceJs.loss(x, labels, N, C, D, p), grad: () => diceJs.grad(x, labels, jg, N, C, D) },
        gradOf: { lk: () => lkGrad, zc: () => tg.data, prepCopy: () => pg, js: () => jg },
        tf: () => null,
        dispose() {
          tx.dispose();
          ty.dispose();
          tg.dispose();
        },
      };
    },
  };
}

CASES.push(dice({ N: 8, C: 4, H: 128, W: 128 }));
