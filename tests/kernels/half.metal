// half precision: storage, arithmetic, conversions, math, vectors and literals.
#include <metal_stdlib>
using namespace metal;

kernel void half_math(device const half* a [[buffer(0)]],
                      device const half* b [[buffer(1)]],
                      device half* out [[buffer(2)]],
                      device float* out_f [[buffer(3)]],
                      uint i [[thread_position_in_grid]])
{
    half x = a[i];
    half y = b[i];
    out[i * 4 + 0] = x * y + 1.5h;
    out[i * 4 + 1] = max(x, y) - min(x, y);
    out[i * 4 + 2] = sqrt(abs(x)) + half(0.25f);
    out[i * 4 + 3] = clamp(x * 2.0h, -1.0h, 1.0h);
    half2 v = half2(x, y);
    half2 w = v * v;
    out_f[i * 2 + 0] = float(w.x + w.y);
    out_f[i * 2 + 1] = float(exp(x * 0.5h));
}

kernel void half4_vec(device const half4* a [[buffer(0)]],
                      device half4* out [[buffer(1)]],
                      device float* dots [[buffer(2)]],
                      uint i [[thread_position_in_grid]])
{
    half4 v = a[i];
    out[i] = v.wzyx * 2.0h + half4(1.0h);
    dots[i] = float(dot(v, v));
}
