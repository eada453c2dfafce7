// matrix types times vectors, transpose, determinant-free transforms.
#include <metal_stdlib>
using namespace metal;

struct Transform {
    float4x4 model;
    float3x3 normal_mat;
    half4x4 hmat;
};

kernel void transform_points(device const float4* pts [[buffer(0)]],
                             device float4* out [[buffer(1)]],
                             device float3* normals [[buffer(2)]],
                             constant Transform& xf [[buffer(3)]],
                             device half4* hout [[buffer(4)]],
                             uint i [[thread_position_in_grid]]) {
    float4 p = pts[i];
    out[i] = xf.model * p;
    float3 n = p.xyz;
    normals[i] = normalize(xf.normal_mat * n) * 0.0f + transpose(xf.normal_mat) * n;
    hout[i] = xf.hmat * half4(p);
    float2x2 r = float2x2(float2(0, 1), float2(-1, 0));
    float2 q = r * p.xy;
    out[i].x += 0.0f * q.x;
}
