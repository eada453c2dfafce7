// Device and threadgroup atomics under contention.
#include <metal_stdlib>
using namespace metal;

kernel void atomic_counters(device atomic_uint* counters [[buffer(0)]],
                            device const uint* bins [[buffer(1)]],
                            device uint* tickets [[buffer(2)]],
                            device atomic_uint* ticket_counter [[buffer(3)]],
                            uint gid [[thread_position_in_grid]])
{
    atomic_fetch_add_explicit(&counters[bins[gid]], 1u, memory_order_relaxed);
    tickets[gid] = atomic_fetch_add_explicit(ticket_counter, 1u, memory_order_relaxed);
}

kernel void atomic_float_sum(device atomic<float>* total [[buffer(0)]],
                             device const float* in [[buffer(1)]],
                             uint gid [[thread_position_in_grid]])
{
    atomic_fetch_add_explicit(&total[gid % 4], in[gid], memory_order_relaxed);
}

kernel void atomic_minmax(device atomic_uint* umax [[buffer(0)]],
                          device atomic_int* imin [[buffer(1)]],
                          device atomic_int* imax [[buffer(2)]],
                          device const uint* u [[buffer(3)]],
                          device const int* s [[buffer(4)]],
                          uint gid [[thread_position_in_grid]])
{
    atomic_fetch_max_explicit(umax, u[gid], memory_order_relaxed);
    atomic_fetch_min_explicit(imin, s[gid], memory_order_relaxed);
    atomic_fetch_max_explicit(imax, s[gid], memory_order_relaxed);
}

kernel void atomic_bits(device atomic_uint* ors [[buffer(0)]],
                        device atomic_uint* ands [[buffer(1)]],
                        device atomic_int* subs [[buffer(2)]],
                        device atomic_uint* xchg [[buffer(3)]],
                        device uint* old_vals [[buffer(4)]],
                        uint gid [[thread_position_in_grid]])
{
    atomic_fetch_or_explicit(ors, 1u << (gid % 13), memory_order_relaxed);
    atomic_fetch_and_explicit(ands, (gid % 32) < 16 ? ~(1u << (gid % 32)) : 0xFFFFFFFFu, memory_order_relaxed);
    atomic_fetch_sub_explicit(subs, int(gid % 3), memory_order_relaxed);
    old_vals[gid] = atomic_exchange_explicit(xchg, gid + 1u, memory_order_relaxed);
}

// Compare-exchange loop: an atomic multiply.
kernel void atomic_cas_mul(device atomic_uint* prod [[buffer(0)]],
                           device const uint* factors [[buffer(1)]],
                           uint gid [[thread_position_in_grid]])
{
    uint expected = atomic_load_explicit(prod, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(prod, &expected, expected * factors[gid],
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

// Threadgroup histogram, merged into a device histogram.
kernel void tg_histogram(device const uint* values [[buffer(0)]],
                         device atomic_uint* hist [[buffer(1)]],
                         uint gid [[thread_position_in_grid]],
                         uint tid [[thread_index_in_threadgroup]])
{
    threadgroup atomic_uint local_hist[16];
    if (tid < 16) atomic_store_explicit(&local_hist[tid], 0u, memory_order_relaxed);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    atomic_fetch_add_explicit(&local_hist[values[gid] % 16], 1u, memory_order_relaxed);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (tid < 16) {
        uint c = atomic_load_explicit(&local_hist[tid], memory_order_relaxed);
        atomic_fetch_add_explicit(&hist[tid], c, memory_order_relaxed);
    }
}

// Threadgroup atomic<float> and fetch_max on threadgroup memory.
kernel void tg_float_atomics(device const float* in [[buffer(0)]],
                             device float* sums [[buffer(1)]],
                             device uint* maxes [[buffer(2)]],
                             uint gid [[thread_position_in_grid]],
                             uint tid [[thread_index_in_threadgroup]],
                             uint tg [[threadgroup_position_in_grid]])
{
    threadgroup atomic<float> s;
    threadgroup atomic_uint m;
    if (tid == 0) {
        atomic_store_explicit(&s, 0.0f, memory_order_relaxed);
        atomic_store_explicit(&m, 0u, memory_order_relaxed);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    atomic_fetch_add_explicit(&s, in[gid], memory_order_relaxed);
    atomic_fetch_max_explicit(&m, as_type<uint>(in[gid]), memory_order_relaxed);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (tid == 0) {
        sums[tg] = atomic_load_explicit(&s, memory_order_relaxed);
        maxes[tg] = atomic_load_explicit(&m, memory_order_relaxed);
    }
}
