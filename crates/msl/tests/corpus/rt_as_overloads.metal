// Address-space overloads of helpers (device / threadgroup / constant), as in tiled kernels.
#include <metal_stdlib>
using namespace metal;

namespace tile {
template <typename T> METAL_FUNC T load2(const device T* p, int i) { return p[2 * i] + p[2 * i + 1]; }
template <typename T> METAL_FUNC T load2(const threadgroup T* p, int i) { return p[2 * i] + p[2 * i + 1]; }
template <typename T> METAL_FUNC T load2(constant T* p, int i) { return p[2 * i] + p[2 * i + 1]; }
}
namespace other {
// same text as tile::load2 but a different namespace: both kept
template <typename T> METAL_FUNC T load2(const device T* p, int i) { return p[2 * i] + p[2 * i + 1]; }
}

METAL_FUNC float dot4(const device float4* a, const device float4* b) { return dot(*a, *b); }
METAL_FUNC float dot4(const threadgroup float4* a, const threadgroup float4* b) { return dot(*a, *b); }

kernel void as_overloads(device const float* x [[buffer(0)]],
                         constant float* c [[buffer(1)]],
                         device float* out [[buffer(2)]],
                         device const float4* v [[buffer(3)]],
                         uint i [[thread_position_in_grid]],
                         uint l [[thread_position_in_threadgroup]]) {
  threadgroup float t[128];
  threadgroup float4 tv[64];
  t[2 * l] = x[2 * i];
  t[2 * l + 1] = x[2 * i + 1];
  tv[l] = v[i];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  out[i] = tile::load2(x, i) + 10.0f * tile::load2(t, l) + 100.0f * tile::load2(c, 0) + other::load2(x, i) * 0.0f
         + dot4(v + i, v + i) * 1000.0f + dot4(&tv[l], &tv[l]) * 0.0f;
}
