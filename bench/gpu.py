"""GPU benchmark: pymetal's CUDA backend against the same algorithms compiled by CuPy.

Run on an NVIDIA machine with CuPy installed (not a test):
    PYMETAL_DEVICE=cuda python bench/gpu.py [--out bench/results/gpu-latest.json]

Every kernel is written twice, in MSL (run through pymetal) and in CUDA C (a CuPy
RawKernel), with the same algorithm and launch shape; each is verified against numpy in
float64 before it is timed. Throughput is measured over a batch of launches followed by one
synchronisation, best of several repeats, and reported as ratios: ours over CuPy's. Our
buffers are Private (device memory), like CuPy's arrays; `vadd_shared_memory_gbs` adds the
figure for Shared (managed) buffers.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("PYMETAL_DEVICE", "cuda")
import pymetal as pm  # noqa: E402

try:
    import cupy as cp
except ImportError:  # pragma: no cover
    sys.exit("bench/gpu.py needs CuPy")

RNG = np.random.default_rng(1234)

MSL = r"""
#include <metal_stdlib>
using namespace metal;

kernel void vadd(device const float* a [[buffer(0)]], device const float* b [[buffer(1)]],
                 device float* c [[buffer(2)]], constant uint& n [[buffer(3)]],
                 uint i [[thread_position_in_grid]]) {
    if (i < n) c[i] = a[i] + b[i];
}

kernel void sgemm_naive(device const float* A [[buffer(0)]], device const float* B [[buffer(1)]],
                        device float* C [[buffer(2)]], constant uint& N [[buffer(3)]],
                        uint2 gid [[thread_position_in_grid]]) {
    uint row = gid.y, col = gid.x;
    if (row >= N || col >= N) return;
    float acc = 0.0f;
    for (uint k = 0; k < N; ++k) acc += A[row * N + k] * B[k * N + col];
    C[row * N + col] = acc;
}

#define TILE 16
kernel void sgemm_tiled(device const float* A [[buffer(0)]], device const float* B [[buffer(1)]],
                        device float* C [[buffer(2)]], constant uint& N [[buffer(3)]],
                        uint2 gid [[thread_position_in_grid]], uint2 tid [[thread_position_in_threadgroup]]) {
    threadgroup float As[TILE][TILE];
    threadgroup float Bs[TILE][TILE];
    uint row = gid.y, col = gid.x;
    float acc = 0.0f;
    for (uint t = 0; t < N; t += TILE) {
        As[tid.y][tid.x] = (row < N && t + tid.x < N) ? A[row * N + t + tid.x] : 0.0f;
        Bs[tid.y][tid.x] = (col < N && t + tid.y < N) ? B[(t + tid.y) * N + col] : 0.0f;
        threadgroup_barrier(mem_flags::mem_threadgroup);
        for (uint k = 0; k < TILE; ++k) acc += As[tid.y][k] * Bs[k][tid.x];
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    if (row < N && col < N) C[row * N + col] = acc;
}

kernel void blur5(device const float* src [[buffer(0)]], device float* dst [[buffer(1)]],
                  constant float* w [[buffer(2)]], constant uint2& size [[buffer(3)]],
                  uint2 gid [[thread_position_in_grid]]) {
    if (gid.x >= size.x || gid.y >= size.y) return;
    float acc = 0.0f;
    for (int dy = -2; dy <= 2; ++dy) {
        int y = clamp(int(gid.y) + dy, 0, int(size.y) - 1);
        for (int dx = -2; dx <= 2; ++dx) {
            int x = clamp(int(gid.x) + dx, 0, int(size.x) - 1);
            acc += w[(dy + 2) * 5 + (dx + 2)] * src[y * size.x + x];
        }
    }
    dst[gid.y * size.x + gid.x] = acc;
}

kernel void tiny(device float* x [[buffer(0)]], uint i [[thread_position_in_grid]]) {
    x[i] += 1.0f;
}
"""

CUDA = r"""
extern "C" __global__ void vadd(const float* a, const float* b, float* c, unsigned n) {
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}
extern "C" __global__ void sgemm_naive(const float* A, const float* B, float* C, unsigned N) {
    unsigned row = blockIdx.y * blockDim.y + threadIdx.y, col = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= N || col >= N) return;
    float acc = 0.0f;
    for (unsigned k = 0; k < N; ++k) acc += A[row * N + k] * B[k * N + col];
    C[row * N + col] = acc;
}
#define TILE 16
extern "C" __global__ void sgemm_tiled(const float* A, const float* B, float* C, unsigned N) {
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE];
    unsigned tx = threadIdx.x, ty = threadIdx.y;
    unsigned row = blockIdx.y * TILE + ty, col = blockIdx.x * TILE + tx;
    float acc = 0.0f;
    for (unsigned t = 0; t < N; t += TILE) {
        As[ty][tx] = (row < N && t + tx < N) ? A[row * N + t + tx] : 0.0f;
        Bs[ty][tx] = (col < N && t + ty < N) ? B[(t + ty) * N + col] : 0.0f;
        __syncthreads();
        for (unsigned k = 0; k < TILE; ++k) acc += As[ty][k] * Bs[k][tx];
        __syncthreads();
    }
    if (row < N && col < N) C[row * N + col] = acc;
}
extern "C" __global__ void blur5(const float* src, float* dst, const float* w, unsigned W, unsigned H) {
    unsigned gx = blockIdx.x * blockDim.x + threadIdx.x, gy = blockIdx.y * blockDim.y + threadIdx.y;
    if (gx >= W || gy >= H) return;
    float acc = 0.0f;
    for (int dy = -2; dy <= 2; ++dy) {
        int y = min(max((int)gy + dy, 0), (int)H - 1);
        for (int dx = -2; dx <= 2; ++dx) {
            int x = min(max((int)gx + dx, 0), (int)W - 1);
            acc += w[(dy + 2) * 5 + (dx + 2)] * src[y * W + x];
        }
    }
    dst[gy * W + gx] = acc;
}
extern "C" __global__ void tiny(float* x) { x[blockIdx.x * blockDim.x + threadIdx.x] += 1.0f; }
"""


def rel_err(out, ref):
    out = np.asarray(out, np.float64)
    ref = np.asarray(ref, np.float64)
    return float(np.linalg.norm(out - ref) / max(np.linalg.norm(ref), 1e-300))


class Ours:
    def __init__(self):
        self.dev = pm.create_system_default_device()
        self.queue = self.dev.new_command_queue()
        self.lib = self.dev.new_library_with_source(MSL)
        self.pipes = {}

    def pipe(self, name):
        if name not in self.pipes:
            self.pipes[name] = self.dev.new_compute_pipeline_state(self.lib.new_function(name))
        return self.pipes[name]

    # Kernels are timed on Private (device) memory, as CuPy's arrays are; data moves in and
    # out through Shared staging buffers and blits.
    def blit(self, src, dst, nbytes):
        cmd = self.queue.command_buffer()
        enc = cmd.blit_command_encoder()
        enc.copy_from_buffer(src, 0, dst, 0, nbytes)
        enc.end_encoding()
        cmd.commit()
        cmd.wait_until_completed()

    def buf(self, array, mode=pm.ResourceStorageModePrivate):
        array = np.ascontiguousarray(array)
        staging = self.dev.new_buffer_with_data(array, pm.ResourceStorageModeShared)
        if mode == pm.ResourceStorageModeShared:
            return staging
        b = self.dev.new_buffer(array.nbytes, mode)
        self.blit(staging, b, array.nbytes)
        return b

    def empty(self, nbytes):
        b = self.dev.new_buffer(nbytes, pm.ResourceStorageModePrivate)
        cmd = self.queue.command_buffer()
        enc = cmd.blit_command_encoder()
        enc.fill_buffer(b, pm.Range(0, nbytes), 0xFF)  # poison
        enc.end_encoding()
        cmd.commit()
        cmd.wait_until_completed()
        return b

    def read(self, b, dtype):
        staging = self.dev.new_buffer(b.length, pm.ResourceStorageModeShared)
        self.blit(b, staging, b.length)
        return np.frombuffer(staging.contents(), dtype).copy()

    def run(self, name, buffers, grid, tg, repeat=1, bytes_args=()):
        cmd = self.queue.command_buffer()
        enc = cmd.compute_command_encoder()
        enc.set_compute_pipeline_state(self.pipe(name))
        for i, b in enumerate(buffers):
            enc.set_buffer(b, 0, i)
        for i, data in bytes_args:
            enc.set_bytes(data, i)
        for _ in range(repeat):
            enc.dispatch_threads(*grid, *tg)
        enc.end_encoding()
        t0 = time.perf_counter()
        cmd.commit()
        cmd.wait_until_completed()
        dt = time.perf_counter() - t0
        if cmd.status != pm.CommandBufferStatus.Completed:
            raise RuntimeError(f"{name}: command buffer failed: {cmd.error}")
        return dt


def best(fn, repeats=5):
    fn()  # warm-up
    return min(fn() for _ in range(repeats))


def cupy_time(fn, n):
    cp.cuda.runtime.deviceSynchronize()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    cp.cuda.runtime.deviceSynchronize()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="bench/results/gpu-latest.json")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()

    res = {"date": _dt.date.today().isoformat()}
    # Compile times first, with a fresh cache dir for the cold figure.
    cold_dir = tempfile.mkdtemp(prefix="pymetal-cold-")
    os.environ["PYMETAL_CACHE_DIR"] = cold_dir
    dev = pm.create_system_default_device()
    res["device"] = dev.name
    src_cold = MSL.replace("tiny(", "tiny_cold(")
    t0 = time.perf_counter()
    lib = dev.new_library_with_source(src_cold)
    dev.new_compute_pipeline_state(lib.new_function("vadd"))
    res["compile_cold_ms"] = (time.perf_counter() - t0) * 1e3
    t0 = time.perf_counter()
    lib = dev.new_library_with_source(src_cold)
    dev.new_compute_pipeline_state(lib.new_function("vadd"))
    res["compile_cached_ms"] = (time.perf_counter() - t0) * 1e3

    ours = Ours()
    mod = cp.RawModule(code=CUDA)
    ck = {n: mod.get_function(n) for n in ("vadd", "sgemm_naive", "sgemm_tiled", "blur5", "tiny")}

    # --- vector add 2^28 ---
    n = 1 << (24 if args.quick else 28)
    a = RNG.standard_normal(n, dtype=np.float32)
    b = RNG.standard_normal(n, dtype=np.float32)
    ab, bb, cb_ = ours.buf(a), ours.buf(b), ours.empty(a.nbytes)
    nb = np.uint32(n).tobytes()
    ours.run("vadd", [ab, bb, cb_], (n, 1, 1), (256, 1, 1), bytes_args=[(3, nb)])
    out = ours.read(cb_, np.float32)
    err = rel_err(out, a.astype(np.float64) + b)
    assert err < 1e-6, f"vadd wrong: {err}"
    reps = 20
    t_ours = best(lambda: ours.run("vadd", [ab, bb, cb_], (n, 1, 1), (256, 1, 1), repeat=reps, bytes_args=[(3, nb)])) / reps
    da, db, dc = cp.asarray(a), cp.asarray(b), cp.empty_like(cp.asarray(a))
    grid = ((n + 255) // 256,)
    t_cp = best(lambda: cupy_time(lambda: ck["vadd"](grid, (256,), (da, db, dc, np.uint32(n))), reps)) / reps
    gb = 3 * a.nbytes / 1e9
    res.update(vadd_ours_gbs=gb / t_ours, vadd_cupy_gbs=gb / t_cp, vadd_ratio_vs_cupy=t_cp / t_ours)
    sa, sb2, sc = (ours.buf(a, pm.ResourceStorageModeShared), ours.buf(b, pm.ResourceStorageModeShared),
                   ours.buf(np.zeros_like(a), pm.ResourceStorageModeShared))
    t_sh = best(lambda: ours.run("vadd", [sa, sb2, sc], (n, 1, 1), (256, 1, 1), repeat=reps, bytes_args=[(3, nb)])) / reps
    res["vadd_shared_memory_gbs"] = gb / t_sh
    del sa, sb2, sc

    # --- SGEMM naive and tiled ---
    for N in ((1024,) if args.quick else (1024, 4096)):
        A = RNG.standard_normal((N, N), dtype=np.float32)
        B = RNG.standard_normal((N, N), dtype=np.float32)
        ref = A.astype(np.float64) @ B.astype(np.float64)
        Ab, Bb = ours.buf(A), ours.buf(B)
        dA, dB, dC = cp.asarray(A), cp.asarray(B), cp.empty((N, N), np.float32)
        Nb = np.uint32(N).tobytes()
        flop = 2.0 * N ** 3
        for kind in ("naive", "tiled"):
            Cb = ours.empty(A.nbytes)
            name = f"sgemm_{kind}"
            ours.run(name, [Ab, Bb, Cb], (N, N, 1), (16, 16, 1), bytes_args=[(3, Nb)])
            err = rel_err(ours.read(Cb, np.float32).reshape(N, N), ref)
            assert err < 1e-4, f"{name} {N} wrong: {err}"
            reps = 5 if N >= 4096 else 20
            t_o = best(lambda: ours.run(name, [Ab, Bb, Cb], (N, N, 1), (16, 16, 1), repeat=reps, bytes_args=[(3, Nb)]), 3) / reps
            g = ((N + 15) // 16, (N + 15) // 16)
            ck[name](g, (16, 16), (dA, dB, dC, np.uint32(N)))
            assert rel_err(cp.asnumpy(dC), ref) < 1e-4
            t_c = best(lambda: cupy_time(lambda: ck[name](g, (16, 16), (dA, dB, dC, np.uint32(N))), reps), 3) / reps
            res[f"sgemm_{kind}_{N}_ours_gflops"] = flop / t_o / 1e9
            res[f"sgemm_{kind}_{N}_cupy_gflops"] = flop / t_c / 1e9
            res[f"sgemm_{kind}_{N}_ratio_vs_cupy"] = t_c / t_o
    for kind in ("naive", "tiled"):
        keys = [k for k in res if k.startswith(f"sgemm_{kind}_") and k.endswith("_ratio_vs_cupy")]
        res[f"sgemm_{kind}_ratio_vs_cupy"] = min(res[k] for k in keys)

    # --- 5x5 blur 4096^2 ---
    H = W = 1024 if args.quick else 4096
    img = RNG.random((H, W), dtype=np.float32)
    g1 = np.exp(-0.5 * (np.arange(-2, 3) / 1.0) ** 2)
    w = np.outer(g1, g1)
    w = (w / w.sum()).astype(np.float32)
    import scipy.ndimage as ndi

    t0 = time.perf_counter()
    ref = ndi.correlate(img.astype(np.float64), w.astype(np.float64), mode="nearest")
    t_scipy = time.perf_counter() - t0
    src, dst, wb = ours.buf(img), ours.empty(img.nbytes), ours.buf(w)
    sb = np.array([W, H], np.uint32).tobytes()
    ours.run("blur5", [src, dst, wb], (W, H, 1), (16, 16, 1), bytes_args=[(3, sb)])
    err = rel_err(ours.read(dst, np.float32).reshape(H, W), ref)
    assert err < 1e-5, f"blur wrong: {err}"
    reps = 100  # ~0.2 ms a launch: enough of them that the batch is not noise
    t_o = best(lambda: ours.run("blur5", [src, dst, wb], (W, H, 1), (16, 16, 1), repeat=reps, bytes_args=[(3, sb)])) / reps
    ds, dd, dw = cp.asarray(img), cp.empty_like(cp.asarray(img)), cp.asarray(w)
    g = ((W + 15) // 16, (H + 15) // 16)
    t_c = best(lambda: cupy_time(lambda: ck["blur5"](g, (16, 16), (ds, dd, dw, np.uint32(W), np.uint32(H))), reps)) / reps
    res.update(blur_ours_ms=t_o * 1e3, blur_cupy_ms=t_c * 1e3, blur_scipy_ms=t_scipy * 1e3,
               blur_ratio_vs_cupy=t_c / t_o, blur_speedup_vs_scipy=t_scipy / t_o)

    # --- latency: one tiny kernel, commit + wait ---
    x = ours.buf(np.zeros(256, np.float32))
    lat = []
    for _ in range(200):
        lat.append(ours.run("tiny", [x], (256, 1, 1), (256, 1, 1)))
    res["commit_wait_us"] = float(np.median(lat[20:]) * 1e6)
    # An empty command buffer: the fixed cost of a submission without any kernel.
    lat = []
    for _ in range(200):
        cmd = ours.queue.command_buffer()
        t0 = time.perf_counter()
        cmd.commit()
        cmd.wait_until_completed()
        lat.append(time.perf_counter() - t0)
    res["empty_commit_wait_us"] = float(np.median(lat[20:]) * 1e6)
    dx = cp.zeros(256, np.float32)
    lat = []
    for _ in range(200):
        lat.append(cupy_time(lambda: ck["tiny"]((1,), (256,), (dx,)), 1))
    res["cupy_launch_sync_us"] = float(np.median(lat[20:]) * 1e6)

    # --- 1000 dispatches in one command buffer vs 1000 CuPy launches ---
    t_o = best(lambda: ours.run("tiny", [x], (256, 1, 1), (256, 1, 1), repeat=1000), 5)
    t_c = best(lambda: cupy_time(lambda: ck["tiny"]((1,), (256,), (dx,)), 1000), 5)
    res["batched_dispatch_us"] = t_o / 1000 * 1e6
    res["cupy_launch_us"] = t_c / 1000 * 1e6

    print(json.dumps(res, indent=2))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
