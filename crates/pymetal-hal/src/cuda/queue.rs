//! Command queues: one CUDA stream each. `submit` launches the recorded commands on the
//! calling thread; a waiter thread per queue waits for each submission's event and
//! reports completion (or the fault) in order.

use super::compile::CudaPipeline;
use super::device::{check, DeviceShared, DriverError};
use super::grid::{grid_dims, launch_regions, tg_layout};
use super::memory::CudaBuffer;
use super::render;
use super::staging::Staging;
use super::texture::{self as tex, texture_of};
use crate::abi::{
    PmDispatch, PmFault, PmSampler, PmTexture, INLINE_SLOTS, INLINE_WORDS, MAX_BUFFERS, MAX_SAMPLERS, MAX_TEXTURES,
};
use crate::{BufferBinding, Command, CompletedFn, ExecError, HalError, Queue, StorageMode, Submission};
use cudarc::driver::sys;
use std::any::Any;
use std::collections::HashSet;
use std::ffi::c_void;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A submission in flight, handed to the waiter.
struct Pending {
    gen: u64,
    event: Option<sys::CUevent>,
    /// An error found while launching (the launched part still runs first).
    error: Option<DriverErrorOrText>,
    /// Kernel names, for fault messages.
    kernels: String,
    /// Shader validation: each validated dispatch's fault block (offset in the staging host
    /// block) and kernel name, read once the work is done.
    faults: Vec<(usize, String)>,
    /// Keeps buffers and pipelines alive until the GPU is done with them.
    _commands: Vec<Command>,
    staging: Option<Arc<Staging>>,
    on_completed: CompletedFn,
}

// SAFETY: the event handle is usable from any thread; the rest is Send.
unsafe impl Send for Pending {}

enum DriverErrorOrText {
    Driver(DriverError),
    Text(String),
}

struct QueueState {
    gen: u64,
    stream: sys::CUstream,
    staging: Vec<Arc<Staging>>,
    tx: Option<Sender<Pending>>,
    prefetched: HashSet<u64>,
    bytes_scratch: Vec<usize>,
    /// Per dispatch: staging offsets of its texture and sampler tables and, when validated,
    /// of its buffer-length table (NO_TABLE: none).
    table_scratch: Vec<[usize; 3]>,
    /// Fault blocks of the dispatches being launched (see `Pending::faults`).
    faults: Vec<(usize, String)>,
}

/// A dispatch that binds no texture (or sampler) passes a null table.
const NO_TABLE: usize = usize::MAX;
const TEXTURE_TABLE_BYTES: usize = std::mem::size_of::<[PmTexture; MAX_TEXTURES]>();
const SAMPLER_TABLE_BYTES: usize = std::mem::size_of::<[PmSampler; MAX_SAMPLERS]>();
const LENGTH_TABLE_BYTES: usize = std::mem::size_of::<[u64; MAX_BUFFERS]>();
const FAULT_BYTES: usize = std::mem::size_of::<PmFault>().next_multiple_of(16);

// SAFETY: the stream handle is usable from any thread; access is behind the queue's mutex.
unsafe impl Send for QueueState {}

struct QueueShared {
    device: Arc<DeviceShared>,
    state: Mutex<QueueState>,
    /// Completed events for reuse, tagged with their generation.
    free_events: Mutex<(u64, Vec<sys::CUevent>)>,
}

// SAFETY: handles are process-wide; mutable state is behind mutexes.
unsafe impl Send for QueueShared {}
// SAFETY: as above.
unsafe impl Sync for QueueShared {}

/// A command queue of a CUDA device.
pub struct CudaQueue {
    shared: Arc<QueueShared>,
}

fn create_stream() -> Result<sys::CUstream, DriverError> {
    let mut s: sys::CUstream = std::ptr::null_mut();
    // SAFETY: valid out-pointer. CU_STREAM_DEFAULT (blocking): ordered after the blocking
    // memsets that clear new buffers.
    check(unsafe { sys::cuStreamCreate(&mut s, 0) })?;
    Ok(s)
}

impl CudaQueue {
    pub(crate) fn new(device: &Arc<DeviceShared>) -> Result<CudaQueue, HalError> {
        let dev_err = |e: DriverError| HalError::Device(format!("creating a CUDA stream: {e}"));
        let (gen, stream) = {
            let _g = device.gate.read().map_err(|_| HalError::Device("device lock poisoned".into()))?;
            device.make_current().map_err(dev_err)?;
            (device.generation(), create_stream().map_err(dev_err)?)
        };
        let (tx, rx) = channel::<Pending>();
        let shared = Arc::new(QueueShared {
            device: device.clone(),
            state: Mutex::new(QueueState {
                gen,
                stream,
                staging: Vec::new(),
                tx: Some(tx),
                prefetched: HashSet::new(),
                bytes_scratch: Vec::new(),
                table_scratch: Vec::new(),
                faults: Vec::new(),
            }),
            free_events: Mutex::new((gen, Vec::new())),
        });
        let waiter = shared.clone();
        std::thread::Builder::new()
            .name(format!("pymetal-cuda{}-queue", device.ordinal))
            .spawn(move || wait_loop(waiter, rx))
            .map_err(|e| HalError::Device(format!("could not start the completion thread: {e}")))?;
        Ok(CudaQueue { shared })
    }
}

impl Drop for CudaQueue {
    fn drop(&mut self) {
        // Closing the channel ends the waiter once the submissions in flight completed;
        // the stream is destroyed when the waiter drops the last reference.
        if let Ok(mut st) = self.shared.state.lock() {
            st.tx = None;
        }
    }
}

impl Drop for QueueShared {
    fn drop(&mut self) {
        let _g = self.device.gate.read();
        let Ok(st) = self.state.get_mut() else { return };
        if st.gen != self.device.generation() || self.device.make_current().is_err() {
            return;
        }
        // SAFETY: the stream and events belong to the live generation and are unused now.
        unsafe {
            sys::cuStreamDestroy_v2(st.stream);
            if let Ok((gen, evs)) = self.free_events.get_mut() {
                if *gen == st.gen {
                    for e in evs.drain(..) {
                        sys::cuEventDestroy_v2(e);
                    }
                }
            }
        }
    }
}

/// How long the completion thread busy-polls (for the next submission, and for an event
/// before blocking in cuEventSynchronize): blocking and waking a thread costs several µs
/// per hop, which dominates the commit+wait of small kernels. `PYMETAL_CUDA_SPIN_US`
/// (default 200; 0 = never spin); no spinning on machines with fewer than 4 CPUs.
fn spin_budget() -> Duration {
    static US: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let us = *US.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let default = if cpus >= 4 { 200 } else { 0 };
        std::env::var("PYMETAL_CUDA_SPIN_US").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
    });
    Duration::from_micros(us)
}

/// The next submission: polled for `spin_budget()` after the previous one, then blocking.
fn next_pending(rx: &Receiver<Pending>) -> Option<Pending> {
    let budget = spin_budget();
    if !budget.is_zero() {
        let start = Instant::now();
        loop {
            match rx.try_recv() {
                Ok(p) => return Some(p),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
            if start.elapsed() >= budget {
                break;
            }
            crate::backoff();
        }
    }
    rx.recv().ok()
}

/// Waits for `ev`: cuEventQuery for `spin_budget()`, then cuEventSynchronize.
fn wait_event(ev: sys::CUevent) -> Result<(), DriverError> {
    let budget = spin_budget();
    if !budget.is_zero() {
        let start = Instant::now();
        loop {
            // SAFETY: as for cuEventSynchronize (caller).
            match unsafe { sys::cuEventQuery(ev) } {
                sys::CUresult::CUDA_ERROR_NOT_READY => {}
                r => return check(r),
            }
            if start.elapsed() >= budget {
                break;
            }
            crate::backoff();
        }
    }
    // SAFETY: the event was recorded on this queue's stream in this generation (caller).
    check(unsafe { sys::cuEventSynchronize(ev) })
}

/// Shader validation: the first fault block that reports an out-of-bounds access, as the
/// command buffer's error. Call once the submission's work is done.
fn validation_result(staging: Option<&Staging>, faults: &[(usize, String)]) -> Result<(), ExecError> {
    let Some(s) = staging else { return Ok(()) };
    for (off, kernel) in faults {
        // SAFETY: the block lies within the staging host allocation (laid out at launch); the
        // kernels that wrote it have completed.
        let f = unsafe { std::ptr::read_volatile(s.host.add(*off).cast::<PmFault>()) };
        if f.hit != 0 {
            return Err(ExecError { message: f.describe(kernel) });
        }
    }
    Ok(())
}

fn wait_loop(q: Arc<QueueShared>, rx: Receiver<Pending>) {
    let dev = q.device.clone();
    while let Some(p) = next_pending(&rx) {
        let mut sticky: Option<String> = None;
        let result: Result<(), ExecError> = {
            let guard = dev.gate.read();
            if p.gen != dev.generation() || guard.is_err() {
                Err(ExecError { message: format!("command buffer failed: {}", dev.lost_message()) })
            } else {
                let _ = dev.make_current();
                let waited = match p.event {
                    // The event was recorded on this queue's stream in this generation.
                    Some(ev) => wait_event(ev),
                    None => Ok(()),
                };
                if let (Some(ev), Ok(())) = (p.event, &waited) {
                    if let Ok(mut fe) = q.free_events.lock() {
                        if fe.0 == p.gen {
                            fe.1.push(ev);
                        }
                    }
                }
                let err = match (waited, p.error) {
                    (Err(e), _) | (Ok(()), Some(DriverErrorOrText::Driver(e))) => Some((e.is_sticky(), e.to_string())),
                    (Ok(()), Some(DriverErrorOrText::Text(t))) => Some((false, t)),
                    (Ok(()), None) => None,
                };
                match err {
                    None => validation_result(p.staging.as_deref(), &p.faults),
                    Some((true, text)) => {
                        let msg = format!(
                            "command buffer failed: the GPU reported {text} while running kernel(s) {}. \
                             pymetal resets the GPU context; buffers created before the fault are lost \
                             (Shared ones read as zeros). Where the driver keeps the error for the whole \
                             process (seen with driver 580), later GPU work fails with this message and \
                             only a new process can use this GPU; the CPU device keeps working",
                            p.kernels
                        );
                        sticky = Some(msg.clone());
                        Err(ExecError { message: msg })
                    }
                    Some((false, text)) => Err(ExecError { message: format!("command buffer failed: {text}") }),
                }
            }
        };
        if let Some(msg) = sticky {
            dev.reset_after_fault(p.gen, &msg);
        }
        if let Some(s) = p.staging {
            s.busy.store(false, Ordering::Release);
        }
        drop(p._commands);
        (p.on_completed)(result);
    }
}

fn buffer_of(b: &Arc<dyn crate::Buffer>) -> &CudaBuffer {
    match b.as_any().downcast_ref::<CudaBuffer>() {
        Some(c) => c,
        None => unreachable!("a buffer of another device reached the CUDA queue (core validates devices)"),
    }
}

fn pipeline_of(d: &crate::Dispatch) -> &CudaPipeline {
    match d.pipeline.as_any().downcast_ref::<CudaPipeline>() {
        Some(p) => p,
        None => unreachable!("a pipeline of another device reached the CUDA queue"),
    }
}

/// `PYMETAL_CUDA_PREFETCH=0` turns off prefetching Shared buffers at commit (read once).
fn prefetch_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| !matches!(std::env::var_os("PYMETAL_CUDA_PREFETCH"), Some(v) if v == "0"))
}

fn align16(n: usize) -> usize {
    (n + 15) & !15
}

impl QueueShared {
    /// Launches everything; returns the event to wait on and the first error.
    fn launch_all(
        &self,
        st: &mut QueueState,
        commands: &[Command],
    ) -> (Option<Arc<Staging>>, Option<DriverErrorOrText>) {
        let dev = &self.device;
        let gen = st.gen;
        let stream = st.stream;
        let lost = || Some(DriverErrorOrText::Text(dev.lost_message()));

        // 1. set_bytes data and texture/sampler tables: one pinned staging block, one upload.
        st.bytes_scratch.clear();
        st.table_scratch.clear();
        st.faults.clear();
        let mut total = 0usize;
        for c in commands {
            if let Command::Dispatch(d) = c {
                for b in d.buffers.iter().flatten() {
                    if let BufferBinding::Bytes(data) = b {
                        st.bytes_scratch.push(total);
                        total += align16(data.len().max(1));
                    }
                }
                let mut table = |bound: bool, bytes: usize| {
                    if !bound {
                        return NO_TABLE;
                    }
                    let at = total;
                    total += align16(bytes);
                    at
                };
                let t = table(d.textures.iter().any(Option::is_some), TEXTURE_TABLE_BYTES);
                let s = table(d.samplers.iter().any(Option::is_some), SAMPLER_TABLE_BYTES);
                let validated = pipeline_of(d).validated;
                let l = table(validated, LENGTH_TABLE_BYTES);
                st.table_scratch.push([t, s, l]);
                if validated {
                    st.faults.push((0, pipeline_of(d).name.clone()));
                }
            }
        }
        // Fault blocks follow the uploaded part.
        for (j, f) in st.faults.iter_mut().enumerate() {
            f.0 = total + j * FAULT_BYTES;
        }
        let need = total + st.faults.len() * FAULT_BYTES;
        let mut staging = None;
        if need > 0 {
            let found = st.staging.iter().find(|s| s.cap >= need && !s.busy.load(Ordering::Acquire)).cloned();
            let s = match found {
                Some(s) => {
                    s.busy.store(true, Ordering::Release);
                    s
                }
                None => match Staging::new(dev, gen, need.next_power_of_two().max(64 * 1024)) {
                    Ok(s) => {
                        let s = Arc::new(s);
                        st.staging.push(s.clone());
                        s
                    }
                    Err(e) => return (None, Some(DriverErrorOrText::Driver(e))),
                },
            };
            let (mut k, mut n) = (0, 0);
            for c in commands {
                if let Command::Dispatch(d) = c {
                    let [t_off, s_off, l_off] = st.table_scratch[n];
                    n += 1;
                    if l_off != NO_TABLE {
                        let lengths = crate::bound_lengths(&d.buffers);
                        // SAFETY: as for the texture table below.
                        unsafe {
                            std::ptr::copy_nonoverlapping(lengths.as_ptr(), s.host.add(l_off).cast(), MAX_BUFFERS)
                        };
                    }
                    if t_off != NO_TABLE {
                        let mut table = [PmTexture::NONE; MAX_TEXTURES];
                        for (slot, t) in table.iter_mut().zip(&d.textures) {
                            if let Some(t) = t {
                                *slot = texture_of(t).pm_texture();
                            }
                        }
                        // SAFETY: laid out above within `total` <= cap; ours until completion (busy).
                        unsafe {
                            std::ptr::copy_nonoverlapping(table.as_ptr(), s.host.add(t_off).cast(), MAX_TEXTURES)
                        };
                    }
                    if s_off != NO_TABLE {
                        let mut table = [PmSampler::default(); MAX_SAMPLERS];
                        for (slot, v) in table.iter_mut().zip(&d.samplers) {
                            if let Some(v) = v {
                                *slot = *v;
                            }
                        }
                        // SAFETY: as for the texture table.
                        unsafe {
                            std::ptr::copy_nonoverlapping(table.as_ptr(), s.host.add(s_off).cast(), MAX_SAMPLERS)
                        };
                    }
                    for b in d.buffers.iter().flatten() {
                        if let BufferBinding::Bytes(data) = b {
                            // SAFETY: offsets were laid out within `total` <= cap; the slot is
                            // ours until this submission completes (busy).
                            unsafe {
                                std::ptr::copy_nonoverlapping(
                                    data.as_ptr(),
                                    s.host.add(st.bytes_scratch[k]),
                                    data.len(),
                                )
                            };
                            k += 1;
                        }
                    }
                }
            }
            for &(off, _) in &st.faults {
                // SAFETY: laid out above within `need` <= cap; ours until completion (busy).
                unsafe { std::ptr::write_volatile(s.host.add(off).cast::<PmFault>(), PmFault::default()) };
            }
            // SAFETY: pinned source and device destination of `total` bytes, on our stream.
            if total > 0 {
                if let Err(e) =
                    check(unsafe { sys::cuMemcpyHtoDAsync_v2(s.dev, s.host as *const c_void, total, stream) })
                {
                    return (Some(s), Some(DriverErrorOrText::Driver(e)));
                }
            }
            staging = Some(s);
        }

        // 2. Managed uploads and Shared prefetches for every buffer used.
        st.prefetched.clear();
        let prefetch = dev.can_prefetch && prefetch_enabled();
        let mut prepare = |b: &CudaBuffer| -> Result<(), DriverErrorOrText> {
            if b.gen != gen {
                return Err(DriverErrorOrText::Text(dev.lost_message()));
            }
            match b.mode() {
                StorageMode::Managed => {
                    if let Some((lo, hi)) = b.take_dirty() {
                        // SAFETY: lo..hi lies within both copies of this live buffer.
                        check(unsafe {
                            sys::cuMemcpyHtoDAsync_v2(
                                b.dptr + lo as u64,
                                b.host_ptr().add(lo) as *const c_void,
                                hi - lo,
                                stream,
                            )
                        })
                        .map_err(DriverErrorOrText::Driver)?;
                    }
                }
                StorageMode::Shared if prefetch && st.prefetched.insert(b.dptr) => {
                    let loc = sys::CUmemLocation {
                        type_: sys::CUmemLocationType::CU_MEM_LOCATION_TYPE_DEVICE,
                        id: dev.ordinal as i32,
                    };
                    // SAFETY: the whole managed allocation of a live buffer; a failed hint is harmless.
                    let _ = unsafe { sys::cuMemPrefetchAsync_v2(b.dptr, b.length().max(1), loc, 0, stream) };
                }
                _ => {}
            }
            Ok(())
        };
        use crate::Buffer as _;
        // Textures are managed memory: nothing to upload, but they die with a context reset.
        let texture_live = |t: &Arc<dyn crate::Texture>| -> Result<(), DriverErrorOrText> {
            if texture_of(t).gen != gen {
                return Err(DriverErrorOrText::Text(dev.lost_message()));
            }
            Ok(())
        };
        for c in commands {
            let r = match c {
                Command::Dispatch(d) => d
                    .buffers
                    .iter()
                    .flatten()
                    .try_for_each(|b| match b {
                        BufferBinding::Buffer { buffer, .. } => prepare(buffer_of(buffer)),
                        BufferBinding::Bytes(_) => Ok(()),
                    })
                    .and_then(|_| d.textures.iter().flatten().try_for_each(texture_live)),
                Command::CopyBuffer { src, dst, .. } => prepare(buffer_of(src)).and_then(|_| prepare(buffer_of(dst))),
                Command::FillBuffer { buffer, .. } | Command::SynchronizeBuffer { buffer } => {
                    prepare(buffer_of(buffer))
                }
                Command::CopyBufferToTexture { src: buffer, dst: texture, .. }
                | Command::CopyTextureToBuffer { src: texture, dst: buffer, .. } => {
                    prepare(buffer_of(buffer)).and_then(|_| texture_live(texture))
                }
                Command::CopyTexture { src, dst, .. } => texture_live(src).and_then(|_| texture_live(dst)),
                Command::GenerateMipmaps { texture, .. } | Command::SynchronizeTexture { texture, .. } => {
                    texture_live(texture)
                }
                Command::RenderPass(pass) => render::check_host_visible(pass)
                    .map_err(DriverErrorOrText::Text)
                    // Managed: upload pending host writes. Shared: no prefetch to the GPU,
                    // since the host reads them.
                    .and_then(|_| {
                        render::pass_buffers(pass).into_iter().map(|(_, b)| buffer_of(b)).try_for_each(|b| {
                            match b.mode() {
                                StorageMode::Managed => prepare(b),
                                _ if b.gen != gen => Err(DriverErrorOrText::Text(dev.lost_message())),
                                _ => Ok(()),
                            }
                        })
                    })
                    .and_then(|_| render::pass_textures(pass).into_iter().try_for_each(texture_live)),
            };
            if let Err(e) = r {
                return (staging, Some(e));
            }
        }
        if staging.as_ref().is_some_and(|s| s.gen != gen) {
            return (staging, lost());
        }

        // 3. The commands, in order.
        let (mut k, mut n, mut nf) = (0, 0, 0);
        for c in commands {
            let r: Result<(), DriverErrorOrText> = match c {
                Command::Dispatch(d) => {
                    let p = pipeline_of(d);
                    let (groups, tg, threads) = grid_dims(&d.grid);
                    let (tg_arg_offset, dyn_smem) = tg_layout(&d.threadgroup_memory);
                    let mut pd = PmDispatch { tg_arg_offset, ..PmDispatch::new(groups, tg, threads) };
                    let [t_off, s_off, l_off] = st.table_scratch[n];
                    n += 1;
                    let table = |off: usize| match (&staging, off) {
                        (Some(s), o) if o != NO_TABLE => s.dev + o as u64,
                        _ => 0,
                    };
                    pd.textures = table(t_off) as *const PmTexture;
                    pd.samplers = table(s_off) as *const PmSampler;
                    if l_off != NO_TABLE {
                        pd.buffer_len = table(l_off) as *const u64;
                        if let (Some(s), Some(&(off, _))) = (&staging, st.faults.get(nf)) {
                            pd.fault = (s.host_dev + off as u64) as *mut PmFault;
                        }
                        nf += 1;
                    }
                    for (i, b) in d.buffers.iter().enumerate().take(MAX_BUFFERS) {
                        pd.buffers[i] = match b {
                            Some(BufferBinding::Buffer { buffer, offset }) => {
                                (buffer_of(buffer).dptr + *offset as u64) as *mut c_void
                            }
                            Some(BufferBinding::Bytes(data)) => {
                                // Small data also travels in the launch parameters (pm_abi.h
                                // PM_INLINE_SLOTS); the device copy serves larger reads.
                                if i < INLINE_SLOTS && data.len() <= 4 * INLINE_WORDS {
                                    for (w, chunk) in pd.inline_words[i].iter_mut().zip(data.chunks(4)) {
                                        let mut b = [0u8; 4];
                                        b[..chunk.len()].copy_from_slice(chunk);
                                        *w = u32::from_ne_bytes(b);
                                    }
                                    pd.inline_mask |= 1 << i;
                                }
                                let s = staging.as_ref().map(|s| s.dev).unwrap_or(0);
                                let ptr = s + st.bytes_scratch[k] as u64;
                                k += 1;
                                ptr as *mut c_void
                            }
                            None => std::ptr::null_mut(),
                        };
                    }
                    match p.function_for_launch(gen, dyn_smem) {
                        Err(t) => Err(DriverErrorOrText::Text(t)),
                        Ok(f) => launch_regions(tg, threads).try_for_each(|(offset, count, block)| {
                            pd.group_offset = offset;
                            let mut params = [&mut pd as *mut PmDispatch as *mut c_void];
                            // SAFETY: f takes one by-value pm_dispatch (docs/abi.md); params
                            // points at it for the duration of the call, which copies it.
                            check(unsafe {
                                sys::cuLaunchKernel(
                                    f,
                                    count[0],
                                    count[1],
                                    count[2],
                                    block[0],
                                    block[1],
                                    block[2],
                                    dyn_smem,
                                    stream,
                                    params.as_mut_ptr(),
                                    std::ptr::null_mut(),
                                )
                            })
                            .map_err(|e| DriverErrorOrText::Text(format!("launching kernel {}: {e}", p.name)))
                        }),
                    }
                }
                Command::CopyBuffer { src, src_offset, dst, dst_offset, size } => {
                    let (s, d) = (buffer_of(src), buffer_of(dst));
                    // SAFETY: ranges validated by core; both live device (or managed) memory.
                    check(unsafe {
                        sys::cuMemcpyDtoDAsync_v2(
                            d.dptr + *dst_offset as u64,
                            s.dptr + *src_offset as u64,
                            *size,
                            stream,
                        )
                    })
                    .map_err(DriverErrorOrText::Driver)
                }
                Command::FillBuffer { buffer, offset, length, value } => {
                    // SAFETY: range validated by core.
                    check(unsafe {
                        sys::cuMemsetD8Async(buffer_of(buffer).dptr + *offset as u64, *value, *length, stream)
                    })
                    .map_err(DriverErrorOrText::Driver)
                }
                Command::SynchronizeBuffer { buffer } => {
                    let b = buffer_of(buffer);
                    if b.mode() == StorageMode::Managed {
                        // SAFETY: both copies have `length` bytes; the host copy outlives the
                        // copy because the command holds the buffer until completion.
                        check(unsafe {
                            sys::cuMemcpyDtoHAsync_v2(b.host_ptr() as *mut c_void, b.dptr, b.length(), stream)
                        })
                        .map_err(DriverErrorOrText::Driver)
                    } else {
                        Ok(())
                    }
                }
                Command::CopyBufferToTexture { .. }
                | Command::CopyTextureToBuffer { .. }
                | Command::CopyTexture { .. }
                | Command::GenerateMipmaps { .. }
                | Command::SynchronizeTexture { .. } => tex::encode(c, stream).map_err(DriverErrorOrText::Driver),
                Command::RenderPass(pass) => {
                    render::download_managed(pass, stream).map_err(DriverErrorOrText::Driver).and_then(|()| {
                        let r = render::rasterize(&render::host_pass(pass));
                        render::mark_managed_modified(pass);
                        r.map_err(|e| DriverErrorOrText::Text(e.message))
                    })
                }
            };
            if let Err(e) = r {
                return (staging, Some(e));
            }
        }
        (staging, None)
    }

    /// A free event of the current generation, or a new one.
    fn event(&self, gen: u64) -> Result<sys::CUevent, DriverError> {
        if let Ok(mut fe) = self.free_events.lock() {
            if fe.0 != gen {
                *fe = (gen, Vec::new()); // the old handles died with the old context
            }
            if let Some(e) = fe.1.pop() {
                return Ok(e);
            }
        }
        let mut e: sys::CUevent = std::ptr::null_mut();
        // SAFETY: valid out-pointer; CU_EVENT_DISABLE_TIMING = 2.
        check(unsafe { sys::cuEventCreate(&mut e, 2) })?;
        Ok(e)
    }
}

impl Queue for CudaQueue {
    fn submit(&self, work: Submission) {
        let Submission { commands, on_scheduled, on_completed } = work;
        let q = &self.shared;
        let dev = &q.device;
        let kernels = {
            let mut names: Vec<&str> = Vec::new();
            for c in &commands {
                if let Command::Dispatch(d) = c {
                    let n = pipeline_of(d).name.as_str();
                    if !names.contains(&n) && names.len() < 4 {
                        names.push(n);
                    }
                }
            }
            if names.is_empty() {
                "(none: blit commands only)".to_string()
            } else {
                names.join(", ")
            }
        };
        let sent = (|| -> Result<(), (CompletedFn, ExecError)> {
            let fail = |m: String| ExecError { message: format!("command buffer failed: {m}") };
            let mut st = match q.state.lock() {
                Ok(st) => st,
                Err(_) => return Err((on_completed, fail("queue lock poisoned".into()))),
            };
            let guard = match dev.gate.read() {
                Ok(g) => g,
                Err(_) => return Err((on_completed, fail("device lock poisoned".into()))),
            };
            if let Err(e) = dev.make_current() {
                return Err((on_completed, fail(format!("cuCtxSetCurrent: {e}"))));
            }
            let gen = dev.generation();
            let mut dead_staging = Vec::new();
            if st.gen != gen {
                // The context was reset after a fault: the old stream and staging are gone
                // (dropped below, after the gate: Staging's Drop takes it again).
                dead_staging = std::mem::take(&mut st.staging);
                match create_stream() {
                    Ok(s) => {
                        st.stream = s;
                        st.gen = gen;
                    }
                    Err(e) => return Err((on_completed, fail(format!("recreating the stream: {e}")))),
                }
            }
            let (staging, error) = q.launch_all(&mut st, &commands);
            let event = match q.event(gen) {
                // SAFETY: event and stream of the current generation.
                Ok(ev) => match check(unsafe { sys::cuEventRecord(ev, st.stream) }) {
                    Ok(()) => Some(ev),
                    Err(_) => None,
                },
                Err(_) => None,
            };
            // Without an event there is nothing to wait on: drain the stream here.
            let error = match (event, error) {
                (None, e) => {
                    // SAFETY: our stream of the current generation.
                    let r = check(unsafe { sys::cuStreamSynchronize(st.stream) });
                    e.or(r.err().map(DriverErrorOrText::Driver))
                }
                (Some(_), e) => e,
            };
            drop(guard);
            drop(dead_staging);
            let faults = std::mem::take(&mut st.faults);
            let pending = Pending { gen, event, error, kernels, faults, _commands: commands, staging, on_completed };
            match &st.tx {
                Some(tx) => tx.send(pending).map_err(|e| {
                    let p = e.0;
                    (p.on_completed, fail("the completion thread stopped".into()))
                }),
                None => Err((pending.on_completed, fail("the queue was dropped".into()))),
            }
        })();
        on_scheduled();
        if let Err((done, err)) = sent {
            done(Err(err));
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
