//! Buffers: `Private` = device memory, `Shared` = managed memory (`contents()` is the
//! managed pointer), `Managed` = a host copy plus a device copy kept in step by
//! `did_modify_range` (host → device at the next commit that uses the buffer) and the
//! `SynchronizeBuffer` command (device → host). `Memoryless` is treated as `Private`.

use super::device::{check, DeviceShared, DriverError};
use crate::{Buffer, HalError, StorageMode};
use cudarc::driver::sys;
use std::alloc::Layout;
use std::any::Any;
use std::ffi::c_void;
use std::sync::{Arc, Mutex};

const HOST_ALIGN: usize = 4096;

/// A buffer of a CUDA device.
pub struct CudaBuffer {
    pub(crate) device: Arc<DeviceShared>,
    /// The device generation it was allocated in (see `DeviceShared`).
    pub(crate) gen: u64,
    length: usize,
    mode: StorageMode,
    /// Device address (for Shared: the managed address, also valid on the host).
    pub(crate) dptr: u64,
    /// Managed: the host copy (pinned when registration worked).
    host: *mut u8,
    host_layout: Option<Layout>,
    host_registered: bool,
    /// Managed: the host bytes written since the last upload, as `lo..hi`.
    dirty: Mutex<Option<(usize, usize)>>,
    /// Set for a view into another buffer (a heap's sub-allocation): `dptr` points into the
    /// parent's allocation, which this keeps alive, and Drop frees nothing.
    parent: Option<Arc<dyn Buffer>>,
}

// SAFETY: the raw pointers are owned allocations, freed only in Drop; access to the dirty
// range is synchronised; the memory itself is shared with kernels as Metal's is.
unsafe impl Send for CudaBuffer {}
// SAFETY: as above.
unsafe impl Sync for CudaBuffer {}

fn oom(bytes: usize, detail: impl Into<String>) -> HalError {
    HalError::OutOfMemory { bytes: bytes as u64, detail: detail.into() }
}

fn alloc_err(bytes: usize, what: &str, e: DriverError) -> HalError {
    if e.is_out_of_memory() {
        oom(bytes, format!("{what}: {e}"))
    } else {
        HalError::Device(format!("{what} of {bytes} bytes failed: {e}"))
    }
}

/// Free device memory in bytes, as `cuMemGetInfo` reports it.
pub(crate) fn free_memory() -> Result<(usize, usize), DriverError> {
    let (mut free, mut total) = (0usize, 0usize);
    // SAFETY: valid out-pointers; a context is current (callers make it so).
    check(unsafe { sys::cuMemGetInfo_v2(&mut free, &mut total) })?;
    Ok((free, total))
}

impl CudaBuffer {
    pub(crate) fn new(device: &Arc<DeviceShared>, length: usize, mode: StorageMode) -> Result<CudaBuffer, HalError> {
        let mut buf = CudaBuffer {
            device: device.clone(),
            gen: device.generation(),
            length,
            mode,
            dptr: 0,
            host: std::ptr::null_mut(),
            host_layout: None,
            host_registered: false,
            dirty: Mutex::new(None),
            parent: None,
        };
        let guard = device.gate.read().map_err(|_| HalError::Device("device lock poisoned".into()))?;
        buf.gen = device.generation();
        let r = buf.allocate(length.max(1));
        // On error `buf` drops after the guard: its Drop takes the gate again.
        drop(guard);
        r.map(|()| buf)
    }

    /// Allocates this buffer's memory. Call with the device's gate held.
    fn allocate(&mut self, size: usize) -> Result<(), HalError> {
        let device = self.device.clone();
        let mode = self.mode;
        let buf = self;
        device.make_current().map_err(|e| HalError::Device(format!("cuCtxSetCurrent: {e}")))?;
        match mode {
            StorageMode::Shared => {
                let (free, total) = free_memory().map_err(|e| {
                    let fault = device.last_fault.lock().ok().and_then(|f| f.clone());
                    let after = fault.map(|f| format!(" (after an earlier fault: {f})")).unwrap_or_default();
                    HalError::Device(format!("cuMemGetInfo: {e}{after}"))
                })?;
                if size > free {
                    return Err(oom(
                        size,
                        format!(
                            "a Shared (managed) buffer may not exceed the GPU's free memory ({free} of {total} bytes \
                             free): asking for more can stall the GPU; use a smaller buffer or free others"
                        ),
                    ));
                }
                let mut p: sys::CUdeviceptr = 0;
                // SAFETY: valid out-pointer; CU_MEM_ATTACH_GLOBAL = 1 makes it usable from any stream.
                check(unsafe { sys::cuMemAllocManaged(&mut p, size, 1) })
                    .map_err(|e| alloc_err(size, "cuMemAllocManaged", e))?;
                buf.dptr = p;
                // Managed pages are zero-filled by the driver on first touch.
                if let Ok(mut a) = device.shared_allocs.lock() {
                    a.insert(p, size);
                }
            }
            StorageMode::Private | StorageMode::Memoryless | StorageMode::Managed => {
                let mut p: sys::CUdeviceptr = 0;
                // SAFETY: valid out-pointer.
                check(unsafe { sys::cuMemAlloc_v2(&mut p, size) }).map_err(|e| alloc_err(size, "cuMemAlloc", e))?;
                buf.dptr = p;
                // Metal hands out zeroed buffers; the blocking memset is ordered before any
                // later work of our (blocking) streams.
                // SAFETY: p..p+size was just allocated.
                check(unsafe { sys::cuMemsetD8_v2(p, 0, size) })
                    .map_err(|e| HalError::Device(format!("clearing a new buffer failed: {e}")))?;
                if mode == StorageMode::Managed {
                    let layout = Layout::from_size_align(size.next_multiple_of(HOST_ALIGN), HOST_ALIGN)
                        .map_err(|_| oom(size, "host copy too large"))?;
                    // SAFETY: layout has non-zero size.
                    let host = unsafe { std::alloc::alloc_zeroed(layout) };
                    if host.is_null() {
                        return Err(oom(size, "the host copy of a Managed buffer could not be allocated"));
                    }
                    buf.host = host;
                    buf.host_layout = Some(layout);
                    // Pinning makes the copies truly asynchronous; plain memory also works.
                    // SAFETY: host..host+layout.size() is our allocation; CU_MEMHOSTREGISTER_PORTABLE.
                    buf.host_registered =
                        check(unsafe { sys::cuMemHostRegister_v2(host as *mut c_void, layout.size(), 1) }).is_ok();
                }
            }
        }
        Ok(())
    }

    /// A view of `offset..offset+length` of the Shared or Private CUDA buffer `parent`
    /// (`dptr + offset`; same storage mode and generation). None for another backend's
    /// buffer, a Managed parent (its host copy cannot be split), or a range that does not fit.
    pub(crate) fn new_view(parent: &Arc<dyn Buffer>, offset: usize, length: usize) -> Option<CudaBuffer> {
        let p = parent.as_any().downcast_ref::<CudaBuffer>()?;
        if p.mode == StorageMode::Managed || offset.checked_add(length)? > p.length {
            return None;
        }
        Some(CudaBuffer {
            device: p.device.clone(),
            gen: p.gen,
            length,
            mode: p.mode,
            dptr: p.dptr + offset as u64,
            host: std::ptr::null_mut(),
            host_layout: None,
            host_registered: false,
            dirty: Mutex::new(None),
            parent: Some(parent.clone()),
        })
    }

    pub fn mode(&self) -> StorageMode {
        self.mode
    }

    /// True when a context reset after a fault destroyed this buffer's memory.
    pub fn is_lost(&self) -> bool {
        self.gen != self.device.generation()
    }

    /// Managed: the range written on the host since the last upload (cleared).
    pub(crate) fn take_dirty(&self) -> Option<(usize, usize)> {
        self.dirty.lock().ok().and_then(|mut d| d.take())
    }

    /// Managed: the host copy.
    pub(crate) fn host_ptr(&self) -> *mut u8 {
        self.host
    }
}

impl Buffer for CudaBuffer {
    fn length(&self) -> usize {
        self.length
    }

    fn storage_mode(&self) -> StorageMode {
        self.mode
    }

    fn contents(&self) -> Option<*mut u8> {
        match self.mode {
            StorageMode::Shared => Some(self.dptr as *mut u8),
            StorageMode::Managed => Some(self.host),
            StorageMode::Private | StorageMode::Memoryless => None,
        }
    }

    fn gpu_address(&self) -> u64 {
        self.dptr
    }

    fn did_modify_range(&self, offset: usize, length: usize) {
        if self.mode != StorageMode::Managed || length == 0 {
            return;
        }
        let end = (offset + length).min(self.length);
        if let Ok(mut d) = self.dirty.lock() {
            *d = Some(match *d {
                Some((lo, hi)) => (lo.min(offset), hi.max(end)),
                None => (offset, end),
            });
        }
    }

    fn device_pointer(&self) -> Option<(u64, u32)> {
        Some((self.dptr, self.device.ordinal))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for CudaBuffer {
    fn drop(&mut self) {
        if self.parent.is_some() {
            // A view: the parent owns (and frees) the memory.
            return;
        }
        let guard = self.device.gate.read();
        if !self.is_lost() && self.device.make_current().is_ok() {
            if self.mode == StorageMode::Shared {
                if let Ok(mut a) = self.device.shared_allocs.lock() {
                    a.remove(&self.dptr);
                }
            }
            if self.host_registered {
                // SAFETY: registered in `new`, unregistered once here.
                let _ = unsafe { sys::cuMemHostUnregister(self.host as *mut c_void) };
            }
            // SAFETY: allocated in `new` (cuMemAlloc or cuMemAllocManaged) and freed once here.
            // Work still using it was retained by the command buffer, so it has completed.
            let _ = unsafe { sys::cuMemFree_v2(self.dptr) };
        }
        // A lost Shared buffer's zero mapping (remap_lost_host_range) is left in place: the
        // driver may reuse nearby addresses, and unmapping could hit them.
        drop(guard);
        if let Some(layout) = self.host_layout {
            // SAFETY: allocated with this layout in `new`, freed once.
            unsafe { std::alloc::dealloc(self.host, layout) };
        }
    }
}

fn page_range(addr: u64, len: usize) -> (usize, usize) {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
    let start = (addr as usize) & !(page - 1);
    let end = (addr as usize + len).next_multiple_of(page);
    (start, end - start)
}

/// After a context reset destroyed a managed allocation, maps zeroed host memory at its
/// address so that host views still held by users (numpy arrays over `contents()`) read
/// zeros instead of crashing the process. Best effort (`PYMETAL_CUDA_REMAP_LOST=0` disables).
pub(crate) fn remap_lost_host_range(addr: u64, len: usize) {
    let (start, size) = page_range(addr, len);
    // SAFETY: the range belonged to a managed allocation the reset just destroyed; nothing
    // else of ours lives there. MAP_FIXED replaces whatever mapping the driver left.
    unsafe {
        libc::mmap(
            start as *mut c_void,
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ranges_cover_the_buffer() {
        let (s, n) = page_range(0x1000_0010, 100);
        assert_eq!(s, 0x1000_0000);
        assert!(s + n >= 0x1000_0010 + 100);
    }
}
