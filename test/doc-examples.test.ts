// Every @example of the per-loss reference (the TSDoc of ts/src/losses/*.ts and the adapters,
// which TypeDoc renders with `npm run docs`) runs as written against the built package, and
// prints what its `// → ` comments say (values checked against PyTorch when written).
// Every loss of the table has a reference entry with a formula, shapes, options, gradients,
// its PyTorch equivalent and an example.
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { losskit } from "./helpers";
import { root, runSnippet, scratch } from "./snippets";

const dir = join(root, "ts/src/losses");
/** Each `export const name = defineLoss(` with the TSDoc comment right before it. */
const docs = new Map<string, string>();
for (const f of readdirSync(dir)) {
  const src = readFileSync(join(dir, f), "utf8");
  for (const m of src.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\nexport const (\w+) = defineLoss\(/g)) {
    docs.set(m[2], m[1].replace(/^\s*\* ?/gm, ""));
  }
}
const exampleOf = (doc: string) => /@example\s*```ts\n([\s\S]*?)```/.exec(doc)?.[1];

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("per-loss reference", () => {
  for (const info of losskit.losses) {
    it(`${info.name}: documented, and its example runs`, () => {
      const doc = docs.get(info.name);
      expect(doc, `${info.name} needs a TSDoc comment`).toBeDefined();
      for (const section of ["**Shapes:**", "**Options:**", "**Gradients:**", "@example"]) expect(doc, `${info.name}: ${section}`).toContain(section);
      if (info.pytorch) expect(doc).toContain(info.pytorch.replace(/^torchvision\.ops\./, ""));
      else expect(doc, `${info.name}: the PyTorch expression`).toMatch(/PyTorch|torch/);
      for (const option of Object.keys(info.options)) expect(doc, `${info.name}: option ${option}`).toContain(`\`${option}\``);
      const example = exampleOf(doc!);
      expect(example, `${info.name}: a \`\`\`ts example`).toBeDefined();
      expect(example).toContain(`import { ${info.name} } from "losskit"`);
      expect(example).toMatch(/\/\/ → /);
      runSnippet(example!, `doc-${info.name}`);
    });
  }
});
