// SIMD-group functions, including inside `if (simd_group == 0)`, where only one
// SIMD group of the threadgroup takes part.
#include <metal_stdlib>
using namespace metal;

kernel void simd_two_level_sum(device const float* in [[buffer(0)]],
                               device float* out [[buffer(1)]],
                               uint gid [[thread_position_in_grid]],
                               uint tg [[threadgroup_position_in_grid]],
                               uint lane [[thread_index_in_simdgroup]],
                               uint simd_group [[simdgroup_index_in_threadgroup]],
                               uint nsimd [[simdgroups_per_threadgroup]])
{
    threadgroup float partial[32];
    float s = simd_sum(in[gid]);
    if (lane == 0) partial[simd_group] = s;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (simd_group == 0) {
        float x = lane < nsimd ? partial[lane] : 0.0f;
        x = simd_sum(x);
        if (lane == 0) out[tg] = x;
    }
}

kernel void simd_shuffle_reduce(device const float* in [[buffer(0)]],
                                device float* out [[buffer(1)]],
                                uint gid [[thread_position_in_grid]],
                                ushort lane [[thread_index_in_simdgroup]],
                                ushort simd_group [[simdgroup_index_in_threadgroup]])
{
    float v = in[gid];
    if (simd_group == 0) {
        for (ushort off = 16; off > 0; off /= 2) {
            v += simd_shuffle_down(v, off);
        }
        out[gid] = lane == 0 ? v : -2.0f;
    } else {
        out[gid] = simd_max(v);
    }
}

kernel void simd_scan(device const uint* in [[buffer(0)]],
                      device uint* excl [[buffer(1)]],
                      device uint* incl [[buffer(2)]],
                      uint gid [[thread_position_in_grid]],
                      uint simd_group [[simdgroup_index_in_threadgroup]])
{
    uint v = in[gid];
    if (simd_group == 0) {
        excl[gid] = simd_prefix_exclusive_sum(v);
        incl[gid] = simd_prefix_inclusive_sum(v);
    } else {
        excl[gid] = 0xFFFFFFFFu;
        incl[gid] = simd_prefix_exclusive_sum(v * 2u);
    }
}

kernel void simd_bcast(device const float* in [[buffer(0)]],
                       device float* out [[buffer(1)]],
                       device float* shuf [[buffer(2)]],
                       uint gid [[thread_position_in_grid]],
                       uint lane [[thread_index_in_simdgroup]],
                       uint simd_group [[simdgroup_index_in_threadgroup]])
{
    float v = in[gid];
    if (simd_group == 0) {
        out[gid] = simd_broadcast(v, 5);
    } else {
        out[gid] = simd_broadcast(v, ushort(simd_group % 32));
    }
    shuf[gid] = simd_shuffle(v, ushort(31 - lane)) + simd_shuffle_xor(v, ushort(1));
}

// A SIMD group of a partial (clipped) threadgroup: inactive lanes do not contribute.
kernel void simd_partial(device const float* in [[buffer(0)]],
                         device float* out [[buffer(1)]],
                         uint gid [[thread_position_in_grid]],
                         uint simd_group [[simdgroup_index_in_threadgroup]],
                         uint tg [[threadgroup_position_in_grid]])
{
    float s = simd_sum(in[gid]);
    out[gid] = s;
}
