//! Library, Function, ComputePipelineState and CompileOptions.

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::command::labelled_pymethods;
use crate::convert;
use crate::device::Device;
use crate::enums;

/// Options of `Device.new_library_with_source` (MTLCompileOptions plus include paths).
///
/// `CompileOptions(defines=None, include_paths=None, fast_math=False, file_name="<source>",
/// shader_validation=False)`; `defines` is a dict name → value (True → "1") or a list of names /
/// "NAME=VALUE" strings. `shader_validation` bounds-checks kernel buffer arguments (also on
/// for every library with `PYMETAL_SHADER_VALIDATION=1` or `MTL_SHADER_VALIDATION=1`).
#[pyclass(module = "pymetal", from_py_object)]
#[derive(Clone)]
pub struct CompileOptions {
    defines: Vec<(String, String)>,
    #[pyo3(get, set)]
    include_paths: Vec<PathBuf>,
    #[pyo3(get, set)]
    fast_math: bool,
    #[pyo3(get, set)]
    file_name: String,
    #[pyo3(get, set)]
    shader_validation: bool,
}

impl CompileOptions {
    pub fn to_msl(&self) -> PyResult<msl::Options> {
        Ok(msl::Options {
            file_name: self.file_name.clone(),
            defines: self.defines.clone(),
            include_paths: self.include_paths.clone(),
            fast_math: self.fast_math,
            shader_validation: self.shader_validation,
        })
    }
}

#[pymethods]
impl CompileOptions {
    #[new]
    #[pyo3(signature = (defines=None, include_paths=None, fast_math=false, file_name=None, shader_validation=false))]
    fn new(
        defines: Option<&Bound<'_, PyAny>>,
        include_paths: Option<&Bound<'_, PyAny>>,
        fast_math: bool,
        file_name: Option<String>,
        shader_validation: bool,
    ) -> PyResult<Self> {
        Ok(CompileOptions {
            defines: match defines {
                Some(d) => convert::defines(d)?,
                None => Vec::new(),
            },
            include_paths: match include_paths {
                Some(p) => convert::include_paths(p)?,
                None => Vec::new(),
            },
            fast_math,
            file_name: file_name.unwrap_or_else(|| "<source>".into()),
            shader_validation,
        })
    }

    /// The `-D` defines as a dict name → value (strings).
    #[getter]
    fn defines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        for (k, v) in &self.defines {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
    #[setter]
    fn set_defines(&mut self, d: &Bound<'_, PyAny>) -> PyResult<()> {
        self.defines = convert::defines(d)?;
        Ok(())
    }
    /// Adds `-D name=value` (value "1" by default); returns self for chaining.
    #[pyo3(signature = (name, value=None))]
    fn define<'py>(
        mut slf: PyRefMut<'py, Self>,
        name: String,
        value: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyRefMut<'py, Self>> {
        let value = match value {
            Some(v) => convert::define_value(v)?,
            None => "1".into(),
        };
        slf.defines.retain(|(n, _)| n != &name);
        slf.defines.push((name, value));
        Ok(slf)
    }
    fn __repr__(&self) -> String {
        format!(
            "CompileOptions(defines={:?}, include_paths={:?}, fast_math={}, file_name={:?}, shader_validation={})",
            self.defines, self.include_paths, self.fast_math, self.file_name, self.shader_validation
        )
    }
}

/// Compiled MSL source (MTLLibrary).
#[pyclass(module = "pymetal", frozen)]
pub struct Library {
    pub inner: pymetal::Library,
    pub device: Py<Device>,
}

labelled_pymethods! { Library, device = |lib| lib.device;
    /// The entry point `name` with `constant_values` (dict name-or-index → bool/int/float)
    /// for its function constants; None if the library has no such function.
    #[pyo3(signature = (name, constant_values=None))]
    fn new_function(
        slf: &Bound<'_, Self>,
        name: &str,
        constant_values: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<Function>> {
        let constants = convert::constant_values(constant_values)?;
        Ok(slf.get().inner.new_function(name, constants).map(|inner| Function { inner, library: slf.clone().unbind() }))
    }
    /// Names of the library's kernel, vertex and fragment functions.
    #[getter]
    fn function_names(&self) -> Vec<String> {
        self.inner.function_names()
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.Library functions={:?}>", self.inner.function_names())
    }
}

/// An entry point of a library (MTLFunction).
#[pyclass(module = "pymetal", frozen)]
pub struct Function {
    pub inner: pymetal::Function,
    library: Py<Library>,
}

#[pymethods]
impl Function {
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }
    #[getter]
    fn function_type<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::function_type(py, self.inner.function_type())
    }
    #[getter]
    fn library(&self, py: Python<'_>) -> Py<Library> {
        self.library.clone_ref(py)
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> Py<Device> {
        self.library.get().device.clone_ref(py)
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.Function {:?} {:?}>", self.inner.name(), self.inner.function_type())
    }
}

/// A kernel compiled for a device (MTLComputePipelineState).
#[pyclass(module = "pymetal", frozen)]
pub struct ComputePipelineState {
    pub inner: pymetal::ComputePipelineState,
    pub device: Py<Device>,
}

#[pymethods]
impl ComputePipelineState {
    #[getter]
    fn max_total_threads_per_threadgroup(&self) -> u32 {
        self.inner.max_total_threads_per_threadgroup()
    }
    #[getter]
    fn thread_execution_width(&self) -> u32 {
        self.inner.thread_execution_width()
    }
    #[getter]
    fn static_threadgroup_memory_length(&self) -> u32 {
        self.inner.static_threadgroup_memory_length()
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> Py<Device> {
        self.device.clone_ref(py)
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.ComputePipelineState {:?}>", self.inner.function().name())
    }
}
