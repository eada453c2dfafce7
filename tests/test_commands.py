"""Command buffers, compute and blit encoders."""

import threading
import time

import numpy as np
import pytest

import pymetal as pm

from mtl_helpers import SHARED, Bytes, Out, assert_close, pipeline, queue_for, rng, run, view

SRC = """
#include <metal_stdlib>
using namespace metal;

kernel void add_arrays(device const float* a [[buffer(0)]], device const float* b [[buffer(1)]],
                       device float* c [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    c[i] = a[i] + b[i];
}

kernel void axpb(device float* x [[buffer(0)]], constant float& a [[buffer(1)]], constant float& b [[buffer(2)]],
                 constant uint& n [[buffer(3)]], uint i [[thread_position_in_grid]]) {
    if (i < n) x[i] = a * x[i] + b;
}

struct Params { float scale; int offset; uint count; float pad; };
kernel void with_struct(device float* x [[buffer(0)]], constant Params& p [[buffer(1)]],
                        uint i [[thread_position_in_grid]]) {
    if (i < p.count) x[i] = x[i] * p.scale + float(p.offset);
}

kernel void increment(device uint* x [[buffer(0)]], uint i [[thread_position_in_grid]]) { x[i] += 1u; }

kernel void grid_info(device uint4* out [[buffer(0)]],
                      uint3 gid [[thread_position_in_grid]],
                      uint3 tg [[threadgroup_position_in_grid]],
                      uint3 tid [[thread_position_in_threadgroup]],
                      uint3 tptg [[threads_per_threadgroup]],
                      uint3 tpg [[threads_per_grid]],
                      uint flat [[thread_index_in_threadgroup]],
                      uint3 ngroups [[threadgroups_per_grid]]) {
    uint idx = gid.z * tpg.x * tpg.y + gid.y * tpg.x + gid.x;
    out[idx * 3 + 0] = uint4(gid, flat);
    out[idx * 3 + 1] = uint4(tg, tptg.x * tptg.y * tptg.z);
    out[idx * 3 + 2] = uint4(tid, ngroups.x * 10000 + ngroups.y * 100 + ngroups.z);
}

kernel void reverse_tg(device const float* in [[buffer(0)]], device float* out [[buffer(1)]],
                       threadgroup float* scratch [[threadgroup(0)]],
                       uint t [[thread_index_in_threadgroup]], uint n [[threads_per_threadgroup]],
                       uint i [[thread_position_in_grid]]) {
    scratch[t] = in[i];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    out[i] = scratch[n - 1 - t];
}
"""


def encode_add(device, cb, a, b, c, n):
    pso = pipeline(device, SRC, "add_arrays")
    e = cb.compute_command_encoder()
    assert isinstance(e, pm.ComputeCommandEncoder)
    e.set_compute_pipeline_state(pso)
    e.set_buffer(a, 0, 0)
    e.set_buffer(b, 0, 1)
    e.set_buffer(c, 0, 2)
    e.dispatch_threadgroups(n // 64, 1, 1, 64, 1, 1)
    e.end_encoding()


def make_abc(device, n=1024, seed=0):
    r = rng(seed)
    a = r.standard_normal(n).astype(np.float32)
    b = r.standard_normal(n).astype(np.float32)
    ba = device.new_buffer_with_data(a, SHARED)
    bb = device.new_buffer_with_data(b, SHARED)
    bc = device.new_buffer(n * 4, SHARED)
    view(bc, np.float32)[:] = np.nan
    return a, b, ba, bb, bc


# ------------------------------------------------------------------ command buffer
def test_command_buffer_basic(device):
    q = queue_for(device)
    cb = q.command_buffer()
    assert isinstance(cb, pm.CommandBuffer)
    assert cb.status == pm.CommandBufferStatus.NotEnqueued
    a, b, ba, bb, bc = make_abc(device)
    encode_add(device, cb, ba, bb, bc, 1024)
    assert cb.status == pm.CommandBufferStatus.NotEnqueued
    cb.commit()
    assert cb.status in (
        pm.CommandBufferStatus.Committed,
        pm.CommandBufferStatus.Scheduled,
        pm.CommandBufferStatus.Completed,
    )
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed
    assert cb.error is None
    np.testing.assert_array_equal(view(bc, np.float32), a + b)


def test_status_after_wait_until_scheduled(device):
    cb = queue_for(device).command_buffer()
    a, b, ba, bb, bc = make_abc(device, seed=1)
    encode_add(device, cb, ba, bb, bc, 1024)
    cb.commit()
    cb.wait_until_scheduled()
    assert cb.status in (pm.CommandBufferStatus.Scheduled, pm.CommandBufferStatus.Completed)
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed
    cb.wait_until_completed()  # waiting again is harmless
    np.testing.assert_array_equal(view(bc, np.float32), a + b)


def test_empty_command_buffer(device):
    cb = queue_for(device).command_buffer()
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed


def test_command_buffer_label(device):
    cb = queue_for(device).command_buffer()
    assert cb.label in ("", None)
    cb.label = "Main Pass"
    assert cb.label == "Main Pass"


def test_add_completed_handler(device):
    cb = queue_for(device).command_buffer()
    a, b, ba, bb, bc = make_abc(device, seed=2)
    encode_add(device, cb, ba, bb, bc, 1024)
    done = threading.Event()
    calls = []
    seen = {}

    def handler(*args):
        calls.append(args)
        seen["result"] = view(bc, np.float32).copy()  # the work is complete when the handler runs
        done.set()

    cb.add_completed_handler(handler)
    cb.add_completed_handler(lambda *args: calls.append("second"))
    cb.commit()
    assert done.wait(30), "completed handler never called"
    cb.wait_until_completed()
    deadline = time.time() + 10
    while len(calls) < 2 and time.time() < deadline:
        time.sleep(0.01)
    assert len(calls) == 2
    args = calls[0]
    if args:
        assert args[0] is cb
    np.testing.assert_array_equal(seen["result"], a + b)


def test_completed_handler_exception_does_not_crash(device):
    cb = queue_for(device).command_buffer()
    cb.add_completed_handler(lambda *a: 1 / 0)
    cb.commit()
    cb.wait_until_completed()
    assert cb.status == pm.CommandBufferStatus.Completed


def test_command_buffers_execute_in_queue_order(device):
    q = device.new_command_queue()
    n = 256
    buf = device.new_buffer(n * 4, SHARED)
    pso = pipeline(device, SRC, "increment")
    cbs = []
    for _ in range(20):
        cb = q.command_buffer()
        e = cb.compute_command_encoder()
        e.set_compute_pipeline_state(pso)
        e.set_buffer(buf, 0, 0)
        e.dispatch_threadgroups(n // 64, 1, 1, 64, 1, 1)
        e.end_encoding()
        cb.commit()
        cbs.append(cb)
    cbs[-1].wait_until_completed()
    assert all(c.status == pm.CommandBufferStatus.Completed for c in cbs)
    np.testing.assert_array_equal(view(buf, np.uint32), 20)


def test_several_dispatches_one_encoder(device):
    """Dispatches in one encoder run in order (the second sees the first's writes)."""
    n = 512
    buf = device.new_buffer(n * 4, SHARED)
    pso = pipeline(device, SRC, "increment")
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(buf, 0, 0)
    for _ in range(5):
        e.dispatch_threadgroups(n // 128, 1, 1, 128, 1, 1)
    e.end_encoding()
    e2 = cb.compute_command_encoder()  # a second encoder in the same command buffer
    e2.set_compute_pipeline_state(pso)
    e2.set_buffer(buf, 0, 0)
    e2.dispatch_threads(n, 1, 1, 64, 1, 1)
    e2.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_array_equal(view(buf, np.uint32), 6)


# ------------------------------------------------------------------ set_bytes
def test_set_bytes_scalars(device):
    n = 1000
    x = rng(5).standard_normal(n).astype(np.float32)
    r = run(
        device, SRC, "axpb",
        [x, Bytes(2.5, np.float32), Bytes(-1.0, np.float32), Bytes(n, np.uint32)],
        (16,), (64,),
    )
    assert r[1] is None and r[2] is None and r[3] is None
    assert_close(r[0], x.astype(np.float64) * 2.5 - 1.0, 1e-6)


def test_set_bytes_struct(device):
    n = 300
    x = np.arange(512, dtype=np.float32)
    params = np.zeros(1, dtype=[("scale", "<f4"), ("offset", "<i4"), ("count", "<u4"), ("pad", "<f4")])
    params[0] = (0.5, -3, n, 0)
    (r, _) = run(device, SRC, "with_struct", [x, Bytes(params)], (8,), (64,))
    expected = x.copy()
    expected[:n] = x[:n] * 0.5 - 3
    np.testing.assert_array_equal(r, expected)


def test_set_bytes_accepts_bytes_object(device):
    x = np.ones(64, np.float32)
    pso = pipeline(device, SRC, "axpb")
    buf = device.new_buffer_with_data(x, SHARED)
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(buf, 0, 0)
    e.set_bytes(np.float32(3).tobytes(), 1)
    e.set_bytes(bytes(np.float32(0.25).tobytes()), 2)
    e.set_bytes(np.uint32(64).tobytes(), 3)
    e.dispatch_threadgroups(1, 1, 1, 64, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_array_equal(view(buf, np.float32), 3.25)


def test_set_bytes_copied_at_encode_time(device):
    x = np.ones(64, np.float32)
    pso = pipeline(device, SRC, "axpb")
    buf = device.new_buffer_with_data(x, SHARED)
    cb = queue_for(device).command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    e.set_buffer(buf, 0, 0)
    data = bytearray(np.float32(2).tobytes())
    e.set_bytes(bytes(data), 1)
    e.set_bytes(np.float32(0).tobytes(), 2)
    e.set_bytes(np.uint32(64).tobytes(), 3)
    e.dispatch_threadgroups(1, 1, 1, 64, 1, 1)
    e.set_bytes(np.float32(10).tobytes(), 1)  # rebinding after the dispatch affects later dispatches only
    e.dispatch_threadgroups(1, 1, 1, 64, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_array_equal(view(buf, np.float32), 20.0)


# ------------------------------------------------------------------ threadgroup memory
@pytest.mark.parametrize("tpg", [32, 64, 256])
def test_set_threadgroup_memory_length(device, tpg):
    n = tpg * 8
    x = rng(6).standard_normal(n).astype(np.float32)
    _, out = run(device, SRC, "reverse_tg", [x, Out(n)], (8,), (tpg,), tg_mem={0: tpg * 4})
    np.testing.assert_array_equal(out, x.reshape(8, tpg)[:, ::-1].ravel())


# ------------------------------------------------------------------ dispatch
def _grid_info(device, mode, grid, group):
    total = int(np.prod(grid if mode == "threads" else tuple(g * t for g, t in zip(grid, group))))
    (out,) = run(device, SRC, "grid_info", [Out(total * 3 * 4, np.uint32)], grid, group, mode=mode)
    return out.reshape(-1, 3, 4)


def test_dispatch_threadgroups_builtins(device):
    grid, group = (3, 2, 2), (4, 2, 2)
    info = _grid_info(device, "threadgroups", grid, group)
    tpg = tuple(g * t for g, t in zip(grid, group))
    for z in range(tpg[2]):
        for y in range(tpg[1]):
            for x in range(tpg[0]):
                idx = z * tpg[0] * tpg[1] + y * tpg[0] + x
                row = info[idx]
                tid = (x % 4, y % 2, z % 2)
                assert tuple(row[0][:3]) == (x, y, z)
                assert row[0][3] == tid[2] * 8 + tid[1] * 4 + tid[0]
                assert tuple(row[1]) == (x // 4, y // 2, z // 2, 16)
                assert tuple(row[2]) == tid + (30202,)


def test_dispatch_threads_non_uniform(device):
    grid, group = (10, 7, 1), (4, 4, 1)
    info = _grid_info(device, "threads", grid, group)
    assert info.shape[0] == 70
    for y in range(7):
        for x in range(10):
            row = info[y * 10 + x]
            w = 4 if x < 8 else 2
            h = 4 if y < 4 else 3
            tid = (x % 4, y % 4, 0)
            assert tuple(row[0][:3]) == (x, y, 0)
            assert row[0][3] == tid[1] * w + tid[0], (x, y)  # flat index over the clipped size
            assert tuple(row[1]) == (x // 4, y // 4, 0, w * h), (x, y)
            assert tuple(row[2]) == tid + (30201,)


def test_dispatch_threads_1d(device):
    n = 1000
    r = rng(7)
    a = r.standard_normal(n).astype(np.float32)
    b = r.standard_normal(n).astype(np.float32)
    _, _, c = run(device, SRC, "add_arrays", [a, b, Out(n)], (n,), (64,), mode="threads")
    np.testing.assert_array_equal(c, a + b)


# ------------------------------------------------------------------ blit
def test_blit_copy_from_buffer(device):
    src = np.arange(1024, dtype=np.uint8)
    a = device.new_buffer_with_data(src, SHARED)
    b = device.new_buffer(2048, SHARED)
    b.contents()[:] = 0xEE
    cb = queue_for(device).command_buffer()
    blit = cb.blit_command_encoder()
    assert isinstance(blit, pm.BlitCommandEncoder)
    blit.copy_from_buffer(a, 100, b, 500, 300)
    blit.copy_from_buffer(a, 0, b, 0, 16)
    blit.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    out = b.contents()
    np.testing.assert_array_equal(out[:16], src[:16])
    np.testing.assert_array_equal(out[16:500], 0xEE)
    np.testing.assert_array_equal(out[500:800], src[100:400])
    np.testing.assert_array_equal(out[800:], 0xEE)


def test_blit_fill_buffer(device):
    b = device.new_buffer(1000, SHARED)
    b.contents()[:] = 1
    cb = queue_for(device).command_buffer()
    blit = cb.blit_command_encoder()
    blit.fill_buffer(b, pm.Range(10, 500), 0xAB)
    blit.fill_buffer(b, pm.Range(900, 100), 0)
    blit.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    out = b.contents()
    np.testing.assert_array_equal(out[:10], 1)
    np.testing.assert_array_equal(out[10:510], 0xAB)
    np.testing.assert_array_equal(out[510:900], 1)
    np.testing.assert_array_equal(out[900:], 0)


def test_blit_and_compute_ordered_in_one_command_buffer(device):
    n = 1024
    a, b, ba, bb, bc = make_abc(device, n, seed=8)
    copy = device.new_buffer(n * 4, SHARED)
    cb = queue_for(device).command_buffer()
    blit = cb.blit_command_encoder()
    blit.fill_buffer(bc, pm.Range(0, n * 4), 0)
    blit.end_encoding()
    encode_add(device, cb, ba, bb, bc, n)
    blit2 = cb.blit_command_encoder()
    blit2.copy_from_buffer(bc, 0, copy, 0, n * 4)
    blit2.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_array_equal(view(copy, np.float32), a + b)


def test_blit_to_private_and_back(device):
    n = 4096
    src = rng(9).integers(0, 255, n, dtype=np.uint8)
    a = device.new_buffer_with_data(src, SHARED)
    priv = device.new_buffer(n, pm.ResourceStorageModePrivate)
    back = device.new_buffer(n, SHARED)
    cb = queue_for(device).command_buffer()
    blit = cb.blit_command_encoder()
    blit.copy_from_buffer(a, 0, priv, 0, n)
    blit.copy_from_buffer(priv, 0, back, 0, n)
    blit.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    np.testing.assert_array_equal(back.contents(), src)


def test_wait_releases_gil(device):
    """A second Python thread makes progress while the main thread waits on a long command buffer."""
    n = 1 << 20
    a, b, ba, bb, bc = make_abc(device, n, seed=10)
    cb = queue_for(device).command_buffer()
    for _ in range(8):
        encode_add(device, cb, ba, bb, bc, n)
    counter = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            counter[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    cb.commit()
    cb.wait_until_completed()
    stop.set()
    t.join()
    np.testing.assert_array_equal(view(bc, np.float32), a + b)
    assert counter[0] > 0
