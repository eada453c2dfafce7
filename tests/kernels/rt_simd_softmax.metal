// MLX-style row softmax with simd reductions and threadgroup exchange.
#include <metal_stdlib>
using namespace metal;

template <typename T, typename U>
inline T ceildiv(T N, U M) { return (N + M - 1) / M; }

#define SIMD_SIZE 32

template <typename T, typename AccT = float>
[[kernel]] void softmax_looped(
    const device T* in [[buffer(0)]],
    device T* out [[buffer(1)]],
    constant int& axis_size [[buffer(2)]],
    uint gid [[threadgroup_position_in_grid]],
    uint lid [[thread_position_in_threadgroup]],
    uint lsize [[threads_per_threadgroup]],
    uint simd_lane_id [[thread_index_in_simdgroup]],
    uint simd_group_id [[simdgroup_index_in_threadgroup]]) {
  in += gid * size_t(axis_size);
  threadgroup AccT local_max[SIMD_SIZE];
  threadgroup AccT local_normalizer[SIMD_SIZE];

  AccT prevmax;
  AccT maxval = metal::numeric_limits<AccT>::lowest();  // finite: -inf - -inf would be NaN
  AccT normalizer = 0;
  for (int r = 0; r < static_cast<int>(ceildiv(axis_size, lsize)); r++) {
    int offset = r * lsize + lid;
    AccT val = offset < axis_size ? AccT(in[offset]) : -metal::numeric_limits<AccT>::infinity();
    prevmax = maxval;
    maxval = max(maxval, simd_max(val));
    normalizer *= fast::exp(prevmax - maxval);
    normalizer += simd_sum(fast::exp(val - maxval));
  }
  if (simd_group_id == 0) {
    local_max[simd_lane_id] = metal::numeric_limits<AccT>::lowest();
    local_normalizer[simd_lane_id] = 0;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_lane_id == 0) {
    local_max[simd_group_id] = maxval;
    local_normalizer[simd_group_id] = normalizer;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_group_id == 0) {
    prevmax = local_max[simd_lane_id];
    maxval = simd_max(prevmax);
    normalizer = simd_sum(local_normalizer[simd_lane_id] * metal::fast::exp(prevmax - maxval));
    if (simd_lane_id == 0) {
      local_max[0] = maxval;
      local_normalizer[0] = 1 / normalizer;
    }
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  maxval = local_max[0];
  normalizer = local_normalizer[0];
  out += gid * size_t(axis_size);
  for (int r = 0; r < static_cast<int>(ceildiv(axis_size, lsize)); r++) {
    int offset = r * lsize + lid;
    if (offset < axis_size) {
      out[offset] = T(metal::fast::exp(AccT(in[offset]) - maxval) * normalizer);
    }
  }
}

#define instantiate_softmax(name, itype) \
  template [[host_name("softmax_looped_" #name)]] [[kernel]] decltype(softmax_looped<itype>) softmax_looped<itype>;

instantiate_softmax(float32, float)
instantiate_softmax(float16, half)
instantiate_softmax(bfloat16, bfloat)
