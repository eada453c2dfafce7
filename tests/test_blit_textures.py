"""Blits between textures: copy_from_texture (boxes, whole slices and levels, whole
textures), generate_mipmaps against a numpy box filter, synchronize_texture, sRGB round
trips, the extra Texture properties, and the validation of every texture blit."""

import numpy as np
import pytest

import pymetal as pm

PF = pm.PixelFormat
TT = pm.TextureType
BPP = {
    PF.R8Unorm: 1, PF.RG8Unorm: 2, PF.RGBA8Unorm: 4, PF.RGBA8Unorm_sRGB: 4, PF.BGRA8Unorm: 4,
    PF.BGRA8Unorm_sRGB: 4, PF.R16Float: 2, PF.RG16Float: 4, PF.RGBA16Float: 8, PF.R32Float: 4,
    PF.RG32Float: 8, PF.RGBA32Float: 16, PF.R32Uint: 4, PF.R32Sint: 4, PF.RGBA32Uint: 16,
    PF.Depth32Float: 4, PF.Stencil8: 1, PF.Depth32Float_Stencil8: 8, PF.Depth24Unorm_Stencil8: 4,
}


@pytest.fixture
def tdev(device):
    """Every device: CPU textures are host memory, CUDA textures managed memory."""
    return device


# ------------------------------------------------------------------ helpers
def rand_bytes(n, seed=0):
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def texture(dev, fmt, w, h=1, depth=1, kind=TT.Type2D, mips=1, array_length=1, storage=pm.StorageMode.Shared):
    d = pm.TextureDescriptor()
    d.texture_type, d.pixel_format = kind, fmt
    d.width, d.height, d.depth, d.array_length = w, h, depth, array_length
    d.mipmap_level_count = mips
    d.storage_mode = storage
    return dev.new_texture(d)


def full_mips(*sizes):
    return int(max(sizes)).bit_length()


def level_size(t, level):
    return max(1, t.width >> level), max(1, t.height >> level), max(1, t.depth >> level)


def slices(t):
    return 6 if t.texture_type == TT.TypeCube else t.array_length


def run_blit(dev, fn):
    q = dev.new_command_queue()
    cb = q.command_buffer()
    enc = cb.blit_command_encoder()
    fn(enc)
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed, cb.error


def upload(dev, t, data, slice=0, level=0):
    """Writes a whole (slice, level) through a blit (works for 3D and Private textures)."""
    w, h, d = level_size(t, level)
    bpp = BPP[t.pixel_format]
    assert len(data) == w * h * d * bpp
    buf = dev.new_buffer_with_data(bytes(data), 0)
    run_blit(dev, lambda e: e.copy_from_buffer_to_texture(buf, 0, w * bpp, w * h * bpp, pm.Size(w, h, d), t, slice, level, pm.Origin()))


def download(dev, t, slice=0, level=0):
    """A whole (slice, level) as a (depth, height, width, bytes per pixel) uint8 array."""
    w, h, d = level_size(t, level)
    bpp = BPP[t.pixel_format]
    buf = dev.new_buffer(w * h * d * bpp, 0)
    run_blit(dev, lambda e: e.copy_from_texture_to_buffer(t, slice, level, pm.Origin(), pm.Size(w, h, d), buf, 0, w * bpp, w * h * bpp))
    return np.frombuffer(bytes(buf.contents()), np.uint8).reshape(d, h, w, bpp).copy()


def fill_random(dev, t, seed, levels=None):
    """Random bytes in every slice of the given levels; returns {(slice, level): array}."""
    out = {}
    for level in range(t.mipmap_level_count) if levels is None else levels:
        w, h, d = level_size(t, level)
        for s in range(slices(t)):
            data = rand_bytes(w * h * d * BPP[t.pixel_format], seed * 1000 + s * 37 + level)
            upload(dev, t, data, s, level)
            out[s, level] = np.frombuffer(data, np.uint8).reshape(d, h, w, -1).copy()
    return out


# ------------------------------------------------------------------ numpy box filter
def axis_weights(s):
    """Integer weights (dst, src) and their denominator: the HAL's area box filter."""
    if s == 1:
        return np.ones((1, 1), np.int64), 1
    d = s // 2
    w = np.zeros((d, s), np.int64)
    for x in range(d):
        if s % 2 == 0:
            w[x, 2 * x] = w[x, 2 * x + 1] = 1
        else:
            w[x, 2 * x], w[x, 2 * x + 1], w[x, 2 * x + 2] = d - x, d, x + 1
    return w, (2 if s % 2 == 0 else s)


def box_sum(img):
    """img (D, H, W, C) -> (weighted sum, denominator) of the next level."""
    (wz, dz), (wy, dy), (wx, dx) = (axis_weights(n) for n in img.shape[:3])
    return np.einsum("zk,yj,xi,kjic->zyxc", wz, wy, wx, img), dz * dy * dx


def srgb_decode(b):
    c = b.astype(np.float32) / np.float32(255)
    return np.where(c <= 0.04045, c / np.float32(12.92), ((c + np.float32(0.055)) / np.float32(1.055)) ** np.float32(2.4))


def srgb_encode(lin):
    lin = np.clip(lin.astype(np.float32), 0, 1)
    return np.where(lin <= 0.0031308, lin * np.float32(12.92), np.float32(1.055) * lin ** (np.float32(1) / np.float32(2.4)) - np.float32(0.055))


def unorm8(x):
    return np.floor(np.clip(x, 0, 1).astype(np.float32) * 255 + 0.5).astype(np.uint8)


def reference_level(prev, fmt):
    """The next mip level of `prev` (D, H, W, bpp bytes), as bytes of the same shape."""
    if fmt in (PF.R8Unorm, PF.RG8Unorm, PF.RGBA8Unorm, PF.BGRA8Unorm):
        s, den = box_sum(prev.astype(np.int64))
        return ((2 * s + den) // (2 * den)).astype(np.uint8)
    if fmt in (PF.RGBA8Unorm_sRGB, PF.BGRA8Unorm_sRGB):
        out = np.empty(box_sum(prev[..., :1].astype(np.int64))[0].shape[:3] + (4,), np.uint8)
        s, den = box_sum(srgb_decode(prev[..., :3]).astype(np.float64))
        out[..., :3] = unorm8(srgb_encode((s / den).astype(np.float32)))
        s, den = box_sum(prev[..., 3:].astype(np.int64))
        out[..., 3:] = ((2 * s + den) // (2 * den)).astype(np.uint8)
        return out
    dt = {PF.R32Float: np.float32, PF.RG32Float: np.float32, PF.RGBA32Float: np.float32,
          PF.R16Float: np.float16, PF.RG16Float: np.float16, PF.RGBA16Float: np.float16}[fmt]
    vals = prev.view(dt).astype(np.float64)
    s, den = box_sum(vals)
    return (s / den).astype(np.float32).astype(dt).view(np.uint8)


def check_mipmaps(dev, t, base, compare):
    """Generates mipmaps of `t` (base: {slice: level-0 bytes}) and checks every level of
    every slice against the numpy filter applied to the level the device produced before."""
    for s, data in base.items():
        upload(dev, t, data.tobytes(), s, 0)
    run_blit(dev, lambda e: e.generate_mipmaps(t))
    for s in base:
        prev = download(dev, t, s, 0)
        np.testing.assert_array_equal(prev, base[s])
        for level in range(1, t.mipmap_level_count):
            got = download(dev, t, s, level)
            want = reference_level(prev, t.pixel_format)
            assert got.shape == want.shape, (level, got.shape, want.shape)
            compare(got, want, f"slice {s} level {level}")
            prev = got


def exact(got, want, where):
    np.testing.assert_array_equal(got, want, err_msg=where)


def within_one(got, want, where):
    """sRGB: float pow differs between numpy and the C library in the last bit, which can
    move a value sitting on a rounding boundary by one step; nothing else may differ."""
    diff = np.abs(got.astype(int) - want.astype(int))
    assert diff.max() <= 1, where
    assert (diff == 0).mean() > 0.99, where


def half_ulps(got, want, where, ulps):
    g = got.view(np.uint16).astype(int)
    w = want.view(np.uint16).astype(int)
    assert np.abs(g - w).max() <= ulps, where


def rand_floats(shape, dt, seed):
    return np.random.default_rng(seed).uniform(-4, 4, shape).astype(dt).view(np.uint8).reshape(shape[:3] + (-1,))


# ------------------------------------------------------------------ copy_from_texture
def test_copy_box_2d_byte_exact(tdev):
    src = texture(tdev, PF.RGBA8Unorm, 16, 12)
    dst = texture(tdev, PF.RGBA8Unorm, 20, 20)
    a = fill_random(tdev, src, 1)[0, 0]
    b = fill_random(tdev, dst, 2)[0, 0]
    run_blit(tdev, lambda e: e.copy_from_texture(src, 0, 0, pm.Origin(3, 2, 0), pm.Size(7, 5, 1), dst, 0, 0, pm.Origin(10, 11, 0)))
    b[:, 11:16, 10:17] = a[:, 2:7, 3:10]
    np.testing.assert_array_equal(download(tdev, dst), b)
    np.testing.assert_array_equal(download(tdev, src), a)  # the source is unchanged


def test_copy_across_levels_slices_and_srgb_pair(tdev):
    # slice 2, level 1 of a mipmapped sRGB array -> slice 1, level 0 of a linear array:
    # bytes move unchanged (no sRGB conversion in copies, as on Metal).
    src = texture(tdev, PF.RGBA8Unorm_sRGB, 16, 8, kind=TT.Type2DArray, mips=4, array_length=3)
    dst = texture(tdev, PF.RGBA8Unorm, 5, 5, kind=TT.Type2DArray, array_length=2)
    sv = fill_random(tdev, src, 3)
    dv = fill_random(tdev, dst, 4)
    run_blit(tdev, lambda e: e.copy_from_texture(src, 2, 1, (4, 1), (3, 3), dst, 1, 0, (1, 2)))
    dv[1, 0][:, 2:5, 1:4] = sv[2, 1][:, 1:4, 4:7]
    for s in range(2):
        np.testing.assert_array_equal(download(tdev, dst, s), dv[s, 0])
    # and back from the linear texture into the last level (2x1) of slice 0
    run_blit(tdev, lambda e: e.copy_from_texture(dst, 1, 0, (4, 4, 0), (1, 1, 1), src, 0, 3, (1, 0, 0)))
    sv[0, 3][:, 0:1, 1:2] = dv[1, 0][:, 4:5, 4:5]
    for (s, level), v in sv.items():
        np.testing.assert_array_equal(download(tdev, src, s, level), v, err_msg=f"{s} {level}")


def test_copy_3d_boxes(tdev):
    src = texture(tdev, PF.R32Float, 6, 5, 4, kind=TT.Type3D, mips=2)
    dst = texture(tdev, PF.R32Float, 7, 7, 3, kind=TT.Type3D)
    sv = fill_random(tdev, src, 5)
    dv = fill_random(tdev, dst, 6)[0, 0]
    run_blit(tdev, lambda e: e.copy_from_texture(src, 0, 0, (1, 1, 1), (3, 2, 2), dst, 0, 0, (2, 3, 0)))
    dv[0:2, 3:5, 2:5] = sv[0, 0][1:3, 1:3, 1:4]
    # level 1 of the source is 3x2x2: its whole volume to the far corner
    run_blit(tdev, lambda e: e.copy_from_texture(src, 0, 1, (0, 0, 0), (3, 2, 2), dst, 0, 0, (4, 5, 1)))
    dv[1:3, 5:7, 4:7] = sv[0, 1]
    np.testing.assert_array_equal(download(tdev, dst), dv)


def test_copy_cube_faces_and_array_slices(tdev):
    cube = texture(tdev, PF.RGBA16Float, 8, 8, kind=TT.TypeCube, mips=2)
    other = texture(tdev, PF.RGBA16Float, 8, 8, kind=TT.TypeCube, mips=2)
    arr = texture(tdev, PF.RGBA16Float, 8, 8, kind=TT.Type2DArray, array_length=6)
    cv = fill_random(tdev, cube, 7)
    ov = fill_random(tdev, other, 8)
    fill_random(tdev, arr, 9)

    def go(e):
        e.copy_from_texture(cube, 3, 0, (0, 0), (8, 8), other, 5, 0, (0, 0))
        e.copy_from_texture(cube, 4, 1, (0, 0), (4, 4), other, 0, 1, (0, 0))
        for face in range(6):
            e.copy_from_texture(cube, face, 0, (0, 0), (8, 8), arr, 5 - face, 0, (0, 0))

    run_blit(tdev, go)
    ov[5, 0] = cv[3, 0]
    ov[0, 1] = cv[4, 1]
    for (s, level), v in ov.items():
        np.testing.assert_array_equal(download(tdev, other, s, level), v, err_msg=f"face {s} level {level}")
    for face in range(6):
        np.testing.assert_array_equal(download(tdev, arr, 5 - face), cv[face, 0])


@pytest.mark.parametrize("shift", [(1, 1), (-1, -1), (2, 0), (0, -2), (0, 0)])
def test_copy_within_one_texture_overlapping(tdev, shift):
    t = texture(tdev, PF.RG8Unorm, 10, 9)
    v = fill_random(tdev, t, 10)[0, 0]
    sx, sy = 3, 3
    dx, dy = sx + shift[0], sy + shift[1]
    run_blit(tdev, lambda e: e.copy_from_texture(t, 0, 0, (sx, sy), (5, 4), t, 0, 0, (dx, dy)))
    want = v.copy()
    want[:, dy:dy + 4, dx:dx + 5] = v[:, sy:sy + 4, sx:sx + 5]
    np.testing.assert_array_equal(download(tdev, t), want)


def test_copy_between_slices_of_one_texture(tdev):
    t = texture(tdev, PF.R32Uint, 4, 4, kind=TT.Type2DArray, mips=3, array_length=2)
    v = fill_random(tdev, t, 11)
    run_blit(tdev, lambda e: e.copy_from_texture(t, 0, 1, (0, 0), (2, 2), t, 1, 1, (0, 0)))
    np.testing.assert_array_equal(download(tdev, t, 1, 1), v[0, 1])
    np.testing.assert_array_equal(download(tdev, t, 0, 1), v[0, 1])


@pytest.mark.parametrize("fmt", [PF.Depth32Float, PF.Depth24Unorm_Stencil8, PF.Depth32Float_Stencil8, PF.Stencil8],
                         ids=lambda f: f.name)
def test_copy_depth_stencil_whole_texels(tdev, fmt):
    src = texture(tdev, fmt, 6, 4)
    dst = texture(tdev, fmt, 6, 4)
    sv = fill_random(tdev, src, 12)[0, 0]
    dv = fill_random(tdev, dst, 13)[0, 0]
    run_blit(tdev, lambda e: e.copy_from_texture(src, 0, 0, (1, 1), (4, 2), dst, 0, 0, (2, 0)))
    dv[:, 0:2, 2:6] = sv[:, 1:3, 1:5]  # depth and stencil bytes together
    np.testing.assert_array_equal(download(tdev, dst), dv)


def test_copy_whole_textures_short_form(tdev):
    src = texture(tdev, PF.RGBA8Unorm, 8, 6, kind=TT.Type2DArray, mips=4, array_length=3)
    dst = texture(tdev, PF.RGBA8Unorm_sRGB, 8, 6, kind=TT.Type2DArray, mips=3, array_length=2)
    sv = fill_random(tdev, src, 14)
    fill_random(tdev, dst, 15)
    run_blit(tdev, lambda e: e.copy_from_texture(src, dst))
    # every slice and level both have: 2 slices, 3 levels
    for s in range(2):
        for level in range(3):
            np.testing.assert_array_equal(download(tdev, dst, s, level), sv[s, level])
    # a private texture as well, and back
    priv = texture(tdev, PF.RGBA8Unorm, 8, 6, kind=TT.Type2DArray, mips=4, array_length=3, storage=pm.StorageMode.Private)
    back = texture(tdev, PF.RGBA8Unorm, 8, 6, kind=TT.Type2DArray, mips=4, array_length=3)

    def go(e):
        e.copy_from_texture(source_texture=src, destination_texture=priv)
        e.copy_from_texture(priv, back)

    run_blit(tdev, go)
    for (s, level), v in sv.items():
        np.testing.assert_array_equal(download(tdev, back, s, level), v)


def test_copy_slices_and_levels_form(tdev):
    src = texture(tdev, PF.R16Float, 16, 16, kind=TT.Type2DArray, mips=5, array_length=4)
    dst = texture(tdev, PF.R16Float, 8, 8, kind=TT.Type2DArray, mips=4, array_length=3)
    sv = fill_random(tdev, src, 16)
    dv = fill_random(tdev, dst, 17)
    # source levels 1..3 (8x8, 4x4, 2x2) of slices 1..2 -> destination levels 0..2 of slices 0..1
    run_blit(tdev, lambda e: e.copy_from_texture(src, 1, 1, dst, 0, 0, 2, 3))
    for s in range(2):
        for level in range(3):
            dv[s, level] = sv[s + 1, level + 1]
    for (s, level), v in dv.items():
        np.testing.assert_array_equal(download(tdev, dst, s, level), v, err_msg=f"{s} {level}")
    # keyword arguments
    run_blit(tdev, lambda e: e.copy_from_texture(
        source_texture=src, source_slice=0, source_level=4, destination_texture=dst,
        destination_slice=2, destination_level=3, slice_count=1, level_count=1))
    np.testing.assert_array_equal(download(tdev, dst, 2, 3), sv[0, 4])


def test_copy_zero_size_is_a_no_op(tdev):
    t = texture(tdev, PF.R8Unorm, 4, 4)
    v = fill_random(tdev, t, 18)[0, 0]
    run_blit(tdev, lambda e: e.copy_from_texture(t, 0, 0, (0, 0), (0, 3), t, 0, 0, (1, 1)))
    np.testing.assert_array_equal(download(tdev, t), v)


# ------------------------------------------------------------------ generate_mipmaps
@pytest.mark.parametrize("w,h", [(16, 8), (13, 7), (5, 5), (1, 9), (32, 3)])
def test_mipmaps_rgba8(tdev, w, h):
    t = texture(tdev, PF.RGBA8Unorm, w, h, mips=full_mips(w, h))
    base = np.frombuffer(rand_bytes(w * h * 4, w * h), np.uint8).reshape(1, h, w, 4)
    check_mipmaps(tdev, t, {0: base}, exact)
    # the whole chain equals the reference chain (integer filter: no float error to pass on)
    prev = base
    for level in range(1, t.mipmap_level_count):
        prev = reference_level(prev, PF.RGBA8Unorm)
        np.testing.assert_array_equal(download(tdev, t, 0, level), prev)
    assert download(tdev, t, 0, t.mipmap_level_count - 1).shape == (1, 1, 1, 4)


def test_mipmaps_known_values(tdev):
    # 2x2 -> 1: channel sums 2, 3, 1, 1020 -> 0.5 (rounds up to 1), 0.75 -> 1, 0.25 -> 0, 255
    t = texture(tdev, PF.RGBA8Unorm, 2, 2, mips=2)
    t.replace_region(bytes([0, 1, 1, 255, 1, 1, 0, 255, 1, 1, 0, 255, 0, 0, 0, 255]), 8, 0, 0, 2, 2)
    run_blit(tdev, lambda e: e.generate_mipmaps(t))
    assert t.get_bytes(4, 0, 0, 1, 1, level=1) == bytes([1, 1, 0, 255])
    # 3x1 -> 1: each texel weighs 1/3 (odd sizes keep every texel)
    t = texture(tdev, PF.R32Float, 3, 1, mips=2)
    t.replace_region(np.array([3, 6, 30], np.float32), 12, 0, 0, 3, 1)
    run_blit(tdev, lambda e: e.generate_mipmaps(t))
    assert np.frombuffer(t.get_bytes(4, 0, 0, 1, 1, level=1), np.float32)[0] == np.float32(13)
    # sRGB: black and white average to linear 0.5, which encodes to 188
    t = texture(tdev, PF.RGBA8Unorm_sRGB, 2, 1, mips=2)
    t.replace_region(bytes([0, 0, 0, 0, 255, 255, 255, 255]), 8, 0, 0, 2, 1)
    run_blit(tdev, lambda e: e.generate_mipmaps(t))
    assert t.get_bytes(4, 0, 0, 1, 1, level=1) == bytes([188, 188, 188, 128])


@pytest.mark.parametrize("fmt", [PF.RGBA8Unorm_sRGB, PF.BGRA8Unorm_sRGB], ids=lambda f: f.name)
@pytest.mark.parametrize("w,h", [(16, 16), (11, 6)])
def test_mipmaps_srgb_linear_space(tdev, fmt, w, h):
    t = texture(tdev, fmt, w, h, mips=full_mips(w, h))
    base = np.frombuffer(rand_bytes(w * h * 4, 77 + w), np.uint8).reshape(1, h, w, 4)
    check_mipmaps(tdev, t, {0: base}, within_one)
    # and it is not the plain byte average
    plain = reference_level(base, PF.RGBA8Unorm)
    assert not np.array_equal(download(tdev, t, 0, 1)[..., :3], plain[..., :3])


@pytest.mark.parametrize("w,h", [(16, 8), (9, 5), (7, 1)])
def test_mipmaps_r32float(tdev, w, h):
    t = texture(tdev, PF.R32Float, w, h, mips=full_mips(w, h))
    base = rand_floats((1, h, w, 1), np.float32, w + h)

    def close(got, want, where):
        np.testing.assert_allclose(got.view(np.float32), want.view(np.float32), rtol=1e-6, atol=1e-6, err_msg=where)

    check_mipmaps(tdev, t, {0: base}, close)


@pytest.mark.parametrize("w,h", [(12, 10), (7, 9)])
def test_mipmaps_rgba16float(tdev, w, h):
    t = texture(tdev, PF.RGBA16Float, w, h, mips=full_mips(w, h))
    base = rand_floats((1, h, w, 4), np.float16, 3 * w + h)
    check_mipmaps(tdev, t, {0: base}, lambda g, wt, where: half_ulps(g, wt, where, 1))


def test_mipmaps_rg16float_exact_even(tdev):
    t = texture(tdev, PF.RG16Float, 8, 8, mips=4)
    base = rand_floats((1, 8, 8, 2), np.float16, 5)
    check_mipmaps(tdev, t, {0: base}, exact)


def test_mipmaps_array_slices_are_independent(tdev):
    t = texture(tdev, PF.RGBA8Unorm, 10, 6, kind=TT.Type2DArray, mips=4, array_length=3)
    base = {s: np.frombuffer(rand_bytes(240, 100 + s), np.uint8).reshape(1, 6, 10, 4) for s in range(3)}
    check_mipmaps(tdev, t, base, exact)


def test_mipmaps_cube_faces(tdev):
    t = texture(tdev, PF.RGBA16Float, 8, 8, kind=TT.TypeCube, mips=4)
    # each face a constant: every level of the face keeps it
    base = {f: np.full((1, 8, 8, 4), f + 1, np.float16).view(np.uint8) for f in range(6)}
    check_mipmaps(tdev, t, base, exact)
    for f in range(6):
        assert (download(tdev, t, f, 3).view(np.float16) == f + 1).all()


@pytest.mark.parametrize("fmt,size", [(PF.R8Unorm, (8, 6, 5)), (PF.RGBA16Float, (4, 4, 4)), (PF.R32Float, (5, 3, 7))],
                         ids=["r8-odd-depth", "rgba16f", "r32f-odd"])
def test_mipmaps_3d(tdev, fmt, size):
    w, h, d = size
    t = texture(tdev, fmt, w, h, d, kind=TT.Type3D, mips=full_mips(w, h, d))
    if fmt == PF.R8Unorm:
        base = np.frombuffer(rand_bytes(w * h * d, 9), np.uint8).reshape(d, h, w, 1)
        compare = exact
    elif fmt == PF.RGBA16Float:
        base = rand_floats((d, h, w, 4), np.float16, 10)
        compare = exact
    else:
        base = rand_floats((d, h, w, 1), np.float32, 11)

        def compare(got, want, where):
            np.testing.assert_allclose(got.view(np.float32), want.view(np.float32), rtol=1e-6, atol=1e-6, err_msg=where)

    check_mipmaps(tdev, t, {0: base}, compare)


def test_mipmaps_1d(tdev):
    t = texture(tdev, PF.RG8Unorm, 37, kind=TT.Type1D, mips=6)
    base = np.frombuffer(rand_bytes(74, 12), np.uint8).reshape(1, 1, 37, 2)
    check_mipmaps(tdev, t, {0: base}, exact)


def test_mipmaps_keep_the_mean_for_odd_sizes(tdev):
    # The area filter keeps the average of the level (no edge texel dropped or doubled).
    t = texture(tdev, PF.R32Float, 7, 5, mips=3)
    base = np.random.default_rng(3).uniform(0, 1, (5, 7)).astype(np.float32)
    t.replace_region(base, 28, 0, 0, 7, 5)
    run_blit(tdev, lambda e: e.generate_mipmaps(t))
    l1 = np.frombuffer(t.get_bytes(12, 0, 0, 3, 2, level=1), np.float32)
    l2 = np.frombuffer(t.get_bytes(4, 0, 0, 1, 1, level=2), np.float32)
    assert abs(l1.mean() - base.mean()) < 1e-6
    assert abs(l2[0] - base.mean()) < 1e-6


def test_mipmaps_private_and_managed(tdev):
    for storage in (pm.StorageMode.Private, pm.StorageMode.Managed):
        t = texture(tdev, PF.RGBA8Unorm, 8, 8, mips=4, storage=storage)
        base = np.frombuffer(rand_bytes(256, 13), np.uint8).reshape(1, 8, 8, 4)
        upload(tdev, t, base.tobytes())

        def go(e):
            e.generate_mipmaps(t)
            e.synchronize_texture(t, 0, 1)

        run_blit(tdev, go)
        want = reference_level(base, PF.RGBA8Unorm)
        np.testing.assert_array_equal(download(tdev, t, 0, 1), want)
        if storage == pm.StorageMode.Managed:
            assert t.get_bytes(16, 0, 0, 4, 4, level=1) == want.tobytes()


def test_generate_mipmaps_then_copy_in_one_encoder(tdev):
    # Commands run in encoding order: the copy sees the generated level.
    t = texture(tdev, PF.RGBA8Unorm, 4, 4, mips=3)
    out = texture(tdev, PF.RGBA8Unorm, 2, 2)
    base = np.frombuffer(rand_bytes(64, 14), np.uint8).reshape(1, 4, 4, 4)
    upload(tdev, t, base.tobytes())

    def go(e):
        e.generate_mipmaps(t)
        e.copy_from_texture(t, 0, 1, (0, 0), (2, 2), out, 0, 0, (0, 0))

    run_blit(tdev, go)
    np.testing.assert_array_equal(download(tdev, out), reference_level(base, PF.RGBA8Unorm))


# ------------------------------------------------------------------ sRGB round trips
@pytest.mark.parametrize("fmt", [PF.RGBA8Unorm_sRGB, PF.BGRA8Unorm_sRGB], ids=lambda f: f.name)
def test_srgb_bytes_round_trip(tdev, fmt):
    # every byte value in every channel: stored bytes come back unchanged
    t = texture(tdev, fmt, 16, 16)
    data = np.arange(256 * 4, dtype=np.uint32).astype(np.uint8).reshape(16, 16, 4)
    data[..., 1] = data[..., 0][::-1]
    t.replace_region(data, 64, 0, 0, 16, 16)
    assert t.get_bytes(64, 0, 0, 16, 16) == data.tobytes()
    # through blits (buffer -> texture -> texture -> buffer) too
    u = texture(tdev, fmt, 16, 16)
    run_blit(tdev, lambda e: e.copy_from_texture(t, u))
    np.testing.assert_array_equal(download(tdev, u)[0], data)


# ------------------------------------------------------------------ properties
def test_texture_properties(tdev):
    t = texture(tdev, PF.RGBA16Float, 8, 4, kind=TT.Type2DArray, mips=3, array_length=2, storage=pm.StorageMode.Private)
    assert t.texture_type == TT.Type2DArray and t.pixel_format == PF.RGBA16Float
    assert (t.width, t.height, t.depth, t.mipmap_level_count, t.sample_count, t.array_length) == (8, 4, 1, 3, 1, 2)
    assert t.storage_mode == pm.StorageMode.Private and isinstance(t.storage_mode, pm.StorageMode)
    assert t.usage == 1 and t.device == tdev
    assert t.allocated_size == (8 * 4 + 4 * 2 + 2 * 1) * 8 * 2
    assert t.resource_options == pm.ResourceStorageModePrivate
    assert t.cpu_cache_mode == pm.CPUCacheMode.DefaultCache
    assert t.buffer is None and t.parent_texture is None
    assert (t.parent_relative_level, t.parent_relative_slice, t.framebuffer_only) == (0, 0, False)
    cube = texture(tdev, PF.R8Unorm, 4, 4, kind=TT.TypeCube)
    assert cube.array_length == 1 and cube.allocated_size == 6 * 16
    vol = texture(tdev, PF.R8Unorm, 4, 3, 2, kind=TT.Type3D, mips=3)
    assert vol.depth == 2 and vol.allocated_size == 24 + 2 + 1
    assert texture(tdev, PF.R8Unorm, 4, storage=pm.StorageMode.Managed).resource_options == pm.ResourceStorageModeManaged


# ------------------------------------------------------------------ validation
def encoder(dev):
    return dev.new_command_queue().command_buffer().blit_command_encoder()


def test_copy_validation(tdev):
    a = texture(tdev, PF.RGBA8Unorm, 8, 8, mips=2)
    b = texture(tdev, PF.RGBA8Unorm, 4, 4, kind=TT.Type2DArray, array_length=2)
    f = texture(tdev, PF.R32Float, 8, 8)
    bg = texture(tdev, PF.BGRA8Unorm, 8, 8)
    e = encoder(tdev)
    V = pm.ValidationError
    with pytest.raises(V, match=r"copy_from_texture: the pixel formats differ \(source .*RGBA8Unorm, destination .*R32Float\)"):
        e.copy_from_texture(a, 0, 0, (0, 0), (1, 1), f, 0, 0, (0, 0))
    with pytest.raises(V, match="pixel formats differ"):
        e.copy_from_texture(a, 0, 0, (0, 0), (1, 1), bg, 0, 0, (0, 0))  # same size, other layout
    with pytest.raises(V, match=r"copy_from_texture: region origin \(4, 0, 0\) size 5x1x1 exceeds level 0 of the texture \(8x8x1\)"):
        e.copy_from_texture(a, 0, 0, (4, 0), (5, 1), a, 0, 0, (0, 0))
    with pytest.raises(V, match=r"region origin \(0, 3, 0\) size 4x2x1 exceeds level 0 of the texture \(4x4x1\)"):
        e.copy_from_texture(a, 0, 0, (0, 0), (4, 2), b, 1, 0, (0, 3))  # destination side
    with pytest.raises(V, match=r"exceeds level 1 of the texture \(4x4x1\)"):
        e.copy_from_texture(a, 0, 1, (0, 0), (8, 8), b, 0, 0, (0, 0))
    with pytest.raises(V, match=r"size 1x1x2 exceeds"):
        e.copy_from_texture(a, 0, 0, (0, 0, 0), (1, 1, 2), a, 0, 0, (0, 0, 0))
    with pytest.raises(V, match=r"level 2 is out of range \(the texture has 2 mip level\(s\)\)"):
        e.copy_from_texture(a, 0, 2, (0, 0), (1, 1), b, 0, 0, (0, 0))
    with pytest.raises(V, match=r"slice 2 is out of range \(the texture has 2 slice\(s\)\)"):
        e.copy_from_texture(a, 0, 0, (0, 0), (1, 1), b, 2, 0, (0, 0))
    with pytest.raises(V, match=r"slice 1 is out of range"):
        e.copy_from_texture(a, 1, 0, (0, 0), (1, 1), b, 0, 0, (0, 0))
    with pytest.raises(V, match=r"the textures differ in size \(source 8x8x1, destination 4x4x1\)"):
        e.copy_from_texture(a, b)
    with pytest.raises(V, match="pixel formats differ"):
        e.copy_from_texture(a, f)
    with pytest.raises(V, match=r"slice range 1\.\.3 exceeds the source texture's 2 slice\(s\)"):
        e.copy_from_texture(b, 1, 0, b, 0, 0, 2, 1)
    with pytest.raises(V, match=r"level range 0\.\.2 exceeds the destination texture's 1 level\(s\)"):
        e.copy_from_texture(a, 0, 0, b, 0, 0, 1, 2)
    with pytest.raises(V, match=r"differ in size \(source 8x8x1, destination 4x4x1\)"):
        e.copy_from_texture(a, 0, 0, b, 0, 0, 1, 1)
    e.copy_from_texture(a, 0, 1, b, 0, 0, 2 - 1, 1)  # level 1 of a is 4x4: fine
    # argument errors are TypeErrors
    with pytest.raises(TypeError, match="copy_from_texture takes"):
        e.copy_from_texture(a)
    with pytest.raises(TypeError, match="unexpected keyword argument source"):
        e.copy_from_texture(a, source=b)
    with pytest.raises(TypeError, match="destination_texture must be a pymetal.Texture"):
        e.copy_from_texture(a, 5)
    with pytest.raises(TypeError, match="given twice"):
        e.copy_from_texture(a, source_texture=b)
    e.end_encoding()
    with pytest.raises(V, match="encoder has ended"):
        e.copy_from_texture(a, a)


def test_failed_copy_records_nothing(tdev):
    a = texture(tdev, PF.R8Unorm, 4, 4)
    b = texture(tdev, PF.R8Unorm, 4, 4)
    av = fill_random(tdev, a, 30)[0, 0]
    q = tdev.new_command_queue()
    cb = q.command_buffer()
    e = cb.blit_command_encoder()
    with pytest.raises(pm.ValidationError):
        e.copy_from_texture(a, 0, 0, (0, 0), (4, 4), b, 0, 0, (1, 0))
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert not download(tdev, b).any()
    np.testing.assert_array_equal(download(tdev, a), av)


def test_generate_mipmaps_validation(tdev):
    e = encoder(tdev)
    V = pm.ValidationError
    with pytest.raises(V, match=r"generate_mipmaps: the texture has 1 mip level; generate_mipmaps needs a mipmapped texture"):
        e.generate_mipmaps(texture(tdev, PF.RGBA8Unorm, 8, 8))
    for fmt in (PF.R32Uint, PF.R32Sint, PF.RGBA32Uint):
        with pytest.raises(V, match=rf"pixel format {fmt.name} cannot be filtered \(integer formats are not filterable\)"):
            e.generate_mipmaps(texture(tdev, fmt, 8, 8, mips=4))
    for fmt in (PF.Depth32Float, PF.Stencil8, PF.Depth24Unorm_Stencil8, PF.Depth32Float_Stencil8):
        with pytest.raises(V, match=r"cannot be filtered \(depth and stencil formats are not filterable\)"):
            e.generate_mipmaps(texture(tdev, fmt, 8, 8, mips=4))
    e.end_encoding()
    with pytest.raises(V, match="encoder has ended"):
        e.generate_mipmaps(texture(tdev, PF.RGBA8Unorm, 8, 8, mips=2))


def test_synchronize_texture(tdev):
    e = encoder(tdev)
    V = pm.ValidationError
    t = texture(tdev, PF.RGBA8Unorm, 8, 8, kind=TT.Type2DArray, mips=2, array_length=3, storage=pm.StorageMode.Managed)
    e.synchronize_texture(t, 2, 1)
    texture_shared = texture(tdev, PF.RGBA8Unorm, 8, 8)
    e.synchronize_texture(texture_shared, 0, 0)  # a no-op for Shared textures
    with pytest.raises(V, match=r"synchronize_texture: slice 3 is out of range \(the texture has 3 slice\(s\)\)"):
        e.synchronize_texture(t, 3, 0)
    with pytest.raises(V, match=r"synchronize_texture: level 2 is out of range \(the texture has 2 mip level\(s\)\)"):
        e.synchronize_texture(t, 0, 2)
    with pytest.raises(V, match=r"level 1 is out of range"):
        e.synchronize_texture(texture_shared, 0, 1)
    e.end_encoding()


def test_buffer_texture_copy_alignment_and_ranges(tdev):
    t = texture(tdev, PF.RGBA16Float, 4, 4, kind=TT.Type3D, depth=2)
    buf = tdev.new_buffer(1024, 0)
    e = encoder(tdev)
    V = pm.ValidationError
    with pytest.raises(V, match=r"copy_from_buffer_to_texture: source_offset 4 is not a multiple of the texture's pixel size \(8 bytes\)"):
        e.copy_from_buffer_to_texture(buf, 4, 32, 128, (4, 4, 1), t, 0, 0, (0, 0, 0))
    with pytest.raises(V, match=r"copy_from_texture_to_buffer: destination_offset 12 is not a multiple .*\(8 bytes\)"):
        e.copy_from_texture_to_buffer(t, 0, 0, (0, 0, 0), (4, 4, 1), buf, 12, 32, 128)
    with pytest.raises(V, match=r"bytes_per_row 36 is not a multiple of the texture's pixel size \(8 bytes\)"):
        e.copy_from_buffer_to_texture(buf, 0, 36, 144, (4, 4, 1), t, 0, 0, (0, 0, 0))
    with pytest.raises(V, match=r"bytes_per_image 132 is not a multiple"):
        e.copy_from_texture_to_buffer(t, 0, 0, (0, 0, 0), (4, 4, 2), buf, 0, 32, 132)
    with pytest.raises(V, match=r"bytes_per_row 24 is less than width 4 x 8 bytes per pixel"):
        e.copy_from_texture_to_buffer(t, 0, 0, (0, 0, 0), (4, 4, 1), buf, 0, 24, 128)
    with pytest.raises(V, match=r"bytes_per_image 96 is less than height 4 x bytes_per_row 32"):
        e.copy_from_buffer_to_texture(buf, 0, 32, 96, (4, 4, 2), t, 0, 0, (0, 0, 0))
    with pytest.raises(V, match=r"region origin \(0, 0, 1\) size 4x4x2 exceeds level 0 of the texture \(4x4x2\)"):
        e.copy_from_buffer_to_texture(buf, 0, 32, 128, (4, 4, 2), t, 0, 0, (0, 0, 1))
    with pytest.raises(V, match=r"source range 800\.\.1056 exceeds the buffer's length \(1024\)"):
        e.copy_from_buffer_to_texture(buf, 800, 32, 128, (4, 4, 2), t, 0, 0, (0, 0, 0))
    with pytest.raises(V, match=r"region origin \(4, 0, 0\) size 1x1x1 exceeds"):
        e.copy_from_texture_to_buffer(t, 0, 0, (4, 0, 0), (1, 1, 1), buf, 0, 8, 8)
    # aligned values are accepted; bytes_per_image is not checked for one image
    e.copy_from_buffer_to_texture(buf, 8, 40, 0, (4, 4, 1), t, 0, 0, (0, 0, 0))
    e.end_encoding()
