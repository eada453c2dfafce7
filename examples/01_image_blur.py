"""Gaussian blur (5x5) as a compute kernel, against scipy.ndimage.convolve.

Each thread computes one output pixel from its 5x5 neighbourhood (the Gaussian is separable, so
each row of 5 taps is weighted once more per row), reading outside the image as the nearest edge
pixel (scipy's mode="nearest"). Sizes 256x256 to 4096x4096; every result
is verified against SciPy and the timings are printed as a table.
"""

import sys
import time

import numpy as np

import pymetal as pm

try:
    from scipy import ndimage
except ImportError:  # pragma: no cover
    print("This example needs SciPy: pip install scipy")
    sys.exit(2)

SHADER_TEMPLATE = """
#include <metal_stdlib>
using namespace metal;

// The 5x5 Gaussian is separable: its weights are the outer product of a 5-tap kernel W,
// so out(x, y) = sum_dy W[dy] * sum_dx W[dx] * in(x + dx, y + dy).
constant float W[5] = {WEIGHTS};

struct BlurParams {
    uint width;
    uint height;
};

// Outside the image reads the nearest edge pixel (scipy's mode="nearest"): rows are clamped to
// the image, and so are columns (at x == 1 the tap at x - 2 reads the row's first pixel, p[-1]).
// Written without branches (loads and the store are guarded by selects): on the CPU backend the
// threads of a row then run as SIMD vectors. The image is at least 1x1.
kernel void gaussian_blur_5x5(
    device const float* input    [[buffer(0)]],
    device float* output         [[buffer(1)]],
    constant BlurParams& params  [[buffer(2)]],
    uint2 gid [[thread_position_in_grid]])
{
    uint w = params.width;
    uint h = params.height;
    uint x = gid.x;
    uint y = gid.y;
    bool l1 = x >= 1, l2 = x >= 2, c0 = x < w, r1 = x + 1 < w, r2 = x + 2 < w;
    float sum = 0.0f;
    #pragma unroll
    for (int dy = 0; dy < 5; ++dy) {
        device const float* p = input + uint(clamp(int(y) + dy - 2, 0, max(int(h) - 1, 0))) * w + x;
        float c = c0 ? p[0] : 0.0f;          // in(x, y + dy - 2)
        float a = l1 && c0 ? p[-1] : c;      // in(x - 1, ...), or the edge pixel
        float b = l2 && c0 ? p[-2] : a;      // in(x - 2, ...)
        float d = r1 ? p[1] : c;             // in(x + 1, ...)
        float e = r2 ? p[2] : d;             // in(x + 2, ...)
        sum += W[dy] * (W[0] * b + W[1] * a + W[2] * c + W[3] * d + W[4] * e);
    }
    if (x < w && y < h) {
        device float* out = output + y * w;
        out[x] = sum;
    }
}
"""

SIZES = [("Small", 256), ("Medium", 512), ("Large", 1024), ("Huge", 2048), ("Massive", 4096)]


def gaussian_taps(size=5, sigma=1.0):
    ax = np.arange(size) - size // 2
    g = np.exp(-(ax**2) / (2 * sigma**2))
    return (g / g.sum()).astype(np.float32)


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
    taps = gaussian_taps()
    weights = np.outer(taps, taps)  # the 5x5 kernel SciPy gets
    shader = SHADER_TEMPLATE.replace("{WEIGHTS}", "{" + ", ".join(f"{float(t)!r}f" for t in taps) + "}")
    library = device.new_library_with_source(shader)
    pipeline = device.new_compute_pipeline_state(library.new_function("gaussian_blur_5x5"))
    rng = np.random.default_rng(0)
    ok = True
    rows = []
    for label, n in SIZES:
        image = rng.random((n, n), dtype=np.float32)
        in_buf = device.new_buffer_with_data(image, pm.ResourceStorageModeShared)
        out_buf = device.new_buffer(image.nbytes, pm.ResourceStorageModeShared)
        out = np.frombuffer(out_buf.contents(), dtype=np.float32).reshape(n, n)
        out[...] = np.nan  # poison: every pixel must be written
        params = np.array([n, n], dtype=np.uint32).tobytes()

        def gpu_blur():
            cb = queue.command_buffer()
            enc = cb.compute_command_encoder()
            enc.set_compute_pipeline_state(pipeline)
            enc.set_buffer(in_buf, 0, 0)
            enc.set_buffer(out_buf, 0, 1)
            enc.set_bytes(params, 2)
            enc.dispatch_threadgroups((n + 15) // 16, (n + 15) // 16, 1, 16, 16, 1)
            enc.end_encoding()
            cb.commit()
            cb.wait_until_completed()

        gpu_blur()
        result = out.copy()
        t_cpu = best_of(lambda: ndimage.convolve(image, weights, mode="nearest"), 1 if n >= 2048 else 3)
        expected = ndimage.convolve(image.astype(np.float64), weights.astype(np.float64), mode="nearest")
        err = float(np.linalg.norm(result - expected) / np.linalg.norm(expected))
        good = bool(np.isfinite(result).all()) and err < 1e-5
        ok &= good
        t_gpu = best_of(gpu_blur, 3)
        rows.append((f"{label} ({n}x{n})", t_cpu, t_gpu, err, good))

    print()
    print("Performance Comparison: SciPy (CPU) vs pymetal")
    print(f"{'Image':<22}{'SciPy ms':>12}{'pymetal ms':>13}{'Speedup':>10}{'rel. error':>13}  ok")
    for name, t_cpu, t_gpu, err, good in rows:
        print(f"{name:<22}{t_cpu * 1e3:>12.2f}{t_gpu * 1e3:>13.2f}{t_cpu / t_gpu:>9.2f}x{err:>13.2e}  {'yes' if good else 'NO'}")
    if not ok:
        print("FAILED: blur results differ from scipy.ndimage.convolve")
        return 1
    print("Verified: every blur matches scipy.ndimage.convolve(mode='nearest')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
