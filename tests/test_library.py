"""Libraries, functions, compile options, compile errors and compute pipeline states."""

import re
import textwrap

import numpy as np
import pytest

import pymetal as pm

from mtl_helpers import Bytes, Out, assert_close, compile_options, grid1d, rng, run

LIB_SRC = """
#include <metal_stdlib>
using namespace metal;

inline float helper(float x) { return x * 3.0f; }

kernel void first_kernel(device float* a [[buffer(0)]], uint i [[thread_position_in_grid]]) { a[i] = helper(a[i]); }
kernel void second_kernel(device float* a [[buffer(0)]], uint i [[thread_position_in_grid]]) { a[i] += 1.0f; }
kernel void tg_kernel(device float* a [[buffer(0)]], uint t [[thread_index_in_threadgroup]],
                      uint i [[thread_position_in_grid]]) {
    threadgroup float tile[256];
    tile[t] = a[i];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    a[i] = tile[255 - t];
}
"""


def test_new_library_with_source(device):
    lib = device.new_library_with_source(LIB_SRC)
    assert isinstance(lib, pm.Library)


def test_function_names(device):
    lib = device.new_library_with_source(LIB_SRC)
    names = lib.function_names
    assert sorted(names) == ["first_kernel", "second_kernel", "tg_kernel"]


def test_new_function(device):
    lib = device.new_library_with_source(LIB_SRC)
    f = lib.new_function("first_kernel")
    assert isinstance(f, pm.Function)
    assert f.name == "first_kernel"
    assert f.function_type == pm.FunctionType.Kernel


def test_new_function_missing_returns_none(device):
    lib = device.new_library_with_source(LIB_SRC)
    assert lib.new_function("no_such_kernel") is None
    assert lib.new_function("helper") is None  # not an entry point


def test_library_label(device):
    lib = device.new_library_with_source(LIB_SRC)
    assert lib.label in ("", None)
    lib.label = "mylib"
    assert lib.label == "mylib"


def test_pipeline_state_properties(device):
    lib = device.new_library_with_source(LIB_SRC)
    pso = device.new_compute_pipeline_state(lib.new_function("first_kernel"))
    assert isinstance(pso, pm.ComputePipelineState)
    assert isinstance(pso.max_total_threads_per_threadgroup, int)
    assert 32 <= pso.max_total_threads_per_threadgroup <= device.max_threads_per_threadgroup.width
    assert pso.thread_execution_width == 32
    assert pso.static_threadgroup_memory_length == 0


STATIC_TG_SRC = """
#include <metal_stdlib>
using namespace metal;

kernel void two_tiles(device float* a [[buffer(0)]], uint2 t [[thread_position_in_threadgroup]],
                      uint2 i [[thread_position_in_grid]]) {
    threadgroup float ta[16][16];
    threadgroup float tb[16][17];
    ta[t.y][t.x] = a[i.y * 16 + i.x];
    tb[t.y][t.x + 1] = 1.0f;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    a[i.y * 16 + i.x] = ta[t.x][t.y] + tb[t.y][t.x + 1];
}

template <typename T>
kernel void tmpl(device T* a [[buffer(0)]], uint t [[thread_index_in_threadgroup]]) {
    threadgroup T s[64];
    s[t] = a[t];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    a[t] = s[63 - t];
}
template [[host_name("tmpl_float")]] kernel void tmpl<float>(device float*, uint);
template [[host_name("tmpl_half")]] kernel void tmpl<half>(device half*, uint);

inline float via_helper(float x, uint t) {
    threadgroup float h[32];
    h[t] = x;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    return h[31 - t];
}
kernel void helper_tg(device float* a [[buffer(0)]], uint t [[thread_index_in_threadgroup]]) {
    a[t] = via_helper(a[t], t);
}

kernel void no_tg(device float* a [[buffer(0)]], threadgroup float* dyn [[threadgroup(0)]],
                  uint i [[thread_position_in_grid]]) {
    threadgroup float* p = dyn;
    p[0] = 0.0f;
    a[i] += 1.0f;
}
"""


@pytest.mark.parametrize(
    "name, expected",
    [
        ("two_tiles", 16 * 16 * 4 + 16 * 17 * 4),  # 1024 + 1088 = 2112
        ("tmpl_float", 64 * 4),
        ("tmpl_half", 64 * 2),
        ("helper_tg", 32 * 4),  # declared in a helper the kernel calls
        ("no_tg", 0),  # only a threadgroup pointer and a dynamic [[threadgroup(0)]] argument
    ],
)
def test_static_threadgroup_memory_length(device, name, expected):
    lib = device.new_library_with_source(STATIC_TG_SRC)
    pso = device.new_compute_pipeline_state(lib.new_function(name))
    assert pso.static_threadgroup_memory_length == expected


def test_static_threadgroup_memory_length_lib_src(device):
    lib = device.new_library_with_source(LIB_SRC)
    for name in ("first_kernel", "second_kernel"):
        assert device.new_compute_pipeline_state(lib.new_function(name)).static_threadgroup_memory_length == 0
    pso_tg = device.new_compute_pipeline_state(lib.new_function("tg_kernel"))
    assert pso_tg.static_threadgroup_memory_length == 256 * 4


def test_static_threadgroup_kernels_run(device):
    a = np.arange(256, dtype=np.float32)
    (r,) = run(device, STATIC_TG_SRC, "two_tiles", [a], (1, 1), (16, 16))
    np.testing.assert_array_equal(r, a.reshape(16, 16).T.reshape(-1) + 1)
    b = np.arange(64, dtype=np.float32)
    (r,) = run(device, STATIC_TG_SRC, "tmpl_float", [b], (1,), (64,))
    np.testing.assert_array_equal(r, b[::-1])
    c = np.arange(32, dtype=np.float32)
    (r,) = run(device, STATIC_TG_SRC, "helper_tg", [c], (1,), (32,))
    np.testing.assert_array_equal(r, c[::-1])


def test_pipeline_runs_each_function(device):
    lib = device.new_library_with_source(LIB_SRC)
    a = np.arange(256, dtype=np.float32)
    (r,) = run(device, LIB_SRC, "first_kernel", [a], (4,), (64,))
    np.testing.assert_array_equal(r, a * 3)
    (r,) = run(device, LIB_SRC, "second_kernel", [a], (4,), (64,))
    np.testing.assert_array_equal(r, a + 1)
    (r,) = run(device, LIB_SRC, "tg_kernel", [a], (1,), (256,))
    np.testing.assert_array_equal(r, a[::-1])
    del lib


def test_new_compute_pipeline_state_rejects_none(device):
    with pytest.raises((TypeError, pm.PipelineError)):
        device.new_compute_pipeline_state(None)


# ------------------------------------------------------------------ compile options
OPT_SRC = """
#include <metal_stdlib>
using namespace metal;
#ifndef FACTOR
#error FACTOR must be defined
#endif
kernel void opt_kernel(device float* a [[buffer(0)]], uint i [[thread_position_in_grid]]) {
#ifdef ADD_ONE
    a[i] = a[i] * FACTOR + 1.0f;
#else
    a[i] = a[i] * FACTOR;
#endif
}
"""


def test_options_defines(device):
    a = np.arange(64, dtype=np.float32)
    (r,) = run(device, OPT_SRC, "opt_kernel", [a], (1,), (64,), options=compile_options(defines={"FACTOR": "4.0f"}))
    np.testing.assert_array_equal(r, a * 4)
    opts = compile_options(defines={"FACTOR": "2.0f", "ADD_ONE": "1"})
    (r,) = run(device, OPT_SRC, "opt_kernel", [a], (1,), (64,), options=opts)
    np.testing.assert_array_equal(r, a * 2 + 1)


def test_options_missing_define_is_compile_error(device):
    with pytest.raises(pm.CompileError, match="FACTOR must be defined"):
        device.new_library_with_source(OPT_SRC)


def test_options_include_paths(device, tmp_path):
    (tmp_path / "my_ops.h").write_text("inline float my_op(float x) { return x * x - 1.0f; }\n")
    src = textwrap.dedent(
        """
        #include <metal_stdlib>
        #include "my_ops.h"
        using namespace metal;
        kernel void inc_kernel(device float* a [[buffer(0)]], uint i [[thread_position_in_grid]]) { a[i] = my_op(a[i]); }
        """
    )
    with pytest.raises(pm.CompileError, match="my_ops.h"):
        device.new_library_with_source(src)
    a = np.linspace(-2, 2, 64).astype(np.float32)
    (r,) = run(device, src, "inc_kernel", [a], (1,), (64,), options=compile_options(include_paths=[tmp_path]))
    assert_close(r, a.astype(np.float64) ** 2 - 1, 1e-6)


@pytest.mark.parametrize("fast", [False, True])
def test_options_fast_math(device, fast):
    src = """
    #include <metal_stdlib>
    using namespace metal;
    kernel void fm_kernel(device const float* a [[buffer(0)]], device float* b [[buffer(1)]], uint i [[thread_position_in_grid]]) {
        b[i] = exp(a[i]) / (1.0f + sin(a[i]) * sin(a[i])) + sqrt(fabs(a[i]));
    }
    """
    a = np.linspace(-4, 4, 1024).astype(np.float32)
    _, b = run(device, src, "fm_kernel", [a, Out(1024)], (16,), (64,), options=compile_options(fast_math=fast))
    x = a.astype(np.float64)
    assert_close(b, np.exp(x) / (1 + np.sin(x) ** 2) + np.sqrt(np.abs(x)), 1e-4 if fast else 1e-6)


# ------------------------------------------------------------------ compile errors
BAD_SRC = """#include <metal_stdlib>
using namespace metal;

kernel void broken(device float* a [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    a[i] = undeclared_variable * 2.0f;
}
"""


def test_compile_error_message(device):
    with pytest.raises(pm.CompileError) as ei:
        device.new_library_with_source(BAD_SRC)
    msg = str(ei.value)
    assert isinstance(ei.value, pm.MetalError)
    assert "shader compilation failed" in msg
    assert "undeclared_variable" in msg
    cols = [int(c) for c in re.findall(r"<source>:5:(\d+)", msg)]
    assert cols, f"no <source>:5:col location in message:\n{msg}"
    assert BAD_SRC.splitlines()[4].index("undeclared_variable") + 1 in cols, msg
    assert "a[i] = undeclared_variable * 2.0f;" in msg  # the offending line is shown
    assert re.search(r"^\s*\^", msg, re.M), f"no caret line in message:\n{msg}"
    assert "prelude" not in msg.lower() and "pm_entry" not in msg  # no internals


def test_compile_error_syntax(device):
    src = "#include <metal_stdlib>\nusing namespace metal;\nkernel void k(device float* a [[buffer(0)]]) {\n  a[0] = 1.0f\n}\n"
    with pytest.raises(pm.CompileError, match="shader compilation failed"):
        device.new_library_with_source(src)


def test_compile_error_does_not_break_device(device):
    with pytest.raises(pm.CompileError):
        device.new_library_with_source("this is not MSL at all {{{")
    a = np.arange(64, dtype=np.float32)
    (r,) = run(device, LIB_SRC, "second_kernel", [a], (1,), (64,))
    np.testing.assert_array_equal(r, a + 1)


def test_compile_cache_second_compile(device):
    """Compiling the same source twice gives two working libraries (the second from the cache)."""
    src = LIB_SRC.replace("3.0f", "5.0f")  # a source no other test compiles
    a = np.arange(128, dtype=np.float32)
    for _ in range(2):
        lib = device.new_library_with_source(src)
        pso = device.new_compute_pipeline_state(lib.new_function("first_kernel"))
        buf = device.new_buffer_with_data(a, pm.ResourceStorageModeShared)
        q = device.new_command_queue()
        cb = q.command_buffer()
        e = cb.compute_command_encoder()
        e.set_compute_pipeline_state(pso)
        e.set_buffer(buf, 0, 0)
        e.dispatch_threadgroups(2, 1, 1, 64, 1, 1)
        e.end_encoding()
        cb.commit()
        cb.wait_until_completed()
        np.testing.assert_array_equal(np.frombuffer(buf.contents(), np.float32), a * 5)


def test_compile_releases_gil(device):
    """Another Python thread keeps running while a library compiles."""
    import threading
    import time

    src = LIB_SRC.replace("3.0f", "7.25f")
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        lib = device.new_library_with_source(src)
        pso = device.new_compute_pipeline_state(lib.new_function("first_kernel"))
    finally:
        stop.set()
        t.join()
    assert pso is not None
    assert len(ticks) >= 1
