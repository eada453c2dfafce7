//! Textures of CUDA devices: one managed (unified) allocation in the linear layout of
//! [`crate::texture`], for every storage mode, so that `contents()` is a host pointer that
//! kernels can also use (`pm_texture.data`), and the host-side code (replace_region /
//! get_bytes, mipmap generation, the software rasterizer) works on it unchanged.
//!
//! Private textures live in managed memory too: the object model refuses host access to
//! them, so the difference is invisible. Managed textures need no host/device copies:
//! managed memory is coherent, so `SynchronizeTexture` is a no-op.
//!
//! Blit copies are stream-ordered `cuMemcpy2DAsync` calls, one per depth plane, with
//! `CU_MEMORYTYPE_UNIFIED` on both sides (a buffer may be device memory, managed memory or
//! the device copy of a Managed buffer; the driver tells them apart by address).

use super::device::{check, DeviceShared, DriverError};
use super::memory::free_memory;
use crate::abi::PmTexture;
use crate::{Command, HalError, TexelRegion, Texture, TextureDesc};
use cudarc::driver::sys;
use std::any::Any;
use std::sync::Arc;

/// A texture of a CUDA device, in managed memory.
pub struct CudaTexture {
    pub(crate) device: Arc<DeviceShared>,
    /// The device generation it was allocated in (a context reset destroys it).
    pub(crate) gen: u64,
    desc: TextureDesc,
    /// The managed address (valid on the host and on the device).
    pub(crate) dptr: u64,
}

impl CudaTexture {
    /// A zeroed texture; refused (`OutOfMemory`) beyond the GPU's free memory, like Shared
    /// buffers, because an over-asked managed allocation can stall the GPU for everyone.
    pub(crate) fn new(device: &Arc<DeviceShared>, desc: &TextureDesc) -> Result<CudaTexture, HalError> {
        let size = desc.total_bytes().max(1);
        let oom = |detail: String| HalError::OutOfMemory { bytes: size as u64, detail };
        let guard = device.gate.read().map_err(|_| HalError::Device("device lock poisoned".into()))?;
        device.make_current().map_err(|e| HalError::Device(format!("cuCtxSetCurrent: {e}")))?;
        let (free, total) = free_memory().map_err(|e| HalError::Device(format!("cuMemGetInfo: {e}")))?;
        if size > free {
            return Err(oom(format!(
                "a texture (in managed memory) may not exceed the GPU's free memory ({free} of {total} bytes free): \
                 asking for more can stall the GPU; use a smaller texture or free other resources"
            )));
        }
        let mut p: sys::CUdeviceptr = 0;
        // SAFETY: valid out-pointer; CU_MEM_ATTACH_GLOBAL = 1 makes it usable from any stream.
        check(unsafe { sys::cuMemAllocManaged(&mut p, size, 1) }).map_err(|e| {
            if e.is_out_of_memory() {
                oom(format!("cuMemAllocManaged: {e}"))
            } else {
                HalError::Device(format!("cuMemAllocManaged of {size} bytes failed: {e}"))
            }
        })?;
        // Metal hands out zeroed textures. A memset of managed memory is synchronous with
        // the host, so the host may touch the texture as soon as this returns.
        // SAFETY: p..p+size was just allocated.
        if let Err(e) = check(unsafe { sys::cuMemsetD8_v2(p, 0, size) }) {
            // SAFETY: allocated above, freed once.
            unsafe { sys::cuMemFree_v2(p) };
            return Err(HalError::Device(format!("clearing a new texture failed: {e}")));
        }
        if let Ok(mut a) = device.shared_allocs.lock() {
            a.insert(p, size);
        }
        let t = CudaTexture { device: device.clone(), gen: device.generation(), desc: *desc, dptr: p };
        drop(guard);
        Ok(t)
    }

    /// True when a context reset after a fault destroyed this texture's memory.
    pub fn is_lost(&self) -> bool {
        self.gen != self.device.generation()
    }

    /// How kernels see this texture.
    pub fn pm_texture(&self) -> PmTexture {
        self.desc.pm_texture(self.dptr as *mut u8)
    }
}

impl Texture for CudaTexture {
    fn desc(&self) -> &TextureDesc {
        &self.desc
    }
    fn contents(&self) -> Option<*mut u8> {
        Some(self.dptr as *mut u8)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for CudaTexture {
    fn drop(&mut self) {
        let guard = self.device.gate.read();
        if !self.is_lost() && self.device.make_current().is_ok() {
            if let Ok(mut a) = self.device.shared_allocs.lock() {
                a.remove(&self.dptr);
            }
            // SAFETY: allocated in `new` and freed once here; commands using the texture hold
            // it until they completed.
            let _ = unsafe { sys::cuMemFree_v2(self.dptr) };
        }
        // A lost texture's zero mapping (remap_lost_host_range) stays, as for Shared buffers.
        drop(guard);
    }
}

/// The CUDA texture behind a HAL texture (core checks that resources belong to the device).
pub(crate) fn texture_of(t: &Arc<dyn Texture>) -> &CudaTexture {
    match t.as_any().downcast_ref::<CudaTexture>() {
        Some(c) => c,
        None => unreachable!("a texture of another device reached the CUDA queue (core validates devices)"),
    }
}

/// One pitched 2D copy: `width` bytes × `height` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Copy2d {
    pub src: u64,
    pub src_pitch: usize,
    pub dst: u64,
    pub dst_pitch: usize,
    pub width: usize,
    pub height: usize,
}

impl Copy2d {
    /// Enqueues the copy on `stream`.
    fn launch(&self, stream: sys::CUstream) -> Result<(), DriverError> {
        let p = sys::CUDA_MEMCPY2D {
            srcXInBytes: 0,
            srcY: 0,
            srcMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_UNIFIED,
            srcHost: std::ptr::null(),
            srcDevice: self.src,
            srcArray: std::ptr::null_mut(),
            srcPitch: self.src_pitch,
            dstXInBytes: 0,
            dstY: 0,
            dstMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_UNIFIED,
            dstHost: std::ptr::null_mut(),
            dstDevice: self.dst,
            dstArray: std::ptr::null_mut(),
            dstPitch: self.dst_pitch,
            WidthInBytes: self.width,
            Height: self.height,
        };
        // SAFETY: both boxes were validated by core against their resources (copy_plans);
        // the resources are kept alive by the submission until it completed.
        check(unsafe { sys::cuMemcpy2DAsync_v2(&p, stream) })
    }
}

/// The planes of a buffer ↔ texture copy (`mem` = the buffer's address at the region's
/// start). Empty for an empty region.
pub(crate) fn region_plans(tex: u64, desc: &TextureDesc, r: &TexelRegion, mem: u64, to_texture: bool) -> Vec<Copy2d> {
    if r.size.contains(&0) {
        return Vec::new();
    }
    let bpp = desc.bytes_per_pixel as usize;
    let [lw, lh, _] = desc.level_size(r.level).map(|v| v as usize);
    let (row, image) = (lw * bpp, lw * lh * bpp);
    let base = desc.offset(r.slice, r.level);
    (0..r.size[2] as usize)
        .map(|z| {
            let t = tex
                + (base + (r.origin[2] as usize + z) * image + r.origin[1] as usize * row + r.origin[0] as usize * bpp)
                    as u64;
            let m = mem + (z * r.bytes_per_image) as u64;
            let (src, src_pitch, dst, dst_pitch) =
                if to_texture { (m, r.bytes_per_row, t, row) } else { (t, row, m, r.bytes_per_row) };
            Copy2d { src, src_pitch, dst, dst_pitch, width: r.size[0] as usize * bpp, height: r.size[1] as usize }
        })
        .collect()
}

/// One side of a texture-to-texture copy.
pub(crate) struct Side<'a> {
    pub base: u64,
    pub desc: &'a TextureDesc,
    pub slice: u32,
    pub level: u32,
    pub origin: [u32; 3],
}

impl Side<'_> {
    /// Address of texel (0, 0, z) of the box, and the level's row pitch.
    fn plane(&self, z: u32) -> (u64, usize) {
        let bpp = self.desc.bytes_per_pixel as usize;
        let [w, h, _] = self.desc.level_size(self.level).map(|v| v as usize);
        let (x, y, z) = (self.origin[0] as usize, self.origin[1] as usize, (self.origin[2] + z) as usize);
        let off = self.desc.offset(self.slice, self.level) + ((z * h + y) * w + x) * bpp;
        (self.base + off as u64, w * bpp)
    }
}

/// A side of a device copy of (`slice`, `level`, `origin`) of `t`.
pub(crate) fn side(t: &Arc<dyn Texture>, slice: u32, level: u32, origin: [u32; 3]) -> Side<'_> {
    Side { base: texture_of(t).dptr, desc: t.desc(), slice, level, origin }
}

/// The same as a host copy side (managed memory, with the stream idle).
pub(crate) fn host_side(t: &Arc<dyn Texture>, slice: u32, level: u32, origin: [u32; 3]) -> crate::blit::CopySide<'_> {
    crate::blit::CopySide { data: texture_of(t).dptr as *mut u8, desc: t.desc(), slice, level, origin }
}

/// The planes of a texture-to-texture copy of `size` texels (distinct textures).
pub(crate) fn texture_plans(src: &Side<'_>, dst: &Side<'_>, size: [u32; 3]) -> Vec<Copy2d> {
    if size.contains(&0) {
        return Vec::new();
    }
    let width = size[0] as usize * src.desc.bytes_per_pixel as usize;
    (0..size[2])
        .map(|z| {
            let ((s, sp), (d, dp)) = (src.plane(z), dst.plane(z));
            Copy2d { src: s, src_pitch: sp, dst: d, dst_pitch: dp, width, height: size[1] as usize }
        })
        .collect()
}

/// Enqueues `plans` on `stream`, in order.
pub(crate) fn launch_plans(plans: &[Copy2d], stream: sys::CUstream) -> Result<(), DriverError> {
    plans.iter().try_for_each(|p| p.launch(stream))
}

fn buffer_address(b: &Arc<dyn crate::Buffer>, offset: usize) -> u64 {
    match b.as_any().downcast_ref::<super::memory::CudaBuffer>() {
        Some(c) => c.dptr + offset as u64,
        None => unreachable!("a buffer of another device reached the CUDA queue (core validates devices)"),
    }
}

/// Waits until everything enqueued on `stream` finished (before host work on its memory).
fn sync(stream: sys::CUstream) -> Result<(), DriverError> {
    // SAFETY: the queue's stream of the current generation (callers).
    check(unsafe { sys::cuStreamSynchronize(stream) })
}

/// Encodes a texture blit command on `stream` (resources checked live by the queue). Copies
/// between distinct textures and buffer copies are stream-ordered driver copies; copies
/// within one texture (boxes may overlap) and mipmap generation run on the host, over
/// managed memory, once the stream is idle.
pub(crate) fn encode(cmd: &Command, stream: sys::CUstream) -> Result<(), DriverError> {
    match cmd {
        Command::CopyBufferToTexture { src, src_offset, dst, region } => {
            let plans = region_plans(texture_of(dst).dptr, dst.desc(), region, buffer_address(src, *src_offset), true);
            launch_plans(&plans, stream)
        }
        Command::CopyTextureToBuffer { src, dst, dst_offset, region } => {
            let plans = region_plans(texture_of(src).dptr, src.desc(), region, buffer_address(dst, *dst_offset), false);
            launch_plans(&plans, stream)
        }
        Command::CopyTexture { src, src_slice, src_level, src_origin, dst, dst_slice, dst_level, dst_origin, size } => {
            if texture_of(src).dptr == texture_of(dst).dptr {
                sync(stream)?;
                let a = host_side(src, *src_slice, *src_level, *src_origin);
                let b = host_side(dst, *dst_slice, *dst_level, *dst_origin);
                // SAFETY: core validated both boxes and the texel sizes; managed memory with
                // no work of this queue in flight.
                unsafe { crate::blit::copy_texture(&a, &b, *size) };
                return Ok(());
            }
            let plans = texture_plans(
                &side(src, *src_slice, *src_level, *src_origin),
                &side(dst, *dst_slice, *dst_level, *dst_origin),
                *size,
            );
            launch_plans(&plans, stream)
        }
        Command::GenerateMipmaps { texture, format } => {
            sync(stream)?;
            // SAFETY: core checked the format; managed memory with the stream idle.
            unsafe { crate::blit::generate_mipmaps(texture_of(texture).dptr as *mut u8, texture.desc(), *format) };
            Ok(())
        }
        // Managed memory is coherent: there is no host copy to update.
        Command::SynchronizeTexture { .. } => Ok(()),
        _ => unreachable!("tex::encode handles texture blits only"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texture::{copy_region, HostTexture};
    use crate::{PixelFormat, StorageMode};

    fn desc(size: [u32; 3], mips: u32, slices: u32) -> TextureDesc {
        let kind = if size[2] > 1 { 7 } else { 3 };
        TextureDesc::new(PixelFormat::RGBA8Unorm, kind, size, mips, slices, StorageMode::Shared)
    }

    /// Runs plans on host memory (addresses are host pointers), as the driver would.
    fn run_on_host(plans: &[Copy2d]) {
        for p in plans {
            for y in 0..p.height {
                // SAFETY: the test's allocations hold every addressed byte (asserted by the
                // comparisons against `copy_region`, which indexes the same bytes).
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        (p.src as usize + y * p.src_pitch) as *const u8,
                        (p.dst as usize + y * p.dst_pitch) as *mut u8,
                        p.width,
                    )
                }
            }
        }
    }

    fn fill(t: &HostTexture) {
        let n = t.desc().total_bytes();
        // SAFETY: the texture holds n bytes.
        let s = unsafe { std::slice::from_raw_parts_mut(t.contents().unwrap(), n) };
        for (i, b) in s.iter_mut().enumerate() {
            *b = (i * 7 + i / 251) as u8;
        }
    }

    fn bytes(t: &HostTexture) -> Vec<u8> {
        // SAFETY: the texture holds total_bytes.
        unsafe { std::slice::from_raw_parts(t.contents().unwrap(), t.desc().total_bytes()).to_vec() }
    }

    #[test]
    fn region_plans_match_the_host_copy_both_ways() {
        for (d, r) in [
            (
                desc([9, 7, 1], 3, 4),
                TexelRegion {
                    slice: 2,
                    level: 1,
                    origin: [1, 2, 0],
                    size: [3, 1, 1],
                    bytes_per_row: 20,
                    bytes_per_image: 0,
                },
            ),
            (
                desc([8, 6, 5], 2, 1),
                TexelRegion {
                    slice: 0,
                    level: 0,
                    origin: [2, 1, 1],
                    size: [5, 4, 3],
                    bytes_per_row: 24,
                    bytes_per_image: 100,
                },
            ),
            (
                desc([8, 6, 5], 2, 1),
                TexelRegion {
                    slice: 0,
                    level: 1,
                    origin: [0, 0, 0],
                    size: [4, 3, 2],
                    bytes_per_row: 16,
                    bytes_per_image: 48,
                },
            ),
        ] {
            let mem_len = 4096;
            let mem: Vec<u8> = (0..mem_len).map(|i| (i * 13 + 5) as u8).collect();
            // Buffer → texture.
            let (a, b) = (HostTexture::new(&d).unwrap(), HostTexture::new(&d).unwrap());
            fill(&a);
            fill(&b);
            let mut m = mem.clone();
            // SAFETY: the region lies in the level; `m` holds enough bytes.
            unsafe { copy_region(a.contents().unwrap(), &d, &r, m.as_mut_ptr(), true) };
            run_on_host(&region_plans(b.contents().unwrap() as u64, &d, &r, m.as_ptr() as u64, true));
            assert_eq!(bytes(&a), bytes(&b));
            // Texture → buffer.
            let (mut m1, mut m2) = (mem.clone(), mem.clone());
            // SAFETY: as above.
            unsafe { copy_region(a.contents().unwrap(), &d, &r, m1.as_mut_ptr(), false) };
            run_on_host(&region_plans(a.contents().unwrap() as u64, &d, &r, m2.as_mut_ptr() as u64, false));
            assert_eq!(m1, m2);
        }
    }

    #[test]
    fn texture_plans_match_the_host_copy() {
        let (ds, dd) = (desc([9, 7, 1], 3, 4), desc([16, 16, 1], 2, 2));
        let (s, a, b) =
            (HostTexture::new(&ds).unwrap(), HostTexture::new(&dd).unwrap(), HostTexture::new(&dd).unwrap());
        fill(&s);
        let cs =
            crate::blit::CopySide { data: s.contents().unwrap(), desc: &ds, slice: 3, level: 1, origin: [1, 0, 0] };
        let cd =
            crate::blit::CopySide { data: a.contents().unwrap(), desc: &dd, slice: 1, level: 0, origin: [5, 9, 0] };
        // SAFETY: both boxes lie inside their levels.
        unsafe { crate::blit::copy_texture(&cs, &cd, [3, 3, 1]) };
        let ss = Side { base: s.contents().unwrap() as u64, desc: &ds, slice: 3, level: 1, origin: [1, 0, 0] };
        let sd = Side { base: b.contents().unwrap() as u64, desc: &dd, slice: 1, level: 0, origin: [5, 9, 0] };
        run_on_host(&texture_plans(&ss, &sd, [3, 3, 1]));
        assert_eq!(bytes(&a), bytes(&b));
        assert!(texture_plans(&ss, &sd, [0, 3, 1]).is_empty());
    }
}
