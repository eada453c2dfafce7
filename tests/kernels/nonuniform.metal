// Non-uniform grids (dispatch_threads): edge threadgroups are smaller and
// threads_per_threadgroup reports the clipped size.
#include <metal_stdlib>
using namespace metal;

kernel void report_sizes(device uint4* out [[buffer(0)]],
                         uint2 gid [[thread_position_in_grid]],
                         uint2 grid [[threads_per_grid]],
                         uint2 tptg [[threads_per_threadgroup]],
                         uint2 tgpos [[threadgroup_position_in_grid]],
                         uint flat [[thread_index_in_threadgroup]])
{
    out[gid.y * grid.x + gid.x] = uint4(tptg.x, tptg.y, flat, tgpos.x * 100 + tgpos.y);
}

kernel void nonuniform_sum(device const float* in [[buffer(0)]],
                           device float* out [[buffer(1)]],
                           uint gid [[thread_position_in_grid]],
                           uint tid [[thread_index_in_threadgroup]],
                           uint tptg [[threads_per_threadgroup]],
                           uint tg [[threadgroup_position_in_grid]])
{
    threadgroup float tmp[128];
    tmp[tid] = in[gid];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (tid == 0) {
        float s = 0.0f;
        for (uint i = 0; i < tptg; ++i) s += tmp[i];
        out[tg] = s;
    }
}
