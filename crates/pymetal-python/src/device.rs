//! Device and the module-level device functions.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

use crate::buffer_protocol;
use crate::command::CommandQueue;
use crate::convert;
use crate::errors::{blocking, PyResultExt};
use crate::library::{ComputePipelineState, Function, Library};
use crate::resource::Buffer;
use crate::types::Size;

/// A GPU or the CPU (MTLDevice). Obtained from `create_system_default_device()` or
/// `copy_all_devices()`; one Python object per device.
#[pyclass(module = "pymetal", frozen)]
pub struct Device {
    pub inner: pymetal::Device,
}

static DEVICES: PyOnceLock<Vec<Py<Device>>> = PyOnceLock::new();

fn all_devices(py: Python<'_>) -> PyResult<&'static Vec<Py<Device>>> {
    DEVICES.get_or_try_init(py, || pymetal::devices().into_iter().map(|inner| Py::new(py, Device { inner })).collect())
}

/// The one Python object of `d`.
pub fn wrap(py: Python<'_>, d: &pymetal::Device) -> PyResult<Py<Device>> {
    if let Some(p) = all_devices(py)?.iter().find(|p| &p.get().inner == d) {
        return Ok(p.clone_ref(py));
    }
    Py::new(py, Device { inner: d.clone() })
}

/// The default device: `PYMETAL_DEVICE` (`cpu`, `cuda`, `cuda:N`, `metal`) if set, else the
/// first of `copy_all_devices()`.
#[pyfunction]
pub fn create_system_default_device(py: Python<'_>) -> PyResult<Py<Device>> {
    let d = pymetal::default_device().py()?;
    wrap(py, &d)
}

/// Every device this build can reach.
#[pyfunction]
pub fn copy_all_devices(py: Python<'_>) -> PyResult<Vec<Py<Device>>> {
    Ok(all_devices(py)?.iter().map(|d| d.clone_ref(py)).collect())
}

#[pymethods]
impl Device {
    fn new_command_queue(slf: &Bound<'_, Self>) -> PyResult<CommandQueue> {
        let q = slf.get().inner.new_command_queue().py()?;
        Ok(CommandQueue { inner: q, device: slf.clone().unbind() })
    }

    /// A sampler state as `descriptor` describes (ValidationError for bad values).
    fn new_sampler_state(
        slf: &Bound<'_, Self>,
        descriptor: PyRef<'_, crate::sampler::SamplerDescriptor>,
    ) -> PyResult<crate::sampler::SamplerState> {
        crate::sampler::new_sampler_state(slf, &descriptor)
    }

    /// A zero-filled texture as `descriptor` describes (ValidationError for bad descriptors).
    fn new_texture(
        slf: &Bound<'_, Self>,
        descriptor: PyRef<'_, crate::texture::TextureDescriptor>,
    ) -> PyResult<crate::texture::Texture> {
        let t = slf.get().inner.new_texture(&descriptor.inner).py()?;
        Ok(crate::texture::Texture::new(t, slf.clone().unbind()))
    }

    /// A zero-filled buffer of `length` bytes; `options` are ResourceOptions bits.
    #[pyo3(signature = (length, options=0))]
    fn new_buffer<'py>(slf: &Bound<'py, Self>, length: usize, options: u64) -> PyResult<Bound<'py, Buffer>> {
        let b = slf.get().inner.new_buffer(length, pymetal::ResourceOptions(options)).py()?;
        buffer_protocol::new_buffer(slf.py(), Buffer::new(b, slf.clone().unbind()))
    }

    /// A buffer holding a copy of `data` (bytes, bytearray, memoryview, numpy array, any
    /// buffer-protocol object). Called as `(data, options)` or, as the reference,
    /// `(data, length, options)` (copies the first `length` bytes).
    #[pyo3(signature = (data, *args, length=None, options=None))]
    fn new_buffer_with_data<'py>(
        slf: &Bound<'py, Self>,
        data: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        length: Option<usize>,
        options: Option<u64>,
    ) -> PyResult<Bound<'py, Buffer>> {
        let (length, options) = match args.len() {
            0 => (length, options.unwrap_or(0)),
            1 if options.is_none() => (length, args.get_item(0)?.extract()?),
            2 if options.is_none() && length.is_none() => {
                (Some(args.get_item(0)?.extract()?), args.get_item(1)?.extract()?)
            }
            _ => {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "new_buffer_with_data(data, options) or new_buffer_with_data(data, length, options)",
                ))
            }
        };
        let dev = &slf.get().inner;
        let opts = pymetal::ResourceOptions(options);
        let b = convert::with_bytes(data, |bytes| {
            let bytes = match length {
                Some(n) if n > bytes.len() => {
                    return Err(pymetal::NewBufferError::DataTooShort {
                        method: "Device.new_buffer_with_data",
                        length: n,
                        available: bytes.len(),
                    })
                }
                Some(n) => &bytes[..n],
                None => bytes,
            };
            dev.new_buffer_with_data(bytes, opts)
        })?
        .py()?;
        buffer_protocol::new_buffer(slf.py(), Buffer::new(b, slf.clone().unbind()))
    }

    /// Compiles MSL source (GIL released). `options`: None, a `CompileOptions`, or a dict
    /// `{"defines": {...}, "include_paths": [...], "fast_math": bool, "file_name": str}`.
    /// Raises CompileError with file:line:col and a caret.
    #[pyo3(signature = (source, options=None))]
    fn new_library_with_source(
        slf: &Bound<'_, Self>,
        source: &str,
        options: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Library> {
        let opts = convert::compile_options(options)?;
        let dev = slf.get().inner.clone();
        let source = source.to_string();
        let lib = blocking(slf.py(), move || dev.new_library_with_source(&source, &opts))?;
        Ok(Library { inner: lib, device: slf.clone().unbind() })
    }

    /// Compiles a kernel function for this device (GIL released); raises PipelineError.
    fn new_compute_pipeline_state(
        slf: &Bound<'_, Self>,
        function: &Bound<'_, Function>,
    ) -> PyResult<ComputePipelineState> {
        let dev = slf.get().inner.clone();
        let f = function.get().inner.clone();
        let p = blocking(slf.py(), move || dev.new_compute_pipeline_state(&f))?;
        Ok(ComputePipelineState { inner: p, device: slf.clone().unbind() })
    }

    /// Checks the descriptor and compiles its functions (GIL released); ValidationError for
    /// a bad descriptor, PipelineError when compilation fails.
    fn new_render_pipeline_state(
        slf: &Bound<'_, Self>,
        descriptor: PyRef<'_, crate::render_desc::RenderPipelineDescriptor>,
    ) -> PyResult<crate::render::RenderPipelineState> {
        let d = descriptor.to_rust(slf.py());
        let dev = slf.get().inner.clone();
        let p = blocking(slf.py(), move || dev.new_render_pipeline_state(&d))?;
        Ok(crate::render::RenderPipelineState { inner: p, device: slf.clone().unbind() })
    }

    /// A heap of `descriptor.size` bytes to place buffers and textures in.
    fn new_heap(
        slf: &Bound<'_, Self>,
        descriptor: PyRef<'_, crate::heap::HeapDescriptor>,
    ) -> PyResult<crate::heap::Heap> {
        crate::heap::new_heap(slf, &descriptor)
    }

    /// (size, align) a buffer of `length` bytes takes in a heap.
    #[pyo3(signature = (length, options=0))]
    fn heap_buffer_size_and_align(&self, length: u64, options: u64) -> (u64, u64) {
        let _ = options;
        self.inner.heap_buffer_size_and_align(length)
    }

    /// (size, align) a texture takes in a heap.
    fn heap_texture_size_and_align(
        &self,
        descriptor: PyRef<'_, crate::texture::TextureDescriptor>,
    ) -> PyResult<(u64, u64)> {
        self.inner.heap_texture_size_and_align(&descriptor.inner).ok_or_else(|| {
            crate::errors::validation("Device.heap_texture_size_and_align: unknown texture type or pixel format")
        })
    }

    /// A fence for `update_fence` / `wait_for_fence`.
    fn new_fence(slf: &Bound<'_, Self>) -> crate::fence::Fence {
        crate::fence::Fence { inner: slf.get().inner.new_fence(), device: slf.clone().unbind() }
    }

    /// Depth and stencil tests for `RenderCommandEncoder.set_depth_stencil_state`.
    fn new_depth_stencil_state(
        slf: &Bound<'_, Self>,
        descriptor: PyRef<'_, crate::render_desc::DepthStencilDescriptor>,
    ) -> PyResult<crate::render::DepthStencilState> {
        let d = descriptor.to_rust(slf.py());
        let s = slf.get().inner.new_depth_stencil_state(&d).py()?;
        Ok(crate::render::DepthStencilState { inner: s, device: slf.clone().unbind() })
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }
    /// Per-dimension maximum threads per threadgroup, as a Size.
    #[getter]
    fn max_threads_per_threadgroup(&self) -> Size {
        Size::from_array(self.inner.max_threads_per_threadgroup())
    }
    #[getter]
    fn max_threadgroup_memory_length(&self) -> u32 {
        self.inner.max_threadgroup_memory_length()
    }
    #[getter]
    fn is_low_power(&self) -> bool {
        self.inner.info().is_low_power
    }
    #[getter]
    fn is_headless(&self) -> bool {
        self.inner.info().is_headless
    }
    #[getter]
    fn is_removable(&self) -> bool {
        self.inner.info().is_removable
    }
    #[getter]
    fn has_unified_memory(&self) -> bool {
        self.inner.info().has_unified_memory
    }
    #[getter]
    fn registry_id(&self) -> u64 {
        self.inner.info().registry_id
    }
    #[getter]
    fn recommended_max_working_set_size(&self) -> u64 {
        self.inner.info().recommended_max_working_set_size
    }
    #[getter]
    fn max_buffer_length(&self) -> u64 {
        self.inner.max_buffer_length()
    }
    /// The backend: "cpu", "cuda", "metal" or "noop".
    #[getter]
    fn backend(&self) -> &'static str {
        self.inner.backend().as_str()
    }
    /// What `PYMETAL_DEVICE` would name this device ("cpu", "cuda:0", ...).
    #[getter]
    fn spec(&self) -> String {
        self.inner.spec()
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.Device {:?} ({})>", self.inner.name(), self.inner.spec())
    }
}
