"""Resource release (process RSS stays flat) and concurrent submission from Python threads."""

import gc
import threading

import numpy as np
import pytest

import pymetal as pm

from mtl_helpers import SHARED, pipeline, rng, rss_bytes, view

SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void saxpy(device const float* x [[buffer(0)]], device float* y [[buffer(1)]],
                  constant float& a [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    y[i] = a * x[i] + y[i];
}
kernel void tiny(device uint* x [[buffer(0)]], uint i [[thread_position_in_grid]]) { x[i] += 1u; }
"""

MB = 1 << 20


def test_buffers_are_released(device):
    """100k buffer create/free cycles do not grow the process."""

    def cycle(count):
        for i in range(count):
            b = device.new_buffer(4096, SHARED)
            if i % 16 == 0:
                c = b.contents()
                c[0] = 1
                del c
            if i % 64 == 0:
                b2 = device.new_buffer_with_data(b"\x01" * 1024, SHARED)
                del b2
            del b

    cycle(2000)  # warm up allocator pools and caches
    gc.collect()
    before = rss_bytes()
    cycle(100_000)  # 400 MB if buffers leaked
    gc.collect()
    growth = rss_bytes() - before
    assert growth < 50 * MB, f"RSS grew by {growth / MB:.1f} MB over 100k buffers"


def test_command_buffers_are_released(device):
    """10k committed command buffers (each with a dispatch) do not grow the process."""
    q = device.new_command_queue()
    pso = pipeline(device, SRC, "tiny")
    buf = device.new_buffer(64 * 4, SHARED)

    def cycle(count):
        last = None
        for i in range(count):
            cb = q.command_buffer()
            e = cb.compute_command_encoder()
            e.set_compute_pipeline_state(pso)
            e.set_buffer(buf, 0, 0)
            e.set_bytes(b"\x00" * 16, 1)
            e.dispatch_threadgroups(1, 1, 1, 64, 1, 1)
            e.end_encoding()
            cb.commit()
            if i % 8 == 7:
                cb.wait_until_completed()
            last = cb
        last.wait_until_completed()

    cycle(500)
    gc.collect()
    before = rss_bytes()
    cycle(10_000)
    gc.collect()
    growth = rss_bytes() - before
    np.testing.assert_array_equal(view(buf, np.uint32), 10_500)
    assert growth < 50 * MB, f"RSS grew by {growth / MB:.1f} MB over 10k command buffers"


def test_libraries_and_pipelines_are_released(device):
    lib_src = SRC.replace("a * x[i]", "a * x[i] * 1.0f")

    def cycle(count):
        for _ in range(count):
            lib = device.new_library_with_source(lib_src)
            f = lib.new_function("saxpy")
            p = device.new_compute_pipeline_state(f)
            q = device.new_command_queue()
            del lib, f, p, q

    cycle(20)
    gc.collect()
    before = rss_bytes()
    cycle(500)
    gc.collect()
    growth = rss_bytes() - before
    assert growth < 50 * MB, f"RSS grew by {growth / MB:.1f} MB over 500 library/pipeline cycles"


@pytest.mark.parametrize("shared_queue", [False, True], ids=["queue_per_thread", "shared_queue"])
def test_eight_threads_submitting(device, shared_queue):
    n = 1 << 14
    pso = pipeline(device, SRC, "saxpy")
    common_q = device.new_command_queue()
    errors = []
    results = {}
    barrier = threading.Barrier(8)

    def worker(k):
        try:
            q = common_q if shared_queue else device.new_command_queue()
            r = rng(100 + k)
            x = r.standard_normal(n).astype(np.float32)
            y0 = r.standard_normal(n).astype(np.float32)
            bx = device.new_buffer_with_data(x, SHARED)
            by = device.new_buffer_with_data(y0, SHARED)
            barrier.wait()
            for it in range(25):
                a = float(k + 1)
                cb = q.command_buffer()
                e = cb.compute_command_encoder()
                e.set_compute_pipeline_state(pso)
                e.set_buffer(bx, 0, 0)
                e.set_buffer(by, 0, 1)
                e.set_bytes(np.float32(a).tobytes(), 2)
                e.dispatch_threadgroups(n // 256, 1, 1, 256, 1, 1)
                e.end_encoding()
                cb.commit()
                if it % 5 == 4:
                    cb.wait_until_completed()
            cb.wait_until_completed()
            assert cb.status == pm.CommandBufferStatus.Completed
            results[k] = (x, y0, view(by, np.float32).copy())
        except BaseException as ex:  # noqa: BLE001
            errors.append((k, repr(ex)))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert len(results) == 8
    for k, (x, y0, y) in results.items():
        ref = y0.astype(np.float32)
        for _ in range(25):
            ref = np.float32(k + 1) * x + ref
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-4, err_msg=f"thread {k}")


def test_threads_compiling_concurrently(device):
    """Several threads compile different sources and run them at the same time."""
    errors = []
    out = {}

    def worker(k):
        try:
            src = SRC.replace("a * x[i] + y[i]", f"a * x[i] + y[i] + {k}.0f")
            lib = device.new_library_with_source(src)
            p = device.new_compute_pipeline_state(lib.new_function("saxpy"))
            x = np.arange(256, dtype=np.float32)
            bx = device.new_buffer_with_data(x, SHARED)
            by = device.new_buffer_with_data(np.zeros(256, np.float32), SHARED)
            cb = device.new_command_queue().command_buffer()
            e = cb.compute_command_encoder()
            e.set_compute_pipeline_state(p)
            e.set_buffer(bx, 0, 0)
            e.set_buffer(by, 0, 1)
            e.set_bytes(np.float32(2).tobytes(), 2)
            e.dispatch_threadgroups(4, 1, 1, 64, 1, 1)
            e.end_encoding()
            cb.commit()
            cb.wait_until_completed()
            out[k] = view(by, np.float32).copy()
        except BaseException as ex:  # noqa: BLE001
            errors.append((k, repr(ex)))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not errors, errors
    for k in range(4):
        np.testing.assert_array_equal(out[k], np.arange(256, dtype=np.float32) * 2 + k)
