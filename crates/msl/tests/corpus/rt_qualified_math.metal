// metal:: / metal::fast:: / metal::precise:: calls, clamp, fma, rsqrt, user helpers.
#include <metal_stdlib>
using namespace metal;

METAL_FUNC float silu(float x) { return x / (1.0f + metal::exp(-x)); }

kernel void qualified_math(device const float* x [[buffer(0)]],
                           device float* y [[buffer(1)]],
                           constant float& eps [[buffer(2)]],
                           uint i [[thread_position_in_grid]]) {
    float v = x[i];
    float a = metal::fast::exp(v) + metal::precise::exp(v) - 2.0f * metal::exp(v);
    float b = metal::precise::sqrt(metal::abs(v)) - metal::fast::sqrt(metal::fabs(v));
    float c = metal::rsqrt(v * v + eps);
    float d = metal::fma(v, 2.0f, metal::clamp(v, -1.0f, 1.0f));
    float e = metal::fast::tanh(v) + metal::precise::tanh(v) - 2.0f * metal::tanh(v);
    float f = metal::fast::divide(1.0f, 1.0f + metal::abs(v)) + metal::precise::divide(v, 2.0f);
    float g = metal::pow(metal::abs(v) + 1.0f, 0.5f) + metal::powr(2.0f, v) * 0.0f;
    y[i] = a * 0.0f + b * 0.0f + c + d + e * 0.0f + f + g + silu(v);
}
