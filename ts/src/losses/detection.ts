// Detection losses, mirroring crates/losskit-core/src/losses/detection.rs: the box IoU family on
// xyxy boxes with torchvision.ops semantics (default reduction 'none', as torchvision). Boxes are
// (N, 4) — one loss per box pair, output (N) for 'none' — or one (4) box (a 0-dim output); both
// sets share one shape, and every box needs x2 ≥ x1 and y2 ≥ y1 (INVALID_INPUT). Gradients for
// both box sets.
import { type NoneByDefaultLoss, type Reduction, defineLoss } from "../spec.js";
import type { FloatInput } from "../tensor.js";

/** Options of the box IoU losses. */
export interface BoxIouOptions {
  /** 'none' | 'mean' | 'sum'. Default 'none' (torchvision's); 'mean' of no boxes is 0, as torchvision. */
  reduction?: Reduction;
  /** Added to the union (and to the enclosing box's area or squared diagonal) against division by zero. Default 1e-7. */
  eps?: number;
}

type Diff = "boxes1" | "boxes2";
const options = { reduction: { kind: "reduction", default: "none" }, eps: { kind: "number", default: 1e-7 } } as const;
const args = [["boxes1", "boxes"], ["boxes2", "boxes"]] as const;

/**
 * IoU loss: 1 − I/(U + eps) per box pair, I the intersection's area, U the union's (torchvision has
 * no plain IoU loss; this is the IoU term of its `generalized_box_iou_loss`).
 * @example
 * const pred = { data: Float32Array.of(0, 0, 2, 2, 1, 1, 3, 4), shape: [2, 4] };
 * const gt = { data: Float32Array.of(1, 0, 2, 3, 0, 1, 2, 2), shape: [2, 4] };
 * boxIouLoss(pred, gt); // { data: Float32Array [0.6, 0.857…], shape: [2] }: IoU 2/5 and 1/7
 * boxIouLoss.withGrad(pred, gt, { reduction: "mean" }).grads.boxes1; // shape [2, 4]
 */
export const boxIouLoss = defineLoss({
  name: "boxIouLoss",
  elementwise: true,
  family: "detection",
  summary: "1 − IoU of xyxy boxes, IoU = I/(U + eps)",
  pytorch: null,
  args,
  options,
  diff: ["boxes1", "boxes2"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.box_iou_loss_f32 : w.box_iou_loss_f64)(a.boxes1.desc, a.boxes2.desc, o.eps, o.reduction, r.out, r.gradOutput, r.grads.boxes1, r.grads.boxes2),
}) as NoneByDefaultLoss<[boxes1: FloatInput, boxes2: FloatInput], BoxIouOptions, Diff>;

/**
 * Generalized IoU loss (torchvision `ops.generalized_box_iou_loss`): 1 − IoU + (C − U)/(C + eps), C
 * the area of the smallest box enclosing both. Nonzero gradients also for disjoint boxes.
 * @example
 * generalizedBoxIouLoss(pred, gt, { reduction: "mean" });
 */
export const generalizedBoxIouLoss = defineLoss({
  name: "generalizedBoxIouLoss",
  elementwise: true,
  family: "detection",
  summary: "1 − IoU + (C − U)/(C + eps), C the enclosing box's area",
  pytorch: "torchvision.ops.generalized_box_iou_loss",
  args,
  options,
  diff: ["boxes1", "boxes2"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.generalized_box_iou_loss_f32 : w.generalized_box_iou_loss_f64)(a.boxes1.desc, a.boxes2.desc, o.eps, o.reduction, r.out, r.gradOutput, r.grads.boxes1, r.grads.boxes2),
}) as NoneByDefaultLoss<[boxes1: FloatInput, boxes2: FloatInput], BoxIouOptions, Diff>;

/**
 * Distance IoU loss (torchvision `ops.distance_box_iou_loss`): 1 − IoU + ρ²/(c² + eps), ρ the
 * distance between the boxes' centres and c the enclosing box's diagonal.
 * @example
 * distanceBoxIouLoss.withGrad(pred, gt, { reduction: "sum" });
 */
export const distanceBoxIouLoss = defineLoss({
  name: "distanceBoxIouLoss",
  elementwise: true,
  family: "detection",
  summary: "1 − IoU + ρ²/(c² + eps), ρ the centres' distance, c the enclosing diagonal",
  pytorch: "torchvision.ops.distance_box_iou_loss",
  args,
  options,
  diff: ["boxes1", "boxes2"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.distance_box_iou_loss_f32 : w.distance_box_iou_loss_f64)(a.boxes1.desc, a.boxes2.desc, o.eps, o.reduction, r.out, r.gradOutput, r.grads.boxes1, r.grads.boxes2),
}) as NoneByDefaultLoss<[boxes1: FloatInput, boxes2: FloatInput], BoxIouOptions, Diff>;

/**
 * Complete IoU loss (torchvision `ops.complete_box_iou_loss`): the distance IoU loss (with eps =
 * 1e-7 there, as torchvision) + α·v, v = (4/π²)(atan(w₂/h₂) − atan(w₁/h₁))², α = v/(1 − IoU + v + eps)
 * held constant for the gradient. Finite for a zero-height box, where torchvision's gradient is NaN
 * (docs/API.md §6).
 * @example
 * completeBoxIouLoss.withGrad(pred, gt, { reduction: "mean" }).grads.boxes1;
 */
export const completeBoxIouLoss = defineLoss({
  name: "completeBoxIouLoss",
  elementwise: true,
  family: "detection",
  summary: "DIoU loss + α·v, v = (4/π²)(atan(w₂/h₂) − atan(w₁/h₁))², α = v/(1 − IoU + v + eps)",
  pytorch: "torchvision.ops.complete_box_iou_loss",
  args,
  options,
  diff: ["boxes1", "boxes2"],
  output: "rows",
  invoke: (w, f32, a, o, r) =>
    (f32 ? w.complete_box_iou_loss_f32 : w.complete_box_iou_loss_f64)(a.boxes1.desc, a.boxes2.desc, o.eps, o.reduction, r.out, r.gradOutput, r.grads.boxes1, r.grads.boxes2),
}) as NoneByDefaultLoss<[boxes1: FloatInput, boxes2: FloatInput], BoxIouOptions, Diff>;
