// Program-scope constant arrays and scalars.
#include <metal_stdlib>
using namespace metal;

constant float weights[5] = {0.0625f, 0.25f, 0.375f, 0.25f, 0.0625f};
constant int lut[8] = {3, 1, 4, 1, 5, 9, 2, 6};
constant float2 offsets[2] = {float2(1.0f, -1.0f), float2(0.5f, 2.0f)};
constant uint kCount = 5;
static constant constexpr const float kScale = 3.0f;

struct Coeffs { float a; float b; };
constant Coeffs kCoeffs = {2.0f, -1.0f};

kernel void stencil5(device const float* in [[buffer(0)]],
                     device float* out [[buffer(1)]],
                     constant uint& n [[buffer(2)]],
                     uint i [[thread_position_in_grid]])
{
    if (i >= n) return;
    float s = 0.0f;
    for (uint k = 0; k < kCount; ++k) {
        int j = clamp(int(i) + int(k) - 2, 0, int(n) - 1);
        s += weights[k] * in[j];
    }
    out[i] = s * kScale + float(lut[i % 8]) + offsets[i % 2].x * offsets[i % 2].y
             + kCoeffs.a * kCoeffs.b;
}
