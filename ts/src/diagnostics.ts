// Introspection for tests, benchmarks and the curious.
import { buffer, wasm } from "./backend.js";
export { setSmallCalls } from "./small.js";

/** Wasm memory in use: bytes allocated by losskit (tensors, buffers) and the size of linear memory. */
export function memoryStats(): { allocatedBytes: number; memoryBytes: number } {
  return { allocatedBytes: wasm().allocated_bytes(), memoryBytes: buffer().byteLength };
}

/** Routes every kernel through its scalar twin instead of SIMD (to compare the two). */
export function setScalarKernels(on: boolean): void {
  wasm().set_scalar_kernels(on);
}

/** `true` when the loaded wasm was compiled with simd128. */
export function simdEnabled(): boolean {
  return wasm().simd_enabled();
}
