//! # pymetal-hal: the backend interface
//!
//! Portable, object-safe traits that the object model (`pymetal`) drives, and the
//! backends that implement them: `cpu` (always built), `cuda` (NVIDIA through the
//! driver API, loaded at run time). **Validation is the caller's job**: a backend
//! assumes indices, sizes and states were checked by `pymetal`, and treats a broken
//! precondition as a bug in core.
//!
//! Errors here cover only what core cannot foresee: out of memory, a missing compiler
//! or driver, a compile failure, a fault while a kernel ran.

use std::any::Any;
use std::sync::Arc;

pub mod abi;
pub mod blit;
#[cfg(feature = "cpu")]
pub mod cpu;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod format;
pub mod noop;
#[cfg(feature = "cpu")]
pub mod raster;
pub mod render;
pub mod texture;

pub use format::{FormatKind, PixelFormat};
pub use texture::{stage_tables, HostTexture, StageTables, TexelRegion, Texture, TextureDesc};

/// The message of a caught panic (for errors that report internal failures).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Which backend a device belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendKind {
    Cpu,
    Cuda,
    Apple,
}

/// Where a buffer's memory lives (Metal's MTLStorageMode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageMode {
    Shared,
    Managed,
    Private,
    Memoryless,
}

/// What a device reports about itself.
#[derive(Clone, Debug)]
pub struct DeviceInfo {
    pub name: String,
    pub backend: BackendKind,
    /// Index among devices of the same backend (`cuda:N`).
    pub ordinal: u32,
    pub registry_id: u64,
    pub max_threads_per_threadgroup: [u32; 3],
    pub max_total_threads_per_threadgroup: u32,
    pub thread_execution_width: u32,
    pub max_threadgroup_memory_length: u32,
    pub has_unified_memory: bool,
    pub recommended_max_working_set_size: u64,
    pub max_buffer_length: u64,
    pub is_low_power: bool,
    pub is_headless: bool,
    pub is_removable: bool,
}

/// Errors a backend can report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HalError {
    #[error("out of memory: could not allocate {bytes} bytes ({detail})")]
    OutOfMemory { bytes: u64, detail: String },
    /// A compile failure with diagnostics in the user's source.
    #[error("{0}")]
    Compile(msl::Diagnostic),
    /// The compiler itself is missing or failed to run (message says what to install).
    #[error("{0}")]
    CompilerUnavailable(String),
    #[error("failed to load compiled module: {0}")]
    Load(String),
    #[error("device error: {0}")]
    Device(String),
}

/// A fault while executing a command buffer.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExecError {
    pub message: String,
}

/// A device of some backend.
pub trait Device: Send + Sync + 'static {
    fn info(&self) -> &DeviceInfo;
    fn new_buffer(&self, length: usize, mode: StorageMode) -> Result<Arc<dyn Buffer>, HalError>;
    /// A buffer over `offset..offset+length` of `parent` (a buffer of this device), keeping
    /// `parent` alive: heaps sub-allocate their one allocation this way. The range is checked
    /// by the caller; the view has the parent's storage mode.
    fn new_sub_buffer(
        &self,
        parent: &Arc<dyn Buffer>,
        offset: usize,
        length: usize,
    ) -> Result<Arc<dyn Buffer>, HalError> {
        let _ = (parent, offset, length);
        Err(HalError::Device("this backend cannot create sub-buffers (heaps)".into()))
    }
    /// A zeroed texture (`desc` validated by the caller).
    fn new_texture(&self, desc: &TextureDesc) -> Result<Arc<dyn Texture>, HalError>;
    /// Compiles `entries` of `library` with `constants` baked in (blocking; call without the GIL).
    fn new_compute_pipeline(
        &self,
        library: &msl::Library,
        entry: &str,
        constants: &msl::ConstantValues,
    ) -> Result<Arc<dyn ComputePipeline>, HalError>;
    /// Compiles a vertex (and fragment) function with the pipeline's fixed-function state.
    fn new_render_pipeline(
        &self,
        desc: &render::RenderPipelineDesc<'_>,
    ) -> Result<Arc<dyn render::RenderPipeline>, HalError>;
    /// Compiles every entry point of a library once, so that errors surface at library
    /// creation as on Metal, and warms the cache for later pipelines.
    fn check_library(&self, library: &msl::Library) -> Result<(), HalError>;
    fn new_queue(&self) -> Result<Arc<dyn Queue>, HalError>;
    fn as_any(&self) -> &dyn Any;
}

/// Device memory.
pub trait Buffer: Send + Sync + 'static {
    fn length(&self) -> usize;
    fn storage_mode(&self) -> StorageMode;
    /// Host pointer to the contents, for Shared and Managed buffers (None for Private).
    fn contents(&self) -> Option<*mut u8>;
    /// The address kernels see (`gpu_address`).
    fn gpu_address(&self) -> u64;
    /// The host wrote `offset..offset+length` of a Managed buffer.
    fn did_modify_range(&self, offset: usize, length: usize);
    /// For buffers in GPU memory: (device pointer, CUDA device ordinal), for
    /// `__cuda_array_interface__` / `__dlpack__`. None for host-only backends.
    fn device_pointer(&self) -> Option<(u64, u32)> {
        None
    }
    fn as_any(&self) -> &dyn Any;
}

/// A compiled compute entry point.
pub trait ComputePipeline: Send + Sync + 'static {
    fn max_total_threads_per_threadgroup(&self) -> u32;
    fn thread_execution_width(&self) -> u32;
    fn static_threadgroup_memory_length(&self) -> u32;
    fn as_any(&self) -> &dyn Any;
}

/// A buffer bound at an index of an encoder.
#[derive(Clone)]
pub enum BufferBinding {
    Buffer {
        buffer: Arc<dyn Buffer>,
        offset: usize,
    },
    /// `set_bytes`: the data is copied at encoding time.
    Bytes(Arc<[u8]>),
}

impl BufferBinding {
    /// Bytes a kernel may access: from the offset to the end of the buffer, or the data.
    pub fn bound_length(&self) -> u64 {
        match self {
            BufferBinding::Buffer { buffer, offset } => buffer.length().saturating_sub(*offset) as u64,
            BufferBinding::Bytes(data) => data.len() as u64,
        }
    }
}

/// One step of a polling wait (the waiter of a command buffer, the CUDA completion thread):
/// a yield rather than a pure spin, so that on a machine whose cores are all busy (a BLAS
/// pool spinning after a numpy matmul) the thread being waited for still gets to run.
/// Measured on an H100 host, commit+wait of a tiny kernel while OpenBLAS spun: 50-300 µs
/// with pure spinning, 51 µs spinning the first 15 µs, 15-17 µs yielding (12-13 µs idle).
pub fn backoff() {
    std::thread::yield_now();
}

/// Shader validation: the bytes bound at each `[[buffer(i)]]` (`pm_dispatch.buffer_len`,
/// docs/abi.md §6), 0 where nothing is bound.
pub fn bound_lengths(buffers: &[Option<BufferBinding>]) -> [u64; abi::MAX_BUFFERS] {
    let mut out = [0u64; abi::MAX_BUFFERS];
    for (slot, b) in out.iter_mut().zip(buffers) {
        *slot = b.as_ref().map_or(0, BufferBinding::bound_length);
    }
    out
}

/// How a dispatch's grid was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grid {
    /// `dispatch_threadgroups`: whole groups.
    Threadgroups { groups: [u32; 3], threads_per_group: [u32; 3] },
    /// `dispatch_threads`: exact thread counts; edge groups are clipped.
    Threads { threads: [u32; 3], threads_per_group: [u32; 3] },
}

/// One compute dispatch with everything bound.
#[derive(Clone)]
pub struct Dispatch {
    pub pipeline: Arc<dyn ComputePipeline>,
    /// Index i = `[[buffer(i)]]`.
    pub buffers: Vec<Option<BufferBinding>>,
    /// `[[texture(i)]]`: index i (None: nothing bound).
    pub textures: Vec<Option<Arc<dyn Texture>>>,
    /// `[[sampler(i)]]`: index i.
    pub samplers: Vec<Option<abi::PmSampler>>,
    /// Index i = `[[threadgroup(i)]]` length in bytes (set_threadgroup_memory_length).
    pub threadgroup_memory: Vec<u32>,
    pub grid: Grid,
}

/// A recorded command, in encoding order.
#[derive(Clone)]
pub enum Command {
    Dispatch(Dispatch),
    CopyBuffer {
        src: Arc<dyn Buffer>,
        src_offset: usize,
        dst: Arc<dyn Buffer>,
        dst_offset: usize,
        size: usize,
    },
    FillBuffer {
        buffer: Arc<dyn Buffer>,
        offset: usize,
        length: usize,
        value: u8,
    },
    /// Managed buffers: make the host copy current (blit synchronize_resource).
    SynchronizeBuffer {
        buffer: Arc<dyn Buffer>,
    },
    /// Blit `copy_from_buffer_to_texture`: `region`'s linear memory starts at `src_offset`.
    CopyBufferToTexture {
        src: Arc<dyn Buffer>,
        src_offset: usize,
        dst: Arc<dyn Texture>,
        region: TexelRegion,
    },
    /// Blit `copy_from_texture_to_buffer`: `region`'s linear memory starts at `dst_offset`.
    CopyTextureToBuffer {
        src: Arc<dyn Texture>,
        dst: Arc<dyn Buffer>,
        dst_offset: usize,
        region: TexelRegion,
    },
    /// Blit texture-to-texture copy of `size` texels (formats equal, checked).
    CopyTexture {
        src: Arc<dyn Texture>,
        src_slice: u32,
        src_level: u32,
        src_origin: [u32; 3],
        dst: Arc<dyn Texture>,
        dst_slice: u32,
        dst_level: u32,
        dst_origin: [u32; 3],
        size: [u32; 3],
    },
    /// Blit `generate_mipmaps`: levels 1.. from level 0 by a 2×2(×2) box filter (in linear
    /// space for sRGB formats), every slice.
    GenerateMipmaps {
        texture: Arc<dyn Texture>,
        format: PixelFormat,
    },
    /// Blit `synchronize_texture` (Managed textures: make the host copy current).
    SynchronizeTexture {
        texture: Arc<dyn Texture>,
        slice: u32,
        level: u32,
    },
    /// A render pass (its draws in encoding order).
    RenderPass(Box<render::RenderPass>),
}

/// Called once when a submission has been scheduled, and once when it completed.
pub type ScheduledFn = Box<dyn FnOnce() + Send>;
pub type CompletedFn = Box<dyn FnOnce(Result<(), ExecError>) + Send>;

/// A committed command buffer's work.
pub struct Submission {
    pub commands: Vec<Command>,
    pub on_scheduled: ScheduledFn,
    pub on_completed: CompletedFn,
}

/// A command queue: runs submissions in order, asynchronously.
pub trait Queue: Send + Sync + 'static {
    fn submit(&self, work: Submission);
    fn as_any(&self) -> &dyn Any;
}

/// Every device this build can reach, CPU last (the first is the default).
pub fn enumerate_devices() -> Vec<Arc<dyn Device>> {
    let mut out: Vec<Arc<dyn Device>> = Vec::new();
    #[cfg(feature = "cuda")]
    out.extend(cuda::enumerate());
    #[cfg(feature = "cpu")]
    out.push(cpu::CpuDevice::shared());
    out
}
