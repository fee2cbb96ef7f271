//! wasm-bindgen exports of `losskit-core`, called by the TypeScript layer in `ts/`.
//!
//! Thin by design: each export turns addresses into tensors, calls one core function and
//! returns its result; no math and no shape logic live here. Data crosses the boundary as
//! addresses in this module's linear memory: the TypeScript layer copies typed arrays into
//! buffers from [`alloc`], or passes wasm-resident tensors directly (zero copy), and
//! describes each tensor argument by a descriptor `[data address, rank, d0, …]` (see
//! `memory::tensor`). Every loss is exported twice, `<name>_f32` and `<name>_f64`, by
//! [`export!`]; errors become JS `Error`s carrying the core's code and argument.

/// Defines a loss export once, generic over the element type, and exports it as
/// `<name>_f32` and `<name>_f64`. The listed arguments come first; then every export takes
/// `out` (descriptor of the unreduced-loss buffer, 0 unless the reduction is 'none'),
/// `grad_output` (descriptor, 0 when absent) and one gradient address per differentiable
/// argument (`grad_x => x`: the buffer has `x`'s element count; 0 = not wanted). The body
/// receives the output slots as `|out|` and returns the core's result; the export returns
/// the loss, or NaN with the error left pending for [`take_error`] (a plain f64 return: no
/// multi-value array per call).
macro_rules! export {
    ($(#[$doc:meta])* $f32:ident, $f64:ident = fn $name:ident($($arg:ident: $ty:ty),* $(,)?) grads[$($grad:ident => $of:ident),*] |$out:ident| $body:expr) => {
        #[allow(clippy::too_many_arguments)]
        fn $name<T: losskit_core::Real>($($arg: $ty,)* out: usize, grad_output: usize, $($grad: usize),*) -> f64 {
            // SAFETY: every address is 0 or one the TypeScript layer staged for this call
            // (ts/src/call.ts): descriptors and buffers sized by the shapes they describe.
            unsafe {
                let $out = $crate::memory::outs::<T>(out, grad_output, &[$(($grad, $crate::memory::len_of($of))),*]);
                // A closure, so the body may use `?` on the core's `Result`.
                #[allow(clippy::redundant_closure_call)]
                let result: losskit_core::Result<T> = (|| $body)();
                $crate::error::settle(result.map(losskit_core::Real::to_f64))
            }
        }
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)]
        #[wasm_bindgen::prelude::wasm_bindgen]
        pub fn $f32($($arg: $ty,)* out: usize, grad_output: usize, $($grad: usize),*) -> f64 {
            $name::<f32>($($arg,)* out, grad_output, $($grad),*)
        }
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)]
        #[wasm_bindgen::prelude::wasm_bindgen]
        pub fn $f64($($arg: $ty,)* out: usize, grad_output: usize, $($grad: usize),*) -> f64 {
            $name::<f64>($($arg,)* out, grad_output, $($grad),*)
        }
    };
}

mod adversarial;
mod classification;
mod detection;
mod embedding;
mod error;
mod margin;
mod memory;
mod regression;
mod sequence;
mod segmentation;

pub use error::take_error;
pub use memory::{alloc, alloc_scratch, allocated_bytes, dealloc};
use wasm_bindgen::prelude::*;

/// Routes every kernel through its scalar twin (for benchmarks comparing SIMD and scalar).
#[wasm_bindgen]
pub fn set_scalar_kernels(on: bool) {
    losskit_core::force_scalar_kernels(on);
}

/// `true` when this module was compiled with wasm simd128.
#[wasm_bindgen]
pub fn simd_enabled() -> bool {
    cfg!(target_feature = "simd128")
}

/// Runs once at instantiation: the first JS value handed across (an error's object)
/// makes wasm-bindgen allocate its reference table, a one-time runtime structure; doing it
/// here keeps it out of the allocation count that tests compare before and after calls.
#[wasm_bindgen(start)]
fn start() {
    drop(JsValue::from_str("losskit"));
}
