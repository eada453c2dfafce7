//! Buffer: length, label, zero-copy numpy view of the contents.

use numpy::ndarray::ArrayView1;
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::device::Device;
use crate::enums;
use crate::errors::PyResultExt;

/// Device memory (MTLBuffer).
#[pyclass(module = "pymetal", frozen, weakref, subclass)]
pub struct Buffer {
    pub inner: pymetal::Buffer,
    device: Py<Device>,
}

impl Buffer {
    pub fn new(inner: pymetal::Buffer, device: Py<Device>) -> Self {
        Buffer { inner, device }
    }
}

#[pymethods]
impl Buffer {
    /// A writable 1-D uint8 numpy array over the buffer's memory (zero-copy; the array
    /// keeps the buffer alive). Raises ValidationError for Private buffers.
    fn contents<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let b = &slf.get().inner;
        let ptr = b.contents().py()?;
        // SAFETY: `ptr` points to `length()` bytes that live as long as the buffer; the
        // array's base object is the Buffer, so the memory outlives the array.
        let view = unsafe { ArrayView1::from_shape_ptr(b.length(), ptr as *const u8) };
        // SAFETY: as above: `slf` is the container that owns the memory.
        Ok(unsafe { PyArray1::borrow_from_array(&view, slf.clone().into_any()) })
    }

    /// The CPU wrote `offset..offset+length` of a Managed buffer.
    fn did_modify_range(&self, offset: u64, length: u64) -> PyResult<()> {
        self.inner.did_modify(offset, length).py()
    }

    #[getter]
    fn length(&self) -> usize {
        self.inner.length()
    }
    #[getter]
    fn gpu_address(&self) -> u64 {
        self.inner.gpu_address()
    }
    #[getter]
    fn storage_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::storage_mode(py, self.inner.storage_mode())
    }
    /// The ResourceOptions bits the buffer was made with.
    #[getter]
    fn resource_options(&self) -> u64 {
        self.inner.options().0
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> Py<Device> {
        self.device.clone_ref(py)
    }
    #[getter]
    fn label(&self) -> String {
        self.inner.label()
    }
    #[setter]
    fn set_label(&self, label: &str) {
        self.inner.set_label(label)
    }
    fn __len__(&self) -> usize {
        self.inner.length()
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.Buffer length={} storage_mode={:?}>", self.inner.length(), self.inner.storage_mode())
    }
}
