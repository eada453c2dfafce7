// Threadgroup arrays inside helpers (plain and templated, two instantiations), volatile threadgroup, fences.
#include <metal_stdlib>
using namespace metal;
METAL_FUNC float block_reduce(float v, uint lid, uint lsize) {
  threadgroup float shared[256];
  shared[lid] = v;
  threadgroup_barrier(mem_flags::mem_threadgroup | mem_flags::mem_device);
  for (uint s = lsize / 2; s > 32; s >>= 1) {
    if (lid < s) shared[lid] += shared[lid + s];
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (lid < 32) {
    volatile threadgroup float* vs = shared;
    if (lsize > 32) vs[lid] += vs[lid + 32];
    simdgroup_barrier(mem_flags::mem_threadgroup);
  }
  float r = simd_sum(lid < 32 ? shared[lid] : 0.0f);
  threadgroup_barrier(mem_flags::mem_threadgroup);
  return r;
}
template <typename T>
METAL_FUNC T block_max(T v, uint lid) {
  threadgroup T sm[32];
  T m = simd_max(v);
  if (lid % 32 == 0) sm[lid / 32] = m;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  T r = sm[0];
  for (uint i = 1; i < 2; ++i) r = max(r, sm[i]);
  threadgroup_barrier(mem_flags::mem_threadgroup);
  return r;
}
kernel void twice_reduce(device const float* x [[buffer(0)]], device float* out [[buffer(1)]],
                         uint gid [[thread_position_in_grid]], uint lid [[thread_position_in_threadgroup]],
                         uint lsize [[threads_per_threadgroup]], uint tg [[threadgroup_position_in_grid]]) {
  float a = block_reduce(x[gid], lid, lsize);
  float b = block_reduce(x[gid] * 2.0f, lid, lsize);
  float c = block_max(x[gid], lid);
  int d = block_max(int(x[gid] * 100.0f), lid);
  atomic_thread_fence(mem_flags::mem_device, memory_order_seq_cst, thread_scope_device);
  if (lid == 0) { out[4 * tg] = a; out[4 * tg + 1] = b; out[4 * tg + 2] = c; out[4 * tg + 3] = float(d); }
}
