// The ctcLoss bench entry (bench/cases.mjs lists it): (T, N, C) log-probabilities, padded (N, S)
// targets, full lengths, 'mean'; forward and forward + the gradient w.r.t. logProbs. The plain-JS
// column is a scalar log-space forward–backward accumulated in f64 (the reference the checks use).

import { rng } from "./rng.mjs";

/** Deterministic (T, N, C) log_softmax of 2·N(0, 1) logits, and labels in [1, C). */
function ctcData(T, N, C, S) {
  const { u, normal } = rng(T * 7919 + N * 104729 + C * 31 + S);
  const lp = new Float32Array(T * N * C);
  for (let r = 0; r < T * N; r++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, (lp[r * C + c] = 2 * normal()));
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(lp[r * C + c] - m);
    const shift = m + Math.log(z);
    for (let c = 0; c < C; c++) lp[r * C + c] -= shift;
  }
  const targets = new Int32Array(N * S);
  for (let i = 0; i < targets.length; i++) targets[i] = 1 + Math.min(C - 2, Math.floor(u() * (C - 1)));
  return { lp, targets };
}

const lse = (a, b) => (a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))));

/** Plain JS CTC, blank 0, full lengths, 'mean': the loss, and (with `grad`) −γ/(N·S) into grad. */
function ctcJs(lp, targets, T, N, C, S, grad) {
  const L = 2 * S + 1;
  const alpha = new Float64Array(T * L);
  const beta = new Float64Array(T * L);
  let total = 0;
  if (grad) grad.fill(0);
  for (let n = 0; n < N; n++) {
    const lab = (s) => (s % 2 === 0 ? 0 : targets[n * S + (s - 1) / 2]);
    const e = (t, s) => lp[(t * N + n) * C + lab(s)];
    alpha.fill(-Infinity);
    alpha[0] = e(0, 0);
    alpha[1] = e(0, 1);
    for (let t = 1; t < T; t++) {
      for (let s = 0; s < L; s++) {
        let a = alpha[(t - 1) * L + s];
        if (s > 0) a = lse(a, alpha[(t - 1) * L + s - 1]);
        if (s > 1 && s % 2 === 1 && lab(s) !== lab(s - 2)) a = lse(a, alpha[(t - 1) * L + s - 2]);
        alpha[t * L + s] = a + e(t, s);
      }
    }
    const logP = lse(alpha[(T - 1) * L + L - 1], alpha[(T - 1) * L + L - 2]);
    total += -logP / S;
    if (!grad) continue;
    beta.fill(-Infinity);
    beta[(T - 1) * L + L - 1] = e(T - 1, L - 1);
    beta[(T - 1) * L + L - 2] = e(T - 1, L - 2);
    for (let t = T - 2; t >= 0; t--) {
      for (let s = 0; s < L; s++) {
        let b = beta[(t + 1) * L + s];
        if (s < L - 1) b = lse(b, beta[(t + 1) * L + s + 1]);
        if (s < L - 2 && s % 2 === 1 && lab(s) !== lab(s + 2)) b = lse(b, beta[(t + 1) * L + s + 2]);
        beta[t * L + s] = b + e(t, s);
      }
    }
    const scale = 1 / (N * S);
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < L; s++) {
        const g = Math.exp(alpha[t * L + s] + beta[t * L + s] - e(t, s) - logP);
        grad[(t * N + n) * C + lab(s)] -= g * scale;
      }
    }
  }
  return total / N;
}

/** A bench entry for ctcLoss at (T, N, C, S) rows (f32; n = T·N·C; shape [T, N, C, S] for the PyTorch side). */
export function ctc({ shapes }) {
  return {
    name: "ctcLoss",
    tfName: null,
    available: (L) => typeof L.ctcLoss === "function",
    rows: shapes.map(([T, N, C, S]) => ({ n: T * N * C, dtype: "f32", ctc: [T, N, C, S] })),
    setup(L, n, dtype, row) {
      const [T, N, C, S] = row.ctc;
      const { lp, targets } = ctcData(T, N, C, S);
      const il = new Int32Array(N).fill(T);
      const tl = new Int32Array(N).fill(S);
      const args = [{ data: lp, shape: [T, N, C] }, { data: targets, shape: [N, S] }, il, tl];
      const tensors = [L.tensorFrom(lp, [T, N, C]), L.tensorFrom(targets, [N, S]), L.tensorFrom(il), L.tensorFrom(tl)];
      const g = L.tensor([T, N, C], "f32");
      const jg = new Float32Array(n);
      let lkGrad;
      const bytes = n * 4 + N * S * 4;
      return {
        n,
        dtype,
        shape: [T, N, C, S],
        bytes: { loss: { read: bytes, write: 0 }, grad: { read: bytes, write: n * 4 } },
        lk: {
          loss: () => L.ctcLoss(...args),
          grad: () => {
            const r = L.ctcLoss.withGrad(...args);
            lkGrad = r.grads.logProbs.data;
            return r.loss;
          },
        },
        zc: { loss: () => L.ctcLoss(...tensors), grad: () => L.ctcLoss.withGrad(...tensors, { into: { logProbs: g } }).loss },
        js: { loss: () => ctcJs(lp, targets, T, N, C, S, null), grad: () => ctcJs(lp, targets, T, N, C, S, jg) },
        gradOf: { lk: () => lkGrad, zc: () => g.data, js: () => jg },
        tf: () => null,
        dispose() {
          for (const t of [...tensors, g]) t.dispose();
        },
      };
    },
  };
}
