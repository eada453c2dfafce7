//! Every Rust error becomes the Python class of `pymetal.exceptions` its kind names; the
//! one helper for blocking calls releases the GIL and keeps panics out of Python.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pymetal::{Classify, ErrorKind};
use pyo3::prelude::*;

pyo3::import_exception!(pymetal.exceptions, MetalError);
pyo3::import_exception!(pymetal.exceptions, CompileError);
pyo3::import_exception!(pymetal.exceptions, PipelineError);
pyo3::import_exception!(pymetal.exceptions, ResourceError);
pyo3::import_exception!(pymetal.exceptions, ValidationError);

/// The Python exception for a `pymetal` error.
pub fn to_py<E: Classify>(e: E) -> PyErr {
    let msg = e.to_string();
    match e.kind() {
        ErrorKind::Validation => ValidationError::new_err(msg),
        ErrorKind::Compile => CompileError::new_err(msg),
        ErrorKind::Pipeline => PipelineError::new_err(msg),
        ErrorKind::Resource => ResourceError::new_err(msg),
        _ => MetalError::new_err(msg),
    }
}

/// `.py()` on results of `pymetal` calls.
pub trait PyResultExt<T> {
    fn py(self) -> PyResult<T>;
}

impl<T, E: Classify> PyResultExt<T> for Result<T, E> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// A `ValidationError` with `msg`.
pub fn validation(msg: impl Into<String>) -> PyErr {
    ValidationError::new_err(msg.into())
}

/// Runs `f` without the GIL (compile, pipeline creation, commit, waits); a panic inside
/// becomes a `MetalError`, and pending signals (Ctrl-C) are delivered afterwards.
pub fn blocking<T, E, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    E: Classify + Send,
    F: FnOnce() -> Result<T, E> + Send,
{
    let r = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    let out = match r {
        Ok(r) => r.py(),
        Err(p) => Err(MetalError::new_err(format!("internal error (please report): {}", panic_message(&p)))),
    };
    py.check_signals()?;
    out
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}
