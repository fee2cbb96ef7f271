// The public API of losskit, the same whichever entry point loaded the wasm.
export { LossError, type LossErrorCode } from "./errors.js";
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
  type Family,
  type GradOptions,
  type Grads,
  type Loss,
  type LossInfo,
  type NoneByDefaultLoss,
  type OptionKind,
  type Reduction,
  type ScalarLoss,
  losses,
} from "./spec.js";
export * from "./losses/regression.js";
export * from "./losses/classification.js";
export * from "./losses/margin.js";
export * from "./losses/embedding.js";
export * from "./losses/segmentation.js";
export { memoryStats, setScalarKernels, simdEnabled } from "./diagnostics.js";
