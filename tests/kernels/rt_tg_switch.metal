// threadgroup arrays in switch cases and loops; [[threadgroup(i)]] args.
#include <metal_stdlib>
using namespace metal;

constant constexpr int TILE = 64;

kernel void tg_modes(device const float* in [[buffer(0)]],
                     device float* out [[buffer(1)]],
                     constant int& mode [[buffer(2)]],
                     threadgroup float* scratch [[threadgroup(0)]],
                     threadgroup int* counts [[threadgroup(1)]],
                     uint tid [[thread_position_in_threadgroup]],
                     uint gid [[threadgroup_position_in_grid]],
                     uint tsize [[threads_per_threadgroup]]) {
    uint idx = gid * tsize + tid;
    scratch[tid] = in[idx];
    if (tid == 0) counts[0] = 0;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    switch (mode) {
    case 0: {
        threadgroup float rev[TILE];
        rev[tsize - 1 - tid] = scratch[tid];
        threadgroup_barrier(mem_flags::mem_threadgroup);
        out[idx] = rev[tid];
        break;
    }
    case 1: {
        threadgroup float acc[TILE], tmp[TILE];
        acc[tid] = scratch[tid];
        for (uint s = 1; s < tsize; s <<= 1) {
            threadgroup_barrier(mem_flags::mem_threadgroup);
            tmp[tid] = tid >= s ? acc[tid - s] : 0.0f;
            threadgroup_barrier(mem_flags::mem_threadgroup);
            acc[tid] += tmp[tid];
        }
        threadgroup_barrier(mem_flags::mem_threadgroup);
        out[idx] = acc[tid];
        break;
    }
    default:
        for (int rep = 0; rep < 2; ++rep) {
            threadgroup int local_counts[2];
            if (tid < 2) local_counts[tid] = 0;
            threadgroup_barrier(mem_flags::mem_threadgroup);
            atomic_fetch_add_explicit((threadgroup atomic_int*)&local_counts[rep], scratch[tid] > 0 ? 1 : 0, memory_order_relaxed);
            threadgroup_barrier(mem_flags::mem_threadgroup);
            if (rep == 1) out[idx] = float(local_counts[1]);
            threadgroup_barrier(mem_flags::mem_threadgroup);
        }
        break;
    }
}
