//! Command queues: one worker thread per queue runs submissions in order.
//!
//! Dropping the queue closes its channel; the worker finishes what was submitted and
//! ends, and `Drop` joins it (unless the last reference is dropped on the worker itself,
//! e.g. from a completion handler, in which case it ends on its own).

use super::exec::{self, Launch};
use super::memory::CpuBuffer;
use super::pipeline::CpuPipeline;
use crate::abi::PmFault;
use crate::{Buffer, Command, Dispatch, ExecError, HalError, Queue, Submission};
use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

static LIVE_QUEUE_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Number of queue worker threads alive now (for leak tests).
pub fn live_queue_threads() -> usize {
    LIVE_QUEUE_THREADS.load(Ordering::SeqCst)
}

/// A CPU command queue.
pub struct CpuQueue {
    tx: Mutex<Option<Sender<Submission>>>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

struct ThreadCount;
impl Drop for ThreadCount {
    fn drop(&mut self) {
        LIVE_QUEUE_THREADS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl CpuQueue {
    pub fn new(pool: Option<Arc<rayon::ThreadPool>>) -> Result<Self, HalError> {
        let (tx, rx) = channel::<Submission>();
        LIVE_QUEUE_THREADS.fetch_add(1, Ordering::SeqCst);
        let count = ThreadCount;
        let worker = std::thread::Builder::new()
            .name("pymetal-cpu-queue".into())
            .spawn(move || {
                let _count = count;
                while let Ok(work) = rx.recv() {
                    run_submission(pool.as_deref(), work);
                }
            })
            .map_err(|e| HalError::Device(format!("cannot start a queue thread: {e}")))?;
        Ok(CpuQueue { tx: Mutex::new(Some(tx)), worker: Mutex::new(Some(worker)) })
    }
}

fn run_submission(pool: Option<&rayon::ThreadPool>, work: Submission) {
    let Submission { commands, on_scheduled, on_completed } = work;
    on_scheduled();
    let mut result = Ok(());
    for cmd in &commands {
        result = run_command(pool, cmd);
        if result.is_err() {
            break;
        }
    }
    // Release buffers and pipelines before the handler runs (it may check for leaks).
    drop(commands);
    on_completed(result);
}

fn host_ptr(buffer: &Arc<dyn Buffer>) -> Result<*mut u8, ExecError> {
    buffer
        .as_any()
        .downcast_ref::<CpuBuffer>()
        .map(|b| b.ptr())
        .ok_or_else(|| ExecError { message: "a buffer of another device was used on the CPU device".into() })
}

fn host_tex(texture: &Arc<dyn crate::Texture>) -> Result<*mut u8, ExecError> {
    texture
        .contents()
        .ok_or_else(|| ExecError { message: "a texture of another device was used on the CPU device".into() })
}

fn run_command(pool: Option<&rayon::ThreadPool>, cmd: &Command) -> Result<(), ExecError> {
    match cmd {
        Command::Dispatch(d) => run_dispatch(pool, d),
        Command::CopyBuffer { src, src_offset, dst, dst_offset, size } => {
            let (s, t) = (host_ptr(src)?, host_ptr(dst)?);
            // SAFETY: the object model validated both ranges; `copy` allows overlap.
            unsafe { std::ptr::copy(s.add(*src_offset), t.add(*dst_offset), *size) };
            Ok(())
        }
        Command::FillBuffer { buffer, offset, length, value } => {
            let p = host_ptr(buffer)?;
            // SAFETY: the object model validated the range.
            unsafe { std::ptr::write_bytes(p.add(*offset), *value, *length) };
            Ok(())
        }
        Command::SynchronizeBuffer { .. } => Ok(()),
        Command::CopyBufferToTexture { src, src_offset, dst, region } => {
            let (s, t) = (host_ptr(src)?, host_tex(dst)?);
            // SAFETY: the object model validated the region against both resources.
            unsafe { crate::texture::copy_region(t, dst.desc(), region, s.add(*src_offset), true) };
            Ok(())
        }
        Command::CopyTextureToBuffer { src, dst, dst_offset, region } => {
            let (t, d) = (host_tex(src)?, host_ptr(dst)?);
            // SAFETY: as above.
            unsafe { crate::texture::copy_region(t, src.desc(), region, d.add(*dst_offset), false) };
            Ok(())
        }
        Command::SynchronizeTexture { .. } => Ok(()),
        Command::CopyTexture { src, src_slice, src_level, src_origin, dst, dst_slice, dst_level, dst_origin, size } => {
            use crate::blit::CopySide;
            let s = CopySide {
                data: host_tex(src)?,
                desc: src.desc(),
                slice: *src_slice,
                level: *src_level,
                origin: *src_origin,
            };
            let d = CopySide {
                data: host_tex(dst)?,
                desc: dst.desc(),
                slice: *dst_slice,
                level: *dst_level,
                origin: *dst_origin,
            };
            // SAFETY: the object model validated both boxes and the texel sizes.
            unsafe { crate::blit::copy_texture(&s, &d, *size) };
            Ok(())
        }
        Command::GenerateMipmaps { texture, format } => {
            host_tex(texture)?;
            let run = || {
                if let Some(p) = texture.contents() {
                    // SAFETY: the object model checked the format; the queue runs one
                    // command at a time.
                    unsafe { crate::blit::generate_mipmaps(p, texture.desc(), *format) }
                }
            };
            match pool {
                Some(pool) => pool.install(run),
                None => run(),
            }
            Ok(())
        }
        Command::RenderPass(pass) => crate::raster::run_pass(pool, pass),
    }
}

fn run_dispatch(pool: Option<&rayon::ThreadPool>, d: &Dispatch) -> Result<(), ExecError> {
    let pipeline = d
        .pipeline
        .as_any()
        .downcast_ref::<CpuPipeline>()
        .ok_or_else(|| ExecError { message: "a pipeline of another device was used on the CPU device".into() })?;
    for b in d.buffers.iter().flatten() {
        if let crate::BufferBinding::Buffer { buffer, .. } = b {
            host_ptr(buffer)?;
        }
    }
    for t in d.textures.iter().flatten() {
        host_tex(t)?;
    }
    let tables = crate::stage_tables(&d.textures, &d.samplers)?;
    let mut launch = Launch::new(&d.buffers, &d.threadgroup_memory, d.grid)?.with_tables(tables);
    // Shader validation: the kernel reports its first out-of-bounds access here.
    let lengths = pipeline.validated().then(|| crate::bound_lengths(&d.buffers));
    let mut fault = PmFault::default();
    if let Some(lengths) = &lengths {
        launch.d.buffer_len = lengths.as_ptr();
        launch.d.fault = &mut fault;
    }
    exec::run(pool, &launch, pipeline.kernel())
        .map_err(|e| ExecError { message: format!("kernel '{}': {}", pipeline.name(), e.message) })?;
    // SAFETY: the dispatch has finished; nothing writes the block any more.
    let fault = unsafe { std::ptr::read_volatile(&fault) };
    match fault.hit {
        0 => Ok(()),
        _ => Err(ExecError { message: fault.describe(pipeline.name()) }),
    }
}

impl Queue for CpuQueue {
    fn submit(&self, work: Submission) {
        let sent = match self.tx.lock() {
            Ok(tx) => match tx.as_ref() {
                Some(tx) => tx.send(work).map_err(|e| e.0),
                None => Err(work),
            },
            Err(_) => Err(work),
        };
        if let Err(work) = sent {
            (work.on_scheduled)();
            (work.on_completed)(Err(ExecError { message: "the command queue's worker thread has stopped".into() }));
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for CpuQueue {
    fn drop(&mut self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        let handle = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(h) = handle {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }
}
