// Argmax: a struct in threadgroup memory, simd_shuffle, a lambda.
#include <metal_stdlib>
using namespace metal;

struct IndexValue {
  uint index;
  float value;
};

kernel void argmax(device const float* in [[buffer(0)]],
                   device uint* out [[buffer(1)]],
                   constant uint& n [[buffer(2)]],
                   uint lid [[thread_index_in_threadgroup]],
                   uint lane [[thread_index_in_simdgroup]],
                   uint sg [[simdgroup_index_in_threadgroup]],
                   uint tsize [[threads_per_threadgroup]]) {
  threadgroup IndexValue best[32];
  auto better = [](IndexValue a, IndexValue b) { return b.value > a.value ? b : a; };
  IndexValue iv{0u, -INFINITY};
  for (uint i = lid; i < n; i += tsize) {
    iv = better(iv, IndexValue{i, in[i]});
  }
  for (ushort off = 16; off > 0; off /= 2) {
    IndexValue other{simd_shuffle_down(iv.index, off), simd_shuffle_down(iv.value, off)};
    iv = better(iv, other);
  }
  if (lane == 0) best[sg] = iv;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (lid == 0) {
    IndexValue r = best[0];
    for (uint s = 1; s < (tsize + 31) / 32; ++s) r = better(r, best[s]);
    out[0] = r.index;
  }
  IndexValue first = simd_shuffle(iv, 0);
  (void)first;
}
