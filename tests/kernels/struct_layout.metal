// float3 has 16-byte size and alignment in structs; packed_float3 has 12.
#include <metal_stdlib>
using namespace metal;

struct Particle {
    float3 pos;
    float3 vel;
    float mass;
    uint id;
};

struct Packed {
    packed_float3 p;
    float w;
};

kernel void step_particles(device Particle* ps [[buffer(0)]],
                           constant float& dt [[buffer(1)]],
                           uint i [[thread_position_in_grid]])
{
    Particle p = ps[i];
    p.pos += p.vel * dt;
    p.vel.y -= 9.81f * dt;
    p.mass *= 2.0f;
    p.id = p.id * 10u + 7u;
    ps[i] = p;
}

kernel void packed_len(device const Packed* in [[buffer(0)]],
                       device float* out [[buffer(1)]],
                       uint i [[thread_position_in_grid]])
{
    float3 p = float3(in[i].p);
    out[i] = length(p) + in[i].w;
}

kernel void layout_sizes(device uint* out [[buffer(0)]], uint i [[thread_position_in_grid]])
{
    if (i == 0) {
        out[0] = sizeof(float3);
        out[1] = alignof(float3);
        out[2] = sizeof(Particle);
        out[3] = sizeof(packed_float3);
        out[4] = sizeof(Packed);
        out[5] = sizeof(half3);
        out[6] = sizeof(float2);
        out[7] = sizeof(int4);
        out[8] = sizeof(uchar3);
        out[9] = sizeof(float4x4);
        out[10] = sizeof(float3x3);
        out[11] = sizeof(size_t);
    }
}

kernel void float3_buffer(device const float3* in [[buffer(0)]],
                          device float3* out [[buffer(1)]],
                          uint i [[thread_position_in_grid]])
{
    out[i] = cross(in[i], float3(0.0f, 0.0f, 1.0f)) + in[i].zxy;
}
