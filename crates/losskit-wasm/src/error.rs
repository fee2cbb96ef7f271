//! Core errors → JS `Error` objects: the message is the core's detail, `code` the stable
//! code and `arg` the snake_case argument name; the TypeScript layer builds its
//! `LossError` message from them (ts/src/errors.ts).

use losskit_core::{ErrorCode, LossError, Reduction};
use wasm_bindgen::prelude::*;

/// A JS `Error` carrying the core error's detail, code and argument.
pub(crate) fn to_js(e: LossError) -> JsValue {
    let err = js_sys::Error::new(e.detail());
    // Setting properties on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code().as_str().into());
    if let Some(arg) = e.arg() {
        let _ = js_sys::Reflect::set(&err, &"arg".into(), &arg.into());
    }
    err.into()
}

/// The reduction of a wire code (0 none, 1 mean, 2 sum, 3 batchmean).
pub(crate) fn reduction(code: u32) -> losskit_core::Result<Reduction> {
    Reduction::from_code(code)
        .ok_or_else(|| LossError::new(ErrorCode::InvalidOption, "export", Some("reduction"), format!("code {code} is not one of 0..=3")))
}
