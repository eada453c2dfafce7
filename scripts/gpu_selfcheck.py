#!/usr/bin/env python3
"""End-to-end self-check of pymetal's CUDA device, for a machine with an NVIDIA GPU.

    PYMETAL_DEVICE=cuda python scripts/gpu_selfcheck.py [-v]

Prints PASS/FAIL/SKIP per check and exits non-zero if any check failed. Uses a fresh
cache directory (PYMETAL_CACHE_DIR) unless one is set, so the cache checks are meaningful.
"""

import os
import subprocess
import sys
import tempfile
import time
import traceback

os.environ.setdefault("PYMETAL_DEVICE", "cuda")
if "PYMETAL_CACHE_DIR" not in os.environ:
    os.environ["PYMETAL_CACHE_DIR"] = tempfile.mkdtemp(prefix="pymetal-selfcheck-cache-")
CACHE = os.environ["PYMETAL_CACHE_DIR"]
VERBOSE = "-v" in sys.argv

import numpy as np  # noqa: E402

import pymetal as pm  # noqa: E402

RESULTS = []


class Skip(Exception):
    pass


def check(name):
    def deco(fn):
        t0 = time.perf_counter()
        try:
            note = fn()
            status = "PASS"
        except Skip as e:
            status, note = "SKIP", str(e)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            status, note = "FAIL", f"{type(e).__name__}: {e}"
            if VERBOSE:
                traceback.print_exc()
        dt = (time.perf_counter() - t0) * 1e3
        RESULTS.append((name, status))
        print(f"{status:4}  {name:38} {dt:8.1f} ms  {note or ''}", flush=True)
        return fn

    return deco


HEADER = "#include <metal_stdlib>\nusing namespace metal;\n"

dev = pm.create_system_default_device()
queue = dev.new_command_queue()


def pipeline(src, name):
    lib = dev.new_library_with_source(HEADER + src)
    fn = lib.new_function(name)
    assert fn is not None, f"new_function({name!r}) returned None"
    return dev.new_compute_pipeline_state(fn)


def buffer(data_or_len, mode=pm.ResourceStorageModeShared):
    if isinstance(data_or_len, int):
        return dev.new_buffer(data_or_len, mode)
    arr = np.ascontiguousarray(data_or_len)
    b = dev.new_buffer(arr.nbytes, mode)
    if mode != pm.ResourceStorageModePrivate:
        b.contents()[:] = arr.view(np.uint8).reshape(-1)
        if mode == pm.ResourceStorageModeManaged:
            b.did_modify_range(0, arr.nbytes)
    return b


def view(buf, dtype):
    return np.frombuffer(buf.contents(), dtype=dtype)


def encode(cb, pso, bufs, grid, tg, set_bytes=None):
    enc = cb.compute_command_encoder()
    enc.set_compute_pipeline_state(pso)
    for i, b in enumerate(bufs):
        if b is not None:
            enc.set_buffer(b, 0, i)
    for i, data in (set_bytes or {}).items():
        enc.set_bytes(data, i)
    enc.dispatch_threads(*grid, *tg)
    enc.end_encoding()


def run(pso, bufs, grid, tg, set_bytes=None):
    cb = queue.command_buffer()
    encode(cb, pso, bufs, grid, tg, set_bytes)
    cb.commit()
    cb.wait_until_completed()
    return cb


def completed(cb):
    err = getattr(cb, "error", None)
    assert cb.status == pm.CommandBufferStatus.Completed, f"status {cb.status}, error {err}"


VADD = """
kernel void vadd(device const float* a [[buffer(0)]], device const float* b [[buffer(1)]],
                 device float* c [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    c[i] = a[i] + b[i];
}
"""


@check("device properties")
def _():
    assert "cuda" in os.environ["PYMETAL_DEVICE"]
    name = dev.name
    mt = dev.max_threads_per_threadgroup
    dims = (mt.width, mt.height, mt.depth) if hasattr(mt, "width") else tuple(mt)
    assert dims == (1024, 1024, 64), dims
    assert dev.has_unified_memory is False
    assert dev.recommended_max_working_set_size > 1 << 30
    assert any(x in name for x in ("NVIDIA", "H100", "H200", "GeForce", "Tesla", "RTX", "A100")), name
    devs = pm.copy_all_devices()
    assert len(devs) >= 2, "copy_all_devices() should list the GPU and the CPU"
    return f"{name}, {dev.recommended_max_working_set_size >> 30} GiB"


@check("vector add (Shared)")
def _():
    n = 1_000_003
    a = np.arange(n, dtype=np.float32)
    b = np.full(n, 2.5, np.float32)
    c = buffer(n * 4)
    pso = pipeline(VADD, "vadd")
    assert pso.thread_execution_width == 32
    assert pso.max_total_threads_per_threadgroup >= 256
    completed(run(pso, [buffer(a), buffer(b), c], (n, 1, 1), (256, 1, 1)))
    np.testing.assert_array_equal(view(c, np.float32), a + b)


@check("threadgroup barrier reduction")
def _():
    src = """
    kernel void reduce(device const float* in [[buffer(0)]], device float* out [[buffer(1)]],
                       uint tid [[thread_index_in_threadgroup]], uint gid [[threadgroup_position_in_grid]],
                       uint tpg [[threads_per_threadgroup]], uint i [[thread_position_in_grid]]) {
        threadgroup float s[256];
        s[tid] = in[i];
        threadgroup_barrier(mem_flags::mem_threadgroup);
        for (uint k = tpg / 2; k > 0; k >>= 1) {
            if (tid < k) s[tid] += s[tid + k];
            threadgroup_barrier(mem_flags::mem_threadgroup);
        }
        if (tid == 0) out[gid] = s[0];
    }
    """
    groups = 512
    x = np.random.default_rng(1).random(groups * 256, dtype=np.float32)
    out = buffer(groups * 4)
    completed(run(pipeline(src, "reduce"), [buffer(x), out], (groups * 256, 1, 1), (256, 1, 1)))
    np.testing.assert_allclose(view(out, np.float32), x.reshape(groups, 256).sum(1), rtol=1e-5)


@check("simd_sum")
def _():
    src = """
    kernel void ssum(device const float* in [[buffer(0)]], device float* out [[buffer(1)]],
                     uint i [[thread_position_in_grid]], uint lane [[thread_index_in_simdgroup]],
                     uint sg [[simdgroup_index_in_threadgroup]], uint gid [[threadgroup_position_in_grid]]) {
        float v = simd_sum(in[i]);
        if (lane == 0) out[gid * 4 + sg] = v;
    }
    """
    n = 128 * 64
    x = np.arange(n, dtype=np.float32) % 7
    out = buffer(n // 32 * 4)
    completed(run(pipeline(src, "ssum"), [buffer(x), out], (n, 1, 1), (128, 1, 1)))
    np.testing.assert_array_equal(view(out, np.float32), x.reshape(-1, 32).sum(1))


@check("atomics")
def _():
    src = """
    kernel void count(device atomic_uint* c [[buffer(0)]], device const uint* data [[buffer(1)]],
                      uint i [[thread_position_in_grid]]) {
        if (data[i] % 3 == 0) atomic_fetch_add_explicit(c, 1u, memory_order_relaxed);
    }
    """
    data = np.arange(100_000, dtype=np.uint32)
    c = buffer(np.zeros(1, np.uint32))
    completed(run(pipeline(src, "count"), [c, buffer(data)], (data.size, 1, 1), (256, 1, 1)))
    assert view(c, np.uint32)[0] == (data % 3 == 0).sum(), view(c, np.uint32)[0]


@check("dispatch_threads, clipped edge groups")
def _():
    src = """
    kernel void edge(device uint* out [[buffer(0)]], uint2 p [[thread_position_in_grid]],
                     uint2 g [[threads_per_grid]], uint2 t [[threads_per_threadgroup]]) {
        out[p.y * g.x + p.x] = t.x * 1000 + t.y;
    }
    """
    w, h = 100, 37
    out = buffer(np.full(w * h, 0xFFFFFFFF, np.uint32))
    completed(run(pipeline(src, "edge"), [out], (w, h, 1), (16, 8, 1)))
    got = view(out, np.uint32).reshape(h, w)
    xs = np.where(np.arange(w) < 96, 16, 4)
    ys = np.where(np.arange(h) < 32, 8, 5)
    np.testing.assert_array_equal(got, xs[None, :] * 1000 + ys[:, None])


@check("Shared/Private/Managed + blits")
def _():
    src = """
    kernel void twice(device float* a [[buffer(0)]], uint i [[thread_position_in_grid]]) { a[i] *= 2.0f; }
    """
    n = 4096
    x = np.arange(n, dtype=np.float32)
    shared = buffer(x)
    private = buffer(n * 4, pm.ResourceStorageModePrivate)
    managed = buffer(x + 1, pm.ResourceStorageModeManaged)
    back = buffer(n * 4)
    pso = pipeline(src, "twice")
    cb = queue.command_buffer()
    blit = cb.blit_command_encoder()
    blit.copy_from_buffer(shared, 0, private, 0, n * 4)
    blit.end_encoding()
    encode(cb, pso, [private], (n, 1, 1), (64, 1, 1))
    encode(cb, pso, [managed], (n, 1, 1), (64, 1, 1))
    blit = cb.blit_command_encoder()
    blit.copy_from_buffer(private, 0, back, 0, n * 4)
    blit.fill_buffer(managed, pm.Range(0, 8), 0)
    blit.synchronize_resource(managed)
    blit.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    completed(cb)
    np.testing.assert_array_equal(view(back, np.float32), 2 * x)
    want = 2 * (x + 1)
    want[:2] = 0
    np.testing.assert_array_equal(view(managed, np.float32), want)


@check("set_bytes")
def _():
    src = """
    kernel void axpy(device float* y [[buffer(0)]], constant float& a [[buffer(1)]],
                     uint i [[thread_position_in_grid]]) { y[i] = a * y[i] + 1.0f; }
    """
    y = buffer(np.ones(1000, np.float32))
    completed(run(pipeline(src, "axpy"), [y], (1000, 1, 1), (128, 1, 1), {1: np.float32(3).tobytes()}))
    np.testing.assert_array_equal(view(y, np.float32), np.full(1000, 4, np.float32))


@check("out-of-bounds kernel: shader validation catches it and the GPU keeps working; unvalidated fault -> Error, later use works or says why (own process)")
def _():
    # A fault poisons the NVIDIA driver for the whole process, so it runs in a child process
    # and the checks after this one keep a healthy GPU.
    child = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu_fault_child.py")
    out = subprocess.run([sys.executable, child], capture_output=True, text=True, env=os.environ, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return " | ".join(ln for ln in out.stdout.splitlines() if ln.split(":")[0] in ("VALIDATED", "VALIDATED AFTER", "FAULT", "AFTER", "CPU device"))


@check("compile error names the user's line")
def _():
    src = HEADER + "kernel void k(device float* a [[buffer(0)]]) {\n    a[0] = undefined_thing;\n}\n"
    try:
        dev.new_library_with_source(src)
    except pm.CompileError as e:
        msg = str(e)
        assert "undefined_thing" in msg, msg
        assert ":4:" in msg, msg  # line 4 of the source given (HEADER is two lines)
        return msg.splitlines()[0][:100]
    raise AssertionError("no CompileError")


@check("compile cache (disk and memo)")
def _():
    tag = f"{time.time_ns() % 1_000_000}.5f"
    src = HEADER + VADD.replace("a[i] + b[i]", f"a[i] + b[i] + {tag}")
    cubins = lambda: {f for f in os.listdir(os.path.join(CACHE, "cuda"))} if os.path.isdir(os.path.join(CACHE, "cuda")) else set()  # noqa: E731
    before = cubins()
    t = time.perf_counter()
    dev.new_compute_pipeline_state(dev.new_library_with_source(src).new_function("vadd"))
    cold = (time.perf_counter() - t) * 1e3
    assert len(cubins() - before) >= 1, f"no new CUBIN in {CACHE}/cuda"
    t = time.perf_counter()
    dev.new_compute_pipeline_state(dev.new_library_with_source(src).new_function("vadd"))
    memo = (time.perf_counter() - t) * 1e3
    code = (
        "import time, pymetal as pm\n"
        "d = pm.create_system_default_device()\n"
        f"src = {src!r}\n"
        "t = time.perf_counter()\n"
        "d.new_compute_pipeline_state(d.new_library_with_source(src).new_function('vadd'))\n"
        "print((time.perf_counter() - t) * 1e3)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    assert memo < cold, (cold, memo)
    return f"cold {cold:.1f} ms, in-process {memo:.2f} ms, new process (disk) {float(out.stdout.split()[-1]):.2f} ms"


@check("interop: __cuda_array_interface__ / dlpack")
def _():
    b = buffer(np.arange(16, dtype=np.float32))
    cai = b.__cuda_array_interface__
    assert cai["version"] == 3 and cai["shape"] == (64,) and cai["typestr"] == "|u1", cai
    ptr = cai["data"][0]
    assert b.__dlpack_device__()[0] == 2, b.__dlpack_device__()
    notes = []
    try:
        import cupy

        arr = cupy.asarray(b).view(cupy.float32)
        assert arr.data.ptr == ptr
        assert float(arr.sum()) == 120.0
        x = cupy.from_dlpack(b)
        assert x.data.ptr == ptr
        notes.append("cupy ok (CAI + dlpack, shared)")
    except ImportError:
        notes.append("no cupy")
    try:
        import torch

        t = torch.as_tensor(b, device="cuda").view(torch.float32)
        assert t.data_ptr() == ptr
        assert float(t.sum()) == 120.0
        u = torch.from_dlpack(b)
        assert u.data_ptr() == ptr
        del b
        import gc

        gc.collect()
        assert float(u.view(torch.float32).sum()) == 120.0  # the capsule keeps the buffer alive
        notes.append("torch ok (CAI + dlpack, shared, kept alive)")
    except ImportError:
        notes.append("no torch")
    return ", ".join(notes)


@check("timings (informational)")
def _():
    pso = pipeline(VADD, "vadd")
    bufs = [buffer(np.ones(64, np.float32)) for _ in range(3)]
    for _ in range(200):
        run(pso, bufs, (64, 1, 1), (64, 1, 1))
    k = 2000
    t = time.perf_counter()
    for _ in range(k):
        run(pso, bufs, (64, 1, 1), (64, 1, 1))
    commit_wait = (time.perf_counter() - t) / k * 1e6
    cb = queue.command_buffer()
    enc = cb.compute_command_encoder()
    enc.set_compute_pipeline_state(pso)
    for i, b in enumerate(bufs):
        enc.set_buffer(b, 0, i)
    for _ in range(1000):
        enc.dispatch_threads(64, 1, 1, 64, 1, 1)
    enc.end_encoding()
    t = time.perf_counter()
    cb.commit()
    cb.wait_until_completed()
    per = (time.perf_counter() - t) / 1000 * 1e6
    completed(cb)
    return f"commit+wait {commit_wait:.1f} us (target <= 10), batched {per:.2f} us/dispatch (target <= 5)"


failed = [n for n, s in RESULTS if s == "FAIL"]
print(f"\n{len(RESULTS) - len(failed)}/{len(RESULTS)} checks without failure; cache dir {CACHE}")
sys.exit(1 if failed else 0)
