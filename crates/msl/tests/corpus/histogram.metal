// Histogram with threadgroup atomics merged into device atomics.
#include <metal_stdlib>
using namespace metal;

constant constexpr uint NBINS = 16;

kernel void histogram(device const uchar* data [[buffer(0)]],
                      device atomic_uint* bins [[buffer(1)]],
                      device atomic<int>* total [[buffer(2)]],
                      constant uint& n [[buffer(3)]],
                      uint gid [[thread_position_in_grid]],
                      uint lid [[thread_index_in_threadgroup]],
                      uint tg_n [[threads_per_threadgroup]]) {
  threadgroup atomic_uint local_bins[NBINS];
  for (uint i = lid; i < NBINS; i += tg_n) {
    atomic_store_explicit(&local_bins[i], 0u, memory_order_relaxed);
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (gid < n) {
    atomic_fetch_add_explicit(&local_bins[data[gid] % NBINS], 1u, memory_order_relaxed);
    atomic_fetch_add_explicit(total, 1, memory_order_relaxed);
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  for (uint i = lid; i < NBINS; i += tg_n) {
    uint c = atomic_load_explicit(&local_bins[i], memory_order_relaxed);
    if (c != 0) {
      atomic_fetch_add_explicit(&bins[i], c, memory_order_relaxed);
    }
  }
}
