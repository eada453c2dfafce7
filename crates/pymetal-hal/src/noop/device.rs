//! The noop device and its (empty) pipelines.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use super::memory::NoopBuffer;
use super::queue::NoopQueue;
use crate::{BackendKind, Buffer, ComputePipeline, Device, DeviceInfo, HalError, Queue, StorageMode};

/// A device that accepts everything and executes only blits.
pub struct NoopDevice {
    info: DeviceInfo,
}

impl NoopDevice {
    /// A new noop device (each call makes a distinct one).
    pub fn new() -> Arc<NoopDevice> {
        Arc::new(NoopDevice {
            info: DeviceInfo {
                name: "pymetal noop device".into(),
                // The HAL has no kind of its own for this backend; it behaves like host memory.
                backend: BackendKind::Cpu,
                ordinal: 0,
                registry_id: 0x6e6f6f70,
                max_threads_per_threadgroup: [1024, 1024, 64],
                max_total_threads_per_threadgroup: 1024,
                thread_execution_width: 32,
                max_threadgroup_memory_length: 32 * 1024,
                has_unified_memory: true,
                recommended_max_working_set_size: 1 << 30,
                max_buffer_length: 1 << 32,
                is_low_power: false,
                is_headless: true,
                is_removable: false,
            },
        })
    }

    /// One process-wide noop device.
    pub fn shared() -> Arc<dyn Device> {
        static DEV: OnceLock<Arc<NoopDevice>> = OnceLock::new();
        DEV.get_or_init(NoopDevice::new).clone()
    }
}

impl Device for NoopDevice {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn new_buffer(&self, length: usize, mode: StorageMode) -> Result<Arc<dyn Buffer>, HalError> {
        Ok(Arc::new(NoopBuffer::new(length, mode)?))
    }

    fn new_sub_buffer(
        &self,
        parent: &Arc<dyn Buffer>,
        offset: usize,
        length: usize,
    ) -> Result<Arc<dyn Buffer>, HalError> {
        NoopBuffer::new_view(parent, offset, length)
            .map(|b| Arc::new(b) as Arc<dyn Buffer>)
            .ok_or_else(|| HalError::Device("sub-buffer: parent is not a noop buffer or the range exceeds it".into()))
    }

    fn new_texture(&self, desc: &crate::TextureDesc) -> Result<Arc<dyn crate::Texture>, HalError> {
        Ok(Arc::new(crate::HostTexture::new(desc)?))
    }

    fn new_render_pipeline(
        &self,
        _desc: &crate::render::RenderPipelineDesc<'_>,
    ) -> Result<Arc<dyn crate::render::RenderPipeline>, HalError> {
        // Accepted (and never drawn), so that object-model tests can encode render passes.
        Ok(Arc::new(NoopRenderPipeline))
    }

    fn new_compute_pipeline(
        &self,
        _library: &msl::Library,
        _entry: &str,
        _constants: &msl::ConstantValues,
    ) -> Result<Arc<dyn ComputePipeline>, HalError> {
        Ok(Arc::new(NoopPipeline))
    }

    fn check_library(&self, _library: &msl::Library) -> Result<(), HalError> {
        Ok(())
    }

    fn new_queue(&self) -> Result<Arc<dyn Queue>, HalError> {
        Ok(Arc::new(NoopQueue))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A pipeline that does nothing when dispatched.
pub struct NoopPipeline;

impl ComputePipeline for NoopPipeline {
    fn max_total_threads_per_threadgroup(&self) -> u32 {
        1024
    }
    fn thread_execution_width(&self) -> u32 {
        32
    }
    fn static_threadgroup_memory_length(&self) -> u32 {
        0
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A render pipeline of the noop device (its passes run nothing).
pub struct NoopRenderPipeline;

impl crate::render::RenderPipeline for NoopRenderPipeline {
    fn as_any(&self) -> &dyn Any {
        self
    }
}
