//! Buffers and resource options.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use pymetal_hal as hal;
use pymetal_hal::StorageMode;

use crate::device::Device;
use crate::{lock, Classify, ErrorKind};

/// Metal's MTLResourceOptions bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ResourceOptions(pub u64);

impl ResourceOptions {
    pub const CPU_CACHE_MODE_DEFAULT_CACHE: ResourceOptions = ResourceOptions(0);
    pub const CPU_CACHE_MODE_WRITE_COMBINED: ResourceOptions = ResourceOptions(1);
    pub const STORAGE_MODE_SHARED: ResourceOptions = ResourceOptions(0);
    pub const STORAGE_MODE_MANAGED: ResourceOptions = ResourceOptions(1 << 4);
    pub const STORAGE_MODE_PRIVATE: ResourceOptions = ResourceOptions(2 << 4);
    pub const STORAGE_MODE_MEMORYLESS: ResourceOptions = ResourceOptions(3 << 4);
    pub const HAZARD_TRACKING_MODE_DEFAULT: ResourceOptions = ResourceOptions(0);
    pub const HAZARD_TRACKING_MODE_UNTRACKED: ResourceOptions = ResourceOptions(1 << 8);
    pub const HAZARD_TRACKING_MODE_TRACKED: ResourceOptions = ResourceOptions(2 << 8);

    /// The storage mode bits (4..8); None for a value Metal does not define.
    pub fn storage_mode(self) -> Option<StorageMode> {
        match (self.0 >> 4) & 0xf {
            0 => Some(StorageMode::Shared),
            1 => Some(StorageMode::Managed),
            2 => Some(StorageMode::Private),
            3 => Some(StorageMode::Memoryless),
            _ => None,
        }
    }

    /// The CPU cache mode bits (0..4): 0 default, 1 write-combined.
    pub fn cpu_cache_mode(self) -> u64 {
        self.0 & 0xf
    }

    /// The hazard tracking mode bits (8..10).
    pub fn hazard_tracking_mode(self) -> u64 {
        (self.0 >> 8) & 0x3
    }
}

impl std::ops::BitOr for ResourceOptions {
    type Output = ResourceOptions;
    fn bitor(self, rhs: Self) -> Self {
        ResourceOptions(self.0 | rhs.0)
    }
}

/// Why a buffer could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewBufferError {
    #[error("{method}: length must be greater than 0")]
    ZeroLength { method: &'static str },
    #[error("{method}: length {length} exceeds the device's max_buffer_length ({max})")]
    TooLarge { method: &'static str, length: u64, max: u64 },
    #[error("{method}: options {options:#x} name no storage mode (use ResourceStorageModeShared, Managed or Private)")]
    InvalidStorageMode { method: &'static str, options: u64 },
    #[error("{method}: buffers cannot use ResourceStorageModeMemoryless (only render targets can)")]
    Memoryless { method: &'static str },
    #[error("{method}: options {options:#x} have invalid CPU cache mode or hazard tracking bits")]
    InvalidOptions { method: &'static str, options: u64 },
    #[error("{method}: length {length} exceeds the size of the data ({available} bytes)")]
    DataTooShort { method: &'static str, length: usize, available: usize },
    #[error("{method}: {source}")]
    Device { method: &'static str, source: Box<hal::HalError> },
}

impl Classify for NewBufferError {
    fn kind(&self) -> ErrorKind {
        match self {
            NewBufferError::Device { .. } => ErrorKind::Resource,
            _ => ErrorKind::Validation,
        }
    }
}

/// `contents()` of a buffer the CPU cannot reach.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContentsError {
    #[error(
        "Buffer.contents: the buffer's storage mode is {mode:?}; its memory is not accessible from the CPU \
         (copy it to a Shared buffer with a blit encoder)"
    )]
    NotCpuAccessible { mode: StorageMode },
}

impl Classify for ContentsError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// `did_modify_range` outside the buffer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModifyRangeError {
    #[error("Buffer.did_modify_range: range {offset}..{end} exceeds the buffer's length ({length})")]
    OutOfBounds { offset: usize, end: u128, length: usize },
}

impl Classify for ModifyRangeError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Device memory. Cheap to clone; `==` is identity.
#[derive(Clone)]
pub struct Buffer(Arc<BufferInner>);

struct BufferInner {
    hal: Arc<dyn hal::Buffer>,
    device: Device,
    options: ResourceOptions,
    label: Mutex<String>,
    /// Set for a buffer placed in a heap: its range, returned when the buffer goes.
    heap: Option<crate::heap::HeapAllocation>,
}

impl PartialEq for Buffer {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Buffer {}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Buffer(length={}, storage_mode={:?})", self.length(), self.storage_mode())
    }
}

impl Buffer {
    pub(crate) fn new(
        device: &Device,
        length: usize,
        options: ResourceOptions,
        method: &'static str,
    ) -> Result<Buffer, NewBufferError> {
        if length == 0 {
            return Err(NewBufferError::ZeroLength { method });
        }
        let max = device.max_buffer_length();
        if length as u64 > max {
            return Err(NewBufferError::TooLarge { method, length: length as u64, max });
        }
        let mode = options.storage_mode().ok_or(NewBufferError::InvalidStorageMode { method, options: options.0 })?;
        if mode == StorageMode::Memoryless {
            return Err(NewBufferError::Memoryless { method });
        }
        if options.cpu_cache_mode() > 1 || options.hazard_tracking_mode() > 2 {
            return Err(NewBufferError::InvalidOptions { method, options: options.0 });
        }
        let hal = device
            .hal()
            .new_buffer(length, mode)
            .map_err(|e| NewBufferError::Device { method, source: Box::new(e) })?;
        Ok(Buffer(Arc::new(BufferInner {
            hal,
            device: device.clone(),
            options,
            label: Mutex::new(String::new()),
            heap: None,
        })))
    }

    /// A buffer over a heap's sub-allocation `alloc` (`hal` is the view of that range).
    pub(crate) fn from_heap(
        hal: Arc<dyn hal::Buffer>,
        device: &Device,
        options: ResourceOptions,
        alloc: crate::heap::HeapAllocation,
    ) -> Buffer {
        Buffer(Arc::new(BufferInner {
            hal,
            device: device.clone(),
            options,
            label: Mutex::new(String::new()),
            heap: Some(alloc),
        }))
    }

    /// The heap this buffer was made from.
    pub fn heap(&self) -> Option<&crate::heap::Heap> {
        self.0.heap.as_ref().map(|a| a.heap())
    }

    /// Offset of this buffer in its heap's memory (0 outside heaps).
    pub fn heap_offset(&self) -> usize {
        self.0.heap.as_ref().map_or(0, |a| a.offset())
    }

    /// Fills a new buffer with `data` (any storage mode; Private buffers through the
    /// backend's host path, as Metal's `newBufferWithBytes` allows).
    pub(crate) fn write_initial(&self, data: &[u8]) {
        debug_assert_eq!(data.len(), self.length());
        if let Some(p) = self.0.hal.contents() {
            // SAFETY: `p` points to `length` bytes that nobody else can reach yet.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
            self.0.hal.did_modify_range(0, data.len());
        } else {
            // Private memory: stage through a Shared buffer and a blit on a private queue.
            self.upload_private(data);
        }
    }

    fn upload_private(&self, data: &[u8]) {
        let dev = &self.0.device;
        let Ok(staging) = dev.new_buffer_with_data(data, ResourceOptions::STORAGE_MODE_SHARED) else { return };
        let Ok(queue) = dev.new_command_queue() else { return };
        let cmd = queue.command_buffer();
        if let Ok(blit) = cmd.blit_command_encoder() {
            let _ = blit.copy_from_buffer(&staging, 0, self, 0, data.len());
            let _ = blit.end_encoding();
            if cmd.commit().is_ok() {
                let _ = cmd.wait_until_completed();
            }
        }
    }

    pub fn hal(&self) -> &Arc<dyn hal::Buffer> {
        &self.0.hal
    }
    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn length(&self) -> usize {
        self.0.hal.length()
    }
    pub fn options(&self) -> ResourceOptions {
        self.0.options
    }
    pub fn storage_mode(&self) -> StorageMode {
        self.0.hal.storage_mode()
    }
    pub fn gpu_address(&self) -> u64 {
        self.0.hal.gpu_address()
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }

    /// Host pointer to the `length()` bytes of a Shared or Managed buffer. Valid while any
    /// handle to this buffer lives; reads and writes race with GPU work in flight, as in Metal.
    pub fn contents(&self) -> Result<*mut u8, ContentsError> {
        self.0.hal.contents().ok_or(ContentsError::NotCpuAccessible { mode: self.storage_mode() })
    }

    /// Tells the device that the CPU wrote `range` of a Managed buffer.
    pub fn did_modify_range(&self, range: Range<usize>) -> Result<(), ModifyRangeError> {
        let length = self.length();
        if range.start > range.end || range.end > length {
            return Err(ModifyRangeError::OutOfBounds { offset: range.start, end: range.end as u128, length });
        }
        self.0.hal.did_modify_range(range.start, range.end - range.start);
        Ok(())
    }

    /// `did_modify_range` with offset and length, checked without overflow.
    pub fn did_modify(&self, offset: u64, length: u64) -> Result<(), ModifyRangeError> {
        let end = offset as u128 + length as u128;
        if end > self.length() as u128 {
            return Err(ModifyRangeError::OutOfBounds { offset: offset as usize, end, length: self.length() });
        }
        self.did_modify_range(offset as usize..end as usize)
    }
}
