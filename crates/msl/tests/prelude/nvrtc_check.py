#!/usr/bin/env python3
"""Compiles the CUDA flavour of the prelude with NVRTC and runs its checks on the GPU.

Needs an NVIDIA GPU, libcuda and libnvrtc (e.g. the `nvidia-cuda-nvrtc` wheel); no CUDA
headers. Run from the repository root: python3 crates/msl/tests/prelude/nvrtc_check.py
1. all_functions.cpp (the CPU test TU) as one GPU thread: every function over every type,
   values included;
2. SIMD-group/quad/barrier/threadgroup-memory/atomic checks on real warps (2 warps/block);
3. the NVRTC compile time of a trivial kernel with the prelude.
Exit status 0 when everything passed."""
import ctypes
import glob
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PRELUDE = os.path.join(HERE, "..", "..", "prelude")


def prelude_source():
    """The CUDA prelude as msl::prelude::source(Target::Cuda) builds it."""
    done = {"target_cpu.h"}
    out = ["#define PM_TARGET_CUDA 1"]

    def expand(name):
        if name in done:
            return
        done.add(name)
        for line in open(os.path.join(PRELUDE, name)):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m and os.path.exists(os.path.join(PRELUDE, m.group(1))):
                expand(m.group(1))
            else:
                out.append(line.rstrip("\n"))

    expand("metal_stdlib.h")
    return "\n".join(out) + "\n"


def wrap(body, entries):
    """User code refers to MSL types as ::metal::T after translation; these hand-written
    tests use plain names, which NVRTC's own ::float4 etc. make ambiguous, so they are
    put in a namespace with using-declarations for the MSL type names."""
    names = ["half", "bfloat", "uchar", "ushort", "uint", "ulong", "size_t", "ptrdiff_t"]
    for s in ["bool", "char", "uchar", "short", "ushort", "int", "uint", "long", "ulong", "half", "bfloat", "float"]:
        for n in (2, 3, 4):
            names += [f"{s}{n}", f"packed_{s}{n}"]
    for s in ["float", "half", "bfloat"]:
        names += [f"{s}{c}x{r}" for c in (2, 3, 4) for r in (2, 3, 4)]
    uses = "".join(f"using ::metal::{n};" for n in names)
    return f"namespace pm_t {{\nusing namespace metal;\n{uses}\n{body}\n}}\n{entries}"


def find_lib(patterns):
    for pat in patterns:
        for p in sorted(glob.glob(pat), reverse=True):
            try:
                return ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL), p
            except OSError:
                pass
    return None, None


def load_nvrtc():
    pats = [os.environ.get("PYMETAL_NVRTC", "/nonexistent")]
    for d in sys.path:
        pats += [os.path.join(d, "nvidia/cu13/lib/libnvrtc.so.13"), os.path.join(d, "nvidia/cuda_nvrtc/lib/libnvrtc.so.12")]
    pats += ["/usr/local/cuda*/lib64/libnvrtc.so*", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"]
    lib, path = find_lib(pats)
    if lib is None:
        for name in ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"]:
            try:
                return ctypes.CDLL(name), name
            except OSError:
                pass
        sys.exit("libnvrtc not found")
    return lib, path


nvrtc, nvrtc_path = load_nvrtc()
cuda = ctypes.CDLL("libcuda.so.1")


def ck(r, what):
    if r != 0:
        s = ctypes.c_char_p()
        cuda.cuGetErrorString(r, ctypes.byref(s))
        raise RuntimeError(f"{what}: {r} {s.value}")


def compile_cubin(src, arch, name="k.cu"):
    prog = ctypes.c_void_p()
    assert nvrtc.nvrtcCreateProgram(ctypes.byref(prog), src.encode(), name.encode(), 0, None, None) == 0
    opts = [b"-default-device", b"-std=c++17", f"--gpu-architecture=sm_{arch}".encode()]
    arr = (ctypes.c_char_p * len(opts))(*opts)
    t0 = time.time()
    r = nvrtc.nvrtcCompileProgram(prog, len(opts), arr)
    dt = time.time() - t0
    n = ctypes.c_size_t()
    nvrtc.nvrtcGetProgramLogSize(prog, ctypes.byref(n))
    log = ctypes.create_string_buffer(n.value)
    nvrtc.nvrtcGetProgramLog(prog, log)
    text = log.value.decode(errors="replace")
    if r != 0:
        print(text[:6000])
        sys.exit(f"NVRTC failed on {name}")
    if text.strip():
        print(f"NVRTC log for {name}:\n{text[:4000]}")
    nvrtc.nvrtcGetCUBINSize(prog, ctypes.byref(n))
    cubin = ctypes.create_string_buffer(n.value)
    nvrtc.nvrtcGetCUBIN(prog, cubin)
    return cubin, dt


def launch(cubin, fname, grid, block, args):
    mod = ctypes.c_void_p()
    ck(cuda.cuModuleLoadData(ctypes.byref(mod), cubin), "cuModuleLoadData")
    fn = ctypes.c_void_p()
    ck(cuda.cuModuleGetFunction(ctypes.byref(fn), mod, fname.encode()), "cuModuleGetFunction")
    ptrs = (ctypes.c_void_p * len(args))(*[ctypes.cast(ctypes.byref(a), ctypes.c_void_p) for a in args])
    ck(cuda.cuLaunchKernel(fn, grid, 1, 1, block, 1, 1, 0, None, ptrs, None), "cuLaunchKernel")
    ck(cuda.cuCtxSynchronize(), "cuCtxSynchronize")


SIMD_KERNEL = r"""
#define CK(c) do { if (!(c) && out[flat] == 0) out[flat] = __LINE__; } while (0)
__device__ void simd_test(uint *out, uint *counter, float *fsum) {
    uint flat = threadIdx.x + blockIdx.x * blockDim.x;
    uint l = threadIdx.x % 32;
    CK(simd_sum(float(l)) == 496.0f);
    CK(simd_sum(int2(int(l), 1)).y == 32);
    CK(simd_max(l) == 31u && simd_min(l) == 0u && simd_product(l == 3 ? 2 : 1) == 2);
    CK(simd_prefix_exclusive_sum(l) == l * (l - 1) / 2 && simd_prefix_inclusive_sum(l) == l * (l + 1) / 2);
    CK(simd_prefix_exclusive_product(l < 4 ? 2u : 1u) == (1u << (l < 4 ? l : 4)));
    CK(simd_shuffle(l, ushort(31 - l)) == 31 - l && simd_broadcast(l * 2, ushort(5)) == 10u);
    CK(simd_shuffle_up(l, ushort(1)) == (l >= 1 ? l - 1 : l) && simd_shuffle_down(l, ushort(2)) == (l + 2 < 32 ? l + 2 : l));
    CK(simd_shuffle_xor(l, ushort(1)) == (l ^ 1u) && simd_shuffle_rotate_up(l, ushort(1)) == (l + 31) % 32);
    CK(simd_shuffle_rotate_down(l, ushort(3)) == (l + 3) % 32);
    CK(simd_shuffle_and_fill_up(l, 100 + l, ushort(2)) == (l >= 2 ? l - 2 : 100 + l + 30));
    CK(simd_shuffle_and_fill_down(l, 100 + l, ushort(2)) == (l + 2 < 32 ? l + 2 : 100 + l - 30));
    CK(simd_shuffle_and_fill_up(l, 100 + l, ushort(1), ushort(4)) == (l % 4 >= 1 ? l - 1 : 100 + l + 3));
    CK((ulong)simd_ballot(l % 2 == 0) == 0x55555555ul && simd_all(true) && simd_any(l == 3) && !simd_any(false));
    CK(simd_is_first() == (l == 0) && simd_broadcast_first(l + 7) == 7u);
    CK(quad_sum(l) == 4 * (l & ~3u) + 6 && quad_shuffle_xor(l, ushort(1)) == (l ^ 1u) && quad_broadcast(l, ushort(3)) == (l | 3u));
    CK(quad_prefix_exclusive_sum(1u) == l % 4 && (ushort)quad_ballot(l % 4 == 1) == 2);
    CK(quad_prefix_inclusive_product(2u) == (2u << (l % 4)));
    CK(all(simd_shuffle(float4(float(l), 1, 2, 3), ushort(0)) == float4(0, 1, 2, 3)));
    CK(simd_sum(half(1.0f)) == half(32.0f) && simd_max(half(float(l))) == half(31.0f));
    CK(all(simd_sum(half4(half(1.0f))) == half4(half(32.0f))));
    if (l < 20) { /* divergent: 20 active lanes */
        CK(simd_sum(1u) == 20u && simd_prefix_exclusive_sum(1u) == l && (ulong)simd_active_threads_mask() == 0xFFFFFul);
        CK(simd_max(l) == 19u && simd_broadcast_first(l) == 0u && simd_product(2.0f) == 1048576.0f);
    }
    using pm_tg_t_0 = uint[64];
    PM_TG_VAR(0, pm_tg_t_0, shared_);
    using pm_tg_t_1 = atomic_uint;
    PM_TG_VAR(1, pm_tg_t_1, tg_counter);
    if (threadIdx.x == 0) atomic_store_explicit(&tg_counter, 0u, memory_order_relaxed);
    shared_[threadIdx.x] = threadIdx.x;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    CK(shared_[63 - threadIdx.x] == 63 - threadIdx.x);
    atomic_fetch_add_explicit(&tg_counter, 1u, memory_order_relaxed);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    CK(atomic_load_explicit(&tg_counter, memory_order_relaxed) == 64u);
    simdgroup_barrier(mem_flags::mem_none);
    atomic_fetch_add_explicit((device atomic_uint *)&counter[0], 1u, memory_order_relaxed);
    atomic_fetch_max_explicit((device atomic_uint *)&counter[1], flat, memory_order_relaxed);
    atomic_fetch_min_explicit((device atomic_int *)&counter[2], -int(flat), memory_order_relaxed);
    atomic_fetch_add_explicit((device atomic_float *)fsum, 0.5f, memory_order_relaxed);
    atomic_fetch_max_explicit((device atomic_float *)(fsum + 1), float(flat), memory_order_relaxed);
    uint old = atomic_load_explicit((device atomic_uint *)&counter[3], memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit((device atomic_uint *)&counter[3], &old, old + 2u,
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
    atomic_fetch_or_explicit((device atomic_uint *)&counter[4], 1u << (flat % 32), memory_order_relaxed);
    atomic_store_explicit((device atomic_bool *)((unsigned char *)&counter[5] + (flat % 4)), true, memory_order_relaxed);
    atomic_fetch_add_explicit((device atomic<ulong> *)&counter[6], 1ul, memory_order_relaxed);
}
""".replace("device ", "")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--dump":
        print(prelude_source())
        return
    ck(cuda.cuInit(0), "cuInit")
    dev = ctypes.c_int()
    ck(cuda.cuDeviceGet(ctypes.byref(dev), 0), "cuDeviceGet")
    major, minor = ctypes.c_int(), ctypes.c_int()
    cuda.cuDeviceGetAttribute(ctypes.byref(major), 75, dev)
    cuda.cuDeviceGetAttribute(ctypes.byref(minor), 76, dev)
    arch = f"{major.value}{minor.value}"
    ctx = ctypes.c_void_p()
    ck(cuda.cuCtxCreate_v2(ctypes.byref(ctx), 0, dev), "cuCtxCreate")
    ver = (ctypes.c_int(), ctypes.c_int())
    nvrtc.nvrtcVersion(ctypes.byref(ver[0]), ctypes.byref(ver[1]))
    print(f"NVRTC {ver[0].value}.{ver[1].value} ({nvrtc_path}), sm_{arch}")
    pre = prelude_source()
    ok = True

    # 3. trivial kernel compile time
    triv = pre + 'extern "C" __global__ void k(float *a) { a[threadIdx.x] *= 2.0f; }\n'
    for i in range(2):
        _, dt = compile_cubin(triv, arch, "trivial.cu")
        print(f"NVRTC trivial kernel with the prelude: {dt:.3f} s")
    _, dt = compile_cubin('extern "C" __global__ void k(float *a) { a[threadIdx.x] *= 2.0f; }\n', arch, "bare.cu")
    print(f"NVRTC trivial kernel without the prelude: {dt:.3f} s")

    # 2. SIMD etc. on real warps
    entry = ('extern "C" __global__ void simd_test(unsigned *out, unsigned *counter, float *fsum) '
             '{ pm_t::simd_test(out, counter, fsum); }\n')
    cubin, dt = compile_cubin(pre + wrap(SIMD_KERNEL, entry), arch, "simd.cu")
    blocks, nt = 8, 64
    out, cnt, fs = ctypes.c_uint64(), ctypes.c_uint64(), ctypes.c_uint64()
    ck(cuda.cuMemAlloc_v2(ctypes.byref(out), 4 * blocks * nt), "alloc")
    ck(cuda.cuMemAlloc_v2(ctypes.byref(cnt), 64), "alloc")
    ck(cuda.cuMemAlloc_v2(ctypes.byref(fs), 8), "alloc")
    ck(cuda.cuMemsetD8_v2(out, 0, 4 * blocks * nt), "memset")
    ck(cuda.cuMemsetD8_v2(cnt, 0, 64), "memset")
    ck(cuda.cuMemsetD8_v2(fs, 0, 8), "memset")
    launch(cubin, "simd_test", blocks, nt, [out, cnt, fs])
    o = (ctypes.c_uint * (blocks * nt))()
    c = (ctypes.c_uint * 16)()
    f = (ctypes.c_float * 2)()
    ck(cuda.cuMemcpyDtoH_v2(o, out, 4 * blocks * nt), "dtoh")
    ck(cuda.cuMemcpyDtoH_v2(c, cnt, 64), "dtoh")
    ck(cuda.cuMemcpyDtoH_v2(f, fs, 8), "dtoh")
    bad = sorted({v for v in o if v})
    n = blocks * nt
    expect = [n, n - 1, (-(n - 1)) & 0xFFFFFFFF, 2 * n, 0xFFFFFFFF, 0x01010101, n, 0]
    got = list(c[:8])
    atom_ok = got == expect and f[0] == 0.5 * n and f[1] == n - 1
    print(f"simd/quad/barrier checks: {'passed' if not bad else 'FAILED at lines ' + str(bad)}")
    print(f"atomics: {'passed' if atom_ok else 'FAILED'} (got {got} {list(f)}, expected {expect})")
    ok &= not bad and atom_ok
    sys.stdout.flush()

    # 1. all_functions.cpp as one GPU thread (all_types, then values)
    body = open(os.path.join(HERE, "all_functions.cpp")).read()
    body = body.replace("static int failures = 0;", "__device__ int failures = 0;")
    body = body.replace("__builtin_printf", "printf")
    body = wrap(body, 'extern "C" __global__ void all_main(int *res, int which) {\n'
                      '    if (which == 0) pm_t::all_types(); else pm_t::values();\n'
                      '    *res = pm_t::failures;\n}\n')
    ck(cuda.cuCtxSetLimit(0, 64 * 1024), "cuCtxSetLimit(stack)")
    cubin, dt = compile_cubin(pre + body, arch, "all_functions.cu")
    print(f"NVRTC all_functions: {dt:.2f} s")
    res = ctypes.c_uint64()
    ck(cuda.cuMemAlloc_v2(ctypes.byref(res), 4), "alloc")
    for which, what in ((0, "all_types"), (1, "values")):
        ck(cuda.cuMemsetD8_v2(res, 0xFF, 4), "memset")
        try:
            launch(cubin, "all_main", 1, 1, [res, ctypes.c_int(which)])
        except RuntimeError as e:
            sys.stdout.flush()
            print(f"all_functions {what} on the GPU: launch failed: {e}")
            sys.exit(1)
        r = ctypes.c_int()
        ck(cuda.cuMemcpyDtoH_v2(ctypes.byref(r), res, 4), "dtoh")
        sys.stdout.flush()
        print(f"all_functions {what} on the GPU: {'passed' if r.value == 0 else 'FAILED'}")
        ok &= r.value == 0

    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
