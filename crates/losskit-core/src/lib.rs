//! # losskit-core
//!
//! The loss functions of machine learning with their exact analytic gradients, generic
//! over `f32` and `f64`, matching PyTorch's semantics and numbers. Pure Rust: no wasm or
//! JavaScript dependency; `crates/losskit-wasm` exposes it to JavaScript.
//!
//! Every loss takes flat row-major slices, its options, a [`Reduction`] where PyTorch has
//! one, and an [`Out`] naming where the unreduced loss and the gradients go; it returns the
//! reduced loss. Loss and gradients come from one fused pass.
//!
//! ```
//! use losskit_core::{mse_loss, Out, Reduction};
//! let (x, y) = ([1.0f32, 2.0, 4.0], [1.0f32, 0.0, 1.0]);
//! let mut gx = [0.0f32; 3];
//! let loss = mse_loss(&x, &y, None, Reduction::Mean, Out { grads: [Some(&mut gx), None, None], ..Out::default() }).unwrap();
//! assert_eq!(loss, (0.0 + 4.0 + 9.0) / 3.0);
//! assert_eq!(gx, [0.0, 4.0 / 3.0, 2.0]); // 2(x − y)/N
//! ```
#![deny(missing_docs)]

pub mod classification;
pub mod error;
mod pointwise;
pub mod real;
pub mod reduction;
pub mod regression;
mod rows;
pub mod shape;

pub use classification::*;
pub use error::{ErrorCode, LossError, Result};
pub use real::{Lane, Real};
pub use reduction::{force_scalar_kernels, Out, Reduction, Sum};
pub use regression::*;
