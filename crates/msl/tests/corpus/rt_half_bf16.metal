// half and bfloat arithmetic, conversions, vector loads through reinterpret_cast.
#include <metal_stdlib>
using namespace metal;

kernel void mixed_precision(device const float* x [[buffer(0)]],
                            device half* h_out [[buffer(1)]],
                            device bfloat* b_out [[buffer(2)]],
                            device float* f_out [[buffer(3)]],
                            constant uint& n4 [[buffer(4)]],
                            uint gid [[thread_position_in_grid]]) {
    if (gid >= n4) return;
    float4 v = reinterpret_cast<device const float4*>(x)[gid];
    half4 h = half4(v);
    h = h * 2.0h + half4(1.h);
    bfloat4 b = bfloat4(v);
    b = b * bfloat(0.5f) - bfloat4(1);
    reinterpret_cast<device half4*>(h_out)[gid] = h;
    ((device bfloat4*)b_out)[gid] = b;
    half s = h.x + h.y;
    s += half(1);
    bfloat t = b.z * b.w;
    float4 r = float4(h) + float4(b);
    r.x += float(s) * 0.0f + float(t) * 0.0f;
    *((device float4*)(f_out + 4 * gid)) = r;
}

kernel void half_math(device const half* x [[buffer(0)]],
                      device half* y [[buffer(1)]],
                      uint i [[thread_position_in_grid]]) {
    half a = x[i];
    half m = metal::numeric_limits<half>::max();
    half inf = metal::numeric_limits<half>::infinity();
    half r = exp(a) / (1.0h + exp(a));
    r = clamp(r, half(0), m);
    r = a > inf ? a : r;
    r = fma(r, half(2), -1.0h);
    y[i] = select(r, half(0), isnan(a));
}
