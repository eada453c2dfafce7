//! CommandQueue, CommandBuffer and the compute and blit encoders.

use std::time::Duration;

use pyo3::prelude::*;

use crate::convert::{self, dim};
use crate::device::Device;
use crate::enums;
use crate::errors::{blocking, MetalError, PyResultExt};
use crate::library::ComputePipelineState;
use crate::resource::Buffer;
use crate::types::Range;

/// One `#[pymethods]` block for `$ty`: the methods given, plus the getters every labelled
/// object shares: `device` (the `Py<Device>` that `$device` reaches from `$this`, i.e. self)
/// and `label` / `set_label` over `self.inner`.
macro_rules! labelled_pymethods {
    ($ty:ty, device = |$this:ident| $device:expr; $($body:tt)*) => {
        #[pymethods]
        impl $ty {
            $($body)*
            #[getter]
            fn device(&self, py: Python<'_>) -> Py<Device> {
                let $this = self;
                $device.clone_ref(py)
            }
            #[getter]
            fn label(&self) -> String {
                self.inner.label()
            }
            #[setter]
            fn set_label(&self, label: &str) {
                self.inner.set_label(label)
            }
        }
    };
}
pub(crate) use labelled_pymethods;

/// `labelled_pymethods!` for an encoder: adds `end_encoding` and the `command_buffer` getter.
macro_rules! encoder_pymethods {
    ($ty:ty; $($body:tt)*) => {
        labelled_pymethods!($ty, device = |e| e.command_buffer.get().queue.get().device;
            $($body)*
            fn end_encoding(&self) -> PyResult<()> {
                self.inner.end_encoding().py()
            }
            #[getter]
            fn command_buffer(&self, py: Python<'_>) -> Py<CommandBuffer> {
                self.command_buffer.clone_ref(py)
            }
        );
    };
}
pub(crate) use encoder_pymethods;

/// Runs command buffers in commit order (MTLCommandQueue).
#[pyclass(module = "pymetal", frozen)]
pub struct CommandQueue {
    pub inner: pymetal::CommandQueue,
    pub device: Py<Device>,
}

labelled_pymethods! { CommandQueue, device = |q| q.device;
    fn command_buffer(slf: &Bound<'_, Self>) -> CommandBuffer {
        CommandBuffer { inner: slf.get().inner.command_buffer(), queue: slf.clone().unbind() }
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.CommandQueue label={:?}>", self.inner.label())
    }
}

/// Recorded GPU work, committed once (MTLCommandBuffer).
#[pyclass(module = "pymetal", frozen)]
pub struct CommandBuffer {
    pub inner: pymetal::CommandBuffer,
    pub(crate) queue: Py<CommandQueue>,
}

/// A Python callable run with the command buffer, on the backend's thread; exceptions
/// go to `sys.unraisablehook` (printed with their traceback).
fn python_handler(handler: Py<PyAny>, cb: Py<CommandBuffer>) -> impl FnOnce(&pymetal::CommandBuffer) + Send + 'static {
    move |_| {
        Python::attach(|py| {
            if let Err(e) = handler.call1(py, (cb.clone_ref(py),)) {
                e.write_unraisable(py, Some(handler.bind(py)));
            }
            drop(cb);
            drop(handler);
        })
    }
}

/// `handler` (which must be callable) wrapped by `python_handler` for the command buffer `slf`.
fn callable_handler(
    slf: &Bound<'_, CommandBuffer>,
    handler: Bound<'_, PyAny>,
) -> PyResult<impl FnOnce(&pymetal::CommandBuffer) + Send + 'static> {
    if !handler.is_callable() {
        return Err(pyo3::exceptions::PyTypeError::new_err("handler must be callable"));
    }
    Ok(python_handler(handler.unbind(), slf.clone().unbind()))
}

/// Three dispatch sizes checked by `dim` (each must fit in 32 bits), named `{prefix}x` etc.
fn dims3(prefix: &str, x: u64, y: u64, z: u64) -> PyResult<[u32; 3]> {
    Ok([dim(&format!("{prefix}x"), x)?, dim(&format!("{prefix}y"), y)?, dim(&format!("{prefix}z"), z)?])
}

/// Waits in short slices without the GIL, so that Ctrl-C interrupts a long wait.
fn wait(py: Python<'_>, cb: &pymetal::CommandBuffer, scheduled_only: bool) -> PyResult<()> {
    loop {
        let cb = cb.clone();
        if blocking(py, move || cb.wait_for_timeout(scheduled_only, Duration::from_millis(100)))? {
            return Ok(());
        }
    }
}

labelled_pymethods! { CommandBuffer, device = |cb| cb.queue.get().device;
    fn compute_command_encoder(slf: &Bound<'_, Self>) -> PyResult<ComputeCommandEncoder> {
        let e = slf.get().inner.compute_command_encoder().py()?;
        Ok(ComputeCommandEncoder { inner: e, command_buffer: slf.clone().unbind() })
    }
    fn blit_command_encoder(slf: &Bound<'_, Self>) -> PyResult<BlitCommandEncoder> {
        let e = slf.get().inner.blit_command_encoder().py()?;
        Ok(BlitCommandEncoder { inner: e, command_buffer: slf.clone().unbind() })
    }
    /// A render encoder for the pass `descriptor` describes (checked here: ValidationError).
    fn render_command_encoder(
        slf: &Bound<'_, Self>,
        descriptor: PyRef<'_, crate::render_pass::RenderPassDescriptor>,
    ) -> PyResult<crate::render::RenderCommandEncoder> {
        let d = descriptor.to_rust(slf.py());
        let e = slf.get().inner.render_command_encoder(&d).py()?;
        Ok(crate::render::RenderCommandEncoder { inner: e, command_buffer: slf.clone().unbind() })
    }
    /// Reserves the buffer's place in its queue.
    fn enqueue(&self) -> PyResult<()> {
        self.inner.enqueue().py()
    }
    /// Submits the recorded work (GIL released).
    fn commit(&self, py: Python<'_>) -> PyResult<()> {
        let cb = self.inner.clone();
        blocking(py, move || cb.commit())
    }
    /// Blocks until the work completed or failed (GIL released); see `status` and `error`.
    fn wait_until_completed(&self, py: Python<'_>) -> PyResult<()> {
        wait(py, &self.inner, false)
    }
    /// Blocks until the work is scheduled (GIL released).
    fn wait_until_scheduled(&self, py: Python<'_>) -> PyResult<()> {
        wait(py, &self.inner, true)
    }
    /// Calls `handler(command_buffer)` once the work completed (at once if it has).
    fn add_completed_handler(slf: &Bound<'_, Self>, handler: Bound<'_, PyAny>) -> PyResult<()> {
        let h = callable_handler(slf, handler)?;
        let cb = slf.get().inner.clone();
        slf.py().detach(move || cb.add_completed_handler(h));
        Ok(())
    }
    /// Calls `handler(command_buffer)` once the work is scheduled (at once if it is).
    fn add_scheduled_handler(slf: &Bound<'_, Self>, handler: Bound<'_, PyAny>) -> PyResult<()> {
        let h = callable_handler(slf, handler)?;
        let cb = slf.get().inner.clone();
        slf.py().detach(move || cb.add_scheduled_handler(h));
        Ok(())
    }
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::status(py, self.inner.status())
    }
    /// The fault that put the buffer in status Error, as a MetalError (None otherwise).
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.inner.error().map(|e| MetalError::new_err(e.message).into_value(py).into_any())
    }
    /// Presents `drawable` once this command buffer completes (call before commit).
    fn present_drawable(&self, drawable: &Bound<'_, crate::layer::MetalDrawable>) -> PyResult<()> {
        self.inner.present_drawable(&drawable.get().inner).py()
    }
    #[getter]
    fn command_queue(&self, py: Python<'_>) -> Py<CommandQueue> {
        self.queue.clone_ref(py)
    }
    fn __repr__(&self) -> String {
        format!("<pymetal.CommandBuffer status={:?}>", self.inner.status())
    }
}

/// Records compute dispatches (MTLComputeCommandEncoder).
#[pyclass(module = "pymetal", frozen)]
pub struct ComputeCommandEncoder {
    inner: pymetal::ComputeCommandEncoder,
    command_buffer: Py<CommandBuffer>,
}

encoder_pymethods! { ComputeCommandEncoder;
    fn set_compute_pipeline_state(&self, state: &Bound<'_, ComputePipelineState>) -> PyResult<()> {
        self.inner.set_compute_pipeline_state(&state.get().inner).py()
    }
    /// Binds `buffer` from `offset` at `[[buffer(index)]]` (index 0..31).
    fn set_buffer(&self, buffer: &Bound<'_, Buffer>, offset: u64, index: u64) -> PyResult<()> {
        self.inner.set_buffer(&buffer.get().inner, offset, index).py()
    }
    /// Changes the offset of the buffer bound at `index`.
    fn set_buffer_offset(&self, offset: u64, index: u64) -> PyResult<()> {
        self.inner.set_buffer_offset(offset, index).py()
    }
    /// Copies `data` (bytes-like or numpy array, at most 4096 bytes) for `[[buffer(index)]]`.
    fn set_bytes(&self, data: &Bound<'_, PyAny>, index: u64) -> PyResult<()> {
        convert::with_bytes(data, |b| self.inner.set_bytes(b, index))?.py()
    }
    /// Binds `texture` at `[[texture(index)]]` (index 0..31).
    fn set_texture(&self, texture: &Bound<'_, crate::texture::Texture>, index: u64) -> PyResult<()> {
        self.inner.set_texture(&texture.get().inner, index).py()
    }
    /// Binds `sampler` at `[[sampler(index)]]` (index 0..16).
    fn set_sampler_state(&self, sampler: &Bound<'_, crate::sampler::SamplerState>, index: u64) -> PyResult<()> {
        self.inner.set_sampler_state(&sampler.get().inner, index).py()
    }
    /// Sizes the `[[threadgroup(index)]]` argument in bytes.
    fn set_threadgroup_memory_length(&self, length: u64, index: u64) -> PyResult<()> {
        self.inner.set_threadgroup_memory_length(length, index).py()
    }
    #[allow(clippy::too_many_arguments)]
    fn dispatch_threadgroups(
        &self,
        threadgroups_x: u64,
        threadgroups_y: u64,
        threadgroups_z: u64,
        threads_x: u64,
        threads_y: u64,
        threads_z: u64,
    ) -> PyResult<()> {
        let groups = dims3("threadgroups_", threadgroups_x, threadgroups_y, threadgroups_z)?;
        let threads = dims3("threads_", threads_x, threads_y, threads_z)?;
        self.inner.dispatch_threadgroups(groups, threads).py()
    }
    #[allow(clippy::too_many_arguments)]
    fn dispatch_threads(
        &self,
        threads_x: u64,
        threads_y: u64,
        threads_z: u64,
        threads_per_group_x: u64,
        threads_per_group_y: u64,
        threads_per_group_z: u64,
    ) -> PyResult<()> {
        let threads = dims3("threads_", threads_x, threads_y, threads_z)?;
        let tg = dims3("threads_per_group_", threads_per_group_x, threads_per_group_y, threads_per_group_z)?;
        self.inner.dispatch_threads(threads, tg).py()
    }
}

/// Records buffer copies and fills (MTLBlitCommandEncoder).
#[pyclass(module = "pymetal", frozen)]
pub struct BlitCommandEncoder {
    inner: pymetal::BlitCommandEncoder,
    command_buffer: Py<CommandBuffer>,
}

/// A `Range` or a `(location, length)` tuple.
fn range_arg(r: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
    if let Ok(r) = r.cast::<Range>() {
        let r = r.borrow();
        return Ok((r.location, r.length));
    }
    r.extract::<(u64, u64)>()
        .map_err(|_| pyo3::exceptions::PyTypeError::new_err("range must be a pymetal.Range or (location, length)"))
}

encoder_pymethods! { BlitCommandEncoder;
    fn copy_from_buffer(
        &self,
        source_buffer: &Bound<'_, Buffer>,
        source_offset: usize,
        destination_buffer: &Bound<'_, Buffer>,
        destination_offset: usize,
        size: usize,
    ) -> PyResult<()> {
        let (src, dst) = (&source_buffer.get().inner, &destination_buffer.get().inner);
        self.inner.copy_from_buffer(src, source_offset, dst, destination_offset, size).py()
    }
    /// Sets every byte of `range` (a Range or (location, length)) to `value`.
    fn fill_buffer(&self, buffer: &Bound<'_, Buffer>, range: &Bound<'_, PyAny>, value: u8) -> PyResult<()> {
        let (loc, len) = range_arg(range)?;
        let end = loc
            .checked_add(len)
            .ok_or_else(|| crate::errors::validation("BlitCommandEncoder.fill_buffer: range overflows"))?;
        self.inner.fill_buffer(&buffer.get().inner, loc as usize..end as usize, value).py()
    }
    /// Copies a box of texels into linear memory of a buffer (origin: Origin or tuple,
    /// size: Size or tuple).
    #[allow(clippy::too_many_arguments)]
    fn copy_from_texture_to_buffer(
        &self,
        source_texture: &Bound<'_, crate::texture::Texture>,
        source_slice: u64,
        source_level: u64,
        source_origin: &Bound<'_, PyAny>,
        source_size: &Bound<'_, PyAny>,
        destination_buffer: &Bound<'_, Buffer>,
        destination_offset: u64,
        destination_bytes_per_row: u64,
        destination_bytes_per_image: u64,
    ) -> PyResult<()> {
        let origin = crate::texture::origin_arg(source_origin)?;
        let size = crate::texture::size_arg(source_size)?;
        self.inner
            .copy_from_texture_to_buffer(
                &source_texture.get().inner,
                source_slice,
                source_level,
                origin,
                size,
                &destination_buffer.get().inner,
                destination_offset,
                destination_bytes_per_row,
                destination_bytes_per_image,
            )
            .py()
    }
    /// Copies linear memory of a buffer into a box of texels.
    #[allow(clippy::too_many_arguments)]
    fn copy_from_buffer_to_texture(
        &self,
        source_buffer: &Bound<'_, Buffer>,
        source_offset: u64,
        source_bytes_per_row: u64,
        source_bytes_per_image: u64,
        source_size: &Bound<'_, PyAny>,
        destination_texture: &Bound<'_, crate::texture::Texture>,
        destination_slice: u64,
        destination_level: u64,
        destination_origin: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let size = crate::texture::size_arg(source_size)?;
        let origin = crate::texture::origin_arg(destination_origin)?;
        self.inner
            .copy_from_buffer_to_texture(
                &source_buffer.get().inner,
                source_offset,
                source_bytes_per_row,
                source_bytes_per_image,
                size,
                &destination_texture.get().inner,
                destination_slice,
                destination_level,
                origin,
            )
            .py()
    }
    fn synchronize_resource(&self, resource: &Bound<'_, Buffer>) -> PyResult<()> {
        self.inner.synchronize_resource(&resource.get().inner).py()
    }
    /// Copies texels between textures: a box (source_texture, source_slice, source_level,
    /// source_origin, source_size, destination_texture, destination_slice,
    /// destination_level, destination_origin), whole slices and levels (source_texture,
    /// source_slice, source_level, destination_texture, destination_slice,
    /// destination_level, slice_count, level_count), or all of them (source_texture,
    /// destination_texture).
    #[pyo3(signature = (*args, **kwargs))]
    fn copy_from_texture(
        &self,
        args: &Bound<'_, pyo3::types::PyTuple>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<()> {
        crate::texture_blit::copy_from_texture(&self.inner, args, kwargs)
    }
    /// Fills mip levels 1.. of every slice from level 0 (box filter; linear space for sRGB).
    fn generate_mipmaps(&self, texture: &Bound<'_, crate::texture::Texture>) -> PyResult<()> {
        self.inner.generate_mipmaps(&texture.get().inner).py()
    }
    /// Makes (slice, level) of a Managed texture current for the CPU (no-op otherwise).
    fn synchronize_texture(&self, texture: &Bound<'_, crate::texture::Texture>, slice: u64, level: u64) -> PyResult<()> {
        self.inner.synchronize_texture(&texture.get().inner, slice, level).py()
    }
}
