// Structs whose data members are named like swizzles (xy, rgb, zw), next to real vector swizzles.
#include <metal_stdlib>
using namespace metal;

enum Channel { r, g, b, a };
enum class Mode : int { xy = 0, zw = 1 };

struct Span { uint offset; uint count; uint xy; };

struct Pixel {
  float3 rgb;
  float a;
  half zw[2];
  Pixel() = default;
  Pixel(float3 c, float alpha) : rgb(c), a(alpha), zw{half(0), half(1)} {}
  float luma() const { return dot(rgb, float3(0.299f, 0.587f, 0.114f)); }
  void scale(float s) { rgb *= s; rgb.xy = rgb.yx; zw[0] += half(s); }
};

struct Camera {
  float2 xy;
  float2 wz;          // not a valid pair order? still a swizzle name
  float4 v;
  float2 center() const { return xy + v.zw; }
};

kernel void swizzle_fields(device const float4* in [[buffer(0)]],
                           device float4* out [[buffer(1)]],
                           constant Span& span [[buffer(2)]],
                           device Pixel* px [[buffer(3)]],
                           constant Camera& cam [[buffer(4)]],
                           uint i [[thread_position_in_grid]]) {
  if (i >= span.count) return;
  float4 v = in[span.offset + i * span.xy];
  Pixel p = px[i];
  p.scale(2.0f);
  p.rgb.z += 1.0f;
  p.a = p.luma();
  px[i] = p;
  Pixel q(v.xyz, v.w);
  float2 c = cam.center() + cam.xy.yx + cam.wz;
  out[i] = float4(q.rgb.zyx, float(q.zw[1])) + float4(c, c) + float(int(Mode::zw)) + float(int(b));
}
