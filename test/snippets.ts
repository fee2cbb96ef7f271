// Runs documentation snippets as written: TypeScript transpiles them (types stripped, `using`
// lowered for Node 20), the result is written inside the repository (so `import "losskit"`
// resolves to this package by name) and Node runs it. Each `console.log(...)` line ending in
// `// → text` must print that line, in order; a trailing " (remark)" is commentary.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { expect } from "vitest";

export const root = join(__dirname, "..");
export const scratch = join(root, "test/.snippets");

export function runSnippet(code: string, label: string): string {
  mkdirSync(scratch, { recursive: true });
  const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const file = join(scratch, `${label.replace(/[^\w.-]+/g, "_")}.mjs`);
  writeFileSync(file, js);
  const stdout = execFileSync(process.execPath, [file], { cwd: root, encoding: "utf8", timeout: 60_000 });
  const printed = stdout.split("\n");
  let at = 0;
  for (const m of code.matchAll(/console\.log\(.*\/\/ → (.*)$/gm)) {
    const want = m[1].replace(/ \(.*\)$/, "").trim();
    const found = printed.indexOf(want, at);
    expect(found, `${label} should print "${want}"; it printed:\n${stdout}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
  return stdout;
}
