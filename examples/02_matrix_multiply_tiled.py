"""Matrix multiplication with 16x16 tiles in threadgroup memory.

Each threadgroup computes a 16x16 block of C. It walks along K one tile at a time: every
thread loads one element of the A tile and one of the B tile into threadgroup memory,
a barrier makes the tiles visible to the whole group, the group multiplies them, and a second
barrier protects the tiles before they are overwritten. Each element of A and B is read from
device memory N/16 (resp. M/16) times instead of N (resp. M) times.
"""

import sys
import time

import numpy as np

import pymetal as pm

SHADER = """
#include <metal_stdlib>
using namespace metal;

#define TILE 16

kernel void matmul_tiled(
    device const float* A [[buffer(0)]],
    device const float* B [[buffer(1)]],
    device float* C       [[buffer(2)]],
    constant uint3& dims  [[buffer(3)]],   // (M, N, K)
    uint2 gid [[thread_position_in_grid]],
    uint2 tid [[thread_position_in_threadgroup]])
{
    threadgroup float As[TILE][TILE];
    threadgroup float Bs[TILE][TILE];
    uint M = dims.x, N = dims.y, K = dims.z;
    uint row = gid.y;
    uint col = gid.x;
    float sum = 0.0f;
    for (uint t = 0; t < K; t += TILE) {
        uint ak = t + tid.x;
        uint bk = t + tid.y;
        As[tid.y][tid.x] = (row < M && ak < K) ? A[row * K + ak] : 0.0f;
        Bs[tid.y][tid.x] = (bk < K && col < N) ? B[bk * N + col] : 0.0f;
        threadgroup_barrier(mem_flags::mem_threadgroup);
        for (uint k = 0; k < TILE; ++k) {
            sum += As[tid.y][k] * Bs[k][tid.x];
        }
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    if (row < M && col < N) {
        C[row * N + col] = sum;
    }
}
"""

SIZES = [("Small", 128, 128, 128), ("Odd", 200, 120, 300), ("Medium", 256, 256, 256), ("Large", 512, 512, 512)]


def best_of(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    device = pm.create_system_default_device()
    queue = device.new_command_queue()
    print(f"Device: {device.name}")
    library = device.new_library_with_source(SHADER)
    pipeline = device.new_compute_pipeline_state(library.new_function("matmul_tiled"))
    rng = np.random.default_rng(2)
    ok = True
    print(f"{'Size (MxNxK)':<24}{'NumPy ms':>10}{'GFLOPS':>9}{'Tiled ms':>11}{'GFLOPS':>9}{'rel. error':>12}  ok")
    for label, M, N, K in SIZES:
        a = rng.standard_normal((M, K), dtype=np.float32)
        b = rng.standard_normal((K, N), dtype=np.float32)
        buf_a = device.new_buffer_with_data(a, pm.ResourceStorageModeShared)
        buf_b = device.new_buffer_with_data(b, pm.ResourceStorageModeShared)
        buf_c = device.new_buffer(M * N * 4, pm.ResourceStorageModeShared)
        c = np.frombuffer(buf_c.contents(), dtype=np.float32).reshape(M, N)
        c[...] = np.nan
        dims = np.array([M, N, K, 0], dtype=np.uint32).tobytes()

        def run():
            cb = queue.command_buffer()
            enc = cb.compute_command_encoder()
            enc.set_compute_pipeline_state(pipeline)
            enc.set_buffer(buf_a, 0, 0)
            enc.set_buffer(buf_b, 0, 1)
            enc.set_buffer(buf_c, 0, 2)
            enc.set_bytes(dims, 3)
            enc.dispatch_threadgroups((N + 15) // 16, (M + 15) // 16, 1, 16, 16, 1)
            enc.end_encoding()
            cb.commit()
            cb.wait_until_completed()

        run()
        result = c.copy()
        expected = a.astype(np.float64) @ b.astype(np.float64)
        err = float(np.linalg.norm(result - expected) / np.linalg.norm(expected))
        good = bool(np.isfinite(result).all()) and err < 1e-5
        ok &= good
        t_np = best_of(lambda: a @ b, 5)
        t_metal = best_of(run, 2)
        flops = 2.0 * M * N * K
        print(f"{label + f' ({M}x{N}x{K})':<24}{t_np * 1e3:>10.2f}{flops / t_np / 1e9:>9.1f}"
              f"{t_metal * 1e3:>11.2f}{flops / t_metal / 1e9:>9.1f}{err:>12.2e}  {'yes' if good else 'NO'}")
    if not ok:
        print("FAILED: results differ from numpy")
        return 1
    print("Verified: every product matches numpy (float64 reference)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
