// Argmax over rows: simd_shuffle_down on a struct via components, ulong indices, IndexValue pair.
#include <metal_stdlib>
using namespace metal;

template <typename T, typename U>
inline T ceildiv(T N, U M) { return (N + M - 1) / M; }

template <typename U>
struct IndexValuePair {
  uint32_t index;
  U val;
};

template <typename U>
struct ArgMax {
  static constexpr constant U init = metal::numeric_limits<U>::lowest();
  IndexValuePair<U> reduce(IndexValuePair<U> best, IndexValuePair<U> current) {
    if (best.val < current.val || (best.val == current.val && best.index > current.index)) {
      return current;
    }
    return best;
  }
  IndexValuePair<U> simd_reduce(IndexValuePair<U> val) {
    for (short i = 16; i > 0; i /= 2) {
      val = reduce(val, {simd_shuffle_down(val.index, i), simd_shuffle_down(val.val, i)});
    }
    return val;
  }
};

template <typename T, typename Op, int N_READS = 4>
[[kernel]] void arg_reduce_general(
    const device T* in [[buffer(0)]],
    device uint32_t* out [[buffer(1)]],
    const constant size_t& axis_size [[buffer(2)]],
    uint gid [[threadgroup_position_in_grid]],
    uint lid [[thread_position_in_threadgroup]],
    uint lsize [[threads_per_threadgroup]],
    uint simd_size [[threads_per_simdgroup]],
    uint simd_lane_id [[thread_index_in_simdgroup]],
    uint simd_group_id [[simdgroup_index_in_threadgroup]]) {
  Op op;
  threadgroup IndexValuePair<T> local_data[32];
  in += gid * axis_size;
  IndexValuePair<T> best{0, Op::init};
  for (uint r = 0; r < ceildiv(axis_size, N_READS * lsize); r++) {
    uint current_index = r * lsize * N_READS + lid * N_READS;
    for (int i = 0; i < N_READS; i++) {
      if (current_index + i < axis_size) {
        best = op.reduce(best, {current_index + i, in[current_index + i]});
      }
    }
  }
  best = op.simd_reduce(best);
  uint n_simd = (lsize + simd_size - 1) / simd_size;
  if (simd_lane_id == 0) local_data[simd_group_id] = best;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (simd_group_id != 0) return;
  if (simd_lane_id < n_simd) best = local_data[simd_lane_id];
  else best = IndexValuePair<T>{0, Op::init};
  best = op.simd_reduce(best);
  if (lid == 0) out[gid] = best.index;
}

#define instantiate_arg_reduce(name, itype) \
  template [[host_name("argmax_" #name)]] [[kernel]] decltype(arg_reduce_general<itype, ArgMax<itype>, 4>) \
  arg_reduce_general<itype, ArgMax<itype>, 4>;

instantiate_arg_reduce(float32, float)
instantiate_arg_reduce(float16, half)
instantiate_arg_reduce(int32, int)
