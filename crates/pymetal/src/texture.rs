//! Textures: descriptors, pixel formats, creation with validation, and CPU access
//! (`replace_region`, `get_bytes`).

use std::sync::{Arc, Mutex};

use pymetal_hal as hal;
use pymetal_hal::StorageMode;

use crate::device::Device;
use crate::{lock, Classify, ErrorKind};

pub use hal::PixelFormat;

/// Metal's MTLTextureType (the kinds textures support).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum TextureType {
    Type1D = 0,
    Type2D = 2,
    Type2DArray = 3,
    TypeCube = 5,
    Type3D = 7,
}

impl TextureType {
    pub fn from_raw(v: u32) -> Option<TextureType> {
        use TextureType::*;
        [Type1D, Type2D, Type2DArray, TypeCube, Type3D].into_iter().find(|t| *t as u32 == v)
    }
}

/// Metal's MTLTextureUsage bits.
pub mod texture_usage {
    pub const UNKNOWN: u64 = 0;
    pub const SHADER_READ: u64 = 1;
    pub const SHADER_WRITE: u64 = 2;
    pub const RENDER_TARGET: u64 = 4;
    pub const PIXEL_FORMAT_VIEW: u64 = 0x10;
}

/// Largest width/height of 1D/2D/cube textures, and of each side of 3D ones.
pub const MAX_TEXTURE_SIZE_2D: u64 = 16384;
pub const MAX_TEXTURE_SIZE_3D: u64 = 2048;
pub const MAX_ARRAY_LENGTH: u64 = 2048;

/// What a texture should be (MTLTextureDescriptor). Raw values are kept as given, so that
/// `Device::new_texture` can say what is wrong with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextureDescriptor {
    pub texture_type: u32,
    pub pixel_format: u32,
    pub width: u64,
    pub height: u64,
    pub depth: u64,
    pub mipmap_level_count: u64,
    pub sample_count: u64,
    pub array_length: u64,
    pub storage_mode: StorageMode,
    pub usage: u64,
}

impl Default for TextureDescriptor {
    /// Metal's defaults: a 1×1 RGBA8Unorm 2D texture, one level, shader-read.
    fn default() -> Self {
        TextureDescriptor {
            texture_type: TextureType::Type2D as u32,
            pixel_format: PixelFormat::RGBA8Unorm as u32,
            width: 1,
            height: 1,
            depth: 1,
            mipmap_level_count: 1,
            sample_count: 1,
            array_length: 1,
            storage_mode: StorageMode::Shared,
            usage: texture_usage::SHADER_READ,
        }
    }
}

/// Number of mip levels of a full chain for the largest of `sizes`.
pub fn full_mip_count(sizes: &[u64]) -> u64 {
    let m = sizes.iter().copied().max().unwrap_or(1).max(1);
    64 - m.leading_zeros() as u64
}

impl TextureDescriptor {
    /// A 2D texture, with a full mip chain if `mipmapped`.
    pub fn texture2d(pixel_format: u32, width: u64, height: u64, mipmapped: bool) -> Self {
        TextureDescriptor {
            pixel_format,
            width,
            height,
            mipmap_level_count: if mipmapped { full_mip_count(&[width, height]) } else { 1 },
            ..Default::default()
        }
    }
}

/// Why `Device.new_texture` refused a descriptor.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewTextureError {
    #[error("Device.new_texture: pixel format {0} is not supported for textures (use a member of PixelFormat other than Invalid)")]
    UnsupportedPixelFormat(u32),
    #[error(
        "Device.new_texture: texture type {0} is not supported (use Type1D, Type2D, Type2DArray, TypeCube or Type3D)"
    )]
    UnsupportedTextureType(u32),
    #[error("Device.new_texture: {field} must be greater than 0")]
    ZeroSize { field: &'static str },
    #[error("Device.new_texture: {field} {value} exceeds maximum ({max}) for {kind:?} textures")]
    TooLarge { field: &'static str, value: u64, max: u64, kind: TextureType },
    #[error("Device.new_texture: {kind:?} textures must have {field} 1 (got {value})")]
    MustBeOne { field: &'static str, value: u64, kind: TextureType },
    #[error("Device.new_texture: cube textures must be square (width {width}, height {height})")]
    CubeNotSquare { width: u64, height: u64 },
    #[error(
        "Device.new_texture: mipmap_level_count {levels} exceeds the full mip chain of a {width}x{height}x{depth} \
         texture ({max} levels)"
    )]
    TooManyMipLevels { levels: u64, max: u64, width: u64, height: u64, depth: u64 },
    #[error(
        "Device.new_texture: sample_count {0} is not supported (only 1; multisample textures are not implemented)"
    )]
    SampleCount(u64),
    #[error(
        "Device.new_texture: textures cannot use StorageModeMemoryless here (render targets only; not supported yet)"
    )]
    Memoryless,
    #[error("Device.new_texture: usage {0:#x} has unknown bits")]
    InvalidUsage(u64),
    #[error("Device.new_texture: {0}")]
    Device(Box<hal::HalError>),
}

impl Classify for NewTextureError {
    fn kind(&self) -> ErrorKind {
        match self {
            NewTextureError::Device(_) => ErrorKind::Resource,
            _ => ErrorKind::Validation,
        }
    }
}

/// Why a texture region could not be read or written (`replace_region`, `get_bytes`, blits).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextureRegionError {
    #[error("{method}: level {level} is out of range (the texture has {levels} mip level(s))")]
    Level { method: &'static str, level: u64, levels: u32 },
    #[error("{method}: slice {slice} is out of range (the texture has {slices} slice(s))")]
    Slice { method: &'static str, slice: u64, slices: u32 },
    #[error(
        "{method}: region origin ({}, {}, {}) size {}x{}x{} exceeds level {level} of the texture ({}x{}x{})",
        origin[0], origin[1], origin[2], size[0], size[1], size[2], level_size[0], level_size[1], level_size[2]
    )]
    OutOfBounds { method: &'static str, origin: [u64; 3], size: [u64; 3], level: u32, level_size: [u32; 3] },
    #[error("{method}: bytes_per_row {bytes_per_row} is less than width {width} x {bpp} bytes per pixel")]
    BytesPerRow { method: &'static str, bytes_per_row: u64, width: u64, bpp: u32 },
    #[error(
        "{method}: bytes_per_image {bytes_per_image} is less than height {height} x bytes_per_row {bytes_per_row}"
    )]
    BytesPerImage { method: &'static str, bytes_per_image: u64, height: u64, bytes_per_row: u64 },
    #[error("{method}: the region needs {needed} bytes of data but {available} were given")]
    DataTooShort { method: &'static str, needed: u128, available: usize },
    #[error("{method}: {what} range {offset}..{end} exceeds the buffer's length ({length})")]
    BufferRange { method: &'static str, what: &'static str, offset: u64, end: u128, length: usize },
    #[error(
        "{method}: the texture's storage mode is {mode:?}; its memory is not accessible from the CPU (use a blit)"
    )]
    NotCpuAccessible { method: &'static str, mode: StorageMode },
}

impl Classify for TextureRegionError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// A texture. Cheap to clone; `==` is identity.
#[derive(Clone)]
pub struct Texture(Arc<TextureInner>);

struct TextureInner {
    hal: Arc<dyn hal::Texture>,
    device: Device,
    texture_type: TextureType,
    pixel_format: PixelFormat,
    descriptor: TextureDescriptor,
    label: Mutex<String>,
    /// Set for a texture made from a heap: its reserved range, returned when it goes.
    heap: Option<crate::heap::HeapAllocation>,
}

impl PartialEq for Texture {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Texture {}

impl std::fmt::Debug for Texture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Texture({:?}, {:?}, {}x{}x{})",
            self.texture_type(),
            self.pixel_format(),
            self.width(),
            self.height(),
            self.depth()
        )
    }
}

/// A validated copy region: (slice, level, origin, size) plus the linear memory's pitches.
pub(crate) struct Region {
    pub slice: u64,
    pub level: u64,
    pub origin: [u64; 3],
    pub size: [u64; 3],
    pub bytes_per_row: u64,
    pub bytes_per_image: u64,
}

impl Texture {
    pub(crate) fn new(device: &Device, d: &TextureDescriptor) -> Result<Texture, NewTextureError> {
        use NewTextureError as E;
        let kind = TextureType::from_raw(d.texture_type).ok_or(E::UnsupportedTextureType(d.texture_type))?;
        let format = PixelFormat::from_raw(d.pixel_format).ok_or(E::UnsupportedPixelFormat(d.pixel_format))?;
        for (field, v) in [
            ("width", d.width),
            ("height", d.height),
            ("depth", d.depth),
            ("mipmap_level_count", d.mipmap_level_count),
            ("sample_count", d.sample_count),
            ("array_length", d.array_length),
        ] {
            if v == 0 {
                return Err(E::ZeroSize { field });
            }
        }
        let max = if kind == TextureType::Type3D { MAX_TEXTURE_SIZE_3D } else { MAX_TEXTURE_SIZE_2D };
        for (field, v) in
            [("width", d.width), ("height", d.height), ("depth", d.depth), ("array_length", d.array_length)]
        {
            let max = if field == "array_length" { MAX_ARRAY_LENGTH } else { max };
            if v > max {
                return Err(E::TooLarge { field, value: v, max, kind });
            }
        }
        let one = |field: &'static str, value: u64| {
            if value != 1 {
                Err(E::MustBeOne { field, value, kind })
            } else {
                Ok(())
            }
        };
        match kind {
            TextureType::Type1D => {
                one("height", d.height)?;
                one("depth", d.depth)?;
                one("array_length", d.array_length)?;
            }
            TextureType::Type2D => {
                one("depth", d.depth)?;
                one("array_length", d.array_length)?;
            }
            TextureType::Type2DArray => one("depth", d.depth)?,
            TextureType::TypeCube => {
                one("depth", d.depth)?;
                one("array_length", d.array_length)?;
                if d.width != d.height {
                    return Err(E::CubeNotSquare { width: d.width, height: d.height });
                }
            }
            TextureType::Type3D => one("array_length", d.array_length)?,
        }
        let max_levels = full_mip_count(&[d.width, d.height, d.depth]);
        if d.mipmap_level_count > max_levels {
            return Err(E::TooManyMipLevels {
                levels: d.mipmap_level_count,
                max: max_levels,
                width: d.width,
                height: d.height,
                depth: d.depth,
            });
        }
        if d.sample_count != 1 {
            return Err(E::SampleCount(d.sample_count));
        }
        if d.storage_mode == StorageMode::Memoryless {
            return Err(E::Memoryless);
        }
        if d.usage & !0x17 != 0 {
            return Err(E::InvalidUsage(d.usage));
        }
        let slices = if kind == TextureType::TypeCube { 6 } else { d.array_length as u32 };
        let size = [d.width as u32, d.height as u32, d.depth as u32];
        let desc =
            hal::TextureDesc::new(format, kind as u32, size, d.mipmap_level_count as u32, slices, d.storage_mode);
        let hal = device.hal().new_texture(&desc).map_err(|e| E::Device(Box::new(e)))?;
        Ok(Texture(Arc::new(TextureInner {
            hal,
            device: device.clone(),
            texture_type: kind,
            pixel_format: format,
            descriptor: d.clone(),
            label: Mutex::new(String::new()),
            heap: None,
        })))
    }

    /// Attaches a heap range to a texture just created (still unshared).
    pub(crate) fn with_heap(mut self, alloc: crate::heap::HeapAllocation) -> Texture {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.heap = Some(alloc),
            // Unreachable: callers pass a texture nobody else holds; the range is then freed.
            None => drop(alloc),
        }
        self
    }

    /// The heap this texture was made from.
    pub fn heap(&self) -> Option<&crate::heap::Heap> {
        self.0.heap.as_ref().map(|a| a.heap())
    }

    pub fn hal(&self) -> &Arc<dyn hal::Texture> {
        &self.0.hal
    }
    pub fn device(&self) -> &Device {
        &self.0.device
    }
    pub fn texture_type(&self) -> TextureType {
        self.0.texture_type
    }
    pub fn pixel_format(&self) -> PixelFormat {
        self.0.pixel_format
    }
    pub fn width(&self) -> u64 {
        self.0.descriptor.width
    }
    pub fn height(&self) -> u64 {
        self.0.descriptor.height
    }
    pub fn depth(&self) -> u64 {
        self.0.descriptor.depth
    }
    pub fn mipmap_level_count(&self) -> u64 {
        self.0.descriptor.mipmap_level_count
    }
    pub fn sample_count(&self) -> u64 {
        self.0.descriptor.sample_count
    }
    pub fn array_length(&self) -> u64 {
        self.0.descriptor.array_length
    }
    pub fn storage_mode(&self) -> StorageMode {
        self.0.descriptor.storage_mode
    }
    pub fn usage(&self) -> u64 {
        self.0.descriptor.usage
    }
    /// Bytes of memory the texture occupies (every level and slice).
    pub fn allocated_size(&self) -> u64 {
        self.0.hal.desc().total_bytes() as u64
    }
    /// The MTLResourceOptions equivalent of the texture's storage mode (default CPU cache
    /// mode, storage mode in bits 4..8 as in Metal).
    pub fn resource_options(&self) -> u64 {
        let mode = match self.storage_mode() {
            StorageMode::Shared => 0,
            StorageMode::Managed => 1,
            StorageMode::Private => 2,
            StorageMode::Memoryless => 3,
        };
        mode << 4
    }
    /// Array elements times faces.
    pub fn slice_count(&self) -> u32 {
        self.0.hal.desc().slices
    }
    pub fn label(&self) -> String {
        lock(&self.0.label).clone()
    }
    pub fn set_label(&self, label: &str) {
        *lock(&self.0.label) = label.to_string();
    }

    /// Checks `r` against this texture; returns the HAL region and the bytes of linear
    /// memory it spans.
    pub(crate) fn check_region(
        &self,
        method: &'static str,
        r: &Region,
    ) -> Result<(hal::TexelRegion, u128), TextureRegionError> {
        use TextureRegionError as E;
        let desc = self.0.hal.desc();
        if r.level >= desc.mip_levels as u64 {
            return Err(E::Level { method, level: r.level, levels: desc.mip_levels });
        }
        if r.slice >= desc.slices as u64 {
            return Err(E::Slice { method, slice: r.slice, slices: desc.slices });
        }
        let level_size = desc.level_size(r.level as u32);
        if (0..3).any(|i| r.origin[i] as u128 + r.size[i] as u128 > level_size[i] as u128) {
            return Err(E::OutOfBounds { method, origin: r.origin, size: r.size, level: r.level as u32, level_size });
        }
        let bpp = desc.bytes_per_pixel;
        let row = r.size[0] as u128 * bpp as u128;
        if (r.bytes_per_row as u128) < row {
            return Err(E::BytesPerRow { method, bytes_per_row: r.bytes_per_row, width: r.size[0], bpp });
        }
        if r.size[2] > 1 && (r.bytes_per_image as u128) < r.size[1] as u128 * r.bytes_per_row as u128 {
            return Err(E::BytesPerImage {
                method,
                bytes_per_image: r.bytes_per_image,
                height: r.size[1],
                bytes_per_row: r.bytes_per_row,
            });
        }
        let needed = if r.size.contains(&0) {
            0
        } else {
            (r.size[2] as u128 - 1) * r.bytes_per_image as u128
                + (r.size[1] as u128 - 1) * r.bytes_per_row as u128
                + row
        };
        let region = hal::TexelRegion {
            slice: r.slice as u32,
            level: r.level as u32,
            origin: r.origin.map(|v| v as u32),
            size: r.size.map(|v| v as u32),
            bytes_per_row: r.bytes_per_row as usize,
            bytes_per_image: r.bytes_per_image as usize,
        };
        Ok((region, needed))
    }

    fn host(&self, method: &'static str) -> Result<*mut u8, TextureRegionError> {
        if self.storage_mode() == StorageMode::Private {
            return Err(TextureRegionError::NotCpuAccessible { method, mode: StorageMode::Private });
        }
        self.0.hal.contents().ok_or(TextureRegionError::NotCpuAccessible { method, mode: self.storage_mode() })
    }

    /// Writes `data` (rows `bytes_per_row` apart, planes `bytes_per_image` apart) into a box
    /// of texels of `slice` and `level` (MTLTexture replaceRegion).
    #[allow(clippy::too_many_arguments)]
    pub fn replace_region(
        &self,
        origin: [u64; 3],
        size: [u64; 3],
        level: u64,
        slice: u64,
        data: &[u8],
        bytes_per_row: u64,
        bytes_per_image: u64,
    ) -> Result<(), TextureRegionError> {
        let method = "Texture.replace_region";
        let r = Region { slice, level, origin, size, bytes_per_row, bytes_per_image };
        let (region, needed) = self.check_region(method, &r)?;
        if needed > data.len() as u128 {
            return Err(TextureRegionError::DataTooShort { method, needed, available: data.len() });
        }
        let p = self.host(method)?;
        if needed > 0 {
            // SAFETY: the region was checked against the texture and `data`; the source is
            // only read (cast to *mut for the shared helper).
            unsafe { hal::texture::copy_region(p, self.0.hal.desc(), &region, data.as_ptr() as *mut u8, true) };
        }
        Ok(())
    }

    /// Reads a box of texels of `slice` and `level` into a new vector laid out with
    /// `bytes_per_row` and `bytes_per_image` (MTLTexture getBytes). The vector holds whole
    /// rows (and images when depth > 1), padding bytes zero, so it reshapes to
    /// (height, bytes_per_row).
    pub fn get_bytes(
        &self,
        origin: [u64; 3],
        size: [u64; 3],
        level: u64,
        slice: u64,
        bytes_per_row: u64,
        bytes_per_image: u64,
    ) -> Result<Vec<u8>, TextureRegionError> {
        let method = "Texture.get_bytes";
        let r = Region { slice, level, origin, size, bytes_per_row, bytes_per_image };
        let (region, needed) = self.check_region(method, &r)?;
        let p = self.host(method)?;
        let whole = if size.contains(&0) {
            0
        } else if size[2] > 1 {
            size[2] as u128 * bytes_per_image as u128
        } else {
            size[1] as u128 * bytes_per_row as u128
        };
        let total = needed.max(whole);
        let total = usize::try_from(total).map_err(|_| TextureRegionError::DataTooShort {
            method,
            needed: total,
            available: usize::MAX,
        })?;
        let mut out = vec![0u8; total];
        if needed > 0 {
            // SAFETY: the region was checked against the texture; `out` holds `needed` bytes.
            unsafe { hal::texture::copy_region(p, self.0.hal.desc(), &region, out.as_mut_ptr(), false) };
        }
        Ok(out)
    }
}
