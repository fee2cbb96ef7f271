// The Node examples run as a user runs them (`node examples/<name>.mjs`, importing "losskit"
// and "losskit/tfjs" by name) and print a falling loss and a reported accuracy.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..");
const run = (name: string) => execFileSync(process.execPath, [join(root, "examples", name)], { cwd: root, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "ignore"] });

/** The (loss, accuracy) of every progress line: "… loss 0.1234 … accuracy 96.3%". */
function progress(out: string) {
  return [...out.matchAll(/loss ([\d.e+-]+)\s+accuracy ([\d.]+)%/g)].map((m) => ({ loss: Number(m[1]), accuracy: Number(m[2]) }));
}

describe("examples", () => {
  it("logistic-regression.mjs: the loss falls from ln 2, the accuracy is reported", () => {
    const out = run("logistic-regression.mjs");
    const p = progress(out);
    expect(p.length).toBe(5);
    expect(p[0].loss).toBe(0.6931); // w = 0, b = 0: σ(0) = ½ for every point
    for (let i = 1; i < p.length; i++) expect(p[i].loss).toBeLessThanOrEqual(p[i - 1].loss);
    expect(p.at(-1)!.loss).toBeLessThan(0.3);
    expect(p.at(-1)!.accuracy).toBeGreaterThanOrEqual(85);
    expect(out).toMatch(/^w = \[[\d.-]+,[\d.-]+\], b = [\d.-]+$/m);
  });

  it("softmax-classifier.mjs: the loss falls from ln 3, the accuracy is reported", () => {
    const out = run("softmax-classifier.mjs");
    const p = progress(out);
    expect(p.length).toBe(5);
    expect(p[0].loss).toBe(1.0986); // W = 0: uniform over 3 classes
    for (let i = 1; i < p.length; i++) expect(p[i].loss).toBeLessThanOrEqual(p[i - 1].loss);
    expect(p.at(-1)!.accuracy).toBeGreaterThanOrEqual(95);
    expect(Number(/final cross-entropy \(no smoothing\) ([\d.]+)/.exec(out)![1])).toBeLessThan(0.25);
  });

  it("tfjs-model.mjs: a tfjs-layers model fitted with losskit's sigmoidFocalLoss", () => {
    const out = run("tfjs-model.mjs");
    const p = progress(out.replace(/focal loss/g, "loss"));
    expect(p.length).toBe(5);
    for (let i = 1; i < p.length; i++) expect(p[i].loss).toBeLessThan(p[i - 1].loss);
    expect(p.at(-1)!.loss).toBeLessThan(p[0].loss / 20);
    expect(p.at(-1)!.accuracy).toBeGreaterThanOrEqual(97);
  });
});
