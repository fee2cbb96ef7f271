// A one-node ONNX model (y = Sigmoid(x), x: float32 [N, C]) encoded by hand as protobuf, so
// the onnxruntime test runs a real session without a model file or the onnx Python package.
// Field numbers are onnx.proto's: ModelProto.ir_version 1, graph 7, opset_import 8;
// GraphProto.node 1, name 2, input 11, output 12; NodeProto.input 1, output 2, op_type 4.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  return [...out, n];
};
const field = (num: number, bytes: number[] | string): number[] => {
  const b = typeof bytes === "string" ? [...new TextEncoder().encode(bytes)] : bytes;
  return [...varint((num << 3) | 2), ...varint(b.length), ...b];
};
const int = (num: number, v: number): number[] => [...varint(num << 3), ...varint(v)];

/** ValueInfoProto of a float32 tensor with symbolic dims. */
const floatValue = (name: string, dims: string[]) =>
  field(1, name).concat(field(2, field(1, [...int(1, 1), ...field(2, dims.flatMap((d) => field(1, field(2, d))))])));

export function sigmoidModel(op = "Sigmoid"): Uint8Array {
  const node = [...field(1, "x"), ...field(2, "y"), ...field(4, op)];
  const graph = [...field(1, node), ...field(2, "g"), ...field(11, floatValue("x", ["N", "C"])), ...field(12, floatValue("y", ["N", "C"]))];
  return Uint8Array.from([...int(1, 8), ...field(7, graph), ...field(8, [...field(1, ""), ...int(2, 13)])]);
}
