"""Device properties, command queues and buffers."""

import gc
import weakref

import numpy as np
import pytest

import pymetal as pm

from mtl_helpers import SHARED, Out, assert_close, device_kind, grid1d, rng, run, view

COPY_SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void copy_scale(device const float* a [[buffer(0)]], device float* b [[buffer(1)]],
                       uint i [[thread_position_in_grid]]) { b[i] = a[i] * 2.0f; }
kernel void fill_index(device uint* a [[buffer(0)]], uint i [[thread_position_in_grid]]) { a[i] = i * 3u + 1u; }
"""


# ------------------------------------------------------------------ device
def test_device_properties(device):
    assert isinstance(device.name, str) and device.name.strip()
    mt = device.max_threads_per_threadgroup
    assert isinstance(mt, pm.Size)
    assert mt.width >= 256 and mt.height >= 1 and mt.depth >= 1
    if device_kind(device) == "cuda":
        assert mt.width == 1024
    for prop in ("is_low_power", "is_headless", "is_removable", "has_unified_memory"):
        assert isinstance(getattr(device, prop), bool), prop
    assert isinstance(device.registry_id, int)
    assert isinstance(device.recommended_max_working_set_size, int) and device.recommended_max_working_set_size > 0
    assert isinstance(device.max_buffer_length, int) and device.max_buffer_length >= 256 * 2**20
    if device_kind(device) == "cpu":
        assert device.has_unified_memory is True


def test_registry_ids_distinct(all_devices):
    ids = [d.registry_id for d in all_devices]
    assert len(set(ids)) == len(ids)


def test_new_command_queue(device):
    q = device.new_command_queue()
    assert isinstance(q, pm.CommandQueue)
    assert q.device is device
    q2 = device.new_command_queue()
    assert q2 is not q
    assert q2.device is device


def test_queue_label(device):
    q = device.new_command_queue()
    assert q.label in ("", None)
    q.label = "my queue"
    assert q.label == "my queue"


# ------------------------------------------------------------------ new_buffer
@pytest.mark.parametrize("length", [1, 4, 1000, 4096, 1 << 20])
def test_new_buffer_length_and_contents(device, length):
    b = device.new_buffer(length, SHARED)
    assert isinstance(b, pm.Buffer)
    assert b.length == length
    c = b.contents()
    assert isinstance(c, np.ndarray)
    assert c.dtype == np.uint8 and c.ndim == 1 and c.shape == (length,)
    assert c.flags.writeable


@pytest.mark.parametrize("opt", ["ResourceStorageModeShared", "ResourceStorageModeManaged"])
def test_new_buffer_storage_modes(device, opt):
    b = device.new_buffer(256, getattr(pm, opt) | pm.ResourceCPUCacheModeDefaultCache)
    c = b.contents()
    c[:] = np.arange(256, dtype=np.uint8)
    assert (b.contents() == np.arange(256, dtype=np.uint8)).all()


def test_new_buffer_private_and_hazard_options(device):
    b = device.new_buffer(1024, pm.ResourceStorageModePrivate)
    assert b.length == 1024
    b2 = device.new_buffer(64, pm.ResourceStorageModeShared | pm.ResourceHazardTrackingModeUntracked)
    assert b2.length == 64
    b3 = device.new_buffer(64, pm.ResourceStorageModeShared | pm.ResourceCPUCacheModeWriteCombined)
    b3.contents()[:] = 7
    assert (b3.contents() == 7).all()


def test_new_buffer_is_zero_initialised(device):
    b = device.new_buffer(1 << 16, SHARED)
    assert not b.contents().any()


# ------------------------------------------------------------------ new_buffer_with_data
def _payload():
    return np.arange(1000, dtype=np.float32) * 0.5 - 3


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "numpy", "numpy_2d", "numpy_int16"])
def test_new_buffer_with_data(device, kind):
    a = _payload()
    data = {
        "bytes": lambda: a.tobytes(),
        "bytearray": lambda: bytearray(a.tobytes()),
        "memoryview": lambda: memoryview(a.tobytes()),
        "numpy": lambda: a,
        "numpy_2d": lambda: a.reshape(10, 100),
        "numpy_int16": lambda: a.view(np.int16),
    }[kind]()
    b = device.new_buffer_with_data(data, SHARED)
    assert b.length == a.nbytes
    np.testing.assert_array_equal(view(b, np.float32), a)


def test_new_buffer_with_data_copies(device):
    a = _payload()
    b = device.new_buffer_with_data(a, SHARED)
    a[:] = 0
    np.testing.assert_array_equal(view(b, np.float32), _payload())
    ba = bytearray(b"\x01\x02\x03\x04")
    b2 = device.new_buffer_with_data(ba, SHARED)
    ba[0] = 99
    assert bytes(b2.contents()) == b"\x01\x02\x03\x04"


def test_new_buffer_with_data_used_by_kernel(device):
    a = rng(3).standard_normal(512).astype(np.float32)
    _, out = run(device, COPY_SRC, "copy_scale", [a, Out(512)], (4,), (128,))
    assert_close(out, a * 2.0, 0)


def test_new_buffer_with_data_rejects_non_buffers(device):
    with pytest.raises(TypeError):
        device.new_buffer_with_data(12345, SHARED)
    with pytest.raises(TypeError):
        device.new_buffer_with_data("a string", SHARED)


# ------------------------------------------------------------------ contents()
def test_contents_is_zero_copy_both_ways(device):
    n = 1024
    a = device.new_buffer(n * 4, SHARED)
    b = device.new_buffer(n * 4, SHARED)
    src = rng(4).standard_normal(n).astype(np.float32)
    np.copyto(np.frombuffer(a.contents(), dtype=np.float32), src)  # the seeds' idiom
    q = device.new_command_queue()
    from mtl_helpers import pipeline

    pso = pipeline(device, COPY_SRC, "copy_scale")
    cb = q.command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(a, 0, 0)
    e.set_buffer(b, 0, 1)
    e.dispatch_threadgroups(n // 64, 1, 1, 64, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    result = np.frombuffer(b.contents(), dtype=np.float32, count=n)
    np.testing.assert_array_equal(result, src * 2)


def test_contents_views_alias(device):
    b = device.new_buffer(64, SHARED)
    c1 = b.contents()
    c2 = b.contents()
    c1[5] = 42
    assert c2[5] == 42
    assert np.shares_memory(c1, c2) or c1.__array_interface__["data"][0] == c2.__array_interface__["data"][0]


def test_contents_keeps_buffer_alive(device):
    b = device.new_buffer(1 << 20, SHARED)
    c = b.contents()
    c[:] = 3
    del b
    gc.collect()
    # other allocations must not reuse the memory the view still points at
    others = [device.new_buffer(1 << 20, SHARED) for _ in range(4)]
    for o in others:
        o.contents()[:] = 9
    assert int(c.sum()) == 3 * (1 << 20)
    c[:] = 5  # still writable
    assert int(c.sum()) == 5 * (1 << 20)
    f = np.frombuffer(c, dtype=np.float32)  # a view of the view also keeps it alive
    del c
    gc.collect()
    f[:] = 1.0
    assert float(f.sum()) == float(1 << 18)


def test_buffer_weakref(device):
    b = device.new_buffer(16, SHARED)
    r = weakref.ref(b)
    assert r() is b
    del b
    gc.collect()
    assert r() is None


def test_contents_after_kernel_write(device):
    n = 4096
    g, t = grid1d(n, 256)
    (out,) = run(device, COPY_SRC, "fill_index", [Out(n, np.uint32)], g, t)
    np.testing.assert_array_equal(out, np.arange(n, dtype=np.uint32) * 3 + 1)


# ------------------------------------------------------------------ properties
def test_gpu_address(device):
    bufs = [device.new_buffer(4096, SHARED) for _ in range(4)]
    addrs = [b.gpu_address for b in bufs]
    assert all(isinstance(a, int) and a != 0 for a in addrs)
    assert len(set(addrs)) == 4
    # buffers do not overlap
    spans = sorted((a, a + 4096) for a in addrs)
    for (s0, e0), (s1, _) in zip(spans, spans[1:]):
        assert e0 <= s1
    assert bufs[0].gpu_address == addrs[0]  # stable


def test_buffer_label(device):
    b = device.new_buffer(16, SHARED)
    assert b.label in ("", None)
    b.label = "Input Data"
    assert b.label == "Input Data"
    b.label = ""
    assert b.label == ""


def test_did_modify_range(device):
    b = device.new_buffer(1024, pm.ResourceStorageModeManaged)
    view(b, np.float32)[:] = 1.5
    b.did_modify_range(0, 1024)
    b.did_modify_range(128, 256)
    # a Managed buffer modified on the CPU and announced is seen by kernels
    from mtl_helpers import pipeline, queue_for

    out = device.new_buffer(1024, SHARED)
    pso = pipeline(device, COPY_SRC, "copy_scale")
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(b, 0, 0)
    e.set_buffer(out, 0, 1)
    e.dispatch_threadgroups(4, 1, 1, 64, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_array_equal(view(out, np.float32), np.full(256, 3.0, np.float32))


def test_set_buffer_offset(device):
    a = np.arange(256, dtype=np.float32)
    buf_a = device.new_buffer_with_data(a, SHARED)
    out = device.new_buffer(256 * 4, SHARED)
    view(out, np.float32)[:] = -1
    from mtl_helpers import pipeline, queue_for

    pso = pipeline(device, COPY_SRC, "copy_scale")
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(buf_a, 64 * 4, 0)  # start reading at element 64
    e.set_buffer(out, 16 * 4, 1)  # write from element 16
    e.dispatch_threadgroups(2, 1, 1, 64, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    o = view(out, np.float32)
    np.testing.assert_array_equal(o[:16], -1)
    np.testing.assert_array_equal(o[16:144], (np.arange(64, 192) * 2).astype(np.float32))
    np.testing.assert_array_equal(o[144:], -1)
