//! wasm-bindgen exports of `losskit-core`, used by the TypeScript layer in `ts/`.
//!
//! Thin by design: each export turns pointers into slices, calls one core function and
//! returns its result; no math lives here. Data crosses the boundary as pointers into
//! this module's linear memory: the TypeScript layer copies typed arrays into buffers it
//! allocates with [`alloc`], or passes the buffers of wasm-resident tensors directly
//! (zero copy). Every loss is exported twice, `<name>_f32` and `<name>_f64`.
//!
//! Errors are thrown as JS `Error`s carrying the core's stable `code`; user input never
//! panics, so the module keeps working after any error.

/// Defines a binding function generic over the element type `T` and exports it twice,
/// as `<name>_f32` and `<name>_f64`, so each signature is written once.
macro_rules! dtype_exports {
    ($f32:ident, $f64:ident = fn $generic:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        fn $generic<T: losskit_core::Real>($($arg: $ty),*) -> crate::error::JsResult<f64> $body
        #[wasm_bindgen::prelude::wasm_bindgen]
        pub fn $f32($($arg: $ty),*) -> crate::error::JsResult<f64> {
            $generic::<f32>($($arg),*)
        }
        #[wasm_bindgen::prelude::wasm_bindgen]
        pub fn $f64($($arg: $ty),*) -> crate::error::JsResult<f64> {
            $generic::<f64>($($arg),*)
        }
    };
}

mod classification;
mod error;
mod memory;
mod regression;

pub use memory::{alloc, allocated_bytes, dealloc};
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
