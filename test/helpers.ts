// Shared by the vitest suites: the built package, PyTorch fixtures, tolerant comparison.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import * as losskit from "../dist/node.mjs";

export { losskit };
export const L = losskit as unknown as Record<string, any>;

const FIXTURES = join(__dirname, "fixtures");

export interface FixtureTensor {
  shape: number[];
  data: (number | string)[];
  dtype?: "int32";
}
export interface FixtureCase {
  loss: string;
  name: string;
  dtype: "float32" | "float64";
  args: Record<string, FixtureTensor | number>;
  options: Record<string, unknown>;
  gradOutput?: FixtureTensor;
  output: FixtureTensor;
  grads?: Record<string, FixtureTensor>;
  note?: string;
  /** "logSoftmax": compare the gradient after the log_softmax backward (see test/parity.test.ts). */
  project?: "logSoftmax";
}

/** Every fixture family present in test/fixtures (regression.json, classification.json, ...). */
export function fixtureFamilies(): { family: string; torch: string; cases: FixtureCase[] }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const json = JSON.parse(readFileSync(join(FIXTURES, f), "utf8"));
      return { family: f.replace(/\.json$/, ""), torch: json.torch, cases: json.cases };
    });
}

export function num(v: number | string): number {
  if (typeof v === "number") return v;
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number.NaN;
}

/** A fixture tensor as losskit input: typed array for 1-D, `{ data, shape }` otherwise. */
export function toInput(t: FixtureTensor, dtype: "float32" | "float64"): unknown {
  const values = t.data.map(num);
  const data = t.dtype === "int32" ? Int32Array.from(values) : dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
  return t.shape.length === 1 ? data : { data, shape: t.shape };
}

/** The fixture's options with tensor-valued options converted. */
export function toOptions(c: FixtureCase): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options ?? {})) {
    out[k] = v !== null && typeof v === "object" && "data" in (v as object) ? toInput(v as FixtureTensor, c.dtype) : v;
  }
  return out;
}

/** The accuracy of docs/API.md: ~1e-5 relative in f32, ~1e-10 in f64. */
export const rtol = (dtype: string) => (dtype === "float32" ? 1e-5 : 1e-10);

/**
 * |got − expected| ≤ rtol·(|expected| + 0.1·max|expected|) element-wise. The second term is a
 * floor for entries far smaller than their tensor, which come from cancellation whose rounding
 * error scales with the magnitudes that cancel (PyTorch's own f32 result can be 4e-5 relative
 * off the exact value there). NaN must meet NaN, infinities must match exactly. Same rule as
 * the Rust tests (crates/losskit-core/tests/common).
 */
export function assertClose(what: string, got: ArrayLike<number>, expected: ArrayLike<number | string>, tol: number): void {
  expect(got.length, `${what}: length`).toBe(expected.length);
  const e = Array.from(expected, num);
  const scale = e.filter(Number.isFinite).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  for (let i = 0; i < e.length; i++) {
    const g = got[i];
    const x = e[i];
    const ok = Number.isNaN(x) ? Number.isNaN(g) : !Number.isFinite(x) ? g === x : Math.abs(g - x) <= tol * (Math.abs(x) + scale * 0.1);
    if (!ok) expect.fail(`${what}[${i}]: got ${g}, expected ${x} (rtol ${tol})`);
  }
}

/** Asserts that `fn` throws a LossError with `code` whose message mentions each of `mentions` (and no wasm trap text). */
export function expectLossError(fn: () => unknown, code: string, ...mentions: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "throws").toBeInstanceOf(losskit.LossError);
  expect(caught).toBeInstanceOf(Error);
  const e = caught as InstanceType<typeof losskit.LossError>;
  expect(e.code, e.message).toBe(code);
  expect(e.name).toBe("LossError");
  for (const m of mentions) expect(e.message).toContain(m);
  expect(e.message).not.toMatch(/unreachable|RuntimeError/);
}

/**
 * g − softmax(lp)·Σ_c g per row of `c`: a gradient w.r.t. log-probabilities taken through the
 * log_softmax backward, for the cases marked `project: "logSoftmax"` (ctcLoss: losskit returns the
 * exact −γ, PyTorch exp(lp) − γ; they agree after this projection, which is what the fixture holds).
 */
export function projectLogSoftmax(lp: number[], g: ArrayLike<number>, c: number): number[] {
  const out = new Array<number>(g.length);
  for (let r = 0; r < g.length; r += c) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, lp[r + j]);
    let z = 0;
    let total = 0;
    for (let j = 0; j < c; j++) {
      z += Math.exp(lp[r + j] - m);
      total += g[r + j];
    }
    for (let j = 0; j < c; j++) out[r + j] = g[r + j] - (Math.exp(lp[r + j] - m) / z) * total;
  }
  return out;
}
