// simd_vote, ballots, fill/rotate shuffles, quad-group functions.
#include <metal_stdlib>
using namespace metal;
kernel void votes(device const float* x [[buffer(0)]], device ulong* out [[buffer(1)]], device float* f [[buffer(2)]],
                  uint i [[thread_position_in_grid]], uint lane [[thread_index_in_simdgroup]],
                  uint q [[thread_index_in_quadgroup]]) {
  simd_vote v = simd_ballot(x[i] > 0);
  ulong bits = ulong(simd_vote::vote_t(v));
  bool all_ = v.all(), any_ = v.any();
  out[i] = bits + (all_ ? 1ul << 40 : 0) + (any_ ? 1ul << 41 : 0) + ulong(popcount(uint(bits)));
  float a = simd_shuffle_and_fill_down(x[i], 0.0f, ushort(1));
  float b = quad_shuffle(x[i], ushort(0)) + quad_sum(x[i]) + quad_broadcast(x[i], 3) + quad_prefix_inclusive_sum(x[i]);
  float c = simd_shuffle_rotate_up(x[i], 1) + simd_product(1.0f) + simd_and(int(lane)) + simd_or(int(q));
  f[i] = a + b * 0.0f + c * 0.0f + float(simd_is_first()) * 0.0f + float(simd_vote::vote_t(simd_active_threads_mask()) != 0) * 0.0f;
}
