//! # pymetal: the Metal object model in Rust
//!
//! The objects of Metal's compute API — [`Device`], [`CommandQueue`], [`CommandBuffer`],
//! [`ComputeCommandEncoder`], [`BlitCommandEncoder`], [`Buffer`], [`Library`], [`Function`],
//! [`ComputePipelineState`] — over the backends of `pymetal-hal` (cpu, cuda, apple, and
//! the `noop` backend used by tests).
//!
//! Every object is a cheap handle (an `Arc` inside): cloning shares the object, and `==`
//! compares identity. Children keep their parents alive (a queue its device, a command
//! buffer its queue).
//!
//! **Validation happens here, once**, before any backend is touched. Each operation has its
//! own error enum (`NewBufferError`, `EncodeError`, `DispatchError`, `CommitError`...) whose
//! messages follow the reference PyMetal ("ComputeCommandEncoder.set_buffer: buffer index 32
//! exceeds maximum (31)"). [`ErrorKind`] tells which Python exception class an error maps to.
//!
//! Nothing runs before [`CommandBuffer::commit`]: encoders record commands, `commit` hands
//! them to the queue's backend, and the status moves NotEnqueued → Enqueued → Committed →
//! Scheduled → Completed (or Error, with [`CommandBuffer::error`]).
//!
//! ```no_run
//! let device = pymetal::default_device().unwrap();
//! let queue = device.new_command_queue().unwrap();
//! let buf = device.new_buffer(1024, pymetal::ResourceOptions::STORAGE_MODE_SHARED).unwrap();
//! let cmd = queue.command_buffer();
//! let blit = cmd.blit_command_encoder().unwrap();
//! blit.fill_buffer(&buf, 0..1024, 7).unwrap();
//! blit.end_encoding().unwrap();
//! cmd.commit().unwrap();
//! cmd.wait_until_completed().unwrap();
//! ```

mod command;
mod device;
mod encoder;
mod fence;
mod heap;
mod layer;
mod library;
mod render_desc;
mod render_encoder;
mod render_pass;
mod render_state;
mod resource;
mod sampler;
mod texture;

#[cfg(test)]
mod layer_tests;
#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod tests;

pub use command::{
    CommandBuffer, CommandBufferStatus, CommandQueue, CommitError, NewCommandQueueError, NewEncoderError, WaitError,
};
pub use device::{default_device, devices, BackendName, Device, SelectDeviceError};
pub use encoder::{
    BlitCommandEncoder, ComputeCommandEncoder, DispatchError, EncodeError, TextureBlitError, TextureCopyError,
    MAX_BUFFER_INDEX, MAX_SAMPLER_INDEX, MAX_SET_BYTES, MAX_TEXTURE_INDEX,
};
pub use fence::Fence;
pub use heap::{
    heap_type, AlignmentError, Heap, HeapDescriptor, HeapResourceError, NewHeapError, HEAP_BUFFER_ALIGN,
    HEAP_TEXTURE_ALIGN,
};
pub use layer::{LayerError, MetalDrawable, MetalLayer, LAYER_PIXEL_FORMATS, NEXT_DRAWABLE_TIMEOUT};
pub use library::{ComputePipelineState, Function, FunctionType, Library, NewLibraryError, NewPipelineError};
pub use render_desc::{
    color_write_mask, DepthStencilDescriptor, RenderPassAttachmentDescriptor, RenderPassColorAttachmentDescriptor,
    RenderPassDepthAttachmentDescriptor, RenderPassDescriptor, RenderPassStencilAttachmentDescriptor,
    RenderPipelineColorAttachmentDescriptor, RenderPipelineDescriptor, StencilDescriptor, VertexAttributeDescriptor,
    VertexBufferLayoutDescriptor, VertexDescriptor,
};
pub use render_encoder::{DrawError, RenderCommandEncoder, RenderEncodeError, Stage};
pub use render_pass::NewRenderEncoderError;
pub use render_state::{
    vertex_format_info, AttributeKind, DepthStencilState, NewDepthStencilStateError, NewRenderPipelineError,
    RenderPipelineState,
};
pub use resource::{Buffer, ContentsError, ModifyRangeError, NewBufferError, ResourceOptions};
pub use sampler::{
    address_mode, border_color, min_mag_filter, mip_filter, NewSamplerError, SamplerDescriptor, SamplerState,
};
pub use texture::{
    full_mip_count, texture_usage, NewTextureError, PixelFormat, Texture, TextureDescriptor, TextureRegionError,
    TextureType,
};

pub use msl;
pub use pymetal_hal as hal;
pub use pymetal_hal::StorageMode;

/// Which exception class (of `pymetal.exceptions`) an error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Misuse caught by validation: `ValidationError`.
    Validation,
    /// Shader compilation: `CompileError`.
    Compile,
    /// Pipeline creation: `PipelineError`.
    Pipeline,
    /// Memory and resources: `ResourceError`.
    Resource,
    /// Anything else the device reported: `MetalError`.
    Device,
}

/// Implemented by every error of this crate.
pub trait Classify: std::error::Error {
    fn kind(&self) -> ErrorKind;
}

/// Locks a mutex, ignoring poisoning (a panicking completion handler must not wedge the
/// object it ran for).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
