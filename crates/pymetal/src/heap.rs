//! Heaps (MTLHeap): one device allocation that buffers and textures are sub-allocated from.
//!
//! A heap owns a single `hal::Buffer` of `size` bytes. Buffers made from it are views into
//! that memory (`hal::Device::new_sub_buffer`), so their `contents()` and GPU addresses lie
//! inside the heap. Space is managed by a first-fit free list: each resource holds a
//! [`HeapAllocation`] whose `Drop` returns its range (merged with free neighbours), so
//! `used_size` falls back when the last handle to a resource goes and the space is reused.
//! Resources keep their heap alive through that allocation.
//!
//! Textures are counted against the heap (their range is reserved, so `used_size`,
//! `max_available_size` and "does not fit" behave as in Metal) but their texels live in a
//! normal backend texture: texture layouts differ per backend (CUDA textures are managed
//! allocations with their own pitch), and no backend reads texels from a buffer.

use std::sync::{Arc, Mutex};

use pymetal_hal as hal;
use pymetal_hal::{PixelFormat, StorageMode};

use crate::device::Device;
use crate::resource::{Buffer, ResourceOptions};
use crate::texture::{NewTextureError, Texture, TextureDescriptor, TextureType};
use crate::{lock, Classify, ErrorKind};

/// Alignment (and size granularity) of buffers placed in a heap.
pub const HEAP_BUFFER_ALIGN: usize = 256;
/// Alignment (and size granularity) of textures placed in a heap.
pub const HEAP_TEXTURE_ALIGN: usize = 4096;

/// Metal's MTLHeapType.
pub mod heap_type {
    pub const AUTOMATIC: u64 = 0;
    pub const PLACEMENT: u64 = 1;
}

/// Describes a heap to create (MTLHeapDescriptor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeapDescriptor {
    pub size: u64,
    pub storage_mode: StorageMode,
    /// 0 default, 1 write-combined.
    pub cpu_cache_mode: u64,
    /// [`heap_type`]: only `AUTOMATIC` is supported.
    pub heap_type: u64,
}

impl Default for HeapDescriptor {
    /// Metal's defaults: size 0 (must be set), Private storage, default cache mode.
    fn default() -> Self {
        HeapDescriptor { size: 0, storage_mode: StorageMode::Private, cpu_cache_mode: 0, heap_type: 0 }
    }
}

/// Why `Device::new_heap` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewHeapError {
    #[error("Device.new_heap: descriptor size must be greater than 0")]
    ZeroSize,
    #[error("Device.new_heap: size {size} exceeds the device's max_buffer_length ({max})")]
    TooLarge { size: u64, max: u64 },
    #[error("Device.new_heap: heaps cannot use StorageModeMemoryless")]
    Memoryless,
    #[error("Device.new_heap: heaps cannot use StorageModeManaged (use Shared or Private)")]
    Managed,
    #[error("Device.new_heap: invalid cpu_cache_mode {0} (0 default, 1 write-combined)")]
    CpuCacheMode(u64),
    #[error("Device.new_heap: heap type {0} is not supported (only HeapTypeAutomatic = 0)")]
    HeapType(u64),
    #[error("Device.new_heap: {0}")]
    Device(Box<hal::HalError>),
}

impl Classify for NewHeapError {
    fn kind(&self) -> ErrorKind {
        match self {
            NewHeapError::Device(_) => ErrorKind::Resource,
            _ => ErrorKind::Validation,
        }
    }
}

/// Why a resource could not be made from a heap (a full heap is not an error: `Ok(None)`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HeapResourceError {
    #[error("Heap.new_buffer: length must be greater than 0")]
    ZeroLength,
    #[error("{method}: storage mode {requested:?} differs from the heap's ({heap:?})")]
    StorageModeMismatch { method: &'static str, requested: StorageMode, heap: StorageMode },
    #[error("Heap.new_buffer: options {0:#x} name no storage mode or have invalid cache/hazard bits")]
    InvalidOptions(u64),
    #[error("Heap.new_texture: {0}")]
    Texture(NewTextureError),
    #[error("{method}: {source}")]
    Device { method: &'static str, source: Box<hal::HalError> },
}

impl Classify for HeapResourceError {
    fn kind(&self) -> ErrorKind {
        match self {
            HeapResourceError::Texture(e) => e.kind(),
            HeapResourceError::Device { .. } => ErrorKind::Resource,
            _ => ErrorKind::Validation,
        }
    }
}

/// `max_available_size` with a bad alignment.
#[derive(Debug, thiserror::Error)]
#[error("Heap.max_available_size: alignment {0} must be a power of two")]
pub struct AlignmentError(pub u64);

impl Classify for AlignmentError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Free ranges `(offset, length)`, sorted by offset and never adjacent (merged on free).
#[derive(Debug, Default)]
struct FreeList {
    free: Vec<(usize, usize)>,
    used: usize,
}

impl FreeList {
    fn new(size: usize) -> FreeList {
        FreeList { free: vec![(0, size)], used: 0 }
    }

    /// First fit of `size` bytes at a multiple of `align` (a power of two).
    fn alloc(&mut self, size: usize, align: usize) -> Option<usize> {
        for i in 0..self.free.len() {
            let (start, len) = self.free[i];
            let at = start.checked_next_multiple_of(align)?;
            let end = start + len;
            if at.checked_add(size).is_some_and(|e| e <= end) {
                // Keep the alignment gap in front and the tail behind as free ranges.
                let mut rest = Vec::with_capacity(2);
                if at > start {
                    rest.push((start, at - start));
                }
                if at + size < end {
                    rest.push((at + size, end - at - size));
                }
                self.free.splice(i..=i, rest);
                self.used += size;
                return Some(at);
            }
        }
        None
    }

    fn release(&mut self, offset: usize, size: usize) {
        let i = self.free.partition_point(|&(s, _)| s < offset);
        self.free.insert(i, (offset, size));
        // Merge with the next range, then with the previous one.
        if i + 1 < self.free.len() && offset + size == self.free[i + 1].0 {
            self.free[i].1 += self.free[i + 1].1;
            self.free.remove(i + 1);
        }
        if i > 0 && self.free[i - 1].0 + self.free[i - 1].1 == offset {
            self.free[i - 1].1 += self.free[i].1;
            self.free.remove(i);
        }
        self.used -= size;
    }

    /// The largest size (a multiple of `align`) that `alloc(_, align)` would place.
    fn max_available(&self, align: usize) -> usize {
        self.free
            .iter()
            .filter_map(|&(start, len)| {
                let at = start.checked_next_multiple_of(align)?;
                (start + len).checked_sub(at).map(|n| n / align * align)
            })
            .max()
            .unwrap_or(0)
    }
}

/// A heap. Cheap to clone; `==` is identity.
#[derive(Clone)]
pub struct Heap(Arc<HeapInner>);

struct HeapInner {
    device: Device,
    memory: Arc<dyn hal::Buffer>,
    size: usize,
    storage_mode: StorageMode,
    cpu_cache_mode: u64,
    label: Mutex<String>,
    free: Mutex<FreeList>,
}

impl PartialEq for Heap {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Heap {}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Heap(size={}, used_size={}, storage_mode={:?})", self.size(), self.used_size(), self.storage_mode())
    }
}

/// A range of a heap held by one resource; returned to the heap when dropped.
pub(crate) struct HeapAllocation {
    heap: Heap,
    offset: usize,
    size: usize,
}

impl Drop for HeapAllocation {
    fn drop(&mut self) {
        lock(&self.heap.0.free).release(self.offset, self.size);
    }
}

impl HeapAllocation {
    pub(crate) fn heap(&self) -> &Heap {
        &self.heap
    }
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }
}

/// Bytes and alignment a buffer of `length` bytes takes in a heap.
pub(crate) fn buffer_size_and_align(length: u64) -> (u64, u64) {
    let a = HEAP_BUFFER_ALIGN as u64;
    (length.max(1).saturating_add(a - 1) / a * a, a)
}

/// Bytes and alignment a texture takes in a heap; None when the type or format is unknown
/// (texture creation then reports the typed error).
pub(crate) fn texture_size_and_align(d: &TextureDescriptor) -> Option<(u64, u64)> {
    let kind = TextureType::from_raw(d.texture_type)?;
    let bpp = PixelFormat::from_raw(d.pixel_format)?.bytes_per_pixel() as u64;
    let slices = if kind == TextureType::TypeCube { 6 } else { d.array_length.max(1) };
    let mut bytes: u64 = 0;
    for level in 0..d.mipmap_level_count.clamp(1, 32) {
        let dim = |v: u64| (v >> level).max(1);
        let texels = dim(d.width).checked_mul(dim(d.height))?.checked_mul(dim(d.depth))?;
        bytes = bytes.checked_add(texels.checked_mul(bpp)?.checked_mul(slices)?)?;
    }
    let a = HEAP_TEXTURE_ALIGN as u64;
    Some((bytes.checked_next_multiple_of(a)?, a))
}

impl Heap {
    pub(crate) fn new(device: &Device, d: &HeapDescriptor) -> Result<Heap, NewHeapError> {
        if d.size == 0 {
            return Err(NewHeapError::ZeroSize);
        }
        match d.storage_mode {
            StorageMode::Memoryless => return Err(NewHeapError::Memoryless),
            StorageMode::Managed => return Err(NewHeapError::Managed),
            StorageMode::Shared | StorageMode::Private => {}
        }
        if d.cpu_cache_mode > 1 {
            return Err(NewHeapError::CpuCacheMode(d.cpu_cache_mode));
        }
        if d.heap_type != heap_type::AUTOMATIC {
            return Err(NewHeapError::HeapType(d.heap_type));
        }
        let max = device.max_buffer_length();
        if d.size > max {
            return Err(NewHeapError::TooLarge { size: d.size, max });
        }
        let size = d.size as usize;
        let memory = device.hal().new_buffer(size, d.storage_mode).map_err(|e| NewHeapError::Device(Box::new(e)))?;
        Ok(Heap(Arc::new(HeapInner {
            device: device.clone(),
            memory,
            size,
            storage_mode: d.storage_mode,
            cpu_cache_mode: d.cpu_cache_mode,
            label: Mutex::new(String::new()),
            free: Mutex::new(FreeList::new(size)),
        })))
    }

    pub fn device(&self) -> &Device {
        &self.0.device
    }
    /// The heap's one backend allocation.
    pub fn hal(&self) -> &Arc<dyn hal::Buffer> {
        &self.0.memory
    }
    pub fn size(&self) -> usize {
        self.0.size
    }
    pub fn storage_mode(&self) -> StorageMode {
        self.0.storage_mode
    }
    pub fn cpu_cache_mode(&self) -> u64 {
        self.0.cpu_cache_mode
    }
    /// Bytes held by live resources (each rounded to its heap granularity).
    pub fn used_size(&self) -> usize {
        lock(&self.0.free).used
    }
    /// Bytes the heap holds on the device: its whole allocation.
    pub fn current_allocated_size(&self) -> usize {
        self.0.size
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }

    /// The largest resource that fits at `alignment` (a power of two) now.
    pub fn max_available_size(&self, alignment: u64) -> Result<usize, AlignmentError> {
        if !alignment.is_power_of_two() {
            return Err(AlignmentError(alignment));
        }
        let align = usize::try_from(alignment).map_err(|_| AlignmentError(alignment))?;
        Ok(lock(&self.0.free).max_available(align))
    }

    fn reserve(&self, size: u64, align: u64) -> Option<HeapAllocation> {
        let size = usize::try_from(size).ok()?;
        let offset = lock(&self.0.free).alloc(size, align as usize)?;
        Some(HeapAllocation { heap: self.clone(), offset, size })
    }

    /// A buffer inside the heap's memory; `Ok(None)` when no free range is large enough.
    pub fn new_buffer(&self, length: usize, options: ResourceOptions) -> Result<Option<Buffer>, HeapResourceError> {
        if length == 0 {
            return Err(HeapResourceError::ZeroLength);
        }
        let mode = options.storage_mode().ok_or(HeapResourceError::InvalidOptions(options.0))?;
        if options.cpu_cache_mode() > 1 || options.hazard_tracking_mode() > 2 {
            return Err(HeapResourceError::InvalidOptions(options.0));
        }
        if mode != self.storage_mode() {
            return Err(HeapResourceError::StorageModeMismatch {
                method: "Heap.new_buffer",
                requested: mode,
                heap: self.storage_mode(),
            });
        }
        let (size, align) = buffer_size_and_align(length as u64);
        let Some(alloc) = self.reserve(size, align) else { return Ok(None) };
        let hal = self
            .0
            .device
            .hal()
            .new_sub_buffer(&self.0.memory, alloc.offset, length)
            .map_err(|e| HeapResourceError::Device { method: "Heap.new_buffer", source: Box::new(e) })?;
        Ok(Some(Buffer::from_heap(hal, &self.0.device, options, alloc)))
    }

    /// A texture counted against the heap (see the module notes); `Ok(None)` when it does not fit.
    pub fn new_texture(&self, d: &TextureDescriptor) -> Result<Option<Texture>, HeapResourceError> {
        if d.storage_mode != self.storage_mode() {
            return Err(HeapResourceError::StorageModeMismatch {
                method: "Heap.new_texture",
                requested: d.storage_mode,
                heap: self.storage_mode(),
            });
        }
        let Some((size, align)) = texture_size_and_align(d) else {
            // Unknown type or format: let texture validation name the problem.
            return Err(HeapResourceError::Texture(
                Texture::new(&self.0.device, d)
                    .err()
                    .unwrap_or(NewTextureError::UnsupportedPixelFormat(d.pixel_format)),
            ));
        };
        let Some(alloc) = self.reserve(size, align) else { return Ok(None) };
        let texture = Texture::new(&self.0.device, d).map_err(HeapResourceError::Texture)?;
        Ok(Some(texture.with_heap(alloc)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_list_first_fit_align_and_merge() {
        let mut f = FreeList::new(4096);
        assert_eq!(f.alloc(100, 256), Some(0));
        assert_eq!(f.alloc(256, 256), Some(256));
        assert_eq!(f.used, 356);
        assert_eq!(f.max_available(256), 4096 - 512);
        f.release(0, 100);
        assert_eq!(f.free, vec![(0, 256), (512, 3584)]); // merged with the alignment gap
        f.release(256, 256);
        assert_eq!(f.free, vec![(0, 4096)]);
        assert_eq!(f.used, 0);
        assert_eq!(f.alloc(4097, 1), None);
        assert_eq!(f.alloc(4096, 4096), Some(0));
        assert_eq!(f.max_available(1), 0);
    }

    fn shared_heap(size: u64) -> Heap {
        let d = HeapDescriptor { size, storage_mode: StorageMode::Shared, ..Default::default() };
        Device::noop().new_heap(&d).unwrap()
    }

    #[test]
    fn buffers_alias_heap_memory_and_space_is_reused() {
        let heap = shared_heap(1024);
        let opts = ResourceOptions::STORAGE_MODE_SHARED;
        let a = heap.new_buffer(100, opts).unwrap().unwrap();
        let b = heap.new_buffer(300, opts).unwrap().unwrap();
        assert_eq!((a.heap_offset(), b.heap_offset()), (0, 256));
        assert_eq!(heap.used_size(), 256 + 512);
        let base = heap.hal().contents().unwrap();
        // SAFETY: both pointers lie inside the heap's 1024 bytes.
        unsafe {
            *b.contents().unwrap() = 42;
            assert_eq!(*base.add(256), 42);
        }
        assert!(heap.new_buffer(512, opts).unwrap().is_none());
        assert_eq!(heap.max_available_size(256).unwrap(), 256);
        drop(b);
        assert_eq!(heap.used_size(), 256);
        let c = heap.new_buffer(768, opts).unwrap().unwrap();
        assert_eq!(c.heap_offset(), 256);
        assert_eq!(c.heap(), Some(&heap));
    }

    #[test]
    fn validation() {
        let dev = Device::noop();
        let mk = |size, storage_mode| dev.new_heap(&HeapDescriptor { size, storage_mode, ..Default::default() });
        assert!(matches!(mk(0, StorageMode::Shared), Err(NewHeapError::ZeroSize)));
        assert!(matches!(mk(64, StorageMode::Memoryless), Err(NewHeapError::Memoryless)));
        assert!(matches!(mk(64, StorageMode::Managed), Err(NewHeapError::Managed)));
        let heap = shared_heap(4096);
        let e = heap.new_buffer(16, ResourceOptions::STORAGE_MODE_PRIVATE).unwrap_err();
        assert!(matches!(e, HeapResourceError::StorageModeMismatch { .. }), "{e}");
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(heap.max_available_size(3).is_err());
        assert!(matches!(heap.new_buffer(0, ResourceOptions::STORAGE_MODE_SHARED), Err(HeapResourceError::ZeroLength)));
    }
}
