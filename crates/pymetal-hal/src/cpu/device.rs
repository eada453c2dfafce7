//! The CPU device: one per process, with its own rayon pool sized to the cores.

use super::exec::Kernel;
use super::memory::CpuBuffer;
use super::pipeline;
use super::queue::CpuQueue;
use crate::{BackendKind, Buffer, ComputePipeline, Device, DeviceInfo, HalError, Queue, StorageMode};
use std::any::Any;
use std::sync::{Arc, OnceLock};

/// The CPU as a Metal device.
pub struct CpuDevice {
    info: DeviceInfo,
    pool: Option<Arc<rayon::ThreadPool>>,
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find(|l| l.starts_with("model name") || l.starts_with("Model") || l.starts_with("Hardware"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

fn physical_memory() -> u64 {
    // SAFETY: sysconf only reads system configuration.
    let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    if pages > 0 && size > 0 {
        pages as u64 * size as u64
    } else {
        8 << 30
    }
}

impl CpuDevice {
    fn new() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        // Without a pool (thread creation refused), dispatches run on the queue's thread.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("pymetal-cpu-{i}"))
            .build()
            .ok()
            .map(Arc::new);
        let ram = physical_memory();
        let info = DeviceInfo {
            name: format!("CPU ({}, {cores} core{})", cpu_model(), if cores == 1 { "" } else { "s" }),
            backend: BackendKind::Cpu,
            ordinal: 0,
            registry_id: 0x0000_c0de_0000_0001,
            max_threads_per_threadgroup: [1024, 1024, 1024],
            max_total_threads_per_threadgroup: 1024,
            thread_execution_width: 32,
            max_threadgroup_memory_length: 32768,
            has_unified_memory: true,
            recommended_max_working_set_size: ram,
            max_buffer_length: ram.min(1 << 40),
            is_low_power: false,
            is_headless: true,
            is_removable: false,
        };
        CpuDevice { info, pool }
    }

    /// The process's CPU device.
    pub fn shared() -> Arc<dyn Device> {
        Self::shared_cpu()
    }

    /// The process's CPU device, as its concrete type.
    pub fn shared_cpu() -> Arc<CpuDevice> {
        static DEVICE: OnceLock<Arc<CpuDevice>> = OnceLock::new();
        DEVICE.get_or_init(|| Arc::new(CpuDevice::new())).clone()
    }

    /// The worker pool that runs threadgroups (None: they run on the queue's thread).
    pub fn pool(&self) -> Option<&Arc<rayon::ThreadPool>> {
        self.pool.as_ref()
    }

    /// A pipeline from raw C++ that follows the kernel ABI (tests, tools): `entry` and
    /// `group` are the symbol names of `pm_entry_<k>` and, for barrier-free kernels,
    /// `pm_group_<k>`.
    pub fn pipeline_from_cpp(
        &self,
        source: &str,
        entry: &str,
        group: Option<&str>,
        fast_math: bool,
    ) -> Result<Arc<dyn ComputePipeline>, HalError> {
        let module = super::compile::compile_source(source, fast_math, None)?;
        let kernel = Kernel { entry: module.entry(entry)?, group: group.map(|g| module.entry(g)).transpose()? };
        Ok(Arc::new(pipeline::CpuPipeline::new(module, kernel, entry.to_string())))
    }
}

impl Device for CpuDevice {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn new_buffer(&self, length: usize, mode: StorageMode) -> Result<Arc<dyn Buffer>, HalError> {
        Ok(Arc::new(CpuBuffer::new(length, mode, self.info.max_buffer_length)?))
    }

    fn new_sub_buffer(
        &self,
        parent: &Arc<dyn Buffer>,
        offset: usize,
        length: usize,
    ) -> Result<Arc<dyn Buffer>, HalError> {
        CpuBuffer::new_view(parent, offset, length)
            .map(|b| Arc::new(b) as Arc<dyn Buffer>)
            .ok_or_else(|| HalError::Device("sub-buffer: parent is not a CPU buffer or the range exceeds it".into()))
    }

    fn new_texture(&self, desc: &crate::TextureDesc) -> Result<Arc<dyn crate::Texture>, HalError> {
        Ok(Arc::new(crate::HostTexture::new(desc)?))
    }

    fn new_render_pipeline(
        &self,
        desc: &crate::render::RenderPipelineDesc<'_>,
    ) -> Result<Arc<dyn crate::render::RenderPipeline>, HalError> {
        Ok(Arc::new(super::render::build(desc)?))
    }

    fn new_compute_pipeline(
        &self,
        library: &msl::Library,
        entry: &str,
        constants: &msl::ConstantValues,
    ) -> Result<Arc<dyn ComputePipeline>, HalError> {
        Ok(Arc::new(pipeline::build(library, entry, constants)?))
    }

    fn check_library(&self, library: &msl::Library) -> Result<(), HalError> {
        pipeline::check(library)
    }

    fn new_queue(&self) -> Result<Arc<dyn Queue>, HalError> {
        Ok(Arc::new(CpuQueue::new(self.pool.clone())?))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
