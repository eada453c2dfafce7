// MLX-style layer norm: threadgroup(i) buffers absent, simd reductions, float4 loads, templated on T.
#include <metal_stdlib>
using namespace metal;

constant int SIMD_SIZE = 32;

template <typename T, int N_READS = 4>
[[kernel]] void layer_norm_looped(
    const device T* x,
    const device T* w,
    const device T* b,
    device T* out,
    constant float& eps,
    constant uint& axis_size,
    uint gid [[threadgroup_position_in_grid]],
    uint lid [[thread_position_in_threadgroup]],
    uint lsize [[threads_per_threadgroup]],
    uint simd_lane_id [[thread_index_in_simdgroup]],
    uint simd_group_id [[simdgroup_index_in_threadgroup]]) {
  threadgroup float local_sums[SIMD_SIZE];
  threadgroup float local_sumsq[SIMD_SIZE];
  x += gid * size_t(axis_size);
  float sum = 0, sumsq = 0;
  for (uint r = 0; r < axis_size; r += lsize * N_READS) {
    #pragma unroll
    for (int i = 0; i < N_READS; i++) {
      uint j = r + lid * N_READS + i;
      if (j < axis_size) { float v = float(x[j]); sum += v; sumsq += v * v; }
    }
  }
  sum = simd_sum(sum);
  sumsq = simd_sum(sumsq);
  if (simd_group_id == 0) { local_sums[simd_lane_id] = 0; local_sumsq[simd_lane_id] = 0; }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_lane_id == 0) { local_sums[simd_group_id] = sum; local_sumsq[simd_group_id] = sumsq; }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_group_id == 0) {
    sum = simd_sum(local_sums[simd_lane_id]);
    sumsq = simd_sum(local_sumsq[simd_lane_id]);
    if (simd_lane_id == 0) {
      float mean = sum / axis_size;
      local_sums[0] = mean;
      local_sumsq[0] = metal::precise::rsqrt(max(sumsq / axis_size - mean * mean, 0.0f) + eps);
    }
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  float mean = local_sums[0];
  float normalizer = local_sumsq[0];
  out += gid * size_t(axis_size);
  for (uint r = 0; r < axis_size; r += lsize * N_READS) {
    for (int i = 0; i < N_READS; i++) {
      uint j = r + lid * N_READS + i;
      if (j < axis_size) out[j] = T(w[j] * T((float(x[j]) - mean) * normalizer) + b[j]);
    }
  }
}

#define instantiate_layer_norm(name, itype)          \
  template [[host_name("layer_norm_looped" #name)]] \
  [[kernel]] void layer_norm_looped<itype>(          \
      const device itype* x,                         \
      const device itype* w,                         \
      const device itype* b,                         \
      device itype* out,                             \
      constant float& eps,                           \
      constant uint& axis_size,                      \
      uint gid [[threadgroup_position_in_grid]],     \
      uint lid [[thread_position_in_threadgroup]],   \
      uint lsize [[threads_per_threadgroup]],        \
      uint simd_lane_id [[thread_index_in_simdgroup]], \
      uint simd_group_id [[simdgroup_index_in_threadgroup]]);

instantiate_layer_norm(float32, float)
instantiate_layer_norm(float16, half)
instantiate_layer_norm(bfloat16, bfloat)
