//! Host memory for noop buffers: zeroed, page-aligned.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::any::Any;

use crate::{Buffer, HalError, StorageMode};

const PAGE: usize = 4096;

/// A zero-initialised, page-aligned host allocation.
pub struct NoopBuffer {
    ptr: *mut u8,
    layout: Layout,
    length: usize,
    mode: StorageMode,
    /// Set for a view into another noop buffer (heap sub-allocation): it owns `ptr`'s memory
    /// and this buffer frees nothing.
    parent: Option<std::sync::Arc<dyn Buffer>>,
}

// SAFETY: the allocation is owned by the buffer and only reached through raw pointers whose
// synchronisation is the user's business, as with Metal's shared memory.
unsafe impl Send for NoopBuffer {}
// SAFETY: as above; the struct's own fields are immutable after creation.
unsafe impl Sync for NoopBuffer {}

impl NoopBuffer {
    pub fn new(length: usize, mode: StorageMode) -> Result<NoopBuffer, HalError> {
        let oom = |detail: &str| HalError::OutOfMemory { bytes: length as u64, detail: detail.into() };
        let size = length.max(1).checked_next_multiple_of(PAGE).ok_or_else(|| oom("size overflow"))?;
        let layout = Layout::from_size_align(size, PAGE).map_err(|_| oom("bad layout"))?;
        // SAFETY: `layout` has a non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        if ptr.is_null() {
            return Err(oom("host allocation failed"));
        }
        Ok(NoopBuffer { ptr, layout, length, mode, parent: None })
    }

    /// A view of `offset..offset+length` of `parent`; None when it is not a noop buffer or
    /// the range does not fit.
    pub fn new_view(parent: &std::sync::Arc<dyn Buffer>, offset: usize, length: usize) -> Option<NoopBuffer> {
        let p = parent.as_any().downcast_ref::<NoopBuffer>()?;
        if offset.checked_add(length)? > p.length {
            return None;
        }
        // SAFETY: the range lies inside the parent's allocation.
        let ptr = unsafe { p.ptr.add(offset) };
        Some(NoopBuffer { ptr, layout: p.layout, length, mode: p.mode, parent: Some(parent.clone()) })
    }

    /// The memory, whatever the storage mode (blits use it).
    pub fn ptr(&self) -> *mut u8 {
        self.ptr
    }
}

impl Drop for NoopBuffer {
    fn drop(&mut self) {
        if self.parent.is_none() {
            // SAFETY: `ptr` came from `alloc_zeroed(self.layout)` and is freed once.
            unsafe { dealloc(self.ptr, self.layout) }
        }
    }
}

impl Buffer for NoopBuffer {
    fn length(&self) -> usize {
        self.length
    }
    fn storage_mode(&self) -> StorageMode {
        self.mode
    }
    fn contents(&self) -> Option<*mut u8> {
        match self.mode {
            StorageMode::Shared | StorageMode::Managed => Some(self.ptr),
            StorageMode::Private | StorageMode::Memoryless => None,
        }
    }
    fn gpu_address(&self) -> u64 {
        self.ptr as u64
    }
    fn did_modify_range(&self, _offset: usize, _length: usize) {}
    fn as_any(&self) -> &dyn Any {
        self
    }
}
