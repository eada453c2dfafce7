//! Rust mirror of `crates/msl/prelude/pm_abi.h` (keep both equal; sizes are asserted).

use std::ffi::c_void;

pub const MAX_BUFFERS: usize = 32;
pub const MAX_TG_ARGS: usize = 32;
/// `PM_INLINE_SLOTS` / `PM_INLINE_WORDS`: small `set_bytes` data in the launch parameters.
pub const INLINE_SLOTS: usize = 8;
pub const INLINE_WORDS: usize = 4;
pub const MAX_TG_SITES: usize = 128;
pub const SIMD_WIDTH: u32 = 32;
pub const SIMD_SLOT: usize = 64;
pub const MAX_TEXTURES: usize = 32;
pub const MAX_SAMPLERS: usize = 16;
pub const MAX_MIP_LEVELS: usize = 16;
pub const MAX_ATTRIBUTES: usize = 31;
pub const MAX_COLOR_ATTACHMENTS: usize = 8;

/// `pm_texture`: a texture as shader code sees it (layout in `texture.rs`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PmTexture {
    pub data: *mut u8,
    pub format: u32,
    pub texture_type: u32,
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub slices: u32,
    pub mip_levels: u32,
    pub bytes_per_pixel: u32,
    pub level_offset: [u64; MAX_MIP_LEVELS],
}

impl PmTexture {
    /// Nothing bound.
    pub const NONE: PmTexture = PmTexture {
        data: std::ptr::null_mut(),
        format: 0,
        texture_type: 0,
        width: 0,
        height: 0,
        depth: 0,
        slices: 0,
        mip_levels: 0,
        bytes_per_pixel: 0,
        level_offset: [0; MAX_MIP_LEVELS],
    };
}

/// `pm_sampler`: Metal's raw enum values (see pm_abi.h).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PmSampler {
    pub min_filter: u32,
    pub mag_filter: u32,
    pub mip_filter: u32,
    pub address: [u32; 3],
    pub border_color: u32,
    pub normalized_coordinates: u32,
    pub compare_function: u32,
    pub max_anisotropy: u32,
    pub lod_min_clamp: f32,
    pub lod_max_clamp: f32,
}

// SAFETY: plain data; the pointer is host memory of a texture kept alive by the command.
unsafe impl Send for PmTexture {}
// SAFETY: as above; shaders synchronise access as on a GPU.
unsafe impl Sync for PmTexture {}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PmDispatch {
    pub buffers: [*mut c_void; MAX_BUFFERS],
    pub threadgroups: [u32; 3],
    pub tg_size: [u32; 3],
    pub threads: [u32; 3],
    pub tg_arg_offset: [u32; MAX_TG_ARGS],
    /// `[MAX_TEXTURES]` (null when the dispatch binds none).
    pub textures: *const PmTexture,
    /// `[MAX_SAMPLERS]` (null when the dispatch binds none).
    pub samplers: *const PmSampler,
    /// Shader validation only: `[MAX_BUFFERS]` bytes bound per `[[buffer(i)]]` (else null).
    pub buffer_len: *const u64,
    /// Shader validation only: where the first out-of-bounds access is reported (else null).
    pub fault: *mut PmFault,
    /// CUDA: the threadgroup position of the launch's first block (a dispatch with partial
    /// edge groups runs as several launches).
    pub group_offset: [u32; 3],
    /// CUDA: bit i: `inline_words[i]` holds the `set_bytes` data of `[[buffer(i)]]`.
    pub inline_mask: u32,
    pub inline_words: [[u32; INLINE_WORDS]; INLINE_SLOTS],
}

impl PmDispatch {
    /// A dispatch of `threadgroups` groups of `tg_size` threads (`threads` in all) with
    /// nothing bound.
    pub fn new(threadgroups: [u32; 3], tg_size: [u32; 3], threads: [u32; 3]) -> PmDispatch {
        PmDispatch {
            buffers: [std::ptr::null_mut(); MAX_BUFFERS],
            threadgroups,
            tg_size,
            threads,
            tg_arg_offset: [0; MAX_TG_ARGS],
            textures: std::ptr::null(),
            samplers: std::ptr::null(),
            buffer_len: std::ptr::null(),
            fault: std::ptr::null_mut(),
            group_offset: [0; 3],
            inline_mask: 0,
            inline_words: [[0; INLINE_WORDS]; INLINE_SLOTS],
        }
    }
}

/// `pm_fault` (docs/abi.md §6): the first out-of-bounds access of a validated dispatch.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PmFault {
    /// 0: no fault.
    pub hit: u32,
    pub buffer: u32,
    pub thread: [u32; 3],
    pub access_size: u32,
    /// Byte offset from the binding's start (two's complement when before it).
    pub offset: u64,
    pub length: u64,
}

impl PmFault {
    /// What went wrong, for the command buffer's error (`kernel`: the kernel's name).
    pub fn describe(&self, kernel: &str) -> String {
        let [x, y, z] = self.thread;
        let at = self.offset as i64;
        let place = if at < 0 {
            format!("{} bytes before its start", at.unsigned_abs())
        } else {
            format!("byte offset {at}, where {} bytes are bound", self.length)
        };
        format!(
            "shader validation: kernel '{kernel}' thread ({x}, {y}, {z}) accessed buffer({}) out of bounds: \
             {} bytes at {place}. The access was discarded (reads gave junk, writes went nowhere)",
            self.buffer, self.access_size
        )
    }
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

/// `pm_vertex_batch`: one call of `pm_vertex_<k>` shades `count` vertices.
#[repr(C)]
pub struct PmVertexBatch {
    pub count: u32,
    pub base_vertex: u32,
    pub base_instance: u32,
    pub vertex_id: *const u32,
    pub instance_id: *const u32,
    pub attributes: *const u32,
    pub attr_stride: u32,
    pub out: *mut f32,
    pub out_stride: u32,
}

/// `pm_fragment_batch`: one call of `pm_fragment_<k>` shades `count` fragments.
#[repr(C)]
pub struct PmFragmentBatch {
    pub count: u32,
    pub position: *const f32,
    pub varyings: *const f32,
    pub in_stride: u32,
    pub front_facing: *const u32,
    pub primitive_id: *const u32,
    pub point_coord: *const f32,
    pub color: *mut u32,
    pub depth: *mut f32,
    pub discarded: *mut u32,
}

/// `extern "C" void pm_vertex_<k>(const pm_dispatch*, pm_vertex_batch*)`.
pub type PmVertexFn = unsafe extern "C" fn(*const PmDispatch, *mut PmVertexBatch);
/// `extern "C" void pm_fragment_<k>(const pm_dispatch*, pm_fragment_batch*)`.
pub type PmFragmentFn = unsafe extern "C" fn(*const PmDispatch, *mut PmFragmentBatch);

// buffers, threadgroups/tg_size/threads, tg_arg_offset, padding, textures/samplers,
// buffer_len/fault, group_offset, inline_mask, inline_words.
const _: () = assert!(std::mem::size_of::<PmDispatch>() == 8 * 32 + 4 * 9 + 4 * 32 + 4 + 16 + 16 + 12 + 4 + 4 * 32);
const _: () = assert!(std::mem::size_of::<PmFault>() == 4 * 6 + 8 * 2);
const _: () = assert!(std::mem::size_of::<PmTexture>() == 8 + 4 * 8 + 8 * 16);
const _: () = assert!(std::mem::size_of::<PmSampler>() == 4 * 12);
const _: () = assert!(std::mem::size_of::<PmVertexBatch>() == 64);
const _: () = assert!(std::mem::size_of::<PmFragmentBatch>() == 8 * 10);
