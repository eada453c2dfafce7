// Vector swizzles: reads, rgba names, lvalue swizzles.
#include <metal_stdlib>
using namespace metal;

kernel void swizzles(device const float4* a [[buffer(0)]],
                     device float4* out [[buffer(1)]],
                     uint i [[thread_position_in_grid]])
{
    float4 v = a[i];
    float4 r = v.wzyx;
    r.xy = v.zw * 2.0f;
    r.z += v.x;
    float2 t = v.yx;
    r.w = t.x - t.y + v.r;
    out[i * 3 + 0] = r;

    float4 s = v;
    s.yx = s.xy;            // swap
    s.zw = float2(v.b, 7.0f);
    s.w *= v.a;
    out[i * 3 + 1] = s;

    float3 u = v.xyz;
    u.xz = u.zx;
    u.y = dot(v.xy, v.zw);
    out[i * 3 + 2] = float4(u, v.x + v.y + v.z + v.w);
}

kernel void int_swizzles(device const int4* a [[buffer(0)]],
                         device int4* out [[buffer(1)]],
                         uint i [[thread_position_in_grid]])
{
    int4 v = a[i];
    int4 r = int4(v.xx, v.ww) + v.zyxw;
    r.zw += int2(1, 2);
    out[i] = r;
}
