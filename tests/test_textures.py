"""Textures as resources: descriptors, creation and its validation, replace_region /
get_bytes round trips, and blit copies between buffers and textures, checked byte for byte."""

import numpy as np
import pytest

import pymetal as pm

PF = pm.PixelFormat
BPP = {
    PF.R8Unorm: 1, PF.RG8Unorm: 2, PF.RGBA8Unorm: 4, PF.RGBA8Unorm_sRGB: 4, PF.BGRA8Unorm: 4,
    PF.BGRA8Unorm_sRGB: 4, PF.R16Float: 2, PF.RG16Float: 4, PF.RGBA16Float: 8, PF.R32Float: 4,
    PF.RG32Float: 8, PF.RGBA32Float: 16, PF.R32Uint: 4, PF.R32Sint: 4, PF.RGBA32Uint: 16,
    PF.Depth32Float: 4, PF.Stencil8: 1, PF.Depth32Float_Stencil8: 8, PF.Depth24Unorm_Stencil8: 4,
}
METAL_VALUES = {
    "R8Unorm": 10, "RG8Unorm": 30, "RGBA8Unorm": 70, "RGBA8Unorm_sRGB": 71, "BGRA8Unorm": 80,
    "BGRA8Unorm_sRGB": 81, "R16Float": 25, "RG16Float": 65, "RGBA16Float": 115, "R32Float": 55,
    "RG32Float": 105, "RGBA32Float": 125, "R32Uint": 53, "R32Sint": 54, "RGBA32Uint": 123,
    "Depth32Float": 252, "Stencil8": 253, "Depth32Float_Stencil8": 260, "Depth24Unorm_Stencil8": 255,
}


@pytest.fixture
def tdev(device):
    """Every device: CPU textures are host memory, CUDA textures managed memory."""
    return device


def rand_bytes(n, seed=0):
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def make(dev, fmt, w, h, mipmapped=False):
    return dev.new_texture(pm.TextureDescriptor.texture2d_descriptor(fmt, w, h, mipmapped))


def run_blit(dev, fn):
    q = dev.new_command_queue()
    cb = q.command_buffer()
    enc = cb.blit_command_encoder()
    fn(enc)
    enc.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed


# ------------------------------------------------------------------ enums and descriptors
def test_pixel_format_values():
    for name, v in METAL_VALUES.items():
        assert getattr(pm.PixelFormat, name) == v
        assert getattr(pm, name) == v


def test_graphics_module_exports():
    assert pm.graphics.Texture is pm.Texture
    assert pm.graphics.TextureDescriptor is pm.TextureDescriptor
    assert set(pm.graphics.__all__) >= {"Texture", "TextureDescriptor"}


def test_descriptor_defaults_and_fields():
    d = pm.TextureDescriptor()
    assert d.texture_type == pm.TextureType.Type2D
    assert d.pixel_format == PF.RGBA8Unorm
    assert (d.width, d.height, d.depth) == (1, 1, 1)
    assert (d.mipmap_level_count, d.sample_count, d.array_length) == (1, 1, 1)
    assert d.usage == 1
    d.texture_type = pm.TextureType.Type3D
    d.pixel_format = PF.R32Float
    d.width, d.height, d.depth = 8, 4, 2
    d.mipmap_level_count = 3
    d.array_length = 1
    d.storage_mode = pm.StorageMode.Private
    d.usage = 3
    assert isinstance(d.texture_type, pm.TextureType) and d.texture_type == pm.TextureType.Type3D
    assert isinstance(d.pixel_format, pm.PixelFormat) and d.pixel_format == PF.R32Float
    assert (d.width, d.height, d.depth, d.mipmap_level_count) == (8, 4, 2, 3)
    assert d.storage_mode == pm.StorageMode.Private and d.usage == 3


def test_texture2d_descriptor_mips():
    d = pm.TextureDescriptor.texture2d_descriptor(PF.RGBA8Unorm, 16, 4, True)
    assert d.mipmap_level_count == 5
    assert (d.width, d.height, d.depth) == (16, 4, 1)
    d = pm.TextureDescriptor.texture2d_descriptor(PF.RGBA8Unorm, 16, 4, False)
    assert d.mipmap_level_count == 1
    assert pm.TextureDescriptor.texture2d_descriptor(PF.R8Unorm, 1, 1, True).mipmap_level_count == 1
    assert pm.TextureDescriptor.texture2d_descriptor(PF.R8Unorm, 17, 3, True).mipmap_level_count == 5


def test_texture_properties(tdev):
    t = make(tdev, PF.RG16Float, 10, 6, True)
    assert t.texture_type == pm.TextureType.Type2D
    assert t.pixel_format == PF.RG16Float
    assert (t.width, t.height, t.depth) == (10, 6, 1)
    assert (t.mipmap_level_count, t.sample_count, t.array_length) == (4, 1, 1)
    assert t.device == tdev
    assert t.label == ""
    t.label = "albedo"
    assert t.label == "albedo"
    assert "Texture" in repr(t)
    assert isinstance(t, pm.graphics.Texture)


def test_new_texture_is_zeroed(tdev):
    t = make(tdev, PF.RGBA32Float, 5, 3)
    assert t.get_bytes(80, 0, 0, 5, 3) == bytes(240)


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("fmt", list(BPP), ids=lambda f: f.name)
def test_round_trip_every_format(tdev, fmt):
    bpp = BPP[fmt]
    w, h = 7, 5
    t = make(tdev, fmt, w, h)
    data = rand_bytes(w * h * bpp, seed=int(fmt))
    t.replace_region(data, w * bpp, 0, 0, w, h)
    assert t.get_bytes(w * bpp, 0, 0, w, h) == data


def test_round_trip_numpy_and_memoryview(tdev):
    t = make(tdev, PF.R32Float, 4, 4)
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    t.replace_region(a, 16, 0, 0, 4, 4)
    out = np.frombuffer(t.get_bytes(16, 0, 0, 4, 4), dtype=np.float32).reshape(4, 4)
    np.testing.assert_array_equal(out, a)
    b = np.full((2, 2), 7, dtype=np.uint32)
    t.replace_region(memoryview(b), 8, 1, 1, 2, 2)
    got = np.frombuffer(t.get_bytes(16, 0, 0, 4, 4), dtype=np.uint32).reshape(4, 4)
    expect = a.view(np.uint32).copy()
    expect[1:3, 1:3] = 7
    np.testing.assert_array_equal(got, expect)
    t.replace_region(bytearray(b"\x01\x02\x03\x04"), 4, 3, 3, 1, 1)
    assert t.get_bytes(4, 3, 3, 1, 1) == b"\x01\x02\x03\x04"


def test_subregion_and_padded_rows(tdev):
    w, h, bpp = 9, 7, 4
    t = make(tdev, PF.RGBA8Unorm, w, h)
    full = rand_bytes(w * h * bpp, 1)
    t.replace_region(full, w * bpp, 0, 0, w, h)
    # write a 3x2 patch at (4, 3) from rows padded to 20 bytes
    patch = rand_bytes(20 * 2, 2)
    t.replace_region(patch, 20, 4, 3, 3, 2)
    img = np.frombuffer(full, np.uint8).reshape(h, w, bpp).copy()
    p = np.frombuffer(patch, np.uint8).reshape(2, 20)[:, :12].reshape(2, 3, bpp)
    img[3:5, 4:7] = p
    assert t.get_bytes(w * bpp, 0, 0, w, h) == img.tobytes()
    # read back a region with padded rows: padding bytes are zero, texels exact
    out = np.frombuffer(t.get_bytes(32, 2, 1, 5, 4), np.uint8).reshape(4, 32)
    np.testing.assert_array_equal(out[:, :20].reshape(4, 5, bpp), img[1:5, 2:7])
    assert len(t.get_bytes(32, 2, 1, 5, 4)) == 4 * 32
    assert not out[:, 20:].any()


def test_mip_levels_are_independent(tdev):
    t = make(tdev, PF.RGBA16Float, 16, 8, True)
    assert t.mipmap_level_count == 5
    levels = {}
    for level in range(5):
        w, h = max(1, 16 >> level), max(1, 8 >> level)
        levels[level] = rand_bytes(w * h * 8, 10 + level)
        t.replace_region(levels[level], w * 8, 0, 0, w, h, level)
    for level in range(5):
        w, h = max(1, 16 >> level), max(1, 8 >> level)
        assert t.get_bytes(w * 8, 0, 0, w, h, level) == levels[level]
    # level 1 is 8x4: its last texel
    assert t.get_bytes(8, 7, 3, 1, 1, level=1) == levels[1][-8:]


def test_array_slices(tdev):
    d = pm.TextureDescriptor()
    d.texture_type = pm.TextureType.Type2DArray
    d.pixel_format = PF.R32Uint
    d.width, d.height, d.array_length = 4, 2, 3
    t = tdev.new_texture(d)
    assert t.array_length == 3 and t.texture_type == pm.TextureType.Type2DArray
    for s in range(3):
        t.replace_region(np.full(8, s + 1, np.uint32), 16, 0, 0, 4, 2, 0, s)
    for s in range(3):
        assert t.get_bytes(16, 0, 0, 4, 2, 0, s) == np.full(8, s + 1, np.uint32).tobytes()


@pytest.mark.parametrize(
    "kind,w,h,dep,arr",
    [
        (pm.TextureType.Type1D, 64, 1, 1, 1),
        (pm.TextureType.Type2D, 8, 8, 1, 1),
        (pm.TextureType.Type3D, 4, 4, 4, 1),
        (pm.TextureType.TypeCube, 8, 8, 1, 1),
        (pm.TextureType.Type2DArray, 8, 4, 1, 6),
    ],
    ids=lambda v: getattr(v, "name", None),
)
def test_texture_kinds(tdev, kind, w, h, dep, arr):
    d = pm.TextureDescriptor()
    d.texture_type, d.width, d.height, d.depth, d.array_length = kind, w, h, dep, arr
    t = tdev.new_texture(d)
    assert (t.texture_type, t.width, t.height, t.depth, t.array_length) == (kind, w, h, dep, arr)
    data = rand_bytes(w * h * 4, 3)
    t.replace_region(data, w * 4, 0, 0, w, h)
    assert t.get_bytes(w * 4, 0, 0, w, h) == data


# ------------------------------------------------------------------ validation
def _desc(**kw):
    d = pm.TextureDescriptor.texture2d_descriptor(PF.RGBA8Unorm, 8, 8, False)
    for k, v in kw.items():
        setattr(d, k, v)
    return d


@pytest.mark.parametrize("field", ["width", "height", "depth", "mipmap_level_count", "sample_count", "array_length"])
def test_zero_sizes(tdev, field):
    with pytest.raises(pm.ValidationError, match=f"{field} must be greater than 0"):
        tdev.new_texture(_desc(**{field: 0}))


def test_too_many_mip_levels(tdev):
    tdev.new_texture(_desc(mipmap_level_count=4))
    with pytest.raises(pm.ValidationError, match=r"mipmap_level_count 5 exceeds the full mip chain .*\(4 levels\)"):
        tdev.new_texture(_desc(mipmap_level_count=5))


@pytest.mark.parametrize("fmt", [0, 1, 999, 90])
def test_unsupported_format(tdev, fmt):
    with pytest.raises(pm.ValidationError, match=f"pixel format {fmt} is not supported"):
        tdev.new_texture(_desc(pixel_format=fmt))


def test_other_descriptor_errors(tdev):
    with pytest.raises(pm.ValidationError, match="texture type 42 is not supported"):
        tdev.new_texture(_desc(texture_type=42))
    with pytest.raises(pm.ValidationError, match="must have depth 1"):
        tdev.new_texture(_desc(depth=2))
    with pytest.raises(pm.ValidationError, match="sample_count 4 is not supported"):
        tdev.new_texture(_desc(sample_count=4))
    with pytest.raises(pm.ValidationError, match="width 20000 exceeds maximum"):
        tdev.new_texture(_desc(width=20000))
    with pytest.raises(pm.ValidationError, match="cube textures must be square"):
        tdev.new_texture(_desc(texture_type=pm.TextureType.TypeCube, height=4))
    with pytest.raises(pm.ValidationError, match="Memoryless"):
        tdev.new_texture(_desc(storage_mode=pm.StorageMode.Memoryless))
    with pytest.raises(pm.ValidationError):
        _desc(storage_mode=9)


def test_region_errors(tdev):
    t = make(tdev, PF.RGBA8Unorm, 8, 4, True)
    data = bytes(8 * 4 * 4)
    with pytest.raises(pm.ValidationError, match="exceeds level 0 of the texture"):
        t.replace_region(data, 32, 1, 0, 8, 4)
    with pytest.raises(pm.ValidationError, match="exceeds level 0"):
        t.get_bytes(32, 0, 4, 1, 1)
    with pytest.raises(pm.ValidationError, match="exceeds level 2"):
        t.get_bytes(8, 0, 0, 2, 2, level=2)  # level 2 is 2x1
    with pytest.raises(pm.ValidationError, match="level 4 is out of range"):
        t.get_bytes(4, 0, 0, 1, 1, level=4)
    with pytest.raises(pm.ValidationError, match="slice 1 is out of range"):
        t.get_bytes(4, 0, 0, 1, 1, slice=1)
    with pytest.raises(pm.ValidationError, match="bytes_per_row 31 is less than width 8 x 4"):
        t.replace_region(data, 31, 0, 0, 8, 4)
    with pytest.raises(pm.ValidationError, match="needs 128 bytes of data but 127 were given"):
        t.replace_region(data[:127], 32, 0, 0, 8, 4)
    # failed calls changed nothing
    assert t.get_bytes(32, 0, 0, 8, 4) == data


def test_private_texture_not_cpu_accessible(tdev):
    t = tdev.new_texture(_desc(storage_mode=pm.StorageMode.Private))
    with pytest.raises(pm.ValidationError, match="not accessible from the CPU"):
        t.get_bytes(32, 0, 0, 8, 8)
    with pytest.raises(pm.ValidationError, match="not accessible from the CPU"):
        t.replace_region(bytes(256), 32, 0, 0, 8, 8)


# ------------------------------------------------------------------ blits
def test_blit_buffer_to_texture_and_back(tdev):
    w, h, bpp = 6, 5, 4
    t = make(tdev, PF.BGRA8Unorm, w, h)
    data = rand_bytes(w * h * bpp, 20)
    src = tdev.new_buffer_with_data(b"\xee" * 16 + data, 0)
    dst = tdev.new_buffer(16 + w * h * bpp, 0)
    run_blit(tdev, lambda e: e.copy_from_buffer_to_texture(src, 16, w * bpp, 0, pm.Size(w, h, 1), t, 0, 0, pm.Origin()))
    assert t.get_bytes(w * bpp, 0, 0, w, h) == data
    run_blit(tdev, lambda e: e.copy_from_texture_to_buffer(t, 0, 0, pm.Origin(0, 0, 0), pm.Size(w, h, 1), dst, 16, w * bpp, 0))
    out = bytes(dst.contents())
    assert out[:16] == bytes(16) and out[16:] == data


def test_blit_subregion_mip_and_padded_rows(tdev):
    t = make(tdev, PF.RG32Float, 16, 16, True)
    base = rand_bytes(8 * 8 * 8, 21)
    t.replace_region(base, 64, 0, 0, 8, 8, level=1)
    # buffer rows padded to 40 bytes, 3x2 region at (2, 5) of level 1
    buf = tdev.new_buffer(80, 0)
    run_blit(tdev, lambda e: e.copy_from_texture_to_buffer(t, 0, 1, (2, 5, 0), (3, 2, 1), buf, 0, 40, 0))
    img = np.frombuffer(base, np.uint8).reshape(8, 64)
    out = np.frombuffer(bytes(buf.contents()), np.uint8).reshape(2, 40)
    np.testing.assert_array_equal(out[:, :24], img[5:7, 16:40])
    assert not out[:, 24:].any()
    # and back into level 3 (2x2) at (1, 0): 1x2 region
    patch = rand_bytes(40 * 2, 22)
    pb = tdev.new_buffer_with_data(patch, 0)
    run_blit(tdev, lambda e: e.copy_from_buffer_to_texture(pb, 0, 40, 0, pm.Size(1, 2), t, 0, 3, pm.Origin(1, 0)))
    got = t.get_bytes(16, 0, 0, 2, 2, level=3)
    expect = bytes(8) + patch[0:8] + bytes(8) + patch[40:48]
    assert got == expect


def test_blit_array_slice_and_private(tdev):
    d = pm.TextureDescriptor()
    d.texture_type = pm.TextureType.Type2DArray
    d.pixel_format = PF.R8Unorm
    d.width, d.height, d.array_length = 4, 4, 2
    d.storage_mode = pm.StorageMode.Private
    t = tdev.new_texture(d)
    data = rand_bytes(16, 23)
    src = tdev.new_buffer_with_data(data, 0)
    out = tdev.new_buffer(16, 0)

    def go(e):
        e.copy_from_buffer_to_texture(src, 0, 4, 16, pm.Size(4, 4, 1), t, 1, 0, pm.Origin())
        e.copy_from_texture_to_buffer(t, 1, 0, pm.Origin(), pm.Size(4, 4, 1), out, 0, 4, 16)

    run_blit(tdev, go)
    assert bytes(out.contents()) == data
    out2 = tdev.new_buffer(16, 0)
    run_blit(tdev, lambda e: e.copy_from_texture_to_buffer(t, 0, 0, pm.Origin(), pm.Size(4, 4, 1), out2, 0, 4, 16))
    assert bytes(out2.contents()) == bytes(16)


def test_blit_3d_texture(tdev):
    d = pm.TextureDescriptor()
    d.texture_type = pm.TextureType.Type3D
    d.pixel_format = PF.R16Float
    d.width, d.height, d.depth = 4, 3, 2
    t = tdev.new_texture(d)
    data = rand_bytes(4 * 3 * 2 * 2, 24)
    src = tdev.new_buffer_with_data(data, 0)
    out = tdev.new_buffer(len(data), 0)
    run_blit(tdev, lambda e: e.copy_from_buffer_to_texture(src, 0, 8, 24, pm.Size(4, 3, 2), t, 0, 0, pm.Origin()))
    run_blit(tdev, lambda e: e.copy_from_texture_to_buffer(t, 0, 0, pm.Origin(), pm.Size(4, 3, 2), out, 0, 8, 24))
    assert bytes(out.contents()) == data
    # plane z=1 through get_bytes is not reachable (2-D API): slice 0, z 0 only
    assert t.get_bytes(8, 0, 0, 4, 3) == data[:24]


def test_blit_validation(tdev):
    t = make(tdev, PF.RGBA8Unorm, 4, 4)
    small = tdev.new_buffer(60, 0)
    q = tdev.new_command_queue()
    e = q.command_buffer().blit_command_encoder()
    with pytest.raises(pm.ValidationError, match=r"destination range 0\.\.64 exceeds the buffer's length \(60\)"):
        e.copy_from_texture_to_buffer(t, 0, 0, pm.Origin(), pm.Size(4, 4, 1), small, 0, 16, 0)
    with pytest.raises(pm.ValidationError, match="exceeds level 0"):
        e.copy_from_texture_to_buffer(t, 0, 0, pm.Origin(1, 0, 0), pm.Size(4, 1, 1), small, 0, 16, 0)
    with pytest.raises(pm.ValidationError, match="level 1 is out of range"):
        e.copy_from_buffer_to_texture(small, 0, 16, 0, pm.Size(1, 1, 1), t, 0, 1, pm.Origin())
    with pytest.raises(pm.ValidationError, match="slice 2 is out of range"):
        e.copy_from_buffer_to_texture(small, 0, 16, 0, pm.Size(1, 1, 1), t, 2, 0, pm.Origin())
    with pytest.raises(pm.ValidationError, match="bytes_per_row 8 is less than"):
        e.copy_from_buffer_to_texture(small, 0, 8, 0, pm.Size(4, 1, 1), t, 0, 0, pm.Origin())
    with pytest.raises(pm.ValidationError, match=r"source range 48\.\.64"):
        e.copy_from_buffer_to_texture(small, 48, 16, 0, pm.Size(4, 1, 1), t, 0, 0, pm.Origin())
    # zero-size copies are accepted and do nothing
    e.copy_from_buffer_to_texture(small, 0, 16, 0, pm.Size(0, 1, 1), t, 0, 0, pm.Origin())
    e.end_encoding()
    with pytest.raises(pm.ValidationError, match="encoder has ended"):
        e.copy_from_buffer_to_texture(small, 0, 16, 0, pm.Size(1, 1, 1), t, 0, 0, pm.Origin())
