//! Running one dispatch: the `pm_dispatch` block, the grid, and threadgroups spread over the
//! device's rayon pool.
//!
//! Groups are numbered x-fastest and handed to the pool in chunks of consecutive groups
//! (so the per-task cost vanishes for small groups). Each worker thread keeps its own
//! arena (dynamic `[[threadgroup(i)]]` memory, the 64 KiB area of static `threadgroup`
//! declarations, the SIMD exchange area) and fiber stacks, reused across dispatches.
//! Kernels without a reachable barrier run a whole group per call of `pm_group_<k>` (a run
//! of consecutive groups along x when the kernel uses no per-group built-in, see
//! [`spans_groups`]); the others run on fibers ([`super::fiber`]).

use super::fiber::{FiberSet, GroupMemory, SIMD_SCRATCH_BYTES};
use super::memory::Scratch;
use crate::abi::{PmCpuEntryFn, PmCpuTgStatic, PmCpuThread, PmDispatch, MAX_BUFFERS, MAX_TG_ARGS, MAX_TG_SITES};
use crate::{BufferBinding, ExecError, Grid};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Capacity of the static `threadgroup` declarations of one group.
pub const TG_STATIC_BYTES: usize = 64 * 1024;

/// The resolved kernel of a pipeline.
#[derive(Clone, Copy, Debug)]
pub struct Kernel {
    /// `pm_entry_<k>`: one thread (fiber path).
    pub entry: PmCpuEntryFn,
    /// `pm_group_<k>`: a whole group in a loop (kernels that reach no barrier).
    pub group: Option<PmCpuEntryFn>,
}

/// A dispatch ready to run: the ABI block plus what keeps its `set_bytes` data alive.
pub struct Launch {
    pub d: PmDispatch,
    /// Dynamic threadgroup bytes per group (sum of the 16-rounded lengths).
    pub dyn_tg_bytes: usize,
    /// `dispatch_threads`: edge groups are clipped to `d.threads`.
    clip: bool,
    _bytes: Vec<Vec<u128>>,
    /// What `d.textures` / `d.samplers` point to.
    _tables: Option<crate::StageTables>,
}

fn exec_err(message: impl Into<String>) -> ExecError {
    ExecError { message: message.into() }
}

impl Launch {
    /// Resolves bindings and the grid. Buffers must be CPU buffers (checked).
    pub fn new(buffers: &[Option<BufferBinding>], threadgroup_memory: &[u32], grid: Grid) -> Result<Self, ExecError> {
        let mut d = PmDispatch::new([0; 3], [0; 3], [0; 3]);
        let mut keep = Vec::new();
        for (i, b) in buffers.iter().enumerate().take(MAX_BUFFERS) {
            d.buffers[i] = match b {
                None => std::ptr::null_mut(),
                Some(BufferBinding::Buffer { buffer, offset }) => {
                    (buffer.gpu_address() as usize).wrapping_add(*offset) as *mut std::ffi::c_void
                }
                Some(BufferBinding::Bytes(data)) => {
                    // 16-aligned copy, zero-padded, kept alive for the dispatch.
                    let mut v = vec![0u128; data.len().div_ceil(16).max(1)];
                    // SAFETY: `v` holds at least `data.len()` bytes; the regions are distinct.
                    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), v.as_mut_ptr().cast::<u8>(), data.len()) };
                    let p = v.as_mut_ptr().cast::<std::ffi::c_void>();
                    keep.push(v);
                    p
                }
            };
        }
        let mut off = 0usize;
        for (i, len) in threadgroup_memory.iter().enumerate().take(MAX_TG_ARGS) {
            d.tg_arg_offset[i] = off as u32;
            off += (*len as usize).next_multiple_of(16);
        }
        let clip = matches!(grid, Grid::Threads { .. });
        match grid {
            Grid::Threadgroups { groups, threads_per_group } => {
                d.threadgroups = groups;
                d.tg_size = threads_per_group;
                // Grid positions are 32-bit: the plain loop relies on them not wrapping.
                if (0..3).any(|k| groups[k] as u64 * threads_per_group[k] as u64 > u32::MAX as u64) {
                    return Err(exec_err(format!(
                        "grid of {groups:?} threadgroups of {threads_per_group:?} threads exceeds 2^32 - 1 threads \
                         in a dimension"
                    )));
                }
                for k in 0..3 {
                    d.threads[k] = groups[k].saturating_mul(threads_per_group[k]);
                }
            }
            Grid::Threads { threads, threads_per_group } => {
                d.tg_size = threads_per_group;
                d.threads = threads;
                for k in 0..3 {
                    d.threadgroups[k] = threads[k].div_ceil(threads_per_group[k].max(1));
                }
            }
        }
        Ok(Launch { d, dyn_tg_bytes: off, clip, _bytes: keep, _tables: None })
    }

    /// Binds the texture and sampler tables (kept alive by the launch).
    pub fn with_tables(mut self, tables: crate::StageTables) -> Self {
        tables.apply(&mut self.d);
        self._tables = Some(tables);
        self
    }

    fn group_count(&self) -> u64 {
        self.d.threadgroups.iter().map(|&g| g as u64).product()
    }

    /// Group coordinates and clipped size of linear group `l`.
    fn group(&self, l: u64) -> ([u32; 3], [u32; 3]) {
        let [nx, ny, _] = self.d.threadgroups;
        let g = [(l % nx as u64) as u32, ((l / nx as u64) % ny as u64) as u32, (l / (nx as u64 * ny as u64)) as u32];
        if !self.clip {
            return (g, self.d.tg_size);
        }
        let mut size = [0u32; 3];
        for k in 0..3 {
            let start = g[k] as u64 * self.d.tg_size[k] as u64;
            size[k] = (self.d.threads[k] as u64).saturating_sub(start).min(self.d.tg_size[k] as u64) as u32;
        }
        (g, size)
    }
}

/// Per-worker-thread state, reused across dispatches.
struct Worker {
    arena: Scratch,
    tg_static_mem: Scratch,
    tg_static: Box<PmCpuTgStatic>,
    simd: Scratch,
    fibers: FiberSet,
}

impl Worker {
    fn new() -> Self {
        Worker {
            arena: Scratch::default(),
            tg_static_mem: Scratch::default(),
            tg_static: Box::new(PmCpuTgStatic {
                base: std::ptr::null_mut(),
                capacity: 0,
                used: 0,
                overflow: 1,
                site_offset: [u32::MAX; MAX_TG_SITES],
            }),
            simd: Scratch::default(),
            fibers: FiberSet::default(),
        }
    }

    /// Resets the static threadgroup declarations for the next group (only if used).
    fn reset_tg_static(&mut self) {
        let s = &mut *self.tg_static;
        if s.used != 0 || s.overflow != 0 {
            s.used = 0;
            s.overflow = 0;
            s.site_offset = [u32::MAX; MAX_TG_SITES];
        }
    }

    fn run_chunk(&mut self, launch: &Launch, kernel: Kernel, first: u64, last: u64) -> Result<(), String> {
        let oom = || format!("out of memory for the threadgroup arena ({} bytes)", launch.dyn_tg_bytes);
        let arena = self.arena.ensure(launch.dyn_tg_bytes.max(16)).ok_or_else(oom)?;
        let tg_base = self.tg_static_mem.ensure(TG_STATIC_BYTES).ok_or_else(oom)?;
        let full = launch.d.tg_size.iter().map(|&v| v as usize).product::<usize>();
        let simd_bytes = full.div_ceil(32).max(1) * SIMD_SCRATCH_BYTES;
        let simd = self.simd.ensure(simd_bytes).ok_or_else(oom)?;
        self.tg_static.base = tg_base;
        self.tg_static.capacity = TG_STATIC_BYTES as u32;
        self.tg_static.overflow = 1; // forces a full reset before the first group
        let tg_static: *mut PmCpuTgStatic = &mut *self.tg_static;
        let mut thread = PmCpuThread {
            tid: [0; 3],
            group: [0; 3],
            tg_size: [0; 3],
            flat: 0,
            arena,
            tg_static,
            simd_scratch: simd,
            simd_live: std::ptr::null(),
            sched: std::ptr::null_mut(),
            sync: None,
        };
        let mem = GroupMemory { arena, tg_static, simd_scratch: simd };
        let span = kernel.group.is_some_and(|f| spans_groups(f, &launch.d));
        let mut l = first;
        while l < last {
            let (g, mut size) = launch.group(l);
            let mut next = l + 1;
            if span {
                // The groups l..next along x in one call (same y, z): `size[0]` threads from
                // the first group's start, up to the clipped edge.
                let m = (launch.d.threadgroups[0] - g[0]) as u64;
                next = (l + m).min(last);
                let tx = launch.d.tg_size[0] as u64;
                let start = g[0] as u64 * tx;
                let end = (start + (next - l) * tx).min(launch.d.threads[0] as u64);
                size[0] = (end - start) as u32;
            }
            l = next;
            self.reset_tg_static();
            match kernel.group {
                Some(group_fn) => {
                    thread.group = g;
                    thread.tg_size = size;
                    thread.tid = [0; 3];
                    thread.flat = 0;
                    // SAFETY: the dispatch block and the arenas are valid for this group; the
                    // generated function follows the ABI.
                    unsafe { super::guard::call(group_fn, &launch.d, &mut thread) }
                        .map_err(|f| format!("{f} in threadgroup ({}, {}, {})", g[0], g[1], g[2]))?;
                }
                None => {
                    // SAFETY: as above; the areas are sized for a full group.
                    unsafe { self.fibers.run_group(&launch.d, kernel.entry, g, size, &mem)? };
                }
            }
            if self.tg_static.overflow != 0 {
                return Err(format!(
                    "threadgroup memory exceeds {TG_STATIC_BYTES} bytes (static threadgroup declarations of \
                     threadgroup ({}, {}, {}))",
                    g[0], g[1], g[2]
                ));
            }
        }
        Ok(())
    }
}

/// Whether `pm_group_<k>` may run a run of consecutive groups along x in one call (its kernel
/// uses no per-group built-in): a call with a zero `tg_size[0]` answers `flat = 1`.
fn spans_groups(group_fn: PmCpuEntryFn, d: &PmDispatch) -> bool {
    let mut probe = PmCpuThread {
        tid: [0; 3],
        group: [0; 3],
        tg_size: [0; 3],
        flat: 0,
        arena: std::ptr::null_mut(),
        tg_static: std::ptr::null_mut(),
        simd_scratch: std::ptr::null_mut(),
        simd_live: std::ptr::null(),
        sched: std::ptr::null_mut(),
        sync: None,
    };
    // SAFETY: a zero-sized group runs no thread; the wrapper only reads the block and writes `flat`.
    let ok = unsafe { super::guard::call(group_fn, d, &mut probe) }.is_ok();
    ok && probe.flat == 1
}

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

fn run_chunk_here(launch: &Launch, kernel: Kernel, first: u64, last: u64) -> Result<(), String> {
    WORKER.with(|w| {
        let mut w = w.try_borrow_mut().map_err(|_| "re-entrant dispatch on a worker thread".to_string())?;
        w.get_or_insert_with(Worker::new).run_chunk(launch, kernel, first, last)
    })
}

fn run_task(launch: &Launch, kernel: Kernel, chunk: u64, groups: u64, t: u64) -> Result<(), String> {
    let first = t * chunk;
    let last = (first + chunk).min(groups);
    match catch_unwind(AssertUnwindSafe(|| run_chunk_here(launch, kernel, first, last))) {
        Ok(r) => r,
        Err(p) => Err(format!("internal error while running the kernel: {}", crate::panic_message(p.as_ref()))),
    }
}

/// Runs a dispatch to completion on `pool` (or on this thread when there is none).
pub fn run(pool: Option<&rayon::ThreadPool>, launch: &Launch, kernel: Kernel) -> Result<(), ExecError> {
    use rayon::prelude::*;
    let groups = launch.group_count();
    if groups == 0 || launch.d.threads.contains(&0) {
        return Ok(());
    }
    let workers = pool.map(|p| p.current_num_threads()).unwrap_or(1).max(1) as u64;
    let per_group = launch.d.tg_size.iter().map(|&v| v as u64).product::<u64>().max(1);
    // Aim for ~16 tasks per worker, but at least ~16k threads per task on the plain path.
    let mut chunk = (groups / (workers * 16)).max(1);
    if kernel.group.is_some() {
        chunk = chunk.max(16384u64.div_ceil(per_group)).min(groups);
    }
    let tasks = groups.div_ceil(chunk);
    let result = match pool {
        Some(pool) if tasks > 1 => {
            pool.install(|| (0..tasks).into_par_iter().try_for_each(|t| run_task(launch, kernel, chunk, groups, t)))
        }
        _ => (0..tasks).try_for_each(|t| run_task(launch, kernel, chunk, groups, t)),
    };
    result.map_err(exec_err)
}
