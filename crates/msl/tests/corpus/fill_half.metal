// Fill and cast kernels in half/float with vector types and integer builtins in 3-D.
#include <metal_stdlib>
using namespace metal;

kernel void fill3d(device half4* out [[buffer(0)]],
                   constant half& value [[buffer(1)]],
                   uint3 pos [[thread_position_in_grid]],
                   uint3 grid [[threads_per_grid]]) {
  uint idx = (pos.z * grid.y + pos.y) * grid.x + pos.x;
  out[idx] = half4(value, value * 2.0h, 0.0h, 1.h);
  out[idx].xy = out[idx].yx;
}

kernel void cast_f2h(device const float2* in, device half2* out, uint i [[thread_position_in_grid]]) {
  out[i] = half2(in[i]);
}
