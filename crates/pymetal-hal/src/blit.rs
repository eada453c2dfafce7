//! Texture blits in host memory, shared by every backend whose textures live in host
//! memory (cpu, noop): texture-to-texture copies and mipmap generation.
//!
//! ## The mipmap filter
//! Each level is made from the level before it (as Metal does), slice by slice (array
//! elements, cube faces), by a box filter over the area a destination texel covers:
//! - a source side of even length `2n` halves: each destination texel averages 2 texels;
//! - a source side of odd length `2n+1` (> 1) becomes `n`: destination texel `x` covers the
//!   source interval `[x·s/n, (x+1)·s/n)`, i.e. texels `2x, 2x+1, 2x+2` with weights
//!   `(n-x)/s, n/s, (x+1)/s` (the exact area average, so no texel is dropped and the
//!   mean of the level is kept);
//! - a side of length 1 stays 1.
//!
//! The filter is separable: a texel's weight is the product of its weights along x, y and z
//! (1D textures filter x, 2D x and y, 3D all three).
//!
//! Values: 8-bit unorm channels are averaged exactly in integers and rounded to nearest
//! (ties up), so results do not depend on float error; sRGB colour channels are decoded to
//! linear, averaged, and encoded again (alpha is linear); half and float channels are
//! averaged in `f64` and stored through [`PixelFormat::write`] (f32, then half rounding to
//! nearest even). Integer and depth/stencil formats are refused by the caller.

use crate::format::{f32_to_unorm8, linear_to_srgb, srgb_to_linear, unorm8_to_f32};
use crate::texture::TextureDesc;
use crate::PixelFormat;

/// Taps of one axis: for each destination coordinate, up to three (source index, weight
/// numerator) pairs over a common denominator.
struct Axis {
    taps: Vec<[(u32, u64); 3]>,
    /// Number of taps used per coordinate (1, 2 or 3).
    n: usize,
    den: u64,
}

impl Axis {
    fn new(src: u32) -> Axis {
        if src <= 1 {
            return Axis { taps: vec![[(0, 1), (0, 0), (0, 0)]], n: 1, den: 1 };
        }
        let dst = src / 2;
        if src.is_multiple_of(2) {
            let taps = (0..dst).map(|x| [(2 * x, 1), (2 * x + 1, 1), (0, 0)]).collect();
            return Axis { taps, n: 2, den: 2 };
        }
        let d = dst as u64;
        let taps = (0..dst).map(|x| [(2 * x, d - x as u64), (2 * x + 1, d), (2 * x + 2, x as u64 + 1)]).collect();
        Axis { taps, n: 3, den: src as u64 }
    }
    fn taps(&self, i: usize) -> &[(u32, u64)] {
        &self.taps[i][..self.n]
    }
}

/// How one byte lane (8-bit formats) or one channel (others) is averaged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lanes {
    /// Every byte is an 8-bit channel; `srgb[i]` tells whether byte i is sRGB-encoded.
    Bytes { srgb: [bool; 4] },
    /// Channels through `PixelFormat::read`/`write` (half and float formats).
    Floats,
}

fn lanes(format: PixelFormat) -> Lanes {
    use PixelFormat::*;
    match format {
        R8Unorm | RG8Unorm | RGBA8Unorm | BGRA8Unorm => Lanes::Bytes { srgb: [false; 4] },
        // Bytes 0..3 are the colour channels in either order; byte 3 is alpha.
        RGBA8Unorm_sRGB | BGRA8Unorm_sRGB => Lanes::Bytes { srgb: [true, true, true, false] },
        _ => Lanes::Floats,
    }
}

/// Whether `generate_mipmaps` can filter `format` (colour formats that are not integer).
pub fn is_filterable(format: PixelFormat) -> bool {
    format.kind() == crate::FormatKind::Float
}

/// The 256 sRGB-encoded bytes decoded to linear.
fn srgb_table() -> [f64; 256] {
    let mut t = [0f64; 256];
    for (i, v) in t.iter_mut().enumerate() {
        *v = srgb_to_linear(unorm8_to_f32(i as u8)) as f64;
    }
    t
}

/// Fills level `level` of one slice from level `level - 1`.
///
/// `src` is the whole previous level of the slice (`sw*sh*sd*bpp` bytes), `dst` the whole
/// destination level; `rows` lets the caller split `dst` into row chunks (see `fill_rows`).
struct LevelJob<'a> {
    src: &'a [u8],
    format: PixelFormat,
    lanes: Lanes,
    bpp: usize,
    src_size: [u32; 3],
    dst_size: [u32; 3],
    ax: [Axis; 3],
    srgb: [f64; 256],
}

impl LevelJob<'_> {
    /// Writes destination row `row` (= z * dst_height + y) into `out` (one row of texels).
    fn fill_row(&self, row: usize, out: &mut [u8]) {
        let [sw, sh, _] = self.src_size.map(|v| v as usize);
        let dh = self.dst_size[1] as usize;
        let (z, y) = (row / dh, row % dh);
        let bpp = self.bpp;
        let den = self.ax[0].den * self.ax[1].den * self.ax[2].den;
        for (x, texel) in out.chunks_exact_mut(bpp).enumerate() {
            // The (source texel offset, weight numerator) pairs of this destination texel.
            let mut taps = [(0usize, 0u64); 27];
            let mut n = 0;
            for &(sz, wz) in self.ax[2].taps(z) {
                for &(sy, wy) in self.ax[1].taps(y) {
                    for &(sx, wx) in self.ax[0].taps(x) {
                        let off = ((sz as usize * sh + sy as usize) * sw + sx as usize) * bpp;
                        taps[n] = (off, wx * wy * wz);
                        n += 1;
                    }
                }
            }
            let taps = &taps[..n];
            match self.lanes {
                Lanes::Bytes { srgb } => {
                    for (lane, out) in texel.iter_mut().enumerate() {
                        *out = if srgb[lane] {
                            let sum: f64 =
                                taps.iter().map(|&(o, w)| self.srgb[self.src[o + lane] as usize] * w as f64).sum();
                            f32_to_unorm8(linear_to_srgb((sum / den as f64) as f32))
                        } else {
                            let sum: u64 = taps.iter().map(|&(o, w)| self.src[o + lane] as u64 * w).sum();
                            // Round to nearest, ties up, exactly.
                            ((2 * sum + den) / (2 * den)) as u8
                        };
                    }
                }
                Lanes::Floats => {
                    let mut acc = [0f64; 4];
                    for &(o, w) in taps {
                        let v = self.format.read(&self.src[o..o + bpp]);
                        for c in 0..4 {
                            acc[c] += f32::from_bits(v[c]) as f64 * w as f64;
                        }
                    }
                    let v = acc.map(|a| ((a / den as f64) as f32).to_bits());
                    self.format.write(v, texel);
                }
            }
        }
    }
}

/// Generates levels 1.. of every slice of a texture in host memory from level 0 (see the
/// module docs for the filter). With the `cpu` feature, large levels are filtered in
/// parallel on the current rayon pool.
///
/// # Safety
/// `data` holds `desc.total_bytes()` bytes of the layout of [`crate::texture`], and nothing
/// else accesses them during the call. `format` is filterable and has `desc`'s texel size.
pub unsafe fn generate_mipmaps(data: *mut u8, desc: &TextureDesc, format: PixelFormat) {
    let bpp = desc.bytes_per_pixel as usize;
    let srgb = srgb_table();
    for level in 1..desc.mip_levels {
        let src_size = desc.level_size(level - 1);
        let dst_size = desc.level_size(level);
        for slice in 0..desc.slices {
            let (so, sl) = (desc.offset(slice, level - 1), desc.image_bytes(level - 1));
            let (doff, dl) = (desc.offset(slice, level), desc.image_bytes(level));
            // SAFETY: two disjoint ranges (different levels) inside the allocation.
            let (src, dst) = unsafe {
                (std::slice::from_raw_parts(data.add(so), sl), std::slice::from_raw_parts_mut(data.add(doff), dl))
            };
            let job = LevelJob {
                src,
                format,
                lanes: lanes(format),
                bpp,
                src_size,
                dst_size,
                ax: [Axis::new(src_size[0]), Axis::new(src_size[1]), Axis::new(src_size[2])],
                srgb,
            };
            fill_rows(&job, dst, dst_size[0] as usize * bpp);
        }
    }
}

/// Fills every row of `dst` (rows of `row_bytes`), in parallel when there is enough work.
fn fill_rows(job: &LevelJob<'_>, dst: &mut [u8], row_bytes: usize) {
    #[cfg(feature = "cpu")]
    if dst.len() >= 64 * 1024 {
        use rayon::prelude::*;
        dst.par_chunks_mut(row_bytes).enumerate().for_each(|(row, out)| job.fill_row(row, out));
        return;
    }
    for (row, out) in dst.chunks_mut(row_bytes).enumerate() {
        job.fill_row(row, out);
    }
}

/// One side of a texture-to-texture copy: which texture memory, slice, level and origin.
pub struct CopySide<'a> {
    pub data: *mut u8,
    pub desc: &'a TextureDesc,
    pub slice: u32,
    pub level: u32,
    pub origin: [u32; 3],
}

impl CopySide<'_> {
    /// Byte offset of texel (x, y, z) of the box (relative to `origin`).
    fn at(&self, x: u32, y: u32, z: u32) -> usize {
        let bpp = self.desc.bytes_per_pixel as usize;
        let [w, h, _] = self.desc.level_size(self.level).map(|v| v as usize);
        let (x, y, z) = ((self.origin[0] + x) as usize, (self.origin[1] + y) as usize, (self.origin[2] + z) as usize);
        self.desc.offset(self.slice, self.level) + ((z * h + y) * w + x) * bpp
    }
}

/// Copies a box of `size` texels between textures in host memory, byte for byte (the
/// formats have the same texel size). `src` and `dst` may be the same texture, even with
/// overlapping boxes: the box is then staged through a temporary copy.
///
/// # Safety
/// Both sides' memory holds their `desc.total_bytes()`; both boxes lie inside their levels;
/// the texel sizes are equal.
pub unsafe fn copy_texture(src: &CopySide<'_>, dst: &CopySide<'_>, size: [u32; 3]) {
    if size.contains(&0) {
        return;
    }
    let row = size[0] as usize * src.desc.bytes_per_pixel as usize;
    let rows = || (0..size[2]).flat_map(move |z| (0..size[1]).map(move |y| (y, z)));
    if src.data == dst.data {
        let mut tmp = Vec::with_capacity(row * size[1] as usize * size[2] as usize);
        for (y, z) in rows() {
            // SAFETY: the row lies inside the source level (caller's contract).
            tmp.extend_from_slice(unsafe { std::slice::from_raw_parts(src.data.add(src.at(0, y, z)), row) });
        }
        for (i, (y, z)) in rows().enumerate() {
            // SAFETY: the row lies inside the destination level; `tmp` is separate memory.
            unsafe { std::ptr::copy_nonoverlapping(tmp.as_ptr().add(i * row), dst.data.add(dst.at(0, y, z)), row) };
        }
        return;
    }
    for (y, z) in rows() {
        // SAFETY: both rows are inside their textures, which are distinct allocations.
        unsafe { std::ptr::copy_nonoverlapping(src.data.add(src.at(0, y, z)), dst.data.add(dst.at(0, y, z)), row) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texture::HostTexture;
    use crate::{StorageMode, Texture};

    fn desc(format: PixelFormat, size: [u32; 3], mips: u32, slices: u32, kind: u32) -> TextureDesc {
        TextureDesc::new(format, kind, size, mips, slices, StorageMode::Shared)
    }

    /// The bytes of (slice, level).
    fn level(t: &HostTexture, slice: u32, l: u32) -> Vec<u8> {
        let d = t.desc();
        // SAFETY: inside the allocation.
        unsafe { std::slice::from_raw_parts(t.contents().unwrap().add(d.offset(slice, l)), d.image_bytes(l)).to_vec() }
    }

    /// Writes (slice, level).
    fn set(t: &HostTexture, slice: u32, l: u32, data: &[u8]) {
        let d = t.desc();
        assert_eq!(data.len(), d.image_bytes(l));
        // SAFETY: inside the allocation; nothing else accesses it during the test.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), t.contents().unwrap().add(d.offset(slice, l)), data.len())
        }
    }

    #[test]
    fn axis_weights_sum_to_the_denominator_and_cover_every_texel() {
        for src in 1..40u32 {
            let a = Axis::new(src);
            let mut cover = vec![0u64; src as usize];
            for i in 0..a.taps.len() {
                let s: u64 = a.taps(i).iter().map(|t| t.1).sum();
                assert_eq!(s, a.den, "src {src} dst {i}");
                for &(j, w) in a.taps(i) {
                    cover[j as usize] += w;
                }
            }
            assert_eq!(a.taps.len() as u32, (src / 2).max(1));
            // Every source texel contributes the same total weight: the mean is kept.
            let dst = a.taps.len() as u64;
            assert!(cover.iter().all(|&c| c * src as u64 == dst * a.den), "src {src}: {cover:?}");
        }
    }

    #[test]
    fn rgba8_even_2x2_average_rounds_half_up() {
        let d = desc(PixelFormat::RGBA8Unorm, [2, 2, 1], 2, 1, 2);
        let t = HostTexture::new(&d).unwrap();
        // Channel sums 0+1+1+0 = 2 (0.5 → 1), 1+1+1+0 = 3 (0.75 → 1), 1+0+0+0 (0.25 → 0), 255*4.
        set(&t, 0, 0, &[0, 1, 1, 255, 1, 1, 0, 255, 1, 1, 0, 255, 0, 0, 0, 255]);
        unsafe { generate_mipmaps(t.contents().unwrap(), &d, d.format) };
        assert_eq!(level(&t, 0, 1), &[1, 1, 0, 255]);
    }

    #[test]
    fn odd_width_uses_area_weights() {
        // 3x1 → 1x1: the three texels each weigh 1/3. 5x1 → 2x1: weights 2/5, 2/5, 1/5.
        let d = desc(PixelFormat::R32Float, [5, 1, 1], 3, 1, 0);
        let t = HostTexture::new(&d).unwrap();
        let v = [1f32, 2.0, 3.0, 4.0, 10.0];
        set(&t, 0, 0, &v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<_>>());
        unsafe { generate_mipmaps(t.contents().unwrap(), &d, d.format) };
        let l1: Vec<f32> = level(&t, 0, 1).chunks(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
        let e0 = (2.0 * 1.0 + 2.0 * 2.0 + 3.0) / 5.0;
        let e1 = (3.0 + 2.0 * 4.0 + 2.0 * 10.0) / 5.0;
        assert_eq!(l1, vec![e0 as f32, e1 as f32]);
        // The mean is kept.
        assert!(((e0 + e1) / 2.0 - v.iter().sum::<f32>() as f64 / 5.0).abs() < 1e-6);
        let l2 = f32::from_le_bytes(level(&t, 0, 2).try_into().unwrap());
        assert_eq!(l2, ((e0 as f32 as f64 + e1 as f32 as f64) / 2.0) as f32);
    }

    #[test]
    fn srgb_averages_in_linear_space() {
        let d = desc(PixelFormat::BGRA8Unorm_sRGB, [2, 1, 1], 2, 1, 0);
        let t = HostTexture::new(&d).unwrap();
        set(&t, 0, 0, &[0, 0, 255, 0, 255, 255, 255, 255]);
        unsafe { generate_mipmaps(t.contents().unwrap(), &d, d.format) };
        // Linear 0.5 encodes to 188 (not 128); alpha is linear: 127.5 → 128.
        assert_eq!(level(&t, 0, 1), &[188, 188, 255, 128]);
    }

    #[test]
    fn half_float_3d_and_slices() {
        // A 2x2x2 3D texture averages all eight texels; a 2-slice array filters slices apart.
        let d = desc(PixelFormat::RGBA16Float, [2, 2, 2], 2, 1, 7);
        let t = HostTexture::new(&d).unwrap();
        let vals: Vec<u8> = (0..8)
            .flat_map(|i| (0..4).flat_map(move |c| half::f16::from_f32((i * 4 + c) as f32).to_le_bytes()))
            .collect();
        set(&t, 0, 0, &vals);
        unsafe { generate_mipmaps(t.contents().unwrap(), &d, d.format) };
        let out: Vec<f32> =
            level(&t, 0, 1).chunks(2).map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32()).collect();
        assert_eq!(out, vec![14.0, 15.0, 16.0, 17.0]);

        let d = desc(PixelFormat::R8Unorm, [2, 2, 1], 2, 2, 3);
        let t = HostTexture::new(&d).unwrap();
        set(&t, 0, 0, &[10, 20, 30, 40]);
        set(&t, 1, 0, &[200, 201, 202, 204]);
        unsafe { generate_mipmaps(t.contents().unwrap(), &d, d.format) };
        assert_eq!(level(&t, 0, 1), &[25]);
        assert_eq!(level(&t, 1, 1), &[202]); // 201.75 → 202
    }

    #[test]
    fn large_level_parallel_matches_serial_rule() {
        // 256x256 RGBA8: big enough for the parallel path; every output is the exact average.
        let d = desc(PixelFormat::RGBA8Unorm, [256, 256, 1], 2, 1, 2);
        let t = HostTexture::new(&d).unwrap();
        let src: Vec<u8> = (0..256 * 256 * 4usize).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect();
        set(&t, 0, 0, &src);
        unsafe { generate_mipmaps(t.contents().unwrap(), &d, d.format) };
        let out = level(&t, 0, 1);
        for y in 0..128 {
            for x in 0..128 {
                for c in 0..4 {
                    let s = |xx: usize, yy: usize| src[(yy * 256 + xx) * 4 + c] as u32;
                    let sum = s(2 * x, 2 * y) + s(2 * x + 1, 2 * y) + s(2 * x, 2 * y + 1) + s(2 * x + 1, 2 * y + 1);
                    assert_eq!(out[(y * 128 + x) * 4 + c] as u32, (sum + 2) / 4);
                }
            }
        }
    }

    #[test]
    fn copy_within_one_level_overlapping() {
        let d = desc(PixelFormat::R8Unorm, [4, 4, 1], 1, 1, 2);
        let t = HostTexture::new(&d).unwrap();
        set(&t, 0, 0, &(0..16).collect::<Vec<u8>>());
        let p = t.contents().unwrap();
        let side = |origin| CopySide { data: p, desc: &d, slice: 0, level: 0, origin };
        // Move the top-left 3x3 box one texel down and right.
        unsafe { copy_texture(&side([0, 0, 0]), &side([1, 1, 0]), [3, 3, 1]) };
        assert_eq!(level(&t, 0, 0), &[0, 1, 2, 3, 4, 0, 1, 2, 8, 4, 5, 6, 12, 8, 9, 10]);
    }

    #[test]
    fn copy_between_levels_and_slices() {
        let d = desc(PixelFormat::RG8Unorm, [4, 2, 1], 2, 3, 3);
        let t = HostTexture::new(&d).unwrap();
        set(&t, 2, 0, &(0..16).collect::<Vec<u8>>());
        let p = t.contents().unwrap();
        let src = CopySide { data: p, desc: &d, slice: 2, level: 0, origin: [2, 1, 0] };
        let dst = CopySide { data: p, desc: &d, slice: 0, level: 1, origin: [0, 0, 0] };
        unsafe { copy_texture(&src, &dst, [2, 1, 1]) };
        assert_eq!(level(&t, 0, 1), &[12, 13, 14, 15]);
    }
}
