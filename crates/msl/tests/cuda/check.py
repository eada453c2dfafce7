#!/usr/bin/env python3
"""Compiles `mslc --target cuda` output with NVRTC and runs one kernel through the ABI.

Usage (repository root, on a machine with an NVIDIA GPU, libcuda and libnvrtc):
    python3 crates/msl/tests/cuda/check.py DIR
DIR holds NAME.cu files made by `mslc --target cuda FILE.metal` (all kernels of FILE) and
`vector_add.cu` made with `--entry add_float`; the latter is launched (pm_entry_0) over a
clipped grid and checked. Exit status 0 when everything passed."""
import ctypes
import glob
import os
import struct
import sys
import site


def load(pats, names):
    for pat in pats:
        for p in sorted(glob.glob(pat), reverse=True):
            try:
                return ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL)
            except OSError:
                pass
    for n in names:
        try:
            return ctypes.CDLL(n, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            pass
    sys.exit("library not found: %s" % names)


dirs = site.getsitepackages() + [site.getusersitepackages()]
pats = []
for d in dirs:
    pats += [os.path.join(d, "nvidia/cu13/lib/libnvrtc.so.13"), os.path.join(d, "nvidia/cuda_nvrtc/lib/libnvrtc.so.12")]
pats += ["/usr/local/cuda*/lib64/libnvrtc.so*"]
nvrtc = load(pats, ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"])
cuda = ctypes.CDLL("libcuda.so.1")


def ck(r, what):
    if r != 0:
        sys.exit("%s failed: %d" % (what, r))


ck(cuda.cuInit(0), "cuInit")
dev = ctypes.c_int()
ck(cuda.cuDeviceGet(ctypes.byref(dev), 0), "cuDeviceGet")
major, minor = ctypes.c_int(), ctypes.c_int()
cuda.cuDeviceGetAttribute(ctypes.byref(major), 75, dev)
cuda.cuDeviceGetAttribute(ctypes.byref(minor), 76, dev)
arch = "%d%d" % (major.value, minor.value)
ctx = ctypes.c_void_p()
ck(cuda.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev), "ctx")
ck(cuda.cuCtxSetCurrent(ctx), "ctx set")


def compile_cubin(src, name):
    prog = ctypes.c_void_p()
    ck(nvrtc.nvrtcCreateProgram(ctypes.byref(prog), src.encode(), name.encode(), 0, None, None), "create")
    opts = [b"-default-device", b"-std=c++17", ("--gpu-architecture=sm_%s" % arch).encode()]
    arr = (ctypes.c_char_p * len(opts))(*opts)
    r = nvrtc.nvrtcCompileProgram(prog, len(opts), arr)
    n = ctypes.c_size_t()
    nvrtc.nvrtcGetProgramLogSize(prog, ctypes.byref(n))
    log = ctypes.create_string_buffer(n.value)
    nvrtc.nvrtcGetProgramLog(prog, log)
    if r != 0:
        return None, log.value.decode(errors="replace")
    nvrtc.nvrtcGetCUBINSize(prog, ctypes.byref(n))
    cubin = ctypes.create_string_buffer(n.value)
    nvrtc.nvrtcGetCUBIN(prog, cubin)
    return cubin, log.value.decode(errors="replace")


def run_vector_add(cubin):
    mod = ctypes.c_void_p()
    ck(cuda.cuModuleLoadData(ctypes.byref(mod), cubin), "load")
    fn = ctypes.c_void_p()
    ck(cuda.cuModuleGetFunction(ctypes.byref(fn), mod, b"pm_entry_0"), "get function")
    n, tg = 1000, 64
    a = struct.pack("%df" % n, *[float(i) for i in range(n)])
    b = struct.pack("%df" % n, *[2.0 * i for i in range(n)])
    bufs = []
    for data in (a, b, b"\0" * (4 * n), struct.pack("I", n)):
        p = ctypes.c_uint64()
        ck(cuda.cuMemAlloc_v2(ctypes.byref(p), len(data)), "alloc")
        ck(cuda.cuMemcpyHtoD_v2(p, data, len(data)), "htod")
        bufs.append(p.value)
    groups = (n + tg - 1) // tg
    # pm_dispatch: void *buffers[32]; uint threadgroups[3], tg_size[3], threads[3], tg_arg_offset[32]
    d = struct.pack("32Q", *(bufs + [0] * (32 - len(bufs))))
    d += struct.pack("3I3I3I32I", groups, 1, 1, tg, 1, 1, n, 1, 1, *([0] * 32))
    d += b"\0" * (-len(d) % 8)
    dbuf = ctypes.create_string_buffer(d, len(d))
    params = (ctypes.c_void_p * 1)(ctypes.cast(dbuf, ctypes.c_void_p))
    ck(cuda.cuLaunchKernel(fn, groups, 1, 1, tg, 1, 1, 0, None, params, None), "launch")
    ck(cuda.cuCtxSynchronize(), "sync")
    out = ctypes.create_string_buffer(4 * n)
    ck(cuda.cuMemcpyDtoH_v2(out, ctypes.c_uint64(bufs[2]), 4 * n), "dtoh")
    vals = struct.unpack("%df" % n, out.raw)
    bad = [i for i in range(n) if vals[i] != 3.0 * i]
    return not bad, "first bad: %s" % bad[:5]


def main():
    d = sys.argv[1]
    ok = True
    for path in sorted(glob.glob(os.path.join(d, "*.cu"))):
        name = os.path.basename(path)
        cubin, log = compile_cubin(open(path).read(), name)
        if cubin is None:
            ok = False
            print("FAIL compile %s\n%s" % (name, "\n".join(log.splitlines()[:25])))
            continue
        print("ok   compile %s" % name)
        if name == "vector_add.cu":
            good, why = run_vector_add(cubin)
            print(("ok   run vector_add" if good else "FAIL run vector_add: " + why))
            ok = ok and good
    sys.exit(0 if ok else 1)


main()
