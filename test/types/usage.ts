// Type tests: compiled by `tsc -p test/types` against the published dist/losskit.d.ts.
// Each @ts-expect-error line must fail to type-check, or tsc reports an unused directive.
import {
  type PreparedCall,
  type Tensor,
  LossError,
  init,
  nllLoss,
  tensorFrom,
  completeBoxIouLoss,
  cosineEmbeddingLoss,
  crossEntropy,
  ganDiscriminatorLoss,
  ganGeneratorLoss,
  ctcLoss,
  gaussianNllLoss,
  huberLoss,
  klDiv,
  maeLoss,
  mseLoss,
  sigmoidFocalLoss,
  softmaxCrossEntropy,
  tensor,
  tripletMarginLoss,
} from "losskit";

const x = new Float32Array(4);
const y = new Float32Array(4);

const reduced: number = mseLoss(x, y);
const summed: number = mseLoss(x, y, { reduction: "sum" });
const unreduced: Tensor = mseLoss(x, y, { reduction: "none" });
const shaped: number = huberLoss({ data: x, shape: [2, 2] }, { data: y, shape: [2, 2] }, { delta: 0.5, weight: x });
const { loss, grads } = mseLoss.withGrad(x, y, { wrt: ["input"] });
const l: number = loss;
const g: Float32Array | Float64Array = grads.input.data;
const none = mseLoss.withGrad(x, y, { reduction: "none", gradOutput: x });
const perElement: Tensor = none.loss;
const gv: Tensor = gaussianNllLoss.withGrad(x, y, x).grads.var;
const mae: number = maeLoss([1, 2], [0, 0]);
{
  using t = tensor([4], "f32");
  const view: Float32Array = t.data;
  mseLoss.withGrad(t, y, { into: { input: t } });
  void view;
}
const ce: number = crossEntropy({ data: x, shape: [2, 2] }, new Int32Array([0, 1]), { labelSmoothing: 0.1, ignoreIndex: -100 });
const ceSoft: Tensor = softmaxCrossEntropy({ data: x, shape: [2, 2] }, { data: y, shape: [2, 2] }, { reduction: "none" });
const focal: Tensor = sigmoidFocalLoss(x, y); // torchvision's default reduction is 'none'
const focalMean: number = sigmoidFocalLoss(x, y, { reduction: "mean" });
const kl = klDiv(x, y, { reduction: "batchmean", logTarget: false });
const code: "SHAPE_MISMATCH" | string = new LossError("SHAPE_MISMATCH", "m").code;
const triplet: number = tripletMarginLoss(x, y, x, { margin: 0.5, p: 1, eps: 0, swap: true });
const tripletGrad: Tensor = tripletMarginLoss.withGrad(x, y, x, { wrt: ["negative"] }).grads.negative;
const cosine: Tensor = cosineEmbeddingLoss({ data: x, shape: [2, 2] }, { data: y, shape: [2, 2] }, [1, -1], { reduction: "none", margin: 0.1 });
const cosineGrad: Tensor = cosineEmbeddingLoss.withGrad(x, y, { data: Float32Array.of(1), shape: [] }).grads.input2;

// The dtype flows from the arguments to the results.
const x64 = new Float64Array(4);
const f32Loss: Tensor<Float32Array> = mseLoss(x, y, { reduction: "none" });
const f32LossData: Float32Array = f32Loss.data;
const f32Grad: Float32Array = mseLoss.withGrad(x, y).grads.input.data;
const f64Grad: Float64Array = mseLoss.withGrad(x64, [1, 2, 3, 4]).grads.target.data;
const fromNumbers: Float64Array = mseLoss.withGrad([1, 2], [0, 0]).grads.input.data; // number[] alone is f64
const wasmF32: Float32Array = tensorFrom(x).data;
const viaWasm: Float32Array = mseLoss.withGrad(tensorFrom(x), y).grads.input.data;
const ceGrad: Float32Array = crossEntropy.withGrad({ data: x, shape: [2, 2] }, new Int32Array([0, 1])).grads.input.data;
const kl32: Tensor<Float32Array> = klDiv(x, y, { reduction: "none" });
// wrt narrows grads to the names asked for.
const onlyInput = mseLoss.withGrad(x, y, { wrt: ["input"] });
const onlyInputGrad: Float32Array = onlyInput.grads.input.data;
// @ts-expect-error grads.target was not asked for
void onlyInput.grads.target;
const tripletOnly = tripletMarginLoss.withGrad(x, y, x, { wrt: ["anchor", "negative"] });
// @ts-expect-error positive was not asked for
void tripletOnly.grads.positive;
// 'batchmean' makes the loss a number.
const klBatchmean: number = klDiv(x, y, { reduction: "batchmean" });
const klBatchmeanGrad: number = klDiv.withGrad(x, y, { reduction: "batchmean" }).loss;
// @ts-expect-error only klDiv has 'batchmean'
mseLoss(x, y, { reduction: "batchmean" });
// readonly arrays are accepted.
const labels: readonly number[] = [0, 1];
const ro: readonly number[] = [1, 2, 3, 4];
const fromReadonly: number = nllLoss({ data: x, shape: [2, 2] }, labels) + mseLoss(ro, ro);
// @ts-expect-error class indices are not a Float32Array (use an Int32Array)
nllLoss({ data: x, shape: [2, 2] }, new Float32Array([0, 1]));
// @ts-expect-error f32 and f64 arrays are not mixed in one call
mseLoss(x, x64);
const ready: Promise<void> = init();

// @ts-expect-error a reduced loss is a number, not a tensor
const wrong: Tensor = mseLoss(x, y);
// @ts-expect-error unknown reduction
mseLoss(x, y, { reduction: "avg" });
// @ts-expect-error huber has no beta option
huberLoss(x, y, { beta: 1 });
// @ts-expect-error wrt names an argument that has no gradient
mseLoss.withGrad(x, y, { wrt: ["weight"] });
// @ts-expect-error maeLoss has no reduction option
maeLoss(x, y, { reduction: "sum" });
// @ts-expect-error crossEntropy has no delta option
crossEntropy(x, new Int32Array(4), { delta: 1 });
// @ts-expect-error strings are not tensors
mseLoss("x", y);
// @ts-expect-error the target of cosineEmbeddingLoss has no gradient
cosineEmbeddingLoss.withGrad(x, y, y, { wrt: ["target"] });
// @ts-expect-error tripletMarginLoss takes three tensors
tripletMarginLoss(x, y);
const ctc: number = ctcLoss({ data: x, shape: [2, 2] }, Int32Array.of(1), 2, 1, { blank: 0, zeroInfinity: true });
const ctcPer: Tensor = ctcLoss({ data: x, shape: [2, 1, 2] }, { data: Int32Array.of(1), shape: [1, 1] }, Int32Array.of(2), [1], { reduction: "none" });
const ctcGrad: Tensor = ctcLoss.withGrad({ data: x, shape: [2, 2] }, [1], 2, 1, { fromLogits: true }).grads.logProbs;
// @ts-expect-error the targets of ctcLoss have no gradient
ctcLoss.withGrad(x, Int32Array.of(1), 2, 1, { wrt: ["targets"] });
// @ts-expect-error ctcLoss's blank is a number
ctcLoss(x, Int32Array.of(1), 2, 1, { blank: "0" });

// Box losses: 'none' by default (a tensor), a number when reduced; GAN losses: a number by default.
const boxes = { data: new Float32Array(8), shape: [2, 4] };
const perBox: Tensor = completeBoxIouLoss(boxes, boxes);
const boxMean: number = completeBoxIouLoss(boxes, boxes, { reduction: "mean", eps: 1e-6 });
const boxGrad: Tensor = completeBoxIouLoss.withGrad(boxes, boxes, { reduction: "sum" }).grads.boxes2;
const dLoss: number = ganDiscriminatorLoss(x, y, { mode: "hinge" });
const gGrad: Tensor = ganGeneratorLoss.withGrad(x, { mode: "wasserstein" }).grads.fakeLogits;
// @ts-expect-error not a GAN mode
ganGeneratorLoss(x, { mode: "vanilla" });
// @ts-expect-error the generator loss takes the fake logits only
ganGeneratorLoss.withGrad(x, { wrt: ["realLogits"] });

void [perBox, boxMean, boxGrad, dLoss, gGrad];
void [ready, f32Loss, f32LossData, f32Grad, f64Grad, fromNumbers, wasmF32, viaWasm, ceGrad, kl32, onlyInputGrad, klBatchmean, klBatchmeanGrad, fromReadonly, ce, ceSoft, focal, focalMean, kl, reduced, summed, unreduced, shaped, l, g, perElement, gv, mae, code, wrong, triplet, tripletGrad, cosine, cosineGrad, ctc, ctcPer, ctcGrad];

// Prepared calls: wasm tensors only; a number per call.
const px = tensor([3], "f32");
const pg = tensor([3], "f32");
const prepared: PreparedCall = mseLoss.prepare(px, px, { reduction: "sum" });
const preparedLoss: number = prepared();
const preparedStep = mseLoss.withGrad.prepare(px, px, { wrt: ["input"], into: { input: pg } });
const pce = crossEntropy.withGrad.prepare(tensor([1, 3], "f64"), tensor([1], "i32"), { into: { input: tensor([1, 3], "f64") } });
// Typed arrays (copied in at each call) and { data, shape } tensors of them, gradients into a typed array.
const preparedArrays: PreparedCall = mseLoss.withGrad.prepare(x, { data: y, shape: [4] }, { wrt: ["input"], into: { input: new Float32Array(4) } });
const pceArrays = crossEntropy.prepare(new Float64Array(6), Int32Array.of(0, 2), { reduction: "sum" });
// @ts-expect-error a Float32Array with an f64 wasm tensor
mseLoss.prepare(x, tensor([4], "f64"));
// @ts-expect-error number[] is not prepared (no typed array to copy from)
mseLoss.prepare([1, 2], [3, 4]);
// @ts-expect-error reduction 'none' cannot be prepared
mseLoss.prepare(px, px, { reduction: "none" });
void [preparedLoss, preparedStep, pce, preparedArrays, pceArrays];
