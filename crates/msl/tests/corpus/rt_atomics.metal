// Device and threadgroup atomics, CAS loop float max, histogram.
#include <metal_stdlib>
using namespace metal;

METAL_FUNC void atomic_max_float(device atomic_uint* addr, float value) {
    uint expected = atomic_load_explicit(addr, memory_order_relaxed);
    while (as_type<float>(expected) < value &&
           !atomic_compare_exchange_weak_explicit(addr, &expected, as_type<uint>(value),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

METAL_FUNC void atomic_add_float_tg(threadgroup atomic<float>* a, float v) {
    atomic_fetch_add_explicit(a, v, memory_order_relaxed);
}

kernel void absmax_hist(device const float* x [[buffer(0)]],
                        device atomic_uint* gmax [[buffer(1)]],
                        device atomic_uint* hist [[buffer(2)]],
                        device atomic_float* gsum [[buffer(3)]],
                        constant uint& n [[buffer(4)]],
                        uint gid [[thread_position_in_grid]],
                        ushort lid [[thread_position_in_threadgroup]],
                        ushort tgsize [[threads_per_threadgroup]]) {
    threadgroup atomic_uint local_hist[8];
    threadgroup atomic<float> local_sum;
    if (lid < 8) atomic_store_explicit(&local_hist[lid], 0u, memory_order_relaxed);
    if (lid == 0) atomic_store_explicit(&local_sum, 0.0f, memory_order_relaxed);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (gid < n) {
        float v = x[gid];
        atomic_max_float(gmax, fabs(v));
        uint bin = uint(clamp(int(floor(v + 4.0f)), 0, 7));
        atomic_fetch_add_explicit(&local_hist[bin], 1u, memory_order_relaxed);
        atomic_add_float_tg(&local_sum, v);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (lid < 8) {
        uint c = atomic_load_explicit(&local_hist[lid], memory_order_relaxed);
        if (c) atomic_fetch_add_explicit(&hist[lid], c, memory_order_relaxed);
    }
    if (lid == 0) atomic_fetch_add_explicit(gsum, atomic_load_explicit(&local_sum, memory_order_relaxed), memory_order_relaxed);
}

kernel void atomic_minmax_int(device const int* x [[buffer(0)]],
                              device atomic_int* out [[buffer(1)]],
                              uint gid [[thread_position_in_grid]]) {
    atomic_fetch_min_explicit(&out[0], x[gid], memory_order_relaxed);
    atomic_fetch_max_explicit(&out[1], x[gid], memory_order_relaxed);
    int old = atomic_exchange_explicit(&out[2], x[gid], memory_order_relaxed);
    (void)old;
    atomic_fetch_or_explicit(&out[3], 1 << (gid % 31), memory_order_relaxed);
}
