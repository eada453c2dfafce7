// Barriers in loops: a grid-stride accumulation followed by a tree reduction in
// threadgroup memory, and a tiled 2-D kernel that loops over tiles with barriers.
#include <metal_stdlib>
using namespace metal;

kernel void tiled_sum(device const float* in [[buffer(0)]],
                      device float* partial [[buffer(1)]],
                      constant uint& n [[buffer(2)]],
                      uint tid [[thread_index_in_threadgroup]],
                      uint gid [[threadgroup_position_in_grid]],
                      uint tpg [[threads_per_threadgroup]],
                      uint ngroups [[threadgroups_per_grid]])
{
    threadgroup float tmp[256];
    float acc = 0.0f;
    for (uint i = gid * tpg + tid; i < n; i += tpg * ngroups) {
        acc += in[i];
    }
    tmp[tid] = acc;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (uint s = tpg / 2; s > 0; s >>= 1) {
        if (tid < s) {
            tmp[tid] += tmp[tid + s];
        }
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
    if (tid == 0) {
        partial[gid] = tmp[0];
    }
}

// Running (inclusive) prefix sum over a whole row, one threadgroup per row: the row is
// processed in chunks of the threadgroup size; each chunk does a Hillis-Steele scan with
// two barriers per step and carries the total to the next chunk.
kernel void row_scan(device const float* in [[buffer(0)]],
                     device float* out [[buffer(1)]],
                     constant uint& width [[buffer(2)]],
                     uint tid [[thread_index_in_threadgroup]],
                     uint row [[threadgroup_position_in_grid]],
                     uint tpg [[threads_per_threadgroup]])
{
    threadgroup float buf[128];
    threadgroup float carry;
    if (tid == 0) carry = 0.0f;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (uint base = 0; base < width; base += tpg) {
        uint i = base + tid;
        buf[tid] = i < width ? in[row * width + i] : 0.0f;
        threadgroup_barrier(mem_flags::mem_threadgroup);
        for (uint off = 1; off < tpg; off <<= 1) {
            float v = tid >= off ? buf[tid - off] : 0.0f;
            threadgroup_barrier(mem_flags::mem_threadgroup);
            buf[tid] += v;
            threadgroup_barrier(mem_flags::mem_threadgroup);
        }
        if (i < width) out[row * width + i] = buf[tid] + carry;
        threadgroup_barrier(mem_flags::mem_threadgroup);
        if (tid == tpg - 1) carry += buf[tid];
        threadgroup_barrier(mem_flags::mem_threadgroup);
    }
}

// Early-exiting threads count as arrived at later barriers.
kernel void early_exit(device const float* in [[buffer(0)]],
                       device float* out [[buffer(1)]],
                       constant uint& n [[buffer(2)]],
                       uint tid [[thread_index_in_threadgroup]],
                       uint gid [[thread_position_in_grid]],
                       uint tpg [[threads_per_threadgroup]])
{
    threadgroup float tile[64];
    tile[tid] = gid < n ? in[gid] : 0.0f;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (gid >= n) return;
    float s = tile[tid];
    if (tid + 1 < tpg) s += tile[tid + 1];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    out[gid] = s;
}

// Threadgroup arrays declared inside switch cases (a pattern of real kernel libraries).
kernel void switch_tg(device const float* in [[buffer(0)]],
                      device float* out [[buffer(1)]],
                      constant int& mode [[buffer(2)]],
                      uint tid [[thread_index_in_threadgroup]],
                      uint gid [[thread_position_in_grid]])
{
    switch (mode) {
        case 0: {
            threadgroup float a[64];
            a[tid] = in[gid];
            threadgroup_barrier(mem_flags::mem_threadgroup);
            out[gid] = a[63 - tid];
            break;
        }
        case 1: {
            threadgroup float b[64];
            b[tid] = in[gid] * 2.0f;
            threadgroup_barrier(mem_flags::mem_threadgroup);
            out[gid] = b[(tid + 1) % 64];
            break;
        }
        default:
            out[gid] = -1.0f;
    }
}
