// The page's training loop: a tiny MLP in plain typed arrays; losskit computes the
// cross-entropy and its gradient with respect to the logits, the page does the rest of the
// chain rule. window.__training reports progress (the browser test reads it).
import { crossEntropy, init } from "losskit";

await init(); // fetch and instantiate the .wasm once, before the first loss

const N = 300, C = 3, H = 16, STEPS = 600, LR = 1.0;
let seed = 5;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

// Three interleaved spirals in [-1, 1]².
const X = new Float32Array(N * 2);
const Y = new Int32Array(N);
for (let i = 0; i < N; i++) {
  const c = (Y[i] = i % C);
  const r = (Math.floor(i / C) + 1) / (N / C);
  const t = c * ((2 * Math.PI) / C) + 3.5 * r + 0.15 * (rand() - 0.5);
  X[2 * i] = r * Math.cos(t);
  X[2 * i + 1] = r * Math.sin(t);
}

// Parameters, Xavier-scaled from the seeded generator.
const W1 = Float32Array.from({ length: 2 * H }, () => (rand() - 0.5) * 2);
const b1 = new Float32Array(H);
const W2 = Float32Array.from({ length: H * C }, () => (rand() - 0.5) * 0.8);
const b2 = new Float32Array(C);
const hidden = new Float32Array(N * H);
const logits = new Float32Array(N * C);

function forward() {
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < H; j++) hidden[i * H + j] = Math.tanh(X[2 * i] * W1[j] + X[2 * i + 1] * W1[H + j] + b1[j]);
    for (let c = 0; c < C; c++) {
      let s = b2[c];
      for (let j = 0; j < H; j++) s += hidden[i * H + j] * W2[j * C + c];
      logits[i * C + c] = s;
    }
  }
}

function step() {
  forward();
  const { loss, grads } = crossEntropy.withGrad({ data: logits, shape: [N, C] }, Y);
  const G = grads.input.data; // ∂loss/∂logits: (softmax − one-hot)/N
  const gW2 = new Float32Array(H * C), gb2 = new Float32Array(C), gW1 = new Float32Array(2 * H), gb1 = new Float32Array(H);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < C; c++) {
      const g = G[i * C + c];
      gb2[c] += g;
      for (let j = 0; j < H; j++) gW2[j * C + c] += g * hidden[i * H + j];
    }
    for (let j = 0; j < H; j++) {
      let gh = 0;
      for (let c = 0; c < C; c++) gh += G[i * C + c] * W2[j * C + c];
      gh *= 1 - hidden[i * H + j] ** 2; // tanh'
      gb1[j] += gh;
      gW1[j] += gh * X[2 * i];
      gW1[H + j] += gh * X[2 * i + 1];
    }
  }
  for (const [p, g] of [[W1, gW1], [b1, gb1], [W2, gW2], [b2, gb2]]) for (let k = 0; k < p.length; k++) p[k] -= LR * g[k];
  return loss;
}

function accuracy() {
  let hits = 0;
  for (let i = 0; i < N; i++) {
    const row = logits.subarray(i * C, i * C + C);
    if (row.indexOf(Math.max(...row)) === Y[i]) hits++;
  }
  return hits / N;
}

// Drawing: the loss curve (SVG polyline) and the points coloured by their predicted class.
const svgNs = "http://www.w3.org/2000/svg";
const curve = document.getElementById("curve");
const line = document.createElementNS(svgNs, "polyline");
line.setAttribute("fill", "none");
line.setAttribute("stroke", "#1565c0");
line.setAttribute("stroke-width", "2");
curve.append(line);
const COLORS = ["#d32f2f", "#388e3c", "#1976d2"];
const dots = Array.from({ length: N }, (_, i) => {
  const d = document.createElementNS(svgNs, "circle");
  d.setAttribute("cx", String(X[2 * i]));
  d.setAttribute("cy", String(-X[2 * i + 1]));
  d.setAttribute("r", "0.025");
  d.setAttribute("stroke", COLORS[Y[i]]);
  d.setAttribute("stroke-width", "0.01");
  document.getElementById("points").append(d);
  return d;
});

const history = [];
const state = (window.__training = { steps: 0, losses: history, accuracy: 0, done: false, error: undefined });
function draw() {
  const max = Math.max(...history, 1e-9);
  line.setAttribute("points", history.map((l, k) => `${(k / STEPS) * 470 + 5},${295 - (l / max) * 285}`).join(" "));
  for (let i = 0; i < N; i++) {
    const row = logits.subarray(i * C, i * C + C);
    dots[i].setAttribute("fill", COLORS[row.indexOf(Math.max(...row))]);
  }
  state.accuracy = accuracy();
  document.getElementById("status").textContent = `step ${history.length}/${STEPS}  loss ${history.at(-1).toFixed(4)}  accuracy ${(100 * state.accuracy).toFixed(1)}%`;
}

let paused = false;
document.getElementById("toggle").onclick = (e) => {
  paused = !paused;
  e.target.textContent = paused ? "Resume" : "Pause";
  if (!paused) frame();
};
function frame() {
  if (paused || history.length >= STEPS) return;
  try {
    for (let k = 0; k < 10 && history.length < STEPS; k++) history.push(step());
    state.steps = history.length;
    draw();
    if (history.length >= STEPS) state.done = true;
    else requestAnimationFrame(frame);
  } catch (e) {
    state.error = String(e);
    throw e;
  }
}
frame();
