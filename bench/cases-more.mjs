// More benchmark entries, in exactly the format of cases.mjs (whose helpers they use): the
// losses cases.mjs does not list, so that every loss losskit exports is measured. run.mjs runs
// cases.mjs's CASES, then these; a row (loss, n, classes) already given by cases.mjs is not run
// twice, so moving an entry into cases.mjs later needs no change here beyond deleting it.
//
// Inputs are drawn in each loss's domain (the same distributions as bench/torch_bench.py); the
// tfjs counterparts are tf.losses where one exists, else the expression a tfjs user would write;
// the JS loops accumulate in f64 and are the reference of run.mjs's correctness check.
import { classification, pointwise } from "./cases.mjs";
import { DETECTION_ADVERSARIAL_CASES } from "./cases-detection-adversarial.mjs";

const SIZES = [1e2, 1e3, 1e5, 1e6, 4e6];
const at = (...ns) => ns.map((n) => ({ n, dtype: "f32" }));
const shape = (N, C) => ({ n: N * C, dtype: "f32", classes: C });

// ---- data (r: the seeded generator of cases.mjs; A: the typed-array class) ----

const fill = (A, n, f) => {
  const a = new A(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
};
const data = {
  /** probabilities in [0.01, 0.99] and soft targets in [0, 1] */
  bce: (r, n, A) => [fill(A, n, () => 0.01 + 0.98 * r.u()), fill(A, n, () => r.u())],
  /** log-probabilities and probabilities (each ~1/n) */
  kl: (r, n, A) => {
    const y = fill(A, n, () => (0.5 + r.u()) / n);
    return [fill(A, n, () => Math.log((0.5 + r.u()) / n)), y];
  },
  /** log-rates and counts 0…5 */
  poisson: (r, n, A) => [fill(A, n, () => 0.5 * r.normal()), fill(A, n, () => Math.floor(6 * r.u()))],
  /** input, target as the regression losses; var in [0.5, 1.5) as a tensor of the input's shape */
  gaussian: (r, n, A) => {
    const y = fill(A, n, () => r.normal());
    const x = fill(A, n, (i) => y[i] + 1.5 * r.normal());
    return [x, y, fill(A, n, () => 0.5 + r.u())];
  },
};
function logSoftmaxRows(x, N, C) {
  for (let r = 0; r < N; r++) {
    const o = r * C;
    let m = -Infinity;
    for (let j = 0; j < C; j++) m = Math.max(m, x[o + j]);
    let z = 0;
    for (let j = 0; j < C; j++) z += Math.exp(x[o + j] - m);
    const lse = m + Math.log(z);
    for (let j = 0; j < C; j++) x[o + j] -= lse;
  }
}
function softmaxRows(x, N, C) {
  logSoftmaxRows(x, N, C);
  for (let i = 0; i < N * C; i++) x[i] = Math.exp(x[i]);
}

// ---- hand-written loops (f64 accumulation), gradient w.r.t. the input ----

const smoothL1Js = {
  // beta = 1
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(x[i] - y[i]);
      s += a < 1 ? 0.5 * a * a : a - 0.5;
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

const rmseJs = {
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i] - y[i]) ** 2;
    return Math.sqrt(s / n);
  },
  grad(x, y, g, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - y[i];
      s += d * d;
      g[i] = d;
    }
    const r = Math.sqrt(s / n);
    const c = r > 0 ? 1 / (n * r) : 0;
    for (let i = 0; i < n; i++) g[i] *= c;
    return r;
  },
};

const maeJs = {
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

const bceJs = {
  loss(p, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s -= y[i] * Math.max(Math.log(p[i]), -100) + (1 - y[i]) * Math.max(Math.log(1 - p[i]), -100);
    return s / n;
  },
  grad(p, y, g, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const q = p[i];
      s -= y[i] * Math.max(Math.log(q), -100) + (1 - y[i]) * Math.max(Math.log(1 - q), -100);
      g[i] = (c * (q - y[i])) / Math.max(q * (1 - q), 1e-12);
    }
    return s / n;
  },
};

const klDivJs = {
  // reduction 'mean' (÷ element count), target as probabilities
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) if (y[i] > 0) s += y[i] * (Math.log(y[i]) - x[i]);
    return s / n;
  },
  grad(x, y, g, n) {
    let s = 0;
    const c = -1 / n;
    for (let i = 0; i < n; i++) {
      if (y[i] > 0) s += y[i] * (Math.log(y[i]) - x[i]);
      g[i] = c * y[i];
    }
    return s / n;
  },
};

const poissonJs = {
  // logInput = true, full = false
  loss(x, y, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[i]) - y[i] * x[i];
    return s / n;
  },
  grad(x, y, g, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(x[i]);
      s += e - y[i] * x[i];
      g[i] = c * (e - y[i]);
    }
    return s / n;
  },
};

const gaussianJs = {
  // full = false, eps = 1e-6; var a tensor of the input's shape
  loss(x, y, n, v) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const w = Math.max(v[i], 1e-6);
      const d = x[i] - y[i];
      s += 0.5 * (Math.log(w) + (d * d) / w);
    }
    return s / n;
  },
  grad(x, y, g, n, v) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const w = Math.max(v[i], 1e-6);
      const d = x[i] - y[i];
      s += 0.5 * (Math.log(w) + (d * d) / w);
      g[i] = (c * d) / w;
    }
    return s / n;
  },
};

const sigmoidFocalJs = {
  // alpha = 0.25, gamma = 2, reduction 'mean' (torchvision's formula)
  loss(x, y, _N, _C, n) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const t = y[i];
      const e = Math.exp(-Math.abs(v));
      const p = v >= 0 ? 1 / (1 + e) : e / (1 + e);
      const ce = Math.max(v, 0) - v * t + Math.log1p(e);
      const m = 1 - (p * t + (1 - p) * (1 - t));
      s += (0.25 * t + 0.75 * (1 - t)) * ce * m * m;
    }
    return s / n;
  },
  grad(x, y, g, _N, _C, n) {
    let s = 0;
    const c = 1 / n;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const t = y[i];
      const e = Math.exp(-Math.abs(v));
      const p = v >= 0 ? 1 / (1 + e) : e / (1 + e);
      const ce = Math.max(v, 0) - v * t + Math.log1p(e);
      const m = 1 - (p * t + (1 - p) * (1 - t));
      const a = 0.25 * t + 0.75 * (1 - t);
      s += a * ce * m * m;
      g[i] = c * a * ((p - t) * m * m - 2 * ce * m * (2 * t - 1) * p * (1 - p));
    }
    return s / n;
  },
};

const nllJs = {
  loss(x, t, N, C) {
    let s = 0;
    for (let r = 0; r < N; r++) s -= x[r * C + t[r]];
    return s / N;
  },
  grad(x, t, g, N, C) {
    let s = 0;
    g.fill(0);
    for (let r = 0; r < N; r++) {
      s -= x[r * C + t[r]];
      g[r * C + t[r]] = -1 / N;
    }
    return s / N;
  },
};

const focalJs = {
  // gamma = 2, no alpha, 'mean' over rows
  loss(x, t, N, C) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      const o = r * C;
      let m = -Infinity;
      for (let j = 0; j < C; j++) m = Math.max(m, x[o + j]);
      let z = 0;
      for (let j = 0; j < C; j++) z += Math.exp(x[o + j] - m);
      const lp = x[o + t[r]] - m - Math.log(z);
      const q = Math.exp(lp);
      s -= (1 - q) * (1 - q) * lp;
    }
    return s / N;
  },
  grad(x, t, g, N, C) {
    let s = 0;
    for (let r = 0; r < N; r++) {
      const o = r * C;
      let m = -Infinity;
      for (let j = 0; j < C; j++) m = Math.max(m, x[o + j]);
      let z = 0;
      for (let j = 0; j < C; j++) {
        const e = Math.exp(x[o + j] - m);
        g[o + j] = e;
        z += e;
      }
      const lp = x[o + t[r]] - m - Math.log(z);
      const q = Math.exp(lp);
      s -= (1 - q) * (1 - q) * lp;
      const D = (2 * (1 - q) * q * lp - (1 - q) * (1 - q)) / N; // ∂loss/∂lp, ÷ N
      for (let j = 0; j < C; j++) g[o + j] *= -D / z;
      g[o + t[r]] += D;
    }
    return s / N;
  },
};

const categoricalJs = {
  // probabilities in, class indices as targets: −max(ln p_y, −100), 'mean' over rows
  loss(p, t, N, C) {
    let s = 0;
    for (let r = 0; r < N; r++) s -= Math.max(Math.log(p[r * C + t[r]]), -100);
    return s / N;
  },
  grad(p, t, g, N, C) {
    let s = 0;
    g.fill(0);
    for (let r = 0; r < N; r++) {
      const q = p[r * C + t[r]];
      const l = Math.log(q);
      s -= Math.max(l, -100);
      g[r * C + t[r]] = l > -100 ? -1 / (N * q) : 0;
    }
    return s / N;
  },
};

// ---- the entries ----

export const MORE_CASES = [
  pointwise({ name: "smoothL1Loss", tfName: "losses.huberLoss (δ=1 = smooth L1 β=1)", tfLoss: (tf) => tf.losses.huberLoss, js: smoothL1Js }),
  pointwise({
    name: "binaryCrossEntropy",
    tfName: "losses.logLoss (ε=1e-7)",
    tfLoss: (tf) => tf.losses.logLoss,
    js: bceJs,
    data: data.bce,
  }),
  pointwise({
    name: "klDiv",
    tfName: "mean(y·(log y − x))",
    tfLoss: (tf) => (y, x) => tf.mean(tf.mul(y, tf.sub(tf.log(y), x))),
    js: klDivJs,
    data: data.kl,
  }),
  pointwise({
    name: "poissonNllLoss",
    tfName: "mean(exp x − y·x)",
    tfLoss: (tf) => (y, x) => tf.mean(tf.sub(tf.exp(x), tf.mul(y, x))),
    js: poissonJs,
    data: data.poisson,
  }),
  pointwise({
    name: "gaussianNllLoss",
    tfName: "½·mean(log v + (x − y)²/v), v = max(var, 1e-6)",
    tfLoss: (tf) => (y, x, v) => {
      const w = tf.maximum(v, 1e-6);
      return tf.mul(0.5, tf.mean(tf.add(tf.log(w), tf.div(tf.square(tf.sub(x, y)), w))));
    },
    js: gaussianJs,
    data: data.gaussian,
  }),
  classification({
    name: "sigmoidFocalLoss",
    tfName: "sigmoidCrossEntropy(NONE)·(1 − p_t)²·α_t, mean",
    tfLoss: (tf) => (y, x) => {
      const p = tf.sigmoid(x);
      const ce = tf.losses.sigmoidCrossEntropy(y, x, undefined, 0, tf.Reduction.NONE);
      const pt = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
      const a = tf.add(tf.mul(0.25, y), tf.mul(0.75, tf.sub(1, y)));
      return tf.mean(tf.mul(tf.mul(ce, tf.square(tf.sub(1, pt))), a));
    },
    js: sigmoidFocalJs,
    kind: "binary",
    opts: { reduction: "mean" }, // losskit's default is torchvision's 'none'
    rows: at(...SIZES),
  }),
  pointwise({ name: "rmseLoss", tfName: "sqrt(losses.meanSquaredError)", tfLoss: (tf) => (y, x) => tf.sqrt(tf.losses.meanSquaredError(y, x)), js: rmseJs, rows: at(1e6) }),
  pointwise({ name: "maeLoss", tfName: "losses.absoluteDifference", tfLoss: (tf) => tf.losses.absoluteDifference, js: maeJs, rows: at(1e6) }),
  classification({
    name: "nllLoss",
    tfName: "−mean(Σ onehot·x)",
    tfLoss: (tf) => (l, x) => tf.neg(tf.mean(tf.sum(tf.mul(l, x), 1))),
    js: nllJs,
    kind: "index",
    prep: logSoftmaxRows,
    rows: [shape(65536, 10)],
  }),
  classification({
    name: "focalLoss",
    tfName: "−mean((1 − p_y)²·log p_y), logSoftmax",
    tfLoss: (tf) => (l, x) => {
      const lpy = tf.sum(tf.mul(l, tf.logSoftmax(x)), 1);
      return tf.neg(tf.mean(tf.mul(tf.square(tf.sub(1, tf.exp(lpy))), lpy)));
    },
    js: focalJs,
    kind: "index",
    rows: [shape(65536, 10)],
  }),
  classification({
    name: "categoricalCrossEntropy",
    tfName: "−mean(Σ onehot·max(log p, −100))",
    tfLoss: (tf) => (l, p) => tf.neg(tf.mean(tf.sum(tf.mul(l, tf.maximum(tf.log(p), -100)), 1))),
    js: categoricalJs,
    kind: "index",
    prep: softmaxRows,
    rows: [shape(100000, 10)],
  }),
  ...DETECTION_ADVERSARIAL_CASES,
];
