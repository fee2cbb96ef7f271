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

std::thread_local! {
    /// The error of the last loss call that failed, until [`take_error`] collects it.
    static PENDING: std::cell::RefCell<Option<LossError>> = const { std::cell::RefCell::new(None) };
}

/// A loss export's return value: the loss, or NaN with the error kept for [`take_error`].
pub(crate) fn settle(result: losskit_core::Result<f64>) -> f64 {
    match result {
        Ok(v) => v,
        Err(e) => {
            PENDING.with(|p| *p.borrow_mut() = Some(e));
            f64::NAN
        }
    }
}

/// The error of the last failed loss call as a JS `Error` (see [`to_js`]), or `undefined`:
/// the TypeScript layer asks after a call returns NaN (a loss may also be NaN itself).
#[wasm_bindgen]
pub fn take_error() -> JsValue {
    PENDING.with(|p| p.borrow_mut().take()).map_or(JsValue::UNDEFINED, to_js)
}

/// The reduction of a wire code (0 none, 1 mean, 2 sum, 3 batchmean).
pub(crate) fn reduction(code: u32) -> losskit_core::Result<Reduction> {
    Reduction::from_code(code)
        .ok_or_else(|| LossError::new(ErrorCode::InvalidOption, "export", Some("reduction"), format!("code {code} is not one of 0..=3")))
}
