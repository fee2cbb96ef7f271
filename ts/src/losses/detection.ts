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
 * IoU loss of xyxy boxes: ℓ = 1 − I/(U + eps) per box pair, I the intersection's area (counted only where
 * both overlaps are positive), U = area₁ + area₂ − I. torchvision has no plain IoU loss; in PyTorch this is
 * the IoU term of `torchvision.ops.generalized_box_iou_loss`: with `inter, union =
 * torchvision.ops._utils._loss_inter_union(boxes1, boxes2)`, `1 - inter / (union + eps)` (docs/API.md §2).
 *
 * - **Shapes:** `boxes1` and `boxes2` of one shape, (N, 4) — one loss per pair, output (N) — or (4) (a 0-d
 *   output); every box (x1, y1, x2, y2) needs x2 ≥ x1 and y2 ≥ y1.
 * - **Options:** `reduction` ('none', as torchvision's box losses; 'mean', 'sum'; 'mean' of no boxes is 0), `eps` (1e-7).
 * - **Gradients:** `grads.boxes1`, `grads.boxes2` (N, 4), autograd's through the expression: 0 through the
 *   intersection where the boxes do not overlap; ties of `max`/`min` (shared edges) split half and half.
 *
 * @example
 * ```ts
 * import { boxIouLoss } from "losskit";
 * const pred = { data: [0, 0, 2, 2, 1, 1, 3, 4], shape: [2, 4] };
 * const gt = { data: [1, 0, 2, 3, 0, 1, 2, 2], shape: [2, 4] };
 * console.log(Array.from(boxIouLoss(pred, gt).data, (v) => +v.toFixed(4))); // → [ 0.6, 0.8571 ] (IoU 2/5 and 1/7)
 * const { loss, grads } = boxIouLoss.withGrad(pred, gt, { reduction: "mean" });
 * console.log(loss.toFixed(4)); // → 0.7286
 * console.log(Array.from(grads.boxes1.data.slice(0, 4), (g) => +g.toFixed(4))); // → [ -0.08, -0.01, -0.06, -0.06 ] (box 0)
 * console.log(Array.from(grads.boxes1.data.slice(4), (g) => +g.toFixed(4))); // → [ 0.051, 0.0204, 0.0306, 0.0204 ] (box 1)
 * ```
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
 * Generalized IoU loss (torchvision `ops.generalized_box_iou_loss`): ℓ = 1 − IoU + (C − U)/(C + eps),
 * IoU = I/(U + eps), C the area of the smallest box enclosing both. Nonzero gradients also for disjoint boxes.
 *
 * - **Shapes:** `boxes1` and `boxes2` xyxy, of one shape: (N, 4) (output (N)) or (4) (0-d); x2 ≥ x1 and y2 ≥ y1.
 * - **Options:** `reduction` ('none', as torchvision; 'mean', 'sum'; 'mean' of no boxes is 0), `eps` (1e-7).
 * - **Gradients:** `grads.boxes1`, `grads.boxes2` (N, 4), as torchvision's autograd (ties of `max`/`min` split
 *   half and half).
 *
 * @example
 * ```ts
 * import { generalizedBoxIouLoss } from "losskit";
 * const pred = { data: [0, 0, 2, 2, 0, 0, 1, 1], shape: [2, 4] };
 * const gt = { data: [1, 0, 2, 3, 2, 1, 4, 3], shape: [2, 4] }; // the second pair is disjoint
 * const { loss, grads } = generalizedBoxIouLoss.withGrad(pred, gt);
 * console.log(Array.from(loss.data, (v) => +v.toFixed(4))); // → [ 0.7667, 1.5833 ]
 * console.log(Array.from(grads.boxes1.data.slice(0, 4), (g) => +g.toFixed(4))); // → [ -0.2433, 0.0911, -0.0783, -0.2867 ] (box 0)
 * console.log(Array.from(grads.boxes1.data.slice(4), (g) => +g.toFixed(4))); // → [ -0.0208, -0.0556, -0.0833, -0.0833 ] (box 1)
 * ```
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
 * Distance IoU loss (torchvision `ops.distance_box_iou_loss`): ℓ = 1 − IoU + ρ²/(c² + eps), ρ the
 * distance between the boxes' centres and c the diagonal of the smallest box enclosing both.
 *
 * - **Shapes:** `boxes1` and `boxes2` xyxy, of one shape: (N, 4) (output (N)) or (4) (0-d); x2 ≥ x1 and y2 ≥ y1.
 * - **Options:** `reduction` ('none', as torchvision; 'mean', 'sum'; 'mean' of no boxes is 0), `eps` (1e-7).
 * - **Gradients:** `grads.boxes1`, `grads.boxes2` (N, 4), as torchvision's autograd (ties of `max`/`min` split
 *   half and half).
 *
 * @example
 * ```ts
 * import { distanceBoxIouLoss } from "losskit";
 * const pred = { data: [0, 0, 2, 2, 0, 0, 1, 1], shape: [2, 4] };
 * const gt = { data: [1, 0, 2, 3, 2, 1, 4, 3], shape: [2, 4] };
 * const { loss, grads } = distanceBoxIouLoss.withGrad(pred, gt, { reduction: "sum" });
 * console.log(loss.toFixed(4)); // → 1.9785
 * console.log(Array.from(grads.boxes1.data.slice(0, 4), (g) => +g.toFixed(4))); // → [ -0.1866, -0.0496, -0.1644, -0.1585 ] (box 0)
 * console.log(Array.from(grads.boxes1.data.slice(4), (g) => +g.toFixed(4))); // → [ 0.0088, 0.0216, -0.1, -0.06 ] (box 1)
 * ```
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
 * Complete IoU loss (torchvision `ops.complete_box_iou_loss`): ℓ = the distance IoU loss (with eps =
 * 1e-7 there, whatever `eps` is, as torchvision) + α·v, v = (4/π²)(atan(w₂/h₂) − atan(w₁/h₁))²,
 * α = v/(1 − IoU + v + eps).
 *
 * - **Shapes:** `boxes1` and `boxes2` xyxy, of one shape: (N, 4) (output (N)) or (4) (0-d); x2 ≥ x1 and y2 ≥ y1.
 * - **Options:** `reduction` ('none', as torchvision; 'mean', 'sum'; 'mean' of no boxes is 0), `eps` (1e-7; only in α).
 * - **Gradients:** `grads.boxes1`, `grads.boxes2` (N, 4), as torchvision's autograd with α held constant (its
 *   `no_grad`). Finite for a zero-height box, where torchvision's gradient is NaN; a point box's angle is 0
 *   (docs/API.md §6, 17).
 *
 * @example
 * ```ts
 * import { completeBoxIouLoss } from "losskit";
 * const pred = { data: [0, 0, 2, 2, 0, 0, 4, 1], shape: [2, 4] };
 * const gt = { data: [1, 0, 2, 3, 1, 0, 3, 2], shape: [2, 4] };
 * console.log(Array.from(completeBoxIouLoss(pred, gt).data, (v) => +v.toFixed(4))); // → [ 0.6495, 0.697 ]
 * const { loss, grads } = completeBoxIouLoss.withGrad(pred, gt, { reduction: "mean" });
 * console.log(loss.toFixed(4)); // → 0.6733
 * console.log(Array.from(grads.boxes1.data.slice(0, 4), (g) => +g.toFixed(4))); // → [ -0.0993, -0.0188, -0.0762, -0.0852 ] (box 0)
 * console.log(Array.from(grads.boxes1.data.slice(4), (g) => +g.toFixed(4))); // → [ -0.0272, -0.0041, 0.0272, -0.1314 ] (box 1)
 * ```
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
