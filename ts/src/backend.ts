// The instantiated wasm module. An entry point (entry/node.ts, entry/browser.ts) registers how
// it loads the .wasm (setLoader) and, where it can load synchronously (Node), loads it at once;
// `init()` runs the loader once. Every other module reaches wasm through wasm().
import type * as Glue from "../generated/losskit_wasm.js";
import { LossError } from "./errors.js";

/** The wasm-bindgen exports of crates/losskit-wasm (its generated .d.ts is the contract). */
export type Wasm = typeof Glue;

/**
 * What {@link init} accepts (what wasm-bindgen's init accepts): the .wasm's URL (a string or
 * `URL`, e.g. a bundler's `?url` import), a `Response` (or `fetch(...)`'s promise), the bytes,
 * or a `WebAssembly.Module` compiled elsewhere. In Node a string or `file:` URL is read from disk.
 */
export type InitInput = string | GlobalInstance<"URL"> | GlobalInstance<"Request"> | GlobalInstance<"Response"> | ArrayBuffer | ArrayBufferView | WasmModule;

// The platform's classes, looked up on globalThis so the published types compile with any lib
// (DOM, @types/node, or neither: then the class is `never`, and the rest still works).
type GlobalInstance<K extends string> = typeof globalThis extends { [P in K]: { prototype: infer I } } ? I : never;
type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : never;

let glue: Wasm | undefined;
let memory: WebAssembly.Memory | undefined;

/** How the entry point loads the wasm when `init()` is called before it is loaded. */
type Loader = (input: InitInput | Promise<InitInput> | undefined) => Promise<void>;
let loader: Loader | undefined;
let loading: Promise<void> | undefined;

/** Called once by the entry point with the glue module and its instance's memory. */
export function installBackend(g: Wasm, mem: WebAssembly.Memory): void {
  glue = g;
  memory = mem;
}

/** Called once by the entry point: how `init()` loads the wasm. */
export function setLoader(l: Loader): void {
  loader = l;
}

/**
 * Loads and instantiates the wasm module; every loss needs it. Idempotent: the first call
 * loads, later calls return the same promise (and ignore their argument); after a failure the
 * next call tries again. In Node the package entry has already loaded the wasm beside it
 * synchronously, so `init()` resolves at once there. In browsers and bundlers, `await init()`
 * once before the first loss; without an argument it fetches the .wasm beside the package's
 * JS (`new URL("./losskit_wasm_bg.wasm", import.meta.url)`, which bundlers emit as an asset).
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void> {
  if (glue) return Promise.resolve();
  if (!loading) {
    if (!loader) return Promise.reject(new Error("losskit: no entry point registered a loader (import losskit through its package entry point)"));
    const attempt = loader(input);
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
  }
  return loading;
}

/** The error of a call made before the wasm is loaded. */
export function notInitialized(func: string): LossError {
  return new LossError(
    "NOT_INITIALIZED",
    `${func}: the wasm module is not loaded yet: \`await init()\` (exported by losskit) once before calling any loss`,
  );
}

/** Throws NOT_INITIALIZED (naming `func`) unless the wasm is loaded. */
export function requireLoaded(func: string): void {
  if (!glue) throw notInitialized(func);
}

/** The wasm exports. */
export function wasm(): Wasm {
  if (!glue) throw notInitialized("losskit");
  return glue;
}

/**
 * A loss export's result: a failed call returns NaN and leaves its error pending in the
 * module, thrown here (a NaN loss with nothing pending is the loss).
 */
export function settled(loss: number): number {
  if (loss !== loss) {
    const e: unknown = glue!.take_error();
    if (e !== undefined) throw e;
  }
  return loss;
}

/** Every linear-memory buffer handed out, so a view of an old one (detached when memory grew) is recognised. */
const handedOut = new WeakSet<ArrayBufferLike>();

/** The current linear-memory buffer: re-read after any call that may grow memory. */
let lastBuffer: ArrayBufferLike | undefined;

export function buffer(): ArrayBuffer {
  if (!memory) throw notInitialized("losskit");
  const b = memory.buffer;
  if (b !== lastBuffer) {
    handedOut.add(b);
    lastBuffer = b;
  }
  return b;
}

/** Where an ArrayBuffer lies: the current wasm memory, an older (detached) wasm memory buffer, or elsewhere. */
export function wasmBuffer(b: ArrayBufferLike): "current" | "stale" | undefined {
  if (!memory) return undefined;
  if (b === memory.buffer) return "current";
  return handedOut.has(b) ? "stale" : undefined;
}
