//! Render passes on CUDA devices: the software rasterizer of the CPU backend runs them on
//! the host, over managed memory, until a GPU rasterizer exists (ARCHITECTURE §4
//! "Graphics").
//!
//! - **Pipelines**: vertex and fragment functions are compiled for the host by the CPU
//!   backend's compiler; a CUDA render pipeline *is* a CPU render pipeline.
//! - **Passes**: the queue synchronises its stream (earlier kernels and copies finish), then
//!   calls the rasterizer on the calling thread. Attachments and stage textures are managed
//!   memory, which the host may touch once no kernel of ours uses it.
//! - **Buffers bound to a draw** (stage buffers and index buffers) must be host-visible:
//!   Shared buffers are managed memory and are used in place; Managed buffers are used
//!   through their host copy, which is first refreshed from the device copy (so the pass
//!   sees what earlier GPU work wrote) and afterwards marked modified (so vertex-stage
//!   writes reach the device copy at the next commit); Private buffers are refused with
//!   an error naming the stage and index (use StorageModeShared).

use super::device::{check, DriverError};
use super::memory::CudaBuffer;
use crate::render::{Draw, RenderPass, StageResources};
use crate::{Buffer, BufferBinding, ExecError, StorageMode};
use cudarc::driver::sys;
use std::any::Any;
use std::collections::HashSet;
use std::ffi::c_void;
use std::sync::Arc;

/// A buffer as the host-side rasterizer sees it: `gpu_address()` and `contents()` are the
/// host pointer (the CPU shader ABI takes buffer addresses from `gpu_address`).
struct HostView {
    inner: Arc<dyn Buffer>,
    ptr: *mut u8,
}

// SAFETY: a pointer into memory owned by `inner`, which this value keeps alive.
unsafe impl Send for HostView {}
// SAFETY: as above; access is synchronised as for any buffer.
unsafe impl Sync for HostView {}

impl Buffer for HostView {
    fn length(&self) -> usize {
        self.inner.length()
    }
    fn storage_mode(&self) -> StorageMode {
        self.inner.storage_mode()
    }
    fn contents(&self) -> Option<*mut u8> {
        Some(self.ptr)
    }
    fn gpu_address(&self) -> u64 {
        self.ptr as u64
    }
    fn did_modify_range(&self, offset: usize, length: usize) {
        self.inner.did_modify_range(offset, length)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn cuda_buffer(b: &Arc<dyn Buffer>) -> &CudaBuffer {
    match b.as_any().downcast_ref::<CudaBuffer>() {
        Some(c) => c,
        None => unreachable!("a buffer of another device reached the CUDA queue (core validates devices)"),
    }
}

/// Every CUDA buffer a pass reads or writes on the host, with where it is bound (for errors).
pub(crate) fn pass_buffers(pass: &RenderPass) -> Vec<(String, &Arc<dyn Buffer>)> {
    let mut out = Vec::new();
    for (n, draw) in pass.draws.iter().enumerate() {
        for (stage, res) in [("vertex", &draw.vertex), ("fragment", &draw.fragment)] {
            for (i, b) in res.buffers.iter().enumerate() {
                if let Some(BufferBinding::Buffer { buffer, .. }) = b {
                    out.push((format!("draw {n}: {stage} buffer {i}"), buffer));
                }
            }
        }
        if let Some(ib) = &draw.index {
            out.push((format!("draw {n}: the index buffer"), &ib.buffer));
        }
    }
    out
}

/// Refuses Private buffers bound to a draw (before anything of the submission runs).
pub(crate) fn check_host_visible(pass: &RenderPass) -> Result<(), String> {
    for (at, b) in pass_buffers(pass) {
        let mode = cuda_buffer(b).mode();
        if matches!(mode, StorageMode::Private | StorageMode::Memoryless) {
            return Err(format!(
                "render pass: {at} is a {mode:?} buffer; render passes on CUDA devices run on the host (software \
                 rasterizer over managed memory), so buffers bound to a draw must be host-visible: create it with \
                 StorageModeShared (or StorageModeManaged)"
            ));
        }
    }
    Ok(())
}

fn host_binding(b: &Option<BufferBinding>) -> Option<BufferBinding> {
    match b {
        Some(BufferBinding::Buffer { buffer, offset }) => {
            let c = cuda_buffer(buffer);
            let ptr = match c.mode() {
                StorageMode::Managed => c.host_ptr(),
                // Shared: managed memory, the same address on both sides.
                _ => c.dptr as *mut u8,
            };
            let view: Arc<dyn Buffer> = Arc::new(HostView { inner: buffer.clone(), ptr });
            Some(BufferBinding::Buffer { buffer: view, offset: *offset })
        }
        other => other.clone(),
    }
}

fn host_stage(r: &StageResources) -> StageResources {
    StageResources {
        buffers: r.buffers.iter().map(host_binding).collect(),
        textures: r.textures.clone(),
        samplers: r.samplers.clone(),
    }
}

/// The pass with every CUDA buffer replaced by its host view (textures are managed memory
/// already). Call after [`check_host_visible`].
pub(crate) fn host_pass(pass: &RenderPass) -> RenderPass {
    let draws = pass
        .draws
        .iter()
        .map(|d| {
            let mut h: Draw = d.clone();
            h.vertex = host_stage(&d.vertex);
            h.fragment = host_stage(&d.fragment);
            if let Some(ib) = &mut h.index {
                if let Some(BufferBinding::Buffer { buffer, .. }) =
                    host_binding(&Some(BufferBinding::Buffer { buffer: ib.buffer.clone(), offset: 0 }))
                {
                    ib.buffer = buffer;
                }
            }
            h
        })
        .collect();
    RenderPass { draws, ..pass.clone() }
}

/// Runs `pass` on the host with the CPU backend's rasterizer (the stream is idle).
#[cfg(feature = "cpu")]
pub(crate) fn rasterize(pass: &RenderPass) -> Result<(), ExecError> {
    let cpu = crate::cpu::CpuDevice::shared();
    let pool = cpu.as_any().downcast_ref::<crate::cpu::CpuDevice>().and_then(|d| d.pool().cloned());
    crate::raster::run_pass(pool.as_deref(), pass)
}

#[cfg(not(feature = "cpu"))]
pub(crate) fn rasterize(_pass: &RenderPass) -> Result<(), ExecError> {
    Err(ExecError {
        message: "render passes on CUDA devices run on the host rasterizer, which needs pymetal-hal's 'cpu' feature"
            .into(),
    })
}

/// Managed buffers bound to the pass: refreshes their host copies from the device copies
/// (whose pending host writes the commit already uploaded), then waits for the stream.
pub(crate) fn download_managed(pass: &RenderPass, stream: sys::CUstream) -> Result<(), DriverError> {
    let mut seen = HashSet::new();
    for (_, b) in pass_buffers(pass) {
        let c = cuda_buffer(b);
        if c.mode() == StorageMode::Managed && seen.insert(c.dptr) {
            // SAFETY: both copies hold `length` bytes; the submission keeps the buffer alive.
            check(unsafe { sys::cuMemcpyDtoHAsync_v2(c.host_ptr() as *mut c_void, c.dptr, c.length(), stream) })?;
        }
    }
    // SAFETY: our stream of the current generation.
    check(unsafe { sys::cuStreamSynchronize(stream) })
}

/// After the pass: Managed buffers' host copies may have been written by vertex stages, so
/// the next commit that uses them uploads them.
pub(crate) fn mark_managed_modified(pass: &RenderPass) {
    for (_, b) in pass_buffers(pass) {
        if cuda_buffer(b).mode() == StorageMode::Managed {
            b.did_modify_range(0, b.length());
        }
    }
}

/// Every texture a pass touches: attachments and textures bound to its draws.
pub(crate) fn pass_textures(pass: &RenderPass) -> Vec<&Arc<dyn crate::Texture>> {
    let mut out: Vec<&Arc<dyn crate::Texture>> = Vec::new();
    out.extend(pass.colors.iter().flatten().map(|(a, _)| &a.texture));
    out.extend(pass.depth.iter().map(|(a, _)| &a.texture));
    out.extend(pass.stencil.iter().map(|(a, _)| &a.texture));
    for d in &pass.draws {
        out.extend(d.vertex.textures.iter().flatten());
        out.extend(d.fragment.textures.iter().flatten());
    }
    out
}

/// `Device::new_render_pipeline` of CUDA devices: the CPU backend's pipeline.
#[cfg(feature = "cpu")]
pub(crate) fn new_pipeline(
    desc: &crate::render::RenderPipelineDesc<'_>,
) -> Result<Arc<dyn crate::render::RenderPipeline>, crate::HalError> {
    Ok(Arc::new(crate::cpu::render::build(desc)?))
}

#[cfg(not(feature = "cpu"))]
pub(crate) fn new_pipeline(
    _desc: &crate::render::RenderPipelineDesc<'_>,
) -> Result<Arc<dyn crate::render::RenderPipeline>, crate::HalError> {
    Err(crate::HalError::Device(
        "render pipelines on CUDA devices are compiled for the host, which needs pymetal-hal's 'cpu' feature".into(),
    ))
}
