"""Run by gpu_selfcheck.py in its own process: a kernel fault poisons the NVIDIA driver for
the whole process, so this check must not share one with the others.

Checks: under shader validation the same out-of-bounds write fails only its command buffer
and the GPU keeps working; without it, the faulting command buffer ends in Error with a message; reading the victim buffer
does not crash; later GPU work either works (the driver recovered) or fails with a clear
error that says to restart; the CPU device keeps working."""
import numpy as np
import pymetal as pm

SRC = """
#include <metal_stdlib>
using namespace metal;
kernel void oob(device float* p [[buffer(0)]], constant ulong& idx [[buffer(1)]],
                uint i [[thread_position_in_grid]]) { p[idx + i] = 1.0f; }
kernel void twice(device const float* a [[buffer(0)]], device float* c [[buffer(1)]],
                  uint i [[thread_position_in_grid]]) { c[i] = 2.0f * a[i]; }
"""
A = np.arange(1000, dtype=np.float32)


def run(dev, name, bufs, n, set_bytes=None, options=None):
    pso = dev.new_compute_pipeline_state(dev.new_library_with_source(SRC, options).new_function(name))
    cb = dev.new_command_queue().command_buffer()
    e = cb.compute_command_encoder()
    e.set_compute_pipeline_state(pso)
    for i, b in enumerate(bufs):
        e.set_buffer(b, 0, i)
    for i, data in (set_bytes or {}).items():
        e.set_bytes(data, i)
    e.dispatch_threads(n, 1, 1, 32, 1, 1)
    e.end_encoding()
    cb.commit()
    cb.wait_until_completed()
    return cb


def twice_works(dev, options=None):
    a = dev.new_buffer_with_data(A.tobytes(), pm.ResourceStorageModeShared)
    c = dev.new_buffer(A.nbytes, pm.ResourceStorageModeShared)
    cb = run(dev, "twice", [a, c], A.size, None, options)
    if cb.status != pm.CommandBufferStatus.Completed:
        return cb.error
    assert (np.frombuffer(c.contents(), np.float32) == 2 * A).all()
    return None


gpu = pm.create_system_default_device()
# Shader validation first: the same wild index is caught before it happens, the command
# buffer fails with a message, the buffer is untouched and the GPU keeps working.
checked = pm.CompileOptions(shader_validation=True)
victim = gpu.new_buffer_with_data(np.zeros(1024, np.float32), pm.ResourceStorageModeShared)
cb = run(gpu, "oob", [victim], 32, {1: np.uint64(1 << 40).tobytes()}, checked)
assert cb.status == pm.CommandBufferStatus.Error, cb.status
assert "shader validation" in str(cb.error) and "buffer(0)" in str(cb.error), cb.error
assert not np.frombuffer(victim.contents(), np.float32).any()
assert twice_works(gpu, checked) is None
print("VALIDATED:", str(cb.error)[:200])
print("VALIDATED AFTER: the GPU keeps working")
victim = gpu.new_buffer(4096, pm.ResourceStorageModeShared)
cb = run(gpu, "oob", [victim], 32, {1: np.uint64(1 << 40).tobytes()})
assert cb.status == pm.CommandBufferStatus.Error, cb.status
print("FAULT:", str(cb.error)[:160])
_ = np.frombuffer(victim.contents(), np.float32)[0]
try:
    err = twice_works(gpu)
    if err is None:
        print("AFTER: recovered, the GPU works again")
    else:
        assert "Restart" in str(err), err
        print("AFTER: command buffer Error:", str(err)[:220])
except pm.MetalError as ex:
    assert "Restart" in str(ex), ex
    print("AFTER:", type(ex).__name__, str(ex)[:220])
cpu = [d for d in pm.copy_all_devices() if "cpu" in d.name.lower()][0]
assert twice_works(cpu) is None
print("CPU device: works")
