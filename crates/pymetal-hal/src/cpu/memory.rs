//! Host memory for CPU buffers and the executor's scratch areas.
//!
//! Small buffers come from the global allocator (page-aligned, zeroed); large ones from an
//! anonymous `mmap`, which the kernel zeroes lazily, so a 1 GiB buffer costs no memset and
//! no resident memory until it is touched. Every allocation is freed exactly once in `Drop`,
//! and the live totals are counted so tests can prove nothing leaks.

use crate::{Buffer, HalError, StorageMode};
use std::alloc::Layout;
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Alignment of every buffer (a page on x86-64; 16 KiB pages on some AArch64 kernels are
/// also covered because large buffers come from `mmap`).
pub const BUFFER_ALIGN: usize = 4096;
/// At or above this size, buffers are mapped instead of allocated.
const MMAP_THRESHOLD: usize = 256 * 1024;
/// At or above this size, mapped buffers ask for transparent huge pages.
const HUGE_PAGE_THRESHOLD: usize = 4 << 20;

static LIVE_BUFFER_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE_BUFFERS: AtomicUsize = AtomicUsize::new(0);

/// Bytes held by CPU buffers that are alive now (requested lengths).
pub fn live_buffer_bytes() -> usize {
    LIVE_BUFFER_BYTES.load(Ordering::Relaxed)
}

/// Number of CPU buffers alive now.
pub fn live_buffers() -> usize {
    LIVE_BUFFERS.load(Ordering::Relaxed)
}

enum Backing {
    Heap(Layout),
    Mapped(usize),
}

/// A zeroed, page-aligned host allocation.
pub struct HostMemory {
    ptr: NonNull<u8>,
    backing: Backing,
}

// SAFETY: the memory is plain bytes owned by this value; sharing the pointer across
// threads is what device memory is for (kernels and the host race only by user error,
// as on Metal).
unsafe impl Send for HostMemory {}
// SAFETY: as above; `&HostMemory` hands out only the raw pointer.
unsafe impl Sync for HostMemory {}

impl HostMemory {
    /// Allocates `length` zeroed bytes (at least one page is reserved).
    pub fn new_zeroed(length: usize) -> Result<Self, HalError> {
        let oom = |detail: &str| HalError::OutOfMemory { bytes: length as u64, detail: detail.to_string() };
        let size = length.max(1).checked_next_multiple_of(BUFFER_ALIGN).ok_or_else(|| oom("size overflows"))?;
        if size >= MMAP_THRESHOLD {
            // SAFETY: an anonymous private mapping with no address hint; the result is checked.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    size,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                return Err(oom("mmap failed"));
            }
            if size >= HUGE_PAGE_THRESHOLD {
                // Transparent huge pages (as numpy asks for): fewer TLB misses when streaming.
                // SAFETY: advice on the mapping we just created; failure is harmless.
                unsafe { libc::madvise(p, size, libc::MADV_HUGEPAGE) };
            }
            let ptr = NonNull::new(p.cast::<u8>()).ok_or_else(|| oom("mmap returned null"))?;
            Ok(HostMemory { ptr, backing: Backing::Mapped(size) })
        } else {
            let layout = Layout::from_size_align(size, BUFFER_ALIGN).map_err(|_| oom("bad layout"))?;
            // SAFETY: `layout` has a non-zero size.
            let p = unsafe { std::alloc::alloc_zeroed(layout) };
            let ptr = NonNull::new(p).ok_or_else(|| oom("allocator returned null"))?;
            Ok(HostMemory { ptr, backing: Backing::Heap(layout) })
        }
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Usable size in bytes (the request rounded up to a page).
    pub fn capacity(&self) -> usize {
        match self.backing {
            Backing::Heap(l) => l.size(),
            Backing::Mapped(n) => n,
        }
    }
}

impl Drop for HostMemory {
    fn drop(&mut self) {
        match self.backing {
            // SAFETY: allocated in `new_zeroed` with exactly this layout, freed only here.
            Backing::Heap(layout) => unsafe { std::alloc::dealloc(self.ptr.as_ptr(), layout) },
            // SAFETY: mapped in `new_zeroed` with exactly this length, unmapped only here.
            Backing::Mapped(len) => unsafe {
                libc::munmap(self.ptr.as_ptr().cast(), len);
            },
        }
    }
}

/// Where a CPU buffer's bytes live.
enum CpuMemory {
    Own(HostMemory),
    /// A range of another CPU buffer (a heap's sub-allocation): `ptr` points into `parent`,
    /// which this keeps alive.
    View {
        _parent: std::sync::Arc<dyn Buffer>,
        ptr: *mut u8,
    },
}

/// A CPU buffer: host memory whatever the storage mode.
pub struct CpuBuffer {
    mem: CpuMemory,
    length: usize,
    mode: StorageMode,
}

// SAFETY: the view pointer points into `parent`'s memory (Send + Sync plain bytes) kept alive
// by the same value; HostMemory is Send + Sync.
unsafe impl Send for CpuBuffer {}
// SAFETY: as above.
unsafe impl Sync for CpuBuffer {}

impl CpuBuffer {
    /// Allocates a zeroed buffer; sizes above `max_length` are refused up front.
    pub fn new(length: usize, mode: StorageMode, max_length: u64) -> Result<Self, HalError> {
        if length as u64 > max_length {
            return Err(HalError::OutOfMemory {
                bytes: length as u64,
                detail: format!("larger than the device's max_buffer_length of {max_length} bytes"),
            });
        }
        let mem = HostMemory::new_zeroed(length)?;
        LIVE_BUFFER_BYTES.fetch_add(length, Ordering::Relaxed);
        LIVE_BUFFERS.fetch_add(1, Ordering::Relaxed);
        Ok(CpuBuffer { mem: CpuMemory::Own(mem), length, mode })
    }

    /// A view of `offset..offset+length` of the CPU buffer `parent` (same storage mode).
    /// None when `parent` is not a CPU buffer or the range does not fit.
    pub fn new_view(parent: &std::sync::Arc<dyn Buffer>, offset: usize, length: usize) -> Option<Self> {
        let p = parent.as_any().downcast_ref::<CpuBuffer>()?;
        if offset.checked_add(length)? > p.length {
            return None;
        }
        // SAFETY: offset + length <= parent length, so the pointer stays inside the allocation.
        let ptr = unsafe { p.ptr().add(offset) };
        // Views count as buffers but not as bytes: the parent already holds them.
        LIVE_BUFFERS.fetch_add(1, Ordering::Relaxed);
        Some(CpuBuffer { mem: CpuMemory::View { _parent: parent.clone(), ptr }, length, mode: p.mode })
    }

    /// Base address of the contents.
    pub fn ptr(&self) -> *mut u8 {
        match &self.mem {
            CpuMemory::Own(m) => m.as_ptr(),
            CpuMemory::View { ptr, .. } => *ptr,
        }
    }

    /// True for a view into another buffer (a heap sub-allocation).
    pub fn is_view(&self) -> bool {
        matches!(self.mem, CpuMemory::View { .. })
    }
}

impl Drop for CpuBuffer {
    fn drop(&mut self) {
        if !self.is_view() {
            LIVE_BUFFER_BYTES.fetch_sub(self.length, Ordering::Relaxed);
        }
        LIVE_BUFFERS.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Buffer for CpuBuffer {
    fn length(&self) -> usize {
        self.length
    }
    fn storage_mode(&self) -> StorageMode {
        self.mode
    }
    fn contents(&self) -> Option<*mut u8> {
        match self.mode {
            StorageMode::Private | StorageMode::Memoryless => None,
            StorageMode::Shared | StorageMode::Managed => Some(self.ptr()),
        }
    }
    fn gpu_address(&self) -> u64 {
        self.ptr() as u64
    }
    fn did_modify_range(&self, _offset: usize, _length: usize) {}
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A growable, 64-byte-aligned scratch area (executor arenas). Contents are unspecified
/// after `ensure` grows it.
pub struct Scratch {
    ptr: Option<NonNull<u8>>,
    layout: Layout,
}

// SAFETY: owned bytes; used by one worker thread at a time.
unsafe impl Send for Scratch {}

impl Default for Scratch {
    fn default() -> Self {
        Scratch { ptr: None, layout: Layout::new::<u8>() }
    }
}

impl Scratch {
    pub const ALIGN: usize = 64;

    /// Makes room for at least `size` bytes and returns the base (null only on allocation
    /// failure).
    pub fn ensure(&mut self, size: usize) -> Option<*mut u8> {
        if let Some(p) = self.ptr {
            if self.layout.size() >= size {
                return Some(p.as_ptr());
            }
        }
        let layout = Layout::from_size_align(size.max(64).next_power_of_two(), Self::ALIGN).ok()?;
        self.release();
        // SAFETY: non-zero size.
        let p = NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })?;
        self.ptr = Some(p);
        self.layout = layout;
        Some(p.as_ptr())
    }

    fn release(&mut self) {
        if let Some(p) = self.ptr.take() {
            // SAFETY: allocated in `ensure` with `self.layout`.
            unsafe { std::alloc::dealloc(p.as_ptr(), self.layout) };
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.release();
    }
}
