//! Pixel formats: sizes, kinds, and conversion of one texel to and from the four 32-bit
//! values shaders and the rasterizer work with (normalised and float formats as `f32`,
//! integer formats as `u32`/`i32` bits). sRGB formats store encoded values and convert to
//! linear on read, as Metal does. The prelude's texture code (`texture.h`) performs the
//! same conversions in C++; the tests of both compare against each other.

/// The pixel formats textures support (Metal's MTLPixelFormat values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
#[allow(non_camel_case_types)]
pub enum PixelFormat {
    R8Unorm = 10,
    R16Float = 25,
    RG8Unorm = 30,
    R32Uint = 53,
    R32Sint = 54,
    R32Float = 55,
    RG16Float = 65,
    RGBA8Unorm = 70,
    RGBA8Unorm_sRGB = 71,
    BGRA8Unorm = 80,
    BGRA8Unorm_sRGB = 81,
    RG32Float = 105,
    RGBA16Float = 115,
    RGBA32Uint = 123,
    RGBA32Float = 125,
    Depth32Float = 252,
    Stencil8 = 253,
    Depth24Unorm_Stencil8 = 255,
    Depth32Float_Stencil8 = 260,
}

/// How a format's colour values reach shaders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatKind {
    /// Normalised or floating point: `float`/`half` in shaders.
    Float,
    Uint,
    Sint,
    /// Depth and/or stencil.
    DepthStencil,
}

impl PixelFormat {
    pub const ALL: [PixelFormat; 19] = [
        PixelFormat::R8Unorm,
        PixelFormat::R16Float,
        PixelFormat::RG8Unorm,
        PixelFormat::R32Uint,
        PixelFormat::R32Sint,
        PixelFormat::R32Float,
        PixelFormat::RG16Float,
        PixelFormat::RGBA8Unorm,
        PixelFormat::RGBA8Unorm_sRGB,
        PixelFormat::BGRA8Unorm,
        PixelFormat::BGRA8Unorm_sRGB,
        PixelFormat::RG32Float,
        PixelFormat::RGBA16Float,
        PixelFormat::RGBA32Uint,
        PixelFormat::RGBA32Float,
        PixelFormat::Depth32Float,
        PixelFormat::Stencil8,
        PixelFormat::Depth24Unorm_Stencil8,
        PixelFormat::Depth32Float_Stencil8,
    ];

    /// The format with Metal's value `v`, if textures support it.
    pub fn from_raw(v: u32) -> Option<PixelFormat> {
        Self::ALL.into_iter().find(|f| *f as u32 == v)
    }

    /// Bytes of one texel as stored (Depth32Float_Stencil8: 4 depth + 1 stencil + 3 padding;
    /// Depth24Unorm_Stencil8: depth in the low 24 bits, stencil in the high 8).
    pub fn bytes_per_pixel(self) -> u32 {
        use PixelFormat::*;
        match self {
            R8Unorm | Stencil8 => 1,
            R16Float | RG8Unorm => 2,
            R32Uint
            | R32Sint
            | R32Float
            | RG16Float
            | RGBA8Unorm
            | RGBA8Unorm_sRGB
            | BGRA8Unorm
            | BGRA8Unorm_sRGB
            | Depth32Float
            | Depth24Unorm_Stencil8 => 4,
            RG32Float | RGBA16Float | Depth32Float_Stencil8 => 8,
            RGBA32Uint | RGBA32Float => 16,
        }
    }

    pub fn kind(self) -> FormatKind {
        use PixelFormat::*;
        match self {
            R32Uint | RGBA32Uint => FormatKind::Uint,
            R32Sint => FormatKind::Sint,
            Depth32Float | Stencil8 | Depth24Unorm_Stencil8 | Depth32Float_Stencil8 => FormatKind::DepthStencil,
            _ => FormatKind::Float,
        }
    }

    /// Colour channels stored (1 for depth/stencil).
    pub fn channels(self) -> u32 {
        use PixelFormat::*;
        match self {
            RG8Unorm | RG16Float | RG32Float => 2,
            RGBA8Unorm | RGBA8Unorm_sRGB | BGRA8Unorm | BGRA8Unorm_sRGB | RGBA16Float | RGBA32Uint | RGBA32Float => 4,
            _ => 1,
        }
    }

    pub fn is_srgb(self) -> bool {
        matches!(self, PixelFormat::RGBA8Unorm_sRGB | PixelFormat::BGRA8Unorm_sRGB)
    }

    pub fn has_depth(self) -> bool {
        use PixelFormat::*;
        matches!(self, Depth32Float | Depth24Unorm_Stencil8 | Depth32Float_Stencil8)
    }

    pub fn has_stencil(self) -> bool {
        use PixelFormat::*;
        matches!(self, Stencil8 | Depth24Unorm_Stencil8 | Depth32Float_Stencil8)
    }

    /// A colour texel as four words (float bits for Float kinds; missing channels read as
    /// 0, alpha as 1). Depth formats give the depth in x, stencil formats the stencil in x.
    /// `texel` holds `bytes_per_pixel` bytes.
    pub fn read(self, texel: &[u8]) -> [u32; 4] {
        use PixelFormat::*;
        let f = |v: f32| v.to_bits();
        let u8n = |i: usize| unorm8_to_f32(texel[i]);
        let srgb = |i: usize| srgb_to_linear(unorm8_to_f32(texel[i]));
        let h = |i: usize| f(half::f16::from_le_bytes([texel[2 * i], texel[2 * i + 1]]).to_f32());
        let w = |i: usize| u32::from_le_bytes([texel[4 * i], texel[4 * i + 1], texel[4 * i + 2], texel[4 * i + 3]]);
        let one = 1f32.to_bits();
        match self {
            R8Unorm => [f(u8n(0)), 0, 0, one],
            RG8Unorm => [f(u8n(0)), f(u8n(1)), 0, one],
            RGBA8Unorm => [f(u8n(0)), f(u8n(1)), f(u8n(2)), f(u8n(3))],
            RGBA8Unorm_sRGB => [f(srgb(0)), f(srgb(1)), f(srgb(2)), f(u8n(3))],
            BGRA8Unorm => [f(u8n(2)), f(u8n(1)), f(u8n(0)), f(u8n(3))],
            BGRA8Unorm_sRGB => [f(srgb(2)), f(srgb(1)), f(srgb(0)), f(u8n(3))],
            R16Float => [h(0), 0, 0, one],
            RG16Float => [h(0), h(1), 0, one],
            RGBA16Float => [h(0), h(1), h(2), h(3)],
            R32Float | Depth32Float => [w(0), 0, 0, one],
            RG32Float => [w(0), w(1), 0, one],
            RGBA32Float => [w(0), w(1), w(2), w(3)],
            R32Uint | R32Sint => [w(0), 0, 0, 1],
            RGBA32Uint => [w(0), w(1), w(2), w(3)],
            Stencil8 => [texel[0] as u32, 0, 0, 1],
            Depth24Unorm_Stencil8 => [f((w(0) & 0xFF_FFFF) as f32 / 16_777_215.0), 0, 0, one],
            Depth32Float_Stencil8 => [w(0), 0, 0, one],
        }
    }

    /// Stores four words (as [`read`](Self::read) returns them) into `texel`: normalised
    /// formats clamp to [0, 1] and round to nearest, sRGB formats encode, half rounds to
    /// nearest even. Depth formats take the depth from x (stencil bytes are kept); Stencil8
    /// the stencil from x.
    pub fn write(self, v: [u32; 4], texel: &mut [u8]) {
        use PixelFormat::*;
        let fl = |i: usize| f32::from_bits(v[i]);
        let put_u8 = |t: &mut [u8], i: usize, x: f32| t[i] = f32_to_unorm8(x);
        let put_h =
            |t: &mut [u8], i: usize, x: f32| t[2 * i..2 * i + 2].copy_from_slice(&half::f16::from_f32(x).to_le_bytes());
        let put_w = |t: &mut [u8], i: usize, x: u32| t[4 * i..4 * i + 4].copy_from_slice(&x.to_le_bytes());
        match self {
            R8Unorm => put_u8(texel, 0, fl(0)),
            RG8Unorm => (0..2).for_each(|i| put_u8(texel, i, fl(i))),
            RGBA8Unorm => (0..4).for_each(|i| put_u8(texel, i, fl(i))),
            RGBA8Unorm_sRGB => {
                (0..3).for_each(|i| put_u8(texel, i, linear_to_srgb(fl(i))));
                put_u8(texel, 3, fl(3));
            }
            BGRA8Unorm => [2, 1, 0, 3].into_iter().enumerate().for_each(|(i, c)| put_u8(texel, i, fl(c))),
            BGRA8Unorm_sRGB => {
                [2, 1, 0].into_iter().enumerate().for_each(|(i, c)| put_u8(texel, i, linear_to_srgb(fl(c))));
                put_u8(texel, 3, fl(3));
            }
            R16Float => put_h(texel, 0, fl(0)),
            RG16Float => (0..2).for_each(|i| put_h(texel, i, fl(i))),
            RGBA16Float => (0..4).for_each(|i| put_h(texel, i, fl(i))),
            R32Float | Depth32Float | Depth32Float_Stencil8 => put_w(texel, 0, v[0]),
            RG32Float => (0..2).for_each(|i| put_w(texel, i, v[i])),
            RGBA32Float | RGBA32Uint => (0..4).for_each(|i| put_w(texel, i, v[i])),
            R32Uint | R32Sint => put_w(texel, 0, v[0]),
            Stencil8 => texel[0] = v[0] as u8,
            Depth24Unorm_Stencil8 => {
                let d = (fl(0).clamp(0.0, 1.0) * 16_777_215.0).round() as u32;
                let old = u32::from_le_bytes([texel[0], texel[1], texel[2], texel[3]]);
                put_w(texel, 0, (old & 0xFF00_0000) | d);
            }
        }
    }

    /// The stencil value of a texel of a format with stencil.
    pub fn read_stencil(self, texel: &[u8]) -> u8 {
        match self {
            PixelFormat::Stencil8 => texel[0],
            PixelFormat::Depth24Unorm_Stencil8 => texel[3],
            PixelFormat::Depth32Float_Stencil8 => texel[4],
            _ => 0,
        }
    }

    /// Stores the stencil value of a texel of a format with stencil (depth bytes kept).
    pub fn write_stencil(self, texel: &mut [u8], s: u8) {
        match self {
            PixelFormat::Stencil8 => texel[0] = s,
            PixelFormat::Depth24Unorm_Stencil8 => texel[3] = s,
            PixelFormat::Depth32Float_Stencil8 => texel[4] = s,
            _ => {}
        }
    }
}

pub fn unorm8_to_f32(v: u8) -> f32 {
    v as f32 / 255.0
}

/// Clamps to [0, 1] and rounds to the nearest of the 256 levels (NaN → 0).
pub fn f32_to_unorm8(x: f32) -> u8 {
    let x = if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) };
    (x * 255.0 + 0.5) as u8
}

/// sRGB decoding (IEC 61966-2-1).
pub fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// sRGB encoding (IEC 61966-2-1), input clamped to [0, 1].
pub fn linear_to_srgb(l: f32) -> f32 {
    let l = if l.is_nan() { 0.0 } else { l.clamp(0.0, 1.0) };
    if l <= 0.003_130_8 {
        l * 12.92
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_round_trips_every_byte() {
        for b in 0..=255u8 {
            let lin = srgb_to_linear(unorm8_to_f32(b));
            assert_eq!(f32_to_unorm8(linear_to_srgb(lin)), b);
        }
    }

    #[test]
    fn every_format_round_trips_a_colour() {
        let c = [0.25f32, 0.5, 0.75, 1.0].map(f32::to_bits);
        for f in PixelFormat::ALL {
            let mut t = vec![0u8; f.bytes_per_pixel() as usize];
            let v = match f.kind() {
                FormatKind::Uint | FormatKind::Sint => [7, 8, 9, 10],
                _ if f == PixelFormat::Stencil8 => [0x5a, 0, 0, 0],
                _ => c,
            };
            f.write(v, &mut t);
            let r = f.read(&t);
            for i in 0..f.channels() as usize {
                match f.kind() {
                    FormatKind::Float | FormatKind::DepthStencil if f != PixelFormat::Stencil8 => {
                        let (a, b) = (f32::from_bits(r[i]), f32::from_bits(v[i]));
                        assert!((a - b).abs() < 5e-3, "{f:?} channel {i}: {a} vs {b}");
                    }
                    _ => assert_eq!(r[i], v[i], "{f:?} channel {i}"),
                }
            }
        }
    }

    #[test]
    fn bgra_swaps_red_and_blue_in_memory() {
        let mut t = [0u8; 4];
        PixelFormat::BGRA8Unorm.write([1f32, 0.0, 0.0, 1.0].map(f32::to_bits), &mut t);
        assert_eq!(t, [0, 0, 255, 255]);
    }
}
