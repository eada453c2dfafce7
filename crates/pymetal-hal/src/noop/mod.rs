//! # noop: a backend that runs nothing
//!
//! For object-model tests and for builds with no real backend. Buffers are page-aligned
//! host memory (every storage mode; `contents()` is `None` for Private, as the trait
//! requires, but blits still reach the memory). Pipelines do nothing: a dispatch is
//! accepted and skipped. The queue runs each submission on the caller's thread, at once:
//! copies and fills are performed, dispatches ignored, then the scheduled and completed
//! callbacks are called in that order.

mod device;
mod memory;
mod queue;

pub use device::{NoopDevice, NoopPipeline};
pub use memory::NoopBuffer;
pub use queue::NoopQueue;
