"""Why does bench/gpu.py's commit+wait of the tiny kernel read ~314 µs on an H100 when a
fresh process reads ~10.5 µs? Times the tiny kernel after each section of the benchmark."""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
os.environ.setdefault("PYMETAL_DEVICE", "cuda")
import gpu as B  # noqa: E402

o = B.Ours()
x = o.buf(np.zeros(256, np.float32))


def tiny(label):
    lat = [o.run("tiny", [x], (256, 1, 1), (256, 1, 1)) for _ in range(100)]
    print(f"{label:40s} tiny commit+wait median {np.median(lat[10:]) * 1e6:8.1f} us", flush=True)


tiny("fresh")
n = 1 << 26
a = o.buf(np.ones(n, np.float32))
c = o.empty(4 * n)
o.run("vadd", [a, a, c], (n, 1, 1), (256, 1, 1), repeat=5, bytes_args=[(3, np.uint32(n).tobytes())])
tiny("after vadd (Private, set_bytes)")
sa = o.buf(np.ones(n, np.float32), B.pm.ResourceStorageModeShared)
o.run("vadd", [sa, sa, sa], (n, 1, 1), (256, 1, 1), repeat=5, bytes_args=[(3, np.uint32(n).tobytes())])
tiny("after vadd on Shared buffers")
del sa
tiny("after freeing the Shared buffer")
N = 1024
A = o.buf(np.ones((N, N), np.float32))
C = o.empty(4 * N * N)
o.run("sgemm_tiled", [A, A, C], (N, N, 1), (16, 16, 1), repeat=5, bytes_args=[(3, np.uint32(N).tobytes())])
tiny("after sgemm")
_ = np.ones((2048, 2048)) @ np.ones((2048, 2048))
tiny("after a numpy matmul")
import cupy as cp  # noqa: E402

d = cp.zeros(256, np.float32)
d += 1
cp.cuda.runtime.deviceSynchronize()
tiny("after a CuPy kernel (same process)")
img = cp.asarray(np.ones((4096, 4096), np.float32))
k = cp.RawModule(code=B.CUDA).get_function("blur5")
k(((4096 + 15) // 16, (4096 + 15) // 16), (16, 16), (img, img.copy(), cp.ones(25, np.float32), np.uint32(4096), np.uint32(4096)))
cp.cuda.runtime.deviceSynchronize()
tiny("after a CuPy RawModule blur")
