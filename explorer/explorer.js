// The loss explorer. Everything is driven by losskit's `losses` table, so a loss added to the
// table appears here by itself: each loss is evaluated along a 1-D slice, the first argument's
// first element x swept over a range, the other arguments and the options set by controls
// made from the arguments' kinds and LossInfo.optionKinds. Each point is one call of
// `withGrad` (reduction 'sum' over the one sample), giving the loss and ∂loss/∂x.
import * as L from "losskit";

await L.init(); // fetch and instantiate the .wasm once

const K = 241; // points per curve
const C = 3; // classes (or features) of a row
const ROW_REST = [0.3, 0.2]; // the fixed rest of a row: [x, 0.3, 0.2]

/** Slider ranges of known numeric options; others get [0, max(3, 2·default)]. */
const OPTION_RANGES = {
  delta: [0.05, 3, 0.05],
  beta: [0, 3, 0.05],
  margin: [0, 3, 0.05],
  gamma: [0, 5, 0.1],
  labelSmoothing: [0, 1, 0.01],
  alpha: [0, 1, 0.01],
  eps: [0, 0.5, 0.01],
  p: [0.5, 4, 0.1],
  smooth: [0, 2, 0.05],
};

/** The controls of one loss: a value per argument (after the first) and per shown option. */
function controlsOf(info) {
  const args = info.args.slice(1).map(({ name, kind }) => {
    if (kind === "index" || kind === "class" || kind === "multilabel") return { name, kind, min: 0, max: C - 1, step: 1, value: 0, label: `${name} (class)` };
    if (kind === "sign" || kind === "rowSign") return { name, kind, min: -1, max: 1, step: 2, value: 1, label: `${name} (±1)` };
    if (kind === "floatOrNumber") return { name, kind, min: 0.05, max: 3, step: 0.05, value: 1, label: name };
    return { name, kind, min: -3, max: 3, step: 0.05, value: name === "target" ? 1 : 0.5, label: name };
  });
  const options = [];
  const notShown = [];
  for (const [name, kind] of Object.entries(info.optionKinds)) {
    const d = info.options[name];
    if (kind === "number") {
      const [min, max, step] = OPTION_RANGES[name] ?? [0, Math.max(3, 2 * Math.abs(d)), 0.05];
      options.push({ name, kind, min, max, step, value: Math.min(max, Math.max(min, d)) });
    } else if (kind === "integer") {
      // An integer far outside the classes (ignoreIndex's −100) is shown as −1: nothing ignored either way.
      const value = Math.abs(d) > 10 ? -1 : d;
      options.push({ name, kind, min: Math.min(value, 0), max: Math.max(value, C - 1, name === "p" ? 2 : 0), step: 1, value });
    } else if (kind === "bool") {
      options.push({ name, kind, value: d });
    } else if (kind === "tensor") {
      notShown.push(name);
    }
  }
  return { args, options, notShown };
}

/** The arguments of one call in a layout: 'point' (every tensor one element) or 'row' (one row of C). */
function callArgs(info, layout, x, args) {
  const row = (v) => ({ data: Float32Array.of(v, ...ROW_REST), shape: [1, C] });
  const point = (v) => Float32Array.of(v);
  const out = [layout === "row" ? row(x) : point(x)];
  for (const a of args) {
    const v = a.value;
    if (a.kind === "index" || a.kind === "class") out.push(layout === "row" ? Int32Array.of(v) : { data: Int32Array.of(v), shape: [] });
    else if (a.kind === "multilabel") out.push(layout === "row" ? { data: Int32Array.of(v, -1, -1), shape: [1, C] } : Int32Array.of(v));
    else if (a.kind === "sign") out.push(layout === "row" ? { data: Float32Array.of(v, v, v), shape: [1, C] } : point(v));
    else if (a.kind === "rowSign") out.push(layout === "row" ? point(v) : { data: Float32Array.of(v), shape: [] });
    else if (a.kind === "floatOrNumber") out.push(v);
    else out.push(layout === "row" ? row(v) : point(v));
  }
  return out;
}

/** Samples loss and gradient over [lo, hi]; points where losskit raises are NaN (gaps). */
function sample(info, layout, c, lo, hi) {
  const fn = L[info.name];
  const opts = {};
  for (const o of c.options) opts[o.name] = o.value;
  if (info.reductions.includes("sum")) opts.reduction = "sum";
  const wrt = info.args[0].name;
  const xs = [], loss = [], grad = [];
  let error;
  for (let k = 0; k < K; k++) {
    const x = lo + ((hi - lo) * k) / (K - 1);
    xs.push(x);
    try {
      const r = fn.withGrad(...callArgs(info, layout, x, c.args), opts);
      loss.push(typeof r.loss === "number" ? r.loss : r.loss.data[0]);
      grad.push(r.grads[wrt] ? r.grads[wrt].data[0] : NaN);
    } catch (e) {
      error ??= e;
      loss.push(NaN);
      grad.push(NaN);
    }
  }
  const finite = loss.filter(Number.isFinite).length;
  return { xs, loss, grad, finite, error, layout, lo, hi };
}

/**
 * The curve of a loss: the layout that gives the most finite values; if a quarter of the
 * range or more is not valid (BCE's input in [0, 1], probabilities ≥ 0), the range narrows to
 * the valid part.
 */
function curveOf(info, c) {
  const layouts = info.output === "rows" ? ["row", "point"] : ["point", "row"];
  let best;
  for (const layout of layouts) {
    const s = sample(info, layout, c, -3, 3);
    if (!best || s.finite > best.finite) best = s;
    if (s.finite === K) break;
  }
  if (best.finite > 1 && best.finite < 0.75 * K) {
    const valid = best.xs.filter((_, k) => Number.isFinite(best.loss[k]));
    const pad = (valid.at(-1) - valid[0]) * 0.01;
    best = sample(info, best.layout, c, valid[0] + pad, valid.at(-1) - pad);
  }
  return best;
}

// ---------------------------------------------------------------- drawing
const svgNs = "http://www.w3.org/2000/svg";
const el = (name, attrs, text) => {
  const e = document.createElementNS(svgNs, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
};
const fmt = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** Plots ys against xs in an SVG: axes, ticks, the curve with gaps at NaN, and a marker at `mark`. */
function plot(svg, xs, ys, mark) {
  svg.replaceChildren();
  const [W, H] = svg.getAttribute("viewBox").split(" ").slice(2).map(Number);
  const m = { l: 56, r: 12, t: 10, b: 24 };
  const fin = ys.filter(Number.isFinite);
  let lo = Math.min(0, ...fin), hi = Math.max(0, ...fin);
  if (!fin.length) (lo = -1), (hi = 1);
  if (hi - lo < 1e-12) (lo -= 1), (hi += 1);
  const x0 = xs[0], x1 = xs.at(-1);
  const X = (x) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (y) => H - m.b - ((y - lo) / (hi - lo)) * (H - m.t - m.b);
  for (let i = 0; i <= 4; i++) {
    const y = lo + ((hi - lo) * i) / 4;
    svg.append(el("line", { class: "grid", x1: m.l, x2: W - m.r, y1: Y(y), y2: Y(y) }), el("text", { x: m.l - 6, y: Y(y) + 4, "text-anchor": "end" }, fmt(y)));
  }
  for (let i = 0; i <= 6; i++) {
    const x = x0 + ((x1 - x0) * i) / 6;
    svg.append(el("text", { x: X(x), y: H - 6, "text-anchor": "middle" }, fmt(x)));
  }
  svg.append(el("line", { class: "axis", x1: m.l, x2: W - m.r, y1: Y(0), y2: Y(0) }));
  if (mark !== undefined && mark >= x0 && mark <= x1) svg.append(el("line", { class: "target", x1: X(mark), x2: X(mark), y1: m.t, y2: H - m.b }));
  let d = "";
  let pen = false;
  xs.forEach((x, k) => {
    if (!Number.isFinite(ys[k])) return void (pen = false);
    d += `${pen ? "L" : "M"}${X(x).toFixed(1)},${Y(ys[k]).toFixed(1)}`;
    pen = true;
  });
  svg.append(el("path", { class: "curve", d }));
}

// ---------------------------------------------------------------- page
const byName = new Map(L.losses.map((info) => [info.name, info]));
const controls = new Map();
const state = { name: undefined, curve: undefined };

function render() {
  const info = byName.get(state.name);
  const c = controls.get(state.name);
  const s = curveOf(info, c);
  state.curve = s;
  const target = c.args.find((a) => a.name === "target" && (a.kind === "float" || a.kind === "sign"));
  plot(document.getElementById("loss"), s.xs, s.loss, target?.value);
  plot(document.getElementById("grad"), s.xs, s.grad, target?.value);
  document.getElementById("wrt").textContent = `${info.args[0].name}[0]`;
  const notes = [];
  if (s.finite === 0) notes.push(`No 1-D slice of ${info.name} in this layout: ${s.error?.message ?? "no finite values"}`);
  else if (s.finite < K) notes.push(s.error ? `Gaps where losskit raises ${s.error.code}: ${s.error.message}` : "Gaps where the loss is not finite.");
  if (c.notShown.length) notes.push(`Tensor options not plotted: ${c.notShown.join(", ")}.`);
  document.getElementById("note").textContent = notes.join(" ");
  document.getElementById("plots").dataset.finite = String(s.finite);
}

function select(name) {
  const info = byName.get(name);
  if (!info) throw new Error(`no loss ${name}`);
  state.name = name;
  for (const b of document.querySelectorAll("nav button")) b.setAttribute("aria-current", String(b.dataset.name === name));
  document.getElementById("name").textContent = name;
  const x = info.args[0].name;
  document.getElementById("about").textContent =
    `${info.summary} · ${info.pytorch ?? "no PyTorch function"} · ${info.family} · sweeping ${x}${info.output === "rows" ? `[0] of a row [${x}, ${ROW_REST}]` : ""}`;
  if (!controls.has(name)) controls.set(name, controlsOf(info));
  const c = controls.get(name);
  const box = document.getElementById("controls");
  box.replaceChildren();
  for (const item of [...c.args, ...c.options]) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    const out = document.createElement("output");
    input.name = item.name;
    label.dataset.control = item.name;
    if (item.kind === "bool") {
      input.type = "checkbox";
      input.checked = item.value;
      input.oninput = () => ((item.value = input.checked), render());
    } else {
      Object.assign(input, { type: "range", min: item.min, max: item.max, step: item.step, value: item.value });
      out.textContent = fmt(item.value);
      input.oninput = () => {
        item.value = Number(input.value);
        out.textContent = fmt(item.value);
        render();
      };
    }
    label.append(item.label ?? item.name, input, out);
    box.append(label);
  }
  render();
}

const nav = document.getElementById("list");
for (const family of new Set(L.losses.map((l) => l.family))) {
  const h = document.createElement("h2");
  h.textContent = family;
  nav.append(h);
  for (const info of L.losses.filter((l) => l.family === family)) {
    const b = document.createElement("button");
    b.textContent = info.name;
    b.dataset.name = info.name;
    b.onclick = () => select(info.name);
    nav.append(b);
  }
}
const initial = new URLSearchParams(location.search).get("loss");
select(byName.has(initial) ? initial : "huberLoss");

// For tests and the curious: the table's names, select(), and the current curve.
window.explorer = { names: L.losses.map((l) => l.name), select, state: () => ({ name: state.name, ...state.curve, error: state.curve.error && String(state.curve.error) }) };
