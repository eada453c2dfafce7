// Per-SIMD-group scans and broadcasts.
#include <metal_stdlib>
using namespace metal;

kernel void scan_exclusive(device const int* in [[buffer(0)]],
                           device int* out [[buffer(1)]],
                           device int* group_totals [[buffer(2)]],
                           uint gid [[thread_position_in_grid]],
                           ushort lane [[thread_index_in_simdgroup]],
                           ushort sg [[simdgroup_index_in_threadgroup]],
                           uint tg [[threadgroup_position_in_grid]],
                           ushort sgs [[simdgroups_per_threadgroup]]) {
  int v = in[gid];
  int ex = simd_prefix_exclusive_sum(v);
  int total = simd_broadcast(ex + v, 31);
  out[gid] = ex;
  if (lane == 0) {
    group_totals[tg * sgs + sg] = total;
  }
}

kernel void quad_reduce(device const float* in [[buffer(0)]],
                        device float* out [[buffer(1)]],
                        uint gid [[thread_position_in_grid]],
                        ushort qlane [[thread_index_in_quadgroup]]) {
  float s = quad_sum(in[gid]);
  if (qlane == 0) out[gid / 4] = s;
}
