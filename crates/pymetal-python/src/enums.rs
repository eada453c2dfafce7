//! Enum values returned to Python are members of the IntEnums in `pymetal.enums`.

use pyo3::prelude::*;

/// `pymetal.enums.<class>(value)`.
pub fn member<'py>(py: Python<'py>, class: &str, value: u32) -> PyResult<Bound<'py, PyAny>> {
    py.import("pymetal.enums")?.getattr(class)?.call1((value,))
}

pub fn status<'py>(py: Python<'py>, s: pymetal::CommandBufferStatus) -> PyResult<Bound<'py, PyAny>> {
    member(py, "CommandBufferStatus", s as u32)
}

pub fn function_type<'py>(py: Python<'py>, t: pymetal::FunctionType) -> PyResult<Bound<'py, PyAny>> {
    member(py, "FunctionType", t as u32)
}

pub fn storage_mode<'py>(py: Python<'py>, m: pymetal::StorageMode) -> PyResult<Bound<'py, PyAny>> {
    let v = match m {
        pymetal::StorageMode::Shared => 0,
        pymetal::StorageMode::Managed => 1,
        pymetal::StorageMode::Private => 2,
        pymetal::StorageMode::Memoryless => 3,
    };
    member(py, "StorageMode", v)
}
