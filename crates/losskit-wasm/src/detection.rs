//! Detection family exports (crates/losskit-core/src/losses/detection.rs): the four box IoU
//! losses. Tensor arguments are descriptor addresses, `reduction` a wire code.

use crate::error::reduction;
use crate::memory::required;
use losskit_core as core;

export!(box_iou_loss_f32, box_iou_loss_f64 = fn box_iou_loss(boxes1: usize, boxes2: usize, eps: f64, reduction_code: u32) grads[grad_boxes1 => boxes1, grad_boxes2 => boxes2] |out| {
    let opts = core::BoxIouOptions { eps, reduction: reduction(reduction_code)? };
    core::box_iou_loss::<T>(required(boxes1), required(boxes2), &opts, out)
});

export!(generalized_box_iou_loss_f32, generalized_box_iou_loss_f64 = fn generalized_box_iou_loss(boxes1: usize, boxes2: usize, eps: f64, reduction_code: u32) grads[grad_boxes1 => boxes1, grad_boxes2 => boxes2] |out| {
    let opts = core::BoxIouOptions { eps, reduction: reduction(reduction_code)? };
    core::generalized_box_iou_loss::<T>(required(boxes1), required(boxes2), &opts, out)
});

export!(distance_box_iou_loss_f32, distance_box_iou_loss_f64 = fn distance_box_iou_loss(boxes1: usize, boxes2: usize, eps: f64, reduction_code: u32) grads[grad_boxes1 => boxes1, grad_boxes2 => boxes2] |out| {
    let opts = core::BoxIouOptions { eps, reduction: reduction(reduction_code)? };
    core::distance_box_iou_loss::<T>(required(boxes1), required(boxes2), &opts, out)
});

export!(complete_box_iou_loss_f32, complete_box_iou_loss_f64 = fn complete_box_iou_loss(boxes1: usize, boxes2: usize, eps: f64, reduction_code: u32) grads[grad_boxes1 => boxes1, grad_boxes2 => boxes2] |out| {
    let opts = core::BoxIouOptions { eps, reduction: reduction(reduction_code)? };
    core::complete_box_iou_loss::<T>(required(boxes1), required(boxes2), &opts, out)
});
