// 1-D convolution: constant struct params, casts and reinterpret_cast with address spaces.
#include <metal_stdlib>
using namespace metal;

struct ConvParams {
  int in_len;
  int k;
  int out_len;
};

kernel void conv1d(device const float* x [[buffer(0)]],
                   device const float* w [[buffer(1)]],
                   device float* y [[buffer(2)]],
                   constant ConvParams& p [[buffer(3)]],
                   uint i [[thread_position_in_grid]],
                   uint lid [[thread_position_in_threadgroup]]) {
  threadgroup float4 staging[16];
  threadgroup float* flat = reinterpret_cast<threadgroup float*>(staging);
  flat[lid] = float(lid);
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (int(i) >= p.out_len) return;
  float kernel[8];
  for (int j = 0; j < p.k && j < 8; ++j) kernel[j] = w[j];
  float acc = 0.0f;
  for (int j = 0; j < p.k && j < 8; ++j) {
    acc += x[i + j] * kernel[j];
  }
  device const float4* x4 = (device const float4*)(x);
  y[i] = acc + 0.0f * x4[0].x + 0.0f * flat[0];
}
