// The loss table (ts/src/spec.ts: one spec per loss) is the one list of losses: every
// exported loss is in it with its defaults and differentiable arguments, and the README and
// docs/API.md document every entry.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { L, losskit } from "./helpers";

const root = join(__dirname, "..");

describe("the loss table", () => {
  const names = losskit.losses.map((l) => l.name);
  it("lists every exported loss function once, and only those", () => {
    const exported = Object.keys(L).filter((k) => typeof L[k] === "function" && typeof L[k].withGrad === "function" && k !== "softmaxCrossEntropy");
    expect([...names].sort()).toEqual(exported.sort());
    expect(new Set(names).size).toBe(names.length);
  });
  it("gives PyTorch's defaults and the differentiable arguments", () => {
    const huber = losskit.losses.find((l) => l.name === "huberLoss")!;
    expect(huber.options).toEqual({ reduction: "mean", delta: 1, weight: undefined });
    expect(huber.differentiable).toEqual(["input", "target"]);
    const focal = losskit.losses.find((l) => l.name === "sigmoidFocalLoss")!;
    expect(focal.options).toEqual({ reduction: "none", alpha: 0.25, gamma: 2 });
    expect(losskit.losses.find((l) => l.name === "gaussianNllLoss")!.args.map((a) => a.name)).toEqual(["input", "target", "var"]);
    expect(losskit.losses.find((l) => l.name === "crossEntropy")!.args[1]).toEqual({ name: "target", kind: "class" });
  });
  it("docs/API.md's Implemented table lists exactly the exported losses", () => {
    const api = readFileSync(join(root, "docs/API.md"), "utf8");
    const section = api.slice(api.indexOf("### Implemented"), api.indexOf("## 2."));
    // The first backticked name of each row (`crossEntropy` (alias `softmaxCrossEntropy`), `marginRankingLoss(input1, …)`).
    const rows = [...section.matchAll(/^\| `(\w+)/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual([...names].sort());
    // All of losskit's 34 loss functions: the 33 of the table and crossEntropy's alias softmaxCrossEntropy.
    expect(names.length).toBe(33);
    const exported = Object.entries(losskit).filter(([, f]) => typeof f === "function" && typeof (f as { withGrad?: unknown }).withGrad === "function");
    expect(exported.map(([n]) => n).sort()).toEqual([...names, "softmaxCrossEntropy"].sort());
    expect((losskit as Record<string, unknown>).softmaxCrossEntropy).toBe(losskit.crossEntropy);
  });
  it("every loss is documented in the README and docs/API.md", () => {
    for (const doc of ["README.md", "docs/API.md"]) {
      const text = readFileSync(join(root, doc), "utf8");
      for (const name of names) expect(text, `${doc} documents ${name}`).toContain(`\`${name}\``);
    }
  });
});
