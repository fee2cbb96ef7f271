//! # losskit-core
//!
//! The loss functions of machine learning with their exact analytic gradients, generic
//! over `f32` and `f64`, matching PyTorch's semantics and numbers. Pure Rust: no wasm or
//! JavaScript dependency; `crates/losskit-wasm` exposes it to JavaScript.
//!
//! Every loss takes its tensors ([`Tensor`]: data and shape), an options struct (PyTorch's
//! keyword arguments; `Default` gives PyTorch's defaults) and an [`Out`] naming where the
//! unreduced loss and the gradients go; it returns the reduced loss. Loss and gradients
//! come from one fused pass.
//!
//! ```
//! use losskit_core::{mse_loss, Out, Tensor, WeightedOptions};
//! let (x, y) = ([1.0f32, 2.0, 4.0], [1.0f32, 0.0, 1.0]);
//! let mut gx = [0.0f32; 3];
//! let out = Out { grads: [Some(&mut gx), None, None], ..Out::default() };
//! let loss = mse_loss(Tensor::flat(&x), Tensor::flat(&y), &WeightedOptions::default(), out).unwrap();
//! assert_eq!(loss, (0.0 + 4.0 + 9.0) / 3.0);
//! assert_eq!(gx, [0.0, 4.0 / 3.0, 2.0]); // 2(x − y)/N
//! ```
//!
//! Layout: [`real`] (the lane abstraction every kernel is written against), `engine`
//! (the driver and its shapes of work: pointwise, rows, along, scan), [`reduce`] (the
//! [`Reducer`]), [`shape`], [`error`], and `losses/<family>.rs`.
#![deny(missing_docs)]

mod engine;
pub mod error;
mod losses;
pub mod real;
pub mod reduce;
pub mod shape;

pub use engine::{force_scalar_kernels, Out};
pub use error::{ErrorCode, LossError, Result};
pub use losses::adversarial::*;
pub use losses::classification::*;
pub use losses::detection::*;
#[allow(unused_imports)] // empty until the family's first loss lands
pub use losses::embedding::*;
#[allow(unused_imports)] // empty until the family's first loss lands
pub use losses::margin::*;
pub use losses::regression::*;
pub use losses::sequence::*;
pub use losses::segmentation::*;
pub use real::{Lane, Real};
pub use reduce::{Reducer, Reduction, Sum};
pub use shape::Tensor;
