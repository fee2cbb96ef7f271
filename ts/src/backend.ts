// The instantiated wasm module. An entry point (entry/node.ts, entry/browser.ts) loads the
// .wasm and calls installBackend once; every other module reaches wasm through wasm().
import type * as Glue from "../generated/losskit_wasm.js";

/** The wasm-bindgen exports of crates/losskit-wasm (its generated .d.ts is the contract). */
export type Wasm = typeof Glue;

let glue: Wasm | undefined;
let memory: WebAssembly.Memory | undefined;

/** Called once by the entry point with the glue module and its instance's memory. */
export function installBackend(g: Wasm, mem: WebAssembly.Memory): void {
  glue = g;
  memory = mem;
}

/** The wasm exports. */
export function wasm(): Wasm {
  if (!glue) throw new Error("losskit: the wasm module is not loaded (import losskit through its package entry point)");
  return glue;
}

/** Every linear-memory buffer handed out, so a view of an old one (detached when memory grew) is recognised. */
const handedOut = new WeakSet<ArrayBufferLike>();

/** The current linear-memory buffer: re-read after any call that may grow memory. */
let lastBuffer: ArrayBufferLike | undefined;

export function buffer(): ArrayBuffer {
  const b = memory!.buffer;
  if (b !== lastBuffer) {
    handedOut.add(b);
    lastBuffer = b;
  }
  return b;
}

/** Where an ArrayBuffer lies: the current wasm memory, an older (detached) wasm memory buffer, or elsewhere. */
export function wasmBuffer(b: ArrayBufferLike): "current" | "stale" | undefined {
  if (b === memory!.buffer) return "current";
  return handedOut.has(b) ? "stale" : undefined;
}
