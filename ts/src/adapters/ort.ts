// onnxruntime (onnxruntime-web / onnxruntime-node): an `ort.Tensor` is `{ type, data, dims }`;
// losskit stages `{ data, shape }`. `fromOrt` maps one to the other without copying float or
// int32 data, and narrows int64 class indices (BigInt64Array, ONNX's usual label type) to
// Int32Array. Structural: losskit imports nothing from onnxruntime.
import { LossError } from "../errors.js";
import type { Tensor } from "../tensor.js";

/** What `fromOrt` reads of an `ort.Tensor` (onnxruntime-common's `Tensor`). */
export interface OrtTensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/**
 * An `ort.Tensor` as a losskit tensor: float32 → Float32Array, float64 → Float64Array (both
 * shared, not copied), int32 → Int32Array, int64 → Int32Array (class indices; a value outside
 * int32 is `INVALID_TARGET`). Other element types, and tensors whose data is not on the CPU
 * (a GPU buffer), are `DTYPE_MISMATCH` / `INVALID_ARGUMENT`.
 * @example
 * const [logits] = Object.values(await session.run(feeds));
 * crossEntropy(fromOrt(logits), fromOrt(labels));   // labels: an int64 ort.Tensor
 * // A gradient back to onnxruntime: new ort.Tensor("float32", g.data, g.shape)
 */
export function fromOrt(t: OrtTensorLike & { type: "float32" }): Tensor<Float32Array>;
export function fromOrt(t: OrtTensorLike & { type: "float64" }): Tensor<Float64Array>;
export function fromOrt(t: OrtTensorLike & { type: "int32" | "int64" }): Tensor<Int32Array>;
export function fromOrt(t: OrtTensorLike): Tensor<Float32Array | Float64Array | Int32Array>;
export function fromOrt(t: OrtTensorLike): Tensor<Float32Array | Float64Array | Int32Array> {
  if (typeof t !== "object" || t === null || !Array.isArray(t.dims) || typeof t.type !== "string") {
    throw new LossError("INVALID_ARGUMENT", "fromOrt: expected an ort.Tensor ({ type, data, dims })");
  }
  let data: unknown;
  try {
    data = t.data; // a getter that throws for data on a GPU
  } catch (e) {
    throw new LossError("INVALID_ARGUMENT", `fromOrt: the tensor's data is not on the CPU (${(e as Error).message}); download it first (tensor.getData())`);
  }
  const shape = [...t.dims];
  if ((t.type === "float32" && data instanceof Float32Array) || (t.type === "float64" && data instanceof Float64Array) || (t.type === "int32" && data instanceof Int32Array)) {
    return { data, shape };
  }
  if (t.type === "int64" && data instanceof BigInt64Array) {
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < -2147483648n || v > 2147483647n) throw new LossError("INVALID_TARGET", `fromOrt: int64 value ${v} at ${i} does not fit a class index (int32)`);
      out[i] = Number(v);
    }
    return { data: out, shape };
  }
  throw new LossError("DTYPE_MISMATCH", `fromOrt: ${t.type} tensors are not supported (float32, float64, int32 or int64)`);
}
