// A TypeScript ESM consumer of the packed package (compiled by TypeScript 5.0 and the current
// one, lib ES2022 + DOM, skipLibCheck false: the published .d.ts itself is checked).
import { type Tensor, LossError, crossEntropy, init, klDiv, mseLoss, tensor } from "losskit";

await init();
const x = new Float32Array(4);
const loss: Tensor<Float32Array> = mseLoss(x, x, { reduction: "none" });
const grad: Float32Array = mseLoss.withGrad(x, [1, 2, 3, 4] as readonly number[], { wrt: ["input"] }).grads.input.data;
const kl: number = klDiv(x, x, { reduction: "batchmean" });
const ce: number = crossEntropy({ data: x, shape: [2, 2] }, new Int32Array([0, 1]));
const t = tensor([2], "f64");
t.dispose();
const code: string = new LossError("SHAPE_MISMATCH", "m").code;
export { loss, grad, kl, ce, code };
