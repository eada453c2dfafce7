// host_name on plain kernels (both positions) and vector/half function constants.
#include <metal_stdlib>
using namespace metal;
[[host_name("renamed_copy")]] kernel void copy_impl(device const float* a [[buffer(0)]], device float* b [[buffer(1)]], uint i [[thread_position_in_grid]]) { b[i] = a[i]; }
kernel void [[host_name("renamed2")]] copy_impl2(device const float* a [[buffer(0)]], device float* b [[buffer(1)]], uint i [[thread_position_in_grid]]) { b[i] = 2 * a[i]; }
constant float2 OFF [[function_constant(5)]];
constant half HSCALE [[function_constant(6)]];
kernel void fcvec(device float* b [[buffer(0)]], uint i [[thread_position_in_grid]]) { b[i] = OFF.x + OFF.y + float(HSCALE); }
