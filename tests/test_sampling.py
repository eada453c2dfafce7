"""Textures and samplers in compute kernels (CPU device): read/write of several pixel
formats checked byte for byte, and sample/gather/sample_compare against an independent
numpy (float64) implementation of Metal's sampling rules (address modes, filters, border
colours, mip selection, cube face selection), with constexpr and runtime samplers."""

import numpy as np
import pytest

import pymetal as pm
from mtl_helpers import SHARED, buffer_from, device_kind, empty_buffer, queue_for, view

PF = pm.PixelFormat
AM = pm.SamplerAddressMode
EDGE, MIRROR_EDGE, REPEAT, MIRROR, ZERO, BORDER = 0, 1, 2, 3, 4, 5
BORDERS = {0: (0, 0, 0, 0), 1: (0, 0, 0, 1), 2: (1, 1, 1, 1)}


@pytest.fixture
def tdev(device):
    return device


# ------------------------------------------------------------------ helpers
def texture(dev, fmt, w, h=1, depth=1, ttype=pm.TextureType.Type2D, mips=1, array_length=1):
    d = pm.TextureDescriptor()
    d.texture_type = ttype
    d.pixel_format = fmt
    d.width, d.height, d.depth = w, h, depth
    d.mipmap_level_count = mips
    d.array_length = array_length
    d.usage = 3
    return dev.new_texture(d)


def fill(tex, arr, level=0, slice=0):
    arr = np.ascontiguousarray(arr)
    h, w = arr.shape[0], arr.shape[1]
    tex.replace_region(arr.tobytes(), arr.nbytes // h, 0, 0, w, h, level, slice)


def sampler_state(dev, **kw):
    d = pm.SamplerDescriptor()
    for k, v in kw.items():
        setattr(d, k, v)
    return dev.new_sampler_state(d)


def run(dev, src, name, n, textures=(), samplers=(), buffers=()):
    lib = dev.new_library_with_source(src)
    pso = dev.new_compute_pipeline_state(lib.new_function(name))
    cb = queue_for(dev).command_buffer()
    enc = cb.compute_command_encoder()
    enc.set_compute_pipeline_state(pso)
    for i, t in enumerate(textures):
        enc.set_texture(t, i)
    for i, s in enumerate(samplers):
        enc.set_sampler_state(s, i)
    for i, b in enumerate(buffers):
        enc.set_buffer(b, 0, i)
    enc.dispatch_threads(n, 1, 1, min(n, 32), 1, 1)
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed, cb.error


def f4_out(dev, n):
    return empty_buffer(dev, 16 * n)


# ------------------------------------------------------------------ numpy reference
def wrap(i, n, mode):
    """Integer texel coordinate -> index, or -1 for the border texel."""
    if mode == EDGE:
        return min(max(i, 0), n - 1)
    if mode == MIRROR_EDGE:
        i = -1 - i if i < 0 else i
        return min(i, n - 1)
    if mode == REPEAT:
        return i % n
    if mode == MIRROR:
        m = i % (2 * n)
        return 2 * n - 1 - m if m >= n else m
    return i if 0 <= i < n else -1


def border_texel(mode, border, has_alpha=True):
    if mode == ZERO:
        return np.array((0, 0, 0, 0) if has_alpha else (0, 0, 0, 1), float)
    return np.array(BORDERS[border], float)


def sample_level(img, coords, linear, modes, normalized=True, border=0, offset=(0, 0, 0)):
    """img: (d, h, w, 4) float64 (d = h = 1 for lower dimensions); coords of len dims."""
    dims = len(coords)
    shape = [img.shape[2], img.shape[1], img.shape[0]][:dims]
    axes = []
    for k in range(dims):
        u = coords[k] * shape[k] if normalized else coords[k]
        if linear:
            u -= 0.5
        f = np.floor(u)
        a = u - f if linear else 0.0
        b = int(f) + offset[k]
        axes.append(((wrap(b, shape[k], modes[k]), 1 - a), (wrap(b + 1, shape[k], modes[k]), a)))
    out = np.zeros(4)
    corners = 1 << dims if linear else 1
    for q in range(corners):
        idx, w, bmode = [0, 0, 0], 1.0, None
        for k in range(dims):
            i, wk = axes[k][(q >> k) & 1]
            w *= wk
            idx[k] = i
            if i < 0:
                bmode = modes[k]
        texel = border_texel(bmode, border) if bmode is not None else img[idx[2], idx[1], idx[0]]
        out += w * texel
    return out


def select_levels(lod, mip_filter, levels, lod_min=0.0, lod_max=1e30):
    lod = min(max(lod, lod_min), lod_max)
    lod_c = min(max(lod, 0.0), levels - 1)
    if mip_filter == 0:
        return [(0, 1.0)], lod
    if mip_filter == 1:
        lv = 0 if lod_c <= 0.5 else int(np.ceil(lod_c + 0.5)) - 1
        return [(min(lv, levels - 1), 1.0)], lod
    l0 = int(np.floor(lod_c))
    l1 = min(l0 + 1, levels - 1)
    fr = lod_c - l0
    return [(l0, 1 - fr), (l1, fr)], lod


def f32(x):
    return np.asarray(x, np.float32)


# ------------------------------------------------------------------ read / write formats
def unorm8(b):
    return b.astype(np.float32) / np.float32(255)


def srgb_dec(c):
    c = c.astype(np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_unorm8(x):
    x = np.clip(np.nan_to_num(np.asarray(x, np.float32)), 0, 1)
    return (x * np.float32(255) + np.float32(0.5)).astype(np.uint8)


def srgb_enc(x):
    x = np.clip(np.asarray(x, np.float64), 0, 1)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * x ** (1 / 2.4) - 0.055)


READ_FLOAT = """
#include <metal_stdlib>
using namespace metal;
kernel void rd(texture2d<float, access::read> t [[texture(0)]], device float4 *o [[buffer(0)]],
               uint i [[thread_position_in_grid]]) {
    uint w = t.get_width();
    o[i] = t.read(uint2(i % w, i / w));
}
kernel void wr(texture2d<float, access::write> t [[texture(0)]], device const float4 *v [[buffer(0)]],
               uint i [[thread_position_in_grid]]) {
    uint w = t.get_width();
    t.write(v[i], uint2(i % w, i / w));
}
kernel void rd_half(texture2d<half> t [[texture(0)]], device float4 *o [[buffer(0)]],
                    uint i [[thread_position_in_grid]]) {
    uint w = t.get_width();
    o[i] = float4(t.read(ushort2(i % w, i / w)));
}
kernel void rd_uint(texture2d<uint> t [[texture(0)]], device uint4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    uint w = t.get_width();
    o[i] = t.read(uint2(i % w, i / w));
}
kernel void wr_uint(texture2d<uint, access::write> t [[texture(0)]], device const uint4 *v [[buffer(0)]],
                    uint i [[thread_position_in_grid]]) {
    uint w = t.get_width();
    t.write(v[i], uint2(i % w, i / w));
}
kernel void rw(texture2d<float, access::read_write> t [[texture(0)]], uint i [[thread_position_in_grid]]) {
    uint w = t.get_width();
    uint2 p = uint2(i % w, i / w);
    t.write(t.read(p) * 0.5f, p);
}
"""
W, H = 5, 3
N = W * H


def decode(fmt, raw):
    """Expected float4 of each texel (numpy, independent of format.rs)."""
    n = N
    out = np.zeros((n, 4))
    out[:, 3] = 1
    if fmt in (PF.RGBA8Unorm, PF.RGBA8Unorm_sRGB, PF.BGRA8Unorm):
        b = np.frombuffer(raw, np.uint8).reshape(n, 4)
        if fmt == PF.BGRA8Unorm:
            b = b[:, [2, 1, 0, 3]]
        out[:] = unorm8(b)
        if fmt == PF.RGBA8Unorm_sRGB:
            out[:, :3] = srgb_dec(unorm8(b[:, :3]))
    elif fmt == PF.R32Float:
        out[:, 0] = np.frombuffer(raw, np.float32)
    elif fmt == PF.RGBA16Float:
        out[:] = np.frombuffer(raw, np.float16).reshape(n, 4)
    return out


def encode(fmt, v):
    if fmt == PF.RGBA8Unorm:
        return to_unorm8(v).tobytes()
    if fmt == PF.BGRA8Unorm:
        return to_unorm8(v[:, [2, 1, 0, 3]]).tobytes()
    if fmt == PF.RGBA8Unorm_sRGB:
        e = v.astype(np.float64).copy()
        e[:, :3] = srgb_enc(e[:, :3])
        return to_unorm8(e).tobytes()
    if fmt == PF.R32Float:
        return np.ascontiguousarray(v[:, 0], np.float32).tobytes()
    if fmt == PF.RGBA16Float:
        return v.astype(np.float16).tobytes()
    raise AssertionError(fmt)


BPP = {PF.RGBA8Unorm: 4, PF.RGBA8Unorm_sRGB: 4, PF.BGRA8Unorm: 4, PF.R32Float: 4, PF.RGBA16Float: 8}
FLOAT_FORMATS = [PF.RGBA8Unorm, PF.RGBA8Unorm_sRGB, PF.BGRA8Unorm, PF.R32Float, PF.RGBA16Float]


def random_texels(fmt, seed):
    r = np.random.default_rng(seed)
    if fmt == PF.R32Float:
        return r.standard_normal(N).astype(np.float32).tobytes()
    if fmt == PF.RGBA16Float:
        return (r.standard_normal(4 * N) * 4).astype(np.float16).tobytes()
    return r.integers(0, 256, N * BPP[fmt], dtype=np.uint8).tobytes()


@pytest.mark.parametrize("fmt", FLOAT_FORMATS, ids=lambda f: PF(f).name)
def test_read_float_formats(tdev, fmt):
    raw = random_texels(fmt, int(fmt))
    t = texture(tdev, fmt, W, H)
    t.replace_region(raw, W * BPP[fmt], 0, 0, W, H)
    out = f4_out(tdev, N)
    run(tdev, READ_FLOAT, "rd", N, [t], buffers=[out])
    got = view(out, np.float32, (N, 4))
    exp = decode(fmt, raw)
    tol = 2e-6 if fmt != PF.RGBA8Unorm_sRGB else 1e-6
    np.testing.assert_allclose(got, exp, rtol=tol, atol=tol)
    if fmt != PF.RGBA8Unorm_sRGB:  # exact conversions
        assert np.array_equal(got, exp.astype(np.float32))
    # the same texels through texture2d<half>
    run(tdev, READ_FLOAT, "rd_half", N, [t], buffers=[out])
    np.testing.assert_array_equal(view(out, np.float32, (N, 4)), exp.astype(np.float16).astype(np.float32))


@pytest.mark.parametrize("fmt", FLOAT_FORMATS, ids=lambda f: PF(f).name)
def test_write_float_formats(tdev, fmt):
    r = np.random.default_rng(7)
    v = r.uniform(-0.2, 1.2, (N, 4)).astype(np.float32)
    if fmt in (PF.R32Float, PF.RGBA16Float):
        v = (r.standard_normal((N, 4)) * 10).astype(np.float32)
    t = texture(tdev, fmt, W, H)
    run(tdev, READ_FLOAT, "wr", N, [t], buffers=[buffer_from(tdev, v)])
    got = np.frombuffer(t.get_bytes(W * BPP[fmt], 0, 0, W, H), np.uint8)
    exp = np.frombuffer(encode(fmt, v), np.uint8)
    if fmt == PF.RGBA8Unorm_sRGB:
        # float64 numpy vs float32 powf: at most one step apart, and rarely
        assert np.abs(got.astype(int) - exp.astype(int)).max() <= 1
        assert np.mean(got != exp) < 0.05
    else:
        np.testing.assert_array_equal(got, exp)


def test_read_write_uint(tdev):
    r = np.random.default_rng(3)
    t = texture(tdev, PF.R32Uint, W, H)
    vals = r.integers(0, 2**32, N, dtype=np.uint64).astype(np.uint32)
    fill(t, vals.reshape(H, W))
    out = empty_buffer(tdev, 16 * N)
    run(tdev, READ_FLOAT, "rd_uint", N, [t], buffers=[out])
    got = view(out, np.uint32, (N, 4))
    np.testing.assert_array_equal(got[:, 0], vals)
    np.testing.assert_array_equal(got[:, 1:], np.tile([0, 0, 1], (N, 1)))
    new = r.integers(0, 2**32, (N, 4), dtype=np.uint64).astype(np.uint32)
    run(tdev, READ_FLOAT, "wr_uint", N, [t], buffers=[buffer_from(tdev, new)])
    np.testing.assert_array_equal(np.frombuffer(t.get_bytes(4 * W, 0, 0, W, H), np.uint32), new[:, 0])


def test_read_write_same_texture(tdev):
    t = texture(tdev, PF.RGBA32Float, W, H)
    v = np.random.default_rng(4).standard_normal((H, W, 4)).astype(np.float32)
    fill(t, v)
    run(tdev, READ_FLOAT, "rw", N, [t])
    np.testing.assert_array_equal(np.frombuffer(t.get_bytes(16 * W, 0, 0, W, H), np.float32).reshape(H, W, 4), v * 0.5)


# ------------------------------------------------------------------ 2D sampling
SAMPLE_RT = """
#include <metal_stdlib>
using namespace metal;
kernel void smp(texture2d<float> t [[texture(0)]], sampler s [[sampler(0)]],
                device const float2 *uv [[buffer(0)]], device float4 *o [[buffer(1)]],
                constant float &lod [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    o[i] = t.sample(s, uv[i], level(lod));
}
kernel void smp_bias(texture2d<float> t [[texture(0)]], sampler s [[sampler(0)]],
                     device const float2 *uv [[buffer(0)]], device float4 *o [[buffer(1)]],
                     constant float &lod [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    o[i] = t.sample(s, uv[i], bias(lod));
}
"""

COORDS = f32(np.random.default_rng(11).uniform(-1.7, 2.6, (64, 2)))


def img2d(seed, w=5, h=4):
    return np.random.default_rng(seed).uniform(0, 1, (h, w, 4)).astype(np.float32)


def run_sample(dev, t, s, coords, lod=0.0, name="smp", src=SAMPLE_RT):
    n = len(coords)
    out = f4_out(dev, n)
    run(dev, src, name, n, [t], [s] if s is not None else [],
        [buffer_from(dev, f32(coords)), out, buffer_from(dev, f32([lod]))])
    return view(out, np.float32, (n, 4)).astype(np.float64)


MODES = [EDGE, MIRROR_EDGE, REPEAT, MIRROR, ZERO, BORDER]


@pytest.mark.parametrize("linear", [False, True], ids=["nearest", "linear"])
@pytest.mark.parametrize("mode", MODES, ids=["edge", "mirror_edge", "repeat", "mirrored_repeat", "zero", "border"])
def test_sample_2d_address_modes(tdev, linear, mode):
    img = img2d(1)
    t = texture(tdev, PF.RGBA32Float, 5, 4)
    fill(t, img)
    border = 2
    s = sampler_state(tdev, min_filter=int(linear), mag_filter=int(linear), s_address_mode=mode,
                      t_address_mode=mode, border_color=border)
    got = run_sample(tdev, t, s, COORDS)
    exp = np.array([sample_level(img[None].astype(np.float64), c.astype(np.float64), linear, [mode] * 2,
                                 border=border) for c in COORDS])
    np.testing.assert_allclose(got, exp, atol=2e-6)


def test_sample_mixed_axes_and_border_colours(tdev):
    img = img2d(2)
    t = texture(tdev, PF.RGBA32Float, 5, 4)
    fill(t, img)
    for border in (0, 1, 2):
        s = sampler_state(tdev, min_filter=1, mag_filter=1, s_address_mode=REPEAT, t_address_mode=BORDER,
                          border_color=border)
        got = run_sample(tdev, t, s, COORDS)
        exp = np.array([sample_level(img[None].astype(np.float64), c.astype(np.float64), True, [REPEAT, BORDER],
                                     border=border) for c in COORDS])
        np.testing.assert_allclose(got, exp, atol=2e-6)


def test_clamp_to_zero_without_alpha_is_opaque_black(tdev):
    t = texture(tdev, PF.R32Float, 2, 2)
    fill(t, f32([[0.5, 0.5], [0.5, 0.5]]))
    s = sampler_state(tdev, s_address_mode=ZERO, t_address_mode=ZERO)
    got = run_sample(tdev, t, s, [[-0.5, 0.5], [0.25, 0.25]])
    np.testing.assert_array_equal(got, [[0, 0, 0, 1], [0.5, 0, 0, 1]])


def test_pixel_coordinates(tdev):
    img = img2d(5)
    t = texture(tdev, PF.RGBA32Float, 5, 4)
    fill(t, img)
    coords = f32(np.random.default_rng(12).uniform(-1, 6, (32, 2)))
    for linear in (False, True):
        s = sampler_state(tdev, normalized_coordinates=False, min_filter=int(linear), mag_filter=int(linear))
        got = run_sample(tdev, t, s, coords)
        exp = np.array([sample_level(img[None].astype(np.float64), c.astype(np.float64), linear, [EDGE] * 2,
                                     normalized=False) for c in coords])
        np.testing.assert_allclose(got, exp, atol=2e-6)


def test_linear_rgba8_known_values(tdev):
    """Half-way between two texels of an RGBA8Unorm texture is the mean of their values."""
    t = texture(tdev, PF.RGBA8Unorm, 2, 1)
    t.replace_region(bytes([0, 255, 100, 255, 255, 0, 200, 51]), 8, 0, 0, 2, 1)
    s = sampler_state(tdev, min_filter=1, mag_filter=1)
    got = run_sample(tdev, t, s, [[0.5, 0.5], [0.25, 0.5], [0.375, 0.5]])
    a, b = np.array([0, 255, 100, 255]) / 255, np.array([255, 0, 200, 51]) / 255
    np.testing.assert_allclose(got, [(a + b) / 2, a, 0.75 * a + 0.25 * b], atol=1e-6)


CONSTEXPR_SAMPLERS = [
    ("filter::linear, address::repeat", dict(linear=True, modes=[REPEAT] * 2)),
    ("address::mirrored_repeat, mag_filter::linear, min_filter::linear", dict(linear=True, modes=[MIRROR] * 2)),
    ("coord::normalized, filter::nearest, s_address::clamp_to_border, t_address::repeat, "
     "border_color::opaque_white", dict(linear=False, modes=[BORDER, REPEAT], border=2)),
    ("address::clamp_to_zero, filter::linear", dict(linear=True, modes=[ZERO, ZERO])),
    ("coord::pixel, filter::linear", dict(linear=True, modes=[EDGE, EDGE], normalized=False)),
    ("", dict(linear=False, modes=[EDGE, EDGE])),
    ("max_anisotropy(4), lod_clamp(0.0f, 8.0f), filter::linear, address::clamp_to_edge",
     dict(linear=True, modes=[EDGE, EDGE])),
]


@pytest.mark.parametrize("args,ref", CONSTEXPR_SAMPLERS, ids=[f"cs{i}" for i in range(len(CONSTEXPR_SAMPLERS))])
def test_constexpr_sampler(tdev, args, ref):
    decl = f"cs({args})" if args else "cs"
    src = f"""
#include <metal_stdlib>
using namespace metal;
constexpr sampler {decl};
kernel void smp(texture2d<float> t [[texture(0)]], device const float2 *uv [[buffer(0)]],
                device float4 *o [[buffer(1)]], constant float &lod [[buffer(2)]],
                uint i [[thread_position_in_grid]]) {{
    o[i] = t.sample(cs, uv[i]);
}}
"""
    img = img2d(6)
    t = texture(tdev, PF.RGBA32Float, 5, 4)
    fill(t, img)
    coords = COORDS if ref.get("normalized", True) else COORDS * 4
    got = run_sample(tdev, t, None, coords, src=src)
    exp = np.array([sample_level(img[None].astype(np.float64), c.astype(np.float64), ref["linear"], ref["modes"],
                                 normalized=ref.get("normalized", True), border=ref.get("border", 0))
                    for c in coords])
    np.testing.assert_allclose(got, exp, atol=2e-6)


def test_sampler_in_function_scope_and_metal_qualified(tdev):
    src = """
#include <metal_stdlib>
kernel void smp(metal::texture2d<float> t [[texture(0)]], device const metal::float2 *uv [[buffer(0)]],
                device metal::float4 *o [[buffer(1)]], constant float &lod [[buffer(2)]],
                uint i [[thread_position_in_grid]]) {
    constexpr metal::sampler s(metal::filter::linear, metal::address::repeat);
    o[i] = t.sample(s, uv[i]);
}
"""
    img = img2d(8)
    t = texture(tdev, PF.RGBA32Float, 5, 4)
    fill(t, img)
    got = run_sample(tdev, t, None, COORDS, src=src)
    exp = np.array([sample_level(img[None].astype(np.float64), c.astype(np.float64), True, [REPEAT] * 2)
                    for c in COORDS])
    np.testing.assert_allclose(got, exp, atol=2e-6)


# ------------------------------------------------------------------ mipmaps
def mip_texture(dev, seed=9, w=8, h=8):
    levels = int(np.log2(max(w, h))) + 1
    t = texture(dev, PF.RGBA32Float, w, h, mips=levels)
    imgs = []
    r = np.random.default_rng(seed)
    for l in range(levels):
        img = r.uniform(0, 1, (max(1, h >> l), max(1, w >> l), 4)).astype(np.float32)
        fill(t, img, level=l)
        imgs.append(img[None].astype(np.float64))
    return t, imgs


@pytest.mark.parametrize("mip_filter", [0, 1, 2], ids=["not_mipmapped", "nearest", "linear"])
@pytest.mark.parametrize("lod", [0.0, 0.3, 0.5, 0.7, 1.0, 1.5, 2.25, 3.0, 7.0, -1.0])
def test_mip_levels(tdev, mip_filter, lod):
    t, imgs = mip_texture(tdev)
    s = sampler_state(tdev, min_filter=1, mag_filter=0, mip_filter=mip_filter, s_address_mode=REPEAT,
                      t_address_mode=REPEAT)
    coords = COORDS[:24]
    got = run_sample(tdev, t, s, coords, lod=lod)
    levels, lod_c = select_levels(lod, mip_filter, len(imgs))
    linear = lod_c > 0  # min filter (linear) when magnifying is over
    exp = np.array([sum(w * sample_level(imgs[l], c.astype(np.float64), linear, [REPEAT] * 2) for l, w in levels)
                    for c in coords])
    np.testing.assert_allclose(got, exp, atol=3e-6)


def test_lod_clamps_and_bias(tdev):
    t, imgs = mip_texture(tdev, seed=10)
    s = sampler_state(tdev, min_filter=1, mag_filter=1, mip_filter=2, lod_min_clamp=1.25, lod_max_clamp=2.5)
    coords = COORDS[:16]
    for lod, name in [(0.0, "smp"), (3.5, "smp"), (1.75, "smp_bias"), (0.5, "smp_bias")]:
        got = run_sample(tdev, t, s, coords, lod=lod, name=name)
        levels, _ = select_levels(lod, 2, len(imgs), 1.25, 2.5)
        exp = np.array([sum(w * sample_level(imgs[l], c.astype(np.float64), True, [EDGE] * 2) for l, w in levels)
                        for c in coords])
        np.testing.assert_allclose(got, exp, atol=3e-6, err_msg=f"{name} {lod}")


def test_read_mip_level_and_sizes(tdev):
    t, imgs = mip_texture(tdev, seed=13, w=8, h=4)
    src = """
#include <metal_stdlib>
using namespace metal;
kernel void k(texture2d<float> t [[texture(0)]], device float4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    o[i] = t.read(uint2(1, 0), i);
    o[4 + i] = float4(t.get_width(i), t.get_height(i), t.get_num_mip_levels(), 0);
}
"""
    out = f4_out(tdev, 8)
    run(tdev, src, "k", 4, [t], buffers=[out])
    got = view(out, np.float32, (8, 4))
    for l in range(4):
        np.testing.assert_array_equal(got[l], imgs[l][0, 0, 1] if imgs[l].shape[2] > 1 else 0)
        np.testing.assert_array_equal(got[4 + l], [max(1, 8 >> l), max(1, 4 >> l), 4, 0])


# ------------------------------------------------------------------ gather, depth, cube, array, 3D
def test_gather(tdev):
    img = img2d(14)
    t = texture(tdev, PF.RGBA32Float, 5, 4)
    fill(t, img)
    src = """
#include <metal_stdlib>
using namespace metal;
constexpr sampler s(address::repeat);
kernel void g(texture2d<float> t [[texture(0)]], device const float2 *uv [[buffer(0)]],
              device float4 *o [[buffer(1)]], uint i [[thread_position_in_grid]]) {
    o[2 * i] = t.gather(s, uv[i]);
    o[2 * i + 1] = t.gather(s, uv[i], int2(1, -1), component::z);
}
"""
    n = len(COORDS)
    out = f4_out(tdev, 2 * n)
    run(tdev, src, "g", n, [t], buffers=[buffer_from(tdev, COORDS), out])
    got = view(out, np.float32, (n, 2, 4))
    for k, c in enumerate(COORDS.astype(np.float64)):
        for j, (off, comp) in enumerate([((0, 0), 0), ((1, -1), 2)]):
            x0 = int(np.floor(c[0] * 5 - 0.5)) + off[0]
            y0 = int(np.floor(c[1] * 4 - 0.5)) + off[1]
            xs = [wrap(x0, 5, REPEAT), wrap(x0 + 1, 5, REPEAT)]
            ys = [wrap(y0, 4, REPEAT), wrap(y0 + 1, 4, REPEAT)]
            exp = [img[ys[1], xs[0], comp], img[ys[1], xs[1], comp], img[ys[0], xs[1], comp], img[ys[0], xs[0], comp]]
            np.testing.assert_array_equal(got[k, j], exp)


@pytest.mark.parametrize("func", [1, 3, 4, 6, 0, 7], ids=["less", "less_equal", "greater", "greater_equal", "never",
                                                          "always"])
def test_depth_sample_compare(tdev, func):
    depth = np.random.default_rng(15).uniform(0, 1, (4, 4)).astype(np.float32)
    t = texture(tdev, PF.Depth32Float, 4, 4)
    fill(t, depth)
    s = sampler_state(tdev, min_filter=1, mag_filter=1, compare_function=func)
    src = """
#include <metal_stdlib>
using namespace metal;
kernel void d(depth2d<float> t [[texture(0)]], sampler s [[sampler(0)]], device const float2 *uv [[buffer(0)]],
              device float4 *o [[buffer(1)]], uint i [[thread_position_in_grid]]) {
    o[i] = float4(t.sample_compare(s, uv[i], 0.5f), t.sample(s, uv[i]), t.read(uint2(i % 4, (i / 4) % 4)), 0);
}
"""
    coords = f32(np.random.default_rng(16).uniform(-0.2, 1.2, (32, 2)))
    out = f4_out(tdev, 32)
    run(tdev, src, "d", 32, [t], [s], [buffer_from(tdev, coords), out])
    got = view(out, np.float32, (32, 4)).astype(np.float64)
    ops = {1: np.less, 3: np.less_equal, 4: np.greater, 6: np.greater_equal, 0: lambda a, b: np.zeros_like(b, bool),
           7: lambda a, b: np.ones_like(b, bool)}
    passed = ops[func](0.5, depth.astype(np.float64)).astype(np.float64)
    pimg = np.stack([passed, passed, passed, passed], -1)[None]
    dimg = np.stack([depth] * 4, -1)[None].astype(np.float64)
    for k, c in enumerate(coords.astype(np.float64)):
        np.testing.assert_allclose(got[k, 0], sample_level(pimg, c, True, [EDGE] * 2)[0], atol=2e-6)
        np.testing.assert_allclose(got[k, 1], sample_level(dimg, c, True, [EDGE] * 2)[0], atol=2e-6)
        assert got[k, 2] == depth[(k // 4) % 4, k % 4]


def cube_ref(d):
    """Face and (s, t) of direction d, from the major-axis table of the GL/Metal spec."""
    x, y, z = d
    ax, ay, az = abs(x), abs(y), abs(z)
    if ax >= ay and ax >= az:
        face, sc, tc, ma = (0, -z, -y, ax) if x >= 0 else (1, z, -y, ax)
    elif ay >= az:
        face, sc, tc, ma = (2, x, z, ay) if y >= 0 else (3, x, -z, ay)
    else:
        face, sc, tc, ma = (4, x, -y, az) if z >= 0 else (5, -x, -y, az)
    return face, ((sc / ma + 1) / 2, (tc / ma + 1) / 2)


def test_cube_face_selection(tdev):
    t = texture(tdev, PF.RGBA32Float, 4, 4, ttype=pm.TextureType.TypeCube)
    faces = np.random.default_rng(17).uniform(0, 1, (6, 4, 4, 4)).astype(np.float32)
    for f in range(6):
        fill(t, faces[f], slice=f)
    src = """
#include <metal_stdlib>
using namespace metal;
constexpr sampler s(filter::linear);
kernel void c(texturecube<float> t [[texture(0)]], device const packed_float3 *dir [[buffer(0)]],
              device float4 *o [[buffer(1)]], uint i [[thread_position_in_grid]]) {
    o[2 * i] = t.sample(s, float3(dir[i]));
    o[2 * i + 1] = t.read(uint2(i % 4, 1), i % 6);
}
"""
    dirs = np.random.default_rng(18).uniform(-1, 1, (48, 3)).astype(np.float32)
    dirs[:6] = [[1, 0.1, 0.2], [-1, 0.3, -0.2], [0.1, 1, 0.2], [0.2, -1, 0.1], [0.3, 0.2, 1], [-0.1, 0.2, -1]]
    out = f4_out(tdev, 96)
    run(tdev, src, "c", 48, [t], buffers=[buffer_from(tdev, dirs), out])
    got = view(out, np.float32, (48, 2, 4)).astype(np.float64)
    assert [cube_ref(d)[0] for d in dirs[:6]] == [0, 1, 2, 3, 4, 5]
    for k, d in enumerate(dirs.astype(np.float64)):
        face, st = cube_ref(d)
        exp = sample_level(faces[face][None].astype(np.float64), np.array(st), True, [EDGE] * 2)
        np.testing.assert_allclose(got[k, 0], exp, atol=3e-6)
        np.testing.assert_array_equal(got[k, 1], faces[k % 6, 1, k % 4])


def test_texture2d_array(tdev):
    t = texture(tdev, PF.RGBA32Float, 3, 2, ttype=pm.TextureType.Type2DArray, array_length=3)
    sl = np.random.default_rng(19).uniform(0, 1, (3, 2, 3, 4)).astype(np.float32)
    for i in range(3):
        fill(t, sl[i], slice=i)
    src = """
#include <metal_stdlib>
using namespace metal;
constexpr sampler s(filter::linear, address::mirrored_repeat);
kernel void a(texture2d_array<float> t [[texture(0)]], device const float2 *uv [[buffer(0)]],
              device float4 *o [[buffer(1)]], uint i [[thread_position_in_grid]]) {
    o[3 * i] = t.sample(s, uv[i], i % 3);
    o[3 * i + 1] = t.read(uint2(i % 3, (i / 3) % 2), i % 3);
    o[3 * i + 2] = float4(t.get_array_size(), t.get_width(), t.get_height(), 0);
}
"""
    coords = COORDS[:30]
    out = f4_out(tdev, 90)
    run(tdev, src, "a", 30, [t], buffers=[buffer_from(tdev, coords), out])
    got = view(out, np.float32, (30, 3, 4)).astype(np.float64)
    for k, c in enumerate(coords.astype(np.float64)):
        exp = sample_level(sl[k % 3][None].astype(np.float64), c, True, [MIRROR] * 2)
        np.testing.assert_allclose(got[k, 0], exp, atol=2e-6)
        np.testing.assert_array_equal(got[k, 1], sl[k % 3, (k // 3) % 2, k % 3])
        np.testing.assert_array_equal(got[k, 2], [3, 3, 2, 0])


def test_texture3d_write_then_sample(tdev):
    D = 4
    t = texture(tdev, PF.R32Float, D, D, depth=D, ttype=pm.TextureType.Type3D)
    vol = np.random.default_rng(20).uniform(0, 1, (D, D, D)).astype(np.float32)
    src = """
#include <metal_stdlib>
using namespace metal;
kernel void w(texture3d<float, access::write> t [[texture(0)]], device const float *v [[buffer(0)]],
              uint i [[thread_position_in_grid]]) {
    t.write(float4(v[i], 0, 0, 0), uint3(i % 4, (i / 4) % 4, i / 16));
}
constexpr sampler s(filter::linear, address::repeat);
kernel void r(texture3d<float> t [[texture(0)]], device const packed_float3 *p [[buffer(0)]],
              device float4 *o [[buffer(1)]], uint i [[thread_position_in_grid]]) {
    o[i] = t.sample(s, float3(p[i]));
    if (i == 0) o[64] = float4(t.get_width(), t.get_height(), t.get_depth(), 0);
}
"""
    run(tdev, src, "w", D * D * D, [t], buffers=[buffer_from(tdev, vol.reshape(-1))])
    pts = np.random.default_rng(21).uniform(-0.5, 1.5, (64, 3)).astype(np.float32)
    out = f4_out(tdev, 65)
    run(tdev, src, "r", 64, [t], buffers=[buffer_from(tdev, pts), out])
    got = view(out, np.float32, (65, 4)).astype(np.float64)
    img = np.zeros((D, D, D, 4))
    img[..., 0] = vol
    img[..., 3] = 1
    for k, p in enumerate(pts.astype(np.float64)):
        np.testing.assert_allclose(got[k], sample_level(img, p, True, [REPEAT] * 3), atol=3e-6)
    np.testing.assert_array_equal(got[64], [4, 4, 4, 0])


def test_texture1d(tdev):
    t = texture(tdev, PF.RGBA32Float, 6, ttype=pm.TextureType.Type1D)
    row = np.random.default_rng(22).uniform(0, 1, (1, 6, 4)).astype(np.float32)
    fill(t, row)
    src = """
#include <metal_stdlib>
using namespace metal;
constexpr sampler s(filter::linear, address::repeat);
kernel void k(texture1d<float> t [[texture(0)]], device const float *x [[buffer(0)]],
              device float4 *o [[buffer(1)]], uint i [[thread_position_in_grid]]) {
    o[2 * i] = t.sample(s, x[i]);
    o[2 * i + 1] = t.read(i % 6);
}
"""
    xs = f32(np.random.default_rng(23).uniform(-1, 2, 16))
    out = f4_out(tdev, 32)
    run(tdev, src, "k", 16, [t], buffers=[buffer_from(tdev, xs), out])
    got = view(out, np.float32, (16, 2, 4)).astype(np.float64)
    for k, x in enumerate(xs.astype(np.float64)):
        np.testing.assert_allclose(got[k, 0], sample_level(row[None].astype(np.float64), [x], True, [REPEAT]),
                                   atol=2e-6)
        np.testing.assert_array_equal(got[k, 1], row[0, k % 6])


def test_integer_texture_sample_is_nearest(tdev):
    t = texture(tdev, PF.R32Uint, 4, 1)
    fill(t, np.array([[10, 20, 30, 40]], np.uint32))
    src = """
#include <metal_stdlib>
using namespace metal;
constexpr sampler s(filter::linear);
kernel void k(texture2d<uint> t [[texture(0)]], device uint4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    o[i] = t.sample(s, float2(0.125f + 0.25f * i + 0.1f, 0.5f));
}
"""
    out = empty_buffer(tdev, 64)
    run(tdev, src, "k", 4, [t], buffers=[out])
    np.testing.assert_array_equal(view(out, np.uint32, (4, 4)), [[v, 0, 0, 1] for v in (10, 20, 30, 40)])


# ------------------------------------------------------------------ descriptors and validation
def test_sampler_descriptor_defaults_and_fields(tdev):
    d = pm.SamplerDescriptor.sampler_descriptor()
    assert d.min_filter == pm.SamplerMinMagFilter.Nearest and d.mag_filter == pm.SamplerMinMagFilter.Nearest
    assert d.mip_filter == pm.SamplerMipFilter.NotMipmapped
    assert d.s_address_mode == AM.ClampToEdge and d.t_address_mode == AM.ClampToEdge
    assert d.r_address_mode == AM.ClampToEdge
    assert d.max_anisotropy == 1 and d.normalized_coordinates is True
    assert d.lod_min_clamp == 0 and d.lod_max_clamp > 1e38
    assert d.border_color == pm.SamplerBorderColor.TransparentBlack
    assert d.compare_function == pm.CompareFunction.Never
    d.min_filter = pm.SamplerMinMagFilter.Linear
    d.s_address_mode = AM.ClampToBorderColor
    d.border_color = pm.SamplerBorderColor.OpaqueWhite
    d.label = "lin"
    assert isinstance(d.min_filter, pm.SamplerMinMagFilter) and d.s_address_mode == 5
    s = tdev.new_sampler_state(d)
    assert s.label == "lin"
    assert s.device == tdev or s.device.name == tdev.name
    assert pm.graphics.SamplerState is pm.SamplerState and pm.graphics.SamplerDescriptor is pm.SamplerDescriptor


@pytest.mark.parametrize("field,value", [("min_filter", 2), ("mip_filter", 3), ("s_address_mode", 6),
                                         ("border_color", 3), ("compare_function", 8), ("max_anisotropy", 0),
                                         ("max_anisotropy", 17), ("lod_min_clamp", -1.0), ("lod_max_clamp", -0.5)])
def test_sampler_descriptor_invalid_values(tdev, field, value):
    d = pm.SamplerDescriptor()
    setattr(d, field, value)
    with pytest.raises(pm.ValidationError) as ei:
        tdev.new_sampler_state(d)
    assert "new_sampler_state" in str(ei.value)


def test_negative_enum_value_is_validation_error():
    d = pm.SamplerDescriptor()
    with pytest.raises(pm.ValidationError):
        d.min_filter = -1


def test_binding_index_limits(tdev):
    enc = queue_for(tdev).command_buffer().compute_command_encoder()
    t = texture(tdev, PF.RGBA8Unorm, 2, 2)
    s = tdev.new_sampler_state(pm.SamplerDescriptor())
    with pytest.raises(pm.ValidationError, match=r"set_texture: texture index 32 exceeds maximum \(31\)"):
        enc.set_texture(t, 32)
    with pytest.raises(pm.ValidationError, match=r"set_sampler_state: sampler index 17 exceeds maximum \(16\)"):
        enc.set_sampler_state(s, 17)
    enc.set_texture(t, 31)
    enc.set_sampler_state(s, 16)
    enc.end_encoding()
    with pytest.raises(pm.ValidationError, match="ended"):
        enc.set_texture(t, 0)


def test_unbound_texture_and_sampler_are_dispatch_errors(tdev):
    lib = tdev.new_library_with_source(SAMPLE_RT)
    pso = tdev.new_compute_pipeline_state(lib.new_function("smp"))
    enc = queue_for(tdev).command_buffer().compute_command_encoder()
    enc.set_compute_pipeline_state(pso)
    for i in range(3):
        enc.set_buffer(tdev.new_buffer(64, SHARED), 0, i)
    with pytest.raises(pm.ValidationError, match=r"needs a texture at index 0 \(parameter 't'\)"):
        enc.dispatch_threads(1, 1, 1, 1, 1, 1)
    enc.set_texture(texture(tdev, PF.RGBA8Unorm, 2, 2), 0)
    with pytest.raises(pm.ValidationError, match=r"needs a sampler at index 0 \(parameter 's'\)"):
        enc.dispatch_threads(1, 1, 1, 1, 1, 1)
    enc.set_sampler_state(tdev.new_sampler_state(pm.SamplerDescriptor()), 0)
    enc.dispatch_threads(1, 1, 1, 1, 1, 1)
    enc.end_encoding()


def test_srgb_filters_after_decoding_and_helpers_take_textures(tdev):
    """Linear filtering of an sRGB texture blends decoded (linear) values; textures and
    samplers pass through helper functions; texture2d<half> sampling."""
    raw = bytes([0, 0, 0, 255, 255, 128, 64, 255])
    t = texture(tdev, PF.RGBA8Unorm_sRGB, 2, 1)
    t.replace_region(raw, 8, 0, 0, 2, 1)
    src = """
#include <metal_stdlib>
using namespace metal;
constexpr sampler lin(filter::linear);
static float4 mid(texture2d<half> t, sampler s) { return float4(t.sample(s, float2(0.5f, 0.5f))); }
kernel void k(texture2d<half> t [[texture(0)]], device float4 *o [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    o[i] = mid(t, lin);
}
"""
    out = f4_out(tdev, 1)
    run(tdev, src, "k", 1, [t], buffers=[out])
    a = srgb_dec(np.array([0, 0, 0]) / 255)
    b = srgb_dec(np.array([255, 128, 64]) / 255)
    exp = np.append((a + b) / 2, 1.0)
    np.testing.assert_allclose(view(out, np.float32, (4,)), exp.astype(np.float16).astype(np.float32), rtol=1e-3)


def test_write_to_mip_level(tdev):
    t = texture(tdev, PF.RGBA16Float, 4, 4, mips=3)
    src = """
#include <metal_stdlib>
using namespace metal;
kernel void k(texture2d<half, access::write> t [[texture(0)]], uint2 p [[thread_position_in_grid]]) {
    t.write(half4(half(p.x), half(p.y), 1.5h, -2.0h), p, 1);
}
"""
    lib = tdev.new_library_with_source(src)
    pso = tdev.new_compute_pipeline_state(lib.new_function("k"))
    cb = queue_for(tdev).command_buffer()
    enc = cb.compute_command_encoder()
    enc.set_compute_pipeline_state(pso)
    enc.set_texture(t, 0)
    enc.dispatch_threads(3, 3, 1, 3, 3, 1)  # one past level 1's 2x2: dropped, not a crash
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed
    got = np.frombuffer(t.get_bytes(16, 0, 0, 2, 2, 1), np.float16).reshape(2, 2, 4)
    exp = np.array([[[x, y, 1.5, -2.0] for x in range(2)] for y in range(2)], np.float16)
    np.testing.assert_array_equal(got, exp)
    assert not np.frombuffer(t.get_bytes(32, 0, 0, 4, 4, 0), np.uint8).any()
