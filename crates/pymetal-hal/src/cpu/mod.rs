//! CPU backend: MSL kernels compiled to native code by the system C++ compiler and run on
//! every core.
//!
//! - [`compile`]: compiler discovery, the on-disk `.so` cache, the in-process memo.
//! - [`pipeline`]: library → emitted C++ → module → `pm_entry_<k>`/`pm_group_<k>`.
//! - [`exec`]: one dispatch: the `pm_dispatch` block, groups spread over the device's rayon
//!   pool in chunks, per-worker arenas. Barrier-free kernels run a group per call of the
//!   generated plain loop; the others run their threads as fibers ([`fiber`]), with
//!   threadgroup barriers over the group and SIMD-group barriers over 32 threads, and
//!   returned threads counted as arrived.
//! - [`memory`]: page-aligned zeroed host memory for buffers (all storage modes).
//! - [`queue`]: a worker thread per queue that runs submissions in order.
//! - [`render`]: render pipelines (stage functions for the rasterizer in [`crate::raster`]).

pub mod compile;
mod device;
pub mod diag;
pub mod exec;
pub mod fiber;
pub mod guard;
pub mod memory;
pub mod pipeline;
pub mod queue;
pub mod render;

pub use device::CpuDevice;
pub use memory::{live_buffer_bytes, live_buffers, CpuBuffer};
pub use pipeline::CpuPipeline;
pub use queue::{live_queue_threads, CpuQueue};
pub use render::CpuRenderPipeline;
