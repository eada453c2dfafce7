//! Exhaustive checks of the texel conversions of `PixelFormat::read`/`write`: sRGB bytes,
//! unorm rounding, half rounding, BGRA order, and depth/stencil packing.

use pymetal_hal::format::{f32_to_unorm8, linear_to_srgb, srgb_to_linear, unorm8_to_f32};
use pymetal_hal::PixelFormat;

fn bits(v: [f32; 4]) -> [u32; 4] {
    v.map(f32::to_bits)
}
fn floats(v: [u32; 4]) -> [f32; 4] {
    v.map(f32::from_bits)
}

#[test]
fn every_srgb_byte_round_trips_through_read_and_write() {
    for f in [PixelFormat::RGBA8Unorm_sRGB, PixelFormat::BGRA8Unorm_sRGB] {
        for b in 0..=255u8 {
            let texel = [b, b.wrapping_add(1), b.wrapping_mul(7), b];
            let mut out = [0u8; 4];
            f.write(f.read(&texel), &mut out);
            assert_eq!(out, texel, "{f:?} byte {b}");
        }
    }
}

#[test]
fn srgb_decode_matches_the_standard_and_is_monotonic() {
    let mut prev = -1.0f64;
    for b in 0..=255u8 {
        let c = b as f64 / 255.0;
        let exact = if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        let got = srgb_to_linear(unorm8_to_f32(b)) as f64;
        assert!((got - exact).abs() < 1e-6, "byte {b}: {got} vs {exact}");
        assert!(got > prev, "decode is increasing at {b}");
        prev = got;
        // Through the format: alpha stays linear, colour is decoded.
        let r = floats(PixelFormat::RGBA8Unorm_sRGB.read(&[b, 0, 0, b]));
        assert_eq!(r[0] as f64, got);
        assert_eq!(r[3], b as f32 / 255.0);
    }
    // Known points: 0.5 linear encodes to 188; 128 decodes to about 0.2158.
    assert_eq!(f32_to_unorm8(linear_to_srgb(0.5)), 188);
    assert!((srgb_to_linear(128.0 / 255.0) - 0.215_861).abs() < 1e-5);
}

#[test]
fn srgb_encode_picks_the_nearest_encoded_byte() {
    // For linear values on a fine grid, the byte written is the one whose encoded value
    // (not linear value) is nearest to the exact encoding.
    for i in 0..=10_000 {
        let l = i as f64 / 10_000.0;
        let enc = if l <= 0.003_130_8 { l * 12.92 } else { 1.055 * l.powf(1.0 / 2.4) - 0.055 };
        let want = (enc * 255.0).round();
        let mut t = [0u8; 4];
        PixelFormat::RGBA8Unorm_sRGB.write(bits([l as f32, 0.0, 0.0, 1.0]), &mut t);
        assert!((t[0] as f64 - want).abs() <= 1.0, "linear {l}: {} vs {want}", t[0]);
        if ((enc * 255.0).fract() - 0.5).abs() > 1e-3 {
            assert_eq!(t[0] as f64, want, "linear {l}");
        }
    }
    // Out of range and NaN clamp.
    for (x, want) in [(-1.0f32, 0u8), (2.0, 255), (f32::NAN, 0), (f32::INFINITY, 255)] {
        let mut t = [0u8; 4];
        PixelFormat::RGBA8Unorm_sRGB.write(bits([x, x, x, x]), &mut t);
        assert_eq!(t, [want; 4], "{x}");
    }
}

#[test]
fn unorm8_rounds_to_nearest_at_half_boundaries() {
    for k in 0..=255u32 {
        // Exact levels map to themselves.
        assert_eq!(f32_to_unorm8(k as f32 / 255.0), k as u8);
        if k < 255 {
            let mid = (k as f64 + 0.5) / 255.0;
            let below = (mid - 1e-5) as f32;
            let above = (mid + 1e-5) as f32;
            assert_eq!(f32_to_unorm8(below), k as u8, "just below {k}.5");
            assert_eq!(f32_to_unorm8(above), (k + 1) as u8, "just above {k}.5");
        }
    }
    for f in [PixelFormat::R8Unorm, PixelFormat::RG8Unorm, PixelFormat::RGBA8Unorm, PixelFormat::BGRA8Unorm] {
        for b in 0..=255u8 {
            let texel = vec![b; f.bytes_per_pixel() as usize];
            let mut out = vec![0u8; texel.len()];
            f.write(f.read(&texel), &mut out);
            assert_eq!(out, texel, "{f:?} {b}");
        }
    }
    for (x, want) in [
        (-0.5f32, 0u8),
        (1.5, 255),
        (f32::NAN, 0),
        (f32::NEG_INFINITY, 0),
        (0.5, 128), /* 127.5: the tie goes up */
    ] {
        assert_eq!(f32_to_unorm8(x), want, "{x}");
    }
}

#[test]
fn half_formats_round_ties_to_even() {
    let h = |x: f32| {
        let mut t = [0u8; 2];
        PixelFormat::R16Float.write(bits([x, 0.0, 0.0, 1.0]), &mut t);
        u16::from_le_bytes(t)
    };
    let one = 0x3C00u16;
    let ulp = 2f32.powi(-10);
    // Halfway between 1 and 1+ulp (even mantissa 0): down. Between 1+ulp and 1+2ulp: up to even.
    assert_eq!(h(1.0 + ulp / 2.0), one);
    assert_eq!(h(1.0 + 1.5 * ulp), one + 2);
    assert_eq!(h(1.0 + 2.5 * ulp), one + 2);
    assert_eq!(h(1.0 + 3.5 * ulp), one + 4);
    // Not a tie: nearest.
    assert_eq!(h(1.0 + 0.51 * ulp), one + 1);
    // Overflow and the largest finite half.
    assert_eq!(h(65504.0), 0x7BFF);
    assert_eq!(h(65519.0), 0x7BFF);
    assert_eq!(h(65520.0), 0x7C00);
    // Subnormals round to even as well: 2^-25 is half of the smallest subnormal.
    assert_eq!(h(2f32.powi(-25)), 0);
    assert_eq!(h(3.0 * 2f32.powi(-25)), 2);
    assert_eq!(h(-0.0), 0x8000);
    // Every half value round-trips through read/write, in every half format's channels.
    for v in 0..=u16::MAX {
        let x = half::f16::from_bits(v);
        if x.is_nan() {
            continue;
        }
        let mut t = [0u8; 8];
        for c in 0..4 {
            t[2 * c..2 * c + 2].copy_from_slice(&v.to_le_bytes());
        }
        let r = PixelFormat::RGBA16Float.read(&t);
        let mut out = [0u8; 8];
        PixelFormat::RGBA16Float.write(r, &mut out);
        assert_eq!(out, t, "half {v:#06x}");
    }
}

#[test]
fn bgra_formats_swap_red_and_blue() {
    for f in [PixelFormat::BGRA8Unorm, PixelFormat::BGRA8Unorm_sRGB] {
        let mut t = [0u8; 4];
        f.write(bits([1.0, 0.0, 0.0, 0.0]), &mut t);
        assert_eq!(t, [0, 0, 255, 0], "{f:?} red");
        f.write(bits([0.0, 0.0, 1.0, 1.0]), &mut t);
        assert_eq!(t, [255, 0, 0, 255], "{f:?} blue");
        let r = floats(f.read(&[10, 20, 30, 40]));
        assert_eq!(r[3], 40.0 / 255.0);
        let lin = |b: u8| if f.is_srgb() { srgb_to_linear(b as f32 / 255.0) } else { b as f32 / 255.0 };
        assert_eq!([r[0], r[1], r[2]], [lin(30), lin(20), lin(10)], "{f:?}");
    }
    // RGBA keeps memory order.
    let mut t = [0u8; 4];
    PixelFormat::RGBA8Unorm.write(bits([1.0, 0.0, 0.0, 0.0]), &mut t);
    assert_eq!(t, [255, 0, 0, 0]);
}

#[test]
fn depth_writes_keep_stencil() {
    let f = PixelFormat::Depth24Unorm_Stencil8;
    let mut t = [0u8; 4];
    f.write_stencil(&mut t, 0xAB);
    f.write(bits([0.5, 0.0, 0.0, 0.0]), &mut t);
    assert_eq!(u32::from_le_bytes(t), 0xAB00_0000 | 0x80_0000, "0.5 * (2^24 - 1) rounds to 2^23");
    assert_eq!(f.read_stencil(&t), 0xAB);
    f.write(bits([1.5, 0.0, 0.0, 0.0]), &mut t);
    assert_eq!(u32::from_le_bytes(t), 0xABFF_FFFF, "depth clamps to 1");
    f.write(bits([-1.0, 0.0, 0.0, 0.0]), &mut t);
    assert_eq!(u32::from_le_bytes(t), 0xAB00_0000, "depth clamps to 0");
    // Stencil writes keep depth; every 24-bit depth level reads back within half a level.
    f.write(bits([0.25, 0.0, 0.0, 0.0]), &mut t);
    f.write_stencil(&mut t, 7);
    assert_eq!(u32::from_le_bytes(t) & 0xFF_FFFF, (0.25f64 * 16_777_215.0).round() as u32);
    assert_eq!(t[3], 7);
    for d in (0..=0xFF_FFFFu32).step_by(4093).chain([0xFF_FFFF]) {
        let texel = (d | 0x5500_0000).to_le_bytes();
        let x = f32::from_bits(f.read(&texel)[0]);
        let mut out = texel;
        f.write(bits([x, 0.0, 0.0, 0.0]), &mut out);
        assert_eq!(out, texel, "depth level {d:#x}");
    }

    let f = PixelFormat::Depth32Float_Stencil8;
    let mut t = [0u8; 8];
    f.write_stencil(&mut t, 0x5A);
    f.write(bits([0.75, 0.0, 0.0, 0.0]), &mut t);
    assert_eq!(&t[..4], &0.75f32.to_le_bytes());
    assert_eq!(f.read_stencil(&t), 0x5A);
    assert_eq!(f32::from_bits(f.read(&t)[0]), 0.75);

    let f = PixelFormat::Stencil8;
    let mut t = [0u8; 1];
    f.write([200, 0, 0, 0], &mut t);
    assert_eq!((t[0], f.read(&t)[0], f.read_stencil(&t)), (200, 200, 200));
}

#[test]
fn integer_formats_are_bit_exact() {
    for v in [0u32, 1, 0x7FFF_FFFF, 0x8000_0000, u32::MAX] {
        for f in [PixelFormat::R32Uint, PixelFormat::R32Sint] {
            let mut t = [0u8; 4];
            f.write([v, 0, 0, 0], &mut t);
            assert_eq!(f.read(&t), [v, 0, 0, 1], "{f:?} {v:#x}");
        }
        let mut t = [0u8; 16];
        PixelFormat::RGBA32Uint.write([v, !v, v ^ 5, 3], &mut t);
        assert_eq!(PixelFormat::RGBA32Uint.read(&t), [v, !v, v ^ 5, 3]);
    }
}
