// Swizzles on array elements, members through pointers, expressions, nested swizzles; packed types.
#include <metal_stdlib>
using namespace metal;

struct Vtx { float4 pos; half4 col; };

template <typename T> using vec4 = vec<T, 4>;

kernel void swizzle_edge(device float4* a [[buffer(0)]],
                         device Vtx* v [[buffer(1)]],
                         device const packed_float3* pk [[buffer(2)]],
                         device float* out [[buffer(3)]],
                         uint i [[thread_position_in_grid]]) {
  a[i].zw += a[i].xy;
  a[i].x = (a[i] + 1.0f).w;
  device Vtx* p = v + i;
  p->pos.xy = p->pos.yx * 2.0f;
  p->col.rgb *= half(2);
  p->col.a = half(1);
  float3 q = float3(pk[i]);
  packed_float3 pq = pk[i];
  q += float3(pq) * 0.5f;
  float2 n = q.xyz.zy;
  vec4<float> w = {1.0f, 2.0f, 3.0f, 4.0f};
  w.wzyx = w;
  float2 s = i % 2 ? w.xy : w.zw;
  float4 c = float4(n, s);
  c.xyz = c.xyz * c.w;
  out[i] = c.x + c.y + c.z + c.w + min3(q.x, q.y, q.z) + max3(q.x, q.y, q.z) + median3(q.x, q.y, q.z);
}
