//! Textures in host memory: a linear layout shared by every host-memory backend (cpu, noop).
//!
//! Layout: mip levels one after another; within a level, one image per slice (array
//! element or cube face); within an image, `depth` planes of `height` tight rows of
//! `width * bytes_per_pixel` bytes. Sizes of level `l` are `max(1, size >> l)`.

use std::alloc::Layout;
use std::any::Any;
use std::sync::Arc;

use crate::abi::{PmDispatch, PmSampler, PmTexture, MAX_MIP_LEVELS, MAX_SAMPLERS, MAX_TEXTURES};
use crate::{ExecError, HalError, PixelFormat, StorageMode};

/// What a backend needs to allocate a texture (validated by the caller).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextureDesc {
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub mip_levels: u32,
    /// Array elements times faces (6 for cubes).
    pub slices: u32,
    pub bytes_per_pixel: u32,
    pub format: PixelFormat,
    /// MTLTextureType raw value (1D = 0, 2D = 2, 2DArray = 3, Cube = 5, 3D = 7).
    pub texture_type: u32,
    pub storage_mode: StorageMode,
}

impl TextureDesc {
    /// A texture of `format`, `texture_type` (MTLTextureType raw value) and level-0 `size`.
    pub fn new(
        format: PixelFormat,
        texture_type: u32,
        size: [u32; 3],
        mip_levels: u32,
        slices: u32,
        storage_mode: StorageMode,
    ) -> TextureDesc {
        TextureDesc {
            width: size[0],
            height: size[1],
            depth: size[2],
            mip_levels,
            slices,
            bytes_per_pixel: format.bytes_per_pixel(),
            format,
            texture_type,
            storage_mode,
        }
    }
    /// Width, height and depth of mip level `level`.
    pub fn level_size(&self, level: u32) -> [u32; 3] {
        let s = |v: u32| (v >> level.min(31)).max(1);
        [s(self.width), s(self.height), s(self.depth)]
    }
    /// Bytes of one row of `level`.
    pub fn row_bytes(&self, level: u32) -> usize {
        self.level_size(level)[0] as usize * self.bytes_per_pixel as usize
    }
    /// Bytes of one slice of `level` (all its depth planes).
    pub fn image_bytes(&self, level: u32) -> usize {
        let [w, h, d] = self.level_size(level);
        w as usize * h as usize * d as usize * self.bytes_per_pixel as usize
    }
    /// Offset of (`slice`, `level`) in the allocation.
    pub fn offset(&self, slice: u32, level: u32) -> usize {
        (0..level).map(|l| self.image_bytes(l) * self.slices as usize).sum::<usize>()
            + slice as usize * self.image_bytes(level)
    }
    /// How shader code sees a texture in host memory at `data`.
    pub fn pm_texture(&self, data: *mut u8) -> PmTexture {
        let mut level_offset = [0u64; MAX_MIP_LEVELS];
        for (l, o) in level_offset.iter_mut().enumerate().take(self.mip_levels as usize) {
            *o = self.offset(0, l as u32) as u64;
        }
        PmTexture {
            data,
            format: self.format as u32,
            texture_type: self.texture_type,
            width: self.width,
            height: self.height,
            depth: self.depth,
            slices: self.slices,
            mip_levels: self.mip_levels,
            bytes_per_pixel: self.bytes_per_pixel,
            level_offset,
        }
    }
    /// Bytes of the whole texture.
    pub fn total_bytes(&self) -> usize {
        self.offset(0, self.mip_levels)
    }
}

/// A texture of some backend.
pub trait Texture: Send + Sync + 'static {
    fn desc(&self) -> &TextureDesc;
    /// Host pointer to the linear layout (module docs), for textures in host memory.
    fn contents(&self) -> Option<*mut u8>;
    fn as_any(&self) -> &dyn Any;
}

/// A zeroed texture in host memory (cpu and noop backends).
pub struct HostTexture {
    desc: TextureDesc,
    ptr: *mut u8,
    layout: Layout,
}

// SAFETY: plain bytes owned by this value; concurrent access is the user's business, as
// with buffers.
unsafe impl Send for HostTexture {}
// SAFETY: as above.
unsafe impl Sync for HostTexture {}

impl HostTexture {
    pub fn new(desc: &TextureDesc) -> Result<HostTexture, HalError> {
        let bytes = desc.total_bytes();
        let oom = |d: &str| HalError::OutOfMemory { bytes: bytes as u64, detail: d.into() };
        let layout = Layout::from_size_align(bytes.max(1), 64).map_err(|_| oom("size overflows"))?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        if ptr.is_null() {
            return Err(oom("allocation failed"));
        }
        Ok(HostTexture { desc: *desc, ptr, layout })
    }
}

impl Drop for HostTexture {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout, freed once.
        unsafe { std::alloc::dealloc(self.ptr, self.layout) }
    }
}

impl Texture for HostTexture {
    fn desc(&self) -> &TextureDesc {
        &self.desc
    }
    fn contents(&self) -> Option<*mut u8> {
        Some(self.ptr)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A box of texels of one slice and level, and the linear memory it is copied from or to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TexelRegion {
    pub slice: u32,
    pub level: u32,
    pub origin: [u32; 3],
    pub size: [u32; 3],
    pub bytes_per_row: usize,
    pub bytes_per_image: usize,
}

/// Copies `region` between a texture's host memory `tex` and linear memory `mem`.
///
/// # Safety
/// `tex` holds `desc.total_bytes()` bytes; the region lies inside the level; `mem` holds
/// `(d-1)*bytes_per_image + (h-1)*bytes_per_row + w*bpp` bytes; the two do not overlap.
pub unsafe fn copy_region(tex: *mut u8, desc: &TextureDesc, r: &TexelRegion, mem: *mut u8, to_texture: bool) {
    let bpp = desc.bytes_per_pixel as usize;
    let [lw, lh, _] = desc.level_size(r.level);
    let (row, image) = (lw as usize * bpp, lw as usize * lh as usize * bpp);
    let base = desc.offset(r.slice, r.level);
    let n = r.size[0] as usize * bpp;
    for z in 0..r.size[2] as usize {
        for y in 0..r.size[1] as usize {
            let t = base
                + (r.origin[2] as usize + z) * image
                + (r.origin[1] as usize + y) * row
                + r.origin[0] as usize * bpp;
            let m = z * r.bytes_per_image + y * r.bytes_per_row;
            // SAFETY: by the caller's contract both ranges are in bounds.
            unsafe {
                if to_texture {
                    std::ptr::copy_nonoverlapping(mem.add(m), tex.add(t), n);
                } else {
                    std::ptr::copy_nonoverlapping(tex.add(t), mem.add(m), n);
                }
            }
        }
    }
}

/// The `pm_texture` / `pm_sampler` tables of one stage (docs/abi.md §4), boxed so that their
/// addresses stay put while the value moves; keep it alive while the stage runs.
pub struct StageTables {
    textures: Option<Box<[PmTexture; MAX_TEXTURES]>>,
    samplers: Option<Box<[PmSampler; MAX_SAMPLERS]>>,
}

impl StageTables {
    /// For `pm_dispatch.textures` (null when nothing is bound).
    pub fn textures_ptr(&self) -> *const PmTexture {
        self.textures.as_ref().map_or(std::ptr::null(), |t| t.as_ptr())
    }
    /// For `pm_dispatch.samplers` (null when nothing is bound).
    pub fn samplers_ptr(&self) -> *const PmSampler {
        self.samplers.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
    }
    /// Points `d.textures` / `d.samplers` at these tables.
    pub fn apply(&self, d: &mut PmDispatch) {
        d.textures = self.textures_ptr();
        d.samplers = self.samplers_ptr();
    }
}

/// Builds the tables of one stage from its bindings (index i = `[[texture(i)]]` /
/// `[[sampler(i)]]`; entries past the ABI's limits are ignored, the object model rejects
/// them). Used by compute dispatches and by the render stages (`StageResources`). The
/// textures must be in host memory (CPU/noop backends); the caller keeps them alive.
pub fn stage_tables(
    textures: &[Option<Arc<dyn Texture>>],
    samplers: &[Option<PmSampler>],
) -> Result<StageTables, ExecError> {
    let mut out = StageTables { textures: None, samplers: None };
    if textures.iter().any(Option::is_some) {
        let mut tab = Box::new([PmTexture::NONE; MAX_TEXTURES]);
        for (slot, t) in tab.iter_mut().zip(textures) {
            if let Some(t) = t {
                let data = t.contents().ok_or_else(|| ExecError {
                    message: "a texture of another device was bound on a host-memory device".into(),
                })?;
                *slot = t.desc().pm_texture(data);
            }
        }
        out.textures = Some(tab);
    }
    if samplers.iter().any(Option::is_some) {
        let mut tab = Box::new([PmSampler::default(); MAX_SAMPLERS]);
        for (slot, s) in tab.iter_mut().zip(samplers) {
            if let Some(s) = s {
                *slot = *s;
            }
        }
        out.samplers = Some(tab);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_tables_are_null_when_empty_and_indexed_otherwise() {
        let empty = stage_tables(&[None, None], &[None]).unwrap();
        assert!(empty.textures_ptr().is_null() && empty.samplers_ptr().is_null());
        let desc = TextureDesc::new(PixelFormat::RGBA8Unorm, 2, [4, 2, 1], 2, 1, StorageMode::Shared);
        let tex: Arc<dyn Texture> = Arc::new(HostTexture::new(&desc).unwrap());
        let s = PmSampler { mag_filter: 1, ..Default::default() };
        let t = stage_tables(&[None, None, Some(tex.clone())], &[None, Some(s)]).unwrap();
        // SAFETY: the tables hold MAX_TEXTURES / MAX_SAMPLERS entries.
        let (ts, ss) = unsafe {
            (
                std::slice::from_raw_parts(t.textures_ptr(), MAX_TEXTURES),
                std::slice::from_raw_parts(t.samplers_ptr(), MAX_SAMPLERS),
            )
        };
        assert!(ts[0].data.is_null() && ts[3].data.is_null());
        assert_eq!(ts[2].data, tex.contents().unwrap());
        assert_eq!((ts[2].width, ts[2].mip_levels, ts[2].level_offset[1]), (4, 2, 32));
        assert_eq!(ss[1], s);
        assert_eq!(ss[0], PmSampler::default());
        let mut d = PmDispatch::new([0; 3], [0; 3], [0; 3]);
        t.apply(&mut d);
        assert_eq!(d.textures, t.textures_ptr());
    }
}
