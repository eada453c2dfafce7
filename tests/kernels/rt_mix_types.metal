// Mixed-type arithmetic per MSL promotion rules, vector relational, half/float mixing.
#include <metal_stdlib>
using namespace metal;

kernel void mix_types(device const half* h [[buffer(0)]],
                      device const float* f [[buffer(1)]],
                      device float* out [[buffer(2)]],
                      device char4* c4 [[buffer(3)]],
                      uint i [[thread_position_in_grid]]) {
  half a = h[i];
  float b = f[i];
  auto s = a * b;            // float
  float t = a + 1.0f;
  half u = a * 2;            // int promotes to half
  short sh = short(i) - short(3);
  ushort us = ushort(i) * ushort(2);
  float4 v = float4(a, b, t, float(u));
  bool4 m = v > float4(0);
  float4 w = select(float4(-1), v, m);
  w = mix(w, float4(1), 0.25f);
  w += step(0.5f, v) + smoothstep(float4(0), float4(1), v) + sign(v) + fract(abs(v));
  out[i] = s + w.x + w.y + w.z + w.w + float(sh) + float(us) + (all(m) ? 1.0f : 0.0f) + (any(m) ? 2.0f : 0.0f);
  char4 c = char4(int4(clamp(v * 10.0f, -100.0f, 100.0f)));
  c4[i] = c;
}
