// [[threadgroup(i)]] arguments sized with set_threadgroup_memory_length.
#include <metal_stdlib>
using namespace metal;

kernel void tg_arg_reverse(device const float* in [[buffer(0)]],
                           device float* out [[buffer(1)]],
                           device int* counts [[buffer(2)]],
                           threadgroup float* scratch [[threadgroup(0)]],
                           threadgroup atomic_int* counter [[threadgroup(1)]],
                           uint tid [[thread_index_in_threadgroup]],
                           uint n [[threads_per_threadgroup]],
                           uint gid [[thread_position_in_grid]],
                           uint tg [[threadgroup_position_in_grid]])
{
    if (tid == 0) atomic_store_explicit(counter, 0, memory_order_relaxed);
    scratch[tid] = in[gid];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    out[gid] = scratch[n - 1 - tid];
    atomic_fetch_add_explicit(counter, int(tid), memory_order_relaxed);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (tid == 0) counts[tg] = atomic_load_explicit(counter, memory_order_relaxed);
}

// Threadgroup argument plus a static threadgroup array: they must not overlap.
kernel void tg_arg_and_static(device const float* in [[buffer(0)]],
                              device float* out [[buffer(1)]],
                              threadgroup float2* dyn [[threadgroup(0)]],
                              uint tid [[thread_index_in_threadgroup]],
                              uint gid [[thread_position_in_grid]])
{
    threadgroup float stat[64];
    dyn[tid] = float2(in[gid], -in[gid]);
    stat[tid] = in[gid] * 10.0f;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    out[gid] = dyn[63 - tid].x + dyn[tid].y + stat[(tid + 1) % 64];
}
