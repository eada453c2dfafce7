// SIMD shuffles, prefix sums and broadcasts.
#include <metal_stdlib>
using namespace metal;

kernel void simd_ops(device const float* x [[buffer(0)]],
                     device float* prefix [[buffer(1)]],
                     device float* shuf [[buffer(2)]],
                     device float* bcast [[buffer(3)]],
                     device float* group_total [[buffer(4)]],
                     uint gid [[thread_position_in_grid]],
                     uint simd_lane [[thread_index_in_simdgroup]],
                     uint simd_group [[simdgroup_index_in_threadgroup]],
                     uint tg_id [[threadgroup_position_in_grid]],
                     uint simds_per_tg [[simdgroups_per_threadgroup]]) {
    threadgroup float partials[32];
    float v = x[gid];
    float incl = simd_prefix_inclusive_sum(v);
    float excl = simd_prefix_exclusive_sum(v);
    prefix[gid] = incl + 0.0f * excl;
    float d = simd_shuffle_down(v, 1);
    shuf[gid] = simd_lane == 31 ? v : d;
    bcast[gid] = simd_broadcast(v, 3) + simd_broadcast_first(v);
    if (simd_lane == 31) partials[simd_group] = incl;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (simd_group == 0) {
        float p = simd_lane < simds_per_tg ? partials[simd_lane] : 0.0f;
        float tot = simd_sum(p);
        if (simd_lane == 0) group_total[tg_id] = tot;
    }
}

kernel void simd_vote(device const int* x [[buffer(0)]],
                      device uint* out [[buffer(1)]],
                      uint gid [[thread_position_in_grid]],
                      ushort lane [[thread_index_in_simdgroup]]) {
    bool pos = x[gid] > 0;
    bool a = simd_all(pos);
    bool b = simd_any(pos);
    int mx = simd_max(x[gid]);
    int mn = simd_min(x[gid]);
    uint xr = simd_xor(uint(x[gid]));
    uint sh = simd_shuffle_xor(uint(lane), ushort(1));
    out[gid] = uint(a) + 2u * uint(b) + 4u * uint(mx - mn) + 0u * xr + 0u * sh + (sh ^ lane) * 1000u;
}
