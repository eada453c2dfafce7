// Function constants, specialised with constant_values.
#include <metal_stdlib>
using namespace metal;

constant bool use_square [[function_constant(0)]];
constant int offset_value [[function_constant(1)]];
constant float scale_value [[function_constant(2)]];
constant bool has_scale = is_function_constant_defined(scale_value);
constant uint repeat_count [[function_constant(3)]];
constant uint repeats = is_function_constant_defined(repeat_count) ? repeat_count : 1u;

kernel void fc_kernel(device const float* a [[buffer(0)]],
                      device float* out [[buffer(1)]],
                      uint i [[thread_position_in_grid]])
{
    float v = a[i];
    if (use_square) {
        v = v * v;
    }
    v += float(offset_value);
    if (has_scale) {
        v *= scale_value;
    }
    for (uint r = 1; r < repeats; ++r) v += 1.0f;
    out[i] = v;
}
