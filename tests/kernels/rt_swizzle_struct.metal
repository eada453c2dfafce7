// Swizzle lvalues, structs with float3 members and methods, program-scope constants.
#include <metal_stdlib>
using namespace metal;

constant float WEIGHTS[4] = {0.1f, 0.2f, 0.3f, 0.4f};
constexpr constant float SCALE = 2.0f;
constant half HALF_BIAS = 0.5h;
constant float3 UP = float3(0, 1, 0);

struct Particle {
    float3 pos;
    float3 vel;
    float mass;

    float3 momentum() const { return vel * mass; }
    void step(float dt) {
        pos += vel * dt;
        vel.y -= 9.8f * dt;
    }
    float kinetic() const { return 0.5f * mass * dot(vel, vel); }
};

struct Params {
    float dt;
    uint count;
    float4 tint;
};

kernel void swizzle_struct(device const float4* in [[buffer(0)]],
                           device float4* out [[buffer(1)]],
                           device Particle* parts [[buffer(2)]],
                           constant Params& p [[buffer(3)]],
                           uint i [[thread_position_in_grid]]) {
    if (i >= p.count) return;
    float4 v = in[i];
    float4 w = v;
    w.xy = v.yx;
    w.zw += v.xy * SCALE;
    w.x *= WEIGHTS[i % 4];
    w.rgb = w.bgr + float(HALF_BIAS);
    float2 t = w.xy;
    t.y = w.w;
    w.yz = t;
    out[i] = w * p.tint + float4(UP, 0).yxzw;
    Particle q = parts[i];
    q.step(p.dt);
    q.pos.xz += float2(1.0f, -1.0f);
    parts[i] = q;
    parts[i].mass = q.kinetic() + length(q.momentum()) * 0.0f;
}
