// Tiled matmul specialised by function constants (indices from a macro base), 2-D tiles.
#include <metal_stdlib>
using namespace metal;

#define FC_BASE 100
#define TILE 8

constant bool fc_has_bias [[function_constant(FC_BASE + 0)]];
constant bool fc_transpose_b [[function_constant(FC_BASE + 1)]];
constant int fc_unroll [[function_constant(FC_BASE + 2)]];
constant bool has_bias = is_function_constant_defined(fc_has_bias) && fc_has_bias;
constant bool trans_b = is_function_constant_defined(fc_transpose_b) ? fc_transpose_b : false;

struct MatmulParams {
  int M;
  int N;
  int K;
};

kernel void matmul(device const float* A [[buffer(0)]],
                   device const float* B [[buffer(1)]],
                   device float* C [[buffer(2)]],
                   constant MatmulParams& p [[buffer(3)]],
                   device const float* bias [[buffer(4)]],
                   uint2 gid [[thread_position_in_grid]],
                   uint2 lid [[thread_position_in_threadgroup]]) {
  threadgroup float tA[TILE][TILE];
  threadgroup float tB[TILE][TILE];
  float acc = 0.0f;
  for (int k0 = 0; k0 < p.K; k0 += TILE) {
    int ak = k0 + int(lid.x);
    int bk = k0 + int(lid.y);
    tA[lid.y][lid.x] = (int(gid.y) < p.M && ak < p.K) ? A[gid.y * p.K + ak] : 0.0f;
    float b = 0.0f;
    if (bk < p.K && int(gid.x) < p.N) {
      b = trans_b ? B[gid.x * p.K + bk] : B[bk * p.N + gid.x];
    }
    tB[lid.y][lid.x] = b;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (int k = 0; k < TILE; ++k) {
      acc += tA[lid.y][k] * tB[k][lid.x];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (int(gid.y) < p.M && int(gid.x) < p.N) {
    if (has_bias) {
      acc += bias[gid.x];
    }
    C[gid.y * p.N + gid.x] = acc;
  }
}
