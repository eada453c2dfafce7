"""Shared harness of the 02_matrix_multiply_* examples.

Each example keeps its own MSL kernel and launch geometry; this module does the rest:
buffer setup, dispatch, timing, verification against numpy (float64 reference) and the
results table. Import it from an example with

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _matmul
"""

import time

import numpy as np

import pymetal as pm


def best_of(fn, repeats):
    """The shortest wall time of `repeats` calls of `fn`, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def sizes(odd, huge=True):
    """The (label, M, N, K) products to run: square 128, 256, 512 (and 1024 if `huge`) and
    one `odd` (M, N, K) whose sides are not multiples of the block size."""
    m, n, k = odd
    out = [("Small", 128, 128, 128), ("Odd", m, n, k), ("Medium", 256, 256, 256), ("Large", 512, 512, 512)]
    return out + [("Huge", 1024, 1024, 1024)] if huge else out


def run(shader, kernel, sizes, *, seed, column, block, threads, repeats):
    """Multiplies random (M x K) @ (K x N) float32 matrices with `kernel` for every
    (label, M, N, K) in `sizes`, prints a table against numpy and returns the exit status
    (0 if every product matches numpy, 1 otherwise).

    The kernel takes A, B, C at buffer(0..2) and uint3 (M, N, K) at buffer(3). Each
    threadgroup of `threads` = (x, y) threads computes a `block` = (columns, rows) block
    of C. The Metal time is the best of `repeats` runs (of one run for products larger
    than 512x512x512); `column` heads its column.
    """
    device = pm.create_system_default_device()
    queue = device.new_command_queue()
    print(f"Device: {device.name}")
    library = device.new_library_with_source(shader)
    pipeline = device.new_compute_pipeline_state(library.new_function(kernel))
    rng = np.random.default_rng(seed)
    ok = True
    print(f"{'Size (MxNxK)':<24}{'NumPy ms':>10}{'GFLOPS':>9}{column:>11}{'GFLOPS':>9}{'rel. error':>12}  ok")
    for label, M, N, K in sizes:
        a = rng.standard_normal((M, K), dtype=np.float32)
        b = rng.standard_normal((K, N), dtype=np.float32)
        buf_a = device.new_buffer_with_data(a, pm.ResourceStorageModeShared)
        buf_b = device.new_buffer_with_data(b, pm.ResourceStorageModeShared)
        buf_c = device.new_buffer(M * N * 4, pm.ResourceStorageModeShared)
        c = np.frombuffer(buf_c.contents(), dtype=np.float32).reshape(M, N)
        c[...] = np.nan
        dims = np.array([M, N, K, 0], dtype=np.uint32).tobytes()  # uint3 occupies 16 bytes
        groups = ((N + block[0] - 1) // block[0], (M + block[1] - 1) // block[1], 1)

        def multiply():
            cb = queue.command_buffer()
            enc = cb.compute_command_encoder()
            enc.set_compute_pipeline_state(pipeline)
            enc.set_buffer(buf_a, 0, 0)
            enc.set_buffer(buf_b, 0, 1)
            enc.set_buffer(buf_c, 0, 2)
            enc.set_bytes(dims, 3)
            enc.dispatch_threadgroups(*groups, threads[0], threads[1], 1)
            enc.end_encoding()
            cb.commit()
            cb.wait_until_completed()

        multiply()
        result = c.copy()
        expected = a.astype(np.float64) @ b.astype(np.float64)
        err = float(np.linalg.norm(result - expected) / np.linalg.norm(expected))
        good = bool(np.isfinite(result).all()) and err < 1e-5
        ok &= good
        t_np = best_of(lambda: a @ b, 5)
        t_metal = best_of(multiply, repeats if M * N * K <= 512**3 else 1)
        flops = 2.0 * M * N * K
        print(f"{label + f' ({M}x{N}x{K})':<24}{t_np * 1e3:>10.2f}{flops / t_np / 1e9:>9.1f}"
              f"{t_metal * 1e3:>11.2f}{flops / t_metal / 1e9:>9.1f}{err:>12.2e}  {'yes' if good else 'NO'}")
    if not ok:
        print("FAILED: results differ from numpy")
        return 1
    print("Verified: every product matches numpy (float64 reference)")
    return 0
