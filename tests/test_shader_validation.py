"""Shader validation (CompileOptions(shader_validation=True), or PYMETAL_SHADER_VALIDATION=1):
kernel buffer arguments are bounds-checked. An out-of-bounds access fails the command buffer
with a message naming the kernel, the buffer index, the thread and the offset; the access is
discarded, so no other memory changes and the device keeps working (on CUDA too, where a real
out-of-bounds fault would poison the process). In-bounds kernels give the same results."""

import numpy as np
import pytest

import pymetal as pm
from mtl_helpers import commit_1d

SRC = """
#include <metal_stdlib>
using namespace metal;
struct Params { uint n; float scale; uint pad[10]; };  // 48 bytes

kernel void write_at(device float* out [[buffer(0)]], constant long& base [[buffer(1)]],
                     uint i [[thread_position_in_grid]]) {
    out[base + long(i)] = float(i);
}
kernel void read_at(device const float* src [[buffer(0)]], device float* out [[buffer(1)]],
                    constant long& base [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    out[i] = src[base + long(i)];
}
kernel void scaled(device const float4* a [[buffer(0)]], device float4* c [[buffer(1)]],
                   constant Params& p [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    if (i < p.n) c[i] = a[i] * p.scale;
}
kernel void walk(device const float* a [[buffer(0)]], device float* c [[buffer(1)]],
                 constant uint& n [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    a += i;  // pointer arithmetic keeps the bounds
    float s = *a + a[0];
    for (uint k = 1; k < 4 && i + k < n; ++k) s += a[k];
    c[i] = s;
}
"""

N = 256


def lib_for(device, validation=True):
    return device.new_library_with_source(SRC, pm.CompileOptions(shader_validation=validation))


def floats(buf):
    return np.frombuffer(buf.contents(), np.float32).copy()


def shared(device, array):
    return device.new_buffer_with_data(np.ascontiguousarray(array), pm.ResourceStorageModeShared)


def test_out_of_bounds_write_is_reported_and_discarded(device):
    lib = lib_for(device)
    out = shared(device, np.full(N, -1.0, np.float32))
    neighbour = shared(device, np.full(4096, 7.0, np.float32))
    # Threads 0..255 write out[200 + i]: 56 land inside, 200 past the end.
    cb = commit_1d(device, lib, "write_at", [out], N, {1: np.int64(200).tobytes()})
    assert cb.status == pm.CommandBufferStatus.Error
    msg = str(cb.error)
    assert "shader validation" in msg and "'write_at'" in msg and "buffer(0)" in msg, msg
    assert f"where {N * 4} bytes are bound" in msg, msg
    got = floats(out)
    np.testing.assert_array_equal(got[:200], -1.0)
    np.testing.assert_array_equal(got[200:], np.arange(56, dtype=np.float32))
    np.testing.assert_array_equal(floats(neighbour), 7.0)
    # The device keeps working.
    cb = commit_1d(device, lib, "write_at", [out], N, {1: np.int64(0).tobytes()})
    assert cb.status == pm.CommandBufferStatus.Completed, cb.error
    np.testing.assert_array_equal(floats(out), np.arange(N, dtype=np.float32))


def test_out_of_bounds_read_before_the_start(device):
    lib = lib_for(device)
    src = shared(device, np.arange(N, dtype=np.float32))
    out = shared(device, np.full(N, -1.0, np.float32))
    cb = commit_1d(device, lib, "read_at", [src, out], N, {2: np.int64(-3).tobytes()})
    assert cb.status == pm.CommandBufferStatus.Error
    msg = str(cb.error)
    assert "'read_at'" in msg and "buffer(0)" in msg and "before its start" in msg, msg
    np.testing.assert_array_equal(floats(out)[3:], np.arange(N - 3, dtype=np.float32))


def test_short_constant_struct_is_reported(device):
    lib = lib_for(device)
    a = shared(device, np.ones((N, 4), np.float32))
    c = shared(device, np.zeros((N, 4), np.float32))
    # 8 of 48 bytes (set_bytes pads to 16)
    cb = commit_1d(device, lib, "scaled", [a, c], N, {2: np.array([N, 0], np.uint32).tobytes()})
    assert cb.status == pm.CommandBufferStatus.Error
    assert "buffer(2)" in str(cb.error) and "48 bytes at byte offset 0" in str(cb.error), cb.error


def test_in_bounds_kernels_match_unvalidated(device):
    rng = np.random.default_rng(7)
    a = rng.standard_normal((N, 4)).astype(np.float32)
    params = np.array([(N - 5, 2.5, (0,) * 10)], dtype=[("n", "<u4"), ("s", "<f4"), ("pad", "<u4", 10)])
    x = rng.standard_normal(N).astype(np.float32)
    results = []
    for validation in (True, False):
        lib = lib_for(device, validation)
        ab, cb_ = shared(device, a), shared(device, np.full((N, 4), np.nan, np.float32))
        cb = commit_1d(device, lib, "scaled", [ab, cb_], N, {2: params.tobytes()})
        assert cb.status == pm.CommandBufferStatus.Completed, cb.error
        xb, yb = shared(device, x), shared(device, np.full(N, np.nan, np.float32))
        cb = commit_1d(device, lib, "walk", [xb, yb], N, {2: np.uint32(N).tobytes()})
        assert cb.status == pm.CommandBufferStatus.Completed, cb.error
        results.append((floats(cb_).reshape(N, 4), floats(yb)))
    ref_scaled = a.astype(np.float64) * 2.5
    got = results[0][0]
    np.testing.assert_allclose(got[: N - 5], ref_scaled[: N - 5], rtol=1e-6)
    assert np.isnan(got[N - 5 :]).all()
    ref_walk = np.array([2 * x[i] + sum(x[i + k] for k in range(1, 4) if i + k < N) for i in range(N)])
    np.testing.assert_allclose(results[0][1], ref_walk, rtol=1e-5, atol=1e-6)
    for v, u in zip(results[0], results[1]):
        np.testing.assert_array_equal(np.nan_to_num(v), np.nan_to_num(u))


def test_environment_variable_turns_validation_on(device, monkeypatch):
    monkeypatch.setenv("PYMETAL_SHADER_VALIDATION", "1")
    lib = device.new_library_with_source(SRC)
    out = shared(device, np.zeros(N, np.float32))
    cb = commit_1d(device, lib, "write_at", [out], N, {1: np.int64(N).tobytes()})
    assert cb.status == pm.CommandBufferStatus.Error
    assert "shader validation" in str(cb.error)


def test_compile_options_round_trip():
    o = pm.CompileOptions(shader_validation=True)
    assert o.shader_validation is True
    assert "shader_validation=true" in repr(o)
    o.shader_validation = False
    assert not o.shader_validation
