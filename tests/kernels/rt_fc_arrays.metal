// Function constants sizing threadgroup arrays and loops; constant arrays indexed by FCs.
#include <metal_stdlib>
using namespace metal;

constant uint BLOCK [[function_constant(0)]];
constant uint EFF_BLOCK = is_function_constant_defined(BLOCK) ? BLOCK : 64u;
constant bool IS_DEFINED_BLOCK = is_function_constant_defined(BLOCK);
constant int MODE [[function_constant(1)]];
constant float FACTORS[3] = {1.0f, 10.0f, 100.0f};

kernel void fc_block_sum(device const float* x [[buffer(0)]],
                         device float* out [[buffer(1)]],
                         uint lid [[thread_position_in_threadgroup]],
                         uint gid [[threadgroup_position_in_grid]]) {
  threadgroup float buf[EFF_BLOCK];
  buf[lid] = x[gid * EFF_BLOCK + lid];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  for (uint s = EFF_BLOCK / 2; s > 0; s >>= 1) {
    if (lid < s) buf[lid] += buf[lid + s];
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (lid == 0) out[gid] = buf[0] * FACTORS[MODE % 3] + (IS_DEFINED_BLOCK ? 0.0f : 0.0f);
}
