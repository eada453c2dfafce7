//! Per-submission staging memory: `set_bytes` data, texture/sampler/length tables (uploaded
//! in one copy) and the fault blocks of validated dispatches (read on the host).

use super::device::{check, DeviceShared, DriverError};
use cudarc::driver::sys;
use std::ffi::c_void;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// Pinned host + device staging memory for one submission's `set_bytes` data and tables.
/// Past the uploaded part, the host block holds the fault blocks of validated dispatches,
/// which kernels write through the block's device mapping (`host_dev`).
pub(crate) struct Staging {
    pub(crate) device: Arc<DeviceShared>,
    pub(crate) gen: u64,
    pub(crate) host: *mut u8,
    pub(crate) host_dev: sys::CUdeviceptr,
    pub(crate) dev: sys::CUdeviceptr,
    pub(crate) cap: usize,
    pub(crate) busy: AtomicBool,
}

// SAFETY: owned allocations, used by one submission at a time (`busy`).
unsafe impl Send for Staging {}
// SAFETY: as above.
unsafe impl Sync for Staging {}

impl Staging {
    pub(crate) fn new(device: &Arc<DeviceShared>, gen: u64, cap: usize) -> Result<Staging, DriverError> {
        let mut host: *mut c_void = std::ptr::null_mut();
        // SAFETY: valid out-pointer; CU_MEMHOSTALLOC_DEVICEMAP = 2: pinned and mapped.
        check(unsafe { sys::cuMemHostAlloc(&mut host, cap, 2) })?;
        let mut host_dev: sys::CUdeviceptr = 0;
        let mut dev: sys::CUdeviceptr = 0;
        // SAFETY: valid out-pointers; `host` was allocated mapped just above.
        let r = check(unsafe { sys::cuMemHostGetDevicePointer_v2(&mut host_dev, host, 0) })
            // SAFETY: valid out-pointer.
            .and_then(|()| check(unsafe { sys::cuMemAlloc_v2(&mut dev, cap) }));
        if let Err(e) = r {
            // SAFETY: allocated just above.
            unsafe { sys::cuMemFreeHost(host) };
            return Err(e);
        }
        Ok(Staging {
            device: device.clone(),
            gen,
            host: host as *mut u8,
            host_dev,
            dev,
            cap,
            busy: AtomicBool::new(true),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _g = self.device.gate.read();
        if self.gen == self.device.generation() && self.device.make_current().is_ok() {
            // SAFETY: allocated in `new`, freed once; no submission uses it any more.
            unsafe {
                sys::cuMemFreeHost(self.host as *mut c_void);
                sys::cuMemFree_v2(self.dev);
            }
        }
    }
}
