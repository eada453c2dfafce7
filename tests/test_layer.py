"""MetalLayer / MetalDrawable: an offscreen CAMetalLayer (pool of drawables, present,
CommandBuffer.present_drawable, and our addition ``last_presented_texture``)."""

import threading
import time

import numpy as np
import pytest

import pymetal as pm
from render_helpers import pass_desc

PF = pm.PixelFormat


def make_layer(device, w=8, h=4, **kw):
    layer = pm.MetalLayer.layer()
    layer.device = device
    layer.drawable_size = (w, h)
    for k, v in kw.items():
        setattr(layer, k, v)
    return layer


def clear_expected_u8(rgba):
    # Clear colours are converted in float32 and rounded to nearest (0.3f*255 -> 77).
    return np.floor(np.float32(rgba) * np.float32(255) + np.float32(0.5)).astype(np.uint8)


def clear_into(device, drawable, rgba, present_with_cb=False):
    cb = device.new_command_queue().command_buffer()
    enc = cb.render_command_encoder(pass_desc(drawable.texture, clear=rgba))
    enc.end_encoding()
    if present_with_cb:
        cb.present_drawable(drawable)
    cb.commit()
    return cb


def read_bgra(tex):
    w, h = tex.width, tex.height
    return np.frombuffer(tex.get_bytes(w * 4, 0, 0, w, h), np.uint8).reshape(h, w, 4)


def test_defaults():
    layer = pm.MetalLayer()
    assert isinstance(pm.MetalLayer.layer(), pm.graphics.MetalLayer)
    assert layer.device is None
    assert layer.pixel_format == PF.BGRA8Unorm
    assert layer.framebuffer_only is True
    assert layer.drawable_size == (0.0, 0.0)
    assert layer.maximum_drawable_count == 3
    assert layer.label == ""
    assert layer.last_presented_texture is None
    assert layer.next_drawable() is None  # no device


def test_no_drawable_without_size(device):
    layer = pm.MetalLayer.layer()
    layer.device = device
    assert layer.device is device
    assert layer.next_drawable() is None  # (0, 0)
    layer.drawable_size = (16, 0)
    assert layer.next_drawable() is None
    layer.drawable_size = (16, 2)
    assert layer.next_drawable() is not None
    layer.device = None
    assert layer.device is None and layer.next_drawable() is None


def test_drawable_size_rounds_and_validates():
    layer = pm.MetalLayer.layer()
    layer.drawable_size = (10.4, 7.6)
    assert layer.drawable_size == (10.0, 8.0)
    layer.drawable_size = [3, 5]
    assert layer.drawable_size == (3.0, 5.0)
    for bad in [(-1, 4), (4, float("nan")), (float("inf"), 1), (16385, 1), (1, 2, 3), (1,)]:
        with pytest.raises(pm.ValidationError, match="drawable_size"):
            layer.drawable_size = bad
    assert layer.drawable_size == (3.0, 5.0)


def test_pixel_format_and_count_validation():
    layer = pm.MetalLayer.layer()
    for fmt in (PF.BGRA8Unorm_sRGB, PF.RGBA16Float, PF.BGRA8Unorm):
        layer.pixel_format = fmt
        assert layer.pixel_format == fmt
    for bad in (PF.RGBA8Unorm, PF.Depth32Float, PF.R32Float, 0, 9999, -1):
        with pytest.raises(pm.ValidationError, match="pixel_format"):
            layer.pixel_format = bad
    assert layer.pixel_format == PF.BGRA8Unorm
    for bad in (0, 1, 4, -2):
        with pytest.raises(pm.ValidationError, match="maximum_drawable_count"):
            layer.maximum_drawable_count = bad
    layer.maximum_drawable_count = 2
    assert layer.maximum_drawable_count == 2
    layer.label = "main"
    assert layer.label == "main"


@pytest.mark.parametrize("framebuffer_only", [True, False])
@pytest.mark.parametrize("fmt", [PF.BGRA8Unorm, PF.BGRA8Unorm_sRGB, PF.RGBA16Float])
def test_drawable_texture(device, fmt, framebuffer_only):
    layer = make_layer(device, 13.4, 7, pixel_format=fmt, framebuffer_only=framebuffer_only)
    d = layer.next_drawable()
    assert isinstance(d, pm.MetalDrawable)
    assert d.layer is layer
    assert d.texture is d.texture
    t = d.texture
    assert (t.width, t.height, t.depth) == (13, 7, 1)
    assert t.texture_type == pm.TextureType.Type2D
    assert t.pixel_format == fmt
    assert t.device is device
    assert t.usage == (4 if framebuffer_only else 5)  # RenderTarget (| ShaderRead)
    assert d.drawable_id > 0
    assert d.presented_time == 0.0


def test_clear_and_present(device):
    layer = make_layer(device, 8, 4)
    d = layer.next_drawable()
    cb = clear_into(device, d, (0.1, 0.2, 0.3, 1.0))
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed, cb.error
    assert layer.last_presented_texture is None  # rendered, not presented yet
    t0 = time.monotonic()
    d.present()
    assert d.presented_time > 0.0
    screen = layer.last_presented_texture
    assert screen is d.texture
    r, g, b, a = clear_expected_u8((0.1, 0.2, 0.3, 1.0))
    img = read_bgra(screen)
    assert img.shape == (4, 8, 4)
    assert (img == np.array([b, g, r, a], np.uint8)).all()  # BGRA byte order
    with pytest.raises(pm.ValidationError, match="already presented"):
        d.present()
    assert time.monotonic() - t0 < 1.0


def test_clear_rgba16float(device):
    layer = make_layer(device, 5, 3, pixel_format=PF.RGBA16Float)
    d = layer.next_drawable()
    clear_into(device, d, (0.25, 0.5, -1.0, 2.0)).wait_until_completed()
    d.present()
    t = layer.last_presented_texture
    img = np.frombuffer(t.get_bytes(5 * 8, 0, 0, 5, 3), np.float16).reshape(3, 5, 4)
    assert (img == np.float16([0.25, 0.5, -1.0, 2.0])).all()


def test_pool_recycling(device):
    layer = make_layer(device, 4, 4)
    ds = [layer.next_drawable() for _ in range(3)]
    ids = [d.drawable_id for d in ds]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert len({id(d.texture) for d in ds}) == 3
    assert layer.next_drawable() is None  # all three out, none scheduled: None at once
    ds[2].present()
    ds[0].present()
    a, b = layer.next_drawable(), layer.next_drawable()
    # The texture presented longest ago comes back first, as the same Python object.
    assert a.texture is ds[2].texture and b.texture is ds[0].texture
    assert ids[2] < a.drawable_id < b.drawable_id
    assert layer.next_drawable() is None
    ds[1].present()
    c = layer.next_drawable()
    assert c.texture is ds[1].texture


def test_two_drawables(device):
    layer = make_layer(device, 2, 2, maximum_drawable_count=2)
    d1, d2 = layer.next_drawable(), layer.next_drawable()
    assert layer.next_drawable() is None
    d1.present()
    assert layer.next_drawable().texture is d1.texture


def test_resize_drops_pool(device):
    layer = make_layer(device, 4, 4)
    old = layer.next_drawable()
    layer.drawable_size = (6, 2)
    new = layer.next_drawable()
    assert (new.texture.width, new.texture.height) == (6, 2)
    # the old drawable can still be presented (it shows its old size) but does not return
    old.present()
    assert layer.last_presented_texture is old.texture
    ts = [layer.next_drawable().texture for _ in range(2)]
    assert layer.next_drawable() is None
    assert all((t.width, t.height) == (6, 2) for t in ts)
    assert old.texture not in ts
    layer.pixel_format = PF.RGBA16Float
    assert layer.next_drawable().texture.pixel_format == PF.RGBA16Float


def test_present_drawable(device):
    layer = make_layer(device, 8, 4)
    d = layer.next_drawable()
    rgba = (1.0, 0.5, 0.0, 1.0)
    cb = clear_into(device, d, rgba, present_with_cb=True)
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed, cb.error
    # the completed handler presented it
    for _ in range(100):
        if d.presented_time > 0:
            break
        time.sleep(0.01)
    assert d.presented_time > 0.0
    r, g, b, a = clear_expected_u8(rgba)
    assert (read_bgra(layer.last_presented_texture) == np.array([b, g, r, a], np.uint8)).all()
    with pytest.raises(pm.ValidationError, match="already presented"):
        d.present()


def test_present_drawable_validation(device):
    layer = make_layer(device, 2, 2)
    d = layer.next_drawable()
    q = device.new_command_queue()
    cb = q.command_buffer()
    cb.present_drawable(d)
    with pytest.raises(pm.ValidationError, match="already presented or scheduled"):
        cb.present_drawable(d)
    with pytest.raises(pm.ValidationError, match="already presented or scheduled"):
        d.present()
    cb.commit()
    cb.wait_until_completed()
    done = q.command_buffer()
    done.commit()
    with pytest.raises(pm.ValidationError, match="already committed"):
        done.present_drawable(layer.next_drawable())
    others = [x for x in pm.copy_all_devices() if x is not device]
    if others:
        other_cb = others[0].new_command_queue().command_buffer()
        with pytest.raises(pm.ValidationError, match="another device"):
            other_cb.present_drawable(layer.next_drawable())
    with pytest.raises(TypeError):
        q.command_buffer().present_drawable(layer)


def test_next_drawable_waits_for_scheduled_present(device):
    layer = make_layer(device, 2, 2, maximum_drawable_count=2)
    d1, _d2 = layer.next_drawable(), layer.next_drawable()
    cb = device.new_command_queue().command_buffer()
    cb.present_drawable(d1)
    timer = threading.Timer(0.2, cb.commit)
    timer.start()
    t0 = time.monotonic()
    n = layer.next_drawable()  # waits (GIL released) until cb completes
    waited = time.monotonic() - t0
    timer.join()
    assert n is not None and n.texture is d1.texture
    assert 0.1 < waited < 1.0
