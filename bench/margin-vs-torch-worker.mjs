// Worker of bench/margin-vs-torch.py: holds the margin cases as wasm tensors and, on request
// (one JSON line per message on stdin, one JSON line back), checks or times losskit's
// `withGrad` with every gradient written into wasm tensors (zero copy), reduction 'mean'.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import * as L from "../dist/node.mjs";

const cases = {};
const NAMES = { marginRankingLoss: ["input1", "input2"] };

function setup(spec) {
  for (const [name, { files, diff }] of Object.entries(spec)) {
    const args = files.map(({ path, shape, dtype }) => {
      const b = readFileSync(path);
      const data = dtype === "i32" ? new Int32Array(b.buffer, b.byteOffset, b.length / 4) : new Float32Array(b.buffer, b.byteOffset, b.length / 4);
      return L.tensorFrom(data.slice(), shape);
    });
    const names = NAMES[name] ?? ["input", "target"];
    const into = Object.fromEntries(diff.map((i) => [names[i], L.tensor(args[i].shape, "f32")]));
    const opts = { into, wrt: diff.map((i) => names[i]) };
    cases[name] = { run: () => L[name].withGrad(...args, opts), into };
  }
}

function median(a) {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const msg = JSON.parse(line);
  let reply = {};
  if (msg.setup) setup(msg.setup);
  else if (msg.check) {
    const { loss } = cases[msg.check].run();
    reply = { loss, grads: Object.values(cases[msg.check].into).map((t) => Array.from(t.data)) };
  } else if (msg.time) {
    const run = cases[msg.time].run;
    for (let i = 0; i < 3; i++) run();
    const ts = [];
    for (let i = 0; i < msg.samples; i++) {
      const t0 = performance.now();
      run();
      ts.push((performance.now() - t0) / 1e3);
    }
    reply = { median: median(ts) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
