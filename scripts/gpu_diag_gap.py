"""Where does the vadd/blur gap against CuPy come from? Variants timed in interleaved
rounds (so clock ramps hit both sides alike), each a batch of launches + one sync, best of 5.

  cupy            the benchmark's CuPy kernel on CuPy arrays
  cupy-on-ours    the same CuPy kernel on our Private buffers (allocation effects)
  cupy-nptr       CuPy kernel reading n / the image size through a pointer, as our wrapper does
  ours            the benchmark's MSL kernel through pymetal
  ours-lit        MSL kernel with n / the size as compile-time literals (no argument load)
Run on the GPU machine: PYMETAL_DEVICE=cuda python scripts/gpu_diag_gap.py
"""
import os
import sys
import time

import numpy as np

os.environ.setdefault("PYMETAL_DEVICE", "cuda")
import cupy as cp  # noqa: E402
import pymetal as pm  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import gpu as B  # noqa: E402  (the benchmark's kernels, MSL and CUDA C)

N = 1 << 28
W = H = 4096


def kernel(src, name):
    """The text of kernel `name` (up to the next kernel) in `src`."""
    start = src.index(f" {name}(")
    start = src.rindex("\n", 0, start) + 1
    ends = [e for e in (src.find("\nkernel ", start + 1), src.find('\nextern "C"', start + 1)) if e > 0]
    return src[start : min(ends) if ends else len(src)]


# The benchmark's kernels, plus MSL variants with the scalar arguments as literals, and CUDA
# variants reading them through a pointer as our wrapper does.
MSL = (
    "#include <metal_stdlib>\nusing namespace metal;\n"
    + kernel(B.MSL, "vadd")
    + kernel(B.MSL, "vadd").replace("vadd(", "vadd_lit(").replace(
        "device float* c [[buffer(2)]], constant uint& n [[buffer(3)]]", "device float* c [[buffer(2)]]"
    ).replace("i < n", f"i < {N}u")
    + kernel(B.MSL, "blur5")
    + kernel(B.MSL, "blur5").replace("blur5(", "blur5_lit(").replace(
        ", constant uint2& size [[buffer(3)]]", ""
    ).replace("{\n", f"{{\n    const uint2 size = uint2({W}u, {H}u);\n", 1)
)
CUDA = (
    kernel(B.CUDA, "vadd")
    + kernel(B.CUDA, "vadd").replace("vadd(", "vadd_nptr(").replace("unsigned n)", "const unsigned* np)").replace(
        "i < n", "i < *np"
    )
    + kernel(B.CUDA, "blur5")
    + kernel(B.CUDA, "blur5").replace("blur5(", "blur5_nptr(").replace(
        "unsigned W, unsigned H) {", "const unsigned* size) {\n    unsigned W = size[0], H = size[1];"
    )
)


def cupy_time(fn, reps):
    cp.cuda.runtime.deviceSynchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    cp.cuda.runtime.deviceSynchronize()
    return (time.perf_counter() - t0) / reps


def main():
    dev = pm.create_system_default_device()
    print("device:", dev.name)
    q = dev.new_command_queue()
    lib = dev.new_library_with_source(MSL)
    pso = {n: dev.new_compute_pipeline_state(lib.new_function(n)) for n in ("vadd", "vadd_lit", "blur5", "blur5_lit")}
    mod = cp.RawModule(code=CUDA)
    ck = {n: mod.get_function(n) for n in ("vadd", "vadd_nptr", "blur5", "blur5_nptr")}

    def ours(name, bufs, grid, tg, bytes_args, reps):
        cmd = q.command_buffer()
        enc = cmd.compute_command_encoder()
        enc.set_compute_pipeline_state(pso[name])
        for i, b in enumerate(bufs):
            enc.set_buffer(b, 0, i)
        for i, d in bytes_args:
            enc.set_bytes(d, i)
        for _ in range(reps):
            enc.dispatch_threads(*grid, *tg)
        enc.end_encoding()
        t0 = time.perf_counter()
        cmd.commit()
        cmd.wait_until_completed()
        assert cmd.status == pm.CommandBufferStatus.Completed, cmd.error
        return (time.perf_counter() - t0) / reps

    rng = np.random.default_rng(1)
    a = rng.standard_normal(N, dtype=np.float32)
    b = rng.standard_normal(N, dtype=np.float32)
    da, db, dc = cp.asarray(a), cp.asarray(b), cp.empty(N, np.float32)
    pa, pb, pc = (dev.new_buffer(a.nbytes, pm.ResourceStorageModePrivate) for _ in range(3))
    va, vb, vc = cp.asarray(pa).view(cp.float32), cp.asarray(pb).view(cp.float32), cp.asarray(pc).view(cp.float32)
    va[:] = da
    vb[:] = db
    dn = cp.asarray(np.array([N], np.uint32))
    nb = np.uint32(N).tobytes()
    g = ((N + 255) // 256,)
    reps = 20
    variants = {
        "cupy": lambda: cupy_time(lambda: ck["vadd"](g, (256,), (da, db, dc, np.uint32(N))), reps),
        "cupy-on-ours": lambda: cupy_time(lambda: ck["vadd"](g, (256,), (va, vb, vc, np.uint32(N))), reps),
        "cupy-nptr": lambda: cupy_time(lambda: ck["vadd_nptr"](g, (256,), (da, db, dc, dn)), reps),
        "ours": lambda: ours("vadd", [pa, pb, pc], (N, 1, 1), (256, 1, 1), [(3, nb)], reps),
        "ours-lit": lambda: ours("vadd_lit", [pa, pb, pc], (N, 1, 1), (256, 1, 1), [], reps),
    }
    report("vadd 2^28 (GB/s)", variants, lambda t: 3 * a.nbytes / t / 1e9)
    vc[:] = 0
    ours("vadd", [pa, pb, pc], (N, 1, 1), (256, 1, 1), [(3, nb)], 1)
    print("vadd ours correct:", bool(cp.allclose(vc, da + db)))
    del va, vb, vc, pa, pb, pc, da, db, dc

    img = rng.random((H, W), dtype=np.float32)
    w = rng.random(25, dtype=np.float32)
    ds, dd, dw = cp.asarray(img), cp.empty((H, W), np.float32), cp.asarray(w)
    ps, pd, pw = (dev.new_buffer(n, pm.ResourceStorageModePrivate) for n in (img.nbytes, img.nbytes, w.nbytes))
    cp.asarray(ps).view(cp.float32)[:] = ds.ravel()
    cp.asarray(pw).view(cp.float32)[:] = dw
    dsize = cp.asarray(np.array([W, H], np.uint32))
    sb = np.array([W, H], np.uint32).tobytes()
    g2 = ((W + 15) // 16, (H + 15) // 16)
    variants = {
        "cupy": lambda: cupy_time(lambda: ck["blur5"](g2, (16, 16), (ds, dd, dw, np.uint32(W), np.uint32(H))), reps),
        "cupy-nptr": lambda: cupy_time(lambda: ck["blur5_nptr"](g2, (16, 16), (ds, dd, dw, dsize)), reps),
        "ours": lambda: ours("blur5", [ps, pd, pw], (W, H, 1), (16, 16, 1), [(3, sb)], reps),
        "ours-lit": lambda: ours("blur5_lit", [ps, pd, pw], (W, H, 1), (16, 16, 1), [], reps),
    }
    report("blur 4096^2 (Gpix/s)", variants, lambda t: W * H / t / 1e9)
    ck["blur5"](g2, (16, 16), (ds, dd, dw, np.uint32(W), np.uint32(H)))
    ours("blur5", [ps, pd, pw], (W, H, 1), (16, 16, 1), [(3, sb)], 1)
    print("blur ours == cupy:", bool(cp.allclose(cp.asarray(pd).view(cp.float32).reshape(H, W), dd, rtol=1e-5)))


def report(title, variants, rate):
    best = {k: float("inf") for k in variants}
    for rnd in range(6):
        order = list(variants) if rnd % 2 == 0 else list(reversed(variants))
        for k in order:
            variants[k]()  # warm
            best[k] = min(best[k], variants[k]())
    base = best["cupy"]
    print(f"== {title}")
    for k, t in best.items():
        print(f"  {k:14s} {rate(t):9.1f}   ratio vs cupy {base / t:.3f}")


if __name__ == "__main__":
    main()
