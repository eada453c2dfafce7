//! Blits between textures: `copy_from_texture` (a box, or whole slices and levels),
//! `generate_mipmaps` and `synchronize_texture`, with Metal's validation.

use pymetal_hal as hal;

use super::{check_device, BlitCommandEncoder, EncodeError};
use crate::texture::{PixelFormat, Region, Texture, TextureRegionError};
use crate::{Classify, ErrorKind};

/// Why a texture-to-texture blit (or mipmap generation) was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextureBlitError {
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error(transparent)]
    Region(#[from] TextureRegionError),
    #[error(
        "{method}: the pixel formats differ (source {source_format:?}, destination {destination:?}); a copy needs \
         the same format, or the sRGB and linear variants of one format"
    )]
    FormatMismatch { method: &'static str, source_format: PixelFormat, destination: PixelFormat },
    #[error(
        "{method}: the textures differ in size (source {}x{}x{}, destination {}x{}x{}); copying whole textures \
         needs equal sizes (give regions to copy part of one)",
        source_size[0], source_size[1], source_size[2], destination[0], destination[1], destination[2]
    )]
    SizeMismatch { method: &'static str, source_size: [u64; 3], destination: [u64; 3] },
    #[error("{method}: {what} range {start}..{end} exceeds the {side} texture's {count} {what}(s)")]
    CountOutOfRange { method: &'static str, what: &'static str, side: &'static str, start: u64, end: u128, count: u32 },
    #[error(
        "{method}: the texture has 1 mip level; generate_mipmaps needs a mipmapped texture (mipmap_level_count > 1)"
    )]
    NotMipmapped { method: &'static str },
    #[error("{method}: pixel format {format:?} cannot be filtered ({why}); generate_mipmaps needs a colour format")]
    NotFilterable { method: &'static str, format: PixelFormat, why: &'static str },
}

impl Classify for TextureBlitError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Validation
    }
}

/// Whether a blit may copy texels of `a` into `b` unchanged: the same format, or the sRGB
/// and linear variants of one layout (Metal copies the bytes, no conversion).
pub fn copy_compatible(a: PixelFormat, b: PixelFormat) -> bool {
    use PixelFormat::*;
    let base = |f| match f {
        RGBA8Unorm_sRGB => RGBA8Unorm,
        BGRA8Unorm_sRGB => BGRA8Unorm,
        f => f,
    };
    base(a) == base(b)
}

/// Mip levels of a texture.
fn mip_levels(t: &Texture) -> u32 {
    t.hal().desc().mip_levels
}

impl BlitCommandEncoder {
    fn check_textures(&self, method: &'static str, src: &Texture, dst: &Texture) -> Result<(), TextureBlitError> {
        self.check_open(method)?;
        check_device(&self.0.cb, method, "source texture", src.device())?;
        check_device(&self.0.cb, method, "destination texture", dst.device())?;
        if !copy_compatible(src.pixel_format(), dst.pixel_format()) {
            return Err(TextureBlitError::FormatMismatch {
                method,
                source_format: src.pixel_format(),
                destination: dst.pixel_format(),
            });
        }
        Ok(())
    }

    /// Copies a box of `source_size` texels from (slice, level, origin) of one texture to
    /// another (or to another place of the same one; overlapping boxes copy as if staged).
    #[allow(clippy::too_many_arguments)]
    pub fn copy_from_texture(
        &self,
        source_texture: &Texture,
        source_slice: u64,
        source_level: u64,
        source_origin: [u64; 3],
        source_size: [u64; 3],
        destination_texture: &Texture,
        destination_slice: u64,
        destination_level: u64,
        destination_origin: [u64; 3],
    ) -> Result<(), TextureBlitError> {
        let method = "BlitCommandEncoder.copy_from_texture";
        self.check_textures(method, source_texture, destination_texture)?;
        let region = |t: &Texture, slice, level, origin| {
            // Pitches of a tight staging copy, so `check_region` checks only the box.
            let row = source_size[0].saturating_mul(t.pixel_format().bytes_per_pixel() as u64);
            let r = Region {
                slice,
                level,
                origin,
                size: source_size,
                bytes_per_row: row,
                bytes_per_image: row.saturating_mul(source_size[1]),
            };
            t.check_region(method, &r).map(|(r, _)| r)
        };
        let s = region(source_texture, source_slice, source_level, source_origin)?;
        let d = region(destination_texture, destination_slice, destination_level, destination_origin)?;
        if source_size.contains(&0) {
            return Ok(());
        }
        self.record_copy(method, source_texture, &s, destination_texture, &d)
    }

    fn record_copy(
        &self,
        method: &'static str,
        src: &Texture,
        s: &hal::TexelRegion,
        dst: &Texture,
        d: &hal::TexelRegion,
    ) -> Result<(), TextureBlitError> {
        let cmd = hal::Command::CopyTexture {
            src: src.hal().clone(),
            src_slice: s.slice,
            src_level: s.level,
            src_origin: s.origin,
            dst: dst.hal().clone(),
            dst_slice: d.slice,
            dst_level: d.level,
            dst_origin: d.origin,
            size: s.size,
        };
        Ok(self.record(method, cmd)?)
    }

    /// Copies `slice_count` slices and `level_count` levels, starting at the given slice and
    /// level of each texture; the copied levels must have equal sizes in both.
    #[allow(clippy::too_many_arguments)]
    pub fn copy_from_texture_levels(
        &self,
        source_texture: &Texture,
        source_slice: u64,
        source_level: u64,
        destination_texture: &Texture,
        destination_slice: u64,
        destination_level: u64,
        slice_count: u64,
        level_count: u64,
    ) -> Result<(), TextureBlitError> {
        let method = "BlitCommandEncoder.copy_from_texture";
        self.check_textures(method, source_texture, destination_texture)?;
        for (side, t, slice, level) in [
            ("source", source_texture, source_slice, source_level),
            ("destination", destination_texture, destination_slice, destination_level),
        ] {
            for (what, start, n, count) in
                [("slice", slice, slice_count, t.slice_count()), ("level", level, level_count, mip_levels(t))]
            {
                let end = start as u128 + n as u128;
                if end > count as u128 {
                    return Err(TextureBlitError::CountOutOfRange { method, what, side, start, end, count });
                }
            }
        }
        let size_at = |t: &Texture, l: u64| t.hal().desc().level_size(l as u32).map(u64::from);
        for i in 0..level_count {
            let (a, b) =
                (size_at(source_texture, source_level + i), size_at(destination_texture, destination_level + i));
            if a != b {
                return Err(TextureBlitError::SizeMismatch { method, source_size: a, destination: b });
            }
        }
        for l in 0..level_count {
            let size = size_at(source_texture, source_level + l);
            for s in 0..slice_count {
                let r = |slice: u64, level: u64| hal::TexelRegion {
                    slice: slice as u32,
                    level: level as u32,
                    origin: [0; 3],
                    size: size.map(|v| v as u32),
                    bytes_per_row: 0,
                    bytes_per_image: 0,
                };
                let (sr, dr) = (r(source_slice + s, source_level + l), r(destination_slice + s, destination_level + l));
                self.record_copy(method, source_texture, &sr, destination_texture, &dr)?;
            }
        }
        Ok(())
    }

    /// Copies every slice and level both textures have (`copy_from_texture(src, dst)`); the
    /// textures must have the same size.
    pub fn copy_from_texture_all(&self, source: &Texture, destination: &Texture) -> Result<(), TextureBlitError> {
        let method = "BlitCommandEncoder.copy_from_texture";
        self.check_textures(method, source, destination)?;
        let size = |t: &Texture| [t.width(), t.height(), t.depth()];
        if size(source) != size(destination) {
            return Err(TextureBlitError::SizeMismatch {
                method,
                source_size: size(source),
                destination: size(destination),
            });
        }
        let slices = source.slice_count().min(destination.slice_count()) as u64;
        let levels = mip_levels(source).min(mip_levels(destination)) as u64;
        self.copy_from_texture_levels(source, 0, 0, destination, 0, 0, slices, levels)
    }

    /// Fills mip levels 1.. of every slice from level 0 with a box filter (in linear space
    /// for sRGB formats; see `pymetal_hal::blit` for the filter and odd sizes).
    pub fn generate_mipmaps(&self, texture: &Texture) -> Result<(), TextureBlitError> {
        let method = "BlitCommandEncoder.generate_mipmaps";
        self.check_open(method)?;
        check_device(&self.0.cb, method, "texture", texture.device())?;
        let format = texture.pixel_format();
        let why = match format.kind() {
            hal::FormatKind::Uint | hal::FormatKind::Sint => Some("integer formats are not filterable"),
            hal::FormatKind::DepthStencil => Some("depth and stencil formats are not filterable"),
            hal::FormatKind::Float => None,
        };
        if let Some(why) = why {
            return Err(TextureBlitError::NotFilterable { method, format, why });
        }
        if mip_levels(texture) < 2 {
            return Err(TextureBlitError::NotMipmapped { method });
        }
        Ok(self.record(method, hal::Command::GenerateMipmaps { texture: texture.hal().clone(), format })?)
    }

    /// Makes the host copy of (slice, level) of a Managed texture current; a no-op for
    /// other storage modes (their memory is always current).
    pub fn synchronize_texture(&self, texture: &Texture, slice: u64, level: u64) -> Result<(), TextureBlitError> {
        let method = "BlitCommandEncoder.synchronize_texture";
        self.check_open(method)?;
        check_device(&self.0.cb, method, "texture", texture.device())?;
        let (levels, slices) = (mip_levels(texture), texture.slice_count());
        if level >= levels as u64 {
            return Err(TextureRegionError::Level { method, level, levels }.into());
        }
        if slice >= slices as u64 {
            return Err(TextureRegionError::Slice { method, slice, slices }.into());
        }
        if texture.storage_mode() != hal::StorageMode::Managed {
            return Ok(());
        }
        let cmd = hal::Command::SynchronizeTexture {
            texture: texture.hal().clone(),
            slice: slice as u32,
            level: level as u32,
        };
        Ok(self.record(method, cmd)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Device, TextureDescriptor, TextureType};

    fn tex(dev: &Device, format: PixelFormat, w: u64, h: u64, mipmapped: bool) -> Texture {
        dev.new_texture(&TextureDescriptor::texture2d(format as u32, w, h, mipmapped)).unwrap()
    }

    #[test]
    fn srgb_pairs_are_copy_compatible() {
        use PixelFormat::*;
        assert!(copy_compatible(RGBA8Unorm, RGBA8Unorm_sRGB));
        assert!(copy_compatible(BGRA8Unorm_sRGB, BGRA8Unorm));
        assert!(copy_compatible(R32Float, R32Float));
        assert!(!copy_compatible(RGBA8Unorm, BGRA8Unorm));
        assert!(!copy_compatible(R32Float, R32Uint));
        assert!(!copy_compatible(RGBA8Unorm_sRGB, BGRA8Unorm_sRGB));
    }

    #[test]
    fn textures_of_another_device_are_refused() {
        let (dev, other) = (Device::noop(), Device::noop());
        let q = dev.new_command_queue().unwrap();
        let cmd = q.command_buffer();
        let blit = cmd.blit_command_encoder().unwrap();
        let (mine, theirs) =
            (tex(&dev, PixelFormat::RGBA8Unorm, 4, 4, true), tex(&other, PixelFormat::RGBA8Unorm, 4, 4, true));
        let wrong = |r: Result<(), TextureBlitError>| {
            matches!(r, Err(TextureBlitError::Encode(EncodeError::WrongDevice { .. })))
        };
        assert!(wrong(blit.copy_from_texture(&mine, 0, 0, [0; 3], [1, 1, 1], &theirs, 0, 0, [0; 3])));
        assert!(wrong(blit.copy_from_texture(&theirs, 0, 0, [0; 3], [1, 1, 1], &mine, 0, 0, [0; 3])));
        assert!(wrong(blit.copy_from_texture_all(&mine, &theirs)));
        assert!(wrong(blit.generate_mipmaps(&theirs)));
        assert!(wrong(blit.synchronize_texture(&theirs, 0, 0)));
        let e = blit.generate_mipmaps(&theirs).unwrap_err().to_string();
        assert!(e.starts_with("BlitCommandEncoder.generate_mipmaps: the texture belongs to another device"), "{e}");
    }

    #[test]
    fn noop_backend_copies_and_filters() {
        let dev = Device::noop();
        let q = dev.new_command_queue().unwrap();
        let t = tex(&dev, PixelFormat::R8Unorm, 4, 2, true);
        t.replace_region([0; 3], [4, 2, 1], 0, 0, &[0, 2, 4, 6, 8, 10, 12, 14], 4, 0).unwrap();
        let u = tex(&dev, PixelFormat::R8Unorm, 4, 2, true);
        let cmd = q.command_buffer();
        let blit = cmd.blit_command_encoder().unwrap();
        blit.generate_mipmaps(&t).unwrap();
        blit.copy_from_texture_all(&t, &u).unwrap();
        blit.copy_from_texture(&t, 0, 0, [1, 0, 0], [2, 2, 1], &u, 0, 0, [0, 0, 0]).unwrap();
        blit.end_encoding().unwrap();
        cmd.commit().unwrap();
        cmd.wait_until_completed().unwrap();
        // Level 1 is 2x1: (0+2+8+10)/4 = 5, (4+6+12+14)/4 = 9; level 2: 7.
        assert_eq!(u.get_bytes([0; 3], [2, 1, 1], 1, 0, 2, 0).unwrap(), [5, 9]);
        assert_eq!(u.get_bytes([0; 3], [1, 1, 1], 2, 0, 1, 0).unwrap(), [7]);
        assert_eq!(u.get_bytes([0; 3], [4, 2, 1], 0, 0, 4, 0).unwrap(), [2, 4, 4, 6, 10, 12, 12, 14]);
    }

    #[test]
    fn validation_messages() {
        let dev = Device::noop();
        let q = dev.new_command_queue().unwrap();
        let cmd = q.command_buffer();
        let blit = cmd.blit_command_encoder().unwrap();
        let a = tex(&dev, PixelFormat::RGBA8Unorm, 8, 8, false);
        let f = tex(&dev, PixelFormat::R32Float, 8, 8, false);
        let e = blit.copy_from_texture(&a, 0, 0, [0; 3], [1, 1, 1], &f, 0, 0, [0; 3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "BlitCommandEncoder.copy_from_texture: the pixel formats differ (source RGBA8Unorm, destination \
             R32Float); a copy needs the same format, or the sRGB and linear variants of one format"
        );
        let e = blit.generate_mipmaps(&a).unwrap_err();
        assert!(matches!(e, TextureBlitError::NotMipmapped { .. }));
        // Huge sizes are refused, not overflowed.
        let e = blit.copy_from_texture(&a, 0, 0, [0; 3], [u64::MAX, 1, 1], &a, 0, 0, [0; 3]).unwrap_err();
        assert!(matches!(e, TextureBlitError::Region(TextureRegionError::OutOfBounds { .. })), "{e}");
        let e = blit.copy_from_texture_levels(&a, u64::MAX, 0, &a, 0, 0, 2, 1).unwrap_err();
        assert!(matches!(e, TextureBlitError::CountOutOfRange { what: "slice", .. }), "{e}");
        let mut d = TextureDescriptor::texture2d(PixelFormat::RGBA8Unorm as u32, 4, 4, false);
        d.texture_type = TextureType::TypeCube as u32;
        let cube = dev.new_texture(&d).unwrap();
        blit.synchronize_texture(&cube, 5, 0).unwrap();
        assert!(blit.synchronize_texture(&cube, 6, 0).is_err());
    }
}
