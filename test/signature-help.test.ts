// What an editor shows for a loss call (TypeScript's language service on the published
// dist/losskit.d.ts): the parameters by name — the loss's arguments and `options`, never
// `args_2` — and the dtype of the arguments in the result's type.
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const dts = join(__dirname, "../dist/losskit.d.ts");

const file = join(__dirname, "signature-help-probe.ts");
let source = "";
let version = 0;

/** One language service for every probe (loading lib.dom once); `probe` swaps the file's text. */
const ls = ts.createLanguageService({
  getCompilationSettings: () => ({
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: [],
    strict: true,
    paths: { losskit: [dts] },
  }),
  getScriptFileNames: () => [file],
  getScriptVersion: (f) => (f === file ? String(version) : "1"),
  getScriptSnapshot: (f) => {
    const text = f === file ? source : ts.sys.readFile(f);
    return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  },
  getCurrentDirectory: () => __dirname,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: (f) => f === file || ts.sys.fileExists(f),
  readFile: (f) => (f === file ? source : ts.sys.readFile(f)),
});

function service(text: string): { ls: ts.LanguageService; file: string } {
  source = text;
  version++;
  return { ls, file };
}

/** Parameter names of each overload at the end of `call(` in `source`. */
function parameterNames(source: string): string[][] {
  const { ls, file } = service(source);
  const help = ls.getSignatureHelpItems(file, source.length, undefined);
  expect(help).toBeDefined();
  return help!.items.map((item) => item.parameters.map((p) => p.name));
}

describe("signature help", () => {
  it("names a loss's parameters and its options", () => {
    const names = parameterNames('import { mseLoss } from "losskit";\nmseLoss(');
    expect(names.length).toBeGreaterThan(0);
    for (const overload of names) expect(overload).toEqual(["input", "target", "options"]);
  });

  it("names withGrad's parameters and the three tensors of a triplet loss", () => {
    for (const overload of parameterNames('import { crossEntropy } from "losskit";\ncrossEntropy.withGrad(')) {
      expect(overload).toEqual(["input", "target", "options"]);
    }
    for (const overload of parameterNames('import { tripletMarginLoss } from "losskit";\ntripletMarginLoss(')) {
      expect(overload).toEqual(["anchor", "positive", "negative", "options"]);
    }
  });

  it("shows the dtype flowing to the result", () => {
    const source = 'import { mseLoss } from "losskit";\nconst r = mseLoss.withGrad(new Float32Array(2), new Float32Array(2), { wrt: ["input"] });\n';
    const { ls, file } = service(source);
    const info = ls.getQuickInfoAtPosition(file, source.indexOf("r ="));
    const text = ts.displayPartsToString(info?.displayParts);
    expect(text).toContain("Float32Array");
    expect(text).not.toContain("Float64Array");
    expect(text).toMatch(/grads: Grads<"input"/);
  });
});
