//! Rust mirror of `crates/msl/prelude/pm_abi.h` (keep both equal; sizes are asserted).

use std::ffi::c_void;

pub const MAX_BUFFERS: usize = 32;
pub const MAX_TG_ARGS: usize = 32;
pub const MAX_TG_SITES: usize = 128;
pub const SIMD_WIDTH: u32 = 32;
pub const SIMD_SLOT: usize = 64;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PmDispatch {
    pub buffers: [*mut c_void; MAX_BUFFERS],
    pub threadgroups: [u32; 3],
    pub tg_size: [u32; 3],
    pub threads: [u32; 3],
    pub tg_arg_offset: [u32; MAX_TG_ARGS],
}

// SAFETY: the pointers are device/host addresses handed to kernels; the struct itself is
// plain data copied into each launch.
unsafe impl Send for PmDispatch {}
// SAFETY: as above; kernels only read the struct.
unsafe impl Sync for PmDispatch {}

#[repr(C)]
pub struct PmCpuTgStatic {
    pub base: *mut u8,
    pub capacity: u32,
    pub used: u32,
    pub overflow: u32,
    pub site_offset: [u32; MAX_TG_SITES],
}

pub type PmCpuSyncFn = unsafe extern "C" fn(sched: *mut c_void, this: *mut PmCpuThread, scope: u32);

#[repr(C)]
pub struct PmCpuThread {
    pub tid: [u32; 3],
    pub group: [u32; 3],
    pub tg_size: [u32; 3],
    pub flat: u32,
    pub arena: *mut u8,
    pub tg_static: *mut PmCpuTgStatic,
    pub simd_scratch: *mut u8,
    pub simd_live: *const u32,
    pub sched: *mut c_void,
    pub sync: Option<PmCpuSyncFn>,
}

/// `extern "C" void pm_entry_<k>(const pm_dispatch*, pm_cpu_thread*)` and `pm_group_<k>`.
pub type PmCpuEntryFn = unsafe extern "C" fn(*const PmDispatch, *mut PmCpuThread);

const _: () = assert!(std::mem::size_of::<PmDispatch>() == 8 * 32 + 4 * 9 + 4 * 32 + 4);
