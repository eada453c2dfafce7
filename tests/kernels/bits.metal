// as_type reinterpretation and select.
#include <metal_stdlib>
using namespace metal;

kernel void as_type_kernel(device const float* f [[buffer(0)]],
                           device const uint* u [[buffer(1)]],
                           device uint* f_bits [[buffer(2)]],
                           device float* u_float [[buffer(3)]],
                           device uint* h2_bits [[buffer(4)]],
                           device int2* i2 [[buffer(5)]],
                           uint i [[thread_position_in_grid]])
{
    f_bits[i] = as_type<uint>(f[i]);
    u_float[i] = as_type<float>(u[i]);
    h2_bits[i] = as_type<uint>(half2(f[i], -f[i]));
    i2[i] = as_type<int2>(float2(f[i], 1.0f));
}

kernel void select_kernel(device const float4* a [[buffer(0)]],
                          device const float4* b [[buffer(1)]],
                          device float4* out [[buffer(2)]],
                          device float* scalars [[buffer(3)]],
                          uint i [[thread_position_in_grid]])
{
    float4 x = a[i], y = b[i];
    out[i * 2 + 0] = select(x, y, x < y);      // elementwise max
    out[i * 2 + 1] = select(x, y, bool4(true, false, true, false));
    scalars[i] = select(x.x, y.x, x.y > y.y) + (any(x > y) ? 1.0f : 0.0f) + (all(x > y) ? 10.0f : 0.0f);
}
