// ggml-style simdgroup matmul: threadgroup char shmem, matrix arrays, make_filled<T, 8>, integer origin 0.
#include <metal_stdlib>
using namespace metal;
kernel void mm(device const half* A [[buffer(0)]], device const float* B [[buffer(1)]], device float* C [[buffer(2)]],
               threadgroup char* shmem [[threadgroup(0)]],
               ushort tiitg [[thread_index_in_threadgroup]], ushort sgitg [[simdgroup_index_in_threadgroup]]) {
  threadgroup half* sa = (threadgroup half*)shmem;
  threadgroup float* sb = (threadgroup float*)(shmem + 64 * sizeof(half));
  for (int k = tiitg; k < 64; k += 32) { sa[k] = A[k]; sb[k] = B[k]; }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  simdgroup_half8x8 ma[2];
  simdgroup_float8x8 mb[2];
  simdgroup_float8x8 mc[2];
  for (short i = 0; i < 2; i++) mc[i] = make_filled_simdgroup_matrix<float, 8>(0.f);
  simdgroup_load(ma[0], sa, 8, 0, false);
  simdgroup_load(mb[0], sb, 8, 0, true);
  simdgroup_barrier(mem_flags::mem_none);
  simdgroup_multiply_accumulate(mc[0], ma[0], mb[0], mc[0]);
  simdgroup_store(mc[0], C, 8, 0, false);
  simdgroup_store(mc[0], (device float*)C + 64, 8);
}
