// The public API of losskit, the same whichever entry point loaded the wasm.
/**
 * losskit: loss functions with exact gradients (a Rust core in WebAssembly SIMD), PyTorch's
 * names, options and numbers. Each loss below documents its formula, shapes, options with
 * defaults, PyTorch equivalent, gradients and a runnable example; docs/API.md is the contract.
 * @module losskit
 */
export { LossError, type LossErrorCode } from "./errors.js";
export { type InitInput, init } from "./backend.js";
export {
  type Dtype,
  type FloatArray,
  type FloatInput,
  type IndexInput,
  type Tensor,
  type TensorDtype,
  WasmTensor,
  tensor,
  tensorFrom,
} from "./tensor.js";
export {
  type ArgKind,
  type ArgOf,
  type LossArgs,
  type NoDtype,
  type ResultArray,
  type Family,
  type GradOptions,
  type Grads,
  type Loss,
  type LossInfo,
  type NoneByDefaultLoss,
  type OptionKind,
  type Prepare,
  type PreparedArgs,
  type Reduction,
  type ScalarLoss,
  losses,
} from "./spec.js";
export type { PreparedCall } from "./small.js";
export * from "./losses/regression.js";
export * from "./losses/classification.js";
export * from "./losses/margin.js";
export * from "./losses/embedding.js";
export * from "./losses/segmentation.js";
export * from "./losses/sequence.js";
export * from "./losses/detection.js";
export * from "./losses/adversarial.js";
export { memoryStats, setScalarKernels, setSmallCalls, simdEnabled } from "./diagnostics.js";
export { type OrtTensorLike, fromOrt } from "./adapters/ort.js";
