//! Core errors → JS `Error` objects with a `code` property (the TypeScript layer rethrows
//! them as its `LossError`).

use losskit_core::{LossError, Reduction};
use wasm_bindgen::prelude::*;

/// A JS `Error` whose message is the core's and whose `code` is the stable code.
pub(crate) fn to_js(e: LossError) -> JsValue {
    let err = js_sys::Error::new(e.message());
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code().as_str().into());
    err.into()
}

/// Result type of every export.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// The reduction codes the TypeScript layer passes: 0 none, 1 mean, 2 sum, 3 batchmean.
pub(crate) fn reduction(code: u32) -> JsResult<Reduction> {
    Ok(match code {
        0 => Reduction::None,
        1 => Reduction::Mean,
        2 => Reduction::Sum,
        3 => Reduction::BatchMean,
        _ => {
            return Err(to_js(LossError::new(losskit_core::ErrorCode::InvalidOption, format!("reduction code {code} is not one of 0..=3"))))
        }
    })
}
