"""Heaps: one device allocation, buffers/textures sub-allocated from it (first fit, 256 B
alignment for buffers, 4096 B for textures), freed when the resource goes."""

import gc

import numpy as np
import pytest

import pymetal as pm
from pymetal.advanced import Heap, HeapDescriptor
from pymetal.exceptions import ValidationError

SHARED = pm.ResourceStorageModeShared
PRIVATE = pm.ResourceStorageModePrivate


def make_heap(device, size, mode=pm.StorageMode.Shared):
    d = HeapDescriptor.heap_descriptor()
    d.size = size
    d.storage_mode = mode
    return device.new_heap(d)


def test_descriptor_defaults_and_properties(device):
    d = HeapDescriptor.heap_descriptor()
    assert d.size == 0 and d.storage_mode == pm.StorageMode.Private and d.cpu_cache_mode == 0
    heap = make_heap(device, 1 << 16)
    assert isinstance(heap, Heap)
    assert heap.size == 1 << 16 and heap.current_allocated_size == 1 << 16
    assert heap.used_size == 0 and heap.storage_mode == pm.StorageMode.Shared
    assert heap.device == device
    heap.label = "h"
    assert heap.label == "h"


def test_size_arithmetic(device):
    heap = make_heap(device, 4096)
    assert heap.max_available_size(256) == 4096
    a = heap.new_buffer(100, SHARED)
    assert a.length == 100
    assert heap.used_size == 256  # rounded to the 256 B granularity
    assert heap.max_available_size(256) == 3840
    assert heap.max_available_size(4096) == 0  # only offset 0 is 4096-aligned
    b = heap.new_buffer(1000, SHARED)
    assert heap.used_size == 256 + 1024
    assert device.heap_buffer_size_and_align(1000, SHARED) == (1024, 256)
    # exactly the advertised maximum fits, one more byte does not
    m = heap.max_available_size(256)
    assert heap.new_buffer(m + 1, SHARED) is None
    c = heap.new_buffer(m, SHARED)
    assert c is not None and heap.used_size == 4096 and heap.max_available_size(1) == 0
    del a, b, c
    gc.collect()
    assert heap.used_size == 0 and heap.max_available_size(4096) == 4096


def test_buffers_alias_heap_memory(device):
    heap = make_heap(device, 8192)
    a = heap.new_buffer(512, SHARED)
    b = heap.new_buffer(512, SHARED)
    assert b.gpu_address - a.gpu_address == 512  # first fit: adjacent ranges of one allocation
    va = np.frombuffer(a.contents(), dtype=np.uint32)
    vb = np.frombuffer(b.contents(), dtype=np.uint32)
    va[:] = np.arange(128, dtype=np.uint32)
    vb[:] = 7
    np.testing.assert_array_equal(va, np.arange(128))
    # a buffer made later over the freed range sees the old bytes (same memory)
    del a, va
    gc.collect()
    a2 = heap.new_buffer(512, SHARED)
    np.testing.assert_array_equal(np.frombuffer(a2.contents(), dtype=np.uint32), np.arange(128))


SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void saxpy(device const float* x [[buffer(0)]], device float* y [[buffer(1)]],
                  constant float& a [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    y[i] = a * x[i] + y[i];
}
"""


def test_kernel_reads_and_writes_heap_buffers(device):
    n = 1000
    heap = make_heap(device, 1 << 16)
    pad = heap.new_buffer(12, SHARED)  # so x and y start at non-zero offsets
    x = heap.new_buffer(n * 4, SHARED)
    y = heap.new_buffer(n * 4, SHARED)
    xs = np.linspace(-1, 1, n, dtype=np.float32)
    ys = np.arange(n, dtype=np.float32)
    np.frombuffer(x.contents(), dtype=np.float32)[:] = xs
    np.frombuffer(y.contents(), dtype=np.float32)[:] = ys
    np.frombuffer(pad.contents(), dtype=np.uint8)[:] = 0xFF
    pso = device.new_compute_pipeline_state(device.new_library_with_source(SRC).new_function("saxpy"))
    q = device.new_command_queue()
    cb = q.command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(x, 0, 0)
    e.set_buffer(y, 0, 1)
    e.set_bytes(np.float32(3.0).tobytes(), 2)
    e.dispatch_threads(n, 1, 1, 64, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_allclose(np.frombuffer(y.contents(), dtype=np.float32), 3 * xs + ys, rtol=1e-6)
    np.testing.assert_array_equal(np.frombuffer(x.contents(), dtype=np.float32), xs)
    assert (np.frombuffer(pad.contents(), dtype=np.uint8) == 0xFF).all()


def test_private_heap_blit_roundtrip(device):
    heap = make_heap(device, 4096, pm.StorageMode.Private)
    buf = heap.new_buffer(256)  # options default to the heap's storage mode
    assert buf.storage_mode == pm.StorageMode.Private
    with pytest.raises(ValidationError):
        buf.contents()
    src = device.new_buffer_with_data(np.arange(64, dtype=np.uint32).tobytes(), SHARED)
    dst = device.new_buffer(256, SHARED)
    q = device.new_command_queue()
    cb = q.command_buffer()
    b = cb.blit_command_encoder()
    b.copy_from_buffer(src, 0, buf, 0, 256)
    b.copy_from_buffer(buf, 0, dst, 0, 256)
    b.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_array_equal(np.frombuffer(dst.contents(), dtype=np.uint32), np.arange(64))


def test_full_heap_and_reuse(device):
    heap = make_heap(device, 1024)
    bufs = [heap.new_buffer(256, SHARED) for _ in range(4)]
    assert all(b is not None for b in bufs)
    assert heap.new_buffer(1, SHARED) is None
    addr = bufs[1].gpu_address
    del bufs[1]
    gc.collect()
    assert heap.used_size == 768
    again = heap.new_buffer(200, SHARED)
    assert again is not None and again.gpu_address == addr


def test_buffer_keeps_heap_alive(device):
    heap = make_heap(device, 4096)
    b = heap.new_buffer(64, SHARED)
    del heap
    gc.collect()
    v = np.frombuffer(b.contents(), dtype=np.uint8)
    v[:] = 9
    assert (v == 9).all()


def test_textures_from_heap(device):
    heap = make_heap(device, 3 * 4096)
    d = pm.TextureDescriptor()
    d.pixel_format = pm.PixelFormat.R32Float
    d.width, d.height = 32, 32  # 4096 bytes
    d.storage_mode = pm.StorageMode.Shared
    assert device.heap_texture_size_and_align(d) == (4096, 4096)
    t1 = heap.new_texture(d)
    t2 = heap.new_texture(d)
    assert t1 is not None and t2 is not None and heap.used_size == 8192
    d.width = 64  # 16 KiB: does not fit in the 4 KiB left
    assert heap.new_texture(d) is None
    del t1
    gc.collect()
    assert heap.used_size == 4096
    d.width = 32
    d.storage_mode = pm.StorageMode.Private
    with pytest.raises(ValidationError):
        heap.new_texture(d)


def test_validation_errors(device):
    with pytest.raises(ValidationError):
        make_heap(device, 0)
    with pytest.raises(ValidationError):
        make_heap(device, 4096, pm.StorageMode.Memoryless)
    heap = make_heap(device, 4096)
    with pytest.raises(ValidationError):
        heap.new_buffer(64, PRIVATE)
    with pytest.raises(ValidationError):
        heap.new_buffer(0, SHARED)
    for bad in (0, 3, 100):
        with pytest.raises(ValidationError):
            heap.max_available_size(bad)


def test_no_leak_10k_buffers(device):
    heap = make_heap(device, 1 << 20)
    for i in range(10_000):
        b = heap.new_buffer(64 + (i % 7) * 100, SHARED)
        assert b is not None
        del b
    assert heap.used_size == 0
    assert heap.max_available_size(256) == 1 << 20
    keep = [heap.new_buffer(256, SHARED) for _ in range(4096)]  # exactly fills it
    assert heap.used_size == 1 << 20 and heap.new_buffer(1, SHARED) is None
    del keep
    gc.collect()
    assert heap.used_size == 0
