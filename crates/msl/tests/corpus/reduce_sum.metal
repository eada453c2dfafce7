// Block reduction: threadgroup array, barriers, simd_sum and simd_shuffle_down.
#include <metal_stdlib>
using namespace metal;

#define SIMD_SIZE 32

kernel void reduce_sum(device const float* in [[buffer(0)]],
                       device atomic_float* out [[buffer(1)]],
                       constant uint& n [[buffer(2)]],
                       uint gid [[thread_position_in_grid]],
                       uint lid [[thread_position_in_threadgroup]],
                       uint simd_lane [[thread_index_in_simdgroup]],
                       uint simd_group [[simdgroup_index_in_threadgroup]],
                       uint n_groups [[simdgroups_per_threadgroup]]) {
  threadgroup float partial[SIMD_SIZE];
  float v = gid < n ? in[gid] : 0.0f;
  v = simd_sum(v);
  if (simd_lane == 0) {
    partial[simd_group] = v;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_group == 0) {
    float w = simd_lane < n_groups ? partial[simd_lane] : 0.0f;
    for (ushort off = SIMD_SIZE / 2; off > 0; off /= 2) {
      w += simd_shuffle_down(w, off);
    }
    if (lid == 0) {
      atomic_fetch_add_explicit(out, w, memory_order_relaxed);
    }
  }
}
