// Every js/ts code block of README.md runs as written against the built package
// (test/snippets.ts: transpiled, run by Node, `// → text` outputs checked). A block that must
// not run (a browser-only one) is marked by the line `<!-- readme: not run (why) -->` right
// before its fence. The README's links must point inside the repository.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { root, runSnippet, scratch } from "./snippets";

const readme = readFileSync(join(root, "README.md"), "utf8");
const RUNNABLE = new Set(["js", "javascript", "mjs", "ts", "typescript"]);

interface Block {
  line: number;
  lang: string;
  code: string;
  skipped: boolean;
}

function blocks(md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    out.push({ line: i + 1, lang: open[1], code: lines.slice(i + 1, end).join("\n"), skipped: /^<!-- readme: not run \(.+\) -->$/.test(lines[i - 1] ?? "") });
    i = end;
  }
  return out;
}

const all = blocks(readme);
const runnable = all.filter((b) => RUNNABLE.has(b.lang));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("README", () => {
  it("has runnable blocks, and marks every one it does not run", () => {
    expect(runnable.filter((b) => !b.skipped).length).toBeGreaterThanOrEqual(5);
    expect(runnable.filter((b) => b.skipped).length).toBeLessThanOrEqual(2); // sparingly
    for (const b of all) expect(b.lang, `README.md:${b.line}: a fence needs a language (js/ts run; sh, text, … do not)`).not.toBe("");
  });

  it("opens with npm install and a runnable snippet", () => {
    expect(all[0].code).toBe("npm install losskit");
    expect(RUNNABLE.has(all[1].lang) && !all[1].skipped).toBe(true);
    expect(all[1].code.split("\n").length).toBeLessThanOrEqual(17);
  });

  for (const b of runnable.filter((x) => !x.skipped)) {
    it(`block at README.md:${b.line} runs as written`, () => {
      runSnippet(b.code, `README.md-${b.line}`);
    });
  }

  it("shows the Performance table made from the committed bench results", async () => {
    const t = await import("../bench/readme-table.mjs"); // (a plain ES module of the bench)
    expect(readme).toBe(t.withTable(readme, t.makeTable(...t.committedResults(root))));
  });

  it("links only to files inside the repository", () => {
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link, "no link may leave the repository").not.toMatch(/^[a-z]+:/i);
      if (!link.startsWith("#")) expect(existsSync(join(root, link.split("#")[0])), `${link} exists`).toBe(true);
    }
  });
});
