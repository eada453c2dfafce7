//! HeapDescriptor and Heap (MTLHeap): thin wrappers; sub-allocation and validation live in
//! `pymetal::Heap`.

use pyo3::prelude::*;

use crate::buffer_protocol;
use crate::device::Device;
use crate::enums;
use crate::errors::{validation, PyResultExt};
use crate::resource::Buffer;
use crate::texture::{Texture, TextureDescriptor};

fn storage_mode_from(v: u32) -> PyResult<pymetal::StorageMode> {
    Ok(match v {
        0 => pymetal::StorageMode::Shared,
        1 => pymetal::StorageMode::Managed,
        2 => pymetal::StorageMode::Private,
        3 => pymetal::StorageMode::Memoryless,
        _ => return Err(validation(format!("HeapDescriptor.storage_mode: {v} is not a StorageMode"))),
    })
}

/// Describes a heap (MTLHeapDescriptor). Defaults: size 0, Private, default cache mode.
#[pyclass(module = "pymetal")]
#[derive(Clone, Default)]
pub struct HeapDescriptor {
    pub inner: pymetal::HeapDescriptor,
}

#[pymethods]
impl HeapDescriptor {
    #[new]
    fn new() -> Self {
        Self::default()
    }
    #[staticmethod]
    fn heap_descriptor() -> Self {
        Self::default()
    }
    #[getter]
    fn size(&self) -> u64 {
        self.inner.size
    }
    #[setter]
    fn set_size(&mut self, v: u64) {
        self.inner.size = v;
    }
    #[getter]
    fn storage_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::storage_mode(py, self.inner.storage_mode)
    }
    #[setter]
    fn set_storage_mode(&mut self, v: u32) -> PyResult<()> {
        self.inner.storage_mode = storage_mode_from(v)?;
        Ok(())
    }
    #[getter]
    fn cpu_cache_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::member(py, "CPUCacheMode", self.inner.cpu_cache_mode as u32)
    }
    #[setter]
    fn set_cpu_cache_mode(&mut self, v: u64) {
        self.inner.cpu_cache_mode = v;
    }
    /// MTLHeapType: 0 automatic (the only one supported).
    #[getter(r#type)]
    fn heap_type(&self) -> u64 {
        self.inner.heap_type
    }
    #[setter(r#type)]
    fn set_heap_type(&mut self, v: u64) {
        self.inner.heap_type = v;
    }
}

/// One device allocation that buffers and textures are placed in (MTLHeap).
#[pyclass(module = "pymetal", frozen, weakref)]
pub struct Heap {
    pub inner: pymetal::Heap,
    device: Py<Device>,
}

pub fn new_heap(device: &Bound<'_, Device>, descriptor: &HeapDescriptor) -> PyResult<Heap> {
    let inner = device.get().inner.new_heap(&descriptor.inner).py()?;
    Ok(Heap { inner, device: device.clone().unbind() })
}

#[pymethods]
impl Heap {
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
    #[getter]
    fn size(&self) -> usize {
        self.inner.size()
    }
    #[getter]
    fn used_size(&self) -> usize {
        self.inner.used_size()
    }
    #[getter]
    fn current_allocated_size(&self) -> usize {
        self.inner.current_allocated_size()
    }
    #[getter]
    fn storage_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::storage_mode(py, self.inner.storage_mode())
    }
    #[getter]
    fn cpu_cache_mode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::member(py, "CPUCacheMode", self.inner.cpu_cache_mode() as u32)
    }
    /// The largest resource that fits now at `alignment` (a power of two).
    fn max_available_size(&self, alignment: u64) -> PyResult<usize> {
        self.inner.max_available_size(alignment).py()
    }
    /// A buffer inside the heap's memory, or None when it does not fit.
    #[pyo3(signature = (length, options=None))]
    fn new_buffer<'py>(
        &self,
        py: Python<'py>,
        length: usize,
        options: Option<u64>,
    ) -> PyResult<Option<Bound<'py, Buffer>>> {
        // Default: the heap's own storage mode (Metal requires them to match).
        let mode_bits = match self.inner.storage_mode() {
            pymetal::StorageMode::Shared => 0,
            pymetal::StorageMode::Managed => 1 << 4,
            pymetal::StorageMode::Private => 2 << 4,
            pymetal::StorageMode::Memoryless => 3 << 4,
        };
        let options = pymetal::ResourceOptions(options.unwrap_or(mode_bits | self.inner.cpu_cache_mode()));
        match self.inner.new_buffer(length, options).py()? {
            Some(b) => Ok(Some(buffer_protocol::new_buffer(py, Buffer::new(b, self.device.clone_ref(py)))?)),
            None => Ok(None),
        }
    }
    /// A texture counted against the heap, or None when it does not fit.
    fn new_texture(&self, py: Python<'_>, descriptor: PyRef<'_, TextureDescriptor>) -> PyResult<Option<Texture>> {
        Ok(self.inner.new_texture(&descriptor.inner).py()?.map(|t| Texture::new(t, self.device.clone_ref(py))))
    }
}
