//! The one error type of losskit. User input never panics: every check returns a
//! [`LossError`] with a stable [`code`](LossError::code) (the TypeScript `LossError.code`),
//! the function, the argument it is about ([`arg`](LossError::arg), snake_case: the
//! TypeScript layer maps it to its camelCase name) and a detail saying what was expected
//! and what was given.

use core::fmt;

/// Stable error codes, shared with the TypeScript layer (which adds its own for argument
/// kinds and dtypes, checked before any data reaches the core).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Two arguments' shapes disagree, or a shape does not fit its data.
    ShapeMismatch,
    /// A target holds a value the loss cannot accept (class index out of range, ...).
    InvalidTarget,
    /// An option is out of its domain (negative beta, a reduction the loss lacks, ...).
    InvalidOption,
    /// An input value is outside the loss's domain where PyTorch raises (BCE input ∉ [0,1], negative var).
    InvalidInput,
    /// A temporary the loss needs (a broadcast operand expanded to the input's length, ...)
    /// could not be allocated. Nothing stays allocated and the caller may go on.
    OutOfMemory,
}

impl ErrorCode {
    /// The code string, e.g. `"SHAPE_MISMATCH"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ShapeMismatch => "SHAPE_MISMATCH",
            ErrorCode::InvalidTarget => "INVALID_TARGET",
            ErrorCode::InvalidOption => "INVALID_OPTION",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::OutOfMemory => "OUT_OF_MEMORY",
        }
    }
}

/// An error from a loss call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossError {
    code: ErrorCode,
    func: &'static str,
    arg: Option<&'static str>,
    detail: String,
}

impl LossError {
    /// An error about argument `arg` of `func`; `detail` continues a sentence that starts
    /// with the argument's name ("has shape [2] but input has shape [3]").
    pub fn new(code: ErrorCode, func: &'static str, arg: Option<&'static str>, detail: impl Into<String>) -> Self {
        LossError { code, func, arg, detail: detail.into() }
    }
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
    /// The core function's name (snake_case).
    pub fn func(&self) -> &'static str {
        self.func
    }
    /// The argument or option the error is about (snake_case), if any.
    pub fn arg(&self) -> Option<&'static str> {
        self.arg
    }
    /// What was expected and what was given, following the argument's name.
    pub fn detail(&self) -> &str {
        &self.detail
    }
    /// The whole message: `"{func}: {arg} {detail}"`.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for LossError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.arg {
            Some(arg) => write!(f, "{}: {arg} {}", self.func, self.detail),
            None => write!(f, "{}: {}", self.func, self.detail),
        }
    }
}

impl std::error::Error for LossError {}

/// `Result` with [`LossError`].
pub type Result<T> = core::result::Result<T, LossError>;

/// Fails with `INVALID_OPTION` about `option` unless `ok`; the detail is built only on failure.
#[inline]
pub fn check_option(ok: bool, func: &'static str, option: &'static str, detail: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(LossError::new(ErrorCode::InvalidOption, func, Some(option), detail()))
    }
}
