// Float math functions; each row of the output is one function over the inputs.
#include <metal_stdlib>
using namespace metal;

#define NFUNCS 34

kernel void math_funcs(device const float* xs [[buffer(0)]],   // any sign, |x| <= 3
                       device const float* ys [[buffer(1)]],   // positive
                       device const float* ts [[buffer(2)]],   // in [0, 1]
                       device float* out [[buffer(3)]],
                       constant uint& n [[buffer(4)]],
                       uint i [[thread_position_in_grid]])
{
    if (i >= n) return;
    float x = xs[i], y = ys[i], t = ts[i];
    float r[NFUNCS];
    r[0] = exp(x);
    r[1] = log(y);
    r[2] = sin(x);
    r[3] = cos(x);
    r[4] = rsqrt(y);
    r[5] = fma(x, y, t);
    r[6] = clamp(x, -0.5f, 0.5f);
    r[7] = mix(x, y, t);
    r[8] = sqrt(y);
    r[9] = pow(y, 1.7f);
    r[10] = tanh(x);
    r[11] = atan2(x, y);
    r[12] = floor(x * 3.0f);
    r[13] = fract(x * 3.0f);
    r[14] = exp2(x);
    r[15] = log2(y);
    r[16] = smoothstep(-1.0f, 1.0f, x);
    r[17] = step(0.0f, x);
    r[18] = fmod(x * 7.0f, 1.3f);
    r[19] = abs(x);
    r[20] = sign(x);
    r[21] = min(x, y);
    r[22] = max(x, y);
    r[23] = round(x * 3.0f);
    r[24] = trunc(x * 3.0f);
    r[25] = ceil(x * 3.0f);
    r[26] = asin(t);
    r[27] = acos(t);
    r[28] = atan(x);
    r[29] = sinh(x);
    r[30] = cosh(x);
    r[31] = log10(y);
    r[32] = tan(x * 0.4f);
    r[33] = copysign(y, x) + fabs(x) + fmax(x, t) + fmin(x, t);
    for (uint k = 0; k < NFUNCS; ++k) out[k * n + i] = r[k];
}

kernel void geometry(device const float4* a [[buffer(0)]],
                     device const float4* b [[buffer(1)]],
                     device float4* out [[buffer(2)]],
                     uint i [[thread_position_in_grid]])
{
    float4 u = a[i], v = b[i];
    float3 c = cross(u.xyz, v.xyz);
    out[i * 3 + 0] = float4(dot(u, v), length(u), distance(u, v), length_squared(u.xy));
    out[i * 3 + 1] = normalize(u);
    out[i * 3 + 2] = float4(c, precise::sqrt(abs(u.w)) + fast::exp(v.w * 0.1f) * 0.0f);
}

kernel void vector_math(device const float4* a [[buffer(0)]],
                        device float4* out [[buffer(1)]],
                        uint i [[thread_position_in_grid]])
{
    float4 v = a[i];
    out[i * 2 + 0] = exp(v * 0.5f) + sin(v) * cos(v);
    out[i * 2 + 1] = clamp(v, float4(-1.0f), float4(1.0f)) + min(v, 0.25f) + max(v * 2.0f, -0.5f);
}
