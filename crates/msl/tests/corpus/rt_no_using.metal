// No 'using namespace metal': global vector types, metal::-qualified library calls and matrices.
#include <metal_stdlib>
// no using namespace metal: builtin vector types are global, library calls qualified
kernel void noinc(device const float4* a [[buffer(0)]], device half4* b [[buffer(1)]],
                  device metal::float2x2* m [[buffer(2)]],
                  uint i [[thread_position_in_grid]], uint lane [[thread_index_in_simdgroup]]) {
  float4 v = a[i];
  half4 h = half4(v);
  metal::float4 w = metal::normalize(v + 1.0f);
  float s = metal::simd_sum(w.x);
  b[i] = h + half4(metal::clamp(w, 0.0f, 1.0f)) + half(s * 0.0f);
  m[i] = metal::float2x2(w.xy, w.zw) * metal::transpose(m[i]);
  uint u = metal::popcount(uint(lane));
  b[i].x += half(u) * 0.0h;
}
