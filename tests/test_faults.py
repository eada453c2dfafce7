"""A faulting kernel fails its command buffer with a readable message and never kills the
interpreter. On the CPU device the device keeps working; on a CUDA device the fault runs in
a child process (the NVIDIA driver poisons the whole process after an illegal address), and
later use there either works or says to restart."""

import os
import subprocess
import sys

import numpy as np
import pytest

import pymetal as pm
from mtl_helpers import commit_1d, device_kind

SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void wild(device float* p [[buffer(0)]], constant ulong& idx [[buffer(1)]],
                 uint i [[thread_position_in_grid]]) { p[idx + i] = 1.0f; }
kernel void wild_sync(device float* p [[buffer(0)]], constant ulong& idx [[buffer(1)]],
                      uint i [[thread_position_in_grid]], uint l [[thread_index_in_threadgroup]]) {
    threadgroup float t[64];
    t[l] = 1.0f;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (l == 7) p[idx + i] = t[0];
}
kernel void idiv(device int* p [[buffer(0)]], constant int& z [[buffer(1)]],
                 uint i [[thread_position_in_grid]]) { p[i] = 10 / z; }
kernel void twice(device const float* a [[buffer(0)]], device float* c [[buffer(1)]],
                  uint i [[thread_position_in_grid]]) { c[i] = 2.0f * a[i]; }
"""


@pytest.mark.parametrize("kernel", ["wild", "wild_sync", "idiv"])
def test_cpu_fault_fails_the_command_buffer_only(device, kernel):
    if device_kind(device) != "cpu":
        pytest.skip("faults on CUDA run in a child process: test_cuda_fault_in_child_process")
    lib = device.new_library_with_source(SRC)
    buf = device.new_buffer(4096, pm.ResourceStorageModeShared)
    arg = np.uint64(1 << 44).tobytes() if kernel != "idiv" else np.int32(0).tobytes()
    cb = commit_1d(device, lib, kernel, [buf], 256, {1: arg})
    assert cb.status == pm.CommandBufferStatus.Error
    msg = str(cb.error)
    assert kernel in msg
    assert ("division by zero" if kernel == "idiv" else "invalid memory access") in msg, msg
    assert "threadgroup (" in msg, msg
    # The device goes on.
    a = np.arange(1000, dtype=np.float32)
    ab = device.new_buffer_with_data(a.tobytes(), pm.ResourceStorageModeShared)
    c = device.new_buffer(a.nbytes, pm.ResourceStorageModeShared)
    cb = commit_1d(device, lib, "twice", [ab, c], 1000)
    assert cb.status == pm.CommandBufferStatus.Completed
    np.testing.assert_array_equal(np.frombuffer(c.contents(), np.float32), 2 * a)


@pytest.mark.gpu
def test_cuda_fault_in_child_process():
    child = os.path.join(os.path.dirname(__file__), "..", "scripts", "gpu_fault_child.py")
    env = dict(os.environ, PYMETAL_DEVICE="cuda")
    out = subprocess.run([sys.executable, child], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "FAULT:" in out.stdout and "AFTER:" in out.stdout and "CPU device: works" in out.stdout, out.stdout
    assert "VALIDATED AFTER: the GPU keeps working" in out.stdout, out.stdout
