// The README's Performance table, made from the committed results of `npm run bench`
// (bench/results/latest.json) and `npm run bench:vs-torch` (bench/results/vs-torch-latest.json),
// so that the numbers the README shows are the numbers a run wrote, not copied by hand.
//   node bench/readme-table.mjs           print the table
//   node bench/readme-table.mjs --write   replace the table between the README's bench-table markers
// test/readme.test.ts checks that the README holds exactly what this makes from the committed JSON.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmtRatio, fmtTime } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const START = "<!-- bench-table: made by `node bench/readme-table.mjs --write` from bench/results; do not edit -->";
export const END = "<!-- /bench-table -->";

/** [loss, shape, label]: the README's rows (f32, forward + gradient w.r.t. the input). */
const ROWS = [
  ["mseLoss", [1e6], "mseLoss 10⁶"],
  ["l1Loss", [1e6], "l1Loss 10⁶"],
  ["huberLoss", [1e6], "huberLoss 10⁶"],
  ["smoothL1Loss", [1e6], "smoothL1Loss 10⁶"],
  ["binaryCrossEntropy", [1e6], "binaryCrossEntropy 10⁶"],
  ["binaryCrossEntropyWithLogits", [1e6], "binaryCrossEntropyWithLogits 10⁶"],
  ["crossEntropy", [512, 1000], "crossEntropy 512×1000"],
  ["crossEntropy", [65536, 10], "crossEntropy 65536×10"],
  ["crossEntropy", [4096, 32000], "crossEntropy 4096×32000"],
  ["sigmoidFocalLoss", [1e6], "sigmoidFocalLoss 10⁶"],
  ["ganDiscriminatorLoss", [1e6], "ganDiscriminatorLoss 10⁶"],
  ["ganGeneratorLoss", [1e6], "ganGeneratorLoss 10⁶"],
  ["hingeLoss", [1e6], "hingeLoss 10⁶"],
  ["tripletMarginLoss", [4096, 256], "tripletMarginLoss 4096×256"],
  ["cosineEmbeddingLoss", [4096, 256], "cosineEmbeddingLoss 4096×256"],
  ["ctcLoss", [200, 16, 32, 40], "ctcLoss T200×N16×C32, S 40"],
  ["ctcLoss", [1000, 8, 100, 200], "ctcLoss T1000×N8×C100, S 200"],
  ["diceLoss", [8, 4, 128, 128], "diceLoss 8×4×128×128, softmax + toOnehotY"],
  ["boxIouLoss", [1e6, 4], "boxIouLoss 10⁶ boxes"],
  ["generalizedBoxIouLoss", [1e6, 4], "generalizedBoxIouLoss 10⁶ boxes"],
  ["distanceBoxIouLoss", [1e6, 4], "distanceBoxIouLoss 10⁶ boxes"],
  ["completeBoxIouLoss", [1e6, 4], "completeBoxIouLoss 10⁶ boxes"],
];

const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The table (markdown lines) from the two results files' parsed JSON. */
export function makeTable(bench, vsTorch) {
  const lines = [
    "| case | losskit | × PyTorch 1 thread | × TF.js wasm | × plain JS | losskit ÷ memory bound |",
    "|---|--:|--:|--:|--:|--:|",
  ];
  for (const [name, shape, label] of ROWS) {
    const r = bench.results.find((x) => x.case === name && x.dtype === "f32" && sameShape(x.shape, shape));
    if (!r) {
      lines.push(`| ${label} | (not run) | | | | |`);
      continue;
    }
    const g = r.grad;
    const q = g.ratios ?? {};
    const t = vsTorch?.rows.find((x) => x.name === name && x.mode === "grad" && sameShape(x.shape, shape));
    const torch = t ? `${fmtRatio(1 / t.ratio)} (${fmtRatio(1 / t.paired)} paired)` : q.lkOverTorch1 ? `${fmtRatio(1 / q.lkOverTorch1)} ‡` : "—";
    const tf = r.tfSkipped ? "(out of memory)" : fmtRatio(q.tfWasmOverLk);
    const bound = name === "ctcLoss" ? "(compute-bound)" : q.lkOverProbe ? `${fmtRatio(q.lkOverProbe)}` : "—";
    lines.push(`| ${label} | ${fmtTime(g.lkZc?.s)} | ${torch} | ${tf} | ${fmtRatio(q.jsOverLk)} | ${bound} |`);
  }
  lines.push("");
  lines.push("The goals of the performance work, as `npm run bench` judged them in the same run:");
  lines.push("");
  lines.push("| goal | case | mode | measured | target | result |");
  lines.push("|---|---|---|--:|--:|---|");
  for (const g of bench.goals ?? []) lines.push(`| ${g.goal} | ${g.case} | ${g.mode} | ${g.measured} | ${g.target} | ${g.result} |`);
  const day = (ts) => (ts ? ts.slice(0, 10) : "?");
  lines.push("");
  lines.push(
    `From one \`npm run bench\` (${bench.git}, ${day(bench.timestamp)}) and one \`npm run bench:vs-torch\`` +
      ` (${vsTorch?.git ?? "?"}, ${day(vsTorch?.timestamp)}).`,
  );
  return lines.join("\n");
}

/** `readme` with the text between the markers replaced by `table`. */
export function withTable(readme, table) {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error("README.md has no bench-table markers");
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

/** The committed results, parsed. */
export function committedResults(root = path.join(here, "..")) {
  const read = (f) => JSON.parse(fs.readFileSync(path.join(root, "bench/results", f), "utf8"));
  return [read("latest.json"), read("vs-torch-latest.json")];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const table = makeTable(...committedResults());
  if (process.argv.includes("--write")) {
    const file = path.join(here, "..", "README.md");
    fs.writeFileSync(file, withTable(fs.readFileSync(file, "utf8"), table));
    console.log("README.md: table written");
  } else {
    console.log(table);
  }
}
