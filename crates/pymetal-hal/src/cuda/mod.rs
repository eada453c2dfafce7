//! # CUDA backend
//!
//! NVIDIA GPUs through the driver API (`cudarc`, loaded at run time: the build needs no
//! CUDA toolkit, and a machine without a driver simply lists no CUDA device) and NVRTC
//! through our own loader ([`nvrtc`]). Mapping decisions:
//!
//! - **Devices** ([`device`]): one per GPU, on its primary context. Start-up checks that
//!   libcuda exists and has every symbol we call before the first cudarc call (cudarc panics
//!   otherwise), and is wrapped in `catch_unwind`; failures become
//!   [`unavailable_reason`]. Threadgroup limits are Apple's (1024 threads, SIMD width 32);
//!   `max_threadgroup_memory_length` is the opt-in dynamic shared memory per block.
//! - **Compile** ([`compile`]): `msl::emit(Target::Cuda)` → NVRTC with `-default-device
//!   -std=c++17 --gpu-architecture=sm_XY -w` → CUBIN for the device's own architecture
//!   (PTX only as a fallback, and only when NVRTC is not newer than the driver, since newer
//!   PTX fails to load). Memoised per device and cached on disk by sha256 of (source,
//!   options, NVRTC version, arch). NVRTC errors are mapped to the user's file and line.
//! - **Memory** ([`memory`]): Private → `cuMemAlloc`; Shared → `cuMemAllocManaged`, refused
//!   beyond the free device memory, prefetched to the GPU at commit; Managed → host copy
//!   (pinned by registration) + device copy, uploaded at commit after `did_modify_range`,
//!   downloaded by `SynchronizeBuffer`. New buffers read as zero.
//! - **Textures** ([`texture`]): one managed allocation per texture (any storage mode) in
//!   the host linear layout, refused beyond the free device memory like Shared buffers and
//!   remapped as zeros after a reset like them; `contents()` is also the kernels'
//!   `pm_texture.data`. Blits between buffers and textures are stream-ordered
//!   `cuMemcpy2DAsync` copies; copies within one texture and mipmap generation run on the
//!   host after a stream sync. A dispatch that binds textures or samplers gets its
//!   `[pm_texture; 32]` / `[pm_sampler; 16]` tables in the `set_bytes` staging block.
//! - **Render passes** ([`render`]): pipelines are CPU render pipelines (stage functions
//!   compiled for the host); the queue syncs its stream and runs the software rasterizer
//!   over managed memory. Buffers bound to draws must be Shared or Managed.
//! - **Queues** ([`queue`]): one blocking CUDA stream per queue; `submit` launches every
//!   command on the calling thread: `pm_dispatch` passed by value, `set_bytes` data copied
//!   into one pinned staging block per submission (reused) and uploaded once; dynamic
//!   shared memory = the `[[threadgroup(i)]]` lengths rounded to 16, with the function's
//!   limit raised above 48 KB when needed. An event per submission (pooled) is waited on by
//!   the queue's waiter thread, which calls the completion handler in order.
//! - **Faults**: illegal addresses, traps and asserts are sticky in CUDA: the whole context
//!   is unusable. The waiter that sees one reports it to that command buffer, then resets
//!   the primary context and bumps the device's generation. Submissions in flight fail
//!   with the same cause; buffers of the old generation are lost (using one fails the
//!   command buffer with a message saying so; Shared contents are remapped as zeros so
//!   host views do not crash); pipelines reload their code and queues recreate their
//!   stream on next use, so the device keeps working with new buffers.

pub mod compile;
pub mod device;
mod grid;
pub mod memory;
pub mod nvrtc;
pub mod queue;
pub mod render;
mod staging;
pub mod texture;

#[cfg(test)]
mod gpu_tests;

pub use compile::CudaPipeline;
pub use device::{enumerate, unavailable_reason, CudaDevice};
pub use memory::CudaBuffer;
pub use queue::CudaQueue;
pub use texture::CudaTexture;
