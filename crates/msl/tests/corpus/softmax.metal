// Row softmax with [[threadgroup(i)]] scratch, simd_max/simd_sum and half I/O.
#include <metal_stdlib>
using namespace metal;

template <typename T>
[[kernel]] void softmax_row(const device T* in [[buffer(0)]],
                            device T* out [[buffer(1)]],
                            constant int& axis_size [[buffer(2)]],
                            threadgroup float* local_max [[threadgroup(0)]],
                            threadgroup float* local_sum [[threadgroup(1)]],
                            uint gid [[threadgroup_position_in_grid]],
                            uint lid [[thread_position_in_threadgroup]],
                            uint lsize [[threads_per_threadgroup]],
                            uint simd_lane_id [[thread_index_in_simdgroup]],
                            uint simd_group_id [[simdgroup_index_in_threadgroup]]) {
  const device T* row = in + gid * axis_size;
  float m = -INFINITY;
  for (int i = lid; i < axis_size; i += lsize) {
    m = max(m, float(row[i]));
  }
  m = simd_max(m);
  if (simd_lane_id == 0) local_max[simd_group_id] = m;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_group_id == 0) {
    m = simd_max(simd_lane_id < (lsize + 31) / 32 ? local_max[simd_lane_id] : -INFINITY);
    if (simd_lane_id == 0) local_max[0] = m;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  m = local_max[0];
  float s = 0;
  for (int i = lid; i < axis_size; i += lsize) {
    s += fast::exp(float(row[i]) - m);
  }
  s = simd_sum(s);
  if (simd_lane_id == 0) local_sum[simd_group_id] = s;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_group_id == 0) {
    s = simd_sum(simd_lane_id < (lsize + 31) / 32 ? local_sum[simd_lane_id] : 0.0f);
    if (simd_lane_id == 0) local_sum[0] = s;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  const float inv = 1.0f / local_sum[0];
  for (int i = lid; i < axis_size; i += lsize) {
    out[gid * axis_size + i] = T(fast::exp(float(row[i]) - m) * inv);
  }
}

template [[host_name("softmax_float")]] [[kernel]] decltype(softmax_row<float>) softmax_row<float>;
template [[host_name("softmax_half")]] [[kernel]] decltype(softmax_row<half>) softmax_row<half>;
