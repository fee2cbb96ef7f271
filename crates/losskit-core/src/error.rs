//! The one error type of losskit. User input never panics: every check returns a
//! [`LossError`] whose [`code`](LossError::code) is stable (the TypeScript `LossError.code`)
//! and whose message names the argument, what was expected and what was given.

use core::fmt;

/// Stable error codes, shared with the TypeScript layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Two arguments' shapes or lengths disagree.
    ShapeMismatch,
    /// A target holds a value the loss cannot accept (class index out of range, ...).
    InvalidTarget,
    /// An option is out of its domain (negative beta, unknown reduction, ...).
    InvalidOption,
    /// An input value is outside the loss's domain where PyTorch raises (BCE input ∉ [0,1], negative var).
    InvalidInput,
    /// Arguments of different dtypes were mixed (raised by the TypeScript layer).
    DtypeMismatch,
    /// A disposed tensor was used (raised by the TypeScript layer).
    Disposed,
}

impl ErrorCode {
    /// The code string, e.g. `"SHAPE_MISMATCH"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ShapeMismatch => "SHAPE_MISMATCH",
            ErrorCode::InvalidTarget => "INVALID_TARGET",
            ErrorCode::InvalidOption => "INVALID_OPTION",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::DtypeMismatch => "DTYPE_MISMATCH",
            ErrorCode::Disposed => "DISPOSED",
        }
    }
}

/// An error from a loss call: a stable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossError {
    code: ErrorCode,
    message: String,
}

impl LossError {
    /// A new error; `message` should name the function, the argument, what was expected and what was given.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        LossError { code, message: message.into() }
    }
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for LossError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for LossError {}

/// `Result` with [`LossError`].
pub type Result<T> = core::result::Result<T, LossError>;

/// Fails with `SHAPE_MISMATCH` unless `got == expected`.
pub fn check_len(func: &str, arg: &str, got: usize, expected: usize, what: &str) -> Result<()> {
    if got == expected {
        Ok(())
    } else {
        Err(LossError::new(ErrorCode::ShapeMismatch, format!("{func}: {arg} must have {expected} elements ({what}) but has {got}")))
    }
}

/// Fails with `INVALID_OPTION` unless `ok`.
pub fn check_option(ok: bool, func: &str, message: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(LossError::new(ErrorCode::InvalidOption, format!("{func}: {}", message())))
    }
}
