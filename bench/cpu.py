"""CPU benchmark: pymetal kernels against numpy/SciPy in the same run.

    python bench/cpu.py [--quick] [--out bench/results/cpu-latest.json]

Measures (best of N, after a warm-up run; every result is checked against numpy):
- vector add of 2^26 float32: effective bandwidth (3 arrays moved) vs numpy.add(out=...);
- 5x5 Gaussian blur of a 4096x4096 image vs scipy.ndimage.convolve (mode="nearest");
- naive and tiled (16x16, threadgroup memory + barriers) SGEMM 1024^3 vs numpy's matmul;
- library compile + pipeline creation time, cold (empty PYMETAL_CACHE_DIR) and cached.

Writes a JSON file with the device, the date, the absolute figures and the ratios, plus the
targets (vector add >= 0.9x numpy bandwidth, blur >= 10x SciPy, cached compile <= 5 ms,
cold compile <= 1 s) and whether each was met. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

VECTOR_ADD = """
#include <metal_stdlib>
using namespace metal;
kernel void vector_add(device const float* a [[buffer(0)]], device const float* b [[buffer(1)]],
                       device float* c [[buffer(2)]], uint i [[thread_position_in_grid]]) {
    c[i] = a[i] + b[i];
}
"""

BLUR = """
#include <metal_stdlib>
using namespace metal;
constant float W[5] = {W0};

// The 5x5 Gaussian is the outer product of a 5-tap kernel W: out = sum_dy W[dy] * sum_dx W[dx] * in.
// Outside the image reads the nearest edge pixel (scipy's mode="nearest"): rows are clamped to the
// image, and so are columns (at x == 1 the tap at x - 2 reads the row's first pixel, p[-1]).
// Written without branches (loads and the store are guarded by selects) so that the CPU backend
// vectorises it across the threads of a row; the image is at least 1x1.
kernel void blur5x5(device const float* input [[buffer(0)]], device float* output [[buffer(1)]],
                 constant uint2& size [[buffer(3)]], uint2 gid [[thread_position_in_grid]]) {
    uint w = size.x, h = size.y, x = gid.x, y = gid.y;
    bool l1 = x >= 1, l2 = x >= 2, c0 = x < w, r1 = x + 1 < w, r2 = x + 2 < w;
    float sum = 0.0f;
    #pragma unroll
    for (int dy = 0; dy < 5; ++dy) {
        device const float* p = input + uint(clamp(int(y) + dy - 2, 0, max(int(h) - 1, 0))) * w + x;
        float c = c0 ? p[0] : 0.0f;
        float a = l1 && c0 ? p[-1] : c;
        float b = l2 && c0 ? p[-2] : a;
        float d = r1 ? p[1] : c;
        float e = r2 ? p[2] : d;
        sum += W[dy] * (W[0] * b + W[1] * a + W[2] * c + W[3] * d + W[4] * e);
    }
    if (x < w && y < h) {
        device float* out = output + y * w;
        out[x] = sum;
    }
}
"""

SGEMM = """
#include <metal_stdlib>
using namespace metal;
kernel void sgemm_naive(device const float* A [[buffer(0)]], device const float* B [[buffer(1)]],
                        device float* C [[buffer(2)]], constant uint3& d [[buffer(3)]],
                        uint2 gid [[thread_position_in_grid]]) {
    if (gid.y >= d.x || gid.x >= d.y) return;
    float s = 0.0f;
    for (uint k = 0; k < d.z; ++k) s += A[gid.y * d.z + k] * B[k * d.y + gid.x];
    C[gid.y * d.y + gid.x] = s;
}
kernel void sgemm_tiled(device const float* A [[buffer(0)]], device const float* B [[buffer(1)]],
                        device float* C [[buffer(2)]], constant uint3& d [[buffer(3)]],
                        uint2 gid [[thread_position_in_grid]], uint2 tid [[thread_position_in_threadgroup]]) {
    threadgroup float As[16][16];
    threadgroup float Bs[16][16];
    float s = 0.0f;
    for (uint t = 0; t < d.z; t += 16) {
        As[tid.y][tid.x] = (gid.y < d.x && t + tid.x < d.z) ? A[gid.y * d.z + t + tid.x] : 0.0f;
        Bs[tid.y][tid.x] = (t + tid.y < d.z && gid.x < d.y) ? B[(t + tid.y) * d.y + gid.x] : 0.0f;
        threadgroup_barrier(mem_flags::mem_threadgroup);
        for (uint k = 0; k < 16; ++k) s += As[tid.y][k] * Bs[k][tid.x];
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    if (gid.y < d.x && gid.x < d.y) C[gid.y * d.y + gid.x] = s;
}
"""

COMPILE_PROBE = r"""
import json, sys, time
import pymetal as pm
src = sys.argv[1]
dev = pm.create_system_default_device()
t0 = time.perf_counter()
lib = dev.new_library_with_source(src)
pso = dev.new_compute_pipeline_state(lib.new_function("probe"))
t1 = time.perf_counter()
print(json.dumps({"seconds": t1 - t0}))
"""


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def rel_err(a, e):
    a = np.asarray(a, np.float64)
    e = np.asarray(e, np.float64)
    return float(np.linalg.norm(a - e) / max(np.linalg.norm(e), 1e-300))


class Runner:
    def __init__(self, pm, device):
        self.pm = pm
        self.device = device
        self.queue = device.new_command_queue()

    def pipeline(self, src, name):
        lib = self.device.new_library_with_source(src)
        return self.device.new_compute_pipeline_state(lib.new_function(name))

    def dispatch(self, pso, buffers, grid, group, bytes_args=(), mode="threadgroups"):
        cb = self.queue.command_buffer()
        e = cb.compute_command_encoder()
        e.set_compute_pipeline_state(pso)
        for i, b in enumerate(buffers):
            e.set_buffer(b, 0, i)
        for idx, data in bytes_args:
            e.set_bytes(data, idx)
        if mode == "threads":
            e.dispatch_threads(*grid, *group)
        else:
            e.dispatch_threadgroups(*grid, *group)
        e.end_encoding()
        cb.commit()
        cb.wait_until_completed()


def bench_vector_add(r, n, repeats):
    pm = r.pm
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n, dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    ba = r.device.new_buffer_with_data(a, pm.ResourceStorageModeShared)
    bb = r.device.new_buffer_with_data(b, pm.ResourceStorageModeShared)
    bc = r.device.new_buffer(n * 4, pm.ResourceStorageModeShared)
    c = np.frombuffer(bc.contents(), np.float32)
    c[:] = np.nan
    pso = r.pipeline(VECTOR_ADD, "vector_add")
    run = lambda: r.dispatch(pso, [ba, bb, bc], (n // 256, 1, 1), (256, 1, 1))  # noqa: E731
    run()
    ok = bool(np.array_equal(c, a + b))
    out = np.empty_like(a)
    t_np = best_of(lambda: np.add(a, b, out=out), repeats)
    t_pm = best_of(run, repeats)
    gb = 3 * n * 4 / 1e9
    return {
        "n": n, "verified": ok,
        "numpy_ms": t_np * 1e3, "pymetal_ms": t_pm * 1e3,
        "numpy_GBps": gb / t_np, "pymetal_GBps": gb / t_pm,
        "bandwidth_ratio": t_np / t_pm,
    }


def bench_blur(r, n, repeats):
    from scipy import ndimage

    pm = r.pm
    rng = np.random.default_rng(1)
    img = rng.random((n, n), dtype=np.float32)
    ax = np.arange(5) - 2
    g = np.exp(-(ax**2) / 2.0)
    g = (g / g.sum()).astype(np.float32)
    k = np.outer(g, g).astype(np.float32)
    src = BLUR.replace("{W0}", "{" + ", ".join(f"{v!r}f" for v in g.tolist()) + "}")
    bi = r.device.new_buffer_with_data(img, pm.ResourceStorageModeShared)
    bo = r.device.new_buffer(img.nbytes, pm.ResourceStorageModeShared)
    out = np.frombuffer(bo.contents(), np.float32).reshape(n, n)
    out[...] = np.nan
    pso = r.pipeline(src, "blur5x5")
    size = np.array([n, n], np.uint32).tobytes()
    run = lambda: r.dispatch(pso, [bi, bo], ((n + 15) // 16, (n + 15) // 16, 1), (16, 16, 1), [(3, size)])  # noqa: E731
    run()
    ref = ndimage.convolve(img.astype(np.float64), np.outer(g, g).astype(np.float64), mode="nearest")
    err = rel_err(out, ref)
    t_sp = best_of(lambda: ndimage.convolve(img, k, mode="nearest"), max(1, repeats // 2))
    t_pm = best_of(run, repeats)
    return {
        "n": n, "verified": err < 1e-5, "rel_error": err,
        "scipy_ms": t_sp * 1e3, "pymetal_ms": t_pm * 1e3,
        "pymetal_Mpix_per_s": n * n / t_pm / 1e6,
        "speedup_vs_scipy": t_sp / t_pm,
    }


def bench_sgemm(r, n, repeats, which):
    pm = r.pm
    rng = np.random.default_rng(2)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    ba = r.device.new_buffer_with_data(a, pm.ResourceStorageModeShared)
    bb = r.device.new_buffer_with_data(b, pm.ResourceStorageModeShared)
    bc = r.device.new_buffer(n * n * 4, pm.ResourceStorageModeShared)
    c = np.frombuffer(bc.contents(), np.float32).reshape(n, n)
    c[...] = np.nan
    pso = r.pipeline(SGEMM, f"sgemm_{which}")
    dims = np.array([n, n, n, 0], np.uint32).tobytes()
    run = lambda: r.dispatch(pso, [ba, bb, bc], ((n + 15) // 16, (n + 15) // 16, 1), (16, 16, 1), [(3, dims)])  # noqa: E731
    t_first = best_of(run, 1)
    err = rel_err(c, a.astype(np.float64) @ b.astype(np.float64))
    t_np = best_of(lambda: a @ b, 5)
    t_pm = min(t_first, best_of(run, repeats)) if repeats > 0 else t_first
    flops = 2.0 * n**3
    return {
        "n": n, "verified": err < 1e-5, "rel_error": err,
        "numpy_ms": t_np * 1e3, "pymetal_ms": t_pm * 1e3,
        "numpy_GFLOPs": flops / t_np / 1e9, "pymetal_GFLOPs": flops / t_pm / 1e9,
        "ratio_vs_numpy": t_np / t_pm,
    }


def bench_compile(r, repeats):
    """Cold: a fresh process with an empty PYMETAL_CACHE_DIR. Cached: the same source again,
    in this process (in-memory/disk cache) and in a fresh process sharing the cache dir."""
    stamp = f"{time.time_ns()}"
    src = VECTOR_ADD.replace("vector_add", "probe").replace("a[i] + b[i]", f"a[i] + b[i] * 1.0f /* {stamp} */")
    res = {}
    with tempfile.TemporaryDirectory(prefix="pymetal-bench-cache-") as cache:
        env = dict(os.environ, PYMETAL_CACHE_DIR=cache)

        def probe():
            out = subprocess.run([sys.executable, "-c", COMPILE_PROBE, src], env=env, capture_output=True, text=True, timeout=600)
            if out.returncode != 0:
                raise RuntimeError(out.stderr.strip()[-2000:])
            return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]

        res["cold_s"] = probe()
        res["cached_fresh_process_s"] = min(probe() for _ in range(max(1, repeats // 2)))
        old = os.environ.get("PYMETAL_CACHE_DIR")
        os.environ["PYMETAL_CACHE_DIR"] = cache
        try:
            def in_process():
                lib = r.device.new_library_with_source(src)
                r.device.new_compute_pipeline_state(lib.new_function("probe"))

            in_process()
            res["cached_in_process_s"] = best_of(in_process, max(3, repeats))
        finally:
            if old is None:
                os.environ.pop("PYMETAL_CACHE_DIR", None)
            else:
                os.environ["PYMETAL_CACHE_DIR"] = old
    res["cached_s"] = min(res["cached_in_process_s"], res["cached_fresh_process_s"])
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--out", default=str(HERE / "results" / "cpu-latest.json"))
    p.add_argument("--skip", default="", help="comma list of: vadd,blur,naive,tiled,compile")
    args = p.parse_args(argv)
    import pymetal as pm

    skip = set(filter(None, args.skip.split(",")))
    device = None
    for d in pm.copy_all_devices():
        n = d.name.lower()
        if "cuda" not in n and "nvidia" not in n:
            device = d
            break
    device = device or pm.create_system_default_device()
    r = Runner(pm, device)
    repeats = args.repeats or (3 if args.quick else 7)
    results = {
        "device": device.name,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
                 "numpy": np.__version__, "pymetal": getattr(pm, "__version__", "?")},
        "quick": args.quick,
    }
    print(f"Device: {device.name}  (repeats: best of {repeats})", flush=True)

    def section(name, fn):
        if name in skip:
            return
        try:
            t0 = time.perf_counter()
            results[name] = fn()
            results[name]["bench_wall_s"] = round(time.perf_counter() - t0, 2)
        except Exception as e:  # noqa: BLE001 - a failing section is reported, not fatal
            results[name] = {"error": f"{type(e).__name__}: {e}"}
        print(f"{name}: {json.dumps(results[name])}", flush=True)

    section("vector_add", lambda: bench_vector_add(r, 1 << (22 if args.quick else 26), repeats))
    section("blur", lambda: bench_blur(r, 1024 if args.quick else 4096, repeats))
    section("sgemm_naive", lambda: bench_sgemm(r, 256 if args.quick else 1024, max(1, repeats // 3), "naive"))
    section("sgemm_tiled", lambda: bench_sgemm(r, 256 if args.quick else 1024, max(0, repeats // 3 - 1), "tiled"))
    section("compile", lambda: bench_compile(r, repeats))

    targets = {}
    v = results.get("vector_add", {})
    if "bandwidth_ratio" in v:
        targets["vector_add_bandwidth_ratio>=0.9"] = {"value": round(v["bandwidth_ratio"], 3), "met": v["bandwidth_ratio"] >= 0.9}
    b = results.get("blur", {})
    if "speedup_vs_scipy" in b:
        targets["blur_speedup_vs_scipy>=10"] = {"value": round(b["speedup_vs_scipy"], 2), "met": b["speedup_vs_scipy"] >= 10}
    c = results.get("compile", {})
    if "cached_s" in c:
        targets["cached_compile_ms<=5"] = {"value": round(c["cached_s"] * 1e3, 3), "met": c["cached_s"] <= 0.005}
        targets["cold_compile_s<=1"] = {"value": round(c["cold_s"], 3), "met": c["cold_s"] <= 1.0}
    results["targets"] = targets
    results["ratios"] = {
        "vector_add_bandwidth_vs_numpy": v.get("bandwidth_ratio"),
        "blur_speedup_vs_scipy": b.get("speedup_vs_scipy"),
        "sgemm_naive_vs_numpy": results.get("sgemm_naive", {}).get("ratio_vs_numpy"),
        "sgemm_tiled_vs_numpy": results.get("sgemm_tiled", {}).get("ratio_vs_numpy"),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("\nTargets:")
    for k, t in targets.items():
        print(f"  {k:<36} {t['value']!s:>10}  {'met' if t['met'] else 'NOT met'}")
    print(f"wrote {out}")
    unverified = [k for k, val in results.items() if isinstance(val, dict) and val.get("verified") is False]
    if unverified:
        print(f"WARNING: wrong results in {unverified}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
