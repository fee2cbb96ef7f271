// The bad-input matrix, driven by the loss table (`losses`): for every loss, and for
// tensor()/tensorFrom(), each argument's container kind, dtype, shape and rank, sizes over
// wasm32's limits, class indices out of range (≥ 2^31, non-integers), every option's wrong
// types and ranges, detached and disposed inputs, aliasing between inputs and outputs, and
// typed arrays from another realm. After each case: a LossError with the documented code (or
// the right value), the module still works, and wasm memory (allocated bytes and the size of
// linear memory) is as before. A new loss is covered by adding its spec to the table; only
// option domains (below) are listed here.
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { losskit } from "./helpers";

const { losses, LossError, memoryStats, tensor, tensorFrom, mseLoss } = losskit;
type Info = (typeof losses)[number];
type Fn = ((...a: unknown[]) => unknown) & { withGrad: (...a: unknown[]) => { loss: unknown; grads: Record<string, { data: ArrayLike<number> }> } };
const L = losskit as unknown as Record<string, Fn>;

/** Option values out of each loss's domain (the core checks them; the table lists kinds and defaults, not domains). */
const OUT_OF_RANGE: Record<string, Record<string, unknown[]>> = {
  smoothL1Loss: { beta: [-1, -Infinity] },
  huberLoss: { delta: [0, -0, -1] },
  crossEntropy: { labelSmoothing: [-0.1, 1.5, Infinity] },
  focalLoss: { gamma: [-1, Infinity, -Infinity] },
  ganDiscriminatorLoss: { mode: ["gan", "Hinge", "toString", "", "__proto__"] },
  ganGeneratorLoss: { mode: ["gan", "Hinge", "toString", "", "__proto__"] },
  ctcLoss: { blank: [-1, 3] },
};
/** Data values outside a loss's domain where PyTorch raises. */
const OUT_OF_DOMAIN: Record<string, { arg: string; value: number; code: string }[]> = {
  binaryCrossEntropy: [
    { arg: "input", value: 1.5, code: "INVALID_INPUT" },
    { arg: "input", value: NaN, code: "INVALID_INPUT" },
    { arg: "target", value: 2, code: "INVALID_TARGET" },
    { arg: "target", value: -0.1, code: "INVALID_TARGET" },
    { arg: "target", value: NaN, code: "INVALID_TARGET" },
  ],
  gaussianNllLoss: [{ arg: "var", value: -1, code: "INVALID_INPUT" }],
  // Box 0's y1 above its y2 (x2 < x1 likewise: crates/losskit-core/tests/parity_detection.rs).
  ...Object.fromEntries(
    ["boxIouLoss", "generalizedBoxIouLoss", "distanceBoxIouLoss", "completeBoxIouLoss"].map((n) => [
      n,
      [{ arg: "boxes1", value: 5, code: "INVALID_INPUT" }, { arg: "boxes2", value: 5, code: "INVALID_INPUT" }],
    ]),
  ),
};

// ------------------------------------------------------------------ the harness

const realm = vm.createContext({});
const foreign = (src: string) => vm.runInContext(src, realm);
const probe = () => mseLoss(Float64Array.of(1, 2), Float64Array.of(0, 0));

/** What a case expects: a LossError code, or a value check on the result. */
type Expect = { code: string } | { ok: (r: unknown) => void };

/**
 * Runs `call` on what `make` prepared (wasm tensors made there are not counted), and asserts
 * the outcome, that the module still works, and that wasm memory is unchanged; then cleans up.
 */
function check(label: string, make: () => { args: unknown[]; cleanup?: () => void }, call: (args: unknown[]) => unknown, want: Expect) {
  const prepared = make();
  try {
    checkOutcome(label, prepared.args, call, want);
  } finally {
    prepared.cleanup?.();
  }
}

let cases = 0;
afterAll(() => {
  console.log(`bad-input matrix: ${cases} cases over ${losses.length} losses and tensor()/tensorFrom()`);
  expect(cases).toBeGreaterThan(3000);
});

function checkOutcome(label: string, args: unknown[], call: (args: unknown[]) => unknown, want: Expect) {
  cases++;
  const before = memoryStats();
  let result: unknown;
  let error: unknown;
  try {
    result = call(args);
  } catch (e) {
    error = e;
  }
  const after = memoryStats();
  if ("code" in want) {
    if (!(error instanceof LossError)) {
      expect.fail(`${label}: expected LossError ${want.code} but ${error === undefined ? "it returned a value" : `threw ${String(error)}`}`);
    }
    expect((error as InstanceType<typeof LossError>).code, `${label}: ${(error as Error).message}`).toBe(want.code);
    expect((error as Error).message, label).not.toMatch(/unreachable|RuntimeError|undefined is not|Cannot read/);
  } else {
    if (error !== undefined) expect.fail(`${label}: expected a value but threw ${String(error)}`);
    want.ok(result);
  }
  expect(after.allocatedBytes, `${label}: allocated bytes`).toBe(before.allocatedBytes);
  expect(after.memoryBytes, `${label}: memory size`).toBe(before.memoryBytes);
  expect(probe(), `${label}: the module still works`).toBe(2.5);
}

/** Approximately equal numbers, tensors or withGrad results (NaN equals NaN). */
function same(a: unknown, b: unknown, label: string) {
  const flat = (v: unknown): number[] => {
    if (typeof v === "number") return [v];
    const o = v as { data?: ArrayLike<number>; loss?: unknown; grads?: Record<string, unknown> };
    if (o.grads) return [...flat(o.loss), ...Object.keys(o.grads).sort().flatMap((k) => flat(o.grads![k]))];
    return Array.from(o.data!);
  };
  const x = flat(a);
  const y = flat(b);
  expect(x.length, `${label}: length`).toBe(y.length);
  x.forEach((v, i) => {
    if (Number.isNaN(y[i])) expect(v, `${label}[${i}]`).toBeNaN();
    else expect(Math.abs(v - y[i]), `${label}[${i}]: ${v} vs ${y[i]}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(y[i])));
  });
}

// ------------------------------------------------------------------ valid arguments from the table

const overClasses = (info: Info) => info.args.some((a) => a.kind === "index" || a.kind === "class" || a.kind === "multilabel");
const INPUT = [0.2, 0.4, 0.6, 0.8, 0.3, 0.7];
const TARGET = [0.1, 0.9, 0.5, 0.5, 0, 1];
const VAR = [0.5, 1, 1.5, 2, 0.25, 0.75];

/** The values and shape of argument `i` in the valid base call (class losses: input (2, 3), targets (2)). */
function baseValues(info: Info, i: number): { values: number[]; shape: number[]; index: boolean } {
  const a = info.args[i];
  if (info.family === "sequence") {
    // ctcLoss: logProbs (T = 2, N = 1, C = 3), concatenated targets [1, 2], lengths [2].
    if (i === 0) return { values: INPUT, shape: [2, 1, 3], index: false };
    return a.kind === "index" ? { values: [1, 2], shape: [2], index: true } : { values: [2], shape: [1], index: true };
  }
  // Dice: input and float target (N, C, D) = (1, 2, 3).
  if (info.family === "segmentation") return { values: i === 0 ? INPUT : TARGET, shape: [1, 2, 3], index: false };
  if (overClasses(info)) {
    if (i === 0) return { values: INPUT, shape: [2, 3], index: false };
    // Label lists of a multi-label target: each row's labels, ended by −1.
    if (a.kind === "multilabel") return { values: [2, 0, -1, 1, -1, 0], shape: [2, 3], index: true };
    return { values: [0, 2], shape: [2], index: true };
  }
  // xyxy boxes: two valid boxes per set, (2, 4).
  if (a.kind === "boxes") return { values: i === 0 ? [0, 0, 2, 2, 1, 1, 3, 4] : [1, 0, 2, 3, 0, 1, 2, 2], shape: [2, 4], index: false };
  if (i === 0) return { values: INPUT, shape: [6], index: false };
  // ±1 labels: one per element (sign), or one for the single row of a (D) input (rowSign).
  if (a.kind === "sign") return { values: [1, -1, 1, 1, -1, -1], shape: [6], index: false };
  if (a.kind === "rowSign") return { values: [1], shape: [], index: false };
  return { values: a.name === "var" ? VAR : a.kind === "float" && i > 0 && info.family === "embedding" ? TARGET.map((v) => v + 0.3) : TARGET, shape: [6], index: false };
}

const F = { f32: Float32Array, f64: Float64Array } as const;
type Dt = keyof typeof F;

/** Argument `i` as a fresh `{ data, shape }` (typed arrays of dtype `dt`; Int32Array for indices). */
function baseArg(info: Info, i: number, dt: Dt, values?: number[]) {
  const b = baseValues(info, i);
  const data = b.index ? Int32Array.from(values ?? b.values) : F[dt].from(values ?? b.values);
  return { data, shape: b.shape };
}
const baseArgs = (info: Info, dt: Dt) => info.args.map((_, i) => baseArg(info, i, dt));

/** The tensor options' valid values: per-class (C = 3) for class losses, else the input's shape. */
function baseOption(info: Info, dt: Dt) {
  return overClasses(info) ? F[dt].from([0.5, 1, 2]) : F[dt].from(VAR);
}

const fnOf = (info: Info) => L[info.name];
/** The differentiable arguments holding float data in the base call (class targets there are indices). */
const floatDiff = (info: Info) => info.differentiable.filter((d) => !baseValues(info, info.args.findIndex((a) => a.name === d)).index);
const defaults = (info: Info) => (info.reductions.includes("none") && info.options.reduction === "none" ? { reduction: "sum" } : {});
/** A withGrad call that differentiates every float argument, reduced. */
const grad = (info: Info, args: unknown[], extra: Record<string, unknown> = {}) => fnOf(info).withGrad(...args, { ...defaults(info), ...extra });
const plain = (info: Info, args: unknown[], extra: Record<string, unknown> = {}) => fnOf(info)(...args, { ...defaults(info), ...extra });

/** Wasm tensors made for a case, disposed after it. */
function wasmTensors() {
  const made: { dispose(): void }[] = [];
  return {
    from(data: Float32Array | Float64Array | Int32Array, shape: number[]) {
      const t = tensorFrom(data, shape);
      made.push(t);
      return t;
    },
    cleanup: () => made.forEach((t) => t.dispose()),
  };
}

// ------------------------------------------------------------------ shared odd objects

const detachedF64 = (() => {
  const a = new Float64Array(6);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
})();
/** A view of a live tensor's memory taken before memory grew: detached, so stale. */
const stale = (() => {
  const t = tensorFrom(Float64Array.from(INPUT), [6]);
  const view = t.data;
  const big = tensor([16 * 1024 * 1024], "f32"); // 64 MiB: grows memory, and leaves room for every later case
  big.dispose();
  return { tensor: t, view };
})();
const revoked = (() => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
})();
const throwingGetter = { get data(): never { throw new Error("boom"); }, shape: [6] };
const throwingTrap = new Proxy([1, 2, 3], { get() { throw new Error("trap"); } });
// 2 GiB + 8 bytes of f32 (lazily zero pages: nothing is touched before the size check).
const over2GiB = new Float32Array(2 ** 29 + 2);
// Just under 2 GiB of f64 each: two of them, with their gradients, are more than 4 GiB.
const near2GiB = new Float64Array(2 ** 28 - 16);

/** Not a float tensor container at all: INVALID_ARGUMENT for every kind of argument. */
const NOT_CONTAINERS: [string, () => unknown][] = [
  ["undefined", () => undefined],
  ["null", () => null],
  ["a string", () => "abc"],
  ["a boolean", () => true],
  ["a BigInt", () => 1n],
  ["a symbol", () => Symbol("x")],
  ["a function", () => () => 1],
  ["an empty object", () => ({})],
  ["a Map", () => new Map()],
  ["a DataView", () => new DataView(new ArrayBuffer(8))],
  ["an ArrayBuffer", () => new ArrayBuffer(24)],
  ["strings", () => ["a", "b"]],
  ["BigInts", () => [1n, 2n]],
  ["a sparse array", () => [0, , 1]], // eslint-disable-line no-sparse-arrays
  ["a Proxy of a Float64Array", () => new Proxy(new Float64Array(6), {})],
  ["a Proxy whose get trap throws", () => throwingTrap],
  ["a revoked Proxy", () => revoked],
  ["{ data, shape } whose data getter throws", () => throwingGetter],
  ["{ data: 'abc', shape }", () => ({ data: "abc", shape: [3] })],
];

// ------------------------------------------------------------------ the losses

for (const info of losses) {
  const fn = fnOf(info);
  const floatArgs = info.args.map((a, i) => ({ ...a, i })).filter((a) => a.kind !== "index" && a.kind !== "multilabel" && a.kind !== "lengths");
  describe(`${info.name}: bad input`, () => {
    for (const dt of ["f32", "f64"] as const) {
      const expected = plain(info, baseArgs(info, dt));
      const expectedGrad = grad(info, baseArgs(info, dt));
      const withArg = (i: number, v: unknown) => {
        const args: unknown[] = baseArgs(info, dt);
        args[i] = v;
        return args;
      };

      it(`${dt}: every container kind of every argument gives the same value`, () => {
        info.args.forEach((a, i) => {
          const b = baseValues(info, i);
          const Arr = b.index ? Int32Array : F[dt];
          const variants: [string, (w: ReturnType<typeof wasmTensors>) => unknown][] = [
            ["{ data: typed array, shape }", () => ({ data: Arr.from(b.values), shape: b.shape })],
            ["{ data: number[], shape }", () => ({ data: [...b.values], shape: b.shape })],
            ["a wasm tensor", (w) => w.from(Arr.from(b.values), b.shape)],
            ["{ data: wasm view, shape }", (w) => ({ data: w.from(Arr.from(b.values), b.shape).data, shape: b.shape })],
            ["{ data: other-realm typed array, shape }", () => ({ data: foreign(`${Arr.name}.from(${JSON.stringify(b.values)})`), shape: b.shape })],
          ];
          if (b.shape.length === 1) {
            variants.push(["a typed array", () => Arr.from(b.values)]);
            variants.push(["a number[]", () => [...b.values]]);
            variants.push(["a wasm view", (w) => w.from(Arr.from(b.values), b.shape).data]);
            variants.push(["an other-realm typed array", () => foreign(`${Arr.name}.from(${JSON.stringify(b.values)})`)]);
            variants.push(["a subclass whose length lies", () => new (class extends Arr { get length() { return 1e9; } })(b.values)]);
          }
          if (a.kind === "floatOrNumber") variants.push(["a number", () => 0.5]);
          for (const [label, make] of variants) {
            const w = wasmTensors();
            check(`${a.name} as ${label}`, () => ({ args: withArg(i, make(w)), cleanup: w.cleanup }), (args) => plain(info, args), {
              ok: (r) => (a.kind === "floatOrNumber" && label === "a number" ? expect(r).toBeTypeOf("number") : same(r, expected, `${a.name} as ${label}`)),
            });
          }
        });
      });

      it(`${dt}: containers that are not tensors, dtypes, shapes and ranks`, () => {
        info.args.forEach((a, i) => {
          for (const [label, make] of NOT_CONTAINERS) {
            const want = a.kind === "floatOrNumber" && label === "a number" ? undefined : "INVALID_ARGUMENT";
            if (want) check(`${a.name} as ${label}`, () => ({ args: withArg(i, make()) }), (args) => plain(info, args), { code: want });
          }
          const b = baseValues(info, i);
          const wrongDtypes: [string, unknown, string][] = [
            ["Uint8Array", Uint8Array.from(b.values), "DTYPE_MISMATCH"],
            ["BigInt64Array", new BigInt64Array(b.values.length), "DTYPE_MISMATCH"],
            ["Uint32Array in { data, shape }", { data: Uint32Array.from(b.values), shape: b.shape }, "DTYPE_MISMATCH"],
            ["an other-realm Uint8Array", foreign(`new Uint8Array(${b.values.length})`), "DTYPE_MISMATCH"],
          ];
          if (a.kind === "index" || a.kind === "multilabel" || a.kind === "lengths") {
            wrongDtypes.push(["float data", { data: F[dt].from(b.values), shape: b.shape }, "DTYPE_MISMATCH"]);
          } else if (a.kind !== "class" && !b.index && info.args.filter((_, j) => !baseValues(info, j).index).length >= 2) {
            wrongDtypes.push(["Int32Array", { data: Int32Array.from(b.values), shape: b.shape }, "DTYPE_MISMATCH"]);
            wrongDtypes.push(["the other float dtype", { data: F[dt === "f32" ? "f64" : "f32"].from(b.values), shape: b.shape }, "DTYPE_MISMATCH"]);
          }
          for (const [label, v, code] of wrongDtypes) {
            check(`${a.name} as ${label}`, () => ({ args: withArg(i, v) }), (args) => plain(info, args), { code });
          }
          const Arr = b.index ? Int32Array : F[dt];
          const shapes: [string, unknown, string][] = [
            ["data shorter than its shape", { data: Arr.from(b.values.slice(1)), shape: b.shape }, "SHAPE_MISMATCH"],
            ["a negative dim", { data: Arr.from(b.values), shape: [-1] }, "INVALID_ARGUMENT"],
            ["a fractional dim", { data: Arr.from(b.values), shape: [1.5] }, "INVALID_ARGUMENT"],
            ["a NaN dim", { data: Arr.from(b.values), shape: [NaN] }, "INVALID_ARGUMENT"],
            ["a string dim", { data: Arr.from(b.values), shape: ["6"] }, "INVALID_ARGUMENT"],
            ["a BigInt dim", { data: Arr.from(b.values), shape: [6n] }, "INVALID_ARGUMENT"],
            ["a shape that is a string", { data: Arr.from(b.values), shape: "6" }, "INVALID_ARGUMENT"],
            ["a dim of 2^32", { data: new Arr(0), shape: [0, 2 ** 32] }, "OUT_OF_MEMORY"],
            ["dims whose product wraps at 2^32", { data: Arr.from(b.values), shape: [2 ** 16, 2 ** 16, 0] }, "SHAPE_MISMATCH"],
          ];
          if (i === 0 && overClasses(info)) {
            shapes.push(["a 0-d input", { data: Arr.of(1), shape: [] }, "SHAPE_MISMATCH"]);
            shapes.push(["an input of one more dim", { data: Arr.from(b.values), shape: [2, 3, 1] }, "SHAPE_MISMATCH"]);
          } else if (i > 0) {
            shapes.push(["another shape", { data: Arr.from(b.values.slice(0, 5)), shape: [5] }, "SHAPE_MISMATCH"]);
            shapes.push(["another rank", { data: Arr.from([...b.values, ...b.values]), shape: [2, ...b.shape] }, "SHAPE_MISMATCH"]);
          } else {
            shapes.push(["another rank than the target", { data: Arr.from(b.values), shape: [2, 3] }, "SHAPE_MISMATCH"]);
          }
          // The GAN losses take logits of any shape (reduced, real and fake may differ): a valid call.
          const anyShape = info.family === "adversarial";
          for (const [label, v, code] of shapes) {
            const want: Expect = anyShape && label.startsWith("another") ? { ok: (r) => expect(r).toBeTypeOf("number") } : { code };
            check(`${a.name} with ${label}`, () => ({ args: withArg(i, v) }), (args) => plain(info, args), want);
          }
        });
      });

      it(`${dt}: class indices out of range, non-integers and ≥ 2^31`, () => {
        info.args.forEach((a, i) => {
          if (a.kind !== "index" && a.kind !== "class") return;
          const bad: [string, unknown][] = [
            ["2^31", [2 ** 31, 0]],
            ["2^32 (wraps to 0 in i32)", [2 ** 32, 0]],
            ["2^32 − 100 (wraps to −100, the ignore index)", [2 ** 32 - 100, 0]],
            ["1e300", [1e300, 0]],
            ["−2^31 − 1", [-(2 ** 31) - 1, 0]],
            ["0.5", [0.5, 0]],
            ["NaN", [NaN, 0]],
            ["Infinity", [Infinity, 0]],
            ["C (one past the last class)", [3, 0]],
            ["2^31 − 1", [2 ** 31 - 1, 0]],
            ["−1", [-1, 0]],
            ["C as an Int32Array", Int32Array.of(3, 0)],
            ["−5 as an i32 wasm tensor", "wasm"],
            ["1e300 in { data, shape }", { data: [1e300, 0], shape: [2] }],
          ];
          for (const [label, v] of bad) {
            const w = wasmTensors();
            check(`${a.name} = ${label}`, () => ({ args: withArg(i, v === "wasm" ? w.from(Int32Array.of(-5, 0), [2]) : v), cleanup: w.cleanup }), (args) => plain(info, args), {
              code: "INVALID_TARGET",
            });
          }
          check(`${a.name} with −100 (the default ignoreIndex, where the loss has one)`, () => ({ args: withArg(i, Int32Array.of(-100, 2)) }), (args) => plain(info, args),
            "ignoreIndex" in info.optionKinds ? { ok: (r) => expect(r).toBeTypeOf("number") } : { code: "INVALID_TARGET" });
        });
        for (const d of OUT_OF_DOMAIN[info.name] ?? []) {
          const i = info.args.findIndex((a) => a.name === d.arg);
          const values = [...baseValues(info, i).values];
          values[1] = d.value;
          check(`${d.arg}[1] = ${d.value}`, () => ({ args: withArg(i, baseArg(info, i, dt, values)) }), (args) => plain(info, args), { code: d.code });
        }
      });

      it(`${dt}: every option's wrong types and ranges`, () => {
        const args = () => ({ args: baseArgs(info, dt) });
        for (const [key, kind] of Object.entries(info.optionKinds)) {
          const wrong: unknown[] = [null, 1n, Symbol("s"), {}, () => 1, new Proxy({}, {})];
          if (kind !== "tensor") wrong.push([]);
          if (kind === "reduction") wrong.push("avg", "", "MEAN", "toString", "__proto__", "constructor", "hasOwnProperty", 1, true, NaN, ["sum"]);
          if (kind === "reduction" && !info.reductions.includes("batchmean")) wrong.push("batchmean");
          if (kind === "number") wrong.push("1", true, NaN, [1]);
          if (kind === "integer") wrong.push(1.5, 2 ** 53, -(2 ** 60), 1e300, Infinity, -Infinity, NaN, "1", true);
          if (kind === "bool") wrong.push(1, 0, "true", "false");
          for (const v of [...wrong, ...(OUT_OF_RANGE[info.name]?.[key] ?? [])]) {
            const code = kind === "tensor" ? (v === null ? undefined : "INVALID_ARGUMENT") : "INVALID_OPTION";
            if (code) check(`${key}: ${String(typeof v === "symbol" ? "symbol" : typeof v === "bigint" ? `${v}n` : JSON.stringify(v) ?? typeof v)}`, args, (a) => plain(info, a, { [key]: v }), { code });
          }
          if (kind === "tensor") {
            const base = baseOption(info, dt);
            check(`${key}: null is absent (PyTorch's None)`, args, (a) => plain(info, a, { [key]: null }), { ok: (r) => same(r, expected, `${key}: null`) });
            check(`${key}: Int32Array`, args, (a) => plain(info, a, { [key]: Int32Array.from(base) }), { code: "DTYPE_MISMATCH" });
            check(`${key}: the other float dtype`, args, (a) => plain(info, a, { [key]: F[dt === "f32" ? "f64" : "f32"].from(base) }), { code: "DTYPE_MISMATCH" });
            check(`${key}: 5 elements`, args, (a) => plain(info, a, { [key]: new (F[dt])(5).fill(1) }), { code: "SHAPE_MISMATCH" });
            check(`${key}: shape [2, 6] (more dims than the input)`, args, (a) => plain(info, a, { [key]: { data: new (F[dt])(12), shape: [2, 6] } }), { code: "SHAPE_MISMATCH" });
            check(`${key}: a detached array`, args, (a) => plain(info, a, { [key]: dt === "f64" ? detachedF64 : (() => { const x = new Float32Array(3); structuredClone(x.buffer, { transfer: [x.buffer] }); return x; })() }), { code: "DISPOSED" });
            const w = wasmTensors();
            check(`${key}: a disposed tensor`, () => { const t = tensorFrom(F[dt].from(base)); t.dispose(); return { args: [...baseArgs(info, dt), t] }; }, (a) => plain(info, a.slice(0, -1), { [key]: a.at(-1) }), { code: "DISPOSED" });
            check(`${key}: a wasm tensor`, () => ({ args: [...baseArgs(info, dt), w.from(F[dt].from(base), [base.length])], cleanup: w.cleanup }), (a) => plain(info, a.slice(0, -1), { [key]: a.at(-1) }), {
              ok: (r) => same(r, plain(info, baseArgs(info, dt), { [key]: F[dt].from(base) }), `${key} as a wasm tensor`),
            });
          }
        }
        check("an unknown option", args, (a) => plain(info, a, { reduce: "sum" }), { code: "INVALID_OPTION" });
        check("an inherited key is not an option", args, (a) => fn(...a, Object.create({ reduction: "sum", weight: 1n })), { ok: (r) => same(r, fn(...baseArgs(info, dt)), "inherited") });
        for (const [label, v] of [["a string", "sum"], ["an array", []], ["a typed array", new Float32Array(1)], ["null", null], ["a number", 5], ["a Proxy whose ownKeys throws", new Proxy({}, { ownKeys() { throw new Error("keys"); } })], ["an object whose getter throws", { get reduction() { throw new Error("get"); } }]] as [string, unknown][]) {
          check(`options as ${label}`, args, (a) => fn(...a, v), { code: "INVALID_OPTION" });
        }
        check("an extra positional argument", args, (a) => fn(...a, {}, {}), { code: "INVALID_ARGUMENT" });
        check("options one place too late", args, (a) => fn(...a, undefined, { reduction: "sum" }), { code: "INVALID_ARGUMENT" });
        check("a missing argument", args, (a) => fn(...a.slice(0, -1)), { code: "INVALID_ARGUMENT" });
        if (overClasses(info) && info.optionKinds.ignoreIndex && info.args.some((a) => a.kind === "class")) {
          check("ignoreIndex ≥ 0 with probability targets", () => ({ args: [baseArg(info, 0, dt), { data: F[dt].from(Array(6).fill(1 / 3)), shape: [2, 3] }] }), (a) => plain(info, a, { ignoreIndex: 0 }), { code: "INVALID_OPTION" });
        }
      });

      it(`${dt}: withGrad options`, () => {
        const args = () => ({ args: baseArgs(info, dt) });
        const diff = floatDiff(info);
        for (const k of ["gradOutput", "wrt", "into"]) check(`${k} on the plain function`, args, (a) => fn(...a, { [k]: [] }), { code: "INVALID_OPTION" });
        for (const v of ["input", ["nope"], [1n], null, 5, new Proxy([], { get() { throw new Error("x"); } })]) {
          check(`wrt: ${typeof v === "object" ? describeValue(v) : String(v)}`, args, (a) => grad(info, a, { wrt: v }), { code: "INVALID_OPTION" });
        }
        for (const v of [5, "input", null, [], new Float32Array(6)]) check(`into: ${describeValue(v)}`, args, (a) => grad(info, a, { into: v }), { code: "INVALID_OPTION" });
        check("into: an unknown key", args, (a) => grad(info, a, { into: { nope: new (F[dt])(6) } }), { code: "INVALID_OPTION" });
        for (const d of diff) {
          const len = baseValues(info, info.args.findIndex((a) => a.name === d)).values.length;
          const dests: [string, () => unknown, string][] = [
            ["a string", () => "abc", "INVALID_ARGUMENT"],
            ["a number[]", () => Array(len).fill(0), "INVALID_ARGUMENT"],
            ["{ data, shape }", () => ({ data: new (F[dt])(len), shape: [len] }), "INVALID_ARGUMENT"],
            ["an Int32Array", () => new Int32Array(len), "DTYPE_MISMATCH"],
            ["the other float dtype", () => new (F[dt === "f32" ? "f64" : "f32"])(len), "DTYPE_MISMATCH"],
            ["too short", () => new (F[dt])(len - 1), "SHAPE_MISMATCH"],
            ["a detached array", () => { const x = new (F[dt])(len); structuredClone(x.buffer, { transfer: [x.buffer] }); return x; }, "DISPOSED"],
            ["a Proxy of a typed array", () => new Proxy(new (F[dt])(len), {}), "INVALID_ARGUMENT"],
          ];
          for (const [label, make, code] of dests) check(`into.${d} as ${label}`, args, (a) => grad(info, a, { into: { [d]: make() } }), { code });
          check(`into.${d} as a disposed tensor`, () => { const t = tensor([len], dt); t.dispose(); return { args: [...baseArgs(info, dt), t] }; }, (a) => grad(info, a.slice(0, -1), { into: { [d]: a.at(-1) } }), { code: "DISPOSED" });
          check(`into.${d} as a typed array`, args, (a) => grad(info, a, { into: { [d]: new (F[dt])(len) } }), { ok: (r) => same(r, expectedGrad, `into.${d}`) });
          check(`wrt: [${d}]`, args, (a) => grad(info, a, { wrt: [d] }), { ok: (r) => expect(Object.keys((r as { grads: object }).grads)).toEqual([d]) });
        }
        if (info.reductions.includes("none")) {
          check("gradOutput without reduction 'none'", args, (a) => fn.withGrad(...a, { reduction: "sum", gradOutput: [1] }), { code: "INVALID_OPTION" });
          check("gradOutput of the wrong shape", args, (a) => fn.withGrad(...a, { reduction: "none", gradOutput: new (F[dt])(7) }), { code: "SHAPE_MISMATCH" });
          check("gradOutput of the other dtype", args, (a) => fn.withGrad(...a, { reduction: "none", gradOutput: new (F[dt === "f32" ? "f64" : "f32"])(overClasses(info) ? 2 : 6) }), { code: "DTYPE_MISMATCH" });
          check("gradOutput: null", args, (a) => fn.withGrad(...a, { reduction: "none", gradOutput: null }), { code: "INVALID_ARGUMENT" });
          check("gradOutput: a stale view", args, (a) => fn.withGrad(...a, { reduction: "none", gradOutput: stale.view }), { code: "DISPOSED" });
        }
      });

      it(`${dt}: detached and disposed inputs`, () => {
        info.args.forEach((a, i) => {
          if (a.kind === "index" || a.kind === "multilabel" || a.kind === "lengths" || (a.kind === "class" && i > 0)) {
            check(`${a.name}: a disposed i32 tensor`, () => { const t = tensorFrom(Int32Array.of(0, 2)); t.dispose(); return { args: withArg(i, t) }; }, (args) => plain(info, args), { code: "DISPOSED" });
            return;
          }
          const b = baseValues(info, i);
          check(`${a.name}: a disposed tensor`, () => { const t = tensorFrom(F[dt].from(b.values), b.shape); t.dispose(); return { args: withArg(i, t) }; }, (args) => plain(info, args), { code: "DISPOSED" });
          check(`${a.name}: a view of a disposed tensor`, () => { const t = tensorFrom(F[dt].from(b.values), b.shape); const v = t.data; t.dispose(); return { args: withArg(i, { data: v, shape: b.shape }) }; }, (args) => plain(info, args), { code: "DISPOSED" });
          if (dt === "f64") {
            check(`${a.name}: a view detached when memory grew`, () => ({ args: withArg(i, { data: stale.view, shape: b.shape }) }), (args) => plain(info, args), { code: "DISPOSED" });
            check(`${a.name}: a transferred (detached) array`, () => ({ args: withArg(i, { data: detachedF64, shape: b.shape }) }), (args) => plain(info, args), { code: "DISPOSED" });
          }
        });
        // A view of a live tensor passed while the call's own staging grows memory: resolved
        // to its tensor before anything is staged, so it is never read through a detached view.
        const w = wasmTensors();
        check("a view of a live wasm tensor as input", () => {
          const b = baseValues(info, 0);
          const t = w.from(F[dt].from(b.values), b.shape);
          return { args: [{ data: t.data, shape: b.shape }, ...baseArgs(info, dt).slice(1)], cleanup: w.cleanup };
        }, (args) => plain(info, args), { ok: (r) => same(r, expected, "view") });
      });

      it(`${dt}: sizes over wasm32's limits`, () => {
        info.args.forEach((a, i) => {
          if (a.kind === "index" || a.kind === "multilabel" || a.kind === "lengths" || (a.kind === "class" && i > 0)) return;
          if (dt === "f32") {
            check(`${a.name}: 2^29 + 2 f32 elements (2 GiB + 8 bytes)`, () => ({ args: withArg(i, over2GiB) }), (args) => plain(info, args), { code: "OUT_OF_MEMORY" });
          }
        });
        if (dt === "f64" && floatArgs.length >= 2) {
          // Each buffer is under 2 GiB, but the call needs more than 4 GiB in all.
          check("two f64 inputs of almost 2 GiB and their gradients", () => ({ args: info.args.map((a, i) => (a.kind === "floatOrNumber" ? 0.5 : i === 0 || a.kind === "float" || a.kind === "sign" || a.kind === "class" || a.kind === "boxes" || a.kind === "onehot" ? near2GiB : baseArg(info, i, dt))) }), (args) => grad(info, args), { code: "OUT_OF_MEMORY" });
        }
      });

      it(`${dt}: aliasing between inputs and outputs`, () => {
        const diff = floatDiff(info);
        // (Dice writes its softmax into the input's gradient before it reads the target: not element-wise.)
        const elementwise = !overClasses(info) && info.output !== "channels";
        for (const d of diff) {
          const at = info.args.findIndex((a) => a.name === d);
          const b = baseValues(info, at);
          // Wasm tensors: the gradient written over its own input, exactly.
          const w = wasmTensors();
          let x: ReturnType<typeof w.from> | undefined;
          check(`into.${d} is ${d} itself (wasm tensor)`, () => {
            x = w.from(F[dt].from(b.values), b.shape);
            const args: unknown[] = baseArgs(info, dt);
            args[at] = x;
            return { args, cleanup: w.cleanup };
          }, (args) => grad(info, args, { into: { [d]: x } }), elementwise ? { ok: (r) => expect(Array.from((r as { grads: Record<string, { data: ArrayLike<number> }> }).grads[d].data)).toEqual(Array.from(expectedGrad.grads[d].data)) } : { code: "INVALID_ARGUMENT" });
          // Typed arrays: the same, and a partial overlap.
          check(`into.${d} is ${d}'s typed array`, () => {
            const args: unknown[] = baseArgs(info, dt);
            return { args };
          }, (args) => grad(info, args, { into: { [d]: (args[at] as { data: unknown }).data } }), elementwise ? { ok: (r) => same(r, expectedGrad, `in place ${d}`) } : { code: "INVALID_ARGUMENT" });
          check(`into.${d} overlaps ${d} in part`, () => {
            const store = new (F[dt])(b.values.length + 1);
            store.set(b.values);
            const args: unknown[] = baseArgs(info, dt);
            args[at] = { data: store.subarray(0, b.values.length), shape: b.shape };
            return { args: [...args, store.subarray(1)] };
          }, (args) => grad(info, args.slice(0, -1), { into: { [d]: args.at(-1) } }), { code: "INVALID_ARGUMENT" });
          const w2 = wasmTensors();
          check(`into.${d} overlaps ${d} in part (wasm)`, () => {
            const t = w2.from(F[dt].from([...b.values, 0]), [b.values.length + 1]);
            const args: unknown[] = baseArgs(info, dt);
            args[at] = { data: t.data.subarray(0, b.values.length), shape: b.shape };
            return { args: [...args, t.data.subarray(1)], cleanup: w2.cleanup };
          }, (args) => grad(info, args.slice(0, -1), { into: { [d]: args.at(-1) } }), { code: "INVALID_ARGUMENT" });
          // A gradient written over another input (the target, the weight): only element-wise losses, exactly.
          for (const [j, other] of info.args.entries()) {
            if (j === at || other.kind === "floatOrNumber" || baseValues(info, j).values.length !== b.values.length || baseValues(info, j).index) continue;
            check(`into.${d} is ${other.name}'s array`, () => ({ args: baseArgs(info, dt) }), (args) => grad(info, args, { into: { [d]: (args[j] as { data: unknown }).data } }), elementwise ? { ok: (r) => expect(r).toBeTypeOf("object") } : { code: "INVALID_ARGUMENT" });
          }
          // (An unreduced loss of the input's shape: the element-wise ones.)
          if (info.reductions.includes("none") && d === "input" && info.output !== "rows") {
            const g = overClasses(info) ? 2 : 6;
            check(`gradOutput is into.${d}`, () => ({ args: baseArgs(info, dt) }), (args) => {
              const shared = F[dt].from(Array(g === 6 ? 6 : b.values.length).fill(1));
              return fn.withGrad(...args, { reduction: "none", gradOutput: g === 6 ? shared : shared.subarray(0, 2), into: { [d]: shared } });
            }, elementwise ? { ok: (r) => expect(r).toBeTypeOf("object") } : { code: "INVALID_ARGUMENT" });
          }
        }
        if (diff.length >= 2) {
          const len = baseValues(info, info.args.findIndex((a) => a.name === diff[0])).values.length;
          check(`into.${diff[0]} and into.${diff[1]} share one buffer`, () => ({ args: baseArgs(info, dt) }), (args) => {
            const shared = new (F[dt])(len);
            return grad(info, args, { into: { [diff[0]]: shared, [diff[1]]: shared } });
          }, { code: "INVALID_ARGUMENT" });
        }
        // Inputs may share memory with each other: only outputs are checked.
        // (Not where the target holds validated ±1 labels: the input's values are not labels.)
        if (!overClasses(info) && info.args.length >= 2 && info.args[1].kind !== "sign" && info.args[1].kind !== "rowSign") {
          check("input and target are one array", () => ({ args: baseArgs(info, dt) }), (args) => plain(info, [args[0], args[0], ...args.slice(2)]), { ok: (r) => expect(r).toBeTypeOf("number") });
        }
      });
    }
  });
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (ArrayBuffer.isView(v)) return (v as object).constructor.name;
  return typeof v;
}

// ------------------------------------------------------------------ tensor() and tensorFrom()

describe("tensor() and tensorFrom(): bad input", () => {
  const none = () => ({ args: [] });
  const made = (r: unknown) => (r as { dispose(): void }).dispose();
  it("tensor(): shapes and dtypes", () => {
    for (const shape of ["2", 2, null, undefined, {}, [-1], [1.5], [NaN], ["2"], [2n], [Infinity], new Proxy([2], { get() { throw new Error("x"); } })]) {
      check(`shape ${describeValue(shape)} ${typeof shape === "object" && shape !== null ? "" : String(shape)}`, none, () => tensor(shape as never), { code: "INVALID_ARGUMENT" });
    }
    for (const dtype of ["toString", "valueOf", "__proto__", "constructor", "hasOwnProperty", "F32", "float32", 1, null, 1n, {}]) {
      check(`dtype ${String(dtype)}`, none, () => tensor([2], dtype as never), { code: "INVALID_OPTION" });
    }
    const sizes: [number[], string][] = [
      [[2 ** 30 + 2], "f32"], // 4 GiB + 8 bytes: wrapped to 8 bytes before
      [[2 ** 29 + 1], "f64"],
      [[2 ** 31 - 1], "f64"],
      [[2 ** 29 + 2], "f32"], // 2 GiB + 8: over one allocation
      [[2 ** 16, 2 ** 16], "f32"],
      [[2 ** 32], "i32"],
      [[0, 2 ** 32], "f32"],
      [[2 ** 40], "f32"],
    ];
    for (const [shape, dtype] of sizes) check(`tensor([${shape}], '${dtype}')`, none, () => tensor(shape, dtype as "f32"), { code: "OUT_OF_MEMORY" });
    for (const shape of [[], [0], [2, 0, 3], [3]]) {
      check(`tensor([${shape}])`, none, () => {
        const t = tensor(shape, "f64");
        const n = t.length;
        t.dispose();
        return n;
      }, { ok: (n) => expect(n).toBe(shape.reduce((a, b) => a * b, 1)) });
    }
  });
  it("tensorFrom(): data, dtypes, shapes, disposed and detached sources", () => {
    const bad: [string, () => unknown, string][] = [
      ["Uint8Array", () => new Uint8Array(3), "DTYPE_MISMATCH"],
      ["BigInt64Array", () => new BigInt64Array(3), "DTYPE_MISMATCH"],
      ["an other-realm Uint16Array", () => foreign("new Uint16Array(3)"), "DTYPE_MISMATCH"],
      ["a string", () => "abc", "INVALID_ARGUMENT"],
      ["strings", () => ["a", "b"], "INVALID_ARGUMENT"],
      ["BigInts", () => [1n], "INVALID_ARGUMENT"],
      ["null", () => null, "INVALID_ARGUMENT"],
      ["undefined", () => undefined, "INVALID_ARGUMENT"],
      ["{ data, shape }", () => ({ data: new Float32Array(2), shape: [2] }), "INVALID_ARGUMENT"],
      ["a Proxy of a Float32Array", () => new Proxy(new Float32Array(2), {}), "INVALID_ARGUMENT"],
      ["a detached array", () => detachedF64, "DISPOSED"],
      ["a stale wasm view", () => stale.view, "DISPOSED"],
      ["a disposed tensor", () => { const t = tensor([2], "f32"); t.dispose(); return t; }, "DISPOSED"],
      ["a view of a disposed tensor", () => { const t = tensor([2], "f32"); const v = t.data; t.dispose(); return v; }, "DISPOSED"],
    ];
    for (const [label, make, code] of bad) check(`tensorFrom(${label})`, () => ({ args: [make()] }), (a) => tensorFrom(a[0] as never), { code });
    check("shape not matching the data", none, () => tensorFrom(new Float32Array(6), [4]), { code: "SHAPE_MISMATCH" });
    check("a negative dim", none, () => tensorFrom(new Float32Array(6), [-6]), { code: "INVALID_ARGUMENT" });
    check("a dim of 2^32", none, () => tensorFrom(new Float32Array(0), [0, 2 ** 32]), { code: "OUT_OF_MEMORY" });
    check("2^29 + 2 f32 elements", none, () => tensorFrom(over2GiB), { code: "OUT_OF_MEMORY" });
    const good: [string, () => unknown, (t: { dtype: string; data: ArrayLike<number>; shape: readonly number[] }) => void][] = [
      ["an other-realm Float32Array", () => foreign("Float32Array.of(1, 2, 3)"), (t) => { expect(t.dtype).toBe("f32"); expect(Array.from(t.data)).toEqual([1, 2, 3]); }],
      ["an other-realm Int32Array", () => foreign("Int32Array.of(4, 5)"), (t) => expect(t.dtype).toBe("i32")],
      ["a number[]", () => [1, 2], (t) => expect(t.dtype).toBe("f64")],
      ["a subclass whose length lies", () => new (class extends Float64Array { get length() { return 99; } })(2), (t) => expect(t.length).toBe(2)],
    ];
    for (const [label, make, ok] of good) {
      check(`tensorFrom(${label})`, () => ({ args: [make()] }), (a) => { const t = tensorFrom(a[0] as never); try { ok(t as never); } finally { made(t); } return true; }, { ok: (r) => expect(r).toBe(true) });
    }
    const w = wasmTensors();
    check("tensorFrom(a live wasm tensor) copies it", () => ({ args: [w.from(Float32Array.of(1, 2, 3, 4), [2, 2])], cleanup: w.cleanup }), (a) => {
      const c = tensorFrom(a[0] as never);
      try {
        return [c.dtype, [...c.shape], Array.from(c.data), c !== a[0]];
      } finally {
        made(c);
      }
    }, { ok: (r) => expect(r).toEqual(["f32", [2, 2], [1, 2, 3, 4], true]) });
    const w2 = wasmTensors();
    check("tensorFrom(a view of a live tensor) while the new tensor grows memory", () => ({ args: [w2.from(Float64Array.of(7, 8), [2])], cleanup: w2.cleanup }), (a) => {
      const src = (a[0] as { data: Float64Array }).data;
      const c = tensorFrom(src);
      try {
        return Array.from(c.data);
      } finally {
        made(c);
      }
    }, { ok: (r) => expect(r).toEqual([7, 8]) });
  });
});

// ------------------------------------------------------------------ the reliability issue's reproducers

describe("reproducers of the reliability issue", () => {
  const none = () => ({ args: [] });
  it("1: sizes that wrapped at 32 bits are OUT_OF_MEMORY", () => {
    check("tensor([2^30 + 2], 'f32')", none, () => tensor([2 ** 30 + 2], "f32"), { code: "OUT_OF_MEMORY" });
    check("tensor([2^29 + 1], 'f64')", none, () => tensor([2 ** 29 + 1], "f64"), { code: "OUT_OF_MEMORY" });
  });
  it("4: class indices are range-checked before any conversion", () => {
    const x = { data: new Float64Array(6), shape: [2, 3] };
    for (const t of [[2 ** 32, 0], [2 ** 32 - 100, 0], [1e300, 0]]) {
      check(`crossEntropy target ${t}`, none, () => L.crossEntropy(x, t), { code: "INVALID_TARGET" });
    }
  });
  it("6: in-place gradients of losses over classes are refused, element-wise ones are right", () => {
    const w = wasmTensors();
    check("crossEntropy into its input", () => ({ args: [w.from(Float64Array.of(1, 2, 3, 4, 5, 6), [2, 3])], cleanup: w.cleanup }), (a) => L.crossEntropy.withGrad(a[0], [0, 2], { into: { input: a[0] } }), { code: "INVALID_ARGUMENT" });
    check("nllLoss gradOutput is into.input", () => ({ args: [w.from(new Float64Array(4), [2, 2])], cleanup: w.cleanup }), (a) => L.nllLoss.withGrad(a[0], [0, 1], { reduction: "none", gradOutput: (a[0] as { data: Float64Array }).data.subarray(0, 2), into: { input: a[0] } }), { code: "INVALID_ARGUMENT" });
    const x = Float64Array.of(1, 2, 3);
    const ref = L.mseLoss.withGrad(x.slice(), [0, 0, 0]);
    check("mseLoss into its input", none, () => L.mseLoss.withGrad(x, [0, 0, 0], { into: { input: x } }), { ok: (r) => same(r, ref, "in place") });
  });
  it("7: a weight view of a live tensor is not dropped", () => {
    const w = wasmTensors();
    check("mseLoss weight: w.data", () => ({ args: [w.from(Float32Array.of(1, 1, 1), [3]), w.from(Float32Array.of(2, 2, 2), [3])], cleanup: w.cleanup }), (a) => L.mseLoss(a[0], new Float32Array(3), { weight: (a[1] as { data: Float32Array }).data, reduction: "sum" }), { ok: (r) => expect(r).toBe(6) });
  });
  it("8: NaN and empty cases as PyTorch", () => {
    check("categoricalCrossEntropy at a NaN probability", none, () => L.categoricalCrossEntropy.withGrad({ data: [NaN, 0.5], shape: [1, 2] }, [1]).grads.input.data, { ok: (g) => { expect((g as Float64Array)[0]).toBeNaN(); expect((g as Float64Array)[1]).toBe(-2); } });
    const empty = { data: new Float64Array(0), shape: [2, 0] };
    check("crossEntropy, 0 classes, probabilities, 'sum'", none, () => L.crossEntropy(empty, { data: new Float64Array(0), shape: [2, 0] }, { reduction: "sum" }), { ok: (r) => expect(Object.is(r, -0)).toBe(true) });
    check("crossEntropy, 0 classes, probabilities, 'mean'", none, () => L.crossEntropy(empty, { data: new Float64Array(0), shape: [2, 0] }), { ok: (r) => expect(r).toBeNaN() });
    check("crossEntropy, 0 classes, probabilities, 'none'", none, () => Array.from((L.crossEntropy(empty, { data: new Float64Array(0), shape: [2, 0] }, { reduction: "none" }) as { data: Float64Array }).data), { ok: (r) => expect((r as number[]).map((v) => Object.is(v, -0))).toEqual([true, true]) });
    for (const name of ["crossEntropy", "nllLoss"]) {
      check(`${name}, 0 classes, every target ignored, 'none'`, none, () => Array.from((L[name](empty, Int32Array.of(-100, -100), { reduction: "none" }) as { data: Float64Array }).data), { ok: (r) => expect(r).toEqual([0, 0]) });
      check(`${name}, 0 classes, every target ignored, 'mean'`, none, () => L[name](empty, Int32Array.of(-100, -100), { weight: new Float64Array(0) }), { ok: (r) => expect(r).toBeNaN() });
    }
  });
  it("9, 12: BigInt and null options, extra arguments, BCE targets", () => {
    check("beta: 1n", none, () => L.smoothL1Loss([1], [2], { beta: 1n }), { code: "INVALID_OPTION" });
    check("ignoreIndex: 1n", none, () => L.crossEntropy({ data: [1, 2], shape: [1, 2] }, [0], { ignoreIndex: 1n }), { code: "INVALID_OPTION" });
    check("reduction: null", none, () => L.mseLoss([1], [2], { reduction: null }), { code: "INVALID_OPTION" });
    check("options one place too late", none, () => L.mseLoss([1], [2], undefined, { reduction: "sum" }), { code: "INVALID_ARGUMENT" });
    for (const t of [2, -0.5, NaN]) check(`binaryCrossEntropy target ${t}`, none, () => L.binaryCrossEntropy([0.5], [t]), { code: "INVALID_TARGET" });
  });
  it("13, 14: extremes", () => {
    check("mseLoss gradient at 1e308 (f64)", none, () => L.mseLoss.withGrad(Float64Array.of(1e308, 0, 0, 0, 0, 0), new Float64Array(6)).grads.input.data[0], { ok: (g) => expect(g).toBe((2 / 6) * 1e308) }); // PyTorch: 3.3e307
    check("sigmoidFocalLoss at x = −3e38, y = 1 (f32)", none, () => L.sigmoidFocalLoss.withGrad(Float32Array.of(-3e38), Float32Array.of(1)).grads.input.data[0], { ok: (g) => expect(g).toBe(-0.25) });
    check("sigmoidFocalLoss γ = 0.5 at x = 17 (f32)", none, () => L.sigmoidFocalLoss.withGrad(Float32Array.of(17), Float32Array.of(1), { gamma: 0.5, alpha: -1 }).grads, { ok: (g) => { const gr = g as Record<string, { data: Float32Array }>; expect(Math.abs(gr.input.data[0])).toBe(0); expect(Math.abs(gr.target.data[0])).toBe(0); } });
    check("binaryCrossEntropyWithLogits target 0, logit −10 (f32)", none, () => L.binaryCrossEntropyWithLogits(Float32Array.of(-10), Float32Array.of(0)), { ok: (r) => expect(Math.abs((r as number) / Math.log1p(Math.exp(-10)) - 1)).toBeLessThan(2.5e-7) }); // within 2 ulp of f32 (PyTorch's f32 form is 0.8 % off here)
  });
});
