// Program-scope 2-D / struct constant arrays, __restrict, volatile atomics, max_total_threads attribute,
// and ++/-- on swizzles (prefix and postfix).
#include <metal_stdlib>
using namespace metal;
constant float K[3][3] = {{1, 2, 1}, {2, 4, 2}, {1, 2, 1}};
constant int2 OFFS[4] = { int2(0, 1), int2(1, 0), int2(0, -1), int2(-1, 0) };
struct LUT { float a; int b; };
constant LUT LUTS[2] = { {1.0f, 2}, {3.0f, 4} };
[[max_total_threads_per_threadgroup(256)]]
kernel void conv3(device const float* __restrict in [[ buffer(0) ]],
                  device float* __restrict out [[ buffer(1) ]],
                  volatile device atomic_uint* counter [[buffer(2)]],
                  uint2 gid [[ thread_position_in_grid ]],
                  uint2 size [[ threads_per_grid ]]) {
  float acc = 0;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      int2 p = clamp(int2(gid) + int2(dx, dy), int2(0), int2(size) - 1);
      acc += K[dy + 1][dx + 1] * in[p.y * size.x + p.x];
    }
  int2 o = OFFS[gid.x % 4];
  out[gid.y * size.x + gid.x] = acc / 16.0f + float(o.x + o.y) * 0.0f + LUTS[1].a * 0.0f;
  atomic_fetch_add_explicit(counter, 1u, memory_order_relaxed);
}

kernel void swizzle_incdec(device float4* v [[buffer(0)]],
                           device float4* old [[buffer(1)]],
                           uint i [[thread_position_in_grid]]) {
  float4 q = v[i];
  float2 a = q.xy++;
  ++q.zw;
  --q.yz;
  float2 b = q.wx--;
  q.zw += 1.0f;
  v[i] = q;
  old[i] = float4(a, b);
}
