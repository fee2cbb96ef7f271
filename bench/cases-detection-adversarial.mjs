// Benchmark entries of the detection and adversarial families, in the format of cases.mjs (listed
// by cases-more.mjs): the four box IoU losses at N = 10⁶ box pairs (shape (N, 4); 'mean'; the
// gradient of boxes1, as torch_bench.py differentiates its first argument) and the GAN losses at
// n = 10⁶ logits (mode 'nonsaturating', the default; discriminator: real and fake of n each,
// the gradient of the real logits). TF.js has none of them. The plain-JS loops accumulate in f64
// and are run.mjs's reference.

import { rng as xorshift } from "./rng.mjs";

const ARRAY = { f32: Float32Array, f64: Float64Array };

// Deterministic data: bench/rng.mjs.
const rng = (seed) => xorshift(seed).u;

/** N xyxy boxes: corner in [0, 4)², width and height in [0.1, 3) (the distribution of torch_bench.py and the fixtures). */
export function boxData(N, A, seed) {
  const u = rng(seed);
  const b = new A(4 * N);
  for (let i = 0; i < N; i++) {
    const x = 4 * u();
    const y = 4 * u();
    b[4 * i] = x;
    b[4 * i + 1] = y;
    b[4 * i + 2] = x + 0.1 + 2.9 * u();
    b[4 * i + 3] = y + 0.1 + 2.9 * u();
  }
  return b;
}

const EPS = 1e-7;
const K = 4 / (Math.PI * Math.PI);
const share = (a, b) => (a === b ? 0.5 : 1); // a tie splits the gradient of max/min

/**
 * One box pair's loss (kind: iou, giou, diou, ciou; torchvision's formulas) and, when `g` is
 * given, its gradient w.r.t. box 1 times `scale` written into g[o..o + 4].
 */
function boxPair(kind, a, b, o, g, scale) {
  const [x1, y1, x2, y2] = [a[o], a[o + 1], a[o + 2], a[o + 3]];
  const [u1, v1, u2, v2] = [b[o], b[o + 1], b[o + 2], b[o + 3]];
  const w1 = x2 - x1, h1 = y2 - y1, w2 = u2 - u1, h2 = v2 - v1;
  const xk1 = Math.max(x1, u1), yk1 = Math.max(y1, v1), xk2 = Math.min(x2, u2), yk2 = Math.min(y2, v2);
  const iw = xk2 - xk1, ih = yk2 - yk1;
  const overlap = iw > 0 && ih > 0;
  const inter = overlap ? iw * ih : 0;
  const union = w1 * h1 + w2 * h2 - inter;
  const ue = union + EPS;
  const iou = inter / ue;
  const cw = Math.max(x2, u2) - Math.min(x1, u1), ch = Math.max(y2, v2) - Math.min(y1, v1);
  let loss = 1 - iou;
  let gU = iou / ue, gCw = 0, gCh = 0, gDx = 0, gDy = 0, gW = 0, gH = 0;
  if (kind === "giou") {
    const c = cw * ch + EPS;
    const pen = (cw * ch - union) / c;
    loss += pen;
    gU -= 1 / c;
    gCw = ((1 - pen) / c) * ch;
    gCh = ((1 - pen) / c) * cw;
  } else if (kind === "diou" || kind === "ciou") {
    const diag = cw * cw + ch * ch + EPS;
    const dx = (x2 + x1) / 2 - (u1 + u2) / 2, dy = (y2 + y1) / 2 - (v1 + v2) / 2;
    const dist = dx * dx + dy * dy;
    loss += dist / diag;
    gCw = (-dist / diag / diag) * 2 * cw;
    gCh = (-dist / diag / diag) * 2 * ch;
    gDx = dx / diag;
    gDy = dy / diag;
    if (kind === "ciou") {
      const t1 = Math.atan2(w1, h1), t2 = Math.atan2(w2, h2);
      const v = K * (t2 - t1) ** 2;
      const alpha = v / (1 - iou + v + EPS);
      loss += alpha * v;
      const gT1 = -alpha * 2 * K * (t2 - t1);
      const s = w1 * w1 + h1 * h1;
      gW = s > 0 ? (gT1 * h1) / s : 0;
      gH = s > 0 ? (-gT1 * w1) / s : 0;
    }
  }
  if (g) {
    const gI = -1 / ue - gU;
    const gIw = overlap ? gI * ih : 0, gIh = overlap ? gI * iw : 0;
    const gw = gU * h1 + gW, gh = gU * w1 + gH;
    g[o] = scale * (-gw - gIw * (x1 >= u1 ? share(x1, u1) : 0) - gCw * (x1 <= u1 ? share(x1, u1) : 0) + gDx);
    g[o + 1] = scale * (-gh - gIh * (y1 >= v1 ? share(y1, v1) : 0) - gCh * (y1 <= v1 ? share(y1, v1) : 0) + gDy);
    g[o + 2] = scale * (gw + gIw * (x2 <= u2 ? share(x2, u2) : 0) + gCw * (x2 >= u2 ? share(x2, u2) : 0) + gDx);
    g[o + 3] = scale * (gh + gIh * (y2 <= v2 ? share(y2, v2) : 0) + gCh * (y2 >= v2 ? share(y2, v2) : 0) + gDy);
  }
  return loss;
}

function boxes({ name, kind, N = 1e6 }) {
  return {
    name,
    tfName: null,
    available: (L) => typeof L[name] === "function",
    rows: [{ n: N, dtype: "f32" }],
    setup(L, n, dtype) {
      const A = ARRAY[dtype];
      const bpe = A.BYTES_PER_ELEMENT;
      const shape = [n, 4];
      const b1 = boxData(n, A, n + 11);
      const b2 = boxData(n, A, n + 29);
      const fn = L[name];
      const opts = { reduction: "mean" };
      const t1 = L.tensor(shape, dtype);
      const t2 = L.tensor(shape, dtype);
      const tg = L.tensor(shape, dtype);
      t1.data.set(b1);
      t2.data.set(b2);
      const jg = new A(4 * n);
      let lkGrad;
      const js = (g) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += boxPair(kind, b1, b2, 4 * i, g, 1 / n);
        return s / n;
      };
      const a = { data: b1, shape };
      const b = { data: b2, shape };
      return {
        label: `${name} ${n}×4 ${dtype}`,
        n,
        elements: 4 * n, // (per element, not per box, for the copy path's extra time)
        dtype,
        shape,
        bytes: { loss: { read: 8 * n * bpe, write: 0 }, grad: { read: 8 * n * bpe, write: 4 * n * bpe } },
        lk: {
          loss: () => fn(a, b, opts),
          grad: () => {
            const res = fn.withGrad(a, b, { ...opts, wrt: ["boxes1"] });
            lkGrad = res.grads.boxes1.data;
            return res.loss;
          },
        },
        zc: { loss: () => fn(t1, t2, opts), grad: () => fn.withGrad(t1, t2, { ...opts, wrt: ["boxes1"], into: { boxes1: tg } }).loss },
        js: { loss: () => js(null), grad: () => js(jg) },
        gradOf: { lk: () => lkGrad, zc: () => tg.data, js: () => jg },
        tf: () => null,
        dispose() {
          for (const t of [t1, t2, tg]) t.dispose();
        },
      };
    },
  };
}

/** GAN logits: N(0, 2²) (Box–Muller on the xorshift). */
export function logitData(n, A, seed) {
  const u = rng(seed);
  const x = new A(n);
  for (let i = 0; i < n; i++) x[i] = 2 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return x;
}

// Stable softplus and σ in f64.
const softplus = (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

function gan({ name, N = 1e6 }) {
  const disc = name === "ganDiscriminatorLoss";
  const first = disc ? "realLogits" : "fakeLogits";
  return {
    name,
    tfName: null,
    available: (L) => typeof L[name] === "function",
    rows: [{ n: N, dtype: "f32" }],
    setup(L, n, dtype) {
      const A = ARRAY[dtype];
      const bpe = A.BYTES_PER_ELEMENT;
      const args = disc ? [logitData(n, A, n + 3) , logitData(n, A, n + 5)] : [logitData(n, A, n + 5)];
      const fn = L[name];
      const ts = args.map((x) => {
        const t = L.tensor([n], dtype);
        t.data.set(x);
        return t;
      });
      const tg = L.tensor([n], dtype);
      const jg = new A(n);
      let lkGrad;
      // nonsaturating: D = mean softplus(−r) + mean softplus(f), ∂/∂r = −σ(−r)/n; G = mean softplus(−f), ∂/∂f = −σ(−f)/n
      const js = (g) => {
        const [x, f] = args;
        let s = 0;
        for (let i = 0; i < n; i++) {
          s += softplus(-x[i]);
          if (g) g[i] = -sigmoid(-x[i]) / n;
        }
        let t = 0;
        if (disc) for (let i = 0; i < n; i++) t += softplus(f[i]);
        return s / n + t / n;
      };
      const read = args.length * n * bpe;
      return {
        label: `${name} n=${n} ${dtype}`,
        n,
        dtype,
        bytes: { loss: { read, write: 0 }, grad: { read, write: n * bpe } },
        lk: {
          loss: () => fn(...args),
          grad: () => {
            const res = fn.withGrad(...args, { wrt: [first] });
            lkGrad = res.grads[first].data;
            return res.loss;
          },
        },
        zc: { loss: () => fn(...ts), grad: () => fn.withGrad(...ts, { wrt: [first], into: { [first]: tg } }).loss },
        js: { loss: () => js(null), grad: () => js(jg) },
        gradOf: { lk: () => lkGrad, zc: () => tg.data, js: () => jg },
        tf: () => null,
        dispose() {
          for (const t of [...ts, tg]) t.dispose();
        },
      };
    },
  };
}

export const DETECTION_ADVERSARIAL_CASES = [
  boxes({ name: "boxIouLoss", kind: "iou" }),
  boxes({ name: "generalizedBoxIouLoss", kind: "giou" }),
  boxes({ name: "distanceBoxIouLoss", kind: "diou" }),
  boxes({ name: "completeBoxIouLoss", kind: "ciou" }),
  gan({ name: "ganDiscriminatorLoss" }),
  gan({ name: "ganGeneratorLoss" }),
];
