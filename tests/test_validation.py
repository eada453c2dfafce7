"""Every validation error of pymetal-api.md §2 and issue 3: class and message."""

import re

import numpy as np
import pytest

import pymetal as pm

from mtl_helpers import SHARED, device_kind, pipeline, queue_for

SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void touch(device uint* a [[buffer(0)]], uint i [[thread_position_in_grid]]) { a[i] = i; }
"""


@pytest.fixture
def bare_enc(device):
    """An encoder with no pipeline state: binding checks need none."""
    e = queue_for(device).command_buffer().compute_command_encoder()
    yield e
    try:
        e.end_encoding()
    except pm.MetalError:
        pass


@pytest.fixture
def enc(device):
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pipeline(device, SRC, "touch"))
    yield e
    try:
        e.end_encoding()
    except pm.MetalError:
        pass


def _texture(device):
    if device_kind(device) == "cuda":
        pytest.skip("textures are not supported on CUDA devices yet (CPU only)")
    desc = pm.TextureDescriptor.texture2d_descriptor(pm.PixelFormat.RGBA8Unorm, 4, 4, False)
    return device.new_texture(desc)


def _sampler(device):
    return device.new_sampler_state(pm.SamplerDescriptor.sampler_descriptor())


# ------------------------------------------------------------------ index limits
@pytest.mark.parametrize("index", [32, 33, 100])
def test_set_buffer_index_too_large(device, bare_enc, index):
    buf = device.new_buffer(64, SHARED)
    with pytest.raises(pm.ValidationError) as ei:
        bare_enc.set_buffer(buf, 0, index)
    msg = str(ei.value)
    assert f"buffer index {index} exceeds maximum (31)" in msg
    assert "set_buffer" in msg


def test_set_buffer_index_31_ok(device, bare_enc):
    bare_enc.set_buffer(device.new_buffer(64, SHARED), 0, 31)
    bare_enc.set_buffer(device.new_buffer(64, SHARED), 0, 0)


def test_set_bytes_index_too_large(bare_enc):
    with pytest.raises(pm.ValidationError) as ei:
        bare_enc.set_bytes(b"\x00" * 4, 32)
    assert "buffer index 32 exceeds maximum (31)" in str(ei.value)
    assert "set_bytes" in str(ei.value)
    bare_enc.set_bytes(b"\x00" * 4, 31)


def test_negative_index_rejected(device, bare_enc):
    with pytest.raises((OverflowError, TypeError, ValueError, pm.ValidationError)):
        bare_enc.set_buffer(device.new_buffer(64, SHARED), 0, -1)


def test_set_texture_index_too_large(device, bare_enc):
    tex = _texture(device)
    with pytest.raises(pm.ValidationError) as ei:
        bare_enc.set_texture(tex, 32)
    assert "texture index 32 exceeds maximum (31)" in str(ei.value)
    bare_enc.set_texture(tex, 31)


def test_set_sampler_index_too_large(device, bare_enc):
    s = _sampler(device)
    with pytest.raises(pm.ValidationError) as ei:
        bare_enc.set_sampler_state(s, 17)
    assert "sampler index 17 exceeds maximum (16)" in str(ei.value)
    bare_enc.set_sampler_state(s, 16)  # 16 itself is accepted, as in the reference


# ------------------------------------------------------------------ zero dispatch sizes
@pytest.mark.parametrize("args", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_dispatch_threadgroups_zero_grid(enc, args):
    with pytest.raises(pm.ValidationError, match="Threadgroup grid dimensions must be greater than 0"):
        enc.dispatch_threadgroups(*args, 32, 1, 1)


@pytest.mark.parametrize("args", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_dispatch_threadgroups_zero_group(enc, args):
    with pytest.raises(pm.ValidationError, match="Threads per threadgroup dimensions must be greater than 0"):
        enc.dispatch_threadgroups(4, 1, 1, *args)


@pytest.mark.parametrize("args", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_dispatch_threads_zero_grid(enc, args):
    with pytest.raises(pm.ValidationError, match="Thread grid dimensions must be greater than 0"):
        enc.dispatch_threads(*args, 32, 1, 1)


@pytest.mark.parametrize("args", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_dispatch_threads_zero_group(enc, args):
    with pytest.raises(pm.ValidationError, match="Threads per threadgroup dimensions must be greater than 0"):
        enc.dispatch_threads(64, 1, 1, *args)


# ------------------------------------------------------------------ issue 3 extras
def test_threadgroup_larger_than_pipeline_max(device, enc):
    pso = pipeline(device, SRC, "touch")
    mx = pso.max_total_threads_per_threadgroup
    enc.set_buffer(device.new_buffer(4 * 4096, SHARED), 0, 0)
    for group in [(mx + 32, 1, 1), (mx, 2, 1), (32, 32, 2)]:
        if group[0] * group[1] * group[2] <= mx:
            continue
        with pytest.raises(pm.ValidationError) as ei:
            enc.dispatch_threadgroups(1, 1, 1, *group)
        msg = str(ei.value)
        assert str(mx) in msg, msg
        assert str(group[0] * group[1] * group[2]) in msg, msg
        with pytest.raises(pm.ValidationError):
            enc.dispatch_threads(group[0] * 2, group[1], group[2], *group)
    enc.dispatch_threadgroups(1, 1, 1, mx, 1, 1)  # exactly the maximum is fine


def test_dispatch_without_pipeline(device):
    e = queue_for(device).command_buffer().compute_command_encoder()
    with pytest.raises(pm.ValidationError):
        e.dispatch_threadgroups(1, 1, 1, 32, 1, 1)
    e.end_encoding()


ENDED = re.compile(r"(?i)end_?encoding|ended")


def test_encode_after_end_encoding(device):
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pipeline(device, SRC, "touch"))
    e.end_encoding()
    buf = device.new_buffer(64, SHARED)
    calls = [
        lambda: e.set_buffer(buf, 0, 0),
        lambda: e.set_bytes(b"1234", 1),
        lambda: e.set_compute_pipeline_state(pipeline(device, SRC, "touch")),
        lambda: e.set_threadgroup_memory_length(64, 0),
        lambda: e.dispatch_threadgroups(1, 1, 1, 16, 1, 1),
        lambda: e.dispatch_threads(16, 1, 1, 16, 1, 1),
        lambda: e.end_encoding(),
    ]
    for call in calls:
        with pytest.raises(pm.ValidationError, match=ENDED):
            call()


def test_blit_after_end_encoding(device):
    cb = queue_for(device).command_buffer()
    blit = cb.blit_command_encoder()
    blit.end_encoding()
    buf = device.new_buffer(64, SHARED)
    with pytest.raises(pm.ValidationError, match=ENDED):
        blit.fill_buffer(buf, pm.Range(0, 64), 1)
    with pytest.raises(pm.ValidationError, match=ENDED):
        blit.copy_from_buffer(buf, 0, buf, 32, 16)


def test_commit_twice(device):
    cb = queue_for(device).command_buffer()
    cb.commit()
    with pytest.raises(pm.ValidationError, match="(?i)commit"):
        cb.commit()
    cb.wait_until_completed()
    with pytest.raises(pm.ValidationError, match="(?i)commit"):
        cb.commit()


def test_commit_with_open_encoder(device):
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    with pytest.raises(pm.ValidationError):
        cb.commit()
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed


def test_encoder_after_commit(device):
    cb = queue_for(device).command_buffer()
    cb.commit()
    with pytest.raises(pm.ValidationError, match="(?i)commit"):
        cb.compute_command_encoder()
    cb.wait_until_completed()


def test_contents_of_private_buffer(device):
    b = device.new_buffer(256, pm.ResourceStorageModePrivate)
    with pytest.raises(pm.ValidationError, match="(?i)private"):
        b.contents()


def test_blit_range_out_of_bounds(device):
    a = device.new_buffer(64, SHARED)
    b = device.new_buffer(64, SHARED)
    cb = queue_for(device).command_buffer()
    blit = cb.blit_command_encoder()
    with pytest.raises(pm.ValidationError):
        blit.copy_from_buffer(a, 32, b, 0, 64)
    with pytest.raises(pm.ValidationError):
        blit.fill_buffer(a, pm.Range(60, 8), 0)
    blit.end_encoding()


def test_set_buffer_offset_beyond_length(device, enc):
    buf = device.new_buffer(64, SHARED)
    with pytest.raises(pm.ValidationError):
        enc.set_buffer(buf, 65, 0)


def test_threadgroup_memory_length_limit(device, enc):
    with pytest.raises(pm.ValidationError):
        enc.set_threadgroup_memory_length(1 << 30, 0)
    with pytest.raises(pm.ValidationError, match="31"):
        enc.set_threadgroup_memory_length(16, 32)


def test_misuse_never_crashes(device):
    """Wrong argument types raise Python exceptions, never crash the interpreter."""
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    with pytest.raises(TypeError):
        e.set_buffer("not a buffer", 0, 0)
    with pytest.raises(TypeError):
        e.set_compute_pipeline_state(None)
    with pytest.raises(TypeError):
        e.set_bytes(12345, 0)
    with pytest.raises(TypeError):
        e.dispatch_threadgroups(1, 1, 1)
    e.end_encoding()
    with pytest.raises((TypeError, ValueError, OverflowError, pm.MetalError)):
        device.new_buffer(-1, SHARED)
