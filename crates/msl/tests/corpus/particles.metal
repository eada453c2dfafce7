// Structs with float3 members, packed_float3, swizzles (read and write).
#include <metal_stdlib>
using namespace metal;

struct Particle {
  float3 position;
  float3 velocity;
  float4 color;
};

struct SimParams {
  float dt;
  packed_float3 gravity;
};

kernel void integrate(device Particle* particles [[buffer(0)]],
                      constant SimParams& params [[buffer(1)]],
                      uint id [[thread_position_in_grid]]) {
  Particle p = particles[id];
  float3 g = float3(params.gravity);
  p.velocity += g * params.dt;
  p.position.xy += p.velocity.xy * params.dt;
  p.position.z = max(p.position.z + p.velocity.z * params.dt, 0.0f);
  float2 uv = p.position.yx;
  p.color.rgb = float3(uv, 1.0f);
  p.color.a = length(p.velocity);
  p.color.bgr = p.color.rgb * 0.5f;
  particles[id] = p;
}
